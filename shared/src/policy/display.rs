//! The display form: PRECIS `UsernameCasePreserved` (RFC 8265 §3.4) enforcement — width mapping,
//! NFC, the IdentifierClass on the normalised string and the Bidi Rule — with the IdentifierClass
//! extended past precis-core's frozen Unicode 6.3 tables.

use super::bidi;
use super::codepoints::{general_category, has_compat, identifier_class_allows_new};
use super::PolicyViolation;
use icu_properties::props::GeneralCategory;
use precis_core::profile::Rules;
use precis_core::{DerivedPropertyValue, Error as PrecisError, IdentifierClass, StringClass};
use precis_profiles::UsernameCasePreserved;
use std::borrow::Cow;

/// A code point assigned after Unicode 6.3 is checked by our own derivation, then stands in
/// for itself as this always-PVALID letter when precis-core checks the context rules, which
/// only look at older code points.
const STAND_IN: char = 'a';

/// Applies the profile to `input` and returns its display form.
pub(crate) fn enforce(input: &str) -> Result<Cow<'_, str>, PolicyViolation> {
    // Printable ASCII is PVALID (RFC 8264 ASCII7), has no width mapping, is NFC and has no
    // right-to-left character: it is its own display form.
    if input.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Ok(Cow::Borrowed(input));
    }
    let profile = UsernameCasePreserved::new();
    let mapped = profile.width_mapping_rule(input).map_err(from_precis)?;
    let normalized = profile.normalization_rule(mapped).map_err(from_precis)?;
    if normalized.is_empty() {
        return Err(PolicyViolation::Empty);
    }
    // RFC 8264 §7 checks the string class on the result of the rules, as the reference
    // implementation does: a canonical variant such as the Angstrom sign, Greek with oxia or
    // conjoining Hangul jamo is not PVALID itself but normalises to a name that is, so the user
    // is told what to type (`not_display_form`) instead of being refused for the character.
    check_identifier_class(&normalized)?;
    bidi::check(&normalized)?;
    Ok(normalized)
}

/// The IdentifierClass check, one derived-property lookup per non-ASCII code point. The few
/// contextual code points (RFC 5892 CONTEXTJ/CONTEXTO) go through precis-core's context rules.
fn check_identifier_class(s: &str) -> Result<(), PolicyViolation> {
    let class = IdentifierClass::default();
    let mut has_new = false;
    let mut has_contextual = false;
    let (mut arabic_indic, mut extended_arabic_indic) = (false, false);
    for c in s.chars() {
        if (' '..='~').contains(&c) && c != ' ' || surely_pvalid(c) {
            continue;
        }
        match class.get_value_from_char(c) {
            DerivedPropertyValue::PValid | DerivedPropertyValue::SpecClassPval => {}
            // RFC 5892 A.8 and A.9 inline: each set of Arabic-Indic digits excludes the other.
            // Going through precis-core would rescan the whole name per digit.
            DerivedPropertyValue::ContextO if ('\u{660}'..='\u{669}').contains(&c) => {
                arabic_indic = true;
            }
            DerivedPropertyValue::ContextO if ('\u{6f0}'..='\u{6f9}').contains(&c) => {
                extended_arabic_indic = true;
            }
            DerivedPropertyValue::ContextJ | DerivedPropertyValue::ContextO => {
                has_contextual = true;
            }
            DerivedPropertyValue::Unassigned => {
                if general_category(c) == GeneralCategory::Unassigned {
                    return Err(PolicyViolation::UnassignedCharacter);
                }
                if !identifier_class_allows_new(c) {
                    return Err(refusal(c));
                }
                has_new = true;
            }
            DerivedPropertyValue::Disallowed | DerivedPropertyValue::SpecClassDis => {
                return Err(refusal(c));
            }
        }
    }
    if arabic_indic && extended_arabic_indic {
        return Err(PolicyViolation::MixedDigits);
    }
    if !has_contextual {
        return Ok(());
    }
    if has_new {
        let is_new = |c: char| class.get_value_from_char(c) == DerivedPropertyValue::Unassigned;
        let stood_in: String = s
            .chars()
            .map(|c| if is_new(c) { STAND_IN } else { c })
            .collect();
        class.allows(&stood_in).map_err(from_precis)
    } else {
        class.allows(s).map_err(from_precis)
    }
}

/// A shortcut around the derived-property computation (a dozen table lookups and an NFKC
/// check per code point): UTS #39 Allowed letters, marks and digits are never compatibility
/// characters, ignorables or controls, so RFC 8264 makes them PVALID, except the contextual
/// Arabic-Indic digits. A test checks this against the full derivation for every code point.
fn surely_pvalid(c: char) -> bool {
    use unicode_security::GeneralSecurityProfile;
    !matches!(c, '\u{660}'..='\u{669}' | '\u{6f0}'..='\u{6f9}')
        && c.identifier_allowed()
        && matches!(
            general_category(c),
            GeneralCategory::UppercaseLetter
                | GeneralCategory::LowercaseLetter
                | GeneralCategory::OtherLetter
                | GeneralCategory::ModifierLetter
                | GeneralCategory::NonspacingMark
                | GeneralCategory::SpacingMark
                | GeneralCategory::DecimalNumber
        )
}

