//! Tests of the whole pipeline: rule order, the display-form decision, fixed points, and
//! property tests over arbitrary and adversarial Unicode.

use super::*;
use proptest::prelude::*;

fn code(raw: &str) -> Result<String, &'static str> {
    Policy::default()
        .evaluate(raw)
        .map(|u| u.display().to_owned())
        .map_err(|v| v.code())
}

#[test]
fn accepts_ordinary_names_unchanged() {
    for name in [
        "alice",
        "Alice_Smith",
        "john.smith",
        "jo-ann",
        "émile",
        "Zoë",
        "straße",
        "иван",
        "σοφία",
        "山田太郎",
        "김민준",
        "שלום",
        "محمد",
        "ქართველი",
    ] {
        assert_eq!(code(name), Ok(name.to_owned()), "{name}");
    }
}

#[test]
fn bounds_come_first() {
    assert_eq!(code(""), Err("empty"));
    let long = "a".repeat(MAX_RAW_BYTES + 1);
    assert_eq!(code(&long), Err("too_long"));
    // Over the byte bound even though it also contains a forbidden character.
    assert_eq!(code(&format!("\u{200b}{long}")), Err("too_long"));
    assert_eq!(code("ab"), Err("too_short"));
    assert_eq!(code(&"a".repeat(33)), Err("too_long"));
    assert_eq!(code(&"a".repeat(32)), Ok("a".repeat(32)));
}

#[test]
fn length_counts_code_points_after_normalisation() {
    // Three letters, each with a combining accent: 6 code points raw, 3 in NFC display form.
    assert_eq!(code("éàü"), Ok("éàü".to_owned()));
    // 32 precomposed letters fit; decomposed they would be 64 code points, still the same name.
    let composed = "é".repeat(32);
    assert_eq!(code(&composed), Ok(composed.clone()));
    let decomposed = "e\u{301}".repeat(32);
    assert_eq!(
        Policy::default().evaluate(&decomposed),
        Err(PolicyViolation::NotDisplayForm { display: composed })
    );
}

#[test]
fn forbidden_characters_anywhere_in_raw_input() {
    for (raw, expected) in [
        ("ali\u{200b}ce", "invisible_character"),
        ("alice\u{feff}", "invisible_character"),
        ("ali\u{ad}ce", "invisible_character"),
        ("\u{3164}alice", "invisible_character"),
        ("alice\u{fe0f}", "invisible_character"),
        ("alice\u{e0041}", "invisible_character"),
        ("ali ce", "whitespace"),
        (" alice", "whitespace"),
        ("alice\u{3000}", "whitespace"),
        ("alice\n", "control_character"),
        ("ali\tce", "control_character"),
        ("alice\0", "control_character"),
        ("\u{202e}ecila", "bidi_control"),
        ("alice\u{e000}", "private_use_character"),
        ("alice\u{fdd0}", "noncharacter"),
        ("alice\u{378}", "unassigned_character"),
    ] {
        assert_eq!(code(raw), Err(expected), "{raw:?}");
    }
}

#[test]
fn input_not_in_display_form_is_rejected_naming_the_display_form() {
    let policy = Policy::default();
    for (raw, display) in [
        ("ａｌｉｃｅ", "alice"),
        ("e\u{301}mile", "émile"),
        ("ｱｲｳｴｵ", "アイウエオ"),
    ] {
        let violation = policy.evaluate(raw).unwrap_err();
        assert_eq!(
            violation,
            PolicyViolation::NotDisplayForm {
                display: display.to_owned()
            }
        );
        // The display form is isolated from the sentence's direction (see `crate::messages`).
        assert_eq!(
            violation.to_string(),
            format!("Write it as \"\u{2068}{display}\u{2069}\".")
        );
        assert!(policy.evaluate(display).is_ok(), "{display}");
    }
}

#[test]
fn display_form_that_is_itself_refused_reports_that_rule() {
    // Fullwidth ADMIN normalises to ADMIN, which is reserved: say so, don't suggest it.
    assert_eq!(code("ＡＤＭＩＮ"), Err("reserved"));
    assert_eq!(code("ａｂ"), Err("too_short"));
    assert_eq!(code("ａ＠ｂ．ｃｏｍ"), Err("looks_like_email"));
}

#[test]
fn reserved_through_the_key_without_substrings() {
    for raw in [
        "admin",
        "ADMIN",
        "adm1n",
        "ad.min",
        "аdmin",
        "Administrator",
        "r00t",
        "postmaster",
        "no-reply",
        "mailer-daemon",
        "robots.txt",
        "favicon.ico",
        "everyone",
        "here",
        "null",
        "NaN",
        "undefined",
        "false",
    ] {
        assert_eq!(code(raw), Err("reserved"), "{raw}");
    }
    for raw in ["badminton", "rooted", "hereford", "nullable"] {
        assert!(code(raw).is_ok(), "{raw}");
    }
}

