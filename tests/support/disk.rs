//! The store on disk for the suites: a fresh file per case, in `target/tmp/disk-stores/` (files
//! left by earlier runs of a test binary are removed when it next starts one).

use shared::registry::DiskRegistry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// A new store on a fresh file.
pub async fn disk_registry() -> DiskRegistry {
    let path = fresh_path("store");
    DiskRegistry::open(&path)
        .unwrap_or_else(|e| panic!("open a fresh store at {}: {e}", path.display()))
}

/// A path no store has used yet (the file does not exist), labelled `label`.
pub fn fresh_path(label: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    static SWEEP: Once = Once::new();
    let folder = stores_folder();
    let binary = binary_name();
    SWEEP.call_once(|| sweep(&folder, &binary));
    std::fs::create_dir_all(&folder).expect("create the folder of test stores");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    folder.join(format!("{binary}-{}-{n}-{label}.redb", std::process::id()))
}

/// `target/tmp/disk-stores`, beside the test binaries (`target/debug/deps/...`).
fn stores_folder() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    target.join("tmp").join("disk-stores")
}

fn binary_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tests".into())
}

/// Removes this binary's files of processes that have ended.
fn sweep(folder: &Path, binary: &str) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!("{binary}-");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid).exists();
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
