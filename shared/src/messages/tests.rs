//! Every code has every language, with the same variables, and renders in each.

use super::*;

/// Values for every variable a message may use.
fn sample(code: &'static str) -> Message {
    Message::new(code)
        .number("max", 32)
        .number("min", 3)
        .text("display", "Jürgen_M")
        .number("count", 3)
        .word("unit", "hour")
        .text("allow", "PUT, DELETE")
}

#[test]
fn every_language_has_every_code_with_the_same_variables() {
    let english = messages_of(Locale::En);
    assert!(english.len() > 40, "{english:?}");
    for locale in Locale::ALL {
        assert_eq!(
            messages_of(locale),
            english,
            "{}: its messages and their variables are not English's",
            locale.tag()
        );
    }
}

#[test]
fn every_message_renders_in_every_language_without_an_error() {
    for locale in Locale::ALL {
        for (code, _) in messages_of(Locale::En) {
            let code: &'static str = Box::leak(code.into_boxed_str());
            let rendered = sample(code).render_in(locale);
            let sentence = rendered.unwrap_or_else(|| panic!("{}: {code}", locale.tag()));
            assert!(
                !sentence.trim().is_empty() && !sentence.contains("{$"),
                "{sentence}"
            );
        }
    }
}

#[test]
fn tags_and_headers_choose_the_language() {
    for (tag, locale) in [
        ("en", Some(Locale::En)),
        ("pt-BR", Some(Locale::Pt)),
        ("PT_pt", Some(Locale::Pt)),
        ("zh-CN", Some(Locale::ZhHans)),
        ("zh-Hans-SG", Some(Locale::ZhHans)),
        ("zh-TW", None),
        ("zh-Hant", None),
        ("de-AT", Some(Locale::De)),
        ("nl", None),
        ("", None),
    ] {
        assert_eq!(Locale::from_tag(tag), locale, "{tag}");
    }
    for (header, locale) in [
        ("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5", Some(Locale::Fr)),
        ("nl, de;q=0.7, ja;q=0.9", Some(Locale::Ja)),
        ("en;q=0.5, es;q=0.5", Some(Locale::En)),
        ("ar;q=0, hi", Some(Locale::Hi)),
        ("*", None),
        ("nl-BE, sv", None),
        ("ko;q=bad, ru", Some(Locale::Ru)),
        ("", None),
    ] {
        assert_eq!(Locale::negotiate(header), locale, "{header}");
    }
}

#[test]
fn a_name_in_a_sentence_keeps_its_own_direction() {
    let sentence = Message::new("not_display_form")
        .text("display", "Jürgen_M")
        .render(Locale::Ar);
    assert!(
        sentence.contains("\u{2068}Jürgen_M\u{2069}"),
        "isolated: {sentence:?}"
    );
    let english = Message::new("too_long")
        .number("max", 32)
        .render(Locale::En);
    assert_eq!(english, "Usernames can be at most 32 characters long.");
}

#[test]
fn code_in_finds_what_the_documented_pattern_finds() {
    for (message, code) in [
        ("That username is already taken. [name_taken]", Some("name_taken")),
        ("PreSignUp failed with error That username is already taken. [name_taken].", Some("name_taken")),
        ("pre-sign-up failed with error Dieser Benutzername ist bereits vergeben. [name_taken]. ", Some("name_taken")),
        ("x [too_short_2]", Some("too_short_2")),
        // Only a full stop and whitespace may follow the bracket, as in CODE_PATTERN.
        ("x [name_taken] .", None),
        ("x [name_taken]!", None),
        ("x [Name_Taken]", None),
        ("x [1code]", None),
        ("x [name taken]", None),
        ("That username is already taken.", None),
    ] {
        assert_eq!(code_in(message), code, "{message}");
    }
}
