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

/// Which top-level domains make a dotted name read as a domain (`USERNAMES_DOMAIN_TLDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DomainTlds {
    /// What a reader or a common linkifier takes for an address: the fuzzy-link set of
    /// linkify-it (markdown-it's linkifier), the legacy generic TLDs and the country codes
    /// (`linkify`, the default). `kate.love` and `bob.dev` pass, `paypal.com` and `shop.de` not.
    #[default]
    Linkify,
    /// Every TLD of the IANA root zone, IDN TLDs included (`all`), for strict pools.
    All,
}

impl DomainTlds {
    /// The configuration spelling of each setting.
    pub fn name(self) -> &'static str {
        match self {
            Self::Linkify => "linkify",
            Self::All => "all",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Linkify, Self::All]
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(value.trim()))
    }

    fn contains(self, tld: &str) -> bool {
        match self {
            Self::Linkify => LINKIFY_TLDS.contains(&tld),
            Self::All if tld.is_ascii() => tld::exist(tld),
            Self::All => {
                idna::punycode::encode_str(tld).is_some_and(|ace| tld::exist(&format!("xn--{ace}")))
            }
        }
    }
}

/// linkify-it 5.0.2's fuzzy-link TLDs (`tlds_default` and `tlds_2ch_src_re`, lowercase): the
/// names it turns into links without a scheme. `web` is not in the root zone but is linkified.
const LINKIFY_TLDS: &[&str] = &[
    "biz", "com", "edu", "gov", "net", "org", "pro", "web", "xxx", "aero", "asia", "coop", "info",
    "museum", "name", "shop", "рф", //
    "ac", "ad", "ae", "af", "ag", "ai", "al", "am", "an", "ao", "aq", "ar", "as", "at", "au", "aw",
    "ax", "az", "ba", "bb", "bd", "be", "bf", "bg", "bh", "bi", "bj", "bm", "bn", "bo", "br", "bs",
    "bt", "bv", "bw", "by", "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl", "cm", "cn",
    "co", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de", "dj", "dk", "dm", "do", "dz", "ec", "ee",
    "eg", "er", "es", "et", "eu", "fi", "fj", "fk", "fm", "fo", "fr", "ga", "gb", "gd", "ge", "gf",
    "gg", "gh", "gi", "gl", "gm", "gn", "gp", "gq", "gr", "gs", "gt", "gu", "gw", "gy", "hk", "hm",
    "hn", "hr", "ht", "hu", "id", "ie", "il", "im", "in", "io", "iq", "ir", "is", "it", "je", "jm",
    "jo", "jp", "ke", "kg", "kh", "ki", "km", "kn", "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc",
    "li", "lk", "lr", "ls", "lt", "lu", "lv", "ly", "ma", "mc", "md", "me", "mg", "mh", "mk", "ml",
    "mm", "mn", "mo", "mp", "mq", "mr", "ms", "mt", "mu", "mv", "mw", "mx", "my", "mz", "na", "nc",
    "ne", "nf", "ng", "ni", "nl", "no", "np", "nr", "nu", "nz", "om", "pa", "pe", "pf", "pg", "ph",
    "pk", "pl", "pm", "pn", "pr", "ps", "pt", "pw", "py", "qa", "re", "ro", "rs", "ru", "rw", "sa",
    "sb", "sc", "sd", "se", "sg", "sh", "si", "sj", "sk", "sl", "sm", "sn", "so", "sr", "st", "su",
    "sv", "sx", "sy", "sz", "tc", "td", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn", "to", "tr",
    "tt", "tv", "tw", "tz", "ua", "ug", "uk", "us", "uy", "uz", "va", "vc", "ve", "vg", "vi", "vn",
    "vu", "wf", "ws", "ye", "yt", "za", "zm", "zw",
];

pub(crate) fn check(display: &str, tlds: DomainTlds) -> Result<(), PolicyViolation> {
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
    if looks_like_domain(display, tlds) {
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

/// Two or more non-empty dot-separated labels, the last of which is one of `tlds`
/// (`paypal.com`, `shop.de`, `пример.рф`); `john.smith` is not.
fn looks_like_domain(display: &str, tlds: DomainTlds) -> bool {
    let Some((_, last)) = display.rsplit_once('.') else {
        return false;
    };
    if display.split('.').any(str::is_empty) {
        return false;
    }
    if last.is_ascii() {
        tlds.contains(&last.to_ascii_lowercase())
    } else {
        tlds.contains(&last.to_lowercase())
    }
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
        check(s, DomainTlds::default()).err().map(|v| v.code())
    }

    fn code_with_all_tlds(s: &str) -> Option<&'static str> {
        check(s, DomainTlds::All).err().map(|v| v.code())
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
    fn domains_end_in_a_tld_a_linkifier_links() {
        for s in [
            "example.com",
            "paypal.COM",
            "shop.DE",
            "my.site.io",
            "пример.рф",
            "kate.info",
            "bob.co",
        ] {
            assert_eq!(code(s), Some("looks_like_domain"), "{s}");
            assert_eq!(code_with_all_tlds(s), Some("looks_like_domain"), "{s}");
        }
        // New generic TLDs and IDN TLDs other than рф: refused only with every TLD.
        for s in [
            "kate.love",
            "sam.live",
            "jane.art",
            "bob.dev",
            "alex.design",
            "river.song",
            "例子.中国",
        ] {
            assert_eq!(code(s), None, "{s}");
            assert_eq!(code_with_all_tlds(s), Some("looks_like_domain"), "{s}");
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
            assert_eq!(code_with_all_tlds(s), None, "{s}");
        }
    }

    #[test]
    fn linkify_tlds_are_lowercase_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for tld in LINKIFY_TLDS {
            assert_eq!(tld.to_lowercase(), *tld);
            assert!(seen.insert(tld), "{tld}");
        }
        assert_eq!(DomainTlds::parse(" ALL "), Some(DomainTlds::All));
        assert_eq!(DomainTlds::parse("linkify"), Some(DomainTlds::Linkify));
        assert_eq!(DomainTlds::parse("iana"), None);
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
