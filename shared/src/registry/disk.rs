//! The registry on disk, for the CLI (`USERNAMES_STORE`, `--store`): one redb file, decided by the
//! memory store's own code. Each operation opens the file, loads its [`Tables`] inside one redb
//! write transaction (a read transaction for reads), runs the same method the memory store runs,
//! writes back the entries it changed and commits: one conditional write, or one transaction,
//! exactly as the memory store and DynamoDB decide (docs/registry.md#the-store-on-disk).
//!
//! Why the file is opened for each operation: redb lets one handle write at a time and locks the
//! whole file against any other, so holding it open would lock `usernames show` out for as long
//! as `usernames serve` runs. Opened and closed around each transaction, the file is shared by
//! any number of processes and handles, which take turns; a handle that finds it held waits (a
//! few milliseconds, since nobody holds it longer than one transaction), and names the file if it
//! stays held. Built only with the `disk` feature, which the CLI and the tests turn on and the
//! Lambda functions never do.

use super::listing::{OwnerListing, OwnersPage};
use super::memory::Tables;
use super::rekey::{EntriesPage, Rekeying, Relocation, RelocationOutcome};
use super::word_rules::{ContainsRule, WordRules};
use super::{
    BlockOutcome, BlockRequest, Claim, ClaimState, CommitOutcome, Commitment, Contacts, Holder,
    OwnedName, Owner, Registry, RegistryError, Rename, RenameOutcome, RenameUndo, Reservation,
    ReserveOutcome, Timestamp, UndoOutcome, UserRecord,
};
use crate::policy::{NameKey, Username};
use redb::{
    Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition, TableHandle,
    WriteTransaction,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Name entries by name key, user records by `sub`, operator rules by form: JSON values.
const NAMES: TableDefinition<&str, &[u8]> = TableDefinition::new("names");
const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
const RULES: TableDefinition<&str, &[u8]> = TableDefinition::new("rules");
/// What marks the file as a store of names: its format, an id drawn when it was created, and a
/// generation that every write transaction moves on, so a handle knows whether the tables it
/// loaded last are still the file's.
const META: TableDefinition<&str, u64> = TableDefinition::new("usernames_store");
const FORMAT: &str = "format";
const STORE_ID: &str = "store_id";
const GENERATION: &str = "generation";
/// The layout above, with the values of [`StoredClaim`], [`StoredUser`] and [`StoredRule`].
pub const STORE_FORMAT: u64 = 1;

/// How long an operation waits for another process or handle to finish its transaction. Nobody
/// holds the file longer than one transaction (milliseconds), so this only runs out when a
/// process is stopped in the middle of one (Ctrl-Z).
const LOCK_WAIT: Duration = Duration::from_secs(3);
/// redb's lock has no queue: a waiting handle tries again, so short pauses keep it from being
/// overtaken for long by handles that keep writing.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const LONGEST_PAUSE: Duration = Duration::from_millis(5);

/// Why the store file cannot be used. Every sentence names the file.
#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("cannot open the store file {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error(
        "{} is not a usernames store: it holds something else, or is damaged",
        path.display()
    )]
    NotAStore { path: PathBuf },
    #[error(
        "{} was written by a newer usernames (store format {format}; this one reads {STORE_FORMAT})",
        path.display()
    )]
    NewerFormat { path: PathBuf, format: u64 },
    #[error(
        "the store file {} is gone: it was deleted or moved while in use",
        path.display()
    )]
    Gone { path: PathBuf },
    #[error(
        "the store file {} stayed held by another process for {} s (one stopped in the middle \
         of a write?)",
        path.display(),
        LOCK_WAIT.as_secs()
    )]
    Busy { path: PathBuf },
    #[error("cannot read or write the store file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: redb::Error,
    },
    #[error("the store file {} holds an unreadable entry ({what})", path.display())]
    Unreadable { path: PathBuf, what: String },
}

impl From<DiskError> for RegistryError {
    fn from(err: DiskError) -> Self {
        RegistryError::Unavailable(Box::new(err))
    }
}

