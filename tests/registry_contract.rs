//! The registry contract on both stores: the memory store, and DynamoDB on a moto server (a fresh
//! table per case).

mod memory {
    integration_tests::registry_contract_tests!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    integration_tests::registry_contract_tests!(integration_tests::moto::moto_registry());
}
