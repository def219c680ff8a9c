//! `usernames serve` through its HTTP interface, as cognito-local and the AWS SDKs call it: the
//! Lambda Invoke API's success, function-error, not-found, bad-request and payload-too-large
//! answers, and a clean exit on SIGTERM.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process; killed when the test ends, whether it passed or not.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Self {
        Self::start_with_console(true)
    }

    /// With `keep_console` false the console pipe is closed once the banner is read, as when
    /// `usernames serve | head -1` has exited.
    fn start_with_console(keep_console: bool) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_usernames"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("USERNAMES_TABLE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start usernames serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let banner = lines.next().expect("a banner line").expect("readable");
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the banner names the address")
            .parse()
            .expect("a socket address");
        if keep_console {
            // Keep draining the console so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
        }
        Self { child, addr }
    }

    /// One HTTP/1.1 request; returns the status, the headers (lowercased names) and the body.
    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut head = format!("Content-Length: {}\r\n", body.len());
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        self.exchange(path, &head, body)
    }

    /// `POST path` with the header lines `head` (each ending in CRLF) and the bytes `body` as
    /// they are (no length is added); the reply.
    fn exchange(&self, path: &str, head: &str, body: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{head}\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).expect("write head");
        stream.write_all(body).expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read reply");
        Reply::parse(&raw)
    }

    fn invoke(&self, function: &str, event: &Value) -> Reply {
        self.post(
            &format!("/2015-03-31/functions/{function}/invocations"),
            &[("Content-Type", "application/json")],
            event.to_string().as_bytes(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Self {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete HTTP response");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Self {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn sign_up(user_name: &str, name: &str, email: &str) -> Value {
    let mut event: Value =
        serde_json::from_str(include_str!("../../events/pre-sign-up-signup.json"))
            .expect("fixture");
    event["userName"] = json!(user_name);
    event["request"]["userAttributes"]["preferred_username"] = json!(name);
    event["request"]["userAttributes"]["email"] = json!(email);
    event
}

#[test]
fn a_sign_up_answers_with_the_event_and_a_duplicate_as_a_lambda_function_error() {
    let server = Server::start();

    let first = sign_up("user-1", "Melody_Rivers", "melody@example.com");
    let ok = server.invoke("pre-sign-up", &first);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-amz-function-error"), None);
    assert_eq!(ok.header("x-amz-executed-version"), Some("$LATEST"));
    let answered = ok.json();
    assert_eq!(answered["userName"], "user-1");
    assert_eq!(answered["response"]["autoConfirmUser"], false);
    assert_eq!(answered["request"], first["request"]);

    // A separator and case variant by someone else: rejected as real Lambda reports an error.
    let copycat = sign_up("user-2", "melody.rivers", "other@example.com");
    let taken = server.invoke("PreSignUpFunction", &copycat);
    assert_eq!(taken.status, 200);
    assert_eq!(taken.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(
        taken.json(),
        json!({"errorType": "name_taken", "errorMessage": "That username is already taken. [name_taken]"})
    );
}

#[test]
fn function_arns_with_encoded_colons_reach_the_handlers() {
    let server = Server::start();
    let arn = "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Apre-sign-up";
    let reply = server.invoke(arn, &sign_up("user-9", "arn_user", "arn@example.com"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-amz-function-error"), None);
    assert_eq!(reply.json()["userName"], "user-9");
}

#[test]
fn an_unknown_function_is_a_resource_not_found_error() {
    let server = Server::start();
    let reply = server.invoke("send-email", &json!({}));
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    let message = reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.starts_with("Function not found: send-email."),
        "{message}"
    );
}

#[test]
fn a_body_that_is_not_json_is_a_request_error_and_the_server_keeps_serving() {
    let server = Server::start();
    let reply = server.post(
        "/2015-03-31/functions/pre-sign-up/invocations",
        &[],
        b"{not json",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("InvalidRequestContentException")
    );

    // A JSON value that is not a Cognito event is the handler's clear error, not a crash.
    let reply = server.invoke("post-confirmation", &json!({"hello": "world"}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-amz-function-error"), Some("Unhandled"));
    let error = reply.json();
    assert!(error["errorType"].is_string(), "{error}");
    // A sentence, then its code.
    let message = error["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("The ")
            && message.ends_with(&format!(
                ". [{}]",
                error["errorType"].as_str().unwrap_or("?")
            )),
        "{error}"
    );

    let again = server.invoke(
        "pre-sign-up",
        &sign_up("user-3", "still_up", "up@example.com"),
    );
    assert_eq!(again.status, 200);
    assert_eq!(again.header("x-amz-function-error"), None);
}

/// Lambda's payload limits: a synchronous invocation takes 6 MB, an `Event` one 1 MB.
const REQUEST_RESPONSE_LIMIT: usize = 6_291_456;
const EVENT_LIMIT: usize = 1_048_576;
const INVOKE: &str = "/2015-03-31/functions/pre-sign-up/invocations";

/// `event` as JSON, padded with spaces to `len` bytes.
fn padded(event: &Value, len: usize) -> Vec<u8> {
    let mut body = event.to_string().into_bytes();
    assert!(body.len() <= len);
    body.resize(len, b' ');
    body
}

/// Lambda's answer to a payload over `limit`.
fn assert_too_large(reply: &Reply, limit: usize) {
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("RequestEntityTooLargeException")
    );
    let body = reply.json();
    assert_eq!(body["Type"], "User", "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(&limit.to_string()), "{message}");
    assert!(message.ends_with('.'), "{message}");
}

#[test]
fn payloads_over_lambdas_limits_are_refused_as_lambda_refuses_them() {
    let server = Server::start();

    // At the limits: taken.
    let event = sign_up("user-10", "at_the_limit", "limit@example.com");
    let reply = server.post(INVOKE, &[], &padded(&event, REQUEST_RESPONSE_LIMIT));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-amz-function-error"), None);
    assert_eq!(reply.json()["userName"], "user-10");
    let event = sign_up("user-11", "event_at_the_limit", "event@example.com");
    let reply = server.post(
        INVOKE,
        &[("X-Amz-Invocation-Type", "Event")],
        &padded(&event, EVENT_LIMIT),
    );
    assert_eq!(reply.status, 202);

    // A byte over, declared: refused before a byte of the body is read (none is sent).
    for (invocation_type, limit) in [
        ("RequestResponse", REQUEST_RESPONSE_LIMIT),
        ("Event", EVENT_LIMIT),
        ("DryRun", REQUEST_RESPONSE_LIMIT),
    ] {
        let head = format!(
            "X-Amz-Invocation-Type: {invocation_type}\r\nContent-Length: {}\r\n",
            limit + 1
        );
        assert_too_large(&server.exchange(INVOKE, &head, b""), limit);
    }

    // Chunked, with no length to declare: read up to the limit and no further. The last chunk
    // is one byte over it, and the body never ends.
    let mut body = Vec::new();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..REQUEST_RESPONSE_LIMIT / chunk.len() {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"1\r\n \r\n");
    let reply = server.exchange(INVOKE, "Transfer-Encoding: chunked\r\n", &body);
    assert_too_large(&reply, REQUEST_RESPONSE_LIMIT);

    // It goes on serving.
    let reply = server.invoke(
        "pre-sign-up",
        &sign_up("user-12", "after_the_limit", "after@example.com"),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-amz-function-error"), None);
}

#[test]
fn dry_run_checks_the_request_without_running_the_handler() {
    let server = Server::start();
    let event = sign_up("user-4", "dry_run_name", "dry@example.com");
    let reply = server.post(
        "/2015-03-31/functions/pre-sign-up/invocations",
        &[("X-Amz-Invocation-Type", "DryRun")],
        event.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 204);
    // Nothing was reserved: another user still gets the name.
    let reply = server.invoke(
        "pre-sign-up",
        &sign_up("user-5", "dry_run_name", "x@example.com"),
    );
    assert_eq!(reply.header("x-amz-function-error"), None);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Server::start();
    let pid = server.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "exit status {exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_closed_console_does_not_stop_the_server() {
    let server = Server::start_with_console(false);
    for user in ["user-6", "user-7"] {
        let reply = server.invoke(
            "pre-sign-up",
            &sign_up(user, &format!("name_{user}"), "c@example.com"),
        );
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("x-amz-function-error"), None);
    }
}

/// The banner says which issuer the signed-in routes trust, or that none is set and what to
/// set: a token of `localhost` sent to a server that trusts `127.0.0.1` is the usual 401.
#[test]
fn the_banner_names_the_trusted_issuer_or_says_to_set_one() {
    let banner = |issuer: Option<&str>| -> (Vec<String>, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("USERNAMES_TABLE")
            .env_remove("USERNAMES_JWT_ISSUER")
            .env_remove("USERNAMES_JWT_AUDIENCE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(issuer) = issuer {
            command
                .env("USERNAMES_JWT_ISSUER", issuer)
                .env("USERNAMES_JWT_AUDIENCE", "app-client");
        }
        let mut child = command.spawn().expect("start usernames serve");
        let lines: Vec<String> = BufReader::new(child.stdout.take().expect("stdout"))
            .lines()
            .take(3)
            .map(|l| l.expect("readable"))
            .collect();
        let _ = child.kill();
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr);
        let _ = child.wait();
        (lines, stderr)
    };
    let (trusted, console) = banner(Some("http://127.0.0.1:9229/local_pool/"));
    // No region anywhere: no SDK warning about EC2's metadata service either.
    assert!(!console.contains("IMDS"), "{console}");
    assert!(
        trusted[0].contains("Lambda Invoke API on http://127.0.0.1:"),
        "{trusted:?}"
    );
    assert_eq!(
        trusted[2],
        "usernames serve: signed-in routes trust user tokens of issuer \
         http://127.0.0.1:9229/local_pool (audience app-client; keys from \
         http://127.0.0.1:9229/local_pool/.well-known/jwks.json); a refused token is logged with \
         its reason"
    );
    let (unset, _) = banner(None);
    assert!(
        unset[2].contains(
            "USERNAMES_JWT_ISSUER is not set, so PUT and DELETE /v1/me/username answer 401"
        ),
        "{unset:?}"
    );
}
