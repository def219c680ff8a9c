//! A moto DynamoDB server for the whole test binary, started on first use and gone when the
//! binary exits: it quits when its stdin (held open here until the process ends) reaches EOF.

use shared::registry::dynamodb::{local_config, Timeouts};
use shared::registry::{schema, DynamoRegistry};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::Duration;

/// Time limits for clients of the test server: generous, because a single-threaded moto serves a
/// whole test binary's parallel tests one request at a time on a busy machine. One attempt, so
/// a test sees every request it makes.
pub const MOTO_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(10),
    attempt: Duration::from_secs(30),
    operation: Duration::from_secs(30),
    max_attempts: 1,
};

const STARTUP_LIMIT: Duration = Duration::from_secs(60);

struct MotoServer {
    endpoint: String,
    // Never dropped: the open stdin pipe is what keeps the server alive.
    _child: Mutex<Child>,
}

static SERVER: OnceLock<MotoServer> = OnceLock::new();

/// The workspace root (the repository).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The Python interpreter that has moto: `USERNAMES_TEST_PYTHON` (set by `scripts/test`), else the
/// repository's `.venv`. A missing tool fails the test; it never skips it.
pub fn test_python() -> PathBuf {
    const HINT: &str = "run scripts/setup-test-tools to install the test tools into .venv";
    if let Some(python) = std::env::var_os("USERNAMES_TEST_PYTHON").filter(|p| !p.is_empty()) {
        let python = PathBuf::from(python);
        assert!(
            python.exists(),
            "USERNAMES_TEST_PYTHON={} does not exist; {HINT}",
            python.display()
        );
        return python;
    }
    let python = workspace_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "no Python with moto at {}; {HINT}",
        python.display()
    );
    python
}

/// The loopback URL of this test binary's moto server, starting it if needed.
pub fn moto_endpoint() -> &'static str {
    &SERVER.get_or_init(start).endpoint
}

fn start() -> MotoServer {
    let python = test_python();
    let script = workspace_root().join("scripts/moto_server.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} {}: {e}",
                python.display(),
                script.display()
            )
        });
    let stdout = child.stdout.take().expect("stdout is piped");
    let (port_tx, port_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = port_tx.send(line);
        // Keep draining: moto prints to stdout now and then, and a closed pipe would fail the
        // request that prints.
        let mut rest = Vec::new();
        while let Ok(n) = stdout.read_to_end(&mut rest) {
            if n == 0 {
                break;
            }
            let _ = std::io::stderr().write_all(&rest);
            rest.clear();
        }
    });
    let line = match port_rx.recv_timeout(STARTUP_LIMIT) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            panic!("moto_server did not report its port within {STARTUP_LIMIT:?}");
        }
    };
    let port: u16 = match line.trim().parse() {
        Ok(port) => port,
        Err(_) => {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            panic!(
                "moto_server ({}) exited ({status}) without a port; is moto installed? \
                 run scripts/setup-test-tools",
                python.display()
            );
        }
    };
    MotoServer {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: Mutex::new(child),
    }
}

/// A client of the moto server with [`MOTO_TIMEOUTS`]. Build one per test: a client's connection
/// pool belongs to the runtime of the test that made it.
pub fn moto_client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(local_config(moto_endpoint(), &MOTO_TIMEOUTS).build())
}

/// Creates a table with the registry's schema under a name no other test in this binary uses.
pub async fn fresh_table(client: &aws_sdk_dynamodb::Client) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let table = format!("usernames-test-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    schema::create_table(client, &table)
        .await
        .unwrap_or_else(|e| panic!("cannot create table {table} on moto: {e:?}"));
    table
}

/// A registry on a fresh table of the moto server.
pub async fn moto_registry() -> DynamoRegistry {
    let client = moto_client();
    let table = fresh_table(&client).await;
    DynamoRegistry::new(client, table)
}
