//! Holds the published rates of the inappropriate-name rule (docs/policy.md#inappropriate-names)
//! over the committed corpora: at `severe`, at least 95 % of the evasions refused and at most
//! 0.5 % of the real names. A calibration change that breaks either fails here; the figures
//! themselves are printed by scripts/measure-content.

use integration_tests::content::{measure, MAX_NAMES_REFUSED_SEVERE, MIN_EVASIONS_REFUSED_SEVERE};
use shared::policy::Profanity;

#[test]
fn severe_refuses_the_evasions_and_almost_no_real_names() {
    let m = measure(Profanity::Severe);
    // A corpus that lost its rows would pass any rate.
    assert!(m.evasions.total > 1_500, "{} evasions", m.evasions.total);
    assert!(m.names.total > 20_000, "{} names", m.names.total);
    assert!(
        m.evasions.rate() >= MIN_EVASIONS_REFUSED_SEVERE,
        "evasions refused: {:.2} %, accepted: {:?}",
        100.0 * m.evasions.rate(),
        m.evasions_accepted
    );
    assert!(
        m.names.rate() <= MAX_NAMES_REFUSED_SEVERE,
        "names refused: {:.2} %: {:?}",
        100.0 * m.names.rate(),
        m.names_refused
    );
}

#[test]
fn moderate_refuses_at_least_what_severe_does() {
    let severe = measure(Profanity::Severe);
    let moderate = measure(Profanity::Moderate);
    assert!(moderate.evasions.refused >= severe.evasions.refused);
    assert!(moderate.names.refused >= severe.names.refused);
}

#[test]
fn off_refuses_no_name_of_the_corpus() {
    let off = measure(Profanity::Off);
    assert_eq!(off.names.refused, 0, "{:?}", off.names_refused);
}
