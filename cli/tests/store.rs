//! `--store PATH` and `USERNAMES_STORE`: the registry in a file. `usernames serve` signs a user
//! up and confirms her through the Lambda Invoke API, is stopped and started again on the same
//! file, and she still owns her name while a copycat is refused; `show` and `block` read and
//! write the file while `serve` runs; `invoke` runs remember between runs; a table and a file at once, or a path that
//! cannot hold a store, is exit 2 with a sentence naming it.

use integration_tests::disk::fresh_path;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `usernames` with no `USERNAMES_*` or `AWS_*` setting of the machine running the tests.
fn usernames() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    for (var, _) in std::env::vars() {
        if var.starts_with("USERNAMES_") || var.starts_with("AWS_") {
            command.env_remove(var);
        }
    }
    command.stdin(Stdio::null());
    command
}

/// `usernames serve` on a store file; stopped when the test ends, whether it passed or not.
struct Server {
    child: Child,
    addr: SocketAddr,
    banner: String,
}

impl Server {
    fn start(store: &Path) -> Self {
        let mut child = usernames()
            .args(["serve", "--addr", "127.0.0.1:0", "--store"])
            .arg(store)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start usernames serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let banner = lines.next().expect("a banner line").expect("readable");
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the banner names the address")
            .parse()
            .expect("a socket address");
        // Keep draining the console so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            addr,
            banner,
        }
    }

    /// Invokes `function` with `event`; the answer's body, and whether it is a function error.
    fn invoke(&self, function: &str, event: &Value) -> (Value, bool) {
        let body = event.to_string();
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let request = format!(
            "POST /2015-03-31/functions/{function}/invocations HTTP/1.1\r\nHost: {}\r\n\
             Connection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("write");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let failed = head
            .to_ascii_lowercase()
            .contains("x-amz-function-error: unhandled");
        (serde_json::from_str(body).expect("a JSON body"), failed)
    }

    /// Stops the server as a terminal's Ctrl-C would, and waits until it has.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.expect("kill").success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().expect("wait").is_none() {
            assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn event(source: &str, user_name: &str, sub: &str, name: &str, email: &str) -> Value {
    let mut attributes = json!({"preferred_username": name, "email": email});
    if !source.starts_with("PreSignUp_") {
        attributes["sub"] = json!(sub);
        attributes["email_verified"] = json!("true");
    }
    let mut event = json!({
        "version": "1", "triggerSource": source, "region": "eu-west-1",
        "userPoolId": "eu-west-1_x", "userName": user_name,
        "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
        "request": {"userAttributes": attributes}, "response": {}
    });
    if source.starts_with("TokenGeneration_") {
        event["request"]["groupConfiguration"] = Value::Null;
    }
    event
}

fn melody(source: &str) -> Value {
    event(
        source,
        "melody-user",
        "sub-melody",
        "Melody_Rivers",
        "melody@example.com",
    )
}

fn copycat() -> Value {
    event(
        "PreSignUp_SignUp",
        "copycat-user",
        "",
        "melody.rivers",
        "copycat@example.com",
    )
}

/// The name a token answer puts in the tokens.
fn token_name(answer: &Value) -> Value {
    answer["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["preferred_username"]
        .clone()
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_name_signed_up_through_serve_is_still_hers_after_a_restart() {
    let store = fresh_path("serve");
    let server = Server::start(&store);
    assert!(
        server
            .banner
            .contains(&format!("in the file {}", store.display())),
        "{}",
        server.banner
    );
    let (_, failed) = server.invoke("pre-sign-up", &melody("PreSignUp_SignUp"));
    assert!(!failed, "the sign-up is admitted");
    let (_, failed) = server.invoke(
        "post-confirmation",
        &melody("PostConfirmation_ConfirmSignUp"),
    );
    assert!(!failed, "the confirmation commits");

    // Another process reads the file while serve runs.
    let shown = usernames()
        .args(["show", "MELODY_RIVERS", "--store"])
        .arg(&store)
        .output()
        .expect("run usernames show");
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let shown = &json_lines(&shown)[0];
    assert_eq!(
        (&shown["name"], &shown["state"], &shown["owner"]),
        (
            &json!("Melody_Rivers"),
            &json!("active"),
            &json!("sub-melody")
        )
    );

    // And writes it: serve sees an operator's block at its next sign-up.
    let blocked = usernames()
        .args(["block", "Harmony", "--by", "ops", "--store"])
        .arg(&store)
        .output()
        .expect("run usernames block");
    assert_eq!(blocked.status.code(), Some(0), "{}", stderr(&blocked));
    let harmony = event(
        "PreSignUp_SignUp",
        "harmony-user",
        "",
        "harmony",
        "harmony@example.com",
    );
    let (refused, failed) = server.invoke("pre-sign-up", &harmony);
    assert!(failed, "{refused}");
    assert_eq!(refused["errorType"], json!("name_taken"));

    server.stop();
    let server = Server::start(&store);
    let (token, failed) = server.invoke(
        "pre-token-generation",
        &melody("TokenGeneration_Authentication"),
    );
    assert!(!failed, "{token}");
    assert_eq!(token_name(&token), json!("Melody_Rivers"), "{token}");
    let (refused, failed) = server.invoke("pre-sign-up", &copycat());
    assert!(failed, "{refused}");
    assert_eq!(
        refused,
        json!({"errorType": "name_taken", "errorMessage": "That username is already taken. [name_taken]"})
    );
}

/// The events as files, for `invoke`.
fn files(events: &[Value]) -> Vec<std::path::PathBuf> {
    events
        .iter()
        .map(|event| {
            let path = fresh_path("event");
            std::fs::write(&path, event.to_string()).expect("write an event file");
            path
        })
        .collect()
}

#[test]
fn invoke_runs_on_one_store_file_remember_each_other() {
    let store = fresh_path("invoke");
    let first = usernames()
        .arg("invoke")
        .args(files(&[
            melody("PreSignUp_SignUp"),
            melody("PostConfirmation_ConfirmSignUp"),
        ]))
        .env("USERNAMES_STORE", &store)
        .output()
        .expect("run usernames invoke");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let second = usernames()
        .arg("invoke")
        .args(files(&[
            melody("TokenGeneration_Authentication"),
            copycat(),
        ]))
        .args(["--store".as_ref(), store.as_os_str()])
        .output()
        .expect("run usernames invoke");
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let answers = json_lines(&second);
    assert_eq!(token_name(&answers[0]), json!("Melody_Rivers"));
    assert_eq!(answers[1]["errorType"], json!("name_taken"));
}

#[test]
fn operator_commands_share_the_file_and_the_flag_wins_over_the_variable() {
    let store = fresh_path("operators");
    let other = fresh_path("unused");
    let run = |args: &[&str]| {
        usernames()
            .args(args)
            .env("USERNAMES_STORE", &other)
            .args(["--store".as_ref(), store.as_os_str()])
            .output()
            .expect("run usernames")
    };
    let blocked = run(&["block", "AcmeCorp", "--reason", "staff", "--by", "ops"]);
    assert_eq!(blocked.status.code(), Some(0), "{}", stderr(&blocked));
    let ruled = run(&["block", "--contains", "support", "--by", "ops"]);
    assert_eq!(ruled.status.code(), Some(0), "{}", stderr(&ruled));
    let shown = run(&["show", "acmecorp"]);
    assert_eq!(json_lines(&shown)[0]["state"], json!("blocked"));
    let rules = run(&["rules"]);
    assert_eq!(json_lines(&rules)[0]["rules"][0]["word"], json!("support"));
    assert!(!other.exists(), "the variable's file was never created");
}

#[test]
fn a_table_and_a_file_at_once_or_a_path_that_cannot_hold_a_store_is_exit_2() {
    let store = fresh_path("both");
    let both = usernames()
        .args(["show", "melody", "--store"])
        .arg(&store)
        .env("USERNAMES_TABLE", "names")
        .output()
        .expect("run usernames show");
    assert_eq!(both.status.code(), Some(2));
    let text = stderr(&both);
    assert!(
        text.contains("table names") && text.contains(&store.display().to_string()),
        "{text}"
    );

    let missing = fresh_path("folder").join("names.redb");
    let refused = usernames()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("USERNAMES_STORE", &missing)
        .output()
        .expect("run usernames serve");
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused).trim(),
        format!(
            "usernames serve: cannot open the store file {}: its folder does not exist",
            missing.display()
        )
    );

    let text_file = fresh_path("text");
    std::fs::write(&text_file, "names, one per line\n").expect("write a text file");
    let refused = usernames()
        .args(["rules", "--store"])
        .arg(&text_file)
        .output()
        .expect("run usernames rules");
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused).trim(),
        format!(
            "usernames rules: {} is not a usernames store: it holds something else, or is damaged",
            text_file.display()
        )
    );
}
