//! `usernames serve`'s HTTP API as an app calls it: bearer tokens verified against the issuer's
//! JWKS (a tiny JWKS server on loopback, keys generated locally for these tests only in
//! `tests/keys/`), so a forged, expired, not-yet-valid, wrong-audience, wrong-issuer or machine
//! (client-credentials) token gets 401 and its reason code on the console, and without an issuer
//! the signed-in routes answer 401 while availability stays public. An `https://` issuer's JWKS
//! comes over TLS (a server with a CA made for the test, trusted through `SSL_CERT_FILE`); a
//! certificate that is not trusted is a 401 and a sentence on the console; a plain `http://`
//! issuer is taken only on loopback. Bound beyond loopback, `serve` warns that it is for local
//! development.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KID: &str = "test-key-1";
const AUDIENCE: &str = "client-a";
const ISSUER_KEY: &[u8] = include_bytes!("keys/issuer.der");
const FORGER_KEY: &[u8] = include_bytes!("keys/forger.der");
const ISSUER_PUBLIC: &str = include_str!("keys/issuer.public.json");

/// The issuer's key set, as `/.well-known/jwks.json` serves it.
fn key_set() -> String {
    let public: Value = serde_json::from_str(ISSUER_PUBLIC).expect("public key");
    json!({"keys": [{
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": KID,
        "n": public["n"], "e": public["e"],
    }]})
    .to_string()
}

/// A JWKS server on loopback serving the issuer's public key; it stops with the test process.
fn jwks_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let set = key_set();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let wanted = String::from_utf8_lossy(&head)
                .starts_with("GET /local_pool/.well-known/jwks.json ");
            let reply = if wanted {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{set}",
                    set.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    addr
}

/// The JWKS server over TLS of `tests/jwks_tls_server.py` (on the test venv's Python, whose
/// `cryptography` makes its certificate authority), and the CA files it wrote; it stops and
/// removes them when dropped.
struct TlsJwks {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    /// The CA that signed the server's certificate (for `localhost` and `127.0.0.1`).
    ca: String,
    /// A CA that signed nothing the server shows.
    other_ca: String,
}

impl TlsJwks {
    fn start() -> Self {
        let python = integration_tests::moto::test_python();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jwks_tls_server.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(key_set())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the TLS server's first line");
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("the TLS server did not start: {line:?}"));
        Self {
            child,
            stdin,
            port: started["port"].as_u64().expect("a port") as u16,
            ca: started["ca"].as_str().expect("ca").to_owned(),
            other_ca: started["other_ca"].as_str().expect("other_ca").to_owned(),
        }
    }
}

