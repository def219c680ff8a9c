//! `usernames check` through the built binary: JSON lines out, exit codes, stdin input and
//! configuration from the environment (docs/cli.md).

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn usernames(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    command.arg("check").args(args);
    for var in [
        "USERNAMES_MIN_LENGTH",
        "USERNAMES_MAX_LENGTH",
        "USERNAMES_RESERVED",
        "USERNAMES_SCRIPT_POLICY",
        "USERNAMES_REJECT_PII_LOOKALIKES",
    ] {
        command.env_remove(var);
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
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

#[test]
fn all_accepted_exits_0_with_one_object_per_name() {
    let out = usernames(&["alice", "émile", "山田太郎"], &[], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        lines(&out),
        vec![
            json!({"input": "alice", "ok": true, "display": "alice"}),
            json!({"input": "émile", "ok": true, "display": "émile"}),
            json!({"input": "山田太郎", "ok": true, "display": "山田太郎"}),
        ]
    );
}

#[test]
fn any_rejected_exits_1_with_code_and_message() {
    let out = usernames(
        &["alice", "admin", "ａｌｉｃｅ", "ali\u{200b}ce"],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out),
        vec![
            json!({"input": "alice", "ok": true, "display": "alice"}),
            json!({"input": "admin", "ok": false, "code": "reserved", "message": "That username is reserved."}),
            json!({"input": "ａｌｉｃｅ", "ok": false, "code": "not_display_form", "message": "Write it as \"\u{2068}alice\u{2069}\".", "suggestion": "alice"}),
            json!({"input": "ali\u{200b}ce", "ok": false, "code": "invisible_character", "message": "Usernames can't contain invisible characters."}),
        ]
    );
}

#[test]
fn reads_json_strings_from_stdin_skipping_blank_lines() {
    let out = usernames(
        &[],
        &[],
        Some("\"alice\"\n\n   \n\"ali ce\"\n\"tab\\there\"\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let got = lines(&out);
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[0],
        json!({"input": "alice", "ok": true, "display": "alice"})
    );
    assert_eq!(got[1]["code"], "whitespace");
    assert_eq!(got[2]["input"], "tab\there");
    assert_eq!(got[2]["code"], "control_character");
}

#[test]
fn empty_stdin_checks_nothing_and_succeeds() {
    let out = usernames(&[], &[], Some(""));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_line_that_is_not_a_json_string_exits_2() {
    for bad in [
        "alice\n",
        "\"alice\"\n42\n",
        "\"alice\"\n{\"name\":\"x\"}\n",
        "\"unterminated\n",
    ] {
        let out = usernames(&[], &[], Some(bad));
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a JSON string"), "{bad:?}: {stderr}");
    }
}

#[test]
fn policy_configuration_comes_from_the_environment() {
    let out = usernames(
        &["acme", "ab", "alice山田"],
        &[
            ("USERNAMES_RESERVED", "acme"),
            ("USERNAMES_MIN_LENGTH", "2"),
            ("USERNAMES_SCRIPT_POLICY", "highly-restrictive"),
        ],
        None,
    );
    let got = lines(&out);
    assert_eq!(got[0]["code"], "reserved");
    assert_eq!(got[1]["ok"], true);
    assert_eq!(got[2]["ok"], true);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_configuration_exits_2_naming_the_variable() {
    let out = usernames(&["alice"], &[("USERNAMES_MAX_LENGTH", "1000")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("USERNAMES_MAX_LENGTH"));
}