/// The registry in one file. Cheap to clone: clones share the file and the tables last loaded.
/// Each operation does its file work on the calling thread (an open, one transaction, an fsync:
/// milliseconds) and, while another process is in a transaction on the file, pauses on Tokio's
/// timer, so it needs a Tokio runtime with time enabled.
#[derive(Debug, Clone)]
pub struct DiskRegistry {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// The tables as of the stamp, so an operation reloads the file only after another handle
    /// wrote it. The lock also takes this handle's operations one at a time.
    loaded: tokio::sync::Mutex<Loaded>,
}

#[derive(Debug, Default)]
struct Loaded {
    /// The file's store id and generation the tables are of; `None`: load again.
    stamp: Option<(u64, u64)>,
    tables: Tables,
}

impl DiskRegistry {
    /// Opens the store at `path`, creating the file (not its folder) when there is none. Fails
    /// with a sentence naming the file when it cannot be created or opened, or holds something
    /// other than a store. Waits (up to 3 s, blocking the thread) while another process is in a
    /// transaction on it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DiskError> {
        let path = path.as_ref().to_path_buf();
        let deadline = Instant::now() + LOCK_WAIT;
        let mut pause = FIRST_PAUSE;
        let db = loop {
            match redb::Builder::new().create(&path) {
                Err(DatabaseError::DatabaseAlreadyOpen) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
                opened => break opened.map_err(|e| open_error(&path, e))?,
            }
        };
        initialise(&db, &path)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                loaded: tokio::sync::Mutex::new(Loaded::default()),
            }),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Every name entry, ordered by key (for the CLI and tests).
    pub async fn claims(&self) -> Result<Vec<Claim>, RegistryError> {
        self.read(|tables| tables.claims()).await
    }

    /// Every user record, ordered by `sub`.
    pub async fn users(&self) -> Result<Vec<(String, UserRecord)>, RegistryError> {
        self.read(|tables| tables.users_by_sub()).await
    }

    /// Puts an entry as it is, whatever it holds: for tests that start from a given state.
    pub async fn insert_raw(&self, claim: Claim) -> Result<(), RegistryError> {
        self.write(|tables| {
            tables.names.insert(claim.key.clone(), claim);
        })
        .await
    }

    /// Puts a user record as it is, for tests.
    pub async fn insert_user_raw(
        &self,
        sub: &str,
        record: UserRecord,
    ) -> Result<(), RegistryError> {
        self.write(|tables| {
            tables.users.insert(sub.to_owned(), record);
        })
        .await
    }

    /// Runs `op` on the file's tables inside one write transaction, and commits what it changed.
    async fn write<T: Send>(
        &self,
        op: impl FnOnce(&mut Tables) -> T + Send,
    ) -> Result<T, RegistryError> {
        let mut loaded = self.inner.loaded.lock().await;
        let db = self.connect().await?;
        let answer = self.write_in(&db, &mut loaded, op);
        if answer.is_err() {
            // The tables may hold a change the file does not.
            loaded.stamp = None;
        }
        Ok(answer?)
    }

    fn write_in<T>(
        &self,
        db: &Database,
        loaded: &mut Loaded,
        op: impl FnOnce(&mut Tables) -> T,
    ) -> Result<T, DiskError> {
        let path = &self.inner.path;
        let txn = db.begin_write().map_err(|e| io(path, e))?;
        let (store_id, generation) = {
            let meta = txn.open_table(META).map_err(|e| io(path, e))?;
            stamp_of(&meta, path)?
        };
        if loaded.stamp != Some((store_id, generation)) {
            loaded.stamp = None;
            loaded.tables = load(&txn, path)?;
        }
        // Unset while the tables may hold what the file does not (a panic in `op`, a failed
        // commit): the next operation then loads them again.
        loaded.stamp = None;
        let before = loaded.tables.clone();
        let answer = op(&mut loaded.tables);
        if loaded.tables == before {
            txn.abort().map_err(|e| io(path, e))?;
            loaded.stamp = Some((store_id, generation));
            return Ok(answer);
        }
        write_changes(&txn, &before, &loaded.tables, path)?;
        let next = generation.wrapping_add(1);
        txn.open_table(META)
            .map_err(|e| io(path, e))?
            .insert(GENERATION, next)
            .map_err(|e| io(path, e))?;
        txn.commit().map_err(|e| io(path, e))?;
        loaded.stamp = Some((store_id, next));
        Ok(answer)
    }

    /// Runs `op` on the file's tables as one read transaction sees them.
    async fn read<T: Send>(
        &self,
        op: impl FnOnce(&Tables) -> T + Send,
    ) -> Result<T, RegistryError> {
        let mut loaded = self.inner.loaded.lock().await;
        let db = self.connect().await?;
        let path = &self.inner.path;
        let fresh = (|| {
            let txn = db.begin_read().map_err(|e| io(path, e))?;
            let meta = txn.open_table(META).map_err(|e| io(path, e))?;
            let stamp = stamp_of(&meta, path)?;
            if loaded.stamp != Some(stamp) {
                loaded.stamp = None;
                loaded.tables = load_read(&txn, path)?;
                loaded.stamp = Some(stamp);
            }
            Ok::<_, DiskError>(())
        })();
        fresh?;
        Ok(op(&loaded.tables))
    }

    /// The file, opened for one transaction: waits while another handle or process is in one.
    async fn connect(&self) -> Result<Database, DiskError> {
        let path = &self.inner.path;
        let deadline = Instant::now() + LOCK_WAIT;
        let mut pause = FIRST_PAUSE;
        loop {
            // Bound first: the builder must not live across the pause.
            let opened = redb::Builder::new().open(path);
            match opened {
                Ok(db) => return Ok(db),
                Err(DatabaseError::DatabaseAlreadyOpen) if Instant::now() < deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
                Err(DatabaseError::DatabaseAlreadyOpen) => {
                    return Err(DiskError::Busy { path: path.clone() })
                }
                Err(DatabaseError::Storage(redb::StorageError::Io(e)))
                    if e.kind() == std::io::ErrorKind::NotFound =>
                {
                    return Err(DiskError::Gone { path: path.clone() })
                }
                Err(e) => return Err(open_error(path, e)),
            }
        }
    }
}

