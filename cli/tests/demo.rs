//! `usernames demo` runs the whole walk-through on the embedded store and every step answers as
//! the narration says.

use std::process::Command;

#[test]
fn the_demo_walks_through_every_step_as_narrated() {
    let out = Command::new(env!("CARGO_BIN_EXE_usernames"))
        .arg("demo")
        .env_remove("USERNAMES_TABLE")
        .output()
        .expect("run usernames demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for expected in [
        "accepted (name_reserved)",
        "rejected (name_taken): \"That username is already taken.\"",
        "rejected (mixed_scripts)",
        "rejected (reserved): \"That username is reserved.\"",
        "accepted (name_committed)",
        "ID token: preferred_username = \"Melody_Rivers\"",
        "access token: preferred_username = \"Melody_Rivers\"",
        "ID token: suppressed email, email_verified, phone_number, phone_number_verified",
        "accepted (no_action)",
        "ID token: preferred_username = \"mallory_k\"",
        "Every step answered as expected.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // Two copycats are turned away as duplicates: the case/separator and the look-alike variant.
    assert_eq!(
        stdout.matches("rejected (name_taken)").count(),
        2,
        "{stdout}"
    );
    assert!(!stdout.contains("UNEXPECTED"), "{stdout}");
}

#[test]
fn a_reader_that_goes_away_does_not_crash_the_demo() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_usernames"))
        .arg("demo")
        .env_remove("USERNAMES_TABLE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run usernames demo");
    // Close the pipe before the demo writes its first line, as `usernames demo | head -0` does.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
