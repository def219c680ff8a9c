//! cognito-local for `usernames dev`: found (`--cognito-local` / `USERNAMES_COGNITO_LOCAL`) or
//! installed on first use into the user's cache with `npm ci` from the package.json and lockfile
//! built into the binary (cli/cognito-local/), then run with Node.js in DIR, where it keeps its
//! config (`.cognito/config.json`) and its users (`.cognito/db/`), until `dev` stops it. Pools and
//! clients are `pool.rs`'s business.

use super::DevError;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// The version `dev` installs, the one the end-to-end tests run (the root package.json).
pub const VERSION: &str = "5.3.0";
/// An existing cognito-local to run instead of installing one: its package directory
/// (`node_modules/cognito-local`) or its start script (`node_modules/.bin/cognito-local`).
pub const ENV_COGNITO_LOCAL: &str = "USERNAMES_COGNITO_LOCAL";

/// The npm project `dev` installs: cognito-local pinned, with every package it pulls locked.
const PACKAGE_JSON: &str = include_str!("../../cognito-local/package.json");
const PACKAGE_LOCK: &str = include_str!("../../cognito-local/package-lock.json");

/// Where the start script sits in a cognito-local package.
const START_SCRIPT: &str = "lib/bin/start.js";
/// How long cognito-local may take to listen (Node.js starts in about a second; a slow disk or a
/// busy machine takes longer).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long it may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// The program `name` on `PATH`, as a shell would find it.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let suffixes: &[&str] = if cfg!(windows) {
        &[".exe", ".cmd", ""]
    } else {
        &[""]
    };
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| suffixes.iter().map(move |s| dir.join(format!("{name}{s}"))))
        .find(|candidate| candidate.is_file())
}

/// Node.js, which cognito-local runs on.
pub fn node() -> Result<PathBuf, DevError> {
    on_path("node").ok_or(DevError::NodeMissing)
}

/// The start script to run with Node.js: the one `chosen` names, else the one installed in the
/// cache (installed now when it is not there yet).
pub async fn script(chosen: Option<PathBuf>) -> Result<PathBuf, DevError> {
    match chosen {
        Some(path) => chosen_script(&path),
        None => installed().await,
    }
}

/// A cognito-local given by the developer: a package directory or a script.
fn chosen_script(path: &Path) -> Result<PathBuf, DevError> {
    let script = if path.is_dir() {
        path.join(START_SCRIPT)
    } else {
        path.to_path_buf()
    };
    // Absolute: cognito-local runs in DIR, not here.
    match std::fs::canonicalize(&script) {
        Ok(script) if script.is_file() => Ok(script),
        _ => Err(DevError::NoCognitoLocal(path.to_path_buf())),
    }
}

/// The user's cache: `$XDG_CACHE_HOME`, else `~/.cache` (`%LOCALAPPDATA%` on Windows), then
/// `usernames/`.
fn cache_dir() -> Result<PathBuf, DevError> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .or_else(|| absolute("LOCALAPPDATA"))
        .map(|cache| cache.join("usernames"))
        .ok_or(DevError::NoCache)
}

/// A short fingerprint of the lockfile (FNV-1a), so that a binary with another lock installs
/// into a folder of its own instead of trusting an older install.
fn lock_fingerprint() -> String {
    let hash = PACKAGE_LOCK
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{:08x}", hash >> 32)
}

/// The cached install's start script, after `npm ci` into a staging folder renamed into place
/// when it succeeded: an interrupted install leaves no half-installed cache behind.
async fn installed() -> Result<PathBuf, DevError> {
    let cache = cache_dir()?;
    let folder = format!("cognito-local-{VERSION}-{}", lock_fingerprint());
    let home = cache.join(&folder);
    let script = home.join("node_modules/cognito-local").join(START_SCRIPT);
    if script.is_file() {
        return Ok(script);
    }
    let npm = on_path("npm").ok_or(DevError::NpmMissing)?;
    let staging = cache.join(format!(".{folder}.partial-{}", std::process::id()));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DevError::Io {
            what: "install cognito-local into",
            path,
            source,
        }
    };
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    std::fs::write(staging.join("package.json"), PACKAGE_JSON).map_err(io(&staging))?;
    std::fs::write(staging.join("package-lock.json"), PACKAGE_LOCK).map_err(io(&staging))?;
    eprintln!(
        "usernames dev: installing cognito-local {VERSION} into {} (once; npm ci)",
        home.display()
    );
    let status = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&staging)
        .stdin(Stdio::null())
        // npm's own output goes to stderr: stdout is the banner's.
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .await
        .map_err(io(&staging))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(DevError::InstallFailed(status.to_string()));
    }
    if let Err(e) = std::fs::rename(&staging, &home) {
        // Another `usernames dev` may have finished the same install first.
        let _ = std::fs::remove_dir_all(&staging);
        if !script.is_file() {
            return Err(io(&home)(e));
        }
    }
    Ok(script)
}

/// What cognito-local is started with.
pub struct Launch<'a> {
    pub node: &'a Path,
    pub script: &'a Path,
    /// DIR: cognito-local's working folder, where it keeps `.cognito/`.
    pub dir: &'a Path,
    pub port: u16,
    /// The Lambda Invoke API its triggers call: `dev`'s own.
    pub lambda_endpoint: &'a str,
    /// The confirmation code of every message it sends.
    pub code: &'a str,
}

