//! The shape of a display-form name: which characters it may use (letters, combining marks and
//! decimal digits with UTS #39 Identifier_Status=Allowed, plus `.` `_` `-` between them), how
//! combining marks stack, and that its digits come from one decimal system.

use super::codepoints::general_category;
use super::PolicyViolation;
use icu_properties::props::GeneralCategory as Gc;
use unicode_security::GeneralSecurityProfile;

/// The separators a name may use between other characters. They do not count for uniqueness.
pub const SEPARATORS: [char; 3] = ['.', '_', '-'];

/// Most combining marks one base letter may carry.
pub const MAX_STACKED_MARKS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Letter,
    Mark,
    Digit,
    Separator,
}

fn kind(c: char) -> Option<Kind> {
    if SEPARATORS.contains(&c) {
        return Some(Kind::Separator);
    }
    if c.is_ascii_alphabetic() {
        return Some(Kind::Letter);
    }
    if c.is_ascii_digit() {
        return Some(Kind::Digit);
    }
    if c.is_ascii() || !c.identifier_allowed() {
        return None;
    }
    match general_category(c) {
        Gc::UppercaseLetter | Gc::LowercaseLetter | Gc::OtherLetter | Gc::ModifierLetter => {
            Some(Kind::Letter)
        }
        Gc::NonspacingMark | Gc::SpacingMark => Some(Kind::Mark),
        Gc::DecimalNumber => Some(Kind::Digit),
        _ => None,
    }
}

/// Checks the character set and the placement of separators and marks.
pub(crate) fn check(display: &str) -> Result<(), PolicyViolation> {
    let mut previous: Option<Kind> = None;
    let mut has_letter = false;
    let mut stack: Vec<char> = Vec::new();
    let mut digit_zero: Option<u32> = None;
    for c in display.chars() {
        let kind = kind(c).ok_or(PolicyViolation::DisallowedCharacter)?;
        match kind {
            Kind::Separator => {
                if previous.is_none() {
                    return Err(PolicyViolation::SeparatorAtEdge);
                }
                if previous == Some(Kind::Separator) {
                    return Err(PolicyViolation::ConsecutiveSeparators);
                }
            }
            Kind::Mark => {
                // A mark belongs on a letter: not first, not on a digit or a separator.
                if !matches!(previous, Some(Kind::Letter | Kind::Mark)) {
                    return Err(PolicyViolation::MisplacedCombiningMark);
                }
                if stack.contains(&c) {
                    return Err(PolicyViolation::RepeatedCombiningMark);
                }
                stack.push(c);
                if stack.len() > MAX_STACKED_MARKS {
                    return Err(PolicyViolation::TooManyCombiningMarks);
                }
            }
            Kind::Letter => has_letter = true,
            Kind::Digit => {
                let zero = decimal_zero(c);
                if *digit_zero.get_or_insert(zero) != zero {
                    return Err(PolicyViolation::MixedDigits);
                }
            }
        }
        if kind != Kind::Mark {
            stack.clear();
        }
        previous = Some(kind);
    }
    if previous == Some(Kind::Separator) {
        return Err(PolicyViolation::SeparatorAtEdge);
    }
    if !has_letter {
        return Err(PolicyViolation::NoLetter);
    }
    Ok(())
}

/// The code point of the zero of `digit`'s decimal system. Unicode encodes every decimal system
/// as a contiguous run of ten Nd code points from 0 to 9 (a stability guarantee), and where two
/// systems are adjacent each still starts at a multiple of ten from the start of the run.
fn decimal_zero(digit: char) -> u32 {
    if digit.is_ascii_digit() {
        return '0' as u32;
    }
    let cp = digit as u32;
    let mut start = cp;
    while start > 0
        && char::from_u32(start - 1).is_some_and(|c| general_category(c) == Gc::DecimalNumber)
    {
        start -= 1;
    }
    start + (cp - start) / 10 * 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<&'static str> {
        check(s).err().map(|v| v.code())
    }

    #[test]
    fn letters_digits_and_inner_separators_pass() {
        for s in [
            "alice",
            "john.smith",
            "john_smith",
            "jo-ann",
            "a.b_c-d",
            "agent007",
            "émile",
            "ж_ж",
            "中文",
            "ひらがな",
            "한국어",
            "مرحبا",
            "שלום",
        ] {
            assert_eq!(code(s), None, "{s}");
        }
    }

    #[test]
    fn separators_only_between_other_characters() {
        assert_eq!(code(".alice"), Some("separator_at_edge"));
        assert_eq!(code("alice_"), Some("separator_at_edge"));
        assert_eq!(code("-"), Some("separator_at_edge"));
        assert_eq!(code("al..ice"), Some("consecutive_separators"));
        assert_eq!(code("al._ice"), Some("consecutive_separators"));
        assert_eq!(code("al-_ice"), Some("consecutive_separators"));
    }

    #[test]
    fn other_characters_are_refused() {
        for s in ["a@b", "a+b", "a'b", "a!b", "a/b", "a:b", "a~b", "aǀb"] {
            assert_eq!(code(s), Some("disallowed_character"), "{s}");
        }
    }

    #[test]
    fn a_name_needs_a_letter() {
        assert_eq!(code("123"), Some("no_letter"));
        assert_eq!(code("1_2"), Some("no_letter"));
        assert_eq!(code("a123"), None);
    }

    #[test]
    fn combining_marks_sit_on_letters() {
        assert_eq!(code("\u{301}abc"), Some("misplaced_combining_mark"));
        assert_eq!(code("a_\u{301}b"), Some("misplaced_combining_mark"));
        assert_eq!(code("a1\u{301}b"), Some("misplaced_combining_mark"));
        assert_eq!(code("e\u{301}\u{302}\u{303}\u{304}x"), None);
        assert_eq!(
            code("e\u{301}\u{302}\u{303}\u{304}\u{306}x"),
            Some("too_many_combining_marks")
        );
        assert_eq!(code("e\u{301}\u{301}x"), Some("repeated_combining_mark"));
        assert_eq!(code("e\u{301}a\u{301}"), None);
    }

    #[test]
    fn digits_come_from_one_decimal_system() {
        assert_eq!(code("abc123"), None);
        assert_eq!(code("مرحبا١٢٣"), None);
        assert_eq!(code("مرحبا١۲"), Some("mixed_digits"));
        assert_eq!(code("abc1\u{967}"), Some("mixed_digits"));
        assert_eq!(decimal_zero('\u{669}'), 0x660);
        assert_eq!(decimal_zero('\u{6f5}'), 0x6f0);
        assert_eq!(decimal_zero('\u{1049}'), 0x1040);
    }
}
