//! Bearer tokens for `usernames serve`'s HTTP API: what API Gateway's JWT authorizer does when
//! deployed, done here against the issuer's JWKS (RS256 signature, `exp`, `iss`, `token_use`,
//! audience), so that an app built against `serve` works unchanged against the deployed API.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use shared::api::Caller;
use shared::env::{ConfigError, EnvSource};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Mutex, RwLock};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The issuer whose tokens `serve` accepts (`https://cognito-idp.<region>.amazonaws.com/<pool>`,
/// or cognito-local's `http://localhost:9229/<pool>`); its keys are `<issuer>/.well-known/jwks.json`.
pub const ENV_JWT_ISSUER: &str = "USERNAMES_JWT_ISSUER";
/// The app client ids a token may be for, comma-separated; unset, any client of the issuer.
pub const ENV_JWT_AUDIENCE: &str = "USERNAMES_JWT_AUDIENCE";

/// The least time between two fetches of the JWKS, so that tokens with made-up key ids cannot
/// make `serve` hammer the issuer.
const REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// How long a JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWKS document read.
const MAX_JWKS: usize = 256 * 1024;
/// Clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 5;

/// Verifies bearer tokens of one issuer.
pub struct Verifier {
    issuer: String,
    audiences: Vec<String>,
    jwks: JwksUrl,
    keys: RwLock<HashMap<String, DecodingKey>>,
    fetched: Mutex<Option<Instant>>,
}

/// Where the keys are: `<issuer>/.well-known/jwks.json`, over `https://` (Cognito's issuers) or
/// `http://` (a local issuer such as cognito-local).
#[derive(Clone)]
struct JwksUrl {
    /// The issuer's authority as written: the `Host` header.
    authority: String,
    /// `host:port` to connect to (443 or 80 when the issuer names no port).
    address: String,
    path: String,
    /// For `https://`: the TLS client, and the name the certificate must carry.
    tls: Option<Tls>,
}

#[derive(Clone)]
struct Tls {
    connector: TlsConnector,
    server_name: ServerName<'static>,
}

/// The claims `serve` looks at; any others are ignored.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    token_use: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default, rename = "cognito:username")]
    cognito_username: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Verifier {
    /// The verifier of the configured issuer; `None` without one (then the signed-in routes
    /// answer 401).
    pub fn from_env(env: &impl EnvSource) -> Result<Option<Self>, ConfigError> {
        let Some(issuer) = env.var(ENV_JWT_ISSUER) else {
            return Ok(None);
        };
        let issuer = issuer.trim().trim_end_matches('/').to_string();
        let jwks = JwksUrl::of_issuer(&issuer, trusted_roots)
            .map_err(|reason| ConfigError::new(ENV_JWT_ISSUER, format!("`{issuer}` {reason}")))?;
        let audiences = env
            .var(ENV_JWT_AUDIENCE)
            .map(|raw| {
                raw.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(Self {
            issuer,
            audiences,
            jwks,
            keys: RwLock::new(HashMap::new()),
            fetched: Mutex::new(None),
        }))
    }

    /// The caller a request's `Authorization` header proves; `None` for anything else (absent,
    /// malformed, forged, expired, another issuer or audience, an unknown key).
    pub async fn verify(&self, authorization: Option<&str>) -> Option<Caller> {
        let token = authorization?
            .strip_prefix("Bearer ")
            .or_else(|| authorization?.strip_prefix("bearer "))?
            .trim();
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::RS256 {
            return None;
        }
        let kid = header.kid?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false;
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .ok()?
            .claims;
        let audience = match claims.token_use.as_str() {
            "access" => claims.client_id.into_iter().collect::<Vec<_>>(),
            "id" => match claims.aud {
                Some(Audience::One(aud)) => vec![aud],
                Some(Audience::Many(auds)) => auds,
                None => Vec::new(),
            },
            _ => return None,
        };
        let for_us = if self.audiences.is_empty() {
            !audience.is_empty()
        } else {
            audience.iter().any(|a| self.audiences.contains(a))
        };
        if !for_us || claims.sub.is_empty() {
            return None;
        }
        Some(Caller {
            sub: claims.sub,
            username: claims.username.or(claims.cognito_username),
        })
    }

    /// The key `kid`, fetching the JWKS when it is unknown (a rotation), at most once per
    /// [`REFRESH_INTERVAL`].
    async fn key(&self, kid: &str) -> Option<DecodingKey> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Some(key.clone());
        }
        let mut fetched = self.fetched.lock().await;
        // Another request may have fetched the keys while this one waited.
        if let Some(key) = self.keys.read().await.get(kid) {
            return Some(key.clone());
        }
        if fetched.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL) {
            return None;
        }
        *fetched = Some(Instant::now());
        match tokio::time::timeout(FETCH_TIMEOUT, self.jwks.fetch()).await {
            Ok(Ok(keys)) => {
                let mut cached = self.keys.write().await;
                *cached = keys;
                cached.get(kid).cloned()
            }
            Ok(Err(reason)) => {
                eprintln!("usernames serve: cannot read the issuer's keys: {reason}");
                None
            }
            Err(_) => {
                eprintln!("usernames serve: the issuer's keys did not arrive in time");
                None
            }
        }
    }
}

