//! The inappropriate-name rule measured over the committed corpora (`tests/corpora`): the share
//! of evasions refused, by technique, and of real names refused, by locale. The
//! `content-measure` binary prints it (scripts/measure-content, docs/policy.md); the
//! `content_corpora` test holds the published targets. The corpora are made by
//! `tests/corpora/generate.py`.

use rustrict::{Censor, Type};
use shared::policy::{Policy, Profanity};
use shared::registry::word_rules::{matching_rule, ContainsRule};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const EVASIONS: &str = include_str!("../corpora/evasions.tsv");
pub const NAMES: &str = include_str!("../corpora/names.tsv");

/// The published targets (docs/policy.md#inappropriate-names).
pub const MIN_EVASIONS_REFUSED_SEVERE: f64 = 0.95;
pub const MAX_NAMES_REFUSED_SEVERE: f64 = 0.005;

/// Rows of a corpus: tab-separated fields, `#` lines are comments.
fn rows(corpus: &str) -> impl Iterator<Item = Vec<&str>> {
    corpus
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

/// Refused and total, by a group's label.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub total: usize,
    pub refused: usize,
}

impl Tally {
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.refused as f64 / self.total as f64
        }
    }

    fn add(&mut self, refused: bool) {
        self.total += 1;
        self.refused += usize::from(refused);
    }
}

