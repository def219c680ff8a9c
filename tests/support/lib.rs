//! Helpers shared by the workspace-level tests: locating the test tools, starting servers (moto and
//! faulty endpoints), counting SDK requests, and the registry contract suite.

pub mod contract;
pub mod counter;
pub mod faults;
pub mod lifecycle;
pub mod moto;
pub mod template;
