//! The one source of every sentence a user sees: a stable code and its parameters in, the
//! sentence in the user's language out. The sentences live in Fluent files (`ftl/<locale>.ftl`,
//! compiled in), one message per code; the catalogue shipped to apps
//! (`catalogue/messages.json`) is generated from them ([`catalogue`]). Which language a request
//! gets is chosen here too: an `Accept-Language` header, or a locale tag such as Cognito's
//! `locale` attribute. Imports nothing else of the crate (the catalogue's examples aside), so the
//! policy, the triggers and the API all read it.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// The languages every sentence exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Locale {
    #[default]
    En,
    Ar,
    De,
    Es,
    Fr,
    Hi,
    It,
    Ja,
    Ko,
    Pt,
    Ru,
    ZhHans,
}

impl Locale {
    /// Every language, English first.
    pub const ALL: [Locale; 12] = [
        Self::En,
        Self::Ar,
        Self::De,
        Self::Es,
        Self::Fr,
        Self::Hi,
        Self::It,
        Self::Ja,
        Self::Ko,
        Self::Pt,
        Self::Ru,
        Self::ZhHans,
    ];

    /// The BCP 47 tag: `en`, `pt`, `zh-Hans`...
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ar => "ar",
            Self::De => "de",
            Self::Es => "es",
            Self::Fr => "fr",
            Self::Hi => "hi",
            Self::It => "it",
            Self::Ja => "ja",
            Self::Ko => "ko",
            Self::Pt => "pt",
            Self::Ru => "ru",
            Self::ZhHans => "zh-Hans",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_right_to_left(self) -> bool {
        self == Self::Ar
    }

    /// The language a BCP 47 tag asks for (`pt-BR` → `pt`, `zh-CN` → `zh-Hans`, `de_AT` → `de`),
    /// case-insensitively; `None` for a language we have no sentences in (Traditional Chinese,
    /// `zh-TW` or `zh-Hant`, is not Simplified Chinese).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut subtags = tag.split(['-', '_']);
        let language = match subtags.next()? {
            "en" => Self::En,
            "ar" => Self::Ar,
            "de" => Self::De,
            "es" => Self::Es,
            "fr" => Self::Fr,
            "hi" => Self::Hi,
            "it" => Self::It,
            "ja" => Self::Ja,
            "ko" => Self::Ko,
            "pt" => Self::Pt,
            "ru" => Self::Ru,
            "zh" => Self::ZhHans,
            _ => return None,
        };
        if language == Self::ZhHans {
            let traditional = subtags.any(|s| matches!(s, "hant" | "tw" | "hk" | "mo"));
            if traditional {
                return None;
            }
        }
        Some(language)
    }

    /// The best language an `Accept-Language` header asks for: the highest `q` first (ties in
    /// the header's order), each tag, then its language alone (`pt-BR`, then `pt`); `None` when
    /// it asks for none of ours (or only `*`), and the caller's default applies.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut ranges: Vec<(u16, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, range)| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                    .map_or(Some(1000), quality)?;
                (!tag.is_empty() && q > 0).then_some((q, i, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .into_iter()
            .find_map(|(_, _, tag)| Self::from_tag(tag))
    }
}

/// A `q` value in thousandths (`q=0.8` → 800); `None` when it is not a number in 0..=1.
fn quality(raw: &str) -> Option<u16> {
    let value: f32 = raw.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// How a refusal's code rides in its message, where only text reaches the app (a trigger's
/// error, which Cognito shows as `PreSignUp failed with error <message>.`): the sentence, then the
/// code in square brackets, last. [`CODE_PATTERN`] takes it out again.
pub fn with_code(sentence: &str, code: &str) -> String {
    format!("{sentence} [{code}]")
}

/// The regular expression (ECMAScript and Rust `regex` alike) whose group 1 is the code of a
/// refusal's message, whatever wraps it (`PreSignUp failed with error …`) and whatever the
/// language of the sentence.
pub const CODE_PATTERN: &str = r"\[([a-z][a-z0-9_]*)\]\.?\s*$";

/// The code in a message made by [`with_code`], as [`CODE_PATTERN`] finds it.
pub fn code_in(message: &str) -> Option<&str> {
    // As CODE_PATTERN: the bracket, an optional full stop, then only whitespace.
    let trimmed = message.trim_end();
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let inner = trimmed.strip_suffix(']')?;
    let (_, code) = inner.rsplit_once('[')?;
    let mut chars = code.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    well_formed.then_some(code)
}

/// One of a message's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Number(i64),
    Text(String),
}

/// A sentence to say: its code (the Fluent message) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    code: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// First Strong Isolate and Pop Directional Isolate: a name inside a sentence keeps its own
/// direction, so a Latin name in an Arabic sentence (or the other way round) reads right.
const ISOLATE: (char, char) = ('\u{2068}', '\u{2069}');

