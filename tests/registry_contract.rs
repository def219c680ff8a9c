//! The registry contract on every store: the memory store, DynamoDB on a moto server (a fresh
//! table per case) and the store on disk (a fresh file per case).

mod memory {
    integration_tests::registry_contract_tests!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    integration_tests::registry_contract_tests!(integration_tests::moto::moto_registry());
}

/// A fresh file per case.
mod disk {
    integration_tests::registry_contract_tests!(integration_tests::disk::disk_registry());
}
