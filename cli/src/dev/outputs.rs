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
/// (`usernamesApi.url`, as the Amplify backend of deploy/amplify writes it, so one app reads both;
/// `userPoolEndpoint`, which an app passes to Amplify as `Auth.Cognito.userPoolEndpoint`).
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
            "usernamesApi": { "url": api_url },
            "userPoolEndpoint": cognito_endpoint,
        },
    })
}

/// Writes `outputs` to DIR/amplify_outputs.json through a temporary file renamed into place, so
/// that a dev server watching it never reads half a file; a file that already says the same is
/// left alone, so that restarting `dev` on the same ports reloads no app.
pub fn write(dir: &Path, outputs: &Value) -> Result<PathBuf, DevError> {
    let path = dir.join(FILE_NAME);
    let staging = dir.join(format!(".{FILE_NAME}.tmp"));
    let io = |source| DevError::Io {
        what: "write",
        path: path.clone(),
        source,
    };
    let text = format!("{outputs:#}\n");
    if std::fs::read_to_string(&path).is_ok_and(|existing| existing == text) {
        return Ok(path);
    }
    std::fs::write(&staging, text).map_err(io)?;
    std::fs::rename(&staging, &path).map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example is what scripts/check-amplify type-checks against @aws-amplify/client-config's
    /// schema 1.4, so this holds the real file to that schema.
    #[test]
    fn the_outputs_are_those_the_schema_checked_example_shows() {
        let pool = DevPool {
            pool_id: "local_4Xb1Qz7e".into(),
            client_id: "5n2o8k1l3j7h6g4f2d0s9a8p7q".into(),
            created: true,
        };
        let example: Value =
            serde_json::from_str(include_str!("amplify_outputs.example.json")).unwrap();
        assert_eq!(
            outputs(&pool, "http://127.0.0.1:3001", "http://127.0.0.1:9229"),
            example
        );
    }

    /// A restart on the same ports writes nothing, so an app's dev server watching the file
    /// does not reload; new addresses are written.
    #[test]
    fn the_same_outputs_leave_the_file_alone() {
        let dir = std::env::temp_dir().join(format!("usernames-outputs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pool = DevPool {
            pool_id: "local_1".into(),
            client_id: "c".into(),
            created: true,
        };
        let first = outputs(&pool, "http://127.0.0.1:3001", "http://127.0.0.1:9229");
        let path = write(&dir, &first).unwrap();
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&dir, &first).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            written
        );
        let moved = outputs(&pool, "http://127.0.0.1:3002", "http://127.0.0.1:9229");
        write(&dir, &moved).unwrap();
        let read: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(read, moved);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
