//! Operator rules: words no new name may contain (`usernames block --contains WORD`), kept in the
//! registry table so that they apply from the next minute on without a redeploy, plus the ones a
//! deployment seeds (`USERNAMES_RESERVED_CONTAINS`). A rule matches through the name's key with
//! leetspeak digits folded, as reserved names do, so `Supp0rt-Team` and `5upp0rt` hit `support`.
//! Rules decide only new claims (sign-up, rename, availability): existing owners keep their names.

use super::dynamodb::Expression;
use super::schema::{n, s, NAME_KEY, STATE};
use super::sdk::registry_error;
use super::{DynamoRegistry, MemoryRegistry, Registry, RegistryError, Timestamp};
use crate::env::{ConfigError, EnvSource};
use crate::policy::{NameKey, Username};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Words from the deployment (comma-separated), on top of the table's.
pub const ENV_RESERVED_CONTAINS: &str = "USERNAMES_RESERVED_CONTAINS";
/// How long the functions keep the table's rules before reading them again (at most 60 s).
pub const ENV_RULES_CACHE: &str = "USERNAMES_RULES_CACHE";

/// The longest a function keeps rules: an operator's rule applies within a minute.
pub const MAX_CACHE: Duration = Duration::from_secs(60);

/// A rule's form shorter than this would refuse names wholesale (`a` is in half of them).
pub const MIN_RULE_FORM: usize = 3;

/// The single item that holds the table's rules (a name key never contains `#`).
pub const RULES_ITEM_KEY: &str = "rules#contains";
const STATE_RULES: &str = "rules";
const RULES: &str = "rules";
const REVISION: &str = "revision";
const WORD: &str = "word";
const BY: &str = "by";
const REASON: &str = "reason";
const SINCE: &str = "since";

/// The form a rule and a name are compared in: the uniqueness key with leetspeak digits folded.
pub fn rule_form(text: &str) -> String {
    NameKey::derive(text).folded_for_rules()
}

/// One rule: names whose form contains `word`'s form are refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContainsRule {
    /// The word as the operator typed it.
    pub word: String,
    /// Its form ([`rule_form`]), which names are matched against.
    pub form: String,
    /// Who added it (`None` for the deployment's seeded words).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
}

/// Why a word cannot be a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "`{0}` is too short to be a rule: its form has fewer than {MIN_RULE_FORM} letters, and \
         would refuse names wholesale"
    )]
    TooShort(String),
}

impl ContainsRule {
    /// A rule for `word`, refused when its form is too short to mean anything.
    pub fn new(word: &str) -> Result<Self, RuleError> {
        let word = word.trim();
        let form = rule_form(word);
        if form.chars().count() < MIN_RULE_FORM {
            return Err(RuleError::TooShort(word.to_owned()));
        }
        Ok(Self {
            word: word.to_owned(),
            form,
            by: None,
            reason: None,
            since: None,
        })
    }
}

/// The first rule `name` breaks.
pub fn matching_rule<'a>(name: &Username, rules: &'a [ContainsRule]) -> Option<&'a ContainsRule> {
    let form = name.key().folded_for_rules();
    rules.iter().find(|rule| form.contains(&rule.form))
}

/// What the settings say about rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSettings {
    /// `USERNAMES_RESERVED_CONTAINS`: the deployment's own rules.
    pub seeded: Vec<ContainsRule>,
    /// `USERNAMES_RULES_CACHE`: default and at most 60 s.
    pub cache: Duration,
}

impl Default for RuleSettings {
    fn default() -> Self {
        Self {
            seeded: Vec::new(),
            cache: MAX_CACHE,
        }
    }
}

impl RuleSettings {
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let mut seeded = Vec::new();
        if let Some(words) = env.var(ENV_RESERVED_CONTAINS) {
            for word in words.split(',').map(str::trim).filter(|w| !w.is_empty()) {
                let rule = ContainsRule::new(word)
                    .map_err(|e| ConfigError::new(ENV_RESERVED_CONTAINS, e.to_string()))?;
                seeded.push(rule);
            }
        }
        let cache = match env.var(ENV_RULES_CACHE) {
            None => MAX_CACHE,
            Some(raw) => match crate::env::parse_duration(raw.trim()) {
                Some(cache) if cache <= MAX_CACHE => cache,
                _ => {
                    return Err(ConfigError::new(
                        ENV_RULES_CACHE,
                        "must be a duration of at most 60s (seconds, or a number with s)",
                    ))
                }
            },
        };
        Ok(Self { seeded, cache })
    }
}

