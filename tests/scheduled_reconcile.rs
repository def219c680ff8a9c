//! The scheduled reconcile function's logic (`shared::operations::scheduled`) on both stores: the
//! memory store with an in-memory pool, and DynamoDB with moto's `cognito-idp` on the same moto
//! server. One scenario: users deleted from the pool (one of them a first-version owner), a dry
//! run, a run cut short by its deadline, and the next day's run that finishes the job.

use integration_tests::cognito::{add_user, cognito, delete_user, new_pool, Cognito};
use integration_tests::contract::{entry, first_version, name, Seed, QUARANTINE, T0};
use integration_tests::moto::moto_registry;
use serde_json::json;
use shared::config::LifecycleSettings;
use shared::operations::cognito::CognitoDirectory;
use shared::operations::reconcile::{NoDeadline, Stage};
use shared::operations::scheduled::ScheduledReconcile;
use shared::operations::{Backoff, Directory, MemoryDirectory, PoolUser};
use shared::policy::Policy;
use shared::registry::listing::OwnerListing;
use shared::registry::{
    ClaimState, Commitment, Contacts, ManualClock, MemoryRegistry, Owner, Registry,
};
use std::future::Future;
use std::time::Duration;

const NO_WAIT: Backoff = Backoff {
    attempts: 4,
    first: Duration::ZERO,
    max: Duration::ZERO,
};

/// A user pool a test adds users to and deletes them from.
trait TestPool {
    type Directory: Directory;
    /// Creates `user_name`; its `sub`.
    fn add(&mut self, user_name: &str) -> impl Future<Output = String>;
    fn delete(&mut self, user_name: &str) -> impl Future<Output = ()>;
    fn directory(&self) -> Self::Directory;
}

struct InMemory {
    users: std::sync::Arc<MemoryDirectory>,
    next: usize,
}

/// The in-memory pool, shared with the job it is handed to.
struct SharedMemory(std::sync::Arc<MemoryDirectory>);

impl Directory for SharedMemory {
    async fn users_page(
        &self,
        token: Option<&str>,
    ) -> Result<shared::operations::UsersPage, shared::operations::DirectoryError> {
        self.0.users_page(token).await
    }
    async fn user_by_sub(
        &self,
        sub: &str,
    ) -> Result<Option<PoolUser>, shared::operations::DirectoryError> {
        self.0.user_by_sub(sub).await
    }
    async fn user_by_name(
        &self,
        user_name: &str,
    ) -> Result<Option<PoolUser>, shared::operations::DirectoryError> {
        self.0.user_by_name(user_name).await
    }
    async fn set_preferred_username(
        &self,
        user: &str,
        value: &str,
    ) -> Result<(), shared::operations::DirectoryError> {
        self.0.set_preferred_username(user, value).await
    }
    async fn clear_preferred_username(
        &self,
        user: &str,
    ) -> Result<(), shared::operations::DirectoryError> {
        self.0.clear_preferred_username(user).await
    }
    async fn user_exists(&self, sub: &str) -> Result<bool, shared::operations::DirectoryError> {
        self.0.user_exists(sub).await
    }
    async fn case_sensitive(&self) -> Result<bool, shared::operations::DirectoryError> {
        self.0.case_sensitive().await
    }
}

impl TestPool for InMemory {
    type Directory = SharedMemory;

    async fn add(&mut self, user_name: &str) -> String {
        self.next += 1;
        // A UUID-shaped `sub`, as Cognito gives.
        let sub = format!("0000{:04x}-0000-4000-8000-000000000000", self.next);
        self.users.add(PoolUser {
            user_name: user_name.to_owned(),
            sub: sub.clone(),
            created_ms: self.next as i64,
            status: "CONFIRMED".to_owned(),
            preferred_username: None,
            federated: false,
        });
        sub
    }

    async fn delete(&mut self, user_name: &str) {
        let sub = self
            .users
            .user_by_name(user_name)
            .await
            .unwrap()
            .map(|u| u.sub)
            .unwrap();
        self.users.delete(&sub);
    }

    fn directory(&self) -> SharedMemory {
        SharedMemory(self.users.clone())
    }
}

struct MotoCognito {
    cognito: Cognito,
    pool: String,
}

impl TestPool for MotoCognito {
    type Directory = CognitoDirectory;

    async fn add(&mut self, user_name: &str) -> String {
        add_user(&self.cognito, &self.pool, user_name, None).await
    }

    async fn delete(&mut self, user_name: &str) {
        delete_user(&self.cognito, &self.pool, user_name).await;
    }

    fn directory(&self) -> CognitoDirectory {
        CognitoDirectory::new(self.cognito.clone(), self.pool.clone())
    }
}

fn lifecycle() -> LifecycleSettings {
    LifecycleSettings {
        quarantine: Duration::from_secs(QUARANTINE as u64),
        ..LifecycleSettings::default()
    }
}

