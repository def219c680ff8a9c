//! Uniqueness keys: names that differ only by case, by look-alike characters or by separators
//! map to one key. Derivation version 3 (`KEY_VERSION`):
//!
//! 1. remove the separators `.` `_` `-`;
//! 2. full Unicode case folding (ICU4X, Unicode 18): `STRASSE` = `straße`, `ΣΟΦΊΑ` = `σοφία`;
//! 3. UTS #39 skeleton (unicode-security, Unicode 18): `rnodern` = `modern`, `g00gle` -> `gOOgle`;
//! 4. case folding again, since skeleton prototypes can be capitals (`0` -> `O`): `g00gle` = `google`;
//! 5. `l` -> `i`: `I` folds to `i` but looks like `l`, and `1`, `|`, `ǀ` map to `l`, so one
//!    letter must stand for the whole class (`paypaI` = `paypal`, `adm1n` = `admin`);
//! 6. repeat 1-5 until nothing changes (at most a few rounds);
//! 7. capital look-alikes: where capitals of one script share a skeleton while their lowercase
//!    forms do not (Latin `Ð`, `Đ`, `Ɖ` and `ð`, `đ`, `ɖ`), the keys of the others are replaced by
//!    the key of the one whose key is the shared skeleton's (`CAPITAL_LOOKALIKES`);
//! 8. look-alikes the current Unicode data misses (`UNSEEN_LOOKALIKES`, version 3): a dot above
//!    a letter that already has one (`ali̇ce` = `alice`), a macron below read as an underline
//!    (`a̱na` = `ana`), capitals whose prototype is a digit (`ЗОЯ` = `3ОЯ`, `cƷpo` = `c3po`), pairs
//!    older Unicode data and ICU's still join (`Ő` = `Ö`, `郞` = `郎`, the Arabic high hamza;
//!    Malayalam `എെ` = `ഐ` is written as `ഐ` before step 1), and `vv` = `w`; then NFC.
//!
//! Versions 1 (no step 7 or 8) and 2 (no step 8) stay derivable for keys still in a table
//! ([`key_of_version`]; docs/registry.md#key-versions).
//!
//! The reserved-name comparison additionally folds the leetspeak digits 2-9 to letters
//! (`4dm1n` = `admin`); the uniqueness key does not, because `user3` and `usere` do not look alike.

use super::shape::SEPARATORS;
use icu_casemap::CaseMapper;
use icu_properties::props::{ChangesWhenCasefolded, SoftDotted};
use icu_properties::CodePointSetData;
use std::sync::LazyLock;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Rounds of the derivation before giving up on a fixed point. Names of every assigned code
/// point settle in a few (the tests run the rounds to their end for all of them); the bound only
/// guards against a future table that cycles.
const MAX_ROUNDS: usize = 8;

/// The uniqueness key string of `name` (any string; the policy applies it to display forms).
pub(crate) fn uniqueness_key(name: &str) -> String {
    nfc(unseen_lookalikes(key_through_step_7(&malayalam_ai(name))))
}

