//! Writing systems: a name stays within one script (UTS #39 augmented script sets, so Han with
//! Kana is Japanese and Han with Hangul is Korean), or within UTS #39 "highly restrictive" when
//! configured, and must not be a whole-script look-alike of a name in another alphabet.

use super::PolicyViolation;
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::{
    skeleton, GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection,
};

/// How strictly scripts may be mixed within one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScriptPolicy {
    /// One script per UTS #39 augmented script sets (`single-script`, the default).
    #[default]
    SingleScript,
    /// UTS #39 Highly Restrictive: one script, or Latin with Han and Kana (Japanese), Han and
    /// Bopomofo (Chinese) or Han and Hangul (Korean) (`highly-restrictive`).
    HighlyRestrictive,
}

impl ScriptPolicy {
    /// The configuration spelling of each policy.
    pub fn name(self) -> &'static str {
        match self {
            Self::SingleScript => "single-script",
            Self::HighlyRestrictive => "highly-restrictive",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::SingleScript, Self::HighlyRestrictive]
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(value.trim()))
    }
}

pub(crate) fn check(display: &str, policy: ScriptPolicy) -> Result<(), PolicyViolation> {
    if display.is_ascii() {
        // ASCII letters are all Latin and ASCII digits Common: single script, no look-alike.
        return Ok(());
    }
    let scripts = NameScripts::of(display);
    let mixed = match policy {
        ScriptPolicy::SingleScript => scripts.resolved.is_empty(),
        ScriptPolicy::HighlyRestrictive => {
            display.detect_restriction_level() > RestrictionLevel::HighlyRestrictive
        }
    };
    if mixed {
        return Err(PolicyViolation::MixedScripts);
    }
    if is_whole_script_confusable(display, &scripts.distinct) {
        return Err(PolicyViolation::WholeScriptConfusable);
    }
    Ok(())
}

/// The scripts of a name in one pass: the resolved set (UTS #39: the intersection of every
/// character's augmented script set) and the distinct sets of its non-Common characters.
struct NameScripts {
    resolved: AugmentedScriptSet,
    distinct: Vec<AugmentedScriptSet>,
}

impl NameScripts {
    fn of(display: &str) -> Self {
        let mut resolved = AugmentedScriptSet::default();
        let mut distinct: Vec<AugmentedScriptSet> = Vec::new();
        let mut add = |set: AugmentedScriptSet| {
            resolved.intersect_with(set);
            if !set.is_all() && !distinct.contains(&set) {
                distinct.push(set);
            }
        };
        let mut has_ascii_letter = false;
        for c in display.chars() {
            // ASCII letters are Latin and other ASCII is Common: one lookup covers them all.
            if c.is_ascii() {
                has_ascii_letter |= c.is_ascii_alphabetic();
            } else {
                add(AugmentedScriptSet::for_char(c));
            }
        }
        if has_ascii_letter {
            add(AugmentedScriptSet::for_char('a'));
        }
        Self { resolved, distinct }
    }
}

/// True when the name renders entirely with letters of other scripts: every letter of its UTS #39
/// skeleton belongs to a script the name does not use, and is a letter a name could contain
/// (Identifier_Status=Allowed). Cyrillic "сосо" (skeleton "coco") and Greek "ΑΝΝΑ" ("ANNA") are;
/// Cyrillic "иван" ("ᴎʙaʜ", small capitals that no name may use) is not.
fn is_whole_script_confusable(display: &str, own: &[AugmentedScriptSet]) -> bool {
    let mut has_letter = false;
    for c in skeleton(display).map(latin_reading) {
        let set = AugmentedScriptSet::for_char(c);
        if set.is_all() {
            continue;
        }
        if !c.identifier_allowed() {
            return false;
        }
        let shares_script = own.iter().any(|o| {
            let mut both = *o;
            both.intersect_with(set);
            !both.is_empty()
        });
        if shares_script {
            return false;
        }
        has_letter = true;
    }
    has_letter
}

