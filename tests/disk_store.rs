//! The store on disk beyond the suites every store runs: what one handle wrote is there after a
//! restart (and expires by the clock as before); a writer killed with SIGKILL in the middle of its
//! transactions leaves a consistent file; handles and processes sharing one file decide as one
//! store; and a file it cannot use is named in one sentence, never waited on forever.

use integration_tests::contract::{
    commitment, name, pending_of, reservation, sub_of, LIFETIME, T0,
};
use integration_tests::disk::fresh_path;
use shared::policy::NameKey;
use shared::registry::word_rules::{ContainsRule, WordRules};
use shared::registry::{
    BlockOutcome, BlockRequest, Claim, ClaimState, CommitOutcome, Contacts, DiskRegistry, Owner,
    Registry, Rename, RenameOutcome, ReserveOutcome, UserRecord,
};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUARANTINE: i64 = 14 * 24 * 60 * 60;
const WRITER: &str = env!("CARGO_BIN_EXE_disk-store-writer");

fn open(path: &Path) -> DiskRegistry {
    DiskRegistry::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

async fn everything(
    store: &DiskRegistry,
) -> (Vec<Claim>, Vec<(String, UserRecord)>, Vec<ContainsRule>) {
    (
        store.claims().await.expect("claims"),
        store.users().await.expect("users"),
        store.contains_rules().await.expect("rules"),
    )
}

async fn reserve(store: &DiskRegistry, raw: &str, user: &str, now: i64) -> ReserveOutcome {
    store
        .reserve(&reservation(raw, user, None, now), now)
        .await
        .expect("reserve")
}

#[tokio::test]
async fn everything_written_is_there_after_a_restart_and_expiry_still_applies() {
    let path = fresh_path("restart");
    let before = {
        let store = open(&path);
        // Pending: a sign-up not confirmed yet.
        assert_eq!(
            reserve(&store, "Melody", "user-m", T0).await,
            ReserveOutcome::Reserved
        );
        // Committed: signed up and confirmed.
        assert_eq!(
            reserve(&store, "Harmony", "user-h", T0).await,
            ReserveOutcome::Reserved
        );
        let confirmed = commitment("Harmony", "user-h", Contacts::none());
        assert_eq!(
            store.commit(&confirmed, T0 + 1).await.unwrap(),
            CommitOutcome::Committed
        );
        // Renamed: the old name in quarantine until its end.
        let cadence = commitment("Cadence", "user-c", Contacts::none());
        assert_eq!(
            store.commit(&cadence, T0).await.unwrap(),
            CommitOutcome::Committed
        );
        let rename = Rename {
            sub: sub_of("user-c"),
            to: name("Rhythm"),
            quarantine_until: T0 + 10 + QUARANTINE,
            cooldown: Some(24 * 60 * 60),
        };
        assert_eq!(
            store.rename(&rename, T0 + 10).await.unwrap(),
            RenameOutcome::Renamed {
                previous: Some("Cadence".into())
            }
        );
        // Blocked by an operator, and a word rule.
        let request = BlockRequest {
            by: "ops",
            reason: Some("staff"),
        };
        assert_eq!(
            store.block(&name("AcmeCorp"), request, T0).await.unwrap(),
            BlockOutcome::Blocked
        );
        let mut rule = ContainsRule::new("support").unwrap();
        rule.by = Some("ops".into());
        rule.since = Some(T0);
        assert!(!store.add_contains_rule(&rule).await.unwrap());
        everything(&store).await
    };

    let store = open(&path);
    assert_eq!(
        everything(&store).await,
        before,
        "the restart lost or changed nothing"
    );
    let state = |raw: &str| {
        let store = store.clone();
        let key = name(raw).key().clone();
        async move { store.get(&key).await.unwrap().map(|c| c.state) }
    };
    assert!(matches!(
        state("Melody").await,
        Some(ClaimState::Pending { .. })
    ));
    assert_eq!(
        state("Harmony").await,
        Some(ClaimState::Active {
            owner: Owner::Sub(sub_of("user-h"))
        })
    );
    assert_eq!(
        state("Cadence").await,
        Some(ClaimState::Quarantined {
            previous_owner: sub_of("user-c"),
            until: T0 + 10 + QUARANTINE
        })
    );
    let record = store.user(&sub_of("user-c")).await.unwrap().unwrap();
    assert_eq!(record.owned.map(|o| o.display).as_deref(), Some("Rhythm"));
    assert_eq!(record.renamed_at, Some(T0 + 10));
    assert_eq!(store.contains_rules().await.unwrap()[0].word, "support");

    // The clock still decides: the pending name frees at its expiry, the quarantine at its end,
    // the owner and the operator keep theirs.
    let expiry = T0 + LIFETIME;
    assert_eq!(
        reserve(&store, "melody", "user-x", expiry - 1).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        reserve(&store, "melody", "user-x", expiry).await,
        ReserveOutcome::Reserved
    );
    let end = T0 + 10 + QUARANTINE;
    assert_eq!(
        reserve(&store, "cadence", "user-y", end - 1).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        reserve(&store, "cadence", "user-y", end).await,
        ReserveOutcome::Reserved
    );
    let far = end + 10 * LIFETIME;
    assert_eq!(
        reserve(&store, "harmony", "user-z", far).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        reserve(&store, "acmecorp", "user-z", far).await,
        ReserveOutcome::Taken
    );
    // A copycat's confirmation changes nothing.
    let copycat = commitment("HARMONY", "user-z", Contacts::none());
    assert_eq!(
        store.commit(&copycat, far).await.unwrap(),
        CommitOutcome::Taken
    );
}

/// Every name a user record names is active for that user, every active name of a `sub` is the
/// one its record names, and no quarantine is still its previous owner's name: what a torn commit
/// or rename would break.
async fn assert_consistent(store: &DiskRegistry) {
    let claims: HashMap<NameKey, Claim> = store
        .claims()
        .await
        .expect("claims")
        .into_iter()
        .map(|c| (c.key.clone(), c))
        .collect();
    let users: HashMap<String, UserRecord> =
        store.users().await.expect("users").into_iter().collect();
    for (sub, record) in &users {
        if let Some(owned) = &record.owned {
            let claim = claims
                .get(&owned.key)
                .unwrap_or_else(|| panic!("{sub}'s record names {owned:?}, which has no entry"));
            assert_eq!(claim.owner_sub(), Some(sub.as_str()), "{claim:?}");
            assert_eq!(claim.display, owned.display, "{claim:?}");
        }
    }
    for claim in claims.values() {
        if let Some(sub) = claim.owner_sub() {
            let owned = users.get(sub).and_then(|u| u.owned.as_ref());
            assert_eq!(
                owned.map(|o| &o.key),
                Some(&claim.key),
                "{claim:?} has no record"
            );
        }
        if let ClaimState::Quarantined { previous_owner, .. } = &claim.state {
            let owned = users.get(previous_owner).and_then(|u| u.owned.as_ref());
            assert_ne!(owned.map(|o| &o.key), Some(&claim.key), "{claim:?}");
        }
    }
}

/// A child process, killed when the test ends however it ends.
struct Writer(Child);

impl Writer {
    fn start(args: &[&str]) -> Self {
        let child = Command::new(WRITER)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start disk-store-writer");
        Self(child)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_writer_killed_in_the_middle_of_its_writes_leaves_a_consistent_store() {
    let path = fresh_path("crash");
    let path_text = path.to_str().expect("a UTF-8 path");
    for round in 0..6u64 {
        let label = format!("r{round}");
        // Each round's names after the last round's (a killed writer gets far less than this).
        let first = (round * 100_000).to_string();
        let mut writer = Writer::start(&[path_text, "churn", &label, &first]);
        let mut lines = BufReader::new(writer.0.stdout.take().expect("stdout")).lines();
        let mut reported = Vec::new();
        // Let it get going, then kill it at a different point of its loop each round.
        while reported.len() < 5 {
            let line = lines
                .next()
                .expect("the writer ended early")
                .expect("a line");
            reported.push(line.parse::<usize>().expect("a count"));
        }
        std::thread::sleep(Duration::from_millis(3 + round * 7));
        writer.0.kill().expect("SIGKILL the writer");
        writer.0.wait().expect("reap the writer");
        // What it printed before it died had been committed.
        reported.extend(
            lines
                .map_while(Result::ok)
                .filter_map(|l| l.parse::<usize>().ok()),
        );
        drop(writer);

        let store = open(&path);
        assert_consistent(&store).await;
        for i in reported {
            let record = store
                .user(&sub_of(&format!("{label}-{i}")))
                .await
                .expect("user")
                .unwrap_or_else(|| panic!("round {round}: user {i} was reported done but is gone"));
            assert!(
                record.owned.is_some(),
                "round {round}: user {i} lost their name"
            );
        }
        // The store still takes writes after the crash.
        let user = format!("after-{round}");
        let raw = format!("afterwards{}", (b'a' + round as u8) as char);
        assert_eq!(
            reserve(&store, &raw, &user, T0).await,
            ReserveOutcome::Reserved
        );
    }
}

#[test]
fn processes_racing_on_one_file_leave_each_name_one_holder() {
    const PROCESSES: usize = 4;
    const NAMES: usize = 30;
    let path = fresh_path("processes");
    drop(open(&path));
    let path_text = path.to_str().expect("a UTF-8 path");
    let labels: Vec<String> = (0..PROCESSES).map(|p| format!("process-{p}")).collect();
    let mut writers: Vec<Writer> = labels
        .iter()
        .map(|label| Writer::start(&[path_text, "race", label, &NAMES.to_string()]))
        .collect();
    let mut winners: HashMap<String, Vec<String>> = HashMap::new();
    for (writer, label) in writers.iter_mut().zip(&labels) {
        let out = BufReader::new(writer.0.stdout.take().expect("stdout"));
        let mut answered = 0;
        for line in out.lines() {
            let line = line.expect("a line");
            let (raw, won) = line.split_once(' ').expect("name and outcome");
            answered += 1;
            if won == "true" {
                winners
                    .entry(raw.to_owned())
                    .or_default()
                    .push(label.clone());
            }
        }
        assert_eq!(answered, NAMES, "{label} answered every name");
        assert!(writer.0.wait().expect("wait").success(), "{label} failed");
    }
    assert_eq!(winners.len(), NAMES, "every name has a winner: {winners:?}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let store = open(&path);
    for (raw, won) in &winners {
        assert_eq!(won.len(), 1, "{raw}: {won:?}");
        let claim = runtime
            .block_on(store.get(name(raw).key()))
            .expect("get")
            .expect("an entry");
        assert_eq!(
            pending_of(&claim).3.as_deref(),
            Some(won[0].as_str()),
            "{raw}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_handles_on_one_file_see_each_others_writes_and_one_wins_a_race() {
    let path = fresh_path("handles");
    let a = open(&path);
    let b = open(&path);
    assert_eq!(
        reserve(&a, "Melody", "user-a", T0).await,
        ReserveOutcome::Reserved
    );
    let seen = b
        .get(name("melody").key())
        .await
        .unwrap()
        .expect("b sees a's write");
    assert_eq!(pending_of(&seen).3.as_deref(), Some("user-a"));
    assert_eq!(
        reserve(&b, "MELODY", "user-b", T0).await,
        ReserveOutcome::Taken
    );
    let confirmed = commitment("Harmony", "user-h", Contacts::none());
    assert_eq!(
        b.commit(&confirmed, T0).await.unwrap(),
        CommitOutcome::Committed
    );
    let record = a
        .user(&sub_of("user-h"))
        .await
        .unwrap()
        .expect("a sees b's commit");
    assert_eq!(record.owned.map(|o| o.display).as_deref(), Some("Harmony"));

    // Twelve contenders on each handle, all at once, for one name.
    let handles = Arc::new([a, b]);
    let barrier = Arc::new(tokio::sync::Barrier::new(24));
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (handles, barrier) = (Arc::clone(&handles), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let user = format!("contender-{i}");
                (
                    user.clone(),
                    reserve(&handles[i % 2], "Lemma", &user, T0).await,
                )
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        let (user, outcome) = task.await.expect("a contender");
        if outcome == ReserveOutcome::Reserved {
            won.push(user);
        }
    }
    assert_eq!(won.len(), 1, "{won:?}");
    for handle in handles.iter() {
        let claim = handle
            .get(name("lemma").key())
            .await
            .unwrap()
            .expect("an entry");
        assert_eq!(pending_of(&claim).3.as_ref(), Some(&won[0]));
    }
}

/// The message a store error carries, with its cause.
fn sentence(err: &dyn std::error::Error) -> String {
    match err.source() {
        Some(source) => format!("{err}: {}", sentence(source)),
        None => err.to_string(),
    }
}

#[tokio::test]
async fn a_file_another_program_keeps_open_is_named_not_waited_on_forever() {
    let path = fresh_path("held");
    let store = open(&path);
    let held = redb::Database::open(&path).expect("hold the file as another program would");
    let started = Instant::now();
    let err = store.get(name("melody").key()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let text = sentence(&err);
    assert!(
        text.contains(path.to_str().unwrap()) && text.contains("held by another process"),
        "{text}"
    );
    let opening = DiskRegistry::open(&path).expect_err("a second open waits, then says why");
    assert!(
        opening.to_string().contains("held by another process"),
        "{opening}"
    );
    drop(held);
    assert_eq!(
        store.get(name("melody").key()).await.unwrap(),
        None,
        "usable again"
    );
}

#[test]
fn a_path_that_cannot_hold_a_store_is_refused_with_its_name() {
    let folder = fresh_path("refused");
    std::fs::create_dir_all(&folder).unwrap();
    let refused = |path: &Path| -> String {
        let err = DiskRegistry::open(path).expect_err("refused");
        let text = err.to_string();
        assert!(text.contains(path.to_str().unwrap()), "{text}");
        text
    };
    let missing = folder.join("no-such-folder").join("names.redb");
    assert!(refused(&missing).contains("its folder does not exist"));
    assert!(refused(&folder).starts_with("cannot open the store file"));

    let text_file = folder.join("notes.txt");
    std::fs::write(&text_file, "not a database\n".repeat(400)).unwrap();
    let text = refused(&text_file);
    assert!(text.contains("is not a usernames store"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&text_file).unwrap(),
        "not a database\n".repeat(400),
        "the file is left as it was"
    );

    let other = folder.join("other.redb");
    {
        let db = redb::Database::create(&other).unwrap();
        let txn = db.begin_write().unwrap();
        {
            const TABLE: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("other");
            txn.open_table(TABLE).unwrap().insert("x", 1).unwrap();
        }
        txn.commit().unwrap();
    }
    assert!(refused(&other).contains("is not a usernames store"));
}