#[test]
fn rule_order_prefers_the_more_specific_explanation() {
    assert_eq!(code("alice@example.com"), Err("looks_like_email"));
    assert_eq!(code("+15551234567"), Err("looks_like_phone_number"));
    assert_eq!(code("аdmin"), Err("reserved"));
    assert_eq!(code("аlice"), Err("mixed_scripts"));
}

#[test]
fn keys_merge_case_confusables_and_separators() {
    let key = |s: &str| Policy::default().evaluate(s).unwrap().key().clone();
    assert_eq!(key("STRASSE"), key("straße"));
    assert_eq!(key("ΣΟΦΊΑ"), key("σοφία"));
    assert_eq!(key("g00gle"), key("google"));
    assert_eq!(key("rnodern"), key("modern"));
    assert_eq!(key("paypaI"), key("paypal"));
    assert_eq!(key("john.smith"), key("john_smith"));
    assert_eq!(key("john_smith"), key("johnsmith"));
    assert_ne!(key("alice"), key("alicia"));
    assert_eq!(NameKey::derive("g00gle"), key("google"));
}

#[test]
fn pii_rule_can_be_switched_off() {
    let policy = Policy::default().with_pii_lookalikes_rejected(false);
    assert!(policy.evaluate("example.com").is_ok());
    assert!(policy.evaluate("john5551234567").is_ok());
    // The character set still refuses what no name may contain.
    assert_eq!(
        policy.evaluate("a@b.com").unwrap_err().code(),
        "disallowed_character"
    );
}

#[test]
fn every_violation_has_a_sentence_and_a_snake_case_code() {
    let all = [
        PolicyViolation::Empty,
        PolicyViolation::TooLong { max: 32 },
        PolicyViolation::TooShort { min: 3 },
        PolicyViolation::ControlCharacter,
        PolicyViolation::BidiControl,
        PolicyViolation::Whitespace,
        PolicyViolation::InvisibleCharacter,
        PolicyViolation::FormatCharacter,
        PolicyViolation::PrivateUseCharacter,
        PolicyViolation::Noncharacter,
        PolicyViolation::UnassignedCharacter,
        PolicyViolation::NotDisplayForm {
            display: "alice".into(),
        },
        PolicyViolation::CompatibilityCharacter,
        PolicyViolation::DisallowedCharacter,
        PolicyViolation::BidiRule,
        PolicyViolation::SeparatorAtEdge,
        PolicyViolation::ConsecutiveSeparators,
        PolicyViolation::NoLetter,
        PolicyViolation::MisplacedCombiningMark,
        PolicyViolation::TooManyCombiningMarks,
        PolicyViolation::RepeatedCombiningMark,
        PolicyViolation::MixedScripts,
        PolicyViolation::MixedDigits,
        PolicyViolation::WholeScriptConfusable,
        PolicyViolation::LooksLikeEmail,
        PolicyViolation::LooksLikeUrl,
        PolicyViolation::LooksLikeDomain,
        PolicyViolation::LooksLikePunycode,
        PolicyViolation::LooksLikePhoneNumber,
        PolicyViolation::Reserved,
        PolicyViolation::Inappropriate,
        PolicyViolation::UnstableNormalization,
    ];
    let mut codes = std::collections::HashSet::new();
    for v in &all {
        let code = v.code();
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
        assert!(codes.insert(code), "duplicate code {code}");
        let message = v.to_string();
        assert!(
            message.ends_with('.') && message.chars().next().is_some_and(char::is_uppercase),
            "{message}"
        );
    }
}

#[test]
fn an_inappropriate_name_is_refused_without_being_repeated() {
    let policy = Policy::default();
    for name in ["n1gger", "fuck_you", "FuCk_YoU", "c.u.n.t"] {
        let violation = policy.evaluate(name).unwrap_err();
        assert_eq!(violation.code(), "inappropriate", "{name}");
        assert!(!violation.to_string().to_lowercase().contains("fuck"));
        assert_eq!(violation.suggestion(), None);
    }
    for name in [
        "Dick_Smith",
        "Scunthorpe",
        "Cumming",
        "Penistone",
        "Shitake_Farm",
        "Assisi",
    ] {
        assert!(policy.evaluate(name).is_ok(), "{name}");
    }
    let off = Policy::default().with_profanity(Profanity::Off);
    assert!(off.evaluate("fuck_you").is_ok());
    let moderate = Policy::default().with_profanity(Profanity::Moderate);
    assert!(policy.evaluate("dickhead").is_ok());
    assert_eq!(
        moderate.evaluate("dickhead").unwrap_err().code(),
        "inappropriate"
    );
}

