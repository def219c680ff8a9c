//! Counts the DynamoDB requests a client makes, at the SDK, so tests can assert what an operation
//! costs: add a [`RequestCounter`] to a client's config with `.interceptor(counter.clone())`.

use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The operations a client started (by name, e.g. `PutItem`) and the HTTP attempts it sent
/// (retries included). Clones share their counts.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    operations: Arc<Mutex<Vec<String>>>,
    actions: Arc<Mutex<Vec<String>>>,
    attempts: Arc<AtomicUsize>,
}

impl RequestCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Operation names in the order they started.
    pub fn operations(&self) -> Vec<String> {
        self.operations
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// The IAM actions the operations need, in order: an operation's own name, except that a
    /// `TransactWriteItems` needs the action of each item in it (IAM has no action of that name).
    pub fn iam_actions(&self) -> Vec<String> {
        self.actions.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// How many operations started.
    pub fn count(&self) -> usize {
        self.operations().len()
    }

    /// How many HTTP requests went out, retries included.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        if let Ok(mut operations) = self.operations.lock() {
            operations.clear();
        }
        if let Ok(mut actions) = self.actions.lock() {
            actions.clear();
        }
        self.attempts.store(0, Ordering::SeqCst);
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    // Not `read_before_execution`: a client's interceptors run that before the operation's
    // configuration, which names the operation, is in the bag.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_default();
        let transaction = context
            .input()
            .downcast_ref::<TransactWriteItemsInput>()
            .map(|input| {
                input
                    .transact_items()
                    .iter()
                    .map(|item| {
                        if item.put().is_some() {
                            "PutItem"
                        } else if item.update().is_some() {
                            "UpdateItem"
                        } else if item.delete().is_some() {
                            "DeleteItem"
                        } else {
                            "ConditionCheckItem"
                        }
                        .to_owned()
                    })
                    .collect::<Vec<_>>()
            });
        if let Ok(mut actions) = self.actions.lock() {
            actions.extend(transaction.unwrap_or_else(|| vec![name.clone()]));
        }
        if let Ok(mut operations) = self.operations.lock() {
            operations.push(name);
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}
