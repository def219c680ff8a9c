//! Keyed hashes of a user's email address, phone number and pending `userName`: how the registry
//! recognises the same person retrying a sign-up, and the holder of a reservation, without storing
//! anything that reveals who they are (docs/registry.md#contact-hashes-and-their-key).
//!
//! An unkeyed hash of an email is reversible by dictionary for anyone who can read the table, so
//! the hash is HMAC-SHA-256 under a per-deployment secret that lives outside the table (the
//! template generates it in Secrets Manager and hands it, encrypted under a key only the hashing
//! functions may use, to those functions as an environment variable, resolved at deploy time, so
//! init makes no network call for it). The same secret seals (AES-256-GCM) a reservation's
//! `userName`, which pre-sign-up opens only to ask the pool whether that holder still exists.

use crate::env::{ConfigError, EnvSource};
use hmac::{Hmac, KeyInit, Mac};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::Sha256;
use std::sync::Arc;

/// The secret that keys the contact hashes.
pub const ENV_CONTACT_HASH_KEY: &str = "USERNAMES_CONTACT_HASH_KEY";
/// Fewer bytes than this and the key could be guessed; HMAC-SHA-256 wants at least 32.
pub const MIN_KEY_BYTES: usize = 32;

/// How a stored holder that is a keyed hash begins. Holders written by earlier versions are the
/// `userName` itself, which this prefix tells apart (a `userName` that happens to begin so can
/// only match the hash of itself, which needs the key).
pub const HOLDER_HASH_PREFIX: &str = "h1:";
/// How a sealed `userName` begins (the format's version).
const SEALED_PREFIX: &str = "s1:";

/// The HMAC key, keyed once at init (the per-hash work is then two SHA-256 blocks), and the sealing
/// key derived from it. `Debug` never shows either.
#[derive(Clone)]
pub struct ContactKey {
    mac: Hmac<Sha256>,
    seal: Arc<LessSafeKey>,
}

impl std::fmt::Debug for ContactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactKey(..)")
    }
}

impl ContactKey {
    /// A key from secret bytes; `None` when it is shorter than [`MIN_KEY_BYTES`].
    pub fn new(secret: impl Into<Vec<u8>>) -> Option<Self> {
        let secret = secret.into();
        if secret.len() < MIN_KEY_BYTES {
            return None;
        }
        <Hmac<Sha256> as KeyInit>::new_from_slice(&secret)
            .ok()
            .and_then(Self::keyed)
    }

    /// The fixed key of the CLI's embedded store and of tests: public, so never for a real table.
    pub fn development() -> Self {
        // Init or tests only; a 32-byte AES key always builds.
        Self::keyed(Hmac::<Sha256>::new(&Default::default())).expect("the development key builds")
    }

    /// The sealing key is the HMAC of a fixed label: one secret to deploy, two keys that never
    /// meet (the hashes and the seals have different inputs under different keys).
    fn keyed(mac: Hmac<Sha256>) -> Option<Self> {
        let mut derive = mac.clone();
        derive.update(b"seal\0user-name");
        let bytes = derive.finalize().into_bytes();
        let seal = UnboundKey::new(&AES_256_GCM, &bytes).ok()?;
        Some(Self {
            mac,
            seal: Arc::new(LessSafeKey::new(seal)),
        })
    }

    /// Reads [`ENV_CONTACT_HASH_KEY`]; unset is `None`, a short value stops init.
    pub fn from_env(env: &impl EnvSource) -> Result<Option<Self>, ConfigError> {
        let Some(raw) = env.var(ENV_CONTACT_HASH_KEY) else {
            return Ok(None);
        };
        // The value is never echoed: it is a secret.
        Self::new(raw.trim().as_bytes().to_vec())
            .map(Some)
            .ok_or_else(|| {
                ConfigError::new(
                    ENV_CONTACT_HASH_KEY,
                    format!("is shorter than {MIN_KEY_BYTES} bytes"),
                )
            })
    }

    /// The hash of an email address, compared case-insensitively as Cognito compares them.
    pub fn email(&self, email: &str) -> Option<ContactHash> {
        let normalised = email.trim().to_lowercase();
        (!normalised.is_empty()).then(|| self.hash("email", &normalised))
    }

    /// The hash of a phone number (E.164 as Cognito stores it; spaces ignored).
    pub fn phone(&self, phone: &str) -> Option<ContactHash> {
        let normalised: String = phone.chars().filter(|c| !c.is_whitespace()).collect();
        (!normalised.is_empty()).then(|| self.hash("phone", &normalised))
    }

    /// The stored form of a pending reservation's holder: [`HOLDER_HASH_PREFIX`] and the keyed
    /// hash of its `userName`, as the pool compares them (`user_name` is already in lower case
    /// for a case-insensitive pool).
    pub fn holder(&self, user_name: &str) -> String {
        format!("{HOLDER_HASH_PREFIX}{}", self.hash("holder", user_name).0)
    }

