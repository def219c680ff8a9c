//! Mirroring the registry into Cognito: a rename sets the user's `preferred_username` attribute
//! (`AdminUpdateUserAttributes`), a release removes it (`AdminDeleteUserAttributes`), so a name
//! given up stays visible nowhere (`GetUser`, the `userInfo` endpoint) and, in pools where it is
//! a sign-in alias, frees the alias. A trait, so that tests inject a failing or refusing mirror.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_update_user_attributes::AdminUpdateUserAttributesError;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use std::future::Future;
use thiserror::Error;

/// Why the attribute could not be set. Never shown to users: the API chooses their sentence.
#[derive(Debug, Error)]
pub enum MirrorError {
    /// Another user of the pool has the name as a sign-in alias (pools where `preferred_username`
    /// is an alias: Cognito keeps those unique itself).
    #[error("another user of the pool has this alias")]
    AliasExists,
    /// Anything else: Cognito unreachable, throttled, the user unknown, a permission missing.
    #[error("the user pool refused or did not answer: {0}")]
    Failed(String),
}

/// Sets a user's name attribute in the pool.
pub trait AttributeMirror: Send + Sync {
    /// Sets `preferred_username` to `name` for the user known to the pool as `user` (the Cognito
    /// `userName`, or the `sub`, which pools with username attributes accept too).
    fn set_name(
        &self,
        user: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), MirrorError>> + Send;

    /// Removes `preferred_username` from the user known to the pool as `user`.
    fn clear_name(&self, user: &str) -> impl Future<Output = Result<(), MirrorError>> + Send;

    /// Opens the connection to the pool before the first request needs it (see
    /// [`CognitoMirror::warm_up`]); nothing to open by default.
    fn warm_up(&self) -> impl Future<Output = Result<(), MirrorError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// No pool configured: the registry alone decides, and tokens follow it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMirror;

impl AttributeMirror for NoMirror {
    async fn set_name(&self, _user: &str, _name: &str) -> Result<(), MirrorError> {
        Ok(())
    }

    async fn clear_name(&self, _user: &str) -> Result<(), MirrorError> {
        Ok(())
    }
}

/// The attribute of a Cognito user pool, through the SDK client built at init.
#[derive(Debug, Clone)]
pub struct CognitoMirror {
    client: aws_sdk_cognitoidentityprovider::Client,
    user_pool_id: String,
}

impl CognitoMirror {
    pub fn new(client: aws_sdk_cognitoidentityprovider::Client, user_pool_id: String) -> Self {
        Self {
            client,
            user_pool_id,
        }
    }

    /// The mirror of the API function, on the SDK configuration it built at init from Lambda's
    /// variables ([`lambda_sdk_config`](crate::registry::sdk::lambda_sdk_config)), at
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` when that is set.
    pub fn for_lambda(
        config: &aws_types::SdkConfig,
        env: &impl crate::env::EnvSource,
        user_pool_id: String,
    ) -> Self {
        Self::new(
            crate::registry::sdk::cognito_client(config, env),
            user_pool_id,
        )
    }

    /// A client from the standard SDK settings (`AWS_REGION`, credentials,
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` or `AWS_ENDPOINT_URL`), with the registry's
    /// explicit time limits so a silent pool cannot hold a request past its budget.
    pub async fn from_env(user_pool_id: String) -> Self {
        let config =
            crate::registry::sdk::sdk_config_from_env(&crate::registry::sdk::Timeouts::default())
                .await;
        Self::new(
            aws_sdk_cognitoidentityprovider::Client::new(&config),
            user_pool_id,
        )
    }
}

impl CognitoMirror {
    /// Opens the connection to Cognito (TCP, TLS, credentials, endpoint) at init, as the
    /// registry's is: one `GetUserPoolMfaConfig` of the configured pool, which reads its MFA
    /// settings and no user, and changes nothing (rather than `DescribeUserPool`, whose large
    /// answer would link its decoder into the function, whose zip is at its 3 MiB gate). So the first rename or release after a cold start pays a
    /// round trip to the pool, not a handshake too. A failure is only returned: the first
    /// request opens its own connection.
    pub async fn open_connection(&self) -> Result<(), MirrorError> {
        self.client
            .get_user_pool_mfa_config()
            .user_pool_id(&self.user_pool_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                MirrorError::Failed(match e.as_service_error() {
                    Some(service) => service.code().unwrap_or("unknown").to_string(),
                    None => "no answer from the user pool".into(),
                })
            })
    }
}

impl AttributeMirror for CognitoMirror {
    async fn warm_up(&self) -> Result<(), MirrorError> {
        self.open_connection().await
    }

    async fn set_name(&self, user: &str, name: &str) -> Result<(), MirrorError> {
        let attribute = AttributeType::builder()
            .name("preferred_username")
            .value(name)
            .build()
            .map_err(|e| MirrorError::Failed(e.to_string()))?;
        let sent = self
            .client
            .admin_update_user_attributes()
            .user_pool_id(&self.user_pool_id)
            .username(user)
            .user_attributes(attribute)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(AdminUpdateUserAttributesError::AliasExistsException(_)) => {
                    Err(MirrorError::AliasExists)
                }
                // Only the error's code: SDK messages can quote attribute values.
                Some(service) => Err(MirrorError::Failed(
                    service.code().unwrap_or("unknown").to_string(),
                )),
                None => Err(MirrorError::Failed("no answer from the user pool".into())),
            },
        }
    }

    async fn clear_name(&self, user: &str) -> Result<(), MirrorError> {
        let sent = self
            .client
            .admin_delete_user_attributes()
            .user_pool_id(&self.user_pool_id)
            .username(user)
            .user_attribute_names("preferred_username")
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) => Err(MirrorError::Failed(match e.as_service_error() {
                Some(service) => service.code().unwrap_or("unknown").to_string(),
                None => "no answer from the user pool".into(),
            })),
        }
    }
}

/// A shared mirror is a mirror, so that a test can hold the pool it inspects.
impl<M: AttributeMirror> AttributeMirror for std::sync::Arc<M> {
    fn set_name(
        &self,
        user: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), MirrorError>> + Send {
        M::set_name(self, user, name)
    }

    fn clear_name(&self, user: &str) -> impl Future<Output = Result<(), MirrorError>> + Send {
        M::clear_name(self, user)
    }

    fn warm_up(&self) -> impl Future<Output = Result<(), MirrorError>> + Send {
        M::warm_up(self)
    }
}
