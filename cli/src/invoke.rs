//! `usernames invoke`: event files through the same handlers as the Lambda functions.
use std::process::ExitCode;

pub fn run(_files: Vec<String>) -> ExitCode {
    eprintln!("usernames invoke: not implemented yet");
    ExitCode::from(2)
}