/// `user_name` owns `raw` since two hours before the runs: past reconcile's grace period.
async fn commit<R: Registry>(registry: &R, raw: &str, user_name: &str, sub: &str) {
    let c = Commitment {
        username: Policy::default().evaluate(raw).unwrap(),
        holder: integration_tests::contract::holder(user_name),
        sub: sub.to_owned(),
        verified: Contacts::none(),
    };
    registry.commit(&c, T0 - 2 * 60 * 60).await.unwrap();
}

async fn state_of<R: Registry>(registry: &R, raw: &str) -> Option<ClaimState> {
    registry
        .get(name(raw).key())
        .await
        .unwrap()
        .map(|c| c.state)
}

async fn a_scheduled_run_retires_deleted_users_names_within_its_deadline<
    R: Registry + OwnerListing + Seed,
    P: TestPool,
>(
    registry: R,
    mut pool: P,
) {
    let mut subs = Vec::new();
    for (raw, user_name) in [
        ("Stays", "stays"),
        ("Leaves", "leaves"),
        ("Departs", "departs"),
    ] {
        let sub = pool.add(user_name).await;
        commit(&registry, raw, user_name, &sub).await;
        subs.push(sub);
    }
    // A first-version owner, still in the pool under another case, and one who left.
    pool.add("vintage.keeper").await;
    registry
        .seed(&entry("Vintage", first_version("Vintage.Keeper")))
        .await;
    registry
        .seed(&entry("Antique", first_version("antique.owner")))
        .await;
    pool.delete("leaves").await;
    pool.delete("departs").await;
    let job =
        ScheduledReconcile::new(registry, pool.directory(), lifecycle()).with_backoff(NO_WAIT);
    let registry = job.registry();

    let dry = job
        .run(
            &json!({"dry_run": true}),
            &ManualClock::new(T0 + 10),
            &NoDeadline,
        )
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        (
            dry.summary.owners,
            dry.summary.legacy_owners,
            dry.summary.quarantined
        ),
        (5, 2, 3)
    );
    assert!(
        matches!(
            state_of(registry, "leaves").await,
            Some(ClaimState::Active { .. })
        ),
        "a dry run writes nothing"
    );

    // A deadline already passed: the run stops at once and says so.
    let passed = tokio::time::Instant::now();
    let stopped = job
        .run(&json!({}), &ManualClock::new(T0 + 10), &passed)
        .await
        .unwrap();
    assert_eq!(
        (
            stopped.summary.complete,
            stopped.summary.stopped,
            stopped.summary.quarantined
        ),
        (false, Some(Stage::ListingRegistry), 0)
    );

    let until = T0 + 20 + QUARANTINE;
    let run = job
        .run(
            &json!({"source": "schedule"}),
            &ManualClock::new(T0 + 20),
            &NoDeadline,
        )
        .await
        .unwrap();
    assert!(!run.dry_run);
    let summary = &run.summary;
    assert!(summary.complete && summary.stopped.is_none());
    assert_eq!(
        (
            summary.owners,
            summary.in_pool,
            summary.quarantined,
            summary.unchecked
        ),
        (5, 2, 3, 0)
    );
    for (raw, previous_owner) in [
        ("leaves", subs[1].clone()),
        ("departs", subs[2].clone()),
        ("antique", "antique.owner".to_owned()),
    ] {
        assert_eq!(
            state_of(registry, raw).await,
            Some(ClaimState::Quarantined {
                previous_owner,
                until
            }),
            "{raw}"
        );
    }
    assert_eq!(
        state_of(registry, "stays").await,
        Some(ClaimState::Active {
            owner: Owner::Sub(subs[0].clone())
        })
    );
    assert_eq!(
        state_of(registry, "vintage").await,
        Some(first_version("Vintage.Keeper"))
    );
    // The answer Lambda returns is the summary as JSON.
    let answer = serde_json::to_value(&run).unwrap();
    assert_eq!(answer["summary"]["quarantined"], 3);
    assert_eq!(answer["summary"]["stopped"], serde_json::Value::Null);
    assert_eq!(answer["dry_run"], false);

    let next = job
        .run(&json!({}), &ManualClock::new(T0 + 30), &NoDeadline)
        .await
        .unwrap();
    assert_eq!(
        (next.summary.owners, next.summary.quarantined),
        (2, 0),
        "nothing left"
    );
}

#[tokio::test]
async fn on_the_memory_store() {
    a_scheduled_run_retires_deleted_users_names_within_its_deadline(
        MemoryRegistry::new(),
        InMemory {
            users: std::sync::Arc::new(MemoryDirectory::new(2)),
            next: 0,
        },
    )
    .await;
}

#[tokio::test]
async fn on_dynamodb_and_cognito_in_moto() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    a_scheduled_run_retires_deleted_users_names_within_its_deadline(
        moto_registry().await,
        MotoCognito { cognito, pool },
    )
    .await;
}
