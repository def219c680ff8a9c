//! The scheduled reconcile function (the template's optional `ReconcileFunction`, started daily by
//! EventBridge Scheduler): its settings, read once at init, and one run per event, which stops
//! before the Lambda deadline and logs one line of counts (never a name, a `sub` or an email).

use super::cognito::CognitoDirectory;
use super::reconcile::{reconcile_until, ReconcileOptions, ReconcileSummary, TimeLeft};
use super::{check_case_rule, Backoff, Directory, OperationError, OPERATOR_TIMEOUTS};
use crate::api::settings::{user_pool_id_from_env, ENV_USER_POOL_ID};
use crate::config::{ConfigError, EnvSource, LifecycleSettings, Settings};
use crate::registry::listing::OwnerListing;
use crate::registry::sdk::{cognito_client, dynamodb_client, lambda_sdk_config};
use crate::registry::{Clock, DynamoRegistry, Registry};
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The time a run keeps for itself before the Lambda deadline: to log its line and answer
/// after a step was cut short.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(10);

/// What the function reads at init: the table, the pool, its case rule and the quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledSettings {
    pub table: String,
    pub user_pool_id: String,
    pub lifecycle: LifecycleSettings,
    /// `USERNAMES_CASE_SENSITIVE_USERNAMES`, checked against the pool at every run.
    pub case_sensitive_user_names: bool,
}

impl ScheduledSettings {
    /// Reads and validates the settings; the first bad or missing value is the error.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let settings = Settings::from_env(env)?;
        let table = settings.required_table()?.to_owned();
        let user_pool_id = user_pool_id_from_env(env)?.ok_or_else(|| {
            ConfigError::new(
                ENV_USER_POOL_ID,
                "is required: the user pool whose deleted users reconcile looks for",
            )
        })?;
        Ok(Self {
            table,
            user_pool_id,
            lifecycle: LifecycleSettings::from_env(env)?,
            case_sensitive_user_names: settings.case_sensitive_user_names,
        })
    }
}

/// What one run answers: the summary, and whether it was a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledRun {
    pub summary: ReconcileSummary,
    pub dry_run: bool,
}

/// The registry, the pool and how to reconcile them; built once at init.
pub struct ScheduledReconcile<R, D> {
    registry: R,
    directory: D,
    lifecycle: LifecycleSettings,
    case_sensitive_user_names: bool,
    backoff: Backoff,
}

impl ScheduledReconcile<DynamoRegistry, CognitoDirectory> {
    /// The function's clients from the environment (`AWS_REGION`, the execution role, and
    /// `AWS_ENDPOINT_URL…` for a local endpoint). A bad setting stops init, naming its variable.
    pub async fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let settings = ScheduledSettings::from_env(env)?;
        // Lambda's variables, as the other functions read them (registry::sdk::lambda_sdk_config).
        let config = lambda_sdk_config(env, &OPERATOR_TIMEOUTS)?;
        let directory = CognitoDirectory::new(cognito_client(&config, env), settings.user_pool_id);
        let registry = DynamoRegistry::new(dynamodb_client(&config, env), settings.table);
        Ok(Self::new(registry, directory, settings.lifecycle)
            .with_case_rule(settings.case_sensitive_user_names))
    }
}

impl<R: Registry + OwnerListing, D: Directory> ScheduledReconcile<R, D> {
    pub fn new(registry: R, directory: D, lifecycle: LifecycleSettings) -> Self {
        Self {
            registry,
            directory,
            lifecycle,
            case_sensitive_user_names: false,
            backoff: Backoff::default(),
        }
    }

    /// Whether the pool is taken to compare user names with case
    /// (`USERNAMES_CASE_SENSITIVE_USERNAMES`); every run checks it against the pool first.
    pub fn with_case_rule(mut self, case_sensitive_user_names: bool) -> Self {
        self.case_sensitive_user_names = case_sensitive_user_names;
        self
    }

