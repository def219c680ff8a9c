//! The Bidi Rule of RFC 5893 §2 (the PRECIS directionality rule), over Unicode 18 bidi classes
//! from ICU4X. Our own implementation: the precis crate's accepted nothing but marks after a
//! nonspacing mark, which refused Arabic names with vowel marks inside the word (`محمّد`).

use super::PolicyViolation;
use icu_properties::props::BidiClass;
use icu_properties::CodePointMapData;

/// Applies the rule to a normalised string. Like RFC 8264 and the reference implementation
/// (precis-i18n), the rule applies only to a string with a right-to-left character (R, AL or AN:
/// an RFC 5893 "Bidi domain name"); left-to-right names are left alone.
pub(crate) fn check(s: &str) -> Result<(), PolicyViolation> {
    let classes = CodePointMapData::<BidiClass>::new();
    let is_rtl = |c: char| {
        matches!(
            classes.get(c),
            BidiClass::RightToLeft | BidiClass::ArabicLetter | BidiClass::ArabicNumber
        )
    };
    if !s.chars().any(is_rtl) {
        return Ok(());
    }
    // Rule 1: the first character decides the direction of the label.
    let rtl = match s.chars().next().map(|c| classes.get(c)) {
        Some(BidiClass::RightToLeft | BidiClass::ArabicLetter) => true,
        Some(BidiClass::LeftToRight) => false,
        _ => return Err(PolicyViolation::BidiRule),
    };
    let (mut european, mut arabic) = (false, false);
    let mut last = None;
    for class in s.chars().map(|c| classes.get(c)) {
        if !allowed(class, rtl) {
            return Err(PolicyViolation::BidiRule);
        }
        european |= class == BidiClass::EuropeanNumber;
        arabic |= class == BidiClass::ArabicNumber;
        // Rules 3 and 6 look at the end of the label, past any trailing nonspacing marks.
        if class != BidiClass::NonspacingMark {
            last = Some(class);
        }
    }
    if !last.is_some_and(|class| ends_label(class, rtl)) {
        return Err(PolicyViolation::BidiRule);
    }
    // Rule 4: European and Arabic digits never meet in a right-to-left label. Every pair of
    // decimal systems that breaks it (ASCII or extended Arabic-Indic with Arabic-Indic) is a mix
    // of numbering systems, which is what the user is told.
    if rtl && european && arabic {
        return Err(PolicyViolation::MixedDigits);
    }
    Ok(())
}

/// Rules 3 (right-to-left) and 6 (left-to-right): the classes the last character other than a
/// nonspacing mark may have.
fn ends_label(class: BidiClass, rtl: bool) -> bool {
    if rtl {
        matches!(
            class,
            BidiClass::RightToLeft
                | BidiClass::ArabicLetter
                | BidiClass::EuropeanNumber
                | BidiClass::ArabicNumber
        )
    } else {
        matches!(class, BidiClass::LeftToRight | BidiClass::EuropeanNumber)
    }
}

