//! Defect 7 of the ownership issue: a reservation that lands after the sign-up's time budget.
//! The trigger has already told Cognito "try again", so Cognito never creates that `userName`,
//! and the pending entry is an orphan. The same person's retry (a new generated `userName`, the
//! same phone number and no email, as in a phone sign-in pool) must not be locked out by it.
//! On DynamoDB a proxy delays the real write past the budget and forwards it anyway; on the
//! memory store a wrapper does the same.

use integration_tests::events::{token_name, User};
use integration_tests::faults::DelayingProxy;
use integration_tests::moto::{fresh_table, moto_client, moto_endpoint};
use shared::config::Settings;
use shared::policy::{NameKey, Username};
use shared::registry::dynamodb::{local_config, Timeouts};
use shared::registry::{
    BlockOutcome, BlockRequest, Claim, CommitOutcome, Commitment, DynamoRegistry, Holder,
    MemoryRegistry, Registry, RegistryError, Rename, RenameOutcome, RenameUndo, Reservation,
    ReserveOutcome, Timestamp, UndoOutcome, UserRecord,
};
use shared::triggers::pool::MemoryPool;
use shared::triggers::{dispatch, Triggers};
use std::sync::Arc;
use std::time::Duration;

/// The sign-up's budget in these tests, and how late the write lands.
const BUDGET: Duration = Duration::from_millis(300);
const DELAY: Duration = Duration::from_millis(900);

/// A memory store whose reservations land `DELAY` late, whatever the caller does meanwhile.
struct Late(Arc<MemoryRegistry>);

impl Registry for Late {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let (store, r) = (Arc::clone(&self.0), r.clone());
        let landing = tokio::spawn(async move {
            tokio::time::sleep(DELAY).await;
            store.reserve(&r, now).await
        });
        landing
            .await
            .unwrap_or_else(|_| Err(RegistryError::Timeout))
    }
    async fn commit(&self, c: &Commitment, now: Timestamp) -> Result<CommitOutcome, RegistryError> {
        self.0.commit(c, now).await
    }
    async fn user(&self, sub: &str) -> Result<Option<UserRecord>, RegistryError> {
        self.0.user(sub).await
    }
    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        self.0.get(key).await
    }
    async fn contains_rules(
        &self,
    ) -> Result<Vec<shared::registry::word_rules::ContainsRule>, RegistryError> {
        self.0.contains_rules().await
    }
    async fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> Result<(RenameOutcome, Option<RenameUndo>), RegistryError> {
        self.0.rename_with_undo(r, now).await
    }
    async fn undo_rename(&self, undo: &RenameUndo) -> Result<UndoOutcome, RegistryError> {
        self.0.undo_rename(undo).await
    }
    async fn give_up(
        &self,
        sub: &str,
        until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        self.0.give_up(sub, until, renamed_at).await
    }
    async fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        self.0.retire_first_version(key, user_name, until).await
    }
    async fn first_version_names(&self, holder: &Holder) -> Result<Vec<Claim>, RegistryError> {
        self.0.first_version_names(holder).await
    }
    async fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> Result<BlockOutcome, RegistryError> {
        self.0.block(name, request, now).await
    }
    async fn unblock(&self, key: &NameKey) -> Result<bool, RegistryError> {
        self.0.unblock(key).await
    }
}

/// The pool of these sequences: Cognito never created `generated-1`, whose sign-up failed.
fn nobody() -> Arc<MemoryPool> {
    Arc::new(MemoryPool::new())
}

fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.sign_up.registry_budget = BUDGET;
    settings
}

