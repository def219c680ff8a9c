//! Bearer tokens for `usernames serve`'s HTTP API: what API Gateway's JWT authorizer does when
//! deployed, done here against the issuer's JWKS (RS256 signature, `exp`, `nbf`, `iss`,
//! audience), then the rule both edges share that only a user's token names a caller
//! (`Caller::of_user_token`), so that an app built against `serve` works unchanged against the
//! deployed API. A refused token is logged by its [`Refusal`] code, never with its claims.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use shared::api::{Caller, NotAUserToken};
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
/// or on loopback cognito-local's `http://localhost:9229/<pool>`); its keys are
/// `<issuer>/.well-known/jwks.json`.
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
/// Clock skew tolerated on `exp` and `nbf`.
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
/// `http://` on loopback only (a local issuer such as cognito-local).
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

/// Why a bearer token was refused: the caller sees only 401 `unauthorized`, the console this
/// code (`reason`), so that a developer can tell a wrong audience from a clock ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is not a JWT")]
    Malformed,
    #[error("the token is not signed with RS256")]
    Algorithm,
    #[error("the token's key is not in the issuer's key set")]
    UnknownKey,
    #[error("the issuer's key set could not be read")]
    KeysUnavailable,
    #[error("the token's signature does not match the issuer's key")]
    Signature,
    #[error("the token is of another issuer")]
    Issuer,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token lacks a claim it needs (exp, iss, sub), or one is not of its type")]
    Claims,
    #[error("{0}")]
    NotAUser(#[from] NotAUserToken),
    #[error("the token is for another app client")]
    Audience,
}

impl Refusal {
    /// Stable snake_case code, for the log line.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotBearer => "not_bearer",
            Self::Malformed => "malformed",
            Self::Algorithm => "unsupported_algorithm",
            Self::UnknownKey => "unknown_key",
            Self::KeysUnavailable => "keys_unavailable",
            Self::Signature => "bad_signature",
            Self::Issuer => "wrong_issuer",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Claims => "malformed_claims",
            Self::NotAUser(not) => not.code(),
            Self::Audience => "wrong_audience",
        }
    }

    /// The reason `jsonwebtoken` refused a token whose header named a known key.
    fn of(error: &jsonwebtoken::errors::Error) -> Self {
        match error.kind() {
            ErrorKind::InvalidSignature => Self::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Self::Algorithm,
            ErrorKind::InvalidIssuer => Self::Issuer,
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => Self::Claims,
            _ => Self::Malformed,
        }
    }
}

/// A refused token: the reason, and what did not match when that helps (for the log only).
#[derive(Debug)]
struct Refused {
    reason: Refusal,
    detail: Option<String>,
}

impl Refused {
    fn because(reason: Refusal, detail: String) -> Self {
        Self {
            reason,
            detail: Some(detail),
        }
    }
}

impl From<Refusal> for Refused {
    fn from(reason: Refusal) -> Self {
        Self {
            reason,
            detail: None,
        }
    }
}

/// What the log says of a token of another issuer: both issuers, and when they differ only by
/// how they name this machine (`localhost` against `127.0.0.1`), that this is the cause.
fn issuer_mismatch(theirs: &str, ours: &str) -> String {
    let same_machine = |url: &str| {
        url.replacen("://localhost", "://127.0.0.1", 1)
            .replacen("://[::1]", "://127.0.0.1", 1)
    };
    let hint = if same_machine(theirs) == same_machine(ours) {
        " (the same server named two ways: set the trusted issuer exactly as the tokens' `iss` \
         names it)"
    } else {
        ""
    };
    format!(
        "the token's issuer is {}; this server trusts {ours}{hint}",
        shorten(theirs)
    )
}

/// At most 200 characters of a claim, for the log.
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A span of seconds as a person reads it: `42 s`, `5 min`, `3 h`, `2 d`.
fn seconds(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7_199 => format!("{} min", secs / 60),
        7_200..=172_799 => format!("{} h", secs / 3_600),
        _ => format!("{} d", secs / 86_400),
    }
}

