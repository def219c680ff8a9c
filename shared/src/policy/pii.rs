//! Look-alikes of personal data and addresses: a display name exists to mask the email and the
//! phone number, so it must not look like one, nor like a URL, a domain or a punycode label.

use super::PolicyViolation;

/// Digits in one run (digits joined only by separators or phone punctuation) from which a name
/// reads as a phone number or an account number: the shortest local phone numbers have 7.
pub const MAX_DIGIT_RUN: usize = 6;

const URL_SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "sftp",
    "ssh",
    "ws",
    "wss",
    "file",
    "mailto",
    "tel",
    "sms",
    "data",
    "javascript",
    "git",
];

pub(crate) fn check(display: &str) -> Result<(), PolicyViolation> {
    if looks_like_url(display) {
        return Err(PolicyViolation::LooksLikeUrl);
    }
    if looks_like_email(display) {
        return Err(PolicyViolation::LooksLikeEmail);
    }
    if display
        .split('.')
        .any(|label| starts_with_ignoring_ascii_case(label, "xn--"))
    {
        return Err(PolicyViolation::LooksLikePunycode);
    }
    if looks_like_domain(display) {
        return Err(PolicyViolation::LooksLikeDomain);
    }
    if looks_like_phone_number(display) {
        return Err(PolicyViolation::LooksLikePhoneNumber);
    }
    Ok(())
}

fn starts_with_ignoring_ascii_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn looks_like_url(display: &str) -> bool {
    if display.contains("://") || starts_with_ignoring_ascii_case(display, "www.") {
        return true;
    }
    display.split_once(':').is_some_and(|(scheme, _)| {
        URL_SCHEMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme))
    })
}

fn looks_like_email(display: &str) -> bool {
    display
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

/// Two or more non-empty dot-separated labels, the last of which is a top-level domain in the
/// IANA root zone (`jane.art`, `shop.de`, `пример.рф`); `john.smith` is not.
fn looks_like_domain(display: &str) -> bool {
    let Some((_, last)) = display.rsplit_once('.') else {
        return false;
    };
    if display.split('.').any(str::is_empty) {
        return false;
    }
    if last.is_ascii() {
        return tld::exist(&last.to_ascii_lowercase());
    }
    idna::punycode::encode_str(&last.to_lowercase())
        .is_some_and(|ace| tld::exist(&format!("xn--{ace}")))
}

/// A run of more than `MAX_DIGIT_RUN` decimal digits, counting across separators and phone
/// punctuation (`555-123-4567`, `+15551234567`, `user12345678`), in any decimal system.
fn looks_like_phone_number(display: &str) -> bool {
    let mut digits = 0;
    for c in display.chars() {
        if c.is_ascii_digit() || is_decimal_digit(c) {
            digits += 1;
            if digits > MAX_DIGIT_RUN {
                return true;
            }
        } else if !matches!(c, '.' | '_' | '-' | '+' | '(' | ')' | '/') {
            digits = 0;
        }
    }
    false
}

fn is_decimal_digit(c: char) -> bool {
    use icu_properties::props::GeneralCategory;
    !c.is_ascii() && super::codepoints::general_category(c) == GeneralCategory::DecimalNumber
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<&'static str> {
        check(s).err().map(|v| v.code())
    }

    #[test]
    fn emails() {
        for s in ["alice@example.com", "a@b", "bob@localhost"] {
            assert_eq!(code(s), Some("looks_like_email"), "{s}");
        }
        assert_eq!(code("@alice"), None);
    }

    #[test]
    fn urls() {
        for s in [
            "http://x",
            "https:example",
            "www.example",
            "mailto:alice",
            "ftp://a",
            "javascript:alert",
        ] {
            assert_eq!(code(s), Some("looks_like_url"), "{s}");
        }
    }

    #[test]
    fn domains_end_in_a_real_tld() {
        for s in [
            "example.com",
            "jane.art",
            "shop.DE",
            "my.site.io",
            "пример.рф",
            "例子.中国",
        ] {
            assert_eq!(code(s), Some("looks_like_domain"), "{s}");
        }
        for s in [
            "john.smith",
            "j.r.r.tolkien",
            "robots.txt",
            "alice",
            "mary.jones",
            "al..ice",
            ".com",
        ] {
            assert_eq!(code(s), None, "{s}");
        }
    }

    #[test]
    fn punycode_labels() {
        assert_eq!(code("xn--80ak6aa92e"), Some("looks_like_punycode"));
        assert_eq!(code("a.XN--p1ai"), Some("looks_like_punycode"));
    }

    #[test]
    fn phone_numbers_and_long_digit_runs() {
        for s in [
            "5551234567",
            "+15551234567",
            "555-123-4567",
            "(555)123.4567",
            "user12345678",
            "٠١٢٣٤٥٦٧",
        ] {
            assert_eq!(code(s), Some("looks_like_phone_number"), "{s}");
        }
        for s in [
            "agent007",
            "john1990",
            "a1b2c3d4e5f6g7h8",
            "bob123456",
            "mr.5551.bob.234",
        ] {
            assert_eq!(code(s), None, "{s}");
        }
    }
}