/// The roots an `https://` issuer's certificate must chain to: the platform's store, or, when
/// `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, the certificates there instead (a test CA, a
/// proxy's). Read once, at init.
fn trusted_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(format!(
            "is https://, but no trusted root certificate was found to check it with (the \
             platform's store, or SSL_CERT_FILE / SSL_CERT_DIR){why}"
        ));
    }
    Ok(roots)
}

impl JwksUrl {
    /// The JWKS URL of `issuer`; `roots` is called only for an `https://` issuer. Errors finish
    /// the sentence "`<issuer>` ...".
    fn of_issuer(
        issuer: &str,
        roots: impl FnOnce() -> Result<RootCertStore, String>,
    ) -> Result<Self, String> {
        const NOT_A_URL: &str = "is not an https:// or http:// URL (a Cognito issuer, like \
             https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123, or a local one such as \
             cognito-local's http://localhost:9229/local_pool)";
        let (rest, https) = match (
            issuer.strip_prefix("https://"),
            issuer.strip_prefix("http://"),
        ) {
            (Some(rest), _) => (rest, true),
            (None, Some(rest)) => (rest, false),
            (None, None) => return Err(NOT_A_URL.into()),
        };
        let (authority, base) = match rest.find(['/', '?', '#']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if base.contains(['?', '#']) {
            return Err("has a query or fragment; an issuer is a plain URL".into());
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| NOT_A_URL.to_string())?;
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let tls = if https {
            // An IPv6 literal is named without its brackets.
            let name = host.trim_start_matches('[').trim_end_matches(']');
            let server_name = ServerName::try_from(name.to_string())
                .map_err(|_| format!("names no valid host for TLS (`{host}`)"))?;
            let config = ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot be reached over TLS here: {e}"))?
            .with_root_certificates(roots()?)
            .with_no_client_auth();
            Some(Tls {
                connector: TlsConnector::from(Arc::new(config)),
                server_name,
            })
        } else {
            None
        };
        Ok(Self {
            authority: authority.to_string(),
            address: format!("{host}:{port}"),
            path: format!("{base}/.well-known/jwks.json"),
            tls,
        })
    }

    /// The RSA keys of the set, by `kid`. Errors are for the console, never for callers.
    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, String> {
        let stream = tokio::net::TcpStream::connect(&self.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.address))?;
        let Some(tls) = &self.tls else {
            return self.get(stream).await;
        };
        let stream = tls
            .connector
            .connect(tls.server_name.clone(), stream)
            .await
            .map_err(|e| {
                let certificate = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                    .is_some_and(|e| {
                        matches!(
                            e,
                            rustls::Error::InvalidCertificate(_)
                                | rustls::Error::NoCertificatesPresented
                        )
                    });
                let hint = if certificate {
                    " (its certificate is not trusted here: SSL_CERT_FILE or SSL_CERT_DIR name \
                     the roots to trust instead of the platform's)"
                } else {
                    ""
                };
                format!(
                    "the TLS handshake with {} failed: {e}{hint}",
                    self.authority
                )
            })?;
        self.get(stream).await
    }

