//! `usernames table create`: the registry table for local endpoints.
use std::process::ExitCode;

pub fn create() -> ExitCode {
    eprintln!("usernames table create: not implemented yet");
    ExitCode::from(2)
}
