//! A process that writes to a store on disk, for `tests/disk_store.rs`: the crash test kills it
//! with SIGKILL in the middle of its loop, and the two-process test runs several at once on one
//! file. Prints one line per decided operation, flushed, so the test knows how far it got.
//!
//! `disk-store-writer PATH churn LABEL FIRST` signs up, confirms and renames users `LABEL-0`,
//! `LABEL-1`... (names `store_FIRST`, `store_FIRST+1`..., renamed to `moved_...`) until killed,
//! printing `i` once user `LABEL-i`'s writes are committed.
//! `disk-store-writer PATH race LABEL N` reserves the names `race_0`... `race_N-1` for `LABEL`,
//! printing `name outcome` for each.

use integration_tests::contract::{commitment, reservation, sub_of, T0};
use shared::registry::{
    CommitOutcome, Contacts, DiskRegistry, Registry, Rename, RenameOutcome, ReserveOutcome,
};
use std::io::Write;
use std::process::ExitCode;

/// A name the policy accepts, a different one for every `prefix` and `i` (random letters could
/// spell a word the policy refuses, or look like each other).
fn numbered(prefix: &str, i: usize) -> String {
    format!("{prefix}_{i}")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match args.as_slice() {
        [path, mode, label, first] if mode == "churn" => {
            runtime.block_on(churn(path, label, first.parse().expect("a number")))
        }
        [path, mode, label, n] if mode == "race" => {
            runtime.block_on(race(path, label, n.parse().expect("a count")))
        }
        _ => {
            eprintln!("usage: disk-store-writer PATH churn LABEL FIRST | PATH race LABEL N");
            ExitCode::from(2)
        }
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn churn(path: &str, label: &str, first: usize) -> ExitCode {
    let store = DiskRegistry::open(path).expect("open the store");
    for i in 0.. {
        let user = format!("{label}-{i}");
        let name = numbered("store", first + i);
        let now = T0 + i as i64;
        let reserved = store
            .reserve(&reservation(&name, &user, None, now), now)
            .await
            .expect("reserve");
        assert_eq!(reserved, ReserveOutcome::Reserved, "{name}");
        let committed = store
            .commit(&commitment(&name, &user, Contacts::none()), now)
            .await
            .expect("commit");
        assert_eq!(committed, CommitOutcome::Committed, "{name}");
        if i % 3 == 0 {
            let rename = Rename {
                sub: sub_of(&user),
                to: integration_tests::contract::name(&numbered("moved", first + i)),
                quarantine_until: now + 100,
                cooldown: None,
            };
            let renamed = store.rename(&rename, now).await.expect("rename");
            assert!(
                matches!(renamed, RenameOutcome::Renamed { .. }),
                "{name}: {renamed:?}"
            );
        }
        say(&format!("{i}"));
    }
    ExitCode::SUCCESS
}

async fn race(path: &str, label: &str, n: usize) -> ExitCode {
    let store = DiskRegistry::open(path).expect("open the store");
    for i in 0..n {
        let name = numbered("race", i);
        let outcome = store
            .reserve(&reservation(&name, label, None, T0), T0)
            .await
            .expect("reserve");
        let won = matches!(outcome, ReserveOutcome::Reserved);
        say(&format!("{name} {won}"));
    }
    ExitCode::SUCCESS
}
