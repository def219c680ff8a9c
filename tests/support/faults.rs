//! DynamoDB endpoints that fail the way networks do (one refuses connections, one accepts them and
//! never answers, one delivers late) and a proxy that counts connections. All live on loopback
//! for the rest of the test binary.

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

/// A proxy in front of a DynamoDB endpoint that holds each request for `delay` before it
/// forwards it, and forwards it even when the client has given up by then: a write that lands
/// after the caller's time budget, as a slow network delivers it.
#[derive(Debug, Clone)]
pub struct DelayingProxy {
    pub endpoint: String,
    forwarded: Arc<AtomicUsize>,
}

impl DelayingProxy {
    pub fn start(upstream: &str, delay: std::time::Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("a bound port").port();
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let forwarded = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&forwarded);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || relay(client, &upstream, delay, &counter));
            }
        });
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            forwarded,
        }
    }

    /// Requests that reached the upstream and were answered.
    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }

    /// Waits (at most `limit`) until `count` requests have been forwarded.
    pub fn wait_for(&self, count: usize, limit: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        while self.forwarded() < count {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        true
    }
}

/// Reads one HTTP/1.1 message (headers and a `Content-Length` body); `None` at end of stream.
fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut message = Vec::new();
    let mut byte = [0u8; 1];
    while !message.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => message.push(byte[0]),
            _ => return None,
        }
    }
    let headers = String::from_utf8_lossy(&message).to_ascii_lowercase();
    let length = headers
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    message.extend(body);
    Some(message)
}

fn relay(mut client: TcpStream, upstream: &str, delay: std::time::Duration, count: &AtomicUsize) {
    use std::io::Write;
    while let Some(request) = read_message(&mut client) {
        std::thread::sleep(delay);
        let Ok(mut server) = TcpStream::connect(upstream) else {
            return;
        };
        if server.write_all(&request).is_err() {
            return;
        }
        let Some(response) = read_message(&mut server) else {
            return;
        };
        count.fetch_add(1, Ordering::SeqCst);
        // The client may have given up long ago; the write has landed all the same.
        if client.write_all(&response).is_err() {
            return;
        }
    }
}

/// A keep-alive HTTP front for an endpoint that closes every connection after its response, as
/// moto's single-threaded server does (HTTP/1.0) and DynamoDB does not: it keeps the client's
/// connection open across requests, sends each request upstream on a new one, and counts the
/// client connections, which is how a test sees whether a client opened a connection or reused one.
#[derive(Debug, Clone)]
pub struct KeepAliveFront {
    pub endpoint: String,
    connections: Arc<AtomicUsize>,
}

impl KeepAliveFront {
    pub fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("a bound port").port();
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let upstream = upstream.clone();
                std::thread::spawn(move || serve_keep_alive(client, &upstream));
            }
        });
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            connections,
        }
    }

    /// Client connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn serve_keep_alive(mut client: TcpStream, upstream: &str) {
    use std::io::Write;
    while let Some(request) = read_message(&mut client) {
        let Ok(mut server) = TcpStream::connect(upstream) else {
            return;
        };
        if server.write_all(&request).is_err() {
            return;
        }
        let Some(response) = read_message(&mut server) else {
            return;
        };
        if client.write_all(&kept_alive(&response)).is_err() {
            return;
        }
    }
}

/// The response as HTTP/1.1 without `Connection: close`, so the client keeps the connection.
fn kept_alive(response: &[u8]) -> Vec<u8> {
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&response[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap_or_default()
        .replacen("HTTP/1.0", "HTTP/1.1", 1);
    let mut out = status;
    for line in lines.filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str("\r\n");
            out.push_str(line);
        }
    }
    out.push_str("\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&response[head_end..]);
    bytes
}
