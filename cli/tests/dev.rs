//! `usernames dev` refusing to start, each time with one sentence and exit 2: no Node.js on PATH,
//! a cognito-local that is not one, the API's or cognito-local's port taken. None of these starts
//! cognito-local; the whole stack (sign-up, tokens, the API, a restart) is driven end to end in
//! tests/e2e/test_dev.py.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// The repo's cognito-local (scripts/setup-test-tools installs it): nothing is downloaded.
fn cognito_local() -> PathBuf {
    repo().join("node_modules/cognito-local")
}

/// A fresh folder for DIR, removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("usernames-dev-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `usernames dev --dir DIR ARGS...` with no `USERNAMES_*` or `AWS_*` settings, and `path` as
/// PATH when given; it must stop by itself.
fn dev(dir: &TempDir, args: &[&str], path: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    command.arg("dev").arg("--dir").arg(&dir.0).args(args);
    for (var, _) in std::env::vars_os() {
        let name = var.to_string_lossy();
        if name.starts_with("USERNAMES_") || name.starts_with("AWS_") {
            command.env_remove(&var);
        }
    }
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("run usernames dev")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn without_node_on_path_dev_says_to_install_it() {
    let dir = TempDir::new("no-node");
    let empty = TempDir::new("empty-path");
    std::fs::create_dir_all(&empty.0).expect("an empty PATH folder");
    let cognito = cognito_local();
    for args in [
        vec![],
        vec!["--cognito-local", cognito.to_str().expect("utf-8 path")],
    ] {
        let out = dev(&dir, &args, Some(&empty.0));
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.starts_with("usernames dev: Node.js is not installed (no `node` on PATH)"),
            "{args:?}: {said}"
        );
        assert!(said.contains("install Node.js 20 or later"), "{said}");
        assert_eq!(said.lines().count(), 1, "one sentence: {said}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_cognito_local_that_is_not_one_is_named() {
    let dir = TempDir::new("not-cognito");
    let out = dev(
        &dir,
        &["--cognito-local", "/nonexistent/cognito-local"],
        None,
    );
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("/nonexistent/cognito-local is not a cognito-local"),
        "{said}"
    );
}

#[test]
fn a_taken_port_is_said_with_the_flag_that_moves_it() {
    let dir = TempDir::new("ports");
    let taken = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("addr").port().to_string();
    let cognito = cognito_local();
    let cognito = cognito.to_str().expect("utf-8 path");

    let out = dev(
        &dir,
        &["--cognito-local", cognito, "--api-port", &port],
        None,
    );
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("the port is taken"), "{said}");
    assert!(said.contains("--api-port"), "{said}");

    let out = dev(
        &dir,
        &[
            "--cognito-local",
            cognito,
            "--api-port",
            "0",
            "--cognito-port",
            &port,
        ],
        None,
    );
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!(
            "cannot start cognito-local on port {port}: the port is taken"
        )),
        "{said}"
    );
    assert!(said.contains("--cognito-port"), "{said}");
    // Nothing was started, so no outputs were written.
    assert!(!dir.0.join("amplify_outputs.json").exists());
}