/// The rules a function applies: the seeded ones and the table's, read again when older than
/// the cache allows. Shared by every invocation of a function instance.
#[derive(Debug)]
pub struct RuleCache {
    settings: RuleSettings,
    /// The table's rules and when they were read.
    read: Mutex<Option<(Timestamp, Arc<Vec<ContainsRule>>)>>,
}

impl RuleCache {
    pub fn new(settings: RuleSettings) -> Self {
        Self {
            settings,
            read: Mutex::new(None),
        }
    }

    /// Every rule in force at `now`: one read of the table when the last is older than the cache
    /// (never more than one a minute per instance while it is warm).
    pub async fn rules<R: Registry>(
        &self,
        registry: &R,
        now: Timestamp,
    ) -> Result<Arc<Vec<ContainsRule>>, RegistryError> {
        let cache = i64::try_from(self.settings.cache.as_secs()).unwrap_or(i64::MAX);
        if let Some((at, rules)) = self.lock().as_ref() {
            if now >= *at && now - *at < cache {
                return Ok(Arc::clone(rules));
            }
        }
        let mut rules = self.settings.seeded.clone();
        rules.extend(registry.contains_rules().await?);
        let rules = Arc::new(rules);
        *self.lock() = Some((now, Arc::clone(&rules)));
        Ok(rules)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Timestamp, Arc<Vec<ContainsRule>>)>> {
        // A plain value behind the lock: a panic elsewhere cannot leave it half-written.
        self.read.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for RuleCache {
    fn default() -> Self {
        Self::new(RuleSettings::default())
    }
}

/// Stores whose rules an operator can change (the CLI).
pub trait WordRules: Registry {
    /// Adds `rule` (or replaces the one of the same form). Returns whether one was replaced.
    fn add_contains_rule(
        &self,
        rule: &ContainsRule,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send;

    /// Removes the rule of `word`'s form. Returns whether there was one.
    fn remove_contains_rule(
        &self,
        word: &str,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send;
}

impl super::memory::Tables {
    /// [`Registry::contains_rules`].
    pub(super) fn contains_rules(&self) -> Vec<ContainsRule> {
        self.rules.values().cloned().collect()
    }

    /// [`WordRules::add_contains_rule`].
    pub(super) fn add_contains_rule(&mut self, rule: &ContainsRule) -> bool {
        self.rules.insert(rule.form.clone(), rule.clone()).is_some()
    }

    /// [`WordRules::remove_contains_rule`].
    pub(super) fn remove_contains_rule(&mut self, word: &str) -> bool {
        self.rules.remove(&rule_form(word)).is_some()
    }
}

impl WordRules for MemoryRegistry {
    async fn add_contains_rule(&self, rule: &ContainsRule) -> Result<bool, RegistryError> {
        Ok(self.lock().add_contains_rule(rule))
    }

    async fn remove_contains_rule(&self, word: &str) -> Result<bool, RegistryError> {
        Ok(self.lock().remove_contains_rule(word))
    }
}

impl<R: WordRules> WordRules for Arc<R> {
    fn add_contains_rule(
        &self,
        rule: &ContainsRule,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        R::add_contains_rule(self, rule)
    }

    fn remove_contains_rule(
        &self,
        word: &str,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        R::remove_contains_rule(self, word)
    }
}

type Item = HashMap<String, AttributeValue>;

/// The rules item's rules, by form, and its revision (0 when there is no item).
fn rules_of(item: Option<&Item>) -> Result<(BTreeMap<String, ContainsRule>, i64), RegistryError> {
    let Some(item) = item else {
        return Ok((BTreeMap::new(), 0));
    };
    let corrupt = |what: &str| RegistryError::Corrupt(format!("the rules item's {what}"));
    let revision = item
        .get(REVISION)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| corrupt("revision"))?;
    let mut rules = BTreeMap::new();
    if let Some(map) = item.get(RULES) {
        let map = map.as_m().map_err(|_| corrupt("rules"))?;
        for rule in map.values() {
            let rule = rule.as_m().map_err(|_| corrupt("rule"))?;
            let text = |name: &str| rule.get(name).and_then(|v| v.as_s().ok()).cloned();
            let word = text(WORD).ok_or_else(|| corrupt("word"))?;
            // The form is derived again rather than read: a new key version may give the word
            // another form (`vvip` is `wip` from version 3 on), and names are keyed by the new one.
            let form = rule_form(&word);
            rules.insert(
                form.clone(),
                ContainsRule {
                    word,
                    form,
                    by: text(BY),
                    reason: text(REASON),
                    since: rule
                        .get(SINCE)
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse().ok()),
                },
            );
        }
    }
    Ok((rules, revision))
}

fn rule_value(rule: &ContainsRule) -> AttributeValue {
    let mut map = HashMap::from([(WORD.to_owned(), s(&rule.word))]);
    if let Some(by) = &rule.by {
        map.insert(BY.to_owned(), s(by));
    }
    if let Some(reason) = &rule.reason {
        map.insert(REASON.to_owned(), s(reason));
    }
    if let Some(since) = rule.since {
        map.insert(SINCE.to_owned(), n(since));
    }
    AttributeValue::M(map)
}

impl DynamoRegistry {
    /// The rules item, read consistently.
    pub(super) async fn contains_rules_item(&self) -> Result<Vec<ContainsRule>, RegistryError> {
        let item = self.get_item(s(RULES_ITEM_KEY)).await?;
        Ok(rules_of(item.as_ref())?.0.into_values().collect())
    }

    /// Read, change, write back on the condition that nobody wrote in between (the revision).
    async fn change_rules(
        &self,
        change: impl Fn(&mut BTreeMap<String, ContainsRule>) -> bool,
    ) -> Result<bool, RegistryError> {
        for _ in 0..super::dynamodb::CONFLICT_ATTEMPTS * 3 {
            let item = self.get_item(s(RULES_ITEM_KEY)).await?;
            let (mut rules, revision) = rules_of(item.as_ref())?;
            let changed = change(&mut rules);
            let map = rules
                .values()
                .map(|rule| (rule.form.clone(), rule_value(rule)))
                .collect();
            let new_item = HashMap::from([
                (NAME_KEY.to_owned(), s(RULES_ITEM_KEY)),
                (STATE.to_owned(), s(STATE_RULES)),
                (RULES.to_owned(), AttributeValue::M(map)),
                (REVISION.to_owned(), n(revision + 1)),
            ]);
            let mut e = Expression::default();
            let condition = if item.is_none() {
                format!("attribute_not_exists({})", e.name(NAME_KEY))
            } else {
                format!(
                    "{} = {}",
                    e.name(REVISION),
                    e.value("revision", n(revision))
                )
            };
            let sent = self
                .client()
                .put_item()
                .table_name(self.table())
                .set_item(Some(new_item))
                .condition_expression(condition)
                .set_expression_attribute_names(Some(e.names))
                .set_expression_attribute_values((!e.values.is_empty()).then_some(e.values))
                .send()
                .await;
            match sent {
                Ok(_) => return Ok(changed),
                Err(err) => match err.as_service_error() {
                    Some(PutItemError::ConditionalCheckFailedException(_)) => continue,
                    _ => return Err(registry_error(err)),
                },
            }
        }
        Err(RegistryError::Timeout)
    }
}

impl WordRules for DynamoRegistry {
    async fn add_contains_rule(&self, rule: &ContainsRule) -> Result<bool, RegistryError> {
        self.change_rules(|rules| rules.insert(rule.form.clone(), rule.clone()).is_some())
            .await
    }

    async fn remove_contains_rule(&self, word: &str) -> Result<bool, RegistryError> {
        let form = rule_form(word);
        self.change_rules(|rules| rules.remove(&form).is_some())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::registry::Clock;
    use crate::registry::ManualClock;

    fn rules(words: &[&str]) -> Vec<ContainsRule> {
        words
            .iter()
            .map(|w| ContainsRule::new(w).unwrap())
            .collect()
    }

    fn hits(name: &str, words: &[&str]) -> bool {
        let name = Policy::default().evaluate(name).unwrap();
        matching_rule(&name, &rules(words)).is_some()
    }

    #[test]
    fn rules_match_through_the_key_and_leetspeak() {
        for name in [
            "support_team",
            "Supp0rt-Team",
            "5upp0rt_bob",
            "SUPPORT_bob",
            "the.support.desk",
        ] {
            assert!(hits(name, &["support"]), "{name}");
        }
        assert!(hits("paypal_official", &["paypal"]));
        assert!(hits("PayPaI-0fficial", &["official"]));
        assert!(hits("the_real_elonmusk", &["elonmusk"]));
        assert!(!hits("supporter", &["supports"]));
        assert!(!hits("alice", &["support"]));
    }

    #[test]
    fn a_rule_written_under_an_older_key_version_is_read_in_the_current_form() {
        // Version 2 wrote the rule `vvip` under the form `vvip`; version 3 keys `vv` as `w`.
        let rule: Item = [(WORD.to_owned(), AttributeValue::S("vvip".into()))].into();
        let item: Item = [
            (REVISION.to_owned(), AttributeValue::N("3".into())),
            (
                RULES.to_owned(),
                AttributeValue::M([("vvip".to_owned(), AttributeValue::M(rule))].into()),
            ),
        ]
        .into();
        let (read, revision) = rules_of(Some(&item)).unwrap();
        assert_eq!(revision, 3);
        let rule = read.get("wip").expect("keyed by the current form");
        assert_eq!((rule.word.as_str(), rule.form.as_str()), ("vvip", "wip"));
        let name = Policy::default().evaluate("the_vvip_desk").unwrap();
        assert!(matching_rule(&name, &[rule.clone()]).is_some());
    }

    #[test]
    fn a_rule_too_short_to_mean_anything_is_refused() {
        assert_eq!(
            ContainsRule::new(" ab "),
            Err(RuleError::TooShort("ab".into()))
        );
        assert_eq!(ContainsRule::new("a.b-c").unwrap().form, "abc");
    }

    #[test]
    fn settings_seed_words_and_bound_the_cache() {
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        let settings = RuleSettings::from_env(&env(&[
            (ENV_RESERVED_CONTAINS, " support , ,Staff"),
            (ENV_RULES_CACHE, "10s"),
        ]))
        .unwrap();
        assert_eq!(
            settings
                .seeded
                .iter()
                .map(|r| r.form.as_str())
                .collect::<Vec<_>>(),
            ["support", "staff"]
        );
        assert_eq!(settings.cache, Duration::from_secs(10));
        for (name, value) in [
            (ENV_RULES_CACHE, "2m"),
            (ENV_RULES_CACHE, "soon"),
            (ENV_RESERVED_CONTAINS, "ok_word,x"),
        ] {
            let err = RuleSettings::from_env(&env(&[(name, value)])).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[tokio::test]
    async fn the_cache_reads_the_table_again_once_it_is_older_than_allowed() {
        let store = MemoryRegistry::new();
        let cache = RuleCache::new(RuleSettings {
            seeded: rules(&["staff"]),
            cache: Duration::from_secs(60),
        });
        let clock = ManualClock::new(1_000);
        let forms = |rules: Arc<Vec<ContainsRule>>| {
            rules.iter().map(|r| r.form.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            forms(cache.rules(&store, clock.now()).await.unwrap()),
            ["staff"]
        );
        store
            .add_contains_rule(&ContainsRule::new("support").unwrap())
            .await
            .unwrap();
        clock.advance(59);
        assert_eq!(
            forms(cache.rules(&store, clock.now()).await.unwrap()),
            ["staff"]
        );
        clock.advance(1);
        assert_eq!(
            forms(cache.rules(&store, clock.now()).await.unwrap()),
            ["staff", "support"]
        );
        assert!(store.remove_contains_rule("SUPP0RT").await.unwrap());
        assert!(!store.remove_contains_rule("support").await.unwrap());
    }
}