impl Verifier {
    /// The verifier of the configured issuer; `None` without one (then the signed-in routes
    /// answer 401).
    pub fn from_env(env: &impl EnvSource) -> Result<Option<Self>, ConfigError> {
        let Some(issuer) = env.var(ENV_JWT_ISSUER) else {
            return Ok(None);
        };
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
        Self::new(&issuer, audiences)
            .map(Some)
            .map_err(|reason| ConfigError::new(ENV_JWT_ISSUER, reason))
    }

    /// The verifier of `issuer` for tokens of `audiences` (app client ids; empty, any client of
    /// the issuer). The error is a sentence that names the issuer.
    pub fn new(issuer: &str, audiences: Vec<String>) -> Result<Self, String> {
        let issuer = issuer.trim().trim_end_matches('/').to_string();
        let jwks = JwksUrl::of_issuer(&issuer, trusted_roots)
            .map_err(|reason| format!("`{issuer}` {reason}"))?;
        Ok(Self {
            issuer,
            audiences,
            jwks,
            keys: RwLock::new(HashMap::new()),
            fetched: Mutex::new(None),
        })
    }

    /// What the verifier trusts, for `serve`'s banner.
    pub fn describe(&self) -> String {
        let audience = if self.audiences.is_empty() {
            "any audience".to_owned()
        } else {
            format!("audience {}", self.audiences.join(", "))
        };
        format!(
            "signed-in routes trust user tokens of issuer {} ({audience}; keys from {}); a \
             refused token is logged with its reason",
            self.issuer,
            self.keys_url()
        )
    }

    /// The caller a request's `Authorization` header proves; `None` for anything else (absent,
    /// malformed, forged, expired or not yet valid, another issuer or audience, an unknown key,
    /// not a user's token). A header that was there and is refused is logged with its reason
    /// code and, where it helps a developer, what did not match (issuers, app client ids, times):
    /// never the token, its subject or any attribute.
    pub async fn verify(&self, authorization: Option<&str>) -> Option<Caller> {
        // No header: an anonymous request, not a refused token.
        let authorization = authorization?;
        self.check(authorization)
            .await
            .inspect_err(|refused| match &refused.detail {
                Some(detail) => tracing::warn!(
                    reason = refused.reason.code(),
                    detail = detail.as_str(),
                    "bearer token refused: {}",
                    refused.reason
                ),
                None => tracing::warn!(
                    reason = refused.reason.code(),
                    "bearer token refused: {}",
                    refused.reason
                ),
            })
            .ok()
    }