    /// The registry the job works on.
    pub fn registry(&self) -> &R {
        &self.registry
    }

    /// How Cognito calls are repeated (tests wait for nothing).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// One run for the scheduler's `event`, until `deadline`, and its log line.
    pub async fn run(
        &self,
        event: &Value,
        clock: &dyn Clock,
        deadline: &impl TimeLeft,
    ) -> Result<ScheduledRun, OperationError> {
        let started = Instant::now();
        let dry_run = is_dry_run(event);
        let options = ReconcileOptions {
            lifecycle: self.lifecycle,
            dry_run,
            backoff: self.backoff,
            case_sensitive_user_names: self.case_sensitive_user_names,
            ..ReconcileOptions::default()
        };
        let checked = check_case_rule(
            &self.directory,
            &self.backoff,
            self.case_sensitive_user_names,
        )
        .await;
        let done = match checked {
            Ok(()) => {
                reconcile_until(
                    &self.registry,
                    &self.directory,
                    &options,
                    clock,
                    deadline,
                    |_| {},
                )
                .await
            }
            Err(e) => Err(e),
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match done {
            Ok(summary) => {
                log_summary(&summary, dry_run, duration_ms);
                Ok(ScheduledRun { summary, dry_run })
            }
            Err(e) => {
                tracing::warn!(
                    outcome = e.code(),
                    dry_run,
                    duration_ms,
                    "reconcile failed: {e}"
                );
                Err(e)
            }
        }
    }
}

/// The scheduler's input: `{"dry_run": true}` asks for a dry run; anything else (the template's
/// input, `{}`, a console test event) is a real run.
fn is_dry_run(event: &Value) -> bool {
    event.get("dry_run").and_then(Value::as_bool) == Some(true)
}

/// The run's line: counts only. A run cut short by its deadline is a warning, so that an alarm
/// on warnings sees a pool that outgrows one run.
fn log_summary(summary: &ReconcileSummary, dry_run: bool, duration_ms: u64) {
    let stopped = summary.stopped.map(|stage| match stage {
        super::reconcile::Stage::ListingRegistry => "listing_registry",
        super::reconcile::Stage::ListingPool => "listing_pool",
        super::reconcile::Stage::CheckingOwners => "checking_owners",
    });
    macro_rules! line {
        ($level:ident, $message:literal) => {
            tracing::$level!(
                dry_run,
                owners = summary.owners,
                legacy_owners = summary.legacy_owners,
                in_pool = summary.in_pool,
                quarantined = summary.quarantined,
                released = summary.released,
                already_gone = summary.already_gone,
                unchecked = summary.unchecked,
                complete = summary.complete,
                stopped,
                duration_ms,
                $message
            )
        };
    }
    if summary.complete {
        line!(info, "reconcile");
    } else {
        line!(
            warn,
            "reconcile stopped at its deadline; the next run goes on from what is left"
        );
    }
}

/// The instant to stop at: the invocation's deadline (`Context::deadline`, milliseconds since the
/// epoch) less [`ANSWER_MARGIN`], on the monotonic clock the run measures time with.
pub fn stop_before(deadline_ms: u64) -> tokio::time::Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let left =
        Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(ANSWER_MARGIN);
    tokio::time::Instant::now() + left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;
    use crate::operations::{MemoryDirectory, PoolUser};
    use crate::registry::{Commitment, ContactKey, Contacts, Holder, ManualClock, MemoryRegistry};
    use std::sync::{Arc, Mutex};