/// One level's figures.
#[derive(Debug, Default)]
pub struct Measure {
    /// Evasions refused by any rule.
    pub evasions: Tally,
    /// Evasions that every other rule accepts, and how many of those this rule refuses.
    pub evasions_reaching_rule: Tally,
    pub evasions_by_technique: BTreeMap<String, Tally>,
    /// Evasions accepted: (word, technique, name).
    pub evasions_accepted: Vec<(String, String, String)>,
    /// Evasions and names that rustrict as it comes (its own list and severities, the display
    /// form only; the data of vendor/rustrict) refuses at the same level: the figures before
    /// calibration.
    pub evasions_uncalibrated: Tally,
    pub names_uncalibrated: Tally,
    pub names: Tally,
    pub names_by_source: BTreeMap<String, Tally>,
    /// Names refused: (source, name).
    pub names_refused: Vec<(String, String)>,
    /// Names another rule refuses (so this rule never judges them), with that rule's code: not
    /// counted in `names`. Today the whole-script rule's Cyrillic names that render as Latin.
    pub names_refused_elsewhere: Vec<(String, &'static str)>,
}

/// rustrict as it comes at `level`, on the display form.
fn uncalibrated(name: &str, level: Profanity) -> bool {
    let inappropriate = Type::PROFANE | Type::OFFENSIVE | Type::SEXUAL | Type::MEAN;
    let threshold = match level {
        Profanity::Severe => inappropriate & Type::SEVERE,
        Profanity::Moderate => inappropriate & Type::MODERATE_OR_HIGHER,
        Profanity::Off => return false,
    };
    Censor::from_str(name).analyze().is(threshold)
}

/// Runs the policy at `level` (other settings at their defaults) over both corpora.
pub fn measure(level: Profanity) -> Measure {
    let policy = Policy::default().with_profanity(level);
    let off = Policy::default().with_profanity(Profanity::Off);
    let mut m = Measure::default();
    for row in rows(EVASIONS) {
        let [word, technique, name] = row[..] else {
            continue;
        };
        let refused = policy.evaluate(name).is_err();
        m.evasions.add(refused);
        m.evasions_by_technique
            .entry(technique.to_owned())
            .or_default()
            .add(refused);
        if off.evaluate(name).is_ok() {
            m.evasions_reaching_rule.add(refused);
            m.evasions_uncalibrated.add(uncalibrated(name, level));
        }
        if !refused {
            m.evasions_accepted
                .push((word.to_owned(), technique.to_owned(), name.to_owned()));
        }
    }
    for row in rows(NAMES) {
        let [source, name] = row[..] else {
            continue;
        };
        if let Err(violation) = off.evaluate(name) {
            m.names_refused_elsewhere
                .push((name.to_owned(), violation.code()));
            continue;
        }
        let refused = policy.evaluate(name).is_err();
        m.names.add(refused);
        m.names_uncalibrated.add(uncalibrated(name, level));
        m.names_by_source
            .entry(source.to_owned())
            .or_default()
            .add(refused);
        if refused {
            m.names_refused.push((source.to_owned(), name.to_owned()));
        }
    }
    m
}

fn percent(t: &Tally) -> String {
    format!("{:.2} % ({} / {})", 100.0 * t.rate(), t.refused, t.total)
}

/// The word rules docs/operations.md#operator-rules suggests seeding (`ReservedContains`): staff
/// words that no newcomer should wear, none of which is inside a real name of the corpus.
pub const SUGGESTED_WORD_RULES: &[&str] = &[
    "admin",
    "moderator",
    "support",
    "official",
    "helpdesk",
    "security",
    "billing",
    "sysop",
    "webmaster",
    "verified",
];

/// Words measured and left out of the suggestion: each is inside real names (`Modesto`,
/// `Patience_Ogunleye`, `Dewi_Groote`, `Staffan`).
pub const REJECTED_WORD_RULES: &[&str] = &["mod", "ceo", "root", "staff"];

/// For each word, the names of the corpus that the default policy accepts and that a
/// `usernames block --contains` of the word would refuse.
pub fn word_rule_hits(words: &[&str]) -> Vec<(String, Vec<String>)> {
    let policy = Policy::default();
    let accepted: Vec<_> = rows(NAMES)
        .filter_map(|row| row.get(1).and_then(|name| policy.evaluate(name).ok()))
        .collect();
    words
        .iter()
        .map(|word| {
            let rule = [ContainsRule::new(word).expect("a word of at least 3 letters")];
            let hits = accepted
                .iter()
                .filter(|name| matching_rule(name, &rule).is_some())
                .map(|name| name.display().to_owned())
                .collect();
            ((*word).to_owned(), hits)
        })
        .collect()
}

/// The names corpus's size as the word rules see it: the names the default policy accepts.
pub fn names_accepted() -> usize {
    let policy = Policy::default();
    rows(NAMES)
        .filter(|row| row.get(1).is_some_and(|name| policy.evaluate(name).is_ok()))
        .count()
}

/// The word-rule table of docs/operations.md#operator-rules, as Markdown.
pub fn word_rule_report() -> String {
    let mut out = String::new();
    let total = names_accepted();
    let _ = writeln!(
        out,
        "## Word rules over the {total} real names the default policy accepts\n"
    );
    let _ = writeln!(out, "| word | suggested | names refused | e.g. |");
    let _ = writeln!(out, "| --- | --- | ---: | --- |");
    for (words, suggested) in [(SUGGESTED_WORD_RULES, "yes"), (REJECTED_WORD_RULES, "no")] {
        for (word, hits) in word_rule_hits(words) {
            let examples: Vec<String> = hits.iter().take(3).map(|n| format!("`{n}`")).collect();
            let _ = writeln!(
                out,
                "| `{word}` | {suggested} | {} | {} |",
                hits.len(),
                examples.join(", ")
            );
        }
    }
    out
}

/// The figures of docs/policy.md, as Markdown.
pub fn report(levels: &[(Profanity, Measure)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Evasions refused (tests/corpora/evasions.tsv)\n");
    let _ = write!(out, "| technique |");
    for (level, _) in levels {
        let _ = write!(out, " `{}` |", level.as_str());
    }
    let _ = writeln!(out, "\n| --- |{}", " --- |".repeat(levels.len()));
    let techniques: Vec<String> = levels
        .first()
        .map(|(_, m)| m.evasions_by_technique.keys().cloned().collect())
        .unwrap_or_default();
    for technique in &techniques {
        let _ = write!(out, "| {technique} |");
        for (_, m) in levels {
            let t = m
                .evasions_by_technique
                .get(technique)
                .cloned()
                .unwrap_or_default();
            let _ = write!(out, " {} |", percent(&t));
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "| **all** |");
    for (_, m) in levels {
        let _ = write!(out, " **{}** |", percent(&m.evasions));
    }
    let _ = write!(out, "\n| passing every other rule |");
    for (_, m) in levels {
        let _ = write!(out, " {} |", percent(&m.evasions_reaching_rule));
    }
    let _ = write!(out, "\n| the same, rustrict as it comes |");
    for (_, m) in levels {
        let _ = write!(out, " {} |", percent(&m.evasions_uncalibrated));
    }
    let _ = writeln!(out, "\n");
    let _ = writeln!(out, "## Real names refused (tests/corpora/names.tsv)\n");
    let _ = write!(out, "| source |");
    for (level, _) in levels {
        let _ = write!(out, " `{}` |", level.as_str());
    }
    let _ = writeln!(out, "\n| --- |{}", " --- |".repeat(levels.len()));
    let sources: Vec<String> = levels
        .first()
        .map(|(_, m)| m.names_by_source.keys().cloned().collect())
        .unwrap_or_default();
    for source in &sources {
        let _ = write!(out, "| {source} |");
        for (_, m) in levels {
            let t = m.names_by_source.get(source).cloned().unwrap_or_default();
            let _ = write!(out, " {} |", percent(&t));
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "| **all** |");
    for (_, m) in levels {
        let _ = write!(out, " **{}** |", percent(&m.names));
    }
    let _ = write!(out, "\n| all, rustrict as it comes |");
    for (_, m) in levels {
        let _ = write!(out, " {} |", percent(&m.names_uncalibrated));
    }
    let _ = writeln!(out, "\n");
    for (level, m) in levels {
        let _ = writeln!(out, "### `{}`: names refused\n", level.as_str());
        for (source, name) in &m.names_refused {
            let _ = writeln!(out, "- {source}: `{name}`");
        }
        let _ = writeln!(out, "\n### `{}`: evasions accepted\n", level.as_str());
        for (word, technique, name) in &m.evasions_accepted {
            let _ = writeln!(out, "- {word} ({technique}): `{name}`");
        }
        let _ = writeln!(out);
    }
    out
}