    /// `GET` of the JWKS over an open connection.
    async fn get(
        &self,
        stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    ) -> Result<HashMap<String, DecodingKey>, String> {
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let request = Request::get(&self.path)
            .header(hyper::header::HOST, &self.authority)
            .header(hyper::header::ACCEPT, "application/json")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != StatusCode::OK {
            return Err(format!("{} answered {}", self.path, response.status()));
        }
        let body = Limited::new(response.into_body(), MAX_JWKS)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let set: JwkSet =
            serde_json::from_slice(&body).map_err(|_| "the JWKS is not a key set".to_string())?;
        Ok(set
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                Some((kid, DecodingKey::from_jwk(jwk).ok()?))
            })
            .collect())
    }
}

/// `host` and the port, if any, of an authority (`example.com`, `localhost:9229`, `[::1]:443`);
/// `None` when it is empty, carries user information or a port that is not a number.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let (host, rest) = authority.split_at(end);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn issuers_are_http_or_https_urls_and_audiences_a_list() {
        assert!(Verifier::from_env(&env(&[])).unwrap().is_none());
        let verifier = Verifier::from_env(&env(&[
            (ENV_JWT_ISSUER, "http://localhost:9229/local_pool/"),
            (ENV_JWT_AUDIENCE, " a, b ,,"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(verifier.issuer, "http://localhost:9229/local_pool");
        assert_eq!(verifier.audiences, ["a", "b"]);
        assert_eq!(verifier.jwks.authority, "localhost:9229");
        assert_eq!(verifier.jwks.address, "localhost:9229");
        assert_eq!(verifier.jwks.path, "/local_pool/.well-known/jwks.json");
        assert!(verifier.jwks.tls.is_none());
        for bad in [
            "ftp://x/p",
            "http://",
            "https://:443/p",
            "pool",
            "http://a@b/p",
        ] {
            let err = Verifier::from_env(&env(&[(ENV_JWT_ISSUER, bad)]))
                .err()
                .unwrap();
            assert_eq!(err.var, ENV_JWT_ISSUER, "{bad}");
        }
    }

    fn no_roots() -> Result<RootCertStore, String> {
        Ok(RootCertStore::empty())
    }

    #[test]
    fn https_issuers_get_tls_on_port_443_unless_they_name_one() {
        let cognito = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123";
        let url = JwksUrl::of_issuer(cognito, no_roots).unwrap();
        assert_eq!(url.address, "cognito-idp.eu-west-1.amazonaws.com:443");
        assert_eq!(url.authority, "cognito-idp.eu-west-1.amazonaws.com");
        assert_eq!(url.path, "/eu-west-1_AbC123/.well-known/jwks.json");
        let tls = url.tls.expect("TLS");
        assert_eq!(
            tls.server_name.to_str(),
            "cognito-idp.eu-west-1.amazonaws.com"
        );
        let local = JwksUrl::of_issuer("https://[::1]:8443/p", no_roots).unwrap();
        assert_eq!(local.address, "[::1]:8443");
        assert_eq!(local.tls.expect("TLS").server_name.to_str(), "::1");
        assert_eq!(
            JwksUrl::of_issuer("http://127.0.0.1/p", no_roots)
                .unwrap()
                .address,
            "127.0.0.1:80"
        );
        // Roots are read only for https://, and none found stops init with a sentence.
        let refused = JwksUrl::of_issuer(cognito, || Err("no roots".into()));
        assert_eq!(refused.err().as_deref(), Some("no roots"));
        assert!(JwksUrl::of_issuer("http://x/p", || panic!("not read")).is_ok());
    }

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(split_host_port("a.b"), Some(("a.b", None)));
        assert_eq!(split_host_port("a.b:9229"), Some(("a.b", Some(9229))));
        assert_eq!(split_host_port("[::1]"), Some(("[::1]", None)));
        assert_eq!(split_host_port("[::1]:1"), Some(("[::1]", Some(1))));
        for bad in ["", ":1", "a:b", "a:99999", "u@h", "[::1", "[::1]x"] {
            assert_eq!(split_host_port(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn malformed_headers_are_refused_without_fetching() {
        let verifier = Verifier::from_env(&env(&[(ENV_JWT_ISSUER, "http://127.0.0.1:9/p")]))
            .unwrap()
            .unwrap();
        for header in [
            None,
            Some("Basic abc"),
            Some("Bearer "),
            Some("Bearer a.b.c"),
        ] {
            assert_eq!(verifier.verify(header).await, None, "{header:?}");
        }
        assert!(verifier.fetched.lock().await.is_none());
    }
}
