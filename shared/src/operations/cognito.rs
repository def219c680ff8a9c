//! The user pool through the AWS SDK: `ListUsers` (60 users a page, Cognito's largest; filtered
//! by `sub` or `username` to find one user), `AdminGetUser` (whether a user exists, strongly
//! consistent), `DescribeUserPool` (its case rule), `AdminUpdateUserAttributes` and
//! `AdminDeleteUserAttributes`, with Cognito's failures mapped to [`DirectoryError`] here only.

use super::directory::{Directory, DirectoryError, PoolUser, UsersPage};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType, UserType};
use aws_sdk_cognitoidentityprovider::Client;

/// `ListUsers` answers at most 60 users a request.
pub const LIST_USERS_PAGE: i32 = 60;

/// The attributes a listing asks for: no email or phone ever leaves Cognito.
const LISTED_ATTRIBUTES: [&str; 3] = ["sub", "preferred_username", "identities"];

/// One user pool.
#[derive(Debug, Clone)]
pub struct CognitoDirectory {
    client: Client,
    pool_id: String,
}

impl CognitoDirectory {
    pub fn new(client: Client, pool_id: impl Into<String>) -> Self {
        Self {
            client,
            pool_id: pool_id.into(),
        }
    }

    /// A client from the standard SDK settings (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` or
    /// `AWS_ENDPOINT_URL` for a local endpoint) and `config`'s timeouts.
    pub fn from_config(config: &aws_config::SdkConfig, pool_id: impl Into<String>) -> Self {
        Self::new(Client::new(config), pool_id)
    }

    /// A client from the environment with `timeouts`; `None` when no AWS region is configured
    /// (Cognito has no global endpoint, so there is nothing to call).
    pub async fn from_env(
        pool_id: impl Into<String>,
        timeouts: &crate::registry::sdk::Timeouts,
    ) -> Option<Self> {
        let config = crate::registry::sdk::sdk_config_from_env(timeouts).await;
        config.region()?;
        Some(Self::from_config(&config, pool_id))
    }

    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }
}

impl Directory for CognitoDirectory {
    async fn users_page(&self, token: Option<&str>) -> Result<UsersPage, DirectoryError> {
        let mut request = self
            .client
            .list_users()
            .user_pool_id(&self.pool_id)
            .limit(LIST_USERS_PAGE)
            .set_pagination_token(token.map(str::to_owned));
        for attribute in LISTED_ATTRIBUTES {
            request = request.attributes_to_get(attribute);
        }
        let output = request.send().await.map_err(directory_error)?;
        Ok(UsersPage {
            users: output.users().iter().filter_map(pool_user).collect(),
            next: output.pagination_token().map(str::to_owned),
        })
    }

    async fn user_by_sub(&self, sub: &str) -> Result<Option<PoolUser>, DirectoryError> {
        // A `sub` is a UUID; anything that could end the filter's quoted string is no `sub`.
        if sub.is_empty() || sub.contains(['"', '\\']) {
            return Ok(None);
        }
        let output = self
            .client
            .list_users()
            .user_pool_id(&self.pool_id)
            .filter(format!("sub = \"{sub}\""))
            .limit(1)
            .send()
            .await
            .map_err(directory_error)?;
        Ok(output
            .users()
            .iter()
            .filter_map(pool_user)
            .find(|u| u.sub == sub))
    }

    async fn user_by_name(&self, user_name: &str) -> Result<Option<PoolUser>, DirectoryError> {
        if user_name.is_empty() {
            return Ok(None);
        }
        // Inside the filter's quoted string, `\` and `"` are escaped with a backslash.
        let quoted = user_name.replace('\\', "\\\\").replace('"', "\\\"");
        let output = self
            .client
            .list_users()
            .user_pool_id(&self.pool_id)
            .filter(format!("username = \"{quoted}\""))
            .limit(1)
            .send()
            .await
            .map_err(directory_error)?;
        // A case-insensitive pool may answer with its own spelling: any case is the same user
        // (never retire a name on a doubt).
        let wanted = user_name.to_lowercase();
        Ok(output
            .users()
            .iter()
            .filter_map(pool_user)
            .find(|u| u.user_name.to_lowercase() == wanted))
    }

    async fn set_preferred_username(
        &self,
        user_name: &str,
        value: &str,
    ) -> Result<(), DirectoryError> {
        let attribute = AttributeType::builder()
            .name("preferred_username")
            .value(value)
            .build()
            .map_err(|e| DirectoryError::Unavailable(Box::new(e)))?;
        self.client
            .admin_update_user_attributes()
            .user_pool_id(&self.pool_id)
            .username(user_name)
            .user_attributes(attribute)
            .send()
            .await
            .map_err(directory_error)?;
        Ok(())
    }

    async fn clear_preferred_username(&self, user_name: &str) -> Result<(), DirectoryError> {
        self.client
            .admin_delete_user_attributes()
            .user_pool_id(&self.pool_id)
            .username(user_name)
            .user_attribute_names("preferred_username")
            .send()
            .await
            .map_err(directory_error)?;
        Ok(())
    }

    /// `AdminGetUser` takes a local user's `sub` as its `Username` (and an alias or the
    /// `userName` itself); only `UserNotFoundException` means absent.
    async fn user_exists(&self, sub: &str) -> Result<bool, DirectoryError> {
        if sub.is_empty() {
            return Ok(false);
        }
        let asked = self
            .client
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(sub)
            .send()
            .await;
        match asked.map_err(directory_error) {
            Ok(_) => Ok(true),
            Err(DirectoryError::UserNotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn case_sensitive(&self) -> Result<bool, DirectoryError> {
        let described = self
            .client
            .describe_user_pool()
            .user_pool_id(&self.pool_id)
            .send()
            .await
            .map_err(directory_error)?;
        Ok(described
            .user_pool()
            .and_then(|pool| pool.username_configuration())
            .is_none_or(|config| config.case_sensitive()))
    }
}

/// A listed user, or `None` for an entry without a `userName` or `sub` (Cognito always sends
/// both; such an entry cannot be registered or reconciled anyway).
fn pool_user(user: &UserType) -> Option<PoolUser> {
    let attribute = |name: &str| {
        user.attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
    };
    let status = user.user_status();
    Some(PoolUser {
        user_name: user.username()?.to_owned(),
        sub: attribute("sub")?.to_owned(),
        created_ms: user
            .user_create_date()
            .and_then(|d| d.to_millis().ok())
            .unwrap_or(i64::MAX),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        preferred_username: attribute("preferred_username").map(str::to_owned),
        federated: status == Some(&UserStatusType::ExternalProvider)
            || attribute("identities").is_some(),
    })
}

/// The one mapping from the SDK's failures to what the commands act on and say.
fn directory_error<E, R>(err: SdkError<E, R>) -> DirectoryError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => return DirectoryError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            return DirectoryError::Timeout
        }
        _ => {}
    }
    match err.as_service_error().and_then(|e| e.code()) {
        Some("TooManyRequestsException") => DirectoryError::Throttled,
        Some("ResourceNotFoundException") => DirectoryError::PoolNotFound,
        Some("UserNotFoundException") => DirectoryError::UserNotFound,
        Some(
            "NotAuthorizedException"
            | "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException",
        ) => DirectoryError::Denied(Box::new(err)),
        _ => DirectoryError::Unavailable(Box::new(err)),
    }
}