/// Marks a new file as a store, or checks that an existing one is one this version reads.
fn initialise(db: &Database, path: &Path) -> Result<(), DiskError> {
    let txn = db.begin_write().map_err(|e| io(path, e))?;
    let tables: Vec<String> = txn
        .list_tables()
        .map_err(|e| io(path, e))?
        .map(|t| t.name().to_owned())
        .collect();
    if tables.iter().any(|t| t == META.name()) {
        let format = txn
            .open_table(META)
            .map_err(|e| io(path, e))?
            .get(FORMAT)
            .map_err(|e| io(path, e))?
            .map(|v| v.value());
        txn.abort().map_err(|e| io(path, e))?;
        return match format {
            Some(STORE_FORMAT) => Ok(()),
            Some(format) if format > STORE_FORMAT => Err(DiskError::NewerFormat {
                path: path.to_path_buf(),
                format,
            }),
            _ => Err(DiskError::NotAStore {
                path: path.to_path_buf(),
            }),
        };
    }
    if !tables.is_empty() {
        return Err(DiskError::NotAStore {
            path: path.to_path_buf(),
        });
    }
    {
        let mut meta = txn.open_table(META).map_err(|e| io(path, e))?;
        for (key, value) in [
            (FORMAT, STORE_FORMAT),
            (STORE_ID, new_store_id()),
            (GENERATION, 0),
        ] {
            meta.insert(key, value).map_err(|e| io(path, e))?;
        }
        // Created empty, so that a read finds every table.
        for table in [NAMES, USERS, RULES] {
            txn.open_table(table).map_err(|e| io(path, e))?;
        }
    }
    txn.commit().map_err(|e| io(path, e))
}

/// A random id for a new file: a file deleted and created again starts its generations over,
/// and must not pass for the one a handle loaded before.
fn new_store_id() -> u64 {
    let mut bytes = [0u8; 8];
    let drawn = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    if drawn.is_err() {
        // No randomness: the clock still tells two creations apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        return nanos as u64 ^ u64::from(std::process::id());
    }
    u64::from_le_bytes(bytes)
}

fn stamp_of(
    meta: &impl ReadableTable<&'static str, u64>,
    path: &Path,
) -> Result<(u64, u64), DiskError> {
    let value = |key: &str| -> Result<u64, DiskError> {
        meta.get(key)
            .map_err(|e| io(path, e))?
            .map(|v| v.value())
            .ok_or_else(|| DiskError::NotAStore {
                path: path.to_path_buf(),
            })
    };
    Ok((value(STORE_ID)?, value(GENERATION)?))
}

