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
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

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

/// Where the keys are: only `http://` (a local issuer such as cognito-local); `serve` has no TLS
/// client of its own.
#[derive(Debug, Clone)]
struct JwksUrl {
    authority: String,
    path: String,
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
        let jwks = JwksUrl::of_issuer(&issuer).ok_or_else(|| {
            ConfigError::new(
                ENV_JWT_ISSUER,
                format!(
                    "`{issuer}` is not an http:// URL (serve fetches the keys of a local issuer \
                     such as cognito-local, like http://localhost:9229/local_pool)"
                ),
            )
        })?;
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

impl JwksUrl {
    fn of_issuer(issuer: &str) -> Option<Self> {
        let rest = issuer.strip_prefix("http://")?;
        let (authority, base) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return None;
        }
        Some(Self {
            authority: authority.to_string(),
            path: format!("{base}/.well-known/jwks.json"),
        })
    }

    /// The RSA keys of the set, by `kid`. Errors are for the console, never for callers.
    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, String> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.authority))?;
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
    fn issuers_are_local_http_urls_and_audiences_a_list() {
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
        assert_eq!(verifier.jwks.path, "/local_pool/.well-known/jwks.json");
        for bad in [
            "https://cognito-idp.eu-west-1.amazonaws.com/x",
            "http://",
            "pool",
        ] {
            let err = Verifier::from_env(&env(&[(ENV_JWT_ISSUER, bad)]))
                .err()
                .unwrap();
            assert_eq!(err.var, ENV_JWT_ISSUER, "{bad}");
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
