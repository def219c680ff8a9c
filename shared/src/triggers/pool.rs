//! The one question pre-sign-up asks the user pool: does the holder of a reservation that collided
//! with this sign-up still exist? Only on a collision with another holder's pending reservation
//! that shares the sign-up's email or phone, so a normal sign-up makes no Cognito call at all.
//!
//! `AdminGetUser` is strongly consistent (unlike `ListUsers`), so a holder who signed up a second
//! ago is found. The answer decides only whether such a sign-up is admitted as a retry of a failed
//! one; any doubt (no pool configured, Cognito failing or slow) answers as if the holder existed,
//! which refuses the name as taken, exactly as for someone who does not share the contact.

use crate::env::EnvSource;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_types::SdkConfig;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use thiserror::Error;

/// Whether a `userName` is a user of the pool now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Exists,
    /// `UserNotFoundException`: never created (the sign-up failed after its reservation landed),
    /// or deleted since.
    Gone,
}

/// Why the pool gave no answer. Never shown to anyone: the sign-up answers as for a taken name.
#[derive(Debug, Error)]
pub enum LookupError {
    #[error("no user pool is configured to ask")]
    NoPool,
    #[error("the user pool did not answer: {0}")]
    Unavailable(String),
}

/// A future that answers [`PoolUsers::presence`].
pub type PresenceFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Presence, LookupError>> + Send + 'a>>;

/// The users of the pools whose events the triggers answer.
pub trait PoolUsers: Send + Sync {
    /// Whether `user_name` is a user of `pool_id`, asked with a strongly consistent read.
    fn presence<'a>(&'a self, pool_id: &'a str, user_name: &'a str) -> PresenceFuture<'a>;
}

/// No pool to ask (the CLI without a Cognito endpoint or region): every lookup is a doubt.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPool;

impl PoolUsers for NoPool {
    fn presence<'a>(&'a self, _pool_id: &'a str, _user_name: &'a str) -> PresenceFuture<'a> {
        Box::pin(std::future::ready(Err(LookupError::NoPool)))
    }
}

/// Cognito through the SDK. The client is built on the first lookup, not at init: most sign-ups
/// never need it, and a function's cold start stays as it was.
#[derive(Debug)]
pub struct CognitoUsers {
    config: SdkConfig,
    endpoint: Option<String>,
    client: OnceLock<aws_sdk_cognitoidentityprovider::Client>,
}

impl CognitoUsers {
    /// Cognito with `config` (its time limits included), at
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` when that is set.
    pub fn new(config: SdkConfig, env: &impl EnvSource) -> Self {
        Self {
            config,
            endpoint: env.var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
            client: OnceLock::new(),
        }
    }

    /// Cognito through a client built already (tests on a local endpoint).
    pub fn with_client(client: aws_sdk_cognitoidentityprovider::Client) -> Self {
        let config = SdkConfig::builder().build();
        let built = OnceLock::new();
        let _ = built.set(client);
        Self {
            config,
            endpoint: None,
            client: built,
        }
    }

    fn client(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        self.client.get_or_init(|| {
            let mut builder = aws_sdk_cognitoidentityprovider::config::Builder::from(&self.config);
            if let Some(endpoint) = &self.endpoint {
                builder = builder.endpoint_url(endpoint);
            }
            aws_sdk_cognitoidentityprovider::Client::from_conf(builder.build())
        })
    }
}

impl PoolUsers for CognitoUsers {
    fn presence<'a>(&'a self, pool_id: &'a str, user_name: &'a str) -> PresenceFuture<'a> {
        Box::pin(async move {
            let asked = self
                .client()
                .admin_get_user()
                .user_pool_id(pool_id)
                .username(user_name)
                .send()
                .await;
            match asked {
                Ok(_) => Ok(Presence::Exists),
                Err(e) => match e.as_service_error() {
                    Some(AdminGetUserError::UserNotFoundException(_)) => Ok(Presence::Gone),
                    // Only the error's code: SDK messages can quote the user name.
                    Some(service) => Err(LookupError::Unavailable(
                        aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::code(service)
                            .unwrap_or("unknown")
                            .to_owned(),
                    )),
                    None => Err(LookupError::Unavailable("no answer".into())),
                },
            }
        })
    }
}

/// A pool in memory, for tests: the `userName`s it has, and how many lookups it answered.
#[derive(Debug, Default)]
pub struct MemoryPool {
    users: Mutex<HashSet<String>>,
    lookups: std::sync::atomic::AtomicUsize,
}

impl MemoryPool {
    pub fn new() -> Self {
        Self::default()
    }

    /// The pool has `user_name` from now on (as `SignUp` or `AdminCreateUser` created it).
    pub fn add(&self, user_name: &str) {
        self.lock().insert(user_name.to_owned());
    }

    /// The pool no longer has `user_name` (`AdminDeleteUser`).
    pub fn remove(&self, user_name: &str) {
        self.lock().remove(user_name);
    }

    /// How many times the pool was asked.
    pub fn lookups(&self) -> usize {
        self.lookups.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl PoolUsers for MemoryPool {
    fn presence<'a>(&'a self, _pool_id: &'a str, user_name: &'a str) -> PresenceFuture<'a> {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let present = self.lock().contains(user_name);
        Box::pin(std::future::ready(Ok(if present {
            Presence::Exists
        } else {
            Presence::Gone
        })))
    }
}

/// A shared pool is a pool, so a test can hold the pool it changes.
impl<P: PoolUsers + ?Sized> PoolUsers for std::sync::Arc<P> {
    fn presence<'a>(&'a self, pool_id: &'a str, user_name: &'a str) -> PresenceFuture<'a> {
        P::presence(self, pool_id, user_name)
    }
}