fn load(txn: &WriteTransaction, path: &Path) -> Result<Tables, DiskError> {
    let names = txn.open_table(NAMES).map_err(|e| io(path, e))?;
    let users = txn.open_table(USERS).map_err(|e| io(path, e))?;
    let rules = txn.open_table(RULES).map_err(|e| io(path, e))?;
    tables_from(&names, &users, &rules, path)
}

fn load_read(txn: &redb::ReadTransaction, path: &Path) -> Result<Tables, DiskError> {
    let names = txn.open_table(NAMES).map_err(|e| io(path, e))?;
    let users = txn.open_table(USERS).map_err(|e| io(path, e))?;
    let rules = txn.open_table(RULES).map_err(|e| io(path, e))?;
    tables_from(&names, &users, &rules, path)
}

fn tables_from(
    names: &impl ReadableTable<&'static str, &'static [u8]>,
    users: &impl ReadableTable<&'static str, &'static [u8]>,
    rules: &impl ReadableTable<&'static str, &'static [u8]>,
    path: &Path,
) -> Result<Tables, DiskError> {
    let mut tables = Tables::default();
    for entry in names.iter().map_err(|e| io(path, e))? {
        let (key, value) = entry.map_err(|e| io(path, e))?;
        let stored: StoredClaim = decode(value.value(), path, key.value())?;
        let key = NameKey::from_stored(key.value());
        tables.names.insert(key.clone(), stored.into_claim(key));
    }
    for entry in users.iter().map_err(|e| io(path, e))? {
        let (sub, value) = entry.map_err(|e| io(path, e))?;
        let stored: StoredUser = decode(value.value(), path, sub.value())?;
        tables.users.insert(sub.value().to_owned(), stored.into());
    }
    for entry in rules.iter().map_err(|e| io(path, e))? {
        let (form, value) = entry.map_err(|e| io(path, e))?;
        let stored: StoredRule = decode(value.value(), path, form.value())?;
        tables.rules.insert(form.value().to_owned(), stored.into());
    }
    Ok(tables)
}

/// Writes to the file every entry that differs between `before` and `after`.
fn write_changes(
    txn: &WriteTransaction,
    before: &Tables,
    after: &Tables,
    path: &Path,
) -> Result<(), DiskError> {
    let mut names = txn.open_table(NAMES).map_err(|e| io(path, e))?;
    for (key, claim) in &after.names {
        if before.names.get(key) != Some(claim) {
            let value = encode(&StoredClaim::from(claim));
            names
                .insert(key.as_str(), value.as_slice())
                .map_err(|e| io(path, e))?;
        }
    }
    for key in before
        .names
        .keys()
        .filter(|k| !after.names.contains_key(*k))
    {
        names.remove(key.as_str()).map_err(|e| io(path, e))?;
    }
    let mut users = txn.open_table(USERS).map_err(|e| io(path, e))?;
    for (sub, record) in &after.users {
        if before.users.get(sub) != Some(record) {
            let value = encode(&StoredUser::from(record));
            users
                .insert(sub.as_str(), value.as_slice())
                .map_err(|e| io(path, e))?;
        }
    }
    for sub in before
        .users
        .keys()
        .filter(|s| !after.users.contains_key(*s))
    {
        users.remove(sub.as_str()).map_err(|e| io(path, e))?;
    }
    let mut rules = txn.open_table(RULES).map_err(|e| io(path, e))?;
    for (form, rule) in &after.rules {
        if before.rules.get(form) != Some(rule) {
            let value = encode(&StoredRule::from(rule));
            rules
                .insert(form.as_str(), value.as_slice())
                .map_err(|e| io(path, e))?;
        }
    }
    for form in before
        .rules
        .keys()
        .filter(|f| !after.rules.contains_key(*f))
    {
        rules.remove(form.as_str()).map_err(|e| io(path, e))?;
    }
    Ok(())
}

