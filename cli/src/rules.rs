//! `usernames block --contains WORD`, `unblock --contains WORD` and `rules`: the operator's rules,
//! words no new name may contain, kept in the registry table (docs/operations.md#operator-rules).
//! Each prints one JSON object; `rules` and a new rule list the owners whose names the rules
//! would refuse today (they keep them: rules decide new claims only).

use crate::admin::{json, with_registry};
use crate::setup;
use serde::Serialize;
use shared::config::Settings;
use shared::registry::listing::{all_owners, OwnerListing};
use shared::registry::word_rules::{rule_form, ContainsRule, WordRules};
use shared::registry::{Clock, RegistryError, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;

/// An owner a rule would refuse now.
#[derive(Serialize)]
struct Owner {
    /// The owner's `sub` (`None` for a first-version name, owned by a `userName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    name: String,
}

#[derive(Serialize)]
struct RuleView {
    #[serde(flatten)]
    rule: ContainsRule,
    /// `table` (added with the CLI) or `setting` (`USERNAMES_RESERVED_CONTAINS`).
    source: &'static str,
    owners: Vec<Owner>,
}

#[derive(Serialize)]
struct Added {
    added: RuleView,
    /// Whether a rule of the same form was replaced.
    replaced: bool,
}

#[derive(Serialize)]
struct Removed {
    removed: String,
    form: String,
}

#[derive(Serialize)]
struct Refusal {
    code: &'static str,
    message: String,
}

/// What the command is asked.
pub enum Request {
    Add {
        word: String,
        reason: Option<String>,
        by: String,
    },
    Remove(String),
    List,
}

pub fn run(request: Request, store: Option<PathBuf>) -> ExitCode {
    let command = match request {
        Request::Add { .. } => "block",
        Request::Remove(_) => "unblock",
        Request::List => "rules",
    };
    // Rules hold no hash: no secret is needed.
    let (settings, runtime) = match (setup::read_settings(command), setup::runtime(command)) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store(command, store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    if let Request::Add { word, .. } = &request {
        if let Err(e) = ContainsRule::new(word) {
            eprintln!("usernames {command}: {e}");
            return ExitCode::from(2);
        }
    }
    let answer = runtime.block_on(async {
        with_registry!(&store, registry => answer(&registry, &settings, request).await)
    });
    match answer {
        Ok(Some(text)) => {
            say!("{text}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            say!(
                "{}",
                json(&Refusal {
                    code: "no_rule",
                    message: "the registry has no rule for that word".into(),
                })
            );
            ExitCode::from(1)
        }
        Err(e) => {
            say!(
                "{}",
                json(&Refusal {
                    code: "registry_unavailable",
                    message: e.to_string(),
                })
            );
            ExitCode::from(1)
        }
    }
}

/// The answer's JSON, or `None` for a rule to remove that is not there.
async fn answer<R: WordRules + OwnerListing>(
    registry: &R,
    settings: &Settings,
    request: Request,
) -> Result<Option<String>, RegistryError> {
    match request {
        Request::Add { word, reason, by } => {
            let Ok(mut rule) = ContainsRule::new(&word) else {
                return Ok(None);
            };
            rule.by = Some(by);
            rule.reason = reason;
            rule.since = Some(SystemClock.now());
            let replaced = registry.add_contains_rule(&rule).await?;
            let owners = owners_refused(registry, &rule).await?;
            Ok(Some(json(&Added {
                added: RuleView {
                    rule,
                    source: "table",
                    owners,
                },
                replaced,
            })))
        }
        Request::Remove(word) => Ok(registry.remove_contains_rule(&word).await?.then(|| {
            json(&Removed {
                form: rule_form(&word),
                removed: word,
            })
        })),
        Request::List => {
            let mut views = Vec::new();
            let seeded = settings.rules.seeded.iter().map(|r| (r.clone(), "setting"));
            let table = registry
                .contains_rules()
                .await?
                .into_iter()
                .map(|r| (r, "table"));
            for (rule, source) in seeded.chain(table) {
                let owners = owners_refused(registry, &rule).await?;
                views.push(RuleView {
                    rule,
                    source,
                    owners,
                });
            }
            #[derive(Serialize)]
            struct Rules {
                rules: Vec<RuleView>,
            }
            Ok(Some(json(&Rules { rules: views })))
        }
    }
}

/// Every owner whose name `rule` would refuse as a new claim.
async fn owners_refused<R: OwnerListing>(
    registry: &R,
    rule: &ContainsRule,
) -> Result<Vec<Owner>, RegistryError> {
    let owners = all_owners(registry, 500).await?;
    let hit = |display: &str| rule_form(display).contains(&rule.form);
    let mut refused: Vec<Owner> = owners
        .by_sub
        .into_iter()
        .filter(|o| hit(&o.name.display))
        .map(|o| Owner {
            sub: Some(o.sub),
            name: o.name.display,
        })
        .collect();
    refused.extend(
        owners
            .legacy
            .into_iter()
            .filter(|o| hit(&o.display))
            .map(|o| Owner {
                sub: None,
                name: o.display,
            }),
    );
    Ok(refused)
}
