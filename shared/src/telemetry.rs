//! Structured JSON logs (tracing) for the functions and the CLI, and the one line logged per
//! invocation: trigger source, outcome code and duration. Never an email, a phone number or any
//! other attribute value: handlers log codes only.

use crate::registry::Registry;
use crate::triggers::{dispatch, Dispatched, LambdaError, TriggerError, Triggers};
use serde_json::Value;
use std::time::{Duration, Instant};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// A tracing filter (`info`, `warn`, `shared=debug`...). Falls back to `RUST_LOG`, then Lambda's
/// `AWS_LAMBDA_LOG_LEVEL`, then the default of the binary.
pub const ENV_LOG: &str = "USERNAMES_LOG";

/// JSON lines on stdout at `info`: what CloudWatch collects from a Lambda function.
pub fn init_lambda() {
    init(std::io::stdout, "info");
}

/// JSON lines on stderr at `warn`, so that the CLI's stdout carries only its own output.
pub fn init_cli() {
    // EC2's metadata service, which the SDK asks for a region when none is configured, only
    // fails on a developer's machine: its warnings (SDK text) would greet every local command.
    init(std::io::stderr, "warn,aws_config::imds=error");
}

fn init<W>(writer: W, default_filter: &str)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // A second init (tests, a CLI that initialised already) keeps the first subscriber.
    let _ = json_subscriber(writer, filter_from_env(default_filter)).try_init();
}

/// The subscriber: one flat JSON object per event, no ANSI. The current span is kept: in Lambda it
/// is the runtime's invoke span, whose `requestId` ties a line to its invocation.
fn json_subscriber<W>(
    writer: W,
    filter: Targets,
) -> tracing_subscriber::layer::Layered<
    Targets,
    tracing_subscriber::fmt::Subscriber<
        tracing_subscriber::fmt::format::JsonFields,
        tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json>,
        LevelFilter,
        W,
    >,
>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_max_level(LevelFilter::TRACE)
        .with_writer(writer)
        .finish()
        .with(filter)
}

/// `lambda_runtime` logs every handler error's `Debug` at ERROR from this module. For a policy
/// violation that can quote the user's name ("Write it as …"), and a taken name is no error of
/// the system; the invocation line already carries the outcome code. Its other job, logging
/// caught panics, never happens: release builds abort on panic.
const RUNTIME_ERROR_ECHO: &str = "lambda_runtime::layers::panic";

/// Levels per target (`warn`, `info,shared=debug`), the `RUST_LOG` syntax without span and field
/// filters: `Targets` needs no regex engine, which `EnvFilter` would add to every function. An
/// unreadable value falls back to the default rather than failing init.
fn filter_from_env(default_filter: &str) -> Targets {
    let filter = [ENV_LOG, "RUST_LOG", "AWS_LAMBDA_LOG_LEVEL"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|value| value.trim().to_ascii_lowercase())
        .find(|value| !value.is_empty())
        .and_then(|value| value.parse::<Targets>().ok())
        .or_else(|| default_filter.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    filter.with_target(RUNTIME_ERROR_ECHO, LevelFilter::OFF)
}

/// Handles one event through [`dispatch`] and logs its line: what the Lambda functions and
/// `usernames serve` call for each invocation.
pub async fn invoke<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, LambdaError> {
    let started = Instant::now();
    let dispatched = dispatch(triggers, event).await;
    log_invocation(&dispatched, started.elapsed());
    dispatched.lambda_result()
}

/// The invocation line. Failures of the system (registry, unreadable events) are warnings;
/// a user's rejected name is an ordinary outcome.
pub fn log_invocation(dispatched: &Dispatched, elapsed: Duration) {
    let trigger_source = dispatched.trigger_source.as_deref().unwrap_or("unknown");
    let outcome = dispatched.outcome;
    let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    match &dispatched.result {
        Err(TriggerError::Registry(_) | TriggerError::Event(_) | TriggerError::TokenEvent(_)) => {
            tracing::warn!(
                trigger_source,
                outcome,
                duration_ms,
                ok = false,
                "invocation"
            )
        }
        Err(_) => tracing::info!(
            trigger_source,
            outcome,
            duration_ms,
            ok = false,
            "invocation"
        ),
        Ok(_) => tracing::info!(
            trigger_source,
            outcome,
            duration_ms,
            ok = true,
            "invocation"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::registry::MemoryRegistry;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut bytes) = self.0.lock() {
                bytes.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(captured: &Captured) -> Vec<Value> {
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn the_filter_takes_rust_log_syntax_and_always_silences_the_runtimes_error_echo() {
        use tracing::Level;
        // No variable set in this test's process: the binary's default.
        let filter = filter_from_env("warn");
        assert!(filter.would_enable("shared::triggers", &Level::WARN));
        assert!(!filter.would_enable("shared::triggers", &Level::INFO));
        assert!(!filter.would_enable(RUNTIME_ERROR_ECHO, &Level::ERROR));
        let filter = "info,shared=debug"
            .parse::<Targets>()
            .unwrap()
            .with_target(RUNTIME_ERROR_ECHO, LevelFilter::OFF);
        assert!(filter.would_enable("shared::registry", &Level::DEBUG));
        assert!(!filter.would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(filter.would_enable("lambda_runtime::layers::api_client", &Level::INFO));
        assert!(!filter.would_enable("lambda_runtime::layers::panic", &Level::ERROR));
    }

    #[tokio::test]
    async fn one_json_line_per_invocation_without_attribute_values() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = json_subscriber(move || writer.clone(), "info".parse().unwrap());
        let _guard = tracing::subscriber::set_default(subscriber);
        let triggers = Triggers::new(MemoryRegistry::new(), Settings::default());
        let event = json!({
            "version": "1", "triggerSource": "PreSignUp_SignUp", "userName": "u-1",
            "userPoolId": "eu-west-1_x", "region": "eu-west-1",
            "request": {"userAttributes": {
                "email": "secret.person@example.com", "phone_number": "+15550100",
                "preferred_username": "Melody"
            }},
            "response": {}
        });
        invoke(&triggers, event.clone()).await.unwrap();
        let mut taken = event;
        taken["userName"] = json!("u-2");
        taken["request"]["userAttributes"]["email"] = json!("other.person@example.com");
        // Another person: the same phone would be the same person retrying.
        taken["request"]["userAttributes"]["phone_number"] = json!("+15550199");
        assert_eq!(
            invoke(&triggers, taken).await.unwrap_err().error_type,
            "name_taken"
        );
        invoke(&triggers, json!({"hello": "world"}))
            .await
            .unwrap_err();

        let logged = lines(&captured);
        assert_eq!(logged.len(), 3, "{logged:?}");
        let summary: Vec<_> = logged
            .iter()
            .map(|l| {
                (
                    l["trigger_source"].clone(),
                    l["outcome"].clone(),
                    l["ok"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    json!("PreSignUp_SignUp"),
                    json!("name_reserved"),
                    json!(true)
                ),
                (json!("PreSignUp_SignUp"), json!("name_taken"), json!(false)),
                (
                    json!("unknown"),
                    json!("missing_trigger_source"),
                    json!(false)
                ),
            ]
        );
        assert!(logged.iter().all(|l| l["duration_ms"].is_u64()));
        let text = captured.0.lock().unwrap().clone();
        let text = String::from_utf8(text).unwrap();
        for secret in [
            "secret.person",
            "other.person",
            "+1555",
            "5550199",
            "Melody",
            "u-1",
            "u-2",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
