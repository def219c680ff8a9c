//! The username policy: decides whether a raw name may be shown in public and derives the
//! uniqueness key under which the registry stores it.
//!
//! Rules run in this order; the first that fails names the rejection:
//! 1. bounds on the raw input (empty, more than 256 bytes);
//! 2. forbidden code points anywhere in the raw input (`codepoints`);
//! 3. PRECIS `UsernameCasePreserved` (`display`, with our own Bidi Rule in `bidi`); input that is
//!    not its own display form is rejected with the display form in the message, once that form
//!    passes every other rule;
//! 4. length in code points; 5. look-alikes of emails, URLs, domains, phone numbers (`pii`);
//! 6. character set, separators, combining marks, decimal systems (`shape`);
//! 7. reserved names through the reserved key (`reserved`, `key`);
//! 8. scripts and whole-script look-alikes (`scripts`);
//! 9. inappropriate names: slurs and profanity in the display form or the key (`content`). Last,
//!    so that only a name that is otherwise well-formed is judged for its words (a malformed one
//!    gets the reason it can fix), and the most expensive rule runs only on names that reach it.

mod bidi;
mod codepoints;
pub mod content;
mod display;
mod key;
pub mod pii;
pub mod reserved;
mod scripts;
pub mod settings;
pub mod shape;
mod violation;

pub use content::Profanity;
pub use pii::DomainTlds;
pub use scripts::ScriptPolicy;
pub use settings::{
    ENV_DOMAIN_TLDS, ENV_MAX_LENGTH, ENV_MIN_LENGTH, ENV_PROFANITY, ENV_REJECT_PII_LOOKALIKES,
    ENV_RESERVED, ENV_SCRIPT_POLICY,
};
pub use violation::PolicyViolation;

use std::collections::HashSet;

/// Version of the key derivation (described in the `key` module). Stored with every claim:
/// Unicode data changes, and a claim made under an older derivation must be recognisable.
/// Version 2 added step 7 (capital look-alikes: `ð`, `ɖ` now key as `đ`); version 3 added step 8
/// (look-alikes the current Unicode data misses: `ali̇ce` = `alice`, `3оя` = `зоя`, `vv` = `w`).
pub const KEY_VERSION: u32 = 3;

/// The oldest key version whose keys this code can still derive (and so find and move).
pub const OLDEST_KEY_VERSION: u32 = 1;

/// Raw inputs longer than this many bytes are rejected before any normalisation work. With the
/// length cap of 64 code points of at most 4 bytes each, no acceptable name is longer.
pub const MAX_RAW_BYTES: usize = 256;

/// The highest configurable maximum length, in code points.
pub const MAX_LENGTH_CAP: usize = 64;

/// The uniqueness key of a name: names with equal keys are the same name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

impl NameKey {
    /// Rebuilds a key read back from the registry.
    pub fn from_stored(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// Derives the key of any string under the current `KEY_VERSION`, without checking the
    /// policy (for lookups by administrators; sign-ups go through [`Policy::evaluate`]).
    pub fn derive(name: &str) -> Self {
        Self(key::uniqueness_key(name))
    }

    /// Derives the key of `name` as key version `version` did (`None`: no such version). For
    /// `usernames rekey` and for claims that must respect entries not moved yet.
    pub fn derive_version(version: u32, name: &str) -> Option<Self> {
        key::key_of_version(version, name).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key with leetspeak digits folded (`5upp0rt` = `support`): the form reserved names and
    /// operator rules are compared in.
    pub fn folded_for_rules(&self) -> String {
        key::reserved_key(&self.0)
    }
}

impl std::fmt::Display for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name that passed the policy: its display form and its uniqueness key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: NameKey,
}

impl Username {
    /// The name as it is shown, stored and put in tokens (the accepted input, unchanged).
    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &NameKey {
        &self.key
    }

