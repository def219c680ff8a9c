//! The core of cognito-usernames: the username policy, the registry of names and the Cognito
//! trigger handlers, as plain functions shared by the Lambdas, the `usernames` CLI and the tests.

pub mod api;
pub mod claims;
pub mod config;
pub mod env;
pub mod events;
pub mod lambda;
pub mod messages;
pub mod operations;
pub mod policy;
pub mod registry;
pub mod telemetry;
pub mod triggers;
