//! Prints the inappropriate-name rule's figures over the committed corpora (the tables of
//! docs/policy.md#inappropriate-names): evasions refused by technique, real names refused by
//! locale, at `severe` and `moderate`, then every name refused and every evasion let through;
//! first, what the first evaluation of a process costs.
//! Run by scripts/measure-content.

use integration_tests::content::{measure, report, word_rule_report};
use shared::policy::{Policy, Profanity};
use std::time::Instant;

fn main() {
    // The first evaluation builds rustrict's word list and this project's copy of it (once per
    // process: on Lambda, the first sign-up of a cold start). rustrict is built optimised even in
    // debug (the dev profile optimises dependencies), so the figure is close to a release build's.
    let policy = Policy::default();
    let start = Instant::now();
    let _ = policy.evaluate("alice");
    let first = start.elapsed();
    let start = Instant::now();
    let _ = policy.evaluate("alice");
    println!(
        "first evaluation {:.1} ms, the next {:.1} µs (debug build of the policy)\n",
        first.as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e6
    );
    let levels: Vec<_> = [Profanity::Severe, Profanity::Moderate]
        .into_iter()
        .map(|level| (level, measure(level)))
        .collect();
    print!("{}", report(&levels));
    print!("{}", word_rule_report());
}