impl Drop for TlsJwks {
    fn drop(&mut self) {
        // EOF on its stdin: it stops and removes its files.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// The server process; killed when the test ends, whether it passed or not.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// What it printed on stderr so far.
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `usernames serve --addr ADDR` with the test's settings: no table, no pool, `issuer` (if any)
/// with [`AUDIENCE`], no roots for an `https://` issuer but what a test names, and `env` on top.
fn serve_command(addr: &str, issuer: Option<&str>, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    command
        .args(["serve", "--addr", addr])
        .env_remove("USERNAMES_TABLE")
        .env_remove("USERNAMES_USER_POOL_ID")
        .env_remove("USERNAMES_JWT_ISSUER")
        .env_remove("USERNAMES_SOURCE")
        .env_remove("USERNAMES_LOG")
        .env_remove("RUST_LOG")
        // The roots of an https:// issuer: only what a test names in SSL_CERT_FILE.
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env("USERNAMES_JWT_AUDIENCE", AUDIENCE)
        .stdin(Stdio::null());
    if let Some(issuer) = issuer {
        command.env("USERNAMES_JWT_ISSUER", issuer);
    }
    command.envs(env.iter().copied());
    command
}

/// `serve` that must stop at start: its exit code and what it printed on stderr.
fn refused_at_start(issuer: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = serve_command("127.0.0.1:0", Some(issuer), env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run usernames serve");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve started with the issuer {issuer}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    (status.code(), stderr)
}

impl Server {
    fn start(issuer: Option<&str>) -> Self {
        Self::start_with(issuer, &[])
    }

    /// The server with `issuer`, and `env` set on top of the test's own settings.
    fn start_with(issuer: Option<&str>, env: &[(&str, &str)]) -> Self {
        Self::start_on("127.0.0.1:0", issuer, env)
    }

    /// The server listening on `addr`.
    fn start_on(addr: &str, issuer: Option<&str>, env: &[(&str, &str)]) -> Self {
        let mut child = serve_command(addr, issuer, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start usernames serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let banner = lines.next().expect("a banner line").expect("readable");
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the banner names the address")
            .parse()
            .expect("a socket address");
        std::thread::spawn(move || for _ in lines {});
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut from_child = BufReader::new(child.stderr.take().expect("stderr"));
        let into = stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while from_child.read_line(&mut line).is_ok_and(|n| n > 0) {
                into.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Self {
            child,
            addr,
            stderr,
        }
    }

    /// Waits (up to 10 s) until its stderr contains `text`; what it printed so far.
    fn printed(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let printed = self.stderr.lock().unwrap().clone();
            if printed.contains(text) || started.elapsed() > Duration::from_secs(10) {
                return printed;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// One HTTP/1.1 request; the status, the headers (lowercased names) and the JSON body.
    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Vec<(String, String)>, Value) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n",
            self.addr,
            body.len()
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8(raw).expect("utf-8 reply");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(body).expect("a JSON body")
        };
        (status, headers, body)
    }

    fn rename(&self, token: Option<&str>, name: &str) -> (u16, Value) {
        let (status, _, body) = self.request(
            "PUT",
            "/v1/me/username",
            token,
            &json!({ "username": name }).to_string(),
        );
        (status, body)
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A token as Cognito issues it, signed with `key`.
fn token(key: &[u8], claims: Value) -> String {
    token_with_kid(KID, key, claims)
}

fn token_with_kid(kid: &str, key: &[u8], claims: Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(&header, &claims, &EncodingKey::from_rsa_der(key)).expect("sign")
}

fn access_claims(issuer: &str, sub: &str) -> Value {
    json!({
        "sub": sub, "iss": issuer, "client_id": AUDIENCE, "token_use": "access",
        "username": sub, "scope": "aws.cognito.signin.user.admin",
        "iat": now(), "auth_time": now(), "exp": now() + 3600,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

#[test]
fn tokens_of_the_issuer_rename_and_anything_else_gets_401() {
    let jwks = jwks_server();
    let issuer = format!("http://{jwks}/local_pool");
    let server = Server::start(Some(&issuer));

    let access = token(ISSUER_KEY, access_claims(&issuer, "sub-ann"));
    let (status, body) = server.rename(Some(&access), "Melody_Rivers");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"username": "Melody_Rivers", "previous": null}));

    // An ID token names its app client in `aud`.
    let id = json!({
        "sub": "sub-bob", "iss": issuer, "aud": AUDIENCE, "token_use": "id",
        "cognito:username": "bob", "email": "bob@example.com", "exp": now() + 3600,
    });
    let (status, body) = server.rename(Some(&token(ISSUER_KEY, id.clone())), "Bob_Builder");
    assert_eq!(status, 200, "{body}");

    let refused = [
        (
            "forged",
            "bad_signature",
            token(FORGER_KEY, access_claims(&issuer, "sub-eve")),
        ),
        (
            "expired",
            "expired",
            token(
                ISSUER_KEY,
                with(access_claims(&issuer, "sub-eve"), "exp", json!(now() - 600)),
            ),
        ),
        (
            "another app client",
            "wrong_audience",
            token(
                ISSUER_KEY,
                with(
                    access_claims(&issuer, "sub-eve"),
                    "client_id",
                    json!("client-b"),
                ),
            ),
        ),
        (
            "another issuer",
            "wrong_issuer",
            token(
                ISSUER_KEY,
                access_claims("http://127.0.0.1:1/other_pool", "sub-eve"),
            ),
        ),
        (
            "this issuer named `localhost`",
            "wrong_issuer",
            token(
                ISSUER_KEY,
                access_claims(&issuer.replace("127.0.0.1", "localhost"), "sub-eve"),
            ),
        ),
        (
            "an ID token for another app client",
            "wrong_audience",
            token(ISSUER_KEY, with(id.clone(), "aud", json!("client-b"))),
        ),
        (
            "a refresh-like token_use",
            "not_a_user_token",
            token(
                ISSUER_KEY,
                with(
                    access_claims(&issuer, "sub-eve"),
                    "token_use",
                    json!("refresh"),
                ),
            ),
        ),
        (
            "a key the issuer does not have",
            "unknown_key",
            token_with_kid("another-key", ISSUER_KEY, access_claims(&issuer, "sub-eve")),
        ),
        ("garbage", "malformed", "not.a.token".to_string()),
    ];
    for (what, reason, bad) in &refused {
        let (status, body) = server.rename(Some(bad), "Eve_Online");
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["code"], "unauthorized", "{what}");
        // The console says why, as a stable code.
        let line = format!("\"reason\":\"{reason}\"");
        let printed = server.printed(&line);
        assert!(printed.contains(&line), "{what}: {printed}");
    }
    // It says what did not match, as a developer fixes it ...
    let printed = server.printed("");
    for detail in [
        format!(
            "the token's issuer is http://127.0.0.1:1/other_pool; this server trusts {issuer}\""
        ),
        format!(
            "the token's issuer is {}; this server trusts {issuer} (the same server named two \
             ways",
            issuer.replace("127.0.0.1", "localhost")
        ),
        "the token is for app client client-b; this server trusts app client client-a".into(),
        "it expired 10 min ago".into(),
        "a refresh token; send the access or ID token".into(),
    ] {
        assert!(printed.contains(&detail), "{detail}: {printed}");
    }
    // ... and never the token, its subject or an email it claims.
    assert!(!printed.contains("sub-eve"), "{printed}");
    assert!(!printed.contains("@example.com"), "{printed}");
    for (what, _, bad) in refused.iter().filter(|(what, ..)| *what != "garbage") {
        let signature = bad.rsplit('.').next().unwrap_or(bad);
        assert!(!printed.contains(signature), "{what}: {printed}");
    }
    let (status, _) = server.rename(None, "Eve_Online");
    assert_eq!(status, 401);

    // The names renamed to are taken now; the one refused to every forged token is free.
    let (status, _, body) = server.request("GET", "/v1/usernames/melody_rivers", None, "");
    assert_eq!(status, 200);
    assert_eq!(body["available"], false);
    let (_, _, body) = server.request("GET", "/v1/usernames/Eve_Online", None, "");
    assert_eq!(body["available"], true);

    // DELETE with the token gives the name up into quarantine.
    let (status, _, body) = server.request("DELETE", "/v1/me/username", Some(&access), "");
    assert_eq!(status, 200);
    assert_eq!(body, json!({"previous": "Melody_Rivers"}));
}

#[test]
fn where_names_are_the_sign_in_usernames_serve_renames_nothing() {
    let jwks = jwks_server();
    let issuer = format!("http://{jwks}/local_pool");
    let server = Server::start_with(Some(&issuer), &[("USERNAMES_SOURCE", "username")]);
    let access = token(ISSUER_KEY, access_claims(&issuer, "sub-ann"));
    let (status, body) = server.rename(Some(&access), "Melody_Rivers");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "name_immutable");
    let (status, _, body) = server.request("DELETE", "/v1/me/username", Some(&access), "");
    assert_eq!((status, &body["code"]), (403, &json!("name_immutable")));
    let (status, _, body) = server.request("GET", "/v1/usernames/Melody_Rivers", None, "");
    assert_eq!(status, 200);
    assert_eq!(body["available"], true, "nothing was written");
}

#[test]
fn a_token_not_valid_yet_gets_401_past_the_leeway() {
    let jwks = jwks_server();
    let issuer = format!("http://{jwks}/local_pool");
    let server = Server::start(Some(&issuer));
    let not_before = |nbf: i64| {
        token(
            ISSUER_KEY,
            with(access_claims(&issuer, "sub-ann"), "nbf", json!(nbf)),
        )
    };
    let (status, body) = server.rename(Some(&not_before(now() + 600)), "Melody_Rivers");
    assert_eq!((status, &body["code"]), (401, &json!("unauthorized")));
    let printed = server.printed("not_yet_valid");
    assert!(
        printed.contains("\"reason\":\"not_yet_valid\""),
        "{printed}"
    );
    let (_, _, body) = server.request("GET", "/v1/usernames/Melody_Rivers", None, "");
    assert_eq!(body["available"], true, "nothing was written");

    // A clock a second or two ahead of serve's is within the leeway, as for `exp`.
    let (status, body) = server.rename(Some(&not_before(now() + 2)), "Melody_Rivers");
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.rename(Some(&not_before(now() - 60)), "Melody_Rivers");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_machines_client_credentials_token_gets_401() {
    let jwks = jwks_server();
    let issuer = format!("http://{jwks}/local_pool");
    let server = Server::start(Some(&issuer));
    // As Cognito issues it to an app client with a secret: `sub` is the client, no user name.
    let machine = json!({
        "sub": AUDIENCE, "iss": issuer, "client_id": AUDIENCE, "token_use": "access",
        "scope": "usernames/rename", "version": 2, "jti": "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
        "iat": now(), "auth_time": now(), "exp": now() + 3600,
    });
    let without_name = |claims: Value, name: &str| {
        let mut claims = claims;
        claims.as_object_mut().expect("claims").remove(name);
        claims
    };
    let refused = [
        ("client credentials", machine),
        (
            "an access token without a username",
            without_name(access_claims(&issuer, "sub-eve"), "username"),
        ),
        (
            "an empty username",
            with(access_claims(&issuer, "sub-eve"), "username", json!("")),
        ),
        (
            "an ID token without cognito:username",
            json!({
                "sub": "sub-eve", "iss": issuer, "aud": AUDIENCE, "token_use": "id",
                "exp": now() + 3600,
            }),
        ),
    ];
    for (what, claims) in refused {
        let (status, body) = server.rename(Some(&token(ISSUER_KEY, claims)), "Machine_Name");
        assert_eq!(
            (status, &body["code"]),
            (401, &json!("unauthorized")),
            "{what}"
        );
    }
    let printed = server.printed("not_a_user_token");
    assert!(
        printed.contains("\"reason\":\"not_a_user_token\""),
        "{printed}"
    );
    let (_, _, body) = server.request("GET", "/v1/usernames/Machine_Name", None, "");
    assert_eq!(body["available"], true, "nothing was written");
}

#[test]
fn bound_beyond_loopback_serve_warns_that_anyone_there_can_call_it() {
    let warning = "without authentication";
    let open = Server::start_on("0.0.0.0:0", None, &[]);
    let printed = open.printed(warning);
    assert!(printed.contains(warning), "{printed}");
    assert!(printed.contains("local development"), "{printed}");
    assert_eq!(printed.lines().filter(|l| l.contains(warning)).count(), 1);

    let local = Server::start(None);
    let (status, _, _) = local.request("GET", "/v1/usernames/Melody_Rivers", None, "");
    assert_eq!(status, 200);
    let printed = local.printed("");
    assert!(!printed.contains(warning), "{printed}");
}

#[test]
fn an_https_issuers_keys_come_over_tls_from_a_trusted_certificate_only() {
    let jwks = TlsJwks::start();
    for host in ["localhost", "127.0.0.1"] {
        let issuer = format!("https://{host}:{}/local_pool", jwks.port);
        let access = token(ISSUER_KEY, access_claims(&issuer, "sub-ann"));

        let trusted = Server::start_with(Some(&issuer), &[("SSL_CERT_FILE", &jwks.ca)]);
        let (status, body) = trusted.rename(Some(&access), "Melody_Rivers");
        assert_eq!(status, 200, "{host}: {body} {}", trusted.printed(""));
        let refused = [
            token(FORGER_KEY, access_claims(&issuer, "sub-eve")),
            token(
                ISSUER_KEY,
                access_claims(
                    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other",
                    "sub-eve",
                ),
            ),
        ];
        for bad in refused {
            let (status, body) = trusted.rename(Some(&bad), "Eve_Online");
            assert_eq!((status, &body["code"]), (401, &json!("unauthorized")));
        }

        // Trusting only another CA: the issuer's certificate is refused, and so is the token.
        let untrusted = Server::start_with(Some(&issuer), &[("SSL_CERT_FILE", &jwks.other_ca)]);
        let (status, body) = untrusted.rename(Some(&access), "Melody_Rivers");
        assert_eq!((status, &body["code"]), (401, &json!("unauthorized")));
        assert!(body["message"].as_str().unwrap().ends_with('.'));
        let why = format!("the TLS handshake with {host}:{} failed", jwks.port);
        let printed = untrusted.printed(&why);
        assert!(printed.contains(&why), "{printed}");
        assert!(printed.contains("not trusted here"), "{printed}");
        assert!(!printed.contains("panicked"), "{printed}");
        // It goes on serving.
        let (status, _, body) = untrusted.request("GET", "/v1/usernames/Melody_Rivers", None, "");
        assert_eq!((status, &body["available"]), (200, &json!(true)));
    }

    // An https:// issuer nobody answers for: 401, and the console says so.
    let issuer = "https://127.0.0.1:1/local_pool";
    let server = Server::start_with(Some(issuer), &[("SSL_CERT_FILE", &jwks.ca)]);
    let (status, _) = server.rename(
        Some(&token(ISSUER_KEY, access_claims(issuer, "sub-ann"))),
        "Melody_Rivers",
    );
    assert_eq!(status, 401);
    let printed = server.printed("cannot connect to 127.0.0.1:1");
    assert!(
        printed.contains("cannot connect to 127.0.0.1:1"),
        "{printed}"
    );
}

#[test]
fn an_https_issuer_without_trusted_roots_stops_serve_at_start() {
    let empty = std::env::temp_dir().join(format!("usernames-no-roots-{}.pem", std::process::id()));
    std::fs::write(&empty, "").expect("an empty roots file");
    let roots = empty.to_str().expect("a UTF-8 temporary path");
    let (status, stderr) = refused_at_start(
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
        &[("SSL_CERT_FILE", roots)],
    );
    let _ = std::fs::remove_file(&empty);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("USERNAMES_JWT_ISSUER"), "{stderr}");
    assert!(stderr.contains("no trusted root certificate"), "{stderr}");
}

#[test]
fn a_plain_http_issuer_is_taken_on_loopback_only() {
    // Anyone between serve and such an issuer could hand it keys of their own, and sign in as
    // anyone: serve refuses to start.
    for issuer in [
        "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
        "http://192.168.1.20:9229/local_pool",
        "http://[2001:db8::1]:9229/local_pool",
        "http://localhost.example.com:9229/local_pool",
        "http://127.0.0.1.nip.io:9229/local_pool",
    ] {
        let (status, stderr) = refused_at_start(issuer, &[]);
        assert_eq!(status, Some(2), "{issuer}: {stderr}");
        assert!(
            stderr.contains("USERNAMES_JWT_ISSUER"),
            "{issuer}: {stderr}"
        );
        assert!(stderr.contains("https://"), "{issuer}: {stderr}");
        assert!(!stderr.contains("panicked"), "{issuer}: {stderr}");
    }

    // cognito-local's issuers: localhost and 127.0.0.1 (the other tests) over plain http://.
    let jwks = jwks_server();
    let issuer = format!("http://localhost:{}/local_pool", jwks.port());
    let server = Server::start(Some(&issuer));
    let access = token(ISSUER_KEY, access_claims(&issuer, "sub-ann"));
    let (status, body) = server.rename(Some(&access), "Melody_Rivers");
    assert_eq!(status, 200, "{body} {}", server.printed(""));
}

#[test]
fn without_an_issuer_only_availability_answers() {
    let server = Server::start(None);
    let access = token(ISSUER_KEY, access_claims("http://127.0.0.1:1/p", "sub-ann"));
    let (status, body) = server.rename(Some(&access), "Melody_Rivers");
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    assert!(body["message"].as_str().unwrap().ends_with('.'));
    let (status, _, body) = server.request("GET", "/v1/usernames/J%C3%BCrgen", None, "");
    assert_eq!(status, 200);
    assert_eq!(body, json!({"name": "Jürgen", "available": true}));
}

#[test]
fn browsers_get_cors_headers_and_a_preflight_answer() {
    let server = Server::start(None);
    let (status, headers, _) = server.request("OPTIONS", "/v1/me/username", None, "");
    assert_eq!(status, 204);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("*"));
    assert!(header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let (_, headers, _) = server.request("GET", "/v1/usernames/ab", None, "");
    assert!(headers
        .iter()
        .any(|(n, v)| n == "access-control-allow-origin" && v == "*"));
}
