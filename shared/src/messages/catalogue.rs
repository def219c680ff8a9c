//! The catalogue shipped to apps that translate for themselves (`catalogue/messages.json`, made
//! by `usernames catalogue`): every code with its parameters and, per language, the Fluent source
//! and the same message in ICU MessageFormat, which FormatJS, i18next and the platforms' ICU read.

use super::{messages_of, source, source_of, Locale, Message, CODE_PATTERN, ISOLATE, WORDS};
use fluent_syntax::ast::{
    Expression, InlineExpression, Pattern, PatternElement, Variant, VariantKey,
};
use serde_json::{json, Map, Value};

/// The catalogue's format; a change that breaks a reader raises it.
pub const FORMAT_VERSION: u32 = 1;

/// A value to render an example with.
enum Sample {
    Number(i64),
    Text(&'static str),
    Word(&'static str),
}

/// Every parameter a message may have, with what it holds and the value its example shows.
const PARAMETERS: [(&str, Sample); 6] = [
    ("max", Sample::Number(32)),
    ("min", Sample::Number(3)),
    ("count", Sample::Number(2)),
    ("unit", Sample::Word("hour")),
    ("display", Sample::Text("Jürgen_M")),
    ("allow", Sample::Text("PUT, DELETE")),
];

fn sample_of(name: &str) -> Option<&'static (&'static str, Sample)> {
    PARAMETERS.iter().find(|(n, _)| *n == name)
}

/// What a parameter holds, for an app that formats a message itself.
fn parameter_type(name: &str) -> &'static str {
    match sample_of(name) {
        Some((_, Sample::Number(_))) => "number",
        Some((_, Sample::Text(_))) => "text",
        Some((_, Sample::Word(_))) => "unit",
        None => "unknown",
    }
}

/// A message with its example's values, and those values as JSON.
fn example(code: &'static str, parameters: &[String]) -> (Message, Value) {
    let mut message = Message::new(code);
    let mut arguments = Map::new();
    for (name, sample) in parameters.iter().filter_map(|p| sample_of(p)) {
        // An example shows the value the policy really uses.
        let stacked = crate::policy::shape::MAX_STACKED_MARKS as i64;
        let sample = match (code, *name) {
            ("too_many_combining_marks", "max") => &Sample::Number(stacked),
            _ => sample,
        };
        let (next, value) = match sample {
            Sample::Number(n) => (message.number(name, *n), json!(n)),
            Sample::Text(t) => (message.text(name, *t), json!(t)),
            Sample::Word(w) => (message.word(name, w), json!(w)),
        };
        message = next;
        arguments.insert((*name).to_owned(), value);
    }
    (message, Value::Object(arguments))
}

/// The whole catalogue as JSON, in a stable order (so the committed file diffs cleanly).
pub fn catalogue() -> Value {
    let mut messages = Map::new();
    for (code, parameters) in messages_of(Locale::En) {
        let code: &'static str = Box::leak(code.into_boxed_str());
        let mut fluent = Map::new();
        let mut icu = Map::new();
        let mut rendered = Map::new();
        let (message, args) = example(code, &parameters);
        for locale in Locale::ALL {
            fluent.insert(
                locale.tag().to_owned(),
                json!(source_of(locale, code).unwrap_or_default()),
            );
            icu.insert(locale.tag().to_owned(), json!(icu_of(locale, code)));
            rendered.insert(locale.tag().to_owned(), json!(message.render(locale)));
        }
        let parameters: Map<String, Value> = parameters
            .iter()
            .map(|p| (p.clone(), json!(parameter_type(p))))
            .collect();
        messages.insert(
            code.to_owned(),
            json!({
                "parameters": parameters,
                "fluent": fluent,
                "icu": icu,
                "example": {"arguments": args, "text": rendered},
            }),
        );
    }
    json!({
        "format": FORMAT_VERSION,
        "locales": Locale::ALL.iter().map(|l| l.tag()).collect::<Vec<_>>(),
        "default_locale": Locale::En.tag(),
        "right_to_left": Locale::ALL.iter().filter(|l| l.is_right_to_left()).map(|l| l.tag()).collect::<Vec<_>>(),
        "code_pattern": CODE_PATTERN,
        "units": ["day", "hour", "minute", "second"],
        "messages": messages,
    })
}

/// One message of one language in ICU MessageFormat: a Fluent selector on a number becomes
/// `plural` (a numeric key `[0]` becomes `=0`), on a word `select` (its default variant is also
/// `other`, which ICU requires); texts keep their isolation marks around them, as the API's
/// sentences have them. Literal `{`, `}` and `'` are quoted, `#` too inside a plural.
pub fn icu_of(locale: Locale, code: &str) -> String {
    let Ok(resource) = fluent_syntax::parser::parse(source(locale)) else {
        return String::new();
    };
    resource
        .body
        .iter()
        .find_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) if m.id.name == code => m.value.as_ref(),
            _ => None,
        })
        .map(|pattern| pattern_to_icu(pattern, false))
        .unwrap_or_default()
}

fn pattern_to_icu(pattern: &Pattern<&str>, in_plural: bool) -> String {
    let mut out = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push_str(&quote(value, in_plural)),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(inline) => out.push_str(&inline_to_icu(inline, in_plural)),
                Expression::Select { selector, variants } => {
                    out.push_str(&select_to_icu(selector, variants))
                }
            },
        }
    }
    out
}

