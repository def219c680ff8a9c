//! DynamoDB endpoints that fail the way networks do: one refuses connections, one accepts them and
//! never answers. Both live on loopback for the rest of the test binary.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// An endpoint where nothing listens, so every connection is refused.
pub fn refusing_endpoint() -> String {
    // Binding and dropping frees a port nobody else asked for; the kernel hands out ephemeral
    // ports in turn, so it stays free for the few seconds a test needs.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("a bound port").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// An endpoint that accepts connections, reads nothing and never answers.
#[derive(Debug, Clone)]
pub struct SilentServer {
    pub endpoint: String,
    accepted: Arc<AtomicUsize>,
}

impl SilentServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("a bound port").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            accepted,
        }
    }

    /// Connections accepted so far (each SDK attempt opens one).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
