//! DIR/amplify_outputs.json: the file an Amplify Gen 2 app configures itself from
//! (`Amplify.configure(outputs)`), in the format `ampx` writes (schema version 1.4 of
//! @aws-amplify/client-config), for the pool and client of `usernames dev`, with the local
//! endpoints under `custom` (docs/cli.md#usernames-dev).

use super::pool::{DevPool, PASSWORD_POLICY};
use super::DevError;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The file's name, as Amplify names it.
pub const FILE_NAME: &str = "amplify_outputs.json";

/// The outputs of `pool`, with the API's base URL and cognito-local's URL under `custom`
/// (`usernames_api_url`, `cognito_endpoint`: an app passes the latter to Amplify as
/// `Auth.Cognito.userPoolEndpoint`).
pub fn outputs(pool: &DevPool, api_url: &str, cognito_endpoint: &str) -> Value {
    // cognito-local's pools live in region `local` (their ids start with it); Amplify reads the
    // region from here.
    let region = pool
        .pool_id
        .split_once('_')
        .map_or("local", |(region, _)| region);
    let policy = &PASSWORD_POLICY;
    json!({
        "version": "1.4",
        "auth": {
            "aws_region": region,
            "user_pool_id": pool.pool_id,
            "user_pool_client_id": pool.client_id,
            "password_policy": {
                "min_length": policy.min_length,
                "require_numbers": policy.require_numbers,
                "require_lowercase": policy.require_lowercase,
                "require_uppercase": policy.require_uppercase,
                "require_symbols": policy.require_symbols,
            },
            "standard_required_attributes": ["email"],
            "username_attributes": ["email"],
            "user_verification_types": ["email"],
            "mfa_configuration": "NONE",
            "mfa_methods": [],
            "groups": [],
            "unauthenticated_identities_enabled": false,
        },
        "custom": {
            "usernames_api_url": api_url,
            "cognito_endpoint": cognito_endpoint,
        },
    })
}

/// Writes `outputs` to DIR/amplify_outputs.json through a temporary file renamed into place, so
/// that a dev server watching it never reads half a file.
pub fn write(dir: &Path, outputs: &Value) -> Result<PathBuf, DevError> {
    let path = dir.join(FILE_NAME);
    let staging = dir.join(format!(".{FILE_NAME}.tmp"));
    let io = |source| DevError::Io {
        what: "write",
        path: path.clone(),
        source,
    };
    std::fs::write(&staging, format!("{outputs:#}\n")).map_err(io)?;
    std::fs::rename(&staging, &path).map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outputs_name_the_pool_its_region_and_the_local_endpoints() {
        let pool = DevPool {
            pool_id: "local_AbC123".into(),
            client_id: "client1".into(),
            created: true,
        };
        let outputs = outputs(&pool, "http://127.0.0.1:3001", "http://127.0.0.1:9229");
        assert_eq!(outputs["auth"]["aws_region"], "local");
        assert_eq!(outputs["auth"]["user_pool_id"], "local_AbC123");
        assert_eq!(outputs["auth"]["user_pool_client_id"], "client1");
        assert_eq!(outputs["auth"]["username_attributes"], json!(["email"]));
        assert_eq!(
            outputs["custom"],
            json!({
                "usernames_api_url": "http://127.0.0.1:3001",
                "cognito_endpoint": "http://127.0.0.1:9229",
            })
        );
    }
}