/// Prototypes a reader takes for a lowercase Latin letter inside a word, though no name may
/// contain them: the skeleton maps Cyrillic `т`, `м`, `к` and Greek `κ` to the small capitals
/// and kra below, and Greek `χ` to itself. Read as the letter, `тоаѕт`, `маѕк`, `κοι` and `ροχ`
/// render as `toast`, `mask`, `koi` and `pox`. Other small capitals (`ᴎʙaʜ`, Cyrillic
/// `иван`) keep no Latin reading: those names read as Cyrillic.
fn latin_reading(c: char) -> char {
    match c {
        '\u{1D1B}' => 't', // ᴛ LATIN LETTER SMALL CAPITAL T (Cyrillic т)
        '\u{1D0D}' => 'm', // ᴍ LATIN LETTER SMALL CAPITAL M
        '\u{028D}' => 'm', // ʍ LATIN SMALL LETTER TURNED W (Cyrillic м)
        '\u{0138}' => 'k', // ĸ LATIN SMALL LETTER KRA (Cyrillic к, Greek κ)
        '\u{1D0B}' => 'k', // ᴋ LATIN LETTER SMALL CAPITAL K
        '\u{03C7}' => 'x', // χ GREEK SMALL LETTER CHI
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str, policy: ScriptPolicy) -> Option<&'static str> {
        check(s, policy).err().map(|v| v.code())
    }

    #[test]
    fn single_script_names_pass() {
        for s in [
            "alice",
            "émile",
            "иван",
            "Иван",
            "σοφία",
            "ΣΟΦΊΑ",
            "שלום",
            "مرحبا",
            "中文名",
            "山田たろう",
            "カタカナ漢字",
            "김민준",
            "한글漢字",
            "ქართული",
            "Հայկ",
            "ИВАН",
            "ЕЛЕНА",
        ] {
            assert_eq!(code(s, ScriptPolicy::SingleScript), None, "{s}");
        }
    }

    #[test]
    fn mixing_scripts_is_refused() {
        for s in ["аdmin", "pаypal", "abcж", "ab中文", "σx", "alice山田"] {
            assert_eq!(
                code(s, ScriptPolicy::SingleScript),
                Some("mixed_scripts"),
                "{s}"
            );
        }
    }

    #[test]
    fn highly_restrictive_allows_latin_with_cjk_only() {
        for s in ["alice山田", "tanakaさん", "kim김민준", "ab中文"] {
            assert_eq!(code(s, ScriptPolicy::HighlyRestrictive), None, "{s}");
        }
        for s in ["аdmin", "abcж", "σx", "김민준さん"] {
            assert_eq!(
                code(s, ScriptPolicy::HighlyRestrictive),
                Some("mixed_scripts"),
                "{s}"
            );
        }
    }

    #[test]
    fn whole_script_look_alikes_are_refused() {
        for s in [
            "сосо",
            "рара",
            "ТОР",
            "МОСКВА",
            "ΑΝΝΑ",
            "ΗΟΜΕ",
            "ΚΑΤΕ",
            "ГАВ",
        ] {
            assert_eq!(
                code(s, ScriptPolicy::SingleScript),
                Some("whole_script_confusable"),
                "{s}"
            );
        }
        // The Greek original keeps a Greek letter in its skeleton, so it stays available.
        assert_eq!(code("ΓΑΒ", ScriptPolicy::SingleScript), None);
    }

    #[test]
    fn whole_words_whose_letters_read_as_latin_small_capitals_are_refused() {
        for s in ["тоаѕт", "маѕк", "кот", "κοι", "ροχ", "οχο", "мама"] {
            assert_eq!(
                code(s, ScriptPolicy::SingleScript),
                Some("whole_script_confusable"),
                "{s}"
            );
        }
        // Names that read as Cyrillic or Greek stay: a letter with no Latin reading is enough.
        for s in [
            "иван",
            "наталья",
            "дмитрий",
            "σοφία",
            "χρήστος",
            "κώστας",
            "москва",
        ] {
            assert_eq!(code(s, ScriptPolicy::SingleScript), None, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn resolved_set_is_the_uts39_one(name in "[a-z0-9._]{0,3}\\PC{0,6}[a-z]{0,3}") {
            use unicode_security::MixedScript;
            proptest::prop_assert_eq!(NameScripts::of(&name).resolved.is_empty(), !name.is_single_script());
        }
    }

    #[test]
    fn parses_policy_names() {
        assert_eq!(
            ScriptPolicy::parse("single-script"),
            Some(ScriptPolicy::SingleScript)
        );
        assert_eq!(
            ScriptPolicy::parse("Highly-Restrictive"),
            Some(ScriptPolicy::HighlyRestrictive)
        );
        assert_eq!(ScriptPolicy::parse("moderate"), None);
    }
}
