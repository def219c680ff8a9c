//! Table-driven policy cases: every row of `policy_cases.tsv` is a named input with its expected
//! outcome (accepted unchanged, or the rejection code).

use shared::policy::{Policy, PolicyViolation};
use std::collections::HashMap;

const CASES: &str = include_str!("policy_cases.tsv");

struct Case {
    line: usize,
    name: String,
    input: String,
    expected: String,
    settings: HashMap<String, String>,
}

/// Replaces each `\u{XXXX}` with its code point.
fn unescape(line: usize, s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("\\u{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find('}')
            .unwrap_or_else(|| panic!("line {line}: unterminated escape"));
        let cp = u32::from_str_radix(&after[..end], 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or_else(|| panic!("line {line}: bad escape {:?}", &after[..end]));
        out.push(cp);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let line = i + 1;
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                (3..=4).contains(&cols.len()),
                "line {line}: want 3 or 4 columns: {l:?}"
            );
            let settings = cols
                .get(3)
                .map(|s| {
                    s.split(';')
                        .map(|kv| {
                            let (k, v) = kv
                                .split_once('=')
                                .unwrap_or_else(|| panic!("line {line}: bad setting {kv:?}"));
                            (k.to_owned(), v.to_owned())
                        })
                        .collect()
                })
                .unwrap_or_default();
            Case {
                line,
                name: cols[0].to_owned(),
                input: unescape(line, cols[1]),
                expected: cols[2].to_owned(),
                settings,
            }
        })
        .collect()
}

fn outcome(case: &Case) -> String {
    let policy = Policy::from_env(&case.settings)
        .unwrap_or_else(|e| panic!("line {}: {}: {e}", case.line, case.name));
    match policy.evaluate(&case.input) {
        Ok(name) if name.display() == case.input => "ok".to_owned(),
        Ok(name) => format!("ok but displayed as {:?}", name.display()),
        Err(PolicyViolation::NotDisplayForm { display }) => format!("not_display_form={display}"),
        Err(violation) => violation.code().to_owned(),
    }
}

#[test]
fn policy_cases() {
    let cases = cases();
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = outcome(case);
            (got != case.expected).then(|| {
                format!(
                    "line {} {:?} ({:?}): expected {}, got {got}",
                    case.line, case.name, case.input, case.expected
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for case in cases() {
        assert!(
            seen.insert(case.name.clone()),
            "line {}: duplicate case name {:?}",
            case.line,
            case.name
        );
    }
}

#[test]
fn accepted_cases_are_fixed_points_with_stable_keys() {
    for case in cases().iter().filter(|c| c.expected == "ok") {
        let policy = Policy::from_env(&case.settings).unwrap();
        let name = policy.evaluate(&case.input).unwrap();
        let again = policy.evaluate(name.display()).unwrap();
        assert_eq!(again, name, "line {}", case.line);
    }
}
