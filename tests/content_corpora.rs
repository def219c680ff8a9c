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

/// `off` turns the rule off: nothing in either corpus is refused as inappropriate. And the
/// names corpus holds names the other rules accept, but for the whole-script look-alikes
/// docs/policy.md counts (50 Cyrillic names that render as Latin).
#[test]
fn off_refuses_nothing_as_inappropriate() {
    let off = shared::policy::Policy::default().with_profanity(Profanity::Off);
    for text in [
        include_str!("corpora/evasions.tsv"),
        include_str!("corpora/names.tsv"),
    ] {
        for name in text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit('\t').next())
        {
            let code = off.evaluate(name).err().map(|v| v.code());
            assert_ne!(code, Some("inappropriate"), "{name}");
        }
    }
    let elsewhere = measure(Profanity::Severe).names_refused_elsewhere;
    assert_eq!(elsewhere.len(), 50, "{elsewhere:?}");
    assert!(elsewhere
        .iter()
        .all(|(_, code)| *code == "whole_script_confusable"));
}

/// The suggested word rules refuse no real name of the corpus, and each refuses a look-alike
/// compound of itself; each word left out of the suggestion is inside a real name.
#[test]
fn suggested_word_rules_refuse_no_real_name_and_catch_their_compounds() {
    use integration_tests::content::{word_rule_hits, REJECTED_WORD_RULES, SUGGESTED_WORD_RULES};
    use shared::registry::word_rules::{matching_rule, ContainsRule};
    for (word, hits) in word_rule_hits(SUGGESTED_WORD_RULES) {
        assert!(hits.is_empty(), "{word}: {hits:?}");
        let compound = format!("the_{}_team", word.replace('o', "0").replace('e', "3"));
        let name = shared::policy::Policy::default()
            .evaluate(&compound)
            .unwrap_or_else(|v| panic!("{compound}: {}", v.code()));
        let rule = [ContainsRule::new(&word).unwrap()];
        assert!(matching_rule(&name, &rule).is_some(), "{compound}");
    }
    for (word, hits) in word_rule_hits(REJECTED_WORD_RULES) {
        assert!(!hits.is_empty(), "{word} refuses no name: suggest it");
    }
}
