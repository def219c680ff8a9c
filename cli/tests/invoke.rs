//! `usernames invoke` through the built binary on the embedded store: one JSON line per event, in
//! order, on one store; handler errors as Lambda reports them; exit codes (docs/cli.md).

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|root| root.join("events"))
        .unwrap_or_default()
}

fn fixture(name: &str) -> String {
    events_dir().join(name).to_string_lossy().into_owned()
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// A file with `text` in a directory of its own, for events the fixtures do not cover.
fn scratch(text: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "usernames-invoke-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("event.json");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn invoke(files: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    command.arg("invoke").args(files);
    for (var, _) in std::env::vars() {
        if var.starts_with("USERNAMES_") || var.starts_with("AWS_ENDPOINT_URL") {
            command.env_remove(var);
        }
    }
    command.envs(env.iter().copied());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("run usernames");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

fn without_response(event: &Value) -> Value {
    let mut event = event.clone();
    event.as_object_mut().unwrap().remove("response");
    event
}

#[test]
fn every_sign_up_fixture_answers_in_order_on_one_store() {
    let files = [
        "pre-sign-up-signup.json",
        "post-confirmation-confirm-sign-up.json",
        "post-confirmation-confirm-forgot-password.json",
        "pre-sign-up-admin-create-user.json",
        "pre-sign-up-external-provider.json",
    ];
    let paths: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let output = invoke(&args, &[], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let answers = lines(&output);
    assert_eq!(answers.len(), files.len());
    for (file, answer) in files.iter().zip(&answers) {
        let sent = fixture_json(file);
        assert_eq!(without_response(answer), without_response(&sent), "{file}");
    }
    assert_eq!(
        answers[0]["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
    assert_eq!(answers[1]["response"], json!({}));
    assert_eq!(answers[2]["response"], json!({}));
}

/// The ownership issue's second sequence as files: `bob` signs up and confirms, is deleted (no
/// trigger fires), and a newcomer signs up as `bob` with the same name, then sets it behind the
/// triggers' back and signs in.
#[test]
fn a_reused_user_name_gets_neither_the_name_nor_a_token_with_it() {
    let event = |source: &str, sub: &str, extra: Value| {
        let mut attributes = json!({"preferred_username": "Bobby_Tables"});
        if !source.starts_with("PreSignUp_") {
            attributes["sub"] = json!(sub);
        }
        let mut event = json!({
            "version": "1", "triggerSource": source, "region": "eu-west-1",
            "userPoolId": "eu-west-1_x", "userName": "bob",
            "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
            "request": {"userAttributes": attributes}, "response": {}
        });
        if let Some(extra) = extra.as_object() {
            for (k, v) in extra {
                event["request"][k] = v.clone();
            }
        }
        scratch(&event.to_string())
    };
    let files = [
        event("PreSignUp_SignUp", "", json!({})),
        event("PostConfirmation_ConfirmSignUp", "sub-first-bob", json!({})),
        event("PreSignUp_SignUp", "", json!({})),
        event(
            "TokenGeneration_Authentication",
            "sub-new-bob",
            json!({"groupConfiguration": null}),
        ),
        event(
            "TokenGeneration_Authentication",
            "sub-first-bob",
            json!({"groupConfiguration": null}),
        ),
    ];
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let output = invoke(&args, &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let answers = lines(&output);
    assert!(answers[0].get("errorType").is_none(), "{}", answers[0]);
    assert!(answers[1].get("errorType").is_none(), "{}", answers[1]);
    assert_eq!(answers[2]["errorType"], json!("name_taken"));
    let details = |i: usize| answers[i]["response"]["claimsOverrideDetails"].clone();
    assert_eq!(
        details(3)["claimsToSuppress"],
        json!(["preferred_username"])
    );
    assert_eq!(
        details(4)["claimsToAddOrOverride"],
        json!({"preferred_username": "Bobby_Tables"})
    );
}

#[test]
fn events_share_one_store_so_a_second_claim_is_taken() {
    let mut rival = fixture_json("pre-sign-up-signup.json");
    rival["userName"] = json!("0f0e0d0c-aaaa-4bbb-8ccc-123456789abc");
    rival["request"]["userAttributes"]["email"] = json!("someone.else@example.com");
    rival["request"]["userAttributes"]["preferred_username"] = json!("melody_rivers");
    let rival = scratch(&rival.to_string());
    let output = invoke(&[&fixture("pre-sign-up-signup.json"), &rival], &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let answers = lines(&output);
    assert_eq!(answers.len(), 2);
    assert!(answers[0].get("errorType").is_none(), "{}", answers[0]);
    assert_eq!(
        answers[1],
        json!({"errorType": "name_taken", "errorMessage": "That username is already taken. [name_taken]"})
    );
}

#[test]
fn a_missing_or_unreadable_file_is_an_error_line_in_its_place() {
    let not_json = scratch("{ this is not json");
    let output = invoke(
        &[
            "/nonexistent/event.json",
            &not_json,
            &fixture("pre-sign-up-signup.json"),
        ],
        &[],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let answers = lines(&output);
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["errorType"], json!("file_unreadable"));
    assert!(answers[0]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/event.json"));
    assert_eq!(answers[1]["errorType"], json!("invalid_json"));
    assert_eq!(answers[2]["triggerSource"], json!("PreSignUp_SignUp"));
}

#[test]
fn dash_reads_one_event_from_stdin() {
    let event = std::fs::read_to_string(fixture("post-confirmation-confirm-sign-up.json")).unwrap();
    let output = invoke(&["-"], &[], Some(&event));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let answers = lines(&output);
    assert_eq!(
        answers,
        vec![serde_json::from_str::<Value>(&event).unwrap()]
    );

    let output = invoke(&["-", "-"], &[], Some(&event));
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let answers = lines(&output);
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1]["errorType"], json!("stdin_already_read"));
}

#[test]
fn handler_errors_come_back_as_lambda_reports_them() {
    let not_cognito = scratch(r#"{"httpMethod": "GET", "path": "/users"}"#);
    let mut short = fixture_json("pre-sign-up-signup.json");
    short["request"]["userAttributes"]["preferred_username"] = json!("ab");
    let short = scratch(&short.to_string());
    let output = invoke(&[&not_cognito, &short], &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let answers = lines(&output);
    assert_eq!(
        answers[0],
        json!({
            "errorType": "missing_trigger_source",
            "errorMessage": "The request is not a Cognito user pool trigger event: it has no triggerSource. [missing_trigger_source]"
        })
    );
    let keys: Vec<&String> = answers[1].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["errorMessage", "errorType"]);
    // A sentence, then its code where the documented expression finds it.
    let message = answers[1]["errorMessage"].as_str().unwrap();
    assert_eq!(
        message,
        "Usernames must be at least 3 characters long. [too_short]"
    );
}

#[test]
fn configuration_applies_and_a_bad_value_is_exit_2() {
    let output = invoke(
        &[&fixture("pre-sign-up-signup.json")],
        &[
            ("USERNAMES_AUTO_CONFIRM", "true"),
            ("USERNAMES_AUTO_VERIFY_EMAIL", "true"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        lines(&output)[0]["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false})
    );

    let output = invoke(
        &[&fixture("pre-sign-up-signup.json")],
        &[("USERNAMES_PENDING_TTL", "forever")],
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("USERNAMES_PENDING_TTL"));
}

#[test]
fn no_file_is_bad_usage() {
    let output = invoke(&[], &[], None);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
}