/// Malayalam E followed by the vowel sign E is drawn as AI (ICU's data joins them; Unicode 18's
/// prototype of AI puts the sign first, which no one types). Written as AI before the rounds,
/// because the rounds' form of the pair (the sign as Tamil's) also occurs between two AIs.
fn malayalam_ai(name: &str) -> std::borrow::Cow<'_, str> {
    // A search for one character first: it is a byte search, where a string's costs a setup.
    if name.contains('\u{d46}') && name.contains("\u{d0e}\u{d46}") {
        std::borrow::Cow::Owned(name.replace("\u{d0e}\u{d46}", "\u{d10}"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Steps 1-7 of the derivation, before NFC (version 2's key is its NFC).
fn key_through_step_7(name: &str) -> String {
    // ASCII letters and digits are starters whose keys are ASCII letters: case folding is per
    // character, the skeleton maps single characters and reorders marks only between starters,
    // so rounds never act across them. The key is then the concatenation of their table keys and
    // the keys of the runs of other characters between them (tested against plain rounds).
    let mut key = String::with_capacity(name.len() + 4);
    let mut run_start: Option<usize> = None;
    for (i, c) in name.char_indices() {
        if !c.is_ascii() {
            run_start.get_or_insert(i);
            continue;
        }
        let Some(piece) = ASCII_KEYS[usize::from(c as u8)].as_deref() else {
            return derive_through_step_7(name);
        };
        if let Some(start) = run_start.take() {
            key.push_str(&fixed_point(&name[start..i]));
        }
        key.push_str(piece);
    }
    if let Some(start) = run_start {
        key.push_str(&fixed_point(&name[start..]));
    }
    merge_capital_lookalikes(key)
}

/// The key of `name` under derivation `version`, for every version whose keys may still be in a
/// table (`usernames rekey` moves them); `None` for a version this code never had. Each version's
/// keys are frozen by a golden file (`shared/testdata/keys/`), so a change to any of them fails
/// the tests until it is a new version.
pub(crate) fn key_of_version(version: u32, name: &str) -> Option<String> {
    match version {
        // Version 1 had no step 7: `ð`, `ɖ` and `đ` were three keys.
        1 => {
            let without_separators: String =
                name.chars().filter(|c| !SEPARATORS.contains(c)).collect();
            Some(nfc(fixed_point(&without_separators)))
        }
        // Version 2 had no step 8: `ali̇ce`, `3оя` and `vvalter` were names of their own.
        2 => Some(nfc(key_through_step_7(name))),
        3 => Some(uniqueness_key(name)),
        _ => None,
    }
}

/// Steps 1-7 without the ASCII shortcut, for any string.
fn derive_through_step_7(name: &str) -> String {
    let without_separators: String = name.chars().filter(|c| !SEPARATORS.contains(c)).collect();
    merge_capital_lookalikes(fixed_point(&without_separators))
}

/// The whole derivation without the ASCII shortcut (the tests hold the shortcut to it).
#[cfg(test)]
fn derive(name: &str) -> String {
    nfc(unseen_lookalikes(derive_through_step_7(&malayalam_ai(
        name,
    ))))
}

/// Step 8's joins, as replacements on the key in NFD (the rounds leave it so). Each was found by
/// tests/reference/test_homoglyphs.py, which holds the key against older Unicode confusables
/// data (PyPI `confusable_homoglyphs`, `homoglyphs`), ICU's and a red-team list; the pairs they
/// list that the key keeps apart are reviewed in tests/reference/homoglyph_differences.tsv.
const UNSEEN_LOOKALIKES: &[(&str, &str)] = &[
    // Capitals whose prototype is a digit while their lowercase keys as a letter: `З`, `Ʒ`, `Ӡ`
    // look like `3`, so `з`, `ʒ`, `ӡ` (and the letters sharing their keys, `ɜ`, `ȝ`) key as `3`.
    // Derived from the Unicode data (`digit_lookalikes_match_the_unicode_data`).
    ("\u{25c}", "3"),
    ("\u{21d}", "3"),
    ("\u{2d27}", "2"),
    ("\u{10d5}", "3"),
    ("\u{10f7}", "2"),
    // Double acute reads as a diaeresis, as older data has it for `Ő` / `Ö` and `Ű` / `Ü`
    // (the rounds key the double acute as two acutes).
    ("\u{301}\u{301}", "\u{308}"),
    // The high hamza reads as the hamza above (`ٲ` / `أ`, `وٴ` / `ؤ`, `ىٴ` / `ئ`; ICU's data
    // keys U+08A8 with the hamza above too).
    ("\u{674}", "\u{654}"),
    // Han variants older data and ICU's join.
    ("\u{90de}", "\u{90ce}"),
    ("\u{96b8}", "\u{96b7}"),
    // `ƒ` keys as `f` and older data has it as `f̦`.
    ("f\u{326}", "f"),
    // Two `v` read as `w` at a glance; measured on the names corpus (docs/policy.md#multi-letter-shapes).
    ("vv", "w"),
];

/// Step 8 on a key before NFC: the dot above that a dotted letter already has and the macron
/// below, which reads as an underline (a separator), are dropped; then `UNSEEN_LOOKALIKES`.
/// Most keys hold nothing step 8 changes, so one pass over the characters decides that first
/// (a substring search per table entry would cost more than the rest of the step).
fn unseen_lookalikes(key: String) -> String {
    let mut key = if !key.is_ascii() && key.chars().any(|c| matches!(c, '\u{307}' | '\u{331}')) {
        drop_invisible_marks(&key)
    } else {
        key
    };
    if key.is_ascii() {
        if key.as_bytes().windows(2).any(|pair| pair == b"vv") {
            key = key.replace("vv", "w");
        }
        return key;
    }
    if !holds_an_unseen_lookalike(&key) {
        return key;
    }
    for (from, to) in UNSEEN_LOOKALIKES {
        if key.contains(from) {
            key = key.replace(from, to);
        }
    }
    key
}

/// Whether `key` holds the start of a source of `UNSEEN_LOOKALIKES`: one of its single characters,
/// or the first two characters of a longer one (a test holds the two together).
fn holds_an_unseen_lookalike(key: &str) -> bool {
    let mut previous = '\0';
    key.chars().any(|c| {
        let pair = (previous, c);
        previous = c;
        matches!(
            c,
            '\u{25c}'
                | '\u{21d}'
                | '\u{2d27}'
                | '\u{10d5}'
                | '\u{10f7}'
                | '\u{674}'
                | '\u{90de}'
                | '\u{96b8}'
        ) || matches!(pair, ('\u{301}', '\u{301}') | ('f', '\u{326}') | ('v', 'v'))
    })
}

/// Removes U+0331 and every U+0307 whose base letter is soft-dotted (`i`, `j`: the dot is
/// already there, so `ali̇ce` and `alı̇ce` render as `alice`).
fn drop_invisible_marks(key: &str) -> String {
    let soft_dotted = CodePointSetData::new::<SoftDotted>();
    let mut out = String::with_capacity(key.len());
    let mut base_is_dotted = false;
    for c in key.chars() {
        match c {
            '\u{331}' => continue,
            '\u{307}' if base_is_dotted => continue,
            _ => {}
        }
        if canonical_combining_class(c) == 0 {
            base_is_dotted = soft_dotted.contains(c);
        }
        out.push(c);
    }
    out
}

/// Keys of lowercase letters whose capitals look like another capital of the same script, and
/// the key they take: case folding runs before the skeleton (it must, for `ΣΟΦΊΑ` = `σοφία`), so
/// without this `Ðavid`, `Đavid` and `Ɖavid` would be three names. Derived from the Unicode data
/// (`derive_capital_lookalikes` in the tests checks this table against it): capitals of one
/// script grouped by their skeleton, where one of them has the skeleton's key as its own key,
/// and no letter of another script has the key that is replaced.
const CAPITAL_LOOKALIKES: &[(&str, &str)] = &[("d\u{328}", "d\u{335}"), ("∂\u{335}", "d\u{335}")];

/// Step 7 of the derivation, on the key before NFC (sources and targets are in NFD, as the
/// rounds leave them). Every source holds a non-ASCII character.
fn merge_capital_lookalikes(mut key: String) -> String {
    if key.is_ascii() {
        return key;
    }
    for (from, to) in CAPITAL_LOOKALIKES {
        if key.contains(from) {
            key = key.replace(from, to);
        }
    }
    key
}

/// Applies rounds until one changes nothing.
fn fixed_point(name: &str) -> String {
    let mut current = key_round(name);
    for _ in 1..MAX_ROUNDS {
        if is_fixed_point(&current) {
            break;
        }
        let next = key_round(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn nfc(s: String) -> String {
    match unicode_normalization::is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s,
        _ => s.nfc().collect(),
    }
}

/// Whether another round would leave `s` unchanged, at the cost of one skeleton instead of a
/// full round: nothing to case-fold, already NFD, no separator and no `l`, and its own skeleton.
fn is_fixed_point(s: &str) -> bool {
    let changes_when_folded = CodePointSetData::new::<ChangesWhenCasefolded>();
    s.chars()
        .all(|c| c != 'l' && !SEPARATORS.contains(&c) && !changes_when_folded.contains(c))
        && unicode_normalization::is_nfd_quick(s.chars()) == IsNormalized::Yes
        && unicode_security::skeleton(s).eq(s.chars())
}

/// The key of each ASCII character on its own, when it is made only of ASCII letters and digits
/// (or empty, for the separators).
static ASCII_KEYS: LazyLock<[Option<String>; 128]> = LazyLock::new(|| {
    std::array::from_fn(|i| {
        let c = char::from(i as u8);
        let key = nfc(derive_through_step_7(c.encode_utf8(&mut [0; 4])));
        key.bytes()
            .all(|b| b.is_ascii_alphanumeric())
            .then_some(key)
    })
});

fn key_round(s: &str) -> String {
    let case_mapper = CaseMapper::new();
    let folded = case_mapper.fold_string(s);
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    case_mapper
        .fold_string(&skeleton)
        .chars()
        .filter(|c| !SEPARATORS.contains(c))
        .map(|c| if c == 'l' { 'i' } else { c })
        .collect()
}

/// The key reserved names are compared under: the uniqueness key with leetspeak digits folded.
pub(crate) fn reserved_key(uniqueness_key: &str) -> String {
    uniqueness_key
        .chars()
        .map(|c| match c {
            '2' => 'z',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '6' | '9' => 'g',
            '7' => 't',
            '8' => 'b',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(uniqueness_key(a), uniqueness_key(b), "{a} vs {b}");
    }

    fn different(a: &str, b: &str) {
        assert_ne!(uniqueness_key(a), uniqueness_key(b), "{a} vs {b}");
    }

    #[test]
    fn case_folding_is_full() {
        same("STRASSE", "straße");
        same("ΣΟΦΊΑ", "σοφία");
        same("Alice", "aLiCe");
        same("ǅemal", "džemal");
    }

    #[test]
    fn confusables_share_a_key() {
        same("g00gle", "google");
        same("rnodern", "modern");
        same("paypaI", "paypal");
        same("PAYPAL", "paypal");
        same("adm1n", "admin");
        same("аdmin", "admin");
    }

    #[test]
    fn separators_do_not_count() {
        same("john.smith", "john_smith");
        same("john_smith", "johnsmith");
        same("jo-hn", "john");
    }

    #[test]
    fn different_names_keep_different_keys() {
        different("alice", "alicia");
        different("jose", "josé");
        different("badminton", "admin");
        different("user3", "usere");
        different("иван", "ivan");
    }

    #[test]
    fn keys_are_fixed_points() {
        for name in [
            "g00gle",
            "ΣΟΦΊΑ",
            "rnodern",
            "İstanbul",
            "paypaI",
            "ǅemal",
            "ﬀ",
            "ᾨ",
        ] {
            let key = uniqueness_key(name);
            assert_eq!(uniqueness_key(&key), key, "{name}");
        }
    }

    /// The derivation without the fixed-point shortcut: rounds until nothing changes.
    fn derive_by_rounds(name: &str) -> String {
        let mut current: String = malayalam_ai(name)
            .chars()
            .filter(|c| !SEPARATORS.contains(c))
            .collect();
        loop {
            let next = key_round(&current);
            if next == current {
                return nfc(unseen_lookalikes(merge_capital_lookalikes(current)));
            }
            current = next;
        }
    }

    /// Step 7's table from the Unicode data: every capital that changes when case-folded and is
    /// UTS #39 Allowed, grouped by script and by its skeleton.
    fn derive_capital_lookalikes() -> Vec<(String, String)> {
        use icu_properties::props::{GeneralCategory, Script};
        use icu_properties::CodePointMapData;
        use std::collections::BTreeMap;
        use unicode_security::GeneralSecurityProfile;
        let folds = CodePointSetData::new::<ChangesWhenCasefolded>();
        let scripts = CodePointMapData::<Script>::new();
        let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let gc = crate::policy::codepoints::general_category(c);
            if !matches!(
                gc,
                GeneralCategory::UppercaseLetter | GeneralCategory::TitlecaseLetter
            ) || !folds.contains(c)
                || !c.identifier_allowed()
            {
                continue;
            }
            // Grouped by the skeleton itself: capitals that look alike. (Grouping by its key
            // would also join `Н` and `Һ`, whose skeletons `H` and `h` differ only by case.)
            let skeleton: String = unicode_security::skeleton(&c.to_string()).collect();
            let own = fixed_point(&c.to_string());
            groups
                .entry((format!("{:?}", scripts.get(c)), skeleton))
                .or_default()
                .push(own);
        }
        let mut pairs: Vec<(String, String, String)> = Vec::new();
        for ((script, skeleton), owns) in groups {
            let shared = fixed_point(&skeleton);
            if !owns.contains(&shared) {
                continue;
            }
            for own in owns {
                if own != shared && !own.is_ascii() && !pairs.iter().any(|(f, _, _)| *f == own) {
                    pairs.push((own, shared.clone(), script.clone()));
                }
            }
        }
        // A key that letters of another script have too would join those letters as well
        // (Cyrillic `ғ` has the key of Latin `ɍ`): such a pair is left out.
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            if pairs.is_empty() {
                break;
            }
            if !c.identifier_allowed() || c.is_ascii() {
                continue;
            }
            let script = format!("{:?}", scripts.get(c));
            let key = fixed_point(&c.to_string());
            pairs.retain(|(own, _, own_script)| *own != key || *own_script == script);
        }
        let mut pairs: Vec<(String, String)> = pairs.into_iter().map(|(f, t, _)| (f, t)).collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn capital_lookalike_table_matches_the_unicode_data() {
        let table: Vec<(String, String)> = CAPITAL_LOOKALIKES
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let derived = derive_capital_lookalikes();
        assert_eq!(
            table,
            derived,
            "derived:\n{}",
            derived
                .iter()
                .map(|(f, t)| format!("    ({:?}, {:?}),", f, t))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Step 8's digit entries from the Unicode data: every Allowed capital whose skeleton as
    /// written is one decimal digit while its own key (its lowercase's) is one other non-ASCII
    /// character. `Յ` (Armenian, skeleton `3`) is left out: its own key is `j`, and joining `j`
    /// with `3` would join every name with a `j` (tests/reference/homoglyph_differences.tsv).
    fn derive_digit_lookalikes() -> Vec<(String, String)> {
        use unicode_security::GeneralSecurityProfile;
        let folds = CodePointSetData::new::<ChangesWhenCasefolded>();
        let mut pairs: Vec<(String, String)> = Vec::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            if !folds.contains(c) || !c.identifier_allowed() {
                continue;
            }
            let skeleton: String = unicode_security::skeleton(&c.to_string()).collect();
            let mut chars = skeleton.chars();
            let (Some(digit), None) = (chars.next(), chars.next()) else {
                continue;
            };
            if !digit.is_ascii_digit() {
                continue;
            }
            let own = fixed_point(&c.to_string());
            if own.chars().count() == 1 && !own.is_ascii() {
                let pair = (own, digit.to_string());
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
        pairs.sort();
        pairs
    }

    #[test]
    fn digit_lookalikes_match_the_unicode_data() {
        let mut table: Vec<(String, String)> = UNSEEN_LOOKALIKES
            .iter()
            .filter(|(_, to)| to.chars().all(|c| c.is_ascii_digit()))
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        table.sort();
        assert_eq!(table, derive_digit_lookalikes());
    }

    #[test]
    fn every_unseen_lookalike_is_looked_for() {
        for (from, _) in UNSEEN_LOOKALIKES {
            assert!(holds_an_unseen_lookalike(from), "{from:?}");
        }
        // An acute or an `f` alone, or one `v`, start no replacement.
        for key in ["e\u{301}miie", "fiona", "\u{3c3}o\u{3c6}i\u{301}a", "vera"] {
            assert!(!holds_an_unseen_lookalike(key), "{key:?}");
        }
    }

    #[test]
    fn unseen_lookalikes_share_a_key() {
        // A dot above a dotted letter, a macron below (issue examples).
        same("alice", "ali\u{307}ce");
        same("alice", "al\u{131}\u{307}ce");
        same("jack", "j\u{307}ack");
        same("ana", "a\u{331}na");
        same("ana", "a_na");
        // Capitals whose prototype is a digit, in both cases.
        same("ЗОЯ", "3ОЯ");
        same("зоя", "3оя");
        same("c3po", "cƷpo");
        same("З", "Ӡ");
        same("ÖZIL", "ŐZIL");
        same("özil", "őzil");
        // Older and ICU's data.
        same("أحمد", "ٲحمد");
        same("ؤلا", "وٴلا");
        same("ئلا", "ىٴلا");
        same("ഐക്യം", "എെക്യം");
        same("郎郎郎", "郞郞郞");
        same("隸隸隸", "隷隷隷");
        same("walter", "vvalter");
        same("ƒoo", "f\u{326}oo");
    }

    #[test]
    fn unseen_lookalikes_keep_visible_marks() {
        // A dot above a letter without one is visible; so is a dot below.
        different("ana", "a\u{307}na");
        different("ana", "a\u{323}na");
        different("alice", "ali\u{323}ce");
        // Measured and left apart (docs/policy.md#multi-letter-shapes).
        different("clara", "dara");
        different("anna", "ama");
        different("maria", "mana");
    }

    #[test]
    fn capital_lookalikes_share_a_key() {
        same("Ðavid", "Đavid");
        same("Đavid", "Ɖavid");
        same("ðavid", "Ɖavid");
        same("ɖavid", "đavid");
        // Greek final sigma still folds with sigma and capital sigma.
        same("ΣΟΦΊΑ", "σοφία");
        same("ΟΔΥΣΣΕΥΣ", "οδυσσευς");
    }

    /// Names that mix ASCII with look-alikes, marks, separators and case pairs.
    fn mixed_name() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            "[a-zA-Z0-9._-]{1,4}",
            "\\PC{1,3}",
            prop::sample::select(vec![
                "\u{301}", "\u{316}", "\u{345}", "é", "É", "ß", "ẞ", "İ", "ı", "ǅ", "ﬀ", "ᾨ", "Σ",
                "ς", "а", "А", "ο", "Ο", "І", "ı", "ℓ", "ǀ", "\u{200b}", "ｍ", "Å", "K", "Ω",
            ])
            .prop_map(str::to_owned),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn shortcuts_change_no_key(name in mixed_name()) {
            proptest::prop_assert_eq!(uniqueness_key(&name), derive_by_rounds(&name));
            proptest::prop_assert_eq!(derive(&name), derive_by_rounds(&name));
        }

        #[test]
        fn shortcuts_change_no_key_of_arbitrary_text(name in "\\PC{0,24}") {
            proptest::prop_assert_eq!(uniqueness_key(&name), derive_by_rounds(&name));
        }
    }

    #[test]
    fn shortcuts_change_no_key_of_any_code_point() {
        use icu_properties::props::GeneralCategory;
        let assigned = |c: &char| {
            !matches!(
                crate::policy::codepoints::general_category(*c),
                GeneralCategory::Unassigned | GeneralCategory::PrivateUse
            )
        };
        for c in (0..=0x10_FFFF).filter_map(char::from_u32).filter(assigned) {
            // Alone, between ASCII letters (run boundaries) and after a separator.
            let name: String = [c, 'm', c, c, 'I', '.', c].iter().collect();
            assert_eq!(
                uniqueness_key(&name),
                derive_by_rounds(&name),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn ascii_table_matches_the_derivation() {
        for b in 0u8..128 {
            let c = char::from(b);
            if let Some(fast) = ASCII_KEYS[usize::from(b)].as_deref() {
                assert_eq!(fast, derive_by_rounds(&c.to_string()), "{c:?}");
            }
        }
        // Letters, digits and separators are all in the table.
        for c in ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain(SEPARATORS)
        {
            assert!(ASCII_KEYS[c as usize].is_some(), "{c:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_matches_the_derivation(name in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(uniqueness_key(&name), derive_by_rounds(&name));
        }
    }

    /// The golden corpus: every code point of planes 0-3 and 14 alone (private use aside), then
    /// the frozen names of `testdata/keys/names.txt`.
    fn golden_corpus() -> Vec<String> {
        let private_use = |c: &char| matches!(*c as u32, 0xE000..=0xF8FF);
        let names = std::fs::read_to_string(golden_dir().join("names.txt"))
            .unwrap_or_else(|e| panic!("testdata/keys/names.txt: {e}"));
        (0..0x4_0000)
            .chain(0xE_0000..0xE_1000)
            .filter_map(char::from_u32)
            .filter(|c| !private_use(c))
            .map(String::from)
            .chain(
                names
                    .lines()
                    .filter(|line| !line.starts_with('#') && !line.is_empty())
                    .map(str::to_owned),
            )
            .collect()
    }

    fn golden_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys")
    }

    /// The golden file's text for `version`: one line per corpus entry whose key is not the entry
    /// itself, both written as Rust string literals (marks, spaces and controls stay visible).
    fn golden_text(version: u32, corpus: &[String]) -> String {
        let mut text = format!(
            "# Keys of derivation version {version} (shared/src/policy/key.rs) over the golden \
             corpus; entries whose key is themselves are left out.\n"
        );
        for entry in corpus {
            let key = key_of_version(version, entry).unwrap_or_else(|| panic!("version {version}"));
            if key != *entry {
                text.push_str(&format!("{entry:?}\t{key:?}\n"));
            }
        }
        text
    }

    /// Every key version's keys are frozen: a change to the derivation (code, or the Unicode data
    /// of a crate update) fails here until it is a new `KEY_VERSION` whose old derivation stays
    /// in `key_of_version`, so that `usernames rekey` can find and move the old keys. To write
    /// the golden file of a new version: `BLESS_GOLDEN_KEYS=1 cargo test -p shared golden`.
    #[test]
    fn golden_keys_hold_for_every_version() {
        let corpus = golden_corpus();
        for version in crate::policy::OLDEST_KEY_VERSION..=crate::policy::KEY_VERSION {
            let path = golden_dir().join(format!("v{version}.tsv"));
            let actual = golden_text(version, &corpus);
            let bless = std::env::var_os("BLESS_GOLDEN_KEYS").is_some();
            if bless && !path.exists() {
                std::fs::write(&path, &actual).unwrap();
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing: write it with BLESS_GOLDEN_KEYS=1 (it never rewrites a file)",
                    path.display()
                )
            });
            let changed: Vec<_> = expected
                .lines()
                .zip(actual.lines())
                .filter(|(e, a)| e != a)
                .take(10)
                .collect();
            assert!(
                expected == actual,
                "the keys of derivation version {version} changed (first differences, golden vs \
                 now: {changed:?}; {} vs {} lines). Bump KEY_VERSION in shared/src/policy/mod.rs, \
                 keep this version's derivation in key_of_version, and bless the new version's file",
                expected.lines().count(),
                actual.lines().count()
            );
        }
        assert_eq!(
            key_of_version(crate::policy::KEY_VERSION + 1, "alice"),
            None
        );
    }

    #[test]
    fn version_1_kept_capital_lookalikes_apart() {
        assert_ne!(key_of_version(1, "ðavid"), key_of_version(1, "đavid"));
        assert_eq!(key_of_version(2, "ðavid"), key_of_version(2, "đavid"));
        assert_eq!(key_of_version(1, "g00gle"), key_of_version(2, "google"));
    }

    #[test]
    fn reserved_key_folds_leetspeak() {
        assert_eq!(
            reserved_key(&uniqueness_key("4dm1n")),
            reserved_key(&uniqueness_key("admin"))
        );
        assert_eq!(
            reserved_key(&uniqueness_key("r00t")),
            reserved_key(&uniqueness_key("root"))
        );
        assert_eq!(
            reserved_key(&uniqueness_key("5upp0rt")),
            reserved_key(&uniqueness_key("support"))
        );
    }
}
