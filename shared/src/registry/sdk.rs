//! Reaching DynamoDB: the SDK's time limits, the clients of the functions, the CLI and the tests,
//! and the one mapping from an SDK failure to a [`RegistryError`]. Below both the store and the
//! table schema, which import it.

use super::RegistryError;
use crate::env::{ConfigError, EnvSource};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use std::time::Duration;

/// The SDK's time limits. The defaults let a trigger answer within 3 s even when DynamoDB hangs:
/// at most `max_attempts` attempts of at most `attempt` each, all inside `operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a TCP (and TLS) connection.
    pub connect: Duration,
    /// One HTTP attempt, from sending to the parsed response.
    pub attempt: Duration,
    /// The whole operation, retries and backoff included.
    pub operation: Duration,
    /// Attempts per operation, the first included.
    pub max_attempts: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(1),
            operation: Duration::from_millis(2500),
            max_attempts: 2,
        }
    }
}

impl Timeouts {
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    pub fn retry_config(&self) -> RetryConfig {
        // A short backoff: the operation timeout bounds the total anyway, and a refused connection
        // is worth retrying at once.
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_millis(250))
    }
}

/// The HTTPS client of every SDK client we build: rustls on `ring`, with the platform's roots
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR` add a test CA). The SDK's default client runs rustls on
/// aws-lc, whose C library is most of a function's size; plain `http://` (local endpoints) works
/// too.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The shared AWS configuration from the standard sources (`AWS_REGION`, profiles, the credentials
/// chain, `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`), with `timeouts` applied: what the CLI
/// and the tests use.
pub async fn sdk_config_from_env(timeouts: &Timeouts) -> SdkConfig {
    // The region from the environment or the profile files, never from EC2's metadata service:
    // on a developer's machine that lookup only fails, slowly and with SDK warnings, and a
    // command without a region says what to set.
    let region = aws_config::meta::region::RegionProviderChain::first_try(
        aws_config::environment::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(aws_config::profile::ProfileFileRegionProvider::new());
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(region)
        .http_client(https_client())
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .load()
        .await
}

/// The DynamoDB client of the CLI, from the standard sources; build it once.
pub async fn client_from_env(timeouts: &Timeouts) -> Client {
    Client::new(&sdk_config_from_env(timeouts).await)
}

/// The AWS configuration of a Lambda function, from the variables Lambda sets: `AWS_REGION` and
/// the execution role's `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
/// (plus `AWS_ENDPOINT_URL`, for local runs). The standard chains would look for the same values
/// after profile files and other sources a Lambda never has; skipping them keeps their work out
/// of init and their code out of the binary. Service endpoints: [`dynamodb_client`].
pub fn lambda_sdk_config(
    env: &impl EnvSource,
    timeouts: &Timeouts,
) -> Result<SdkConfig, ConfigError> {
    let required = |var: &'static str| {
        env.var(var).ok_or_else(|| {
            ConfigError::new(
                var,
                "is not set; Lambda sets it for every function (run `usernames serve` locally)",
            )
        })
    };
    let region = required("AWS_REGION")?;
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        env.var("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client())
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config());
    if let Some(endpoint) = env.var("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(endpoint);
    }
    Ok(config.build())
}

/// A DynamoDB client on `config`, at `AWS_ENDPOINT_URL_DYNAMODB` when that is set (the standard
/// loader reads it; [`lambda_sdk_config`] does not know the service).
pub fn dynamodb_client(config: &SdkConfig, env: &impl EnvSource) -> Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(config);
    if let Some(endpoint) = env.var("AWS_ENDPOINT_URL_DYNAMODB") {
        builder = builder.endpoint_url(endpoint);
    }
    Client::from_conf(builder.build())
}

/// A Cognito user pools client on `config`, at `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` when
/// that is set.
pub fn cognito_client(
    config: &SdkConfig,
    env: &impl EnvSource,
) -> aws_sdk_cognitoidentityprovider::Client {
    let mut builder = aws_sdk_cognitoidentityprovider::config::Builder::from(config);
    if let Some(endpoint) = env.var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER") {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_cognitoidentityprovider::Client::from_conf(builder.build())
}

/// A client configuration for a local endpoint (moto, DynamoDB Local) with dummy credentials and a
/// fixed region, independent of the environment. Add interceptors before `Client::from_conf`.
pub fn local_config(endpoint: &str, timeouts: &Timeouts) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "local"))
        .http_client(https_client())
        .endpoint_url(endpoint)
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
}

/// Maps an SDK failure to what the caller may act on. The SDK's text stays in the source, for
/// operators' logs; users only ever see `RegistryError`'s own sentence.
pub fn registry_error<E, R>(err: SdkError<E, R>) -> RegistryError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => RegistryError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => RegistryError::Timeout,
        _ => RegistryError::Unavailable(Box::new(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_timeouts_fit_the_pre_sign_up_budget() {
        let t = Timeouts::default();
        assert!(t.operation < Duration::from_secs(3));
        assert!(t.attempt <= t.operation && t.connect <= t.attempt);
        assert!(t.max_attempts >= 2, "one retry for a dropped connection");
    }
}
