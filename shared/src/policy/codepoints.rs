//! Per-code-point facts from the Unicode Character Database (ICU4X data, Unicode 18): the
//! forbidden classes checked on the raw input, and the PRECIS derived property for code points
//! that precis-core's Unicode 6.3 tables do not know yet.

use super::PolicyViolation;
use icu_properties::props::{
    BidiControl, DefaultIgnorableCodePoint, GeneralCategory, HangulSyllableType, JoinControl,
    NoncharacterCodePoint, WhiteSpace,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_normalization::UnicodeNormalization;

pub(crate) fn general_category(c: char) -> GeneralCategory {
    CodePointMapData::<GeneralCategory>::new().get(c)
}

/// The first forbidden code point of `raw`, as the violation that names its class. Classes are
/// tested most specific first, so a tab reports as a control, not as whitespace.
pub(crate) fn check_forbidden(raw: &str) -> Result<(), PolicyViolation> {
    for c in raw.chars() {
        // Printable ASCII is never forbidden; skipping the lookups keeps typical names cheap.
        if (' '..='~').contains(&c) && c != ' ' {
            continue;
        }
        if let Some(violation) = forbidden_class(c) {
            return Err(violation);
        }
    }
    Ok(())
}

fn forbidden_class(c: char) -> Option<PolicyViolation> {
    let gc = general_category(c);
    if gc == GeneralCategory::Control {
        return Some(PolicyViolation::ControlCharacter);
    }
    if CodePointSetData::new::<BidiControl>().contains(c) {
        return Some(PolicyViolation::BidiControl);
    }
    if CodePointSetData::new::<WhiteSpace>().contains(c)
        || matches!(
            gc,
            GeneralCategory::SpaceSeparator
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
    {
        return Some(PolicyViolation::Whitespace);
    }
    if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) {
        return Some(PolicyViolation::InvisibleCharacter);
    }
    if gc == GeneralCategory::Format {
        return Some(PolicyViolation::FormatCharacter);
    }
    if gc == GeneralCategory::PrivateUse {
        return Some(PolicyViolation::PrivateUseCharacter);
    }
    if CodePointSetData::new::<NoncharacterCodePoint>().contains(c) {
        return Some(PolicyViolation::Noncharacter);
    }
    if gc == GeneralCategory::Unassigned {
        return Some(PolicyViolation::UnassignedCharacter);
    }
    None
}

/// NFKC changes the code point: ligatures, superscripts, circled and mathematical letters,
/// the Kelvin and Ohm signs, fullwidth forms (RFC 8264 §9.17, HasCompat).
pub(crate) fn has_compat(c: char) -> bool {
    !std::iter::once(c).nfkc().eq(std::iter::once(c))
}

/// RFC 8264 §8 IdentifierClass derivation for a code point assigned after Unicode 6.3, the
/// version precis-core's tables are frozen at. Exceptions (§9.6) and BackwardCompatible (§9.7)
/// list only code points older than 6.3, so the rules that can apply start at JoinControl.
pub(crate) fn identifier_class_allows_new(c: char) -> bool {
    use GeneralCategory as Gc;
    if CodePointSetData::new::<JoinControl>().contains(c) {
        return false;
    }
    let hangul = CodePointMapData::<HangulSyllableType>::new().get(c);
    if matches!(
        hangul,
        HangulSyllableType::LeadingJamo
            | HangulSyllableType::VowelJamo
            | HangulSyllableType::TrailingJamo
    ) {
        return false;
    }
    if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointSetData::new::<NoncharacterCodePoint>().contains(c)
    {
        return false;
    }
    let gc = general_category(c);
    if gc == Gc::Control || gc == Gc::Unassigned || has_compat(c) {
        return false;
    }
    matches!(
        gc,
        Gc::LowercaseLetter
            | Gc::UppercaseLetter
            | Gc::OtherLetter
            | Gc::DecimalNumber
            | Gc::ModifierLetter
            | Gc::NonspacingMark
            | Gc::SpacingMark
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(c: char) -> Option<&'static str> {
        forbidden_class(c).map(|v| v.code())
    }

    #[test]
    fn controls_are_controls_even_when_also_whitespace() {
        for c in ['\0', '\t', '\n', '\r', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert_eq!(class(c), Some("control_character"), "{:04X}", c as u32);
        }
    }

    #[test]
    fn bidi_controls_have_their_own_class() {
        for c in [
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{61c}',
        ] {
            assert_eq!(class(c), Some("bidi_control"), "{:04X}", c as u32);
        }
    }

    #[test]
    fn every_space_is_whitespace() {
        for c in [
            ' ', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2007}', '\u{200a}', '\u{2028}', '\u{2029}',
            '\u{202f}', '\u{205f}', '\u{3000}',
        ] {
            assert_eq!(class(c), Some("whitespace"), "{:04X}", c as u32);
        }
    }

    #[test]
    fn default_ignorables_are_invisible() {
        let invisible = [
            '\u{ad}',    // soft hyphen
            '\u{34f}',   // combining grapheme joiner
            '\u{115f}',  // Hangul choseong filler
            '\u{1160}',  // Hangul jungseong filler
            '\u{17b4}',  // Khmer inherent vowel
            '\u{180b}',  // Mongolian free variation selector
            '\u{200b}',  // zero width space
            '\u{200c}',  // ZWNJ
            '\u{200d}',  // ZWJ
            '\u{2060}',  // word joiner
            '\u{2064}',  // invisible plus
            '\u{3164}',  // Hangul filler
            '\u{fe00}',  // variation selector 1
            '\u{fe0f}',  // variation selector 16
            '\u{feff}',  // BOM
            '\u{ffa0}',  // halfwidth Hangul filler
            '\u{e0001}', // language tag
            '\u{e0041}', // tag latin capital a
            '\u{e0100}', // variation selector 17
        ];
        for c in invisible {
            assert_eq!(class(c), Some("invisible_character"), "{:04X}", c as u32);
        }
    }

    #[test]
    fn visible_format_characters_are_format() {
        // Arabic number sign: Cf but not default-ignorable.
        assert_eq!(class('\u{600}'), Some("format_character"));
    }

    #[test]
    fn private_use_noncharacters_and_unassigned() {
        assert_eq!(class('\u{e000}'), Some("private_use_character"));
        assert_eq!(class('\u{f0000}'), Some("private_use_character"));
        assert_eq!(class('\u{10fffd}'), Some("private_use_character"));
        assert_eq!(class('\u{fdd0}'), Some("noncharacter"));
        assert_eq!(class('\u{fffe}'), Some("noncharacter"));
        assert_eq!(class('\u{1ffff}'), Some("noncharacter"));
        assert_eq!(class('\u{378}'), Some("unassigned_character"));
        assert_eq!(class('\u{50000}'), Some("unassigned_character"));
        // Unassigned but reserved as default-ignorable: invisible wins.
        assert_eq!(class('\u{e0080}'), Some("invisible_character"));
    }

    #[test]
    fn ordinary_characters_are_not_forbidden() {
        for c in [
            'a', 'Z', '0', '_', '@', 'é', 'ß', 'ж', 'Ω', 'א', 'ب', '中', 'あ', 'ア', '한',
            '\u{301}',
        ] {
            assert_eq!(class(c), None, "{c}");
        }
    }

    #[test]
    fn new_letters_follow_rfc_8264() {
        // U+1C90 GEORGIAN MTAVRULI CAPITAL LETTER AN (Unicode 11): a letter precis-core 0.2
        // calls unassigned.
        assert!(identifier_class_allows_new('\u{1c90}'));
        // U+1F9E0 BRAIN (Unicode 10): a symbol.
        assert!(!identifier_class_allows_new('\u{1f9e0}'));
        // U+1D7CE MATHEMATICAL BOLD DIGIT ZERO: compatibility character.
        assert!(!identifier_class_allows_new('\u{1d7ce}'));
        assert!(!identifier_class_allows_new('\u{200d}'));
        assert!(!identifier_class_allows_new('\u{378}'));
    }

    #[test]
    fn compatibility_characters_are_detected() {
        for c in ['\u{212a}', '\u{2126}', 'ﬁ', '²', 'ⓐ', '𝐚', 'ａ'] {
            assert!(has_compat(c), "{c}");
        }
        for c in ['a', 'é', 'ß', 'Ω', 'K'] {
            assert!(!has_compat(c), "{c}");
        }
    }
}
