//! Registry entries as DynamoDB items, written here from the table layout of `schema.rs` rather
//! than by the store's own code, so that seeding a table tests the store's reading of it.

use aws_sdk_dynamodb::types::AttributeValue;
use shared::registry::schema::{
    BLOCKED_BY, DISPLAY, EMAIL_HASH, EXPIRES_AT, HOLDER_SEALED, KEY_VERSION, NAME_KEY, OWNED_KEY,
    OWNER, PHONE_HASH, PREVIOUS, REASON, RENAMED_AT, SINCE, STATE, SUB,
};
use shared::registry::{Claim, ClaimState, Owner, UserRecord};
use std::collections::HashMap;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The item of one name entry, as the version that wrote it lays it out: a first-version active
/// entry has its owner's `userName` in `owner` and no `sub`.
pub fn item_of(claim: &Claim) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        (NAME_KEY.to_owned(), s(claim.key.as_str())),
        (DISPLAY.to_owned(), s(&claim.display)),
        (KEY_VERSION.to_owned(), n(i64::from(claim.key_version))),
    ]);
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_owned(), value);
    };
    match &claim.state {
        ClaimState::Pending {
            holder,
            expires_at,
            contacts,
            sealed,
        } => {
            put(STATE, s("pending"));
            put(OWNER, s(holder));
            put(EXPIRES_AT, n(*expires_at));
            if let Some(sealed) = sealed {
                put(HOLDER_SEALED, s(sealed));
            }
            if let Some(hash) = &contacts.email {
                put(EMAIL_HASH, s(hash.as_str()));
            }
            if let Some(hash) = &contacts.phone {
                put(PHONE_HASH, s(hash.as_str()));
            }
        }
        ClaimState::Active { owner } => {
            put(STATE, s("active"));
            match owner {
                Owner::Sub(sub) => {
                    put(OWNER, s(sub));
                    put(SUB, s(sub));
                }
                Owner::LegacyUserName(user_name) => put(OWNER, s(user_name)),
            }
        }
        ClaimState::Quarantined {
            previous_owner,
            until,
        } => {
            put(STATE, s("quarantined"));
            put(OWNER, s(previous_owner));
            put(EXPIRES_AT, n(*until));
        }
        ClaimState::Blocked { reason, by } => {
            put(STATE, s("blocked"));
            if let Some(reason) = reason {
                put(REASON, s(reason));
            }
            // Blocks written before `blocked_by` existed have none.
            if let Some(by) = by {
                put(BLOCKED_BY, s(by));
            }
        }
    }
    if let Some(since) = claim.since {
        put(SINCE, n(since));
    }
    item
}

/// The item of `sub`'s user record.
pub fn user_item_of(sub: &str, record: &UserRecord) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        (NAME_KEY.to_owned(), s(&format!("user#{sub}"))),
        (STATE.to_owned(), s("user")),
        (SUB.to_owned(), s(sub)),
    ]);
    if let Some(owned) = &record.owned {
        item.insert(OWNED_KEY.to_owned(), s(owned.key.as_str()));
        item.insert(DISPLAY.to_owned(), s(&owned.display));
        item.insert(SINCE.to_owned(), n(owned.since));
    }
    if let Some(at) = record.renamed_at {
        item.insert(RENAMED_AT.to_owned(), n(at));
    }
    if let Some(previous) = &record.previous {
        item.insert(PREVIOUS.to_owned(), s(previous));
    }
    item
}