impl Message {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            args: Vec::new(),
        }
    }

    /// With the number `name`.
    pub fn number(mut self, name: &'static str, value: i64) -> Self {
        self.args.push((name, Arg::Number(value)));
        self
    }

    /// With the text `name`, isolated from the sentence's direction.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// With the word `name`, one of a few the sentence selects on (such as a unit).
    pub fn word(mut self, name: &'static str, value: &'static str) -> Self {
        self.args.push((name, Arg::Text(value.to_owned())));
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The sentence in `locale`, or in English where that language lacks it (a test proves none
    /// does). Texts are isolated; words and numbers are not.
    pub fn render(&self, locale: Locale) -> String {
        self.render_in(locale)
            .or_else(|| self.render_in(Locale::En))
            .unwrap_or_else(|| self.code.to_owned())
    }

    fn render_in(&self, locale: Locale) -> Option<String> {
        let bundle = bundle(locale);
        let pattern = bundle.get_message(self.code)?.value()?;
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            match value {
                Arg::Number(n) => args.set(*name, FluentValue::from(*n)),
                Arg::Text(t) if WORDS.contains(name) => {
                    args.set(*name, FluentValue::from(t.as_str()))
                }
                Arg::Text(t) => args.set(
                    *name,
                    FluentValue::from(format!("{}{t}{}", ISOLATE.0, ISOLATE.1)),
                ),
            }
        }
        let mut errors = Vec::new();
        let sentence = bundle.format_pattern(pattern, Some(&args), &mut errors);
        errors.is_empty().then(|| sentence.into_owned())
    }
}

/// The values that select a variant, never shown as they are.
const WORDS: [&str; 1] = ["unit"];

/// The Fluent source of each language, compiled in.
fn source(locale: Locale) -> &'static str {
    match locale {
        Locale::En => include_str!("ftl/en.ftl"),
        Locale::Ar => include_str!("ftl/ar.ftl"),
        Locale::De => include_str!("ftl/de.ftl"),
        Locale::Es => include_str!("ftl/es.ftl"),
        Locale::Fr => include_str!("ftl/fr.ftl"),
        Locale::Hi => include_str!("ftl/hi.ftl"),
        Locale::It => include_str!("ftl/it.ftl"),
        Locale::Ja => include_str!("ftl/ja.ftl"),
        Locale::Ko => include_str!("ftl/ko.ftl"),
        Locale::Pt => include_str!("ftl/pt.ftl"),
        Locale::Ru => include_str!("ftl/ru.ftl"),
        Locale::ZhHans => include_str!("ftl/zh-Hans.ftl"),
    }
}

type Bundle = FluentBundle<FluentResource>;

/// A language's bundle, parsed the first time a sentence in it is asked for (never at init: most
/// invocations say nothing to anyone).
fn bundle(locale: Locale) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; 12] = [const { OnceLock::new() }; 12];
    let index = Locale::ALL
        .iter()
        .position(|l| *l == locale)
        .unwrap_or_default();
    BUNDLES[index].get_or_init(|| parse(locale))
}

fn parse(locale: Locale) -> Bundle {
    // The tags are ours and valid; an unparsable one would only lose plural rules.
    let language = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Isolation is the caller's choice (texts only): Fluent would wrap numbers too.
    bundle.set_use_isolating(false);
    // A resource with errors keeps the messages it could read; the tests prove there are none.
    let resource = FluentResource::try_new(source(locale).to_owned()).unwrap_or_else(|(r, _)| r);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The codes a Fluent source defines, in order, with the variables each message uses: for the
/// catalogue and the tests.
pub fn messages_of(locale: Locale) -> Vec<(String, Vec<String>)> {
    use fluent_syntax::ast;
    let Ok(resource) = fluent_syntax::parser::parse(source(locale)) else {
        return Vec::new();
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => {
                let mut variables = Vec::new();
                if let Some(pattern) = &message.value {
                    collect_variables(pattern, &mut variables);
                }
                Some((message.id.name.to_owned(), variables))
            }
            _ => None,
        })
        .collect()
}

fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, into: &mut Vec<String>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(expression: &InlineExpression<&str>, into: &mut Vec<String>) {
        if let InlineExpression::VariableReference { id } = expression {
            if !into.iter().any(|v| v == id.name) {
                into.push(id.name.to_owned());
            }
        }
    }
    for element in &pattern.elements {
        let PatternElement::Placeable { expression } = element else {
            continue;
        };
        match expression {
            Expression::Inline(expression) => inline(expression, into),
            Expression::Select { selector, variants } => {
                inline(selector, into);
                for variant in variants {
                    collect_variables(&variant.value, into);
                }
            }
        }
    }
}

/// The source text of one message in one language (its value as written, without the id), for
/// the catalogue.
pub fn source_of(locale: Locale, code: &str) -> Option<String> {
    let text = source(locale);
    let start = text
        .lines()
        .scan(0usize, |offset, line| {
            let at = *offset;
            *offset += line.len() + 1;
            Some((at, line))
        })
        .find(|(_, line)| {
            line.strip_prefix(code)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })?
        .0;
    let mut value = String::new();
    for (i, line) in text[start..].lines().enumerate() {
        if i > 0 && !line.starts_with(' ') {
            break;
        }
        if i == 0 {
            value.push_str(line.split_once('=')?.1.trim_start());
        } else {
            value.push('\n');
            value.push_str(line);
        }
    }
    Some(value)
}

pub mod catalogue;

#[cfg(test)]
mod tests;
