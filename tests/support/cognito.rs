//! moto's `cognito-idp`, on the same server as the registry's table: a client, a fresh pool per
//! test, users created and deleted as an administrator would.

use crate::moto::moto_endpoint;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, MessageActionType, UsernameAttributeType, UsernameConfigurationType,
};

pub type Cognito = aws_sdk_cognitoidentityprovider::Client;

/// A client configuration of the moto server; add interceptors before `Client::from_conf`.
pub fn cognito_config() -> aws_sdk_cognitoidentityprovider::config::Builder {
    aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .http_client(shared::registry::sdk::https_client())
        .endpoint_url(moto_endpoint())
}

/// A client of the moto server. Build one per test, as for DynamoDB.
pub fn cognito() -> Cognito {
    Cognito::from_conf(cognito_config().build())
}

/// A new, empty user pool that compares user names without case (as the template's pools do,
/// and `USERNAMES_CASE_SENSITIVE_USERNAMES` says by default); its id.
pub async fn new_pool(cognito: &Cognito) -> String {
    pool_with_case_rule(cognito, Some(false)).await
}

/// A new, empty case-sensitive pool (`UsernameConfiguration.CaseSensitive = true`, the default of
/// Cognito's API and of CDK); its id.
pub async fn new_case_sensitive_pool(cognito: &Cognito) -> String {
    pool_with_case_rule(cognito, Some(true)).await
}

/// A new, empty pool that signs users in with their email (`UsernameAttributes = [email]`, the
/// Amplify default), case-insensitive: Cognito generates each `userName` (moto: the `sub`).
pub async fn new_email_pool(cognito: &Cognito) -> String {
    let pool = cognito
        .create_user_pool()
        .pool_name("email-users")
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .expect("a username configuration"),
        )
        .send()
        .await
        .expect("create a pool");
    pool.user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_owned()
}

/// A pool with `CaseSensitive` as given (`None`: no `UsernameConfiguration`, as pools created
/// before the setting existed, which are case-sensitive); its id.
pub async fn pool_with_case_rule(cognito: &Cognito, case_sensitive: Option<bool>) -> String {
    let mut request = cognito.create_user_pool().pool_name("existing-users");
    if let Some(case_sensitive) = case_sensitive {
        request = request.username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(case_sensitive)
                .build()
                .expect("a username configuration"),
        );
    }
    let pool = request.send().await.expect("create a pool");
    pool.user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_owned()
}

/// Creates a user (with a `preferred_username`, if given) and returns its `sub`.
pub async fn add_user(
    cognito: &Cognito,
    pool: &str,
    user_name: &str,
    name: Option<&str>,
) -> String {
    let mut request = cognito
        .admin_create_user()
        .user_pool_id(pool)
        .username(user_name)
        .message_action(MessageActionType::Suppress);
    if let Some(name) = name {
        request = request.user_attributes(
            AttributeType::builder()
                .name("preferred_username")
                .value(name)
                .build()
                .expect("an attribute"),
        );
    }
    let user = request.send().await.expect("create a user");
    user.user()
        .and_then(|u| u.attributes().iter().find(|a| a.name() == "sub"))
        .and_then(|a| a.value())
        .expect("a sub")
        .to_owned()
}

/// Deletes a user (`AdminDeleteUser`): Cognito fires no trigger.
pub async fn delete_user(cognito: &Cognito, pool: &str, user_name: &str) {
    cognito
        .admin_delete_user()
        .user_pool_id(pool)
        .username(user_name)
        .send()
        .await
        .expect("delete a user");
}
