//! PostConfirmation: `_ConfirmSignUp` commits the name reserved at sign-up to the user's `sub` (or
//! claims it again if the reservation is gone and the name is free); `_ConfirmForgotPassword`
//! touches nothing.
//!
//! This trigger never fails because of the name (docs/registry.md#time-budget-and-failures). The user is already
//! CONFIRMED when it runs and Cognito cannot undo that, so an error here would only show the user
//! a failure for an account that exists. When the name cannot be committed (someone else holds it, the registry is down),
//! the trigger logs a warning with codes only and succeeds: pre-token-generation then withholds
//! the name from the tokens, and commits a reservation the user still holds at the next sign-in.

use super::{
    is_federated, registry_error_code, requested_name, within_budget, TriggerError, Triggers,
};
use crate::events::sign_up::{write_empty_response, PostConfirmationEvent, PostConfirmationSource};
use crate::events::EventError;
use crate::registry::{CommitOutcome, Commitment, Registry};
use serde_json::Value;

/// What a post-confirmation came to. Every one of them answers Cognito with success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationOutcome {
    /// The user holds the name as an active claim (newly or already).
    NameCommitted,
    /// The user has no name; nothing to commit.
    NameAbsent,
    /// A password reset: no registry call.
    NoAction,
    /// The name no longer passes the policy (the policy changed since sign-up): not committed.
    NameInvalid,
    /// Someone else holds the name now: not committed.
    NameTaken,
    /// The user already owns another name (a replay after a rename, say): not committed.
    OwnsAnotherName,
    /// The event has no `userName` to commit the name for.
    NoUserName,
    /// The event has no `sub` to own the name.
    NoSub,
    /// The registry failed or was too slow (the code says which): not committed.
    RegistryFailed(&'static str),
}

impl ConfirmationOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::NameCommitted => "name_committed",
            Self::NameAbsent => "name_absent",
            Self::NoAction => "no_action",
            Self::NameInvalid => "name_invalid",
            Self::NameTaken => "name_taken",
            Self::OwnsAnotherName => "owns_another_name",
            Self::NoUserName => "missing_user_name",
            Self::NoSub => "missing_sub",
            Self::RegistryFailed(code) => code,
        }
    }
}

/// The post-confirmation trigger: the whole event back with an empty `response`. Only an event
/// that cannot be read is an error.
pub async fn handle<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, TriggerError> {
    answer(triggers, event).await.map(|(event, _)| event)
}

/// [`handle`], also saying what it decided.
pub async fn answer<R: Registry>(
    triggers: &Triggers<R>,
    mut event: Value,
) -> Result<(Value, ConfirmationOutcome), TriggerError> {
    let parsed = PostConfirmationEvent::parse(&event)?;
    let outcome = match parsed.trigger_source {
        PostConfirmationSource::ConfirmSignUp => commit(triggers, &parsed).await,
        PostConfirmationSource::ConfirmForgotPassword => ConfirmationOutcome::NoAction,
        // The crate's enum may grow; a flow we do not know is not one to act on.
        _ => return Err(EventError::unsupported(&format!("{:?}", parsed.trigger_source)).into()),
    };
    match outcome {
        ConfirmationOutcome::NameInvalid
        | ConfirmationOutcome::NameTaken
        | ConfirmationOutcome::OwnsAnotherName
        | ConfirmationOutcome::NoUserName
        | ConfirmationOutcome::NoSub
        | ConfirmationOutcome::RegistryFailed(_) => tracing::warn!(
            code = outcome.code(),
            "name not committed at confirmation; tokens will withhold it"
        ),
        ConfirmationOutcome::NameCommitted
        | ConfirmationOutcome::NameAbsent
        | ConfirmationOutcome::NoAction => {}
    }
    write_empty_response(&mut event)?;
    Ok((event, outcome))
}

/// The name re-read from the event and re-checked with the same policy, then one transaction
/// that commits the user's reservation to their `sub` (or claims the name anew if it is free) and
/// records it as the name that `sub` owns.
async fn commit<R: Registry>(
    triggers: &Triggers<R>,
    event: &PostConfirmationEvent,
) -> ConfirmationOutcome {
    let settings = &triggers.settings;
    let attributes = &event.request.user_attributes;
    let raw = requested_name(
        settings.name_source,
        event.user_name.as_deref(),
        attributes,
        is_federated(attributes),
    );
    let Some(raw) = raw else {
        return ConfirmationOutcome::NameAbsent;
    };
    let Ok(username) = settings.policy.evaluate(raw) else {
        return ConfirmationOutcome::NameInvalid;
    };
    let Some(user_name) = event.user_name.as_deref() else {
        return ConfirmationOutcome::NoUserName;
    };
    let Some(sub) = event.attribute("sub").filter(|sub| !sub.trim().is_empty()) else {
        return ConfirmationOutcome::NoSub;
    };
    let commitment = Commitment {
        username,
        holder: triggers.holder(user_name),
        sub: sub.to_owned(),
        verified: triggers.verified_contacts(attributes),
    };
    let now = triggers.clock.now();
    let budget = settings.sign_up.registry_budget;
    match within_budget(budget, triggers.registry.commit(&commitment, now)).await {
        Ok(CommitOutcome::Committed) => ConfirmationOutcome::NameCommitted,
        Ok(CommitOutcome::Taken) => ConfirmationOutcome::NameTaken,
        Ok(CommitOutcome::OwnsAnotherName) => ConfirmationOutcome::OwnsAnotherName,
        Err(e) => ConfirmationOutcome::RegistryFailed(registry_error_code(&e)),
    }
}
