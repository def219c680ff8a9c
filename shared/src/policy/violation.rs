//! Why a name was rejected: one variant per rule, each with a stable snake_case code and the one
//! user-facing sentence for it (Cognito shows it as `PreSignUp failed with error <message>.`).

use thiserror::Error;

/// Why a name was rejected. `Display` is the user-facing sentence; `code()` the machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyViolation {
    #[error("Enter a username.")]
    Empty,
    #[error("Usernames can be at most {max} characters long.")]
    TooLong { max: usize },
    #[error("Usernames must be at least {min} characters long.")]
    TooShort { min: usize },
    #[error("Usernames can't contain control characters such as tabs or line breaks.")]
    ControlCharacter,
    #[error("Usernames can't contain text-direction control characters.")]
    BidiControl,
    #[error("Usernames can't contain spaces.")]
    Whitespace,
    #[error("Usernames can't contain invisible characters.")]
    InvisibleCharacter,
    #[error("Usernames can't contain formatting characters.")]
    FormatCharacter,
    #[error("Usernames can't contain private-use characters.")]
    PrivateUseCharacter,
    #[error("Usernames can't contain Unicode noncharacters.")]
    Noncharacter,
    #[error("Usernames can't contain unassigned Unicode characters.")]
    UnassignedCharacter,
    /// The input normalises to a different string; `display` is that string (and it passes
    /// every other rule, so the user can simply type it).
    #[error("Write it as \"{display}\".")]
    NotDisplayForm { display: String },
    #[error("Usernames can't contain stylised characters such as ligatures, superscripts, circled or mathematical letters.")]
    CompatibilityCharacter,
    #[error("Usernames can only contain letters, digits and . _ - between them.")]
    DisallowedCharacter,
    #[error("A right-to-left username must start with a right-to-left letter, end with a letter or digit, and can't mix in left-to-right letters.")]
    BidiRule,
    #[error("Usernames can't start or end with . _ or -.")]
    SeparatorAtEdge,
    #[error("Usernames can't have two of . _ - in a row.")]
    ConsecutiveSeparators,
    #[error("Usernames need at least one letter.")]
    NoLetter,
    #[error("Accent marks must follow a letter.")]
    MisplacedCombiningMark,
    #[error("A letter can carry at most 4 accent marks.")]
    TooManyCombiningMarks,
    #[error("A letter can't carry the same accent mark twice.")]
    RepeatedCombiningMark,
    #[error("Usernames can't mix letters from different writing systems.")]
    MixedScripts,
    #[error("Usernames must use digits from one numbering system.")]
    MixedDigits,
    #[error("That username looks like a name written in another alphabet.")]
    WholeScriptConfusable,
    #[error("Usernames can't look like an email address.")]
    LooksLikeEmail,
    #[error("Usernames can't look like a web address.")]
    LooksLikeUrl,
    #[error("Usernames can't look like a domain name.")]
    LooksLikeDomain,
    #[error("Usernames can't contain an encoded domain label (xn--).")]
    LooksLikePunycode,
    #[error("Usernames can't look like a phone number or an ID number.")]
    LooksLikePhoneNumber,
    #[error("That username is reserved.")]
    Reserved,
    /// Normalising the display form again changed it: never seen with the pinned Unicode data,
    /// but if a table update ever makes the normaliser non-idempotent we fail closed.
    #[error("That username can't be used.")]
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
            Self::UnstableNormalization => "unstable_normalization",
        }
    }

    /// The short sentence a user sees.
    pub fn message(&self) -> String {
        self.to_string()
    }
}