fn encode(value: &impl Serialize) -> Vec<u8> {
    // Plain structs of strings and numbers: serialising them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

fn decode<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    path: &Path,
    key: &str,
) -> Result<T, DiskError> {
    serde_json::from_slice(bytes).map_err(|_| DiskError::Unreadable {
        path: path.to_path_buf(),
        what: format!("entry {key:?}"),
    })
}

fn io(path: &Path, err: impl Into<redb::Error>) -> DiskError {
    DiskError::Io {
        path: path.to_path_buf(),
        source: err.into(),
    }
}

fn open_error(path: &Path, err: DatabaseError) -> DiskError {
    let path = path.to_path_buf();
    match err {
        DatabaseError::DatabaseAlreadyOpen => DiskError::Busy { path },
        DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::NotFound =>
        {
            DiskError::Open {
                path,
                reason: "its folder does not exist".into(),
            }
        }
        // How redb says the file holds something else.
        DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::InvalidData =>
        {
            DiskError::NotAStore { path }
        }
        DatabaseError::Storage(redb::StorageError::Io(e)) => DiskError::Open {
            reason: e.to_string(),
            path,
        },
        DatabaseError::UpgradeRequired(_) | DatabaseError::Storage(_) => {
            DiskError::NotAStore { path }
        }
        other => DiskError::Open {
            reason: other.to_string(),
            path,
        },
    }
}

/// A name entry as the file keeps it (the key is the table's key). Field names are the file's
/// format: change them only with [`STORE_FORMAT`].
#[derive(Debug, Serialize, Deserialize)]
struct StoredClaim {
    display: String,
    state: StoredState,
    key_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<Timestamp>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredState {
    Pending {
        holder: String,
        expires_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sealed: Option<String>,
    },
    /// Owned by a `sub`, or (`user_name`) by a first-version `userName`.
    Active {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_name: Option<String>,
    },
    Quarantined {
        previous_owner: String,
        until: Timestamp,
    },
    Blocked {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
}

impl From<&Claim> for StoredClaim {
    fn from(claim: &Claim) -> Self {
        let state = match &claim.state {
            ClaimState::Pending {
                holder,
                expires_at,
                contacts,
                sealed,
            } => StoredState::Pending {
                holder: holder.clone(),
                expires_at: *expires_at,
                email: contacts.email.as_ref().map(|h| h.as_str().to_owned()),
                phone: contacts.phone.as_ref().map(|h| h.as_str().to_owned()),
                sealed: sealed.clone(),
            },
            ClaimState::Active { owner } => match owner {
                Owner::Sub(sub) => StoredState::Active {
                    sub: Some(sub.clone()),
                    user_name: None,
                },
                Owner::LegacyUserName(user_name) => StoredState::Active {
                    sub: None,
                    user_name: Some(user_name.clone()),
                },
            },
            ClaimState::Quarantined {
                previous_owner,
                until,
            } => StoredState::Quarantined {
                previous_owner: previous_owner.clone(),
                until: *until,
            },
            ClaimState::Blocked { reason, by } => StoredState::Blocked {
                reason: reason.clone(),
                by: by.clone(),
            },
        };
        Self {
            display: claim.display.clone(),
            state,
            key_version: claim.key_version,
            since: claim.since,
        }
    }
}

impl StoredClaim {
    fn into_claim(self, key: NameKey) -> Claim {
        let state = match self.state {
            StoredState::Pending {
                holder,
                expires_at,
                email,
                phone,
                sealed,
            } => ClaimState::Pending {
                holder,
                expires_at,
                contacts: Contacts {
                    email: email.map(super::ContactHash::from_stored),
                    phone: phone.map(super::ContactHash::from_stored),
                },
                sealed,
            },
            StoredState::Active { sub, user_name } => ClaimState::Active {
                owner: match (sub, user_name) {
                    (Some(sub), _) => Owner::Sub(sub),
                    (None, user_name) => Owner::LegacyUserName(user_name.unwrap_or_default()),
                },
            },
            StoredState::Quarantined {
                previous_owner,
                until,
            } => ClaimState::Quarantined {
                previous_owner,
                until,
            },
            StoredState::Blocked { reason, by } => ClaimState::Blocked { reason, by },
        };
        Claim {
            key,
            display: self.display,
            state,
            key_version: self.key_version,
            since: self.since,
        }
    }
}

/// A user record as the file keeps it (the `sub` is the table's key).
#[derive(Debug, Serialize, Deserialize)]
struct StoredUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owned: Option<StoredOwned>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renamed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredOwned {
    key: String,
    display: String,
    since: Timestamp,
}

impl From<&UserRecord> for StoredUser {
    fn from(record: &UserRecord) -> Self {
        Self {
            owned: record.owned.as_ref().map(|owned| StoredOwned {
                key: owned.key.as_str().to_owned(),
                display: owned.display.clone(),
                since: owned.since,
            }),
            renamed_at: record.renamed_at,
            previous: record.previous.clone(),
        }
    }
}

impl From<StoredUser> for UserRecord {
    fn from(stored: StoredUser) -> Self {
        Self {
            owned: stored.owned.map(|owned| OwnedName {
                key: NameKey::from_stored(owned.key),
                display: owned.display,
                since: owned.since,
            }),
            renamed_at: stored.renamed_at,
            previous: stored.previous,
        }
    }
}

/// An operator rule as the file keeps it (its form is the table's key, and kept here too).
#[derive(Debug, Serialize, Deserialize)]
struct StoredRule {
    word: String,
    form: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<Timestamp>,
}

impl From<&ContainsRule> for StoredRule {
    fn from(rule: &ContainsRule) -> Self {
        Self {
            word: rule.word.clone(),
            form: rule.form.clone(),
            by: rule.by.clone(),
            reason: rule.reason.clone(),
            since: rule.since,
        }
    }
}

impl From<StoredRule> for ContainsRule {
    fn from(stored: StoredRule) -> Self {
        Self {
            word: stored.word,
            form: stored.form,
            by: stored.by,
            reason: stored.reason,
            since: stored.since,
        }
    }
}

impl Registry for DiskRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        self.write(|tables| tables.reserve(r, now)).await?
    }

