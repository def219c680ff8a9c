//! `usernames invoke FILE...`: event files through the same handlers as the Lambda functions, in
//! order, on one store (docs/cli.md). Prints one JSON line per event: the response event, or the
//! error as Lambda reports one. Exit 0 if every event succeeded, 1 if any failed, 2 if the
//! configuration is unusable. A file that cannot be read or is not JSON is a failed event (an
//! error line in its place), so output line N always answers FILE N.

use crate::setup::{self, Store};
use serde_json::Value;
use shared::registry::dynamodb::{client_from_env, Timeouts};
use shared::registry::{DynamoRegistry, MemoryRegistry, Registry};
use shared::telemetry;
use shared::triggers::{LambdaError, Triggers};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(files: Vec<String>, store: Option<PathBuf>) -> ExitCode {
    telemetry::init_cli();
    let (settings, runtime) = match (setup::settings("invoke"), setup::runtime("invoke")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store("invoke", store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let all_succeeded = runtime.block_on(async {
        let pool = setup::pool_users().await;
        match store {
            Store::Table(table) => {
                let client = client_from_env(&Timeouts::default()).await;
                let triggers =
                    Triggers::new(DynamoRegistry::new(client, table), settings).with_pool(pool);
                invoke_all(&triggers, &files).await
            }
            Store::File(disk) => {
                let triggers = Triggers::new(disk, settings).with_pool(pool);
                invoke_all(&triggers, &files).await
            }
            Store::Memory => {
                let triggers = Triggers::new(MemoryRegistry::new(), settings).with_pool(pool);
                invoke_all(&triggers, &files).await
            }
        }
    });
    match all_succeeded {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("usernames invoke: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs every file in order on one store; whether all succeeded.
async fn invoke_all<R: Registry>(
    triggers: &Triggers<R>,
    files: &[String],
) -> std::io::Result<bool> {
    let mut all_succeeded = true;
    let mut stdin = StdinOnce::default();
    for file in files {
        let answer = match read_event(file, &mut stdin) {
            Ok(event) => telemetry::invoke(triggers, event).await,
            Err(e) => Err(e),
        };
        let line = match answer {
            Ok(response) => response.to_string(),
            Err(error) => {
                all_succeeded = false;
                serde_json::to_string(&error).unwrap_or_default()
            }
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
    }
    Ok(all_succeeded)
}

/// Standard input holds one event, so a second `-` has nothing left to read.
#[derive(Default)]
struct StdinOnce {
    read: bool,
}

fn read_event(file: &str, stdin: &mut StdinOnce) -> Result<Value, LambdaError> {
    let text = if file == "-" {
        if stdin.read {
            return Err(file_error(
                "stdin_already_read",
                "standard input holds one event and was read already",
            ));
        }
        stdin.read = true;
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            file_error(
                "file_unreadable",
                format!("cannot read standard input: {e}"),
            )
        })?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| file_error("file_unreadable", format!("cannot read {file}: {e}")))?
    };
    let name = if file == "-" { "standard input" } else { file };
    serde_json::from_str(&text).map_err(|e| {
        file_error(
            "invalid_json",
            format!(
                "{name} is not one JSON value (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

fn file_error(error_type: &str, message: impl Into<String>) -> LambdaError {
    LambdaError {
        error_type: error_type.to_string(),
        error_message: message.into(),
    }
}
