//! Prints the inappropriate-name rule's figures over the committed corpora (the tables of
//! docs/policy.md#inappropriate-names): evasions refused by technique, real names refused by
//! locale, at `severe` and `moderate`, then every name refused and every evasion let through.
//! Run by scripts/measure-content.

use integration_tests::content::{measure, report};
use shared::policy::Profanity;

fn main() {
    let levels: Vec<_> = [Profanity::Severe, Profanity::Moderate]
        .into_iter()
        .map(|level| (level, measure(level)))
        .collect();
    print!("{}", report(&levels));
}
