//! The `usernames` CLI: runs the trigger handlers locally, serves them over the Lambda Invoke
//! API and administers the registry (SPEC.md §5). Each subcommand lives in its own module.

/// `println!` that never panics: a reader that went away (`usernames demo | head`) must not crash
/// the command, and in release builds (panic = abort) not the whole `serve` process either.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod check;
mod demo;
mod invoke;
mod serve;
mod setup;
mod table;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "usernames",
    version,
    about = "Safe, unique Cognito display names: check, invoke, serve and administer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check names against the policy (no store). With no NAME, reads one JSON string per line from stdin.
    Check {
        /// Names to check.
        names: Vec<String>,
    },
    /// Run event files (or `-` for stdin) through the trigger handlers, in order, on one store.
    Invoke {
        /// Event JSON files; `-` reads one event from stdin.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Serve the handlers over the Lambda Invoke API (for cognito-local, the AWS CLI and SDKs).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3001")]
        addr: std::net::SocketAddr,
    },
    /// A narrated sign-up, confirm and sign-in walk-through on the embedded store.
    Demo,
    /// Administer the DynamoDB table named by USERNAMES_TABLE.
    Table {
        #[command(subcommand)]
        command: TableCommand,
    },
}

#[derive(Subcommand)]
enum TableCommand {
    /// Create the registry table with the template's schema and TTL (idempotent).
    Create,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { names } => check::run(names),
        Command::Invoke { files } => invoke::run(files),
        Command::Serve { addr } => serve::run(addr),
        Command::Demo => demo::run(),
        Command::Table {
            command: TableCommand::Create,
        } => table::create(),
    }
}
