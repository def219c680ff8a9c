//! Helpers shared by the workspace-level tests: locating the test tools, starting servers (moto, its
//! Cognito, and faulty endpoints), counting SDK requests, and the registry contract suite.

pub mod cognito;
pub mod contract;
pub mod counter;
pub mod events;
pub mod faults;
pub mod items;
pub mod lifecycle;
pub mod moto;
pub mod operators;
pub mod registries;
pub mod template;
