//! Test-only view of the policy for the reference suites (tests/reference): like
//! `usernames check`, one JSON string per stdin line in, one JSON object per line out, but with
//! the uniqueness key of accepted names and the suggested form of `not_display_form`, which the
//! CLI's stable output (docs/cli.md) does not carry. Settings come from the environment.

use serde::Serialize;
use shared::config::ProcessEnv;
use shared::policy::{NameKey, Policy, PolicyViolation};
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(Serialize)]
struct Verdict<'a> {
    input: &'a str,
    ok: bool,
    /// The accepted display form, or the form `not_display_form` asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    /// The uniqueness key of the input as it is, whatever the verdict: the differential suite
    /// (tests/reference/test_homoglyphs.py) compares the keys of look-alike characters alone.
    derived: &'a str,
}

fn main() -> ExitCode {
    let policy = match Policy::from_env(&ProcessEnv) {
        Ok(policy) => policy,
        Err(err) => {
            eprintln!("policy-probe: {err}");
            return ExitCode::from(2);
        }
    };
    match probe(&policy) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("policy-probe: {err}");
            ExitCode::from(2)
        }
    }
}

fn probe(policy: &Policy) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let name: String = serde_json::from_str(&line).map_err(std::io::Error::other)?;
        let verdict = policy.evaluate(&name);
        let derived = NameKey::derive(&name);
        let derived = derived.as_str();
        let json = match &verdict {
            Ok(username) => serde_json::to_string(&Verdict {
                input: &name,
                ok: true,
                display: Some(username.display()),
                key: Some(username.key().as_str()),
                code: None,
                derived,
            }),
            Err(violation) => serde_json::to_string(&Verdict {
                input: &name,
                ok: false,
                display: match violation {
                    PolicyViolation::NotDisplayForm { display } => Some(display.as_str()),
                    _ => None,
                },
                key: None,
                code: Some(violation.code()),
                derived,
            }),
        }
        .map_err(std::io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()
}
