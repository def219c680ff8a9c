//! Helpers shared by the workspace-level tests: locating the test tools, starting servers (moto, its
//! Cognito, and faulty endpoints), counting SDK requests, the registry contract suite, and holding answers to the OpenAPI document.

pub mod cognito;
pub mod content;
pub mod contract;
pub mod counter;
pub mod disk;
pub mod events;
pub mod faults;
pub mod items;
pub mod lifecycle;
pub mod moto;
pub mod openapi;
pub mod operators;
pub mod registries;
pub mod template;