    async fn commit(&self, c: &Commitment, now: Timestamp) -> Result<CommitOutcome, RegistryError> {
        self.write(|tables| tables.commit(c, now)).await
    }

    async fn user(&self, sub: &str) -> Result<Option<UserRecord>, RegistryError> {
        self.read(|tables| tables.users.get(sub).cloned()).await
    }

    async fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> Result<(RenameOutcome, Option<RenameUndo>), RegistryError> {
        self.write(|tables| tables.rename_with_undo(r, now)).await
    }

    async fn undo_rename(&self, u: &RenameUndo) -> Result<UndoOutcome, RegistryError> {
        self.write(|tables| tables.undo_rename(u)).await
    }

    async fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        self.write(|tables| tables.give_up(sub, quarantine_until, renamed_at))
            .await
    }

    async fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> Result<BlockOutcome, RegistryError> {
        self.write(|tables| tables.block(name, request, now)).await
    }

    async fn unblock(&self, key: &NameKey) -> Result<bool, RegistryError> {
        self.write(|tables| tables.unblock(key)).await
    }

    async fn contains_rules(&self) -> Result<Vec<ContainsRule>, RegistryError> {
        self.read(|tables| tables.contains_rules()).await
    }

    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        self.read(|tables| tables.names.get(key).cloned()).await
    }

    async fn get_many(&self, keys: &[NameKey]) -> Result<Vec<Option<Claim>>, RegistryError> {
        // One read transaction for all: one consistent view, as DynamoDB's batch is.
        self.read(|tables| keys.iter().map(|k| tables.names.get(k).cloned()).collect())
            .await
    }

    async fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        self.write(|tables| tables.retire_first_version(key, user_name, quarantine_until))
            .await
    }

    async fn first_version_names(&self, holder: &Holder) -> Result<Vec<Claim>, RegistryError> {
        self.read(|tables| tables.first_version_names(holder)).await
    }
}

impl WordRules for DiskRegistry {
    async fn add_contains_rule(&self, rule: &ContainsRule) -> Result<bool, RegistryError> {
        self.write(|tables| tables.add_contains_rule(rule)).await
    }

    async fn remove_contains_rule(&self, word: &str) -> Result<bool, RegistryError> {
        self.write(|tables| tables.remove_contains_rule(word)).await
    }
}

impl Rekeying for DiskRegistry {
    async fn entries_page(
        &self,
        after: Option<&str>,
        _limit: usize,
    ) -> Result<EntriesPage, RegistryError> {
        self.read(|tables| tables.entries_page(after)).await
    }

