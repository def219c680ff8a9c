//! Registries for handler tests: one that is down or never answers, and one that counts the
//! calls a handler makes around a real store (the request budget of each path).

use shared::policy::{NameKey, Username};
use shared::registry::word_rules::ContainsRule;
use shared::registry::{
    BlockOutcome, BlockRequest, Claim, CommitOutcome, Commitment, Holder, Registry, RegistryError,
    Rename, RenameOutcome, RenameUndo, Reservation, ReserveOutcome, Timestamp, UndoOutcome,
    UserRecord,
};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A registry that is down: every call fails at once, or (`hangs`) never answers.
pub struct Broken {
    pub hangs: bool,
}

impl Broken {
    pub const DOWN: Broken = Broken { hangs: false };
    pub const HANGING: Broken = Broken { hangs: true };

    async fn fail<T>(&self) -> Result<T, RegistryError> {
        if self.hangs {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Err(RegistryError::Unavailable("connection refused".into()))
    }
}

impl Registry for Broken {
    async fn reserve(
        &self,
        _: &Reservation,
        _: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        self.fail().await
    }
    async fn commit(&self, _: &Commitment, _: Timestamp) -> Result<CommitOutcome, RegistryError> {
        self.fail().await
    }
    async fn user(&self, _: &str) -> Result<Option<UserRecord>, RegistryError> {
        self.fail().await
    }
    async fn rename_with_undo(
        &self,
        _: &Rename,
        _: Timestamp,
    ) -> Result<(RenameOutcome, Option<RenameUndo>), RegistryError> {
        self.fail().await
    }
    async fn undo_rename(&self, _: &RenameUndo) -> Result<UndoOutcome, RegistryError> {
        self.fail().await
    }
    async fn give_up(
        &self,
        _: &str,
        _: Option<Timestamp>,
        _: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        self.fail().await
    }
    async fn retire_first_version(
        &self,
        _: &NameKey,
        _: &str,
        _: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        self.fail().await
    }
    async fn first_version_names(&self, _: &Holder) -> Result<Vec<Claim>, RegistryError> {
        self.fail().await
    }
    async fn block(
        &self,
        _: &Username,
        _: BlockRequest<'_>,
        _: Timestamp,
    ) -> Result<BlockOutcome, RegistryError> {
        self.fail().await
    }
    async fn unblock(&self, _: &NameKey) -> Result<bool, RegistryError> {
        self.fail().await
    }
    async fn get(&self, _: &NameKey) -> Result<Option<Claim>, RegistryError> {
        self.fail().await
    }
    async fn contains_rules(&self) -> Result<Vec<ContainsRule>, RegistryError> {
        self.fail().await
    }
}

/// The calls a handler made, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Calls {
    /// `get`, `user` and `first_version_names`.
    pub reads: usize,
    pub reserves: usize,
    pub commits: usize,
    /// `contains_rules`: the operator's rules (cached by the handlers for a minute).
    pub rule_reads: usize,
    /// `rename`, `undo_rename`, `release` (and `retire`), `retire_first_version`, `block` and
    /// `unblock`.
    pub others: usize,
}

/// A store that counts the calls made to it.
#[derive(Default)]
pub struct Counted<R> {
    pub store: R,
    reads: AtomicUsize,
    reserves: AtomicUsize,
    commits: AtomicUsize,
    rule_reads: AtomicUsize,
    others: AtomicUsize,
}

impl<R> Counted<R> {
    pub fn new(store: R) -> Self {
        Self {
            store,
            reads: AtomicUsize::new(0),
            reserves: AtomicUsize::new(0),
            commits: AtomicUsize::new(0),
            rule_reads: AtomicUsize::new(0),
            others: AtomicUsize::new(0),
        }
    }

    /// The calls so far.
    pub fn calls(&self) -> Calls {
        Calls {
            reads: self.reads.load(Ordering::SeqCst),
            reserves: self.reserves.load(Ordering::SeqCst),
            commits: self.commits.load(Ordering::SeqCst),
            rule_reads: self.rule_reads.load(Ordering::SeqCst),
            others: self.others.load(Ordering::SeqCst),
        }
    }
}

impl<R: Registry> Registry for Counted<R> {
    fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> impl Future<Output = Result<ReserveOutcome, RegistryError>> + Send {
        self.reserves.fetch_add(1, Ordering::SeqCst);
        self.store.reserve(r, now)
    }
    fn commit(
        &self,
        c: &Commitment,
        now: Timestamp,
    ) -> impl Future<Output = Result<CommitOutcome, RegistryError>> + Send {
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.store.commit(c, now)
    }
    fn user(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, RegistryError>> + Send {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.store.user(sub)
    }
    fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> impl Future<Output = Result<(RenameOutcome, Option<RenameUndo>), RegistryError>> + Send
    {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store.rename_with_undo(r, now)
    }
    fn undo_rename(
        &self,
        undo: &RenameUndo,
    ) -> impl Future<Output = Result<UndoOutcome, RegistryError>> + Send {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store.undo_rename(undo)
    }
    fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store.give_up(sub, quarantine_until, renamed_at)
    }
    fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store
            .retire_first_version(key, user_name, quarantine_until)
    }
    fn first_version_names(
        &self,
        holder: &Holder,
    ) -> impl Future<Output = Result<Vec<Claim>, RegistryError>> + Send {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.store.first_version_names(holder)
    }
    fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> impl Future<Output = Result<BlockOutcome, RegistryError>> + Send {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store.block(name, request, now)
    }
    fn unblock(&self, key: &NameKey) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        self.others.fetch_add(1, Ordering::SeqCst);
        self.store.unblock(key)
    }
    fn get(
        &self,
        key: &NameKey,
    ) -> impl Future<Output = Result<Option<Claim>, RegistryError>> + Send {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.store.get(key)
    }
    fn contains_rules(
        &self,
    ) -> impl Future<Output = Result<Vec<ContainsRule>, RegistryError>> + Send {
        self.rule_reads.fetch_add(1, Ordering::SeqCst);
        self.store.contains_rules()
    }
}