    /// The JWKS URL, for the log.
    fn keys_url(&self) -> String {
        let scheme = if self.jwks.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}{}", self.jwks.authority, self.jwks.path)
    }

    /// The signature (and algorithm) by `jsonwebtoken`; then each claim here, in the order a
    /// developer fixes them, so that the log can say what the token carried against what this
    /// server expects. Claims are read only from a token whose signature is the issuer's.
    async fn check(&self, authorization: &str) -> Result<Caller, Refused> {
        let token = authorization
            .strip_prefix("Bearer ")
            .or_else(|| authorization.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(Refusal::NotBearer)?;
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Algorithm.into());
        }
        let kid = header.kid.ok_or(Refusal::UnknownKey)?;
        let key = self.key(&kid).await.map_err(|reason| match reason {
            Refusal::UnknownKey => Refused::because(
                reason,
                format!(
                    "the key set at {} has no key with the token's `kid` (a token of another \
                     issuer, or of an earlier run of a local one)",
                    self.keys_url()
                ),
            ),
            other => Refused::from(other),
        })?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // Time, issuer and audience are checked below, where the log can say what they were.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<HashMap<String, Value>>(token, &key, &validation)
            .map_err(|e| Refusal::of(&e))?
            .claims;
        let claim = |name: &str| claims.get(name).and_then(Value::as_str);

        let issuer = claim("iss").ok_or(Refusal::Claims)?;
        if issuer != self.issuer {
            return Err(Refused::because(
                Refusal::Issuer,
                issuer_mismatch(issuer, &self.issuer),
            ));
        }
        let now = jsonwebtoken::get_current_timestamp();
        let time = |name: &str| -> Result<Option<u64>, Refused> {
            match claims.get(name) {
                None => Ok(None),
                Some(value) => match value.as_f64() {
                    Some(at) if at >= 0.0 => Ok(Some(at as u64)),
                    _ => Err(Refusal::Claims.into()),
                },
            }
        };
        let expires = time("exp")?.ok_or(Refusal::Claims)?;
        if expires.saturating_add(LEEWAY_SECS) <= now {
            return Err(Refused::because(
                Refusal::Expired,
                format!(
                    "it expired {} ago (sign in again, or refresh the tokens)",
                    seconds(now - expires)
                ),
            ));
        }
        // Checked when present, as Cognito's tokens may carry it; absent, nothing to check.
        if let Some(not_before) = time("nbf")? {
            if not_before > now.saturating_add(LEEWAY_SECS) {
                return Err(Refused::because(
                    Refusal::NotYetValid,
                    format!(
                        "it is valid only in {} (is this machine's clock behind the issuer's?)",
                        seconds(not_before - now)
                    ),
                ));
            }
        }
        let caller = Caller::of_user_token(claim).map_err(|not| {
            let kind = match claim("token_use") {
                Some(kind @ ("access" | "id")) => format!(
                    "an {kind} token without `sub` or the user's name (`username`, \
                     `cognito:username`)"
                ),
                Some("refresh") => "a refresh token; send the access or ID token".to_owned(),
                Some(_) => "its `token_use` is neither `access` nor `id`".to_owned(),
                None => {
                    "it has no `token_use` (a machine's or another service's token?)".to_owned()
                }
            };
            Refused::because(Refusal::NotAUser(not), kind)
        })?;
        // Cognito names the app client in `client_id` of an access token, `aud` of an ID token.
        let audience: Vec<&str> = match claim("token_use") {
            Some("access") => claim("client_id").into_iter().collect(),
            _ => match claims.get("aud") {
                Some(Value::String(aud)) => vec![aud.as_str()],
                Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            },
        };
        let for_us = if self.audiences.is_empty() {
            !audience.is_empty()
        } else {
            audience
                .iter()
                .any(|a| self.audiences.iter().any(|ours| ours == a))
        };
        if !for_us {
            let theirs = if audience.is_empty() {
                "no app client".to_owned()
            } else {
                format!("app client {}", shorten(&audience.join(", ")))
            };
            let ours = if self.audiences.is_empty() {
                "any app client of the issuer".to_owned()
            } else {
                format!("app client {}", self.audiences.join(", "))
            };
            return Err(Refused::because(
                Refusal::Audience,
                format!("the token is for {theirs}; this server trusts {ours}"),
            ));
        }
        Ok(caller)
    }

    /// The key `kid`, fetching the JWKS when it is unknown (a rotation), at most once per
    /// [`REFRESH_INTERVAL`].
    async fn key(&self, kid: &str) -> Result<DecodingKey, Refusal> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        let mut fetched = self.fetched.lock().await;
        // Another request may have fetched the keys while this one waited.
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        if fetched.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL) {
            return Err(Refusal::UnknownKey);
        }
        *fetched = Some(Instant::now());
        match tokio::time::timeout(FETCH_TIMEOUT, self.jwks.fetch()).await {
            Ok(Ok(keys)) => {
                let mut cached = self.keys.write().await;
                *cached = keys;
                cached.get(kid).cloned().ok_or(Refusal::UnknownKey)
            }
            Ok(Err(reason)) => {
                eprintln!("usernames serve: cannot read the issuer's keys: {reason}");
                Err(Refusal::KeysUnavailable)
            }
            Err(_) => {
                eprintln!("usernames serve: the issuer's keys did not arrive in time");
                Err(Refusal::KeysUnavailable)
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
        // Keys over plain http:// can be swapped by anyone on the way, who could then sign in as
        // anyone; on loopback the way is this machine.
        if !https && !is_loopback(host) {
            return Err(
                "is plain http:// to a host other than this machine, where anyone on \
                 the way could swap in keys of their own: use the issuer's https:// URL, or plain \
                 http:// only on loopback (localhost, 127.0.0.0/8 or [::1]), as for cognito-local"
                    .into(),
            );
        }
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

/// Whether the host of an authority is this machine: `localhost`, an address of 127.0.0.0/8, or
/// `[::1]`. Names are not resolved: any other name may point anywhere.
fn is_loopback(host: &str) -> bool {
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || literal
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
        assert!(JwksUrl::of_issuer("http://localhost/p", || panic!("not read")).is_ok());
    }

    #[test]
    fn plain_http_issuers_are_taken_on_loopback_only() {
        for local in [
            "http://localhost:9229/local_pool",
            "http://LocalHost/p",
            "http://127.0.0.1:9229/p",
            "http://127.255.0.9/p",
            "http://[::1]:9229/p",
        ] {
            assert!(JwksUrl::of_issuer(local, no_roots).is_ok(), "{local}");
        }
        for remote in [
            "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            "http://192.168.1.20:9229/p",
            "http://0.0.0.0:9229/p",
            "http://128.0.0.1/p",
            "http://[::ffff:127.0.0.1]/p",
            "http://[2001:db8::1]/p",
            "http://localhost.example.com/p",
            "http://127.0.0.1.nip.io/p",
            "http://127.1/p",
        ] {
            let refused = JwksUrl::of_issuer(remote, no_roots)
                .err()
                .unwrap_or_default();
            assert!(refused.contains("https://"), "{remote}: {refused}");
        }
        // https:// is taken for any host.
        assert!(JwksUrl::of_issuer("https://192.168.1.20:8443/p", no_roots).is_ok());
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

    #[test]
    fn every_refusal_has_its_own_code() {
        let refusals = [
            Refusal::NotBearer,
            Refusal::Malformed,
            Refusal::Algorithm,
            Refusal::UnknownKey,
            Refusal::KeysUnavailable,
            Refusal::Signature,
            Refusal::Issuer,
            Refusal::Expired,
            Refusal::NotYetValid,
            Refusal::Claims,
            Refusal::NotAUser(NotAUserToken),
            Refusal::Audience,
        ];
        let mut codes: Vec<_> = refusals.iter().map(Refusal::code).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), refusals.len());
    }

    #[test]
    fn an_issuer_that_names_this_machine_another_way_is_pointed_out() {
        let ours = "http://127.0.0.1:9229/local_pool";
        let hinted = issuer_mismatch("http://localhost:9229/local_pool", ours);
        assert!(hinted.contains("named two ways"), "{hinted}");
        assert!(issuer_mismatch("http://[::1]:9229/local_pool", ours).contains("two ways"));
        let other = issuer_mismatch("http://localhost:9229/other_pool", ours);
        assert_eq!(
            other,
            "the token's issuer is http://localhost:9229/other_pool; this server trusts \
             http://127.0.0.1:9229/local_pool"
        );
        assert_eq!(shorten(&"x".repeat(300)).chars().count(), 201);
    }

    #[test]
    fn spans_are_said_in_a_sensible_unit() {
        assert_eq!(seconds(0), "0 s");
        assert_eq!(seconds(119), "119 s");
        assert_eq!(seconds(600), "10 min");
        assert_eq!(seconds(7_200), "2 h");
        assert_eq!(seconds(3 * 86_400), "3 d");
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
