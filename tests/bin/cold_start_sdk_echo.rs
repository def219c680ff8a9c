//! Cold-start floor for `scripts/bench-cold-start`: the echo every Rust Lambda sample starts from,
//! which builds a DynamoDB client from the SDK's default configuration at init (default features:
//! the standard credential and region chains, the default HTTPS client). The client is kept alive
//! so the optimiser cannot drop its construction.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let client = &client;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let _ = std::hint::black_box(client);
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