/// A running cognito-local.
pub struct CognitoLocal {
    child: Child,
    /// Its URL, and the first half of its issuer (the issuer is the URL, `/`, the pool id).
    pub endpoint: String,
    /// Where its output goes.
    pub log: PathBuf,
}

/// The URL of cognito-local on `port`. Always `127.0.0.1`: the issuer of its tokens is built from
/// the same string (`TokenConfig.IssuerDomain`), so the tokens, the trusted issuer and the app's
/// endpoint can never name this machine two ways.
pub fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// Writes DIR/.cognito/config.json and starts cognito-local, its output into
/// DIR/cognito-local.log (it prints every message it "sends", email addresses included, so not
/// on `dev`'s console); returns once it listens.
pub async fn start(launch: Launch<'_>) -> Result<CognitoLocal, DevError> {
    let endpoint = endpoint(launch.port);
    let config_dir = launch.dir.join(".cognito");
    let io = |what: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| DevError::Io { what, path, source }
    };
    std::fs::create_dir_all(&config_dir).map_err(io("create", &config_dir))?;
    let config = json!({
        "LambdaClient": {
            "endpoint": launch.lambda_endpoint,
            "region": "local",
            "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
        },
        "TriggerFunctions": {
            "PreSignUp": "pre-sign-up",
            "PostConfirmation": "post-confirmation",
            "PreTokenGeneration": "pre-token-generation",
        },
        "TokenConfig": {"IssuerDomain": endpoint},
    });
    let config_file = config_dir.join("config.json");
    std::fs::write(&config_file, format!("{config:#}\n")).map_err(io("write", &config_file))?;

    let log = launch.dir.join("cognito-local.log");
    let out = std::fs::File::create(&log).map_err(io("write", &log))?;
    let err = out.try_clone().map_err(io("write", &log))?;
    let mut command = Command::new(launch.node);
    // A group of its own: Ctrl-C in the terminal reaches `dev` alone, which then stops the API
    // first and cognito-local after, instead of both dying at once (and `dev` taking
    // cognito-local's end for a crash).
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .arg(launch.script)
        .current_dir(launch.dir)
        .env("PORT", launch.port.to_string())
        .env("HOST", "127.0.0.1")
        .env("CODE", launch.code)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        // A backstop: `stop` ends it properly; this covers a panic or an early return.
        .kill_on_drop(true)
        .spawn()
        .map_err(io("run Node.js for", launch.script))?;

    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(DevError::CognitoExited {
                status: status.to_string(),
                log,
            });
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", launch.port))
            .await
            .is_ok()
        {
            return Ok(CognitoLocal {
                child,
                endpoint,
                log,
            });
        }
        if tokio::time::Instant::now() >= deadline {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err(DevError::CognitoSilent { log });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl CognitoLocal {
    /// Resolves when cognito-local exits by itself; its exit status.
    pub async fn exited(&mut self) -> String {
        match self.child.wait().await {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Stops it: SIGTERM, then a kill if it has not exited within [`STOP_TIMEOUT`].
    pub async fn stop(mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        #[cfg(unix)]
        if let Some(pid) = self
            .child
            .id()
            .and_then(|id| libc::pid_t::try_from(id).ok())
        {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours; the pid is our
            // own child's, which has not been reaped yet (so not reused).
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            if tokio::time::timeout(STOP_TIMEOUT, self.child.wait())
                .await
                .is_ok()
            {
                return;
            }
        }
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_project_pins_the_version_the_tests_run() {
        let package: serde_json::Value = serde_json::from_str(PACKAGE_JSON).unwrap();
        assert_eq!(package["dependencies"]["cognito-local"], VERSION);
        let lock: serde_json::Value = serde_json::from_str(PACKAGE_LOCK).unwrap();
        assert_eq!(
            lock["packages"]["node_modules/cognito-local"]["version"],
            VERSION
        );
        // The end-to-end tests run the root package.json's cognito-local: the same one.
        let root: serde_json::Value =
            serde_json::from_str(include_str!("../../../package.json")).unwrap();
        assert_eq!(root["devDependencies"]["cognito-local"], VERSION);
        // ... with the same packages locked (the root's marked as dev dependencies).
        let root_lock: serde_json::Value =
            serde_json::from_str(include_str!("../../../package-lock.json")).unwrap();
        let packages = |lock: &serde_json::Value, dev: bool| {
            let mut packages = lock["packages"].as_object().unwrap().clone();
            packages.remove("");
            for package in packages.values_mut() {
                let package = package.as_object_mut().unwrap();
                assert_eq!(package.remove("dev").is_some(), dev);
            }
            packages
        };
        assert_eq!(packages(&lock, false), packages(&root_lock, true));
    }

    #[test]
    fn a_chosen_cognito_local_is_a_package_folder_or_a_script() {
        let dir = std::env::temp_dir().join(format!("usernames-dev-chosen-{}", std::process::id()));
        let bin = dir.join("lib/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("start.js"), "").unwrap();
        let script = std::fs::canonicalize(bin.join("start.js")).unwrap();
        assert_eq!(chosen_script(&dir).unwrap(), script);
        assert_eq!(chosen_script(&bin.join("start.js")).unwrap(), script);
        assert!(matches!(
            chosen_script(&dir.join("missing")),
            Err(DevError::NoCognitoLocal(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
