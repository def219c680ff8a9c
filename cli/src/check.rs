//! `usernames check`: the policy alone, as JSON lines.
use std::process::ExitCode;

pub fn run(_names: Vec<String>) -> ExitCode {
    eprintln!("usernames check: not implemented yet");
    ExitCode::from(2)
}
