//! Helpers shared by the workspace-level tests: locating the test tools and starting servers.
