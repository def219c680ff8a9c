//! Names to offer in place of a taken one: its display form with a short number after it
//! (`melody42`, `melody_17`), each passing the policy with a key of its own. Which of them are
//! free is the registry's to say, in one batched read (`Api::suggestions`).

use crate::policy::{Policy, Username};
use std::collections::HashSet;

/// How many names an answer offers at most.
pub const MAX_SUGGESTIONS: usize = 3;
/// How many candidates one batched read looks up: enough that three are usually free.
pub const CANDIDATES: usize = 8;

/// Up to [`CANDIDATES`] names made from `taken`'s display form, in the order they are offered:
/// a two-digit number appended, alone or after `_`, in place of any the name ends with, the
/// stem shortened to fit the policy's length. Each passes `policy` and has a key of its own, never `taken`'s, so none is a
/// look-alike of another candidate or of the taken name. The numbers change every minute
/// (`now`), so a person who asks again sees others.
pub fn candidates(policy: &Policy, taken: &Username, now: i64) -> Vec<Username> {
    let display = taken.display();
    let seed = fnv1a(display) ^ (now / 60).unsigned_abs();
    // The number replaces one the name ends with: `Aurora_b11495` + 42 would be a long run of
    // digits that looks like a phone number, `Aurora_b42` is a name.
    let base =
        match display.trim_end_matches(|c: char| c.is_numeric() || matches!(c, '.' | '_' | '-')) {
            stem if stem.chars().any(char::is_alphabetic) => stem,
            _ => display,
        };
    let mut keys = HashSet::from([taken.key().clone()]);
    let mut found = Vec::new();
    // A few more attempts than candidates: some spellings fail the policy or repeat a key.
    for attempt in 0..(CANDIDATES as u64 * 3) {
        if found.len() == CANDIDATES {
            break;
        }
        let number = 10 + seed.wrapping_add(attempt.wrapping_mul(7919)) % 90;
        let suffix = match attempt % 2 {
            0 => number.to_string(),
            _ => format!("_{number}"),
        };
        let room = policy.max_length().saturating_sub(suffix.chars().count());
        let stem: String = base.chars().take(room).collect();
        let Ok(candidate) = policy.evaluate(&format!("{stem}{suffix}")) else {
            continue;
        };
        if keys.insert(candidate.key().clone()) {
            found.push(candidate);
        }
    }
    found
}

/// A small, stable hash of the name (FNV-1a), so the same name gets the same numbers within a
/// minute on every instance.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_pass_the_policy_with_keys_of_their_own() {
        let policy = Policy::default();
        let taken = policy.evaluate("Melody").unwrap();
        let found = candidates(&policy, &taken, 1_700_000_000);
        assert_eq!(found.len(), CANDIDATES);
        let keys: HashSet<_> = found.iter().map(|c| c.key().clone()).collect();
        assert_eq!(keys.len(), CANDIDATES);
        assert!(!keys.contains(taken.key()));
        for candidate in &found {
            assert!(
                candidate.display().starts_with("Melody"),
                "{}",
                candidate.display()
            );
        }
        // The same minute, the same names; another minute, others.
        let again = candidates(&policy, &taken, 1_700_000_030);
        assert_eq!(found, again);
        assert_ne!(found, candidates(&policy, &taken, 1_700_000_000 + 3600));
    }

    #[test]
    fn a_name_ending_in_digits_gets_new_ones_instead() {
        let policy = Policy::default();
        let taken = policy.evaluate("Aurora_b11495").unwrap();
        let found = candidates(&policy, &taken, 1_700_000_000);
        assert_eq!(found.len(), CANDIDATES, "{found:?}");
        for candidate in &found {
            let display = candidate.display();
            assert!(display.starts_with("Aurora_b"), "{display}");
            let digits = display.chars().filter(char::is_ascii_digit).count();
            assert_eq!(digits, 2, "{display}");
        }
    }

    #[test]
    fn a_long_name_is_shortened_to_fit() {
        let policy = Policy::default();
        let long = "a".repeat(policy.max_length() - 1) + "b";
        let taken = policy.evaluate(&long).unwrap();
        for candidate in candidates(&policy, &taken, 0) {
            assert!(candidate.display().chars().count() <= policy.max_length());
        }
    }
}