/// The sequence on any pair of handlers over one store: `late` sends the first sign-up, whose
/// write lands after the budget; `on_time` the rest. `landed` waits for the late write.
async fn the_person_retries<L: Registry, R: Registry>(
    late: Triggers<L>,
    on_time: Triggers<R>,
    landed: impl std::future::Future<Output = bool>,
) {
    let phone = "+15550100";
    let first = User::new("generated-1", "never-created").phone(phone);
    let denied = dispatch(&late, first.sign_up("SignUp", Some("Alice"))).await;
    assert_eq!(denied.outcome, "registry_timeout");
    let message = denied.lambda_result().expect_err("denied").error_message;
    assert_eq!(
        message,
        "We couldn't reach the username registry in time. Please try again. [registry_timeout]"
    );
    assert!(landed.await, "the late write never landed");
    let key = on_time.settings.policy.evaluate("Alice").unwrap();
    let orphan = on_time.registry.get(key.key()).await.unwrap().unwrap();
    assert_eq!(
        integration_tests::contract::pending_of(&orphan)
            .3
            .as_deref(),
        Some("generated-1"),
        "the write landed for a userName Cognito never created: {orphan:?}"
    );

    // A stranger is still kept off; the person, retrying with the same phone, is not: the pool
    // says the orphan's holder does not exist.
    let stranger = User::new("generated-9", "sub-stranger").phone("+15550199");
    let refused = dispatch(&on_time, stranger.sign_up("SignUp", Some("Alice"))).await;
    assert_eq!(refused.outcome, "name_taken");
    let retry = User::new("generated-2", "sub-person").phone(phone);
    let admitted = dispatch(&on_time, retry.sign_up("SignUp", Some("Alice"))).await;
    assert_eq!(admitted.outcome, "name_held_for_retry");
    assert!(admitted.result.is_ok());
    // Confirmed with a code sent to that phone: the verified number proves it is the same person.
    let confirmed = dispatch(&on_time, retry.confirm(Some("Alice"), false, true)).await;
    assert_eq!(confirmed.outcome, "name_committed");
    let signed_in = dispatch(&on_time, retry.sign_in("Authentication", Some("Alice"))).await;
    assert_eq!(signed_in.outcome, "name_owned");
    assert_eq!(
        token_name(&signed_in.result.unwrap()).as_deref(),
        Some("Alice")
    );
}

#[tokio::test]
async fn a_reservation_landing_after_the_budget_does_not_lock_the_person_out_memory() {
    let store = Arc::new(MemoryRegistry::new());
    let late = Triggers::new(Late(Arc::clone(&store)), settings());
    let on_time = Triggers::new(Arc::clone(&store), settings()).with_pool(nobody());
    let watched = Arc::clone(&store);
    let landed = async move {
        for _ in 0..100 {
            if !watched.claims().is_empty() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    };
    the_person_retries(late, on_time, landed).await;
}

#[tokio::test]
async fn a_reservation_landing_after_the_budget_does_not_lock_the_person_out_dynamodb() {
    let table = fresh_table(&moto_client()).await;
    let proxy = DelayingProxy::start(moto_endpoint(), DELAY);
    // One attempt with room to wait: only the trigger's own budget gives up on the write.
    let patient = Timeouts {
        connect: Duration::from_secs(5),
        attempt: Duration::from_secs(10),
        operation: Duration::from_secs(10),
        max_attempts: 1,
    };
    let via_proxy =
        aws_sdk_dynamodb::Client::from_conf(local_config(&proxy.endpoint, &patient).build());
    let late = Triggers::new(DynamoRegistry::new(via_proxy, table.clone()), settings());
    let on_time =
        Triggers::new(DynamoRegistry::new(moto_client(), table), settings()).with_pool(nobody());
    // The late handler has read the word rules already (it does once a minute), so the delayed
    // request is the reservation itself.
    late.rules
        .rules(&on_time.registry, late.clock.now())
        .await
        .expect("rules");
    let waiting = proxy.clone();
    let landed = async move {
        tokio::task::spawn_blocking(move || waiting.wait_for(1, Duration::from_secs(10)))
            .await
            .unwrap_or(false)
    };
    the_person_retries(late, on_time, landed).await;
}
