//! `usernames check`: the policy alone, as JSON lines (docs/cli.md). Names come from the
//! arguments, or one JSON string per line on stdin; each gets one JSON object on stdout.

use serde::Serialize;
use shared::config::{default_locale_from_env, ProcessEnv};
use shared::policy::Policy;
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(Serialize)]
#[serde(untagged)]
enum Verdict<'a> {
    Accepted {
        input: &'a str,
        ok: bool,
        display: &'a str,
    },
    Rejected {
        input: &'a str,
        ok: bool,
        code: &'static str,
        message: String,
        /// The display form, for `not_display_form`.
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<&'a str>,
    },
}

/// Exit codes: 0 all accepted, 1 any rejected, 2 bad usage (bad config, unreadable input).
pub fn run(names: Vec<String>) -> ExitCode {
    let read = Policy::from_env(&ProcessEnv)
        .and_then(|policy| Ok((policy, default_locale_from_env(&ProcessEnv)?)));
    // Sentences in USERNAMES_DEFAULT_LOCALE (English unless set).
    let (policy, locale) = match read {
        Ok(read) => read,
        Err(err) => {
            eprintln!("usernames check: {err}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut any_rejected = false;
    let mut check = |name: &str, out: &mut dyn Write| -> std::io::Result<()> {
        let verdict = policy.evaluate(name);
        let line = match &verdict {
            Ok(username) => serde_json::to_string(&Verdict::Accepted {
                input: name,
                ok: true,
                display: username.display(),
            }),
            Err(violation) => {
                any_rejected = true;
                serde_json::to_string(&Verdict::Rejected {
                    input: name,
                    ok: false,
                    code: violation.code(),
                    message: violation.sentence(locale),
                    suggestion: violation.suggestion(),
                })
            }
        }
        .map_err(std::io::Error::other)?;
        writeln!(out, "{line}")
    };

    let result = if names.is_empty() {
        check_stdin(&mut check, &mut out)
    } else {
        names
            .iter()
            .try_for_each(|name| check(name, &mut out))
            .map_err(Failure::Output)
    };
    match result.and_then(|()| out.flush().map_err(Failure::Output)) {
        Ok(()) if any_rejected => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("usernames check: {message}");
            ExitCode::from(2)
        }
        // A closed stdout (say `| head`) is the reader's choice, not an error worth a message.
        Err(Failure::Output(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(2)
        }
        Err(Failure::Output(err)) => {
            eprintln!("usernames check: cannot write the result: {err}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Input(String),
    Output(std::io::Error),
}

/// Reads one JSON string per line; blank lines are skipped, anything else stops with an error.
fn check_stdin(
    check: &mut impl FnMut(&str, &mut dyn Write) -> std::io::Result<()>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    for (index, line) in stdin.lock().lines().enumerate() {
        let number = index + 1;
        let line = line
            .map_err(|err| Failure::Input(format!("cannot read line {number} of stdin: {err}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let name: String = serde_json::from_str(&line).map_err(|_| {
            Failure::Input(format!(
                "line {number} of stdin is not a JSON string (write each name quoted, like \"alice\")"
            ))
        })?;
        check(&name, out).map_err(Failure::Output)?;
    }
    Ok(())
}