    #[test]
    fn settings_need_the_table_and_a_pool_and_take_the_quarantine() {
        let settings = ScheduledSettings::from_env(&env(&[
            ("USERNAMES_TABLE", "usernames"),
            (ENV_USER_POOL_ID, "eu-west-1_AbC123"),
            ("USERNAMES_QUARANTINE", "7d"),
        ]))
        .unwrap();
        assert_eq!(settings.table, "usernames");
        assert_eq!(settings.user_pool_id, "eu-west-1_AbC123");
        assert_eq!(
            settings.lifecycle.quarantine,
            Duration::from_secs(7 * 86_400)
        );
        for (missing_or_bad, pairs) in [
            (
                "USERNAMES_TABLE",
                vec![(ENV_USER_POOL_ID, "eu-west-1_AbC123")],
            ),
            (ENV_USER_POOL_ID, vec![("USERNAMES_TABLE", "usernames")]),
            (
                ENV_USER_POOL_ID,
                vec![("USERNAMES_TABLE", "usernames"), (ENV_USER_POOL_ID, "pool")],
            ),
            (
                "USERNAMES_QUARANTINE",
                vec![
                    ("USERNAMES_TABLE", "usernames"),
                    (ENV_USER_POOL_ID, "eu-west-1_AbC123"),
                    ("USERNAMES_QUARANTINE", "forever"),
                ],
            ),
        ] {
            assert_eq!(
                ScheduledSettings::from_env(&env(&pairs)).unwrap_err().var,
                missing_or_bad
            );
        }
    }

    #[test]
    fn only_an_explicit_dry_run_is_one() {
        assert!(is_dry_run(&serde_json::json!({"dry_run": true})));
        for real in [
            serde_json::json!({"dry_run": false}),
            serde_json::json!({}),
            serde_json::json!({"dry_run": "yes"}),
            serde_json::json!(null),
            serde_json::json!("scheduled"),
        ] {
            assert!(!is_dry_run(&real), "{real}");
        }
    }

    #[tokio::test]
    async fn the_deadline_keeps_the_margin_to_answer() {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let left = stop_before(now_ms + 60_000).time_left();
        assert!(
            left <= Duration::from_secs(50) && left > Duration::from_secs(45),
            "{left:?}"
        );
        assert_eq!(stop_before(now_ms + 5_000).time_left(), Duration::ZERO);
        assert_eq!(stop_before(0).time_left(), Duration::ZERO);
    }

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

    /// The run logs one JSON line of counts, and none of the names, `sub`s or `userName`s it
    /// handled.
    #[tokio::test]
    async fn a_run_logs_one_line_of_counts_and_nothing_about_a_user() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let registry = MemoryRegistry::new();
        let pool = MemoryDirectory::new(10);
        for (user_name, name, stays) in [
            ("Secret.Keeper", "Stays_Name", true),
            ("Gone.Person", "Gone_Name", false),
        ] {
            let sub = format!("sub-of-{user_name}");
            let username = crate::policy::Policy::default().evaluate(name).unwrap();
            registry
                .commit(
                    &Commitment {
                        username,
                        holder: Holder::new(user_name, false, &ContactKey::development()),
                        sub: sub.clone(),
                        verified: Contacts::none(),
                    },
                    1,
                )
                .await
                .unwrap();
            if stays {
                pool.add(PoolUser {
                    user_name: user_name.to_owned(),
                    sub,
                    created_ms: 1,
                    status: "CONFIRMED".to_owned(),
                    preferred_username: Some(name.to_owned()),
                    federated: false,
                });
            }
        }
        let job = ScheduledReconcile::new(registry, pool, LifecycleSettings::default());
        let run = job
            .run(
                &serde_json::json!({}),
                // Past the grace period after those commits.
                &ManualClock::new(1 + 2 * 60 * 60),
                &crate::operations::reconcile::NoDeadline,
            )
            .await
            .unwrap();
        assert_eq!((run.summary.quarantined, run.summary.in_pool), (1, 1));

        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert_eq!(lines[0]["message"], "reconcile");
        assert_eq!(lines[0]["quarantined"], 1);
        assert_eq!(lines[0]["in_pool"], 1);
        assert_eq!(lines[0]["complete"], true);
        for secret in [
            "Secret",
            "Keeper",
            "Gone",
            "sub-of",
            "Stays_Name",
            "Gone_Name",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