/// Characters that attacks and normalisers trip over, mixed with ordinary ones.
fn adversarial_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'l', 'I', '1', '0', 'O', 'o', 'm', 'r', 'n', 'e', 's', 'S', 'ß', 'K', 'k', '.', '_', '-',
            '@', '+', ' ', '\u{301}', '\u{302}', '\u{308}', '\u{334}', '\u{200b}', '\u{200d}', '\u{200c}',
            '\u{feff}', '\u{ad}', '\u{202e}', '\u{3164}', '\u{fe0f}', '\u{e0041}', 'ａ', 'Ａ', '０', '＠',
            'ｱ', 'ﾞ', '\u{212a}', '\u{2126}', 'ﬁ', '²', 'ⓐ', '𝐚', 'а', 'е', 'о', 'р', 'с', 'і', 'ј',
            'Α', 'Β', 'Ε', 'Η', 'Ι', 'Κ', 'Ο', 'Ρ', 'Τ', 'Σ', 'σ', 'ς', 'ί', 'ΐ', 'İ', 'ı', 'ǅ', 'ǆ',
            'א', 'ב', 'ش', '٣', '۳', '١', 'ं', '्', 'क', '中', 'あ', 'ア', 'ー', '한', 'ᄀ', 'ᅡ',
            'ᾨ', 'ﬀ', 'Ǆ', 'ǰ', 'ẞ', 'Ω', 'Å', 'Å', 'ⅰ', 'Ⅸ', '\u{1c90}', '\u{378}', '\u{e000}',
        ]),
        1 => any::<char>(),
    ]
}

fn adversarial_string() -> impl Strategy<Value = String> {
    prop::collection::vec(adversarial_char(), 0..40).prop_map(|cs| cs.into_iter().collect())
}

fn mostly_valid_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9]{1,10}([._-][a-zA-Z0-9]{1,8}){0,2}",
        "[а-яА-Я]{3,12}",
        "[α-ωΑ-Ω]{3,12}",
        "[ぁ-ゖ一-龥]{3,8}",
        "[가-힣]{3,8}",
        "[a-zà-öø-ÿ]{3,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn evaluate_never_panics_on_any_string(raw in any::<String>()) {
        let _ = Policy::default().evaluate(&raw);
    }

    #[test]
    fn evaluate_never_panics_on_adversarial_unicode(raw in adversarial_string()) {
        let _ = Policy::default().evaluate(&raw);
        let _ = Policy::default().with_script_policy(ScriptPolicy::HighlyRestrictive).evaluate(&raw);
    }

    #[test]
    fn accepted_names_are_fixed_points(raw in prop_oneof![adversarial_string(), mostly_valid_name()]) {
        for policy in [Policy::default(), Policy::default().with_script_policy(ScriptPolicy::HighlyRestrictive)] {
            if let Ok(name) = policy.evaluate(&raw) {
                prop_assert_eq!(name.display(), raw.as_str());
                let again = policy.evaluate(name.display());
                prop_assert_eq!(again.as_ref(), Ok(&name));
                prop_assert_eq!(&NameKey::derive(name.display()), name.key());
            }
        }
    }

    #[test]
    fn suggested_display_forms_are_accepted(raw in adversarial_string()) {
        if let Err(PolicyViolation::NotDisplayForm { display }) = Policy::default().evaluate(&raw) {
            let accepted = Policy::default().evaluate(&display);
            prop_assert!(accepted.is_ok(), "{:?} suggested {:?}: {:?}", raw, display, accepted);
            let accepted = accepted.unwrap();
            prop_assert_eq!(accepted.display(), display.as_str());
        }
    }

    #[test]
    fn keys_are_stable(raw in prop_oneof![adversarial_string(), mostly_valid_name()]) {
        let key = NameKey::derive(&raw);
        prop_assert_eq!(NameKey::derive(key.as_str()), key);
    }

    #[test]
    fn key_ignores_case_and_separators(raw in mostly_valid_name()) {
        let upper = raw.to_uppercase();
        let without: String = raw.chars().filter(|c| !shape::SEPARATORS.contains(c)).collect();
        prop_assert_eq!(NameKey::derive(&upper), NameKey::derive(&raw));
        prop_assert_eq!(NameKey::derive(&without), NameKey::derive(&raw));
    }
}

/// Every code point, as a three-letter name of itself: nothing panics, every accepted name is a
/// fixed point with a stable key, and every suggested display form is accepted.
#[test]
fn every_code_point_is_handled_consistently() {
    let policy = Policy::default();
    let mut accepted = 0;
    for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
        let raw: String = [c, c, c].iter().collect();
        match policy.evaluate(&raw) {
            Ok(name) => {
                accepted += 1;
                assert_eq!(
                    policy.evaluate(name.display()).as_ref(),
                    Ok(&name),
                    "{raw:?}"
                );
                assert_eq!(&NameKey::derive(name.key().as_str()), name.key(), "{raw:?}");
            }
            Err(PolicyViolation::NotDisplayForm { display }) => {
                assert!(
                    policy.evaluate(&display).is_ok(),
                    "{raw:?} suggested {display:?}"
                );
            }
            Err(_) => {}
        }
    }
    // Letters of every modern script pass: over 30,000 of them, mostly Han and Hangul syllables.
    assert!(accepted > 30_000, "only {accepted} accepted");
}