    async fn relocate(
        &self,
        relocation: &Relocation<'_>,
    ) -> Result<RelocationOutcome, RegistryError> {
        self.write(|tables| tables.relocate(relocation)).await
    }
}

impl OwnerListing for DiskRegistry {
    async fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<OwnersPage, RegistryError> {
        self.read(|tables| tables.owners_page(after, limit)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ContactHash;

    fn claim(state: ClaimState, since: Option<Timestamp>) -> Claim {
        Claim {
            key: NameKey::from_stored("melody"),
            display: "Melody".into(),
            state,
            key_version: 2,
            since,
        }
    }

    #[test]
    fn every_entry_comes_back_from_the_file_as_it_went_in() {
        let states = [
            ClaimState::Pending {
                holder: "h1:abc".into(),
                expires_at: 10,
                contacts: Contacts {
                    email: Some(ContactHash::from_stored("e")),
                    phone: Some(ContactHash::from_stored("p")),
                },
                sealed: Some("sealed".into()),
            },
            ClaimState::Pending {
                holder: "bob".into(),
                expires_at: 10,
                contacts: Contacts::none(),
                sealed: None,
            },
            ClaimState::Active {
                owner: Owner::Sub("sub-a".into()),
            },
            ClaimState::Active {
                owner: Owner::LegacyUserName("Alice".into()),
            },
            ClaimState::Quarantined {
                previous_owner: "sub-a".into(),
                until: 99,
            },
            ClaimState::Blocked {
                reason: Some("staff".into()),
                by: Some("ops".into()),
            },
            ClaimState::Blocked {
                reason: None,
                by: None,
            },
        ];
        for state in states {
            for since in [None, Some(5)] {
                let entry = claim(state.clone(), since);
                let bytes = encode(&StoredClaim::from(&entry));
                let stored: StoredClaim = decode(&bytes, Path::new("f"), "melody").unwrap();
                assert_eq!(stored.into_claim(entry.key.clone()), entry);
            }
        }
        let record = UserRecord {
            owned: Some(OwnedName {
                key: NameKey::from_stored("melody"),
                display: "Melody".into(),
                since: 3,
            }),
            renamed_at: Some(4),
            previous: Some("Old".into()),
        };
        let bytes = encode(&StoredUser::from(&record));
        let stored: StoredUser = decode(&bytes, Path::new("f"), "sub").unwrap();
        assert_eq!(UserRecord::from(stored), record);
        let rule = ContainsRule::new("support").unwrap();
        let bytes = encode(&StoredRule::from(&rule));
        let stored: StoredRule = decode(&bytes, Path::new("f"), "support").unwrap();
        assert_eq!(ContainsRule::from(stored), rule);
    }

    /// The file's format: a change here is a new [`STORE_FORMAT`], and files of the old one must
    /// still be read.
    #[test]
    fn entries_are_stored_in_format_1() {
        let pending = claim(
            ClaimState::Pending {
                holder: "h1:abc".into(),
                expires_at: 10,
                contacts: Contacts {
                    email: Some(ContactHash::from_stored("e")),
                    phone: None,
                },
                sealed: None,
            },
            None,
        );
        assert_eq!(
            String::from_utf8(encode(&StoredClaim::from(&pending))).unwrap(),
            r#"{"display":"Melody","state":{"kind":"pending","holder":"h1:abc","expires_at":10,"email":"e"},"key_version":2}"#
        );
        let active = claim(
            ClaimState::Active {
                owner: Owner::Sub("sub-a".into()),
            },
            Some(5),
        );
        assert_eq!(
            String::from_utf8(encode(&StoredClaim::from(&active))).unwrap(),
            r#"{"display":"Melody","state":{"kind":"active","sub":"sub-a"},"key_version":2,"since":5}"#
        );
        assert_eq!(STORE_FORMAT, 1);
    }

    #[test]
    fn an_unreadable_entry_names_the_file_and_the_entry() {
        let err = decode::<StoredClaim>(b"{", Path::new("/tmp/names.redb"), "melody").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the store file /tmp/names.redb holds an unreadable entry (entry \"melody\")"
        );
    }
}