fn refusal(c: char) -> PolicyViolation {
    if has_compat(c) {
        PolicyViolation::CompatibilityCharacter
    } else {
        PolicyViolation::DisallowedCharacter
    }
}

fn from_precis(err: PrecisError) -> PolicyViolation {
    match err {
        PrecisError::BadCodepoint(info) => match (info.property, char::from_u32(info.cp)) {
            (DerivedPropertyValue::Unassigned, _) => PolicyViolation::UnassignedCharacter,
            // The only contextual digits are the Arabic-Indic ones (RFC 5892 A.8, A.9): their
            // rule refuses them mixed with the extended Arabic-Indic digits.
            (DerivedPropertyValue::ContextO, Some(c))
                if general_category(c) == GeneralCategory::DecimalNumber =>
            {
                PolicyViolation::MixedDigits
            }
            (_, Some(c)) => refusal(c),
            (_, None) => PolicyViolation::DisallowedCharacter,
        },
        PrecisError::Invalid | PrecisError::Unexpected(_) => PolicyViolation::DisallowedCharacter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn display(s: &str) -> Result<String, &'static str> {
        enforce(s).map(Cow::into_owned).map_err(|v| v.code())
    }

    #[test]
    fn width_mapping_and_nfc_give_the_display_form() {
        assert_eq!(display("ａｌｉｃｅ"), Ok("alice".into()));
        assert_eq!(display("e\u{301}mile"), Ok("émile".into()));
        assert_eq!(display("ｱｲｳ"), Ok("アイウ".into()));
        assert_eq!(display("alice"), Ok("alice".into()));
    }

    #[test]
    fn canonical_variants_give_the_display_form() {
        // Angstrom sign, Kelvin sign, Greek alpha with oxia, conjoining Hangul jamo.
        assert_eq!(display("\u{212b}sa"), Ok("\u{c5}sa".into()));
        assert_eq!(display("\u{212a}elvin"), Ok("Kelvin".into()));
        assert_eq!(
            display("\u{1f71}\u{3b8}\u{3b7}\u{3bd}\u{3b1}"),
            Ok("άθηνα".into())
        );
        assert_eq!(
            display("\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}"),
            Ok("한글".into())
        );
        // Jamo that compose to nothing stay disallowed.
        assert_eq!(display("\u{1100}\u{1100}"), Err("disallowed_character"));
    }

    #[test]
    fn compatibility_characters_are_refused() {
        for s in ["ﬁsh", "𝐚bc", "x²", "ⓐbc", "㍿"] {
            assert_eq!(display(s), Err("compatibility_character"), "{s}");
        }
    }

    #[test]
    fn symbols_and_punctuation_outside_ascii_are_refused() {
        for s in ["a☺b", "a😀b", "a·b", "a‐b", "a’b"] {
            assert_eq!(display(s), Err("disallowed_character"), "{s}");
        }
    }

    #[test]
    fn bidi_rule_applies_to_right_to_left_names() {
        assert_eq!(display("שלום1"), Ok("שלום1".into()));
        assert_eq!(display("1שלום"), Err("bidi_rule"));
        assert_eq!(display("abcשלום"), Err("bidi_rule"));
        // Marks inside a right-to-left word (the precis crate refused these).
        for name in ["\u{645}\u{62d}\u{645}\u{651}\u{62f}", "فاطِمة", "مُحَمَّد"] {
            assert_eq!(display(name), Ok(name.into()), "{name}");
        }
    }

    #[test]
    fn shortcut_agrees_with_the_full_derivation_everywhere() {
        let class = IdentifierClass::default();
        for c in (0..=0x10_FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| surely_pvalid(c))
        {
            let pvalid = match class.get_value_from_char(c) {
                DerivedPropertyValue::PValid => true,
                DerivedPropertyValue::Unassigned => identifier_class_allows_new(c),
                _ => false,
            };
            assert!(pvalid, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn other_contextual_code_points_follow_precis_context_rules() {
        assert_eq!(display("l·l"), Ok("l·l".into()));
        assert_eq!(display("a·b"), Err("disallowed_character"));
        assert_eq!(display("カ・カ"), Ok("カ・カ".into()));
    }

    #[test]
    fn arabic_indic_digit_sets_do_not_mix() {
        assert_eq!(display("محمد١٢"), Ok("محمد١٢".into()));
        assert_eq!(display("محمد١۲"), Err("mixed_digits"));
        assert_eq!(display("محمد۱۲"), Ok("محمد۱۲".into()));
    }

    #[test]
    fn letters_newer_than_unicode_6_3_are_judged_by_rfc_8264() {
        // U+1C90 GEORGIAN MTAVRULI CAPITAL LETTER AN (Unicode 11).
        assert_eq!(display("\u{1c90}\u{1c91}"), Ok("\u{1c90}\u{1c91}".into()));
        // U+1F9E0 BRAIN (Unicode 10).
        assert_eq!(display("a\u{1f9e0}"), Err("disallowed_character"));
    }
}
