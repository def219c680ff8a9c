//! The user pool and app client of `usernames dev`, in cognito-local: configured as Amplify Gen
//! 2's `defineAuth({ loginWith: { email: true }, userAttributes: { preferredUsername: { mutable:
//! true, required: false } } })` configures a pool (deploy/amplify/amplify/auth/resource.ts),
//! created on the first run and found again by name on the next ones.

use super::DevError;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AttributeDataType, ExplicitAuthFlowsType, PasswordPolicyType,
    RecoveryOptionNameType, RecoveryOptionType, SchemaAttributeType, UserPoolMfaType,
    UserPoolPolicyType, UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

/// The pool's name: how a restart finds it again.
pub const POOL_NAME: &str = "usernames-dev";
/// The app client's name, within the pool.
pub const CLIENT_NAME: &str = "usernames-dev-app";

/// Amplify's default password policy, which the pool gets and amplify_outputs.json states.
pub struct PasswordPolicy {
    pub min_length: i32,
    pub require_numbers: bool,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_symbols: bool,
}

pub const PASSWORD_POLICY: PasswordPolicy = PasswordPolicy {
    min_length: 8,
    require_numbers: true,
    require_lowercase: true,
    require_uppercase: true,
    require_symbols: true,
};

/// The sign-in flows the app client allows: a password sent as is (what an app against
/// cognito-local uses: it has no SRP), SRP (Amplify's default, for the same app deployed) and
/// refresh.
pub const AUTH_FLOWS: [ExplicitAuthFlowsType; 3] = [
    ExplicitAuthFlowsType::AllowUserPasswordAuth,
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
];

/// The pool and client `dev` serves.
pub struct DevPool {
    pub pool_id: String,
    pub client_id: String,
    /// Whether this run created the pool (else it was found from an earlier run).
    pub created: bool,
}

/// The pool named [`POOL_NAME`] and its client named [`CLIENT_NAME`], each created when it is
/// not there.
pub async fn find_or_create(cognito: &Client) -> Result<DevPool, DevError> {
    let pools = cognito
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .map_err(failed("list the user pools"))?;
    let found = pools
        .user_pools()
        .iter()
        .find(|pool| pool.name() == Some(POOL_NAME))
        .and_then(|pool| pool.id().map(str::to_owned));
    let (pool_id, created) = match found {
        Some(id) => (id, false),
        None => (create_pool(cognito).await?, true),
    };
    let clients = cognito
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(60)
        .send()
        .await
        .map_err(failed("list the app clients"))?;
    let found = clients
        .user_pool_clients()
        .iter()
        .find(|client| client.client_name() == Some(CLIENT_NAME))
        .and_then(|client| client.client_id().map(str::to_owned));
    let client_id = match found {
        Some(id) => id,
        None => create_client(cognito, &pool_id).await?,
    };
    Ok(DevPool {
        pool_id,
        client_id,
        created,
    })
}

async fn create_pool(cognito: &Client) -> Result<String, DevError> {
    let attribute = |name: &str, required: bool| {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(AttributeDataType::String)
            .required(required)
            .mutable(true)
            .build()
    };
    let policy = &PASSWORD_POLICY;
    let recovery = RecoveryOptionType::builder()
        .name(RecoveryOptionNameType::VerifiedEmail)
        .priority(1)
        .build()
        .map_err(|e| DevError::Cognito {
            doing: "describe account recovery",
            reason: e.to_string(),
        })?;
    let created = cognito
        .create_user_pool()
        .pool_name(POOL_NAME)
        // Email sign-in, the email verified by its code, user names compared without case.
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .map_err(|e| DevError::Cognito {
                    doing: "describe the user name rule",
                    reason: e.to_string(),
                })?,
        )
        .schema(attribute("email", true))
        // The display name the triggers keep unique: optional, and changeable (by the API).
        .schema(attribute("preferred_username", false))
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(policy.min_length)
                        .require_numbers(policy.require_numbers)
                        .require_lowercase(policy.require_lowercase)
                        .require_uppercase(policy.require_uppercase)
                        .require_symbols(policy.require_symbols)
                        .build(),
                )
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Off)
        .account_recovery_setting(
            AccountRecoverySettingType::builder()
                .recovery_mechanisms(recovery)
                .build(),
        )
        .send()
        .await
        .map_err(failed("create the user pool"))?;
    created
        .user_pool()
        .and_then(|pool| pool.id())
        .map(str::to_owned)
        .ok_or(DevError::Cognito {
            doing: "create the user pool",
            reason: "the answer names no pool id".into(),
        })
}

async fn create_client(cognito: &Client, pool_id: &str) -> Result<String, DevError> {
    let created = cognito
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(CLIENT_NAME)
        .generate_secret(false)
        .set_explicit_auth_flows(Some(AUTH_FLOWS.to_vec()))
        .send()
        .await
        .map_err(failed("create the app client"))?;
    created
        .user_pool_client()
        .and_then(|client| client.client_id())
        .map(str::to_owned)
        .ok_or(DevError::Cognito {
            doing: "create the app client",
            reason: "the answer names no client id".into(),
        })
}

/// A failed call to cognito-local, said by its error code (or that it did not answer), never by
/// the SDK's text.
fn failed<E, R>(doing: &'static str) -> impl FnOnce(SdkError<E, R>) -> DevError
where
    E: ProvideErrorMetadata,
{
    move |e| DevError::Cognito {
        doing,
        reason: match e.as_service_error() {
            Some(service) => format!(
                "it answered {}",
                service.code().unwrap_or("an error without a code")
            ),
            None => "it did not answer".into(),
        },
    }
}