    /// `user_name` sealed (AES-256-GCM under a fresh random nonce): only this key opens it.
    /// `None` if the system's random source fails, in which case nothing is stored and the
    /// holder simply cannot be looked up.
    pub fn seal(&self, user_name: &str) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).ok()?;
        let mut sealed = user_name.as_bytes().to_vec();
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(b"user-name"),
                &mut sealed,
            )
            .ok()?;
        Some(format!(
            "{SEALED_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// The `userName` [`seal`](Self::seal) sealed; `None` for anything else (another key, a
    /// changed or truncated value).
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = hex::decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut rest = rest.to_vec();
        let opened = self
            .seal
            .open_in_place(nonce, Aad::from(b"user-name"), &mut rest)
            .ok()?;
        String::from_utf8(opened.to_vec()).ok()
    }

    fn hash(&self, kind: &str, value: &str) -> ContactHash {
        let mut mac = self.mac.clone();
        // The kind is part of the message, so an email never matches a phone number's hash.
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        ContactHash(hex::encode(mac.finalize().into_bytes()))
    }
}

/// A keyed hash (hex) of one contact: it proves nothing by itself and reveals nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContactHash(String);

impl ContactHash {
    pub fn from_stored(hash: impl Into<String>) -> Self {
        Self(hash.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The contact hashes kept with a pending reservation, or offered as proof at a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    pub email: Option<ContactHash>,
    pub phone: Option<ContactHash>,
}

impl Contacts {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none()
    }

    /// Whether the two share a contact: the same email hash or the same phone hash.
    pub fn shares_with(&self, other: &Contacts) -> bool {
        let same = |a: &Option<ContactHash>, b: &Option<ContactHash>| matches!((a, b), (Some(a), Some(b)) if a == b);
        same(&self.email, &other.email) || same(&self.phone, &other.phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    fn key() -> ContactKey {
        ContactKey::new(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap()
    }

    #[test]
    fn emails_hash_alike_whatever_their_case_and_surrounding_space() {
        assert_eq!(
            key().email(" Alice@Example.com "),
            key().email("alice@example.com")
        );
        assert_ne!(
            key().email("alice@example.com"),
            key().email("alice@example.org")
        );
        assert_eq!(key().email("  "), None);
        assert_eq!(key().phone("+1 555 0100"), key().phone("+15550100"));
    }

    #[test]
    fn the_hash_depends_on_the_key_and_is_not_the_plain_sha256() {
        use sha2::Digest;
        let email = "alice@example.com";
        let hash = key().email(email).unwrap();
        assert_eq!(hash.as_str().len(), 64);
        assert_ne!(hash.as_str(), hex::encode(Sha256::digest(email.as_bytes())));
        let other = ContactKey::new(vec![b'x'; 40]).unwrap();
        assert_ne!(Some(hash), other.email(email));
        assert_ne!(
            key().email("+15550100"),
            key().phone("+15550100"),
            "an email never matches a phone number"
        );
    }

    #[test]
    fn a_short_key_stops_init_without_echoing_it() {
        let err =
            ContactKey::from_env(&env(&[(ENV_CONTACT_HASH_KEY, "short-secret")])).unwrap_err();
        assert_eq!(err.var, ENV_CONTACT_HASH_KEY);
        assert!(!err.to_string().contains("short-secret"), "{err}");
        assert!(matches!(ContactKey::from_env(&env(&[])), Ok(None)));
        let long = "k".repeat(MIN_KEY_BYTES);
        assert!(ContactKey::from_env(&env(&[(ENV_CONTACT_HASH_KEY, &long)]))
            .unwrap()
            .is_some());
        assert_eq!(format!("{:?}", key()), "ContactKey(..)");
    }

    #[test]
    fn holders_hash_under_the_key_and_never_as_the_user_name() {
        let holder = key().holder("bob_1");
        assert!(holder.starts_with(HOLDER_HASH_PREFIX), "{holder}");
        assert!(!holder.contains("bob_1"));
        assert_eq!(holder, key().holder("bob_1"));
        assert_ne!(
            holder,
            key().holder("Bob_1"),
            "case is the caller's to fold"
        );
        assert_ne!(holder, ContactKey::development().holder("bob_1"));
        // A holder never equals the same text's email hash.
        assert_ne!(
            holder.strip_prefix(HOLDER_HASH_PREFIX),
            key().email("bob_1").as_ref().map(ContactHash::as_str)
        );
    }

    #[test]
    fn a_sealed_user_name_opens_only_under_its_key_and_unchanged() {
        let sealed = key().seal("alice.v@example.com").unwrap();
        assert!(!sealed.contains("alice"), "{sealed}");
        assert_ne!(
            sealed,
            key().seal("alice.v@example.com").unwrap(),
            "fresh nonce"
        );
        assert_eq!(key().open(&sealed).as_deref(), Some("alice.v@example.com"));
        assert_eq!(ContactKey::development().open(&sealed), None);
        // The tag's last byte, changed whatever it was (the nonce is random, so a fixed "00"
        // left it unchanged once in 256 runs).
        let last = &sealed[sealed.len() - 2..];
        let changed = if last == "00" { "01" } else { "00" };
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., changed);
        assert_ne!(tampered, sealed);
        assert_eq!(key().open(&tampered), None);
        for junk in ["", "s1:", "s1:zz", "bob", &sealed[..sealed.len() - 10]] {
            assert_eq!(key().open(junk), None, "{junk}");
        }
    }

    #[test]
    fn contacts_share_only_a_present_equal_hash() {
        let a = Contacts {
            email: key().email("a@example.com"),
            phone: None,
        };
        let b = Contacts {
            email: None,
            phone: key().phone("+15550100"),
        };
        assert!(a.shares_with(&a.clone()));
        assert!(!a.shares_with(&b));
        assert!(!Contacts::none().shares_with(&Contacts::none()));
    }
}