/// Rules 2 (right-to-left) and 5 (left-to-right): the classes a label may contain.
fn allowed(class: BidiClass, rtl: bool) -> bool {
    let either = matches!(
        class,
        BidiClass::EuropeanNumber
            | BidiClass::EuropeanSeparator
            | BidiClass::CommonSeparator
            | BidiClass::EuropeanTerminator
            | BidiClass::OtherNeutral
            | BidiClass::BoundaryNeutral
            | BidiClass::NonspacingMark
    );
    either
        || if rtl {
            matches!(
                class,
                BidiClass::RightToLeft | BidiClass::ArabicLetter | BidiClass::ArabicNumber
            )
        } else {
            class == BidiClass::LeftToRight
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<&'static str> {
        check(s).err().map(|v| v.code())
    }

    #[track_caller]
    fn accepted(names: &[&str]) {
        for s in names {
            assert_eq!(code(s), None, "{s} {:?}", s.escape_unicode().to_string());
        }
    }

    #[track_caller]
    fn refused(names: &[&str], expected: &str) {
        for s in names {
            assert_eq!(
                code(s),
                Some(expected),
                "{s} {:?}",
                s.escape_unicode().to_string()
            );
        }
    }

    #[test]
    fn left_to_right_names_are_not_bidi_labels() {
        // No R, AL or AN: the rule does not apply, even to a leading digit.
        accepted(&["alice", "1alice", "émile", "中文", "_x"]);
    }

    #[test]
    fn rule_1_the_first_character_is_a_letter_with_a_direction() {
        accepted(&["שלום", "محمد", "ܫܠܡܐ", "ދިވެހި", "ߒߞߏ", "abc"]);
        // A digit, a separator or a mark first.
        refused(
            &[
                "1שלום",
                "١محمد",
                "۱محمد",
                "_محمد",
                ".שלום",
                "\u{651}محمد",
                "\u{5b4}שלום",
                "1ܫܠܡܐ",
                "١ދިވެހި",
                "_ߒߞߏ",
            ],
            "bidi_rule",
        );
    }

    #[test]
    fn rule_2_right_to_left_labels_take_no_left_to_right_letters() {
        accepted(&[
            "محمد.علي",
            "שלום_עולם",
            "ܫܠܡܐ-ܐ",
            "ދިވެހި.ދ",
            "ߒߞߏ_ߒ",
            "محمد١٢",
            "שלום12",
            "محمد۱۲",
        ]);
        refused(
            &["שלוםabc", "محمدx", "ܫܠܡܐabc", "ދިވެހިa", "ߒߞߏé"],
            "bidi_rule",
        );
    }

    #[test]
    fn nonspacing_marks_may_stand_anywhere_in_a_right_to_left_label() {
        accepted(&[
            // Arabic with shadda and harakat inside the word (the names of the issue).
            "\u{645}\u{62d}\u{645}\u{651}\u{62f}",
            "فاطِمة",
            "مُحَمَّد",
            "عليّ",
            // Hebrew with points, Syriac with vowel marks, Thaana with fili, N'Ko with tone marks.
            "שָׁלוֹם",
            "ܡܫܺܝܚܳܐ",
            "ދިވެހި",
            "ߒߞߏ\u{7eb}ߞ",
        ]);
    }

    #[test]
    fn rule_3_right_to_left_labels_end_with_a_letter_or_digit_then_marks() {
        // N'Ko digits are R, so an N'Ko name may end in one.
        accepted(&["محمد٣", "שלום7", "عليّ", "ܫܠܡܐ\u{730}", "ދިވެހި1", "ߒߞߏ\u{7c1}"]);
        refused(&["محمد_", "שלום-", "ܫܠܡܐ_", "ދިވެހި.", "ߒߞߏ-"], "bidi_rule");
    }

    #[test]
    fn rule_4_european_and_arabic_digits_never_meet() {
        // ASCII digits are EN, Arabic-Indic digits are AN, extended Arabic-Indic digits are EN.
        refused(
            &["محمد1١", "محمد١۲", "محمد۱٢", "שלום1١", "ދިވެހި1١", "ܫܠܡܐ١2"],
            "mixed_digits",
        );
        accepted(&["محمد12", "محمد۱۲", "محمد١٢", "محمد1۲"]);
    }

    #[test]
    fn rule_5_left_to_right_labels_take_no_right_to_left_characters() {
        refused(&["abcשלום", "aمحمد", "abc١", "é\u{5d0}"], "bidi_rule");
    }

    #[test]
    fn rule_6_left_to_right_labels_end_with_a_letter_or_digit_then_marks() {
        // A left-to-right bidi label already breaks rule 5 (it holds an R, AL or AN), so rule 6
        // is checked on its own: `a_`, `a.`, `a-` end badly, `ab`, `a1`, `á` well.
        let class = |c: char| CodePointMapData::<BidiClass>::new().get(c);
        for c in ['_', '.', '-'] {
            assert!(!ends_label(class(c), false), "{c}");
            assert!(!ends_label(class(c), true), "{c}");
        }
        for c in ['b', '1', '\u{6f1}'] {
            assert!(ends_label(class(c), false), "{c}");
        }
        assert!(!ends_label(class('\u{661}'), false));
        assert!(!ends_label(class('\u{5d0}'), false));
        refused(&["a_א", "abc١"], "bidi_rule");
    }
}