fn inline_to_icu(inline: &InlineExpression<&str>, in_plural: bool) -> String {
    match inline {
        InlineExpression::StringLiteral { value } => quote(
            &fluent_syntax::unicode::unescape_unicode_to_string(value),
            in_plural,
        ),
        InlineExpression::NumberLiteral { value } => value.to_string(),
        InlineExpression::VariableReference { id } if WORDS.contains(&id.name) => {
            format!("{{{}}}", id.name)
        }
        InlineExpression::VariableReference { id } if parameter_type(id.name) == "text" => {
            format!("{}{{{}}}{}", ISOLATE.0, id.name, ISOLATE.1)
        }
        InlineExpression::VariableReference { id } => format!("{{{}}}", id.name),
        InlineExpression::Placeable { expression } => match expression.as_ref() {
            Expression::Inline(inline) => inline_to_icu(inline, in_plural),
            Expression::Select { selector, variants } => select_to_icu(selector, variants),
        },
        // Our messages use none of these (functions, terms, message references).
        _ => String::new(),
    }
}

const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn select_to_icu(selector: &InlineExpression<&str>, variants: &[Variant<&str>]) -> String {
    let InlineExpression::VariableReference { id } = selector else {
        return String::new();
    };
    let plural = variants.iter().all(|v| match &v.key {
        VariantKey::NumberLiteral { .. } => true,
        VariantKey::Identifier { name } => PLURAL_CATEGORIES.contains(name),
    });
    let mut out = format!(
        "{{{}, {}, ",
        id.name,
        if plural { "plural" } else { "select" }
    );
    let mut has_other = false;
    for variant in variants {
        let key = match &variant.key {
            VariantKey::NumberLiteral { value } => format!("={value}"),
            VariantKey::Identifier { name } => name.to_string(),
        };
        has_other |= key == "other";
        let body = pattern_to_icu(&variant.value, plural);
        out.push_str(&format!("{key} {{{body}}} "));
        if variant.default && key != "other" && !plural {
            out.push_str(&format!("other {{{body}}} "));
            has_other = true;
        }
    }
    if !has_other {
        // ICU needs `other`; Fluent's default variant is the one to use.
        if let Some(default) = variants.iter().find(|v| v.default) {
            out.push_str(&format!(
                "other {{{}}} ",
                pattern_to_icu(&default.value, plural)
            ));
        }
    }
    out.pop();
    out.push('}');
    out
}

/// ICU's quoting: `'` doubled, `{ } #` (the last only inside a plural) inside apostrophes.
fn quote(text: &str, in_plural: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '{' | '}' => {
                out.push('\'');
                out.push(c);
                out.push('\'');
            }
            '#' if in_plural => out.push_str("'#'"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_become_plural_and_select_and_literals_are_quoted() {
        assert_eq!(
            icu_of(Locale::En, "too_long"),
            "Usernames can be at most {max} characters long."
        );
        assert_eq!(
            icu_of(Locale::En, "not_display_form"),
            "Write it as \"\u{2068}{display}\u{2069}\"."
        );
        assert_eq!(
            icu_of(Locale::En, "bad_request"),
            "Send a JSON body like '{'\"username\": \"new_name\"'}'."
        );
        assert_eq!(
            icu_of(Locale::En, "whitespace"),
            "Usernames can''t contain spaces."
        );
        let cooldown = icu_of(Locale::En, "rename_cooldown");
        assert!(
            cooldown.starts_with(
                "You changed your username recently. You can change it again in {unit, select, \
                 day {{count, plural, one {{count} day} other {{count} days}}} "
            ),
            "{cooldown}"
        );
        assert!(
            cooldown.ends_with(
                "second {{count, plural, one {{count} second} other {{count} seconds}}} \
                 other {{count, plural, one {{count} second} other {{count} seconds}}}}."
            ),
            "{cooldown}"
        );
    }

    #[test]
    fn every_message_of_every_language_has_balanced_braces_in_icu() {
        for locale in Locale::ALL {
            for (code, _) in messages_of(Locale::En) {
                let icu = icu_of(locale, &code);
                let mut depth = 0i32;
                let mut quoted = false;
                for c in icu.chars() {
                    match c {
                        '\'' => quoted = !quoted,
                        '{' if !quoted => depth += 1,
                        '}' if !quoted => depth -= 1,
                        _ => {}
                    }
                    assert!(depth >= 0, "{}: {code}: {icu}", locale.tag());
                }
                assert_eq!(depth, 0, "{}: {code}: {icu}", locale.tag());
                assert!(!icu.is_empty(), "{}: {code}", locale.tag());
            }
        }
    }

    #[test]
    fn every_parameter_has_a_type_and_an_example() {
        for (code, parameters) in messages_of(Locale::En) {
            for parameter in parameters {
                assert!(sample_of(&parameter).is_some(), "{code}: {parameter}");
            }
        }
    }

    #[test]
    fn the_catalogue_has_every_code_in_every_language() {
        let catalogue = catalogue();
        let messages = catalogue["messages"].as_object().unwrap();
        assert_eq!(messages.len(), messages_of(Locale::En).len());
        for (code, message) in messages {
            for locale in Locale::ALL {
                for form in ["fluent", "icu"] {
                    assert!(
                        message[form][locale.tag()]
                            .as_str()
                            .is_some_and(|s| !s.is_empty()),
                        "{code} {form} {}",
                        locale.tag()
                    );
                }
            }
        }
        assert_eq!(
            messages["too_short"]["parameters"],
            json!({"min": "number"})
        );
        assert_eq!(
            messages["rename_cooldown"]["example"]["text"]["en"],
            "You changed your username recently. You can change it again in 2 hours."
        );
    }
}