    /// The keys older derivations gave this name, where they differ from its key: an entry of
    /// such a version that `usernames rekey` has not moved yet still keeps others off the name
    /// (docs/registry.md#key-versions), so claims look there too.
    pub fn older_keys(&self) -> Vec<NameKey> {
        let mut keys: Vec<NameKey> = Vec::new();
        for version in OLDEST_KEY_VERSION..KEY_VERSION {
            if let Some(key) = NameKey::derive_version(version, &self.display) {
                if key != self.key && !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        keys
    }
}

/// The policy's configuration. Tables are static; the reserved keys of the configured extra
/// names are derived once, here.
#[derive(Debug, Clone)]
pub struct Policy {
    min_length: usize,
    max_length: usize,
    script_policy: ScriptPolicy,
    reject_pii_lookalikes: bool,
    domain_tlds: DomainTlds,
    extra_reserved: HashSet<String>,
    profanity: Profanity,
}

impl Default for Policy {
    /// 3 to 32 code points, single script, PII look-alikes rejected (domains by the linkify
    /// TLDs), built-in reserved names, slurs and severe profanity refused.
    fn default() -> Self {
        Self {
            min_length: 3,
            max_length: 32,
            script_policy: ScriptPolicy::SingleScript,
            reject_pii_lookalikes: true,
            domain_tlds: DomainTlds::default(),
            extra_reserved: HashSet::new(),
            profanity: Profanity::default(),
        }
    }
}

impl Policy {
    pub fn min_length(&self) -> usize {
        self.min_length
    }

    pub fn max_length(&self) -> usize {
        self.max_length
    }

    pub fn script_policy(&self) -> ScriptPolicy {
        self.script_policy
    }

    pub fn rejects_pii_lookalikes(&self) -> bool {
        self.reject_pii_lookalikes
    }

    pub fn domain_tlds(&self) -> DomainTlds {
        self.domain_tlds
    }

    pub fn profanity(&self) -> Profanity {
        self.profanity
    }

    /// Sets how strict the inappropriate-name rule is.
    pub fn with_profanity(mut self, profanity: Profanity) -> Self {
        self.profanity = profanity;
        self
    }

    /// Sets which top-level domains make a dotted name read as a domain.
    pub fn with_domain_tlds(mut self, domain_tlds: DomainTlds) -> Self {
        self.domain_tlds = domain_tlds;
        self
    }

    /// Sets the script strictness.
    pub fn with_script_policy(mut self, script_policy: ScriptPolicy) -> Self {
        self.script_policy = script_policy;
        self
    }

    /// Turns the look-alike rule for emails, URLs, domains and phone numbers on or off.
    pub fn with_pii_lookalikes_rejected(mut self, reject: bool) -> Self {
        self.reject_pii_lookalikes = reject;
        self
    }

    /// Checks `raw` against every rule and derives its key.
    pub fn evaluate(&self, raw: &str) -> Result<Username, PolicyViolation> {
        if raw.is_empty() {
            return Err(PolicyViolation::Empty);
        }
        if raw.len() > MAX_RAW_BYTES {
            return Err(PolicyViolation::TooLong {
                max: self.max_length,
            });
        }
        codepoints::check_forbidden(raw)?;
        let display = display::enforce(raw)?;
        if display != raw {
            let display = display.into_owned();
            // Suggest the display form only if it is a fixed point that passes on its own.
            if display::enforce(&display)? != display {
                return Err(PolicyViolation::UnstableNormalization);
            }
            codepoints::check_forbidden(&display)?;
            self.check_display_form(&display)?;
            return Err(PolicyViolation::NotDisplayForm { display });
        }
        let key = self.check_display_form(raw)?;
        Ok(Username {
            display: raw.to_owned(),
            key: NameKey(key),
        })
    }

    /// The rules after normalisation, on a string that is its own display form; returns its
    /// uniqueness key.
    fn check_display_form(&self, display: &str) -> Result<String, PolicyViolation> {
        let length = display.chars().count();
        if length < self.min_length {
            return Err(PolicyViolation::TooShort {
                min: self.min_length,
            });
        }
        if length > self.max_length {
            return Err(PolicyViolation::TooLong {
                max: self.max_length,
            });
        }
        if self.reject_pii_lookalikes {
            pii::check(display, self.domain_tlds)?;
        }
        shape::check(display)?;
        let key = key::uniqueness_key(display);
        if reserved::is_reserved(&key, &self.extra_reserved) {
            return Err(PolicyViolation::Reserved);
        }
        scripts::check(display, self.script_policy)?;
        content::check(display, &key, self.profanity)?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests;
