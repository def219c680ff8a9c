//! `usernames rekey [--prepare] [--dry-run]`: moves the registry's entries keyed by an older
//! derivation of the uniqueness key to their current keys, or with `--prepare` (before deploying
//! a new key version) holds those keys for them, through `shared::operations::rekey`
//! (docs/operations.md#key-versions).
//! One JSON line per entry moved, held, per collision and per entry left, a `{"summary":…}` line last.
//! Exit 0 when every entry is current, 1 when some were left (run it again) or the registry
//! failed, 2 when it cannot start. Safe to interrupt, to run again, and to run beside the triggers.

use crate::admin::{json, with_registry};
use crate::setup;
use serde::Serialize;
use shared::operations::rekey::{prepare, rekey};
use shared::registry::{Clock, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Serialize)]
struct Summary<'a> {
    summary: &'a shared::operations::rekey::RekeySummary,
}

pub fn run(dry_run: bool, hold_only: bool, store: Option<PathBuf>) -> ExitCode {
    // Entries move as they are (their hashes included): no secret is needed to move them.
    let (settings, runtime) = match (setup::read_settings("rekey"), setup::runtime("rekey")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store("rekey", store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let now = SystemClock.now();
        let done = with_registry!(&store, registry => if hold_only {
            prepare(&registry, now, dry_run).await
        } else {
            rekey(&registry, now, dry_run).await
        });
        match done {
            Ok(report) => {
                for change in &report.changes {
                    say!("{}", json(change));
                }
                say!(
                    "{}",
                    json(&Summary {
                        summary: &report.summary
                    })
                );
                if report.summary.left > 0 && hold_only {
                    eprintln!(
                        "usernames rekey --prepare: {} entries were not held: run it again; an \
                         entry whose new key another entry holds stays so until `usernames rekey` \
                         decides between them after the deployment",
                        report.summary.left
                    );
                    ExitCode::from(1)
                } else if report.summary.left > 0 {
                    eprintln!(
                        "usernames rekey: {} entries kept changing or wait on one that cannot \
                         move; run the command again",
                        report.summary.left
                    );
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!(
                    "usernames rekey: stopped: {e}; what was moved stays moved, and running the \
                     command again finishes the job"
                );
                ExitCode::from(1)
            }
        }
    })
}
