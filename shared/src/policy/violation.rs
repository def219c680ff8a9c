//! Why a name was rejected: one variant per rule, each with a stable snake_case code; its sentence,
//! in every language, is the catalogue's message of that code (`crate::messages`), with the rule's
//! values (a length, the display form).

use crate::messages::{Locale, Message};
use thiserror::Error;

/// Why a name was rejected. `Display` is the English sentence (see [`PolicyViolation::sentence`]
/// for the others); `code()` the machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.sentence(Locale::En))]
pub enum PolicyViolation {
    Empty,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    ControlCharacter,
    BidiControl,
    Whitespace,
    InvisibleCharacter,
    FormatCharacter,
    PrivateUseCharacter,
    Noncharacter,
    UnassignedCharacter,
    /// The input normalises to a different string; `display` is that string (and it passes
    /// every other rule, so the user can simply type it).
    NotDisplayForm {
        display: String,
    },
    CompatibilityCharacter,
    DisallowedCharacter,
    BidiRule,
    SeparatorAtEdge,
    ConsecutiveSeparators,
    NoLetter,
    MisplacedCombiningMark,
    TooManyCombiningMarks,
    RepeatedCombiningMark,
    MixedScripts,
    MixedDigits,
    WholeScriptConfusable,
    LooksLikeEmail,
    LooksLikeUrl,
    LooksLikeDomain,
    LooksLikePunycode,
    LooksLikePhoneNumber,
    Reserved,
    /// The name or its key contains a slur or profanity (`content`). The sentence never says
    /// which word: repeating it would show it to the user and teach the way around it.
    Inappropriate,
    /// Normalising the display form again changed it: never seen with the pinned Unicode data,
    /// but if a table update ever makes the normaliser non-idempotent we fail closed.
    UnstableNormalization,
}

impl PolicyViolation {
    /// Stable snake_case code for logs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong { .. } => "too_long",
            Self::TooShort { .. } => "too_short",
            Self::ControlCharacter => "control_character",
            Self::BidiControl => "bidi_control",
            Self::Whitespace => "whitespace",
            Self::InvisibleCharacter => "invisible_character",
            Self::FormatCharacter => "format_character",
            Self::PrivateUseCharacter => "private_use_character",
            Self::Noncharacter => "noncharacter",
            Self::UnassignedCharacter => "unassigned_character",
            Self::NotDisplayForm { .. } => "not_display_form",
            Self::CompatibilityCharacter => "compatibility_character",
            Self::DisallowedCharacter => "disallowed_character",
            Self::BidiRule => "bidi_rule",
            Self::SeparatorAtEdge => "separator_at_edge",
            Self::ConsecutiveSeparators => "consecutive_separators",
            Self::NoLetter => "no_letter",
            Self::MisplacedCombiningMark => "misplaced_combining_mark",
            Self::TooManyCombiningMarks => "too_many_combining_marks",
            Self::RepeatedCombiningMark => "repeated_combining_mark",
            Self::MixedScripts => "mixed_scripts",
            Self::MixedDigits => "mixed_digits",
            Self::WholeScriptConfusable => "whole_script_confusable",
            Self::LooksLikeEmail => "looks_like_email",
            Self::LooksLikeUrl => "looks_like_url",
            Self::LooksLikeDomain => "looks_like_domain",
            Self::LooksLikePunycode => "looks_like_punycode",
            Self::LooksLikePhoneNumber => "looks_like_phone_number",
            Self::Reserved => "reserved",
            Self::Inappropriate => "inappropriate",
            Self::UnstableNormalization => "unstable_normalization",
        }
    }

    /// The catalogue's message: the code and the rule's values.
    pub fn message(&self) -> Message {
        let message = Message::new(self.code());
        match self {
            Self::TooLong { max } => message.number("max", *max as i64),
            Self::TooShort { min } => message.number("min", *min as i64),
            Self::NotDisplayForm { display } => message.text("display", display.clone()),
            Self::TooManyCombiningMarks => {
                message.number("max", crate::policy::shape::MAX_STACKED_MARKS as i64)
            }
            _ => message,
        }
    }

    /// The name to offer instead: the display form of a name written another way, which passes
    /// every rule. Only `not_display_form` has one.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::NotDisplayForm { display } => Some(display),
            _ => None,
        }
    }

    /// The short sentence a user sees, in `locale`.
    pub fn sentence(&self, locale: Locale) -> String {
        self.message().render(locale)
    }
}
