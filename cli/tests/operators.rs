//! The operator commands run as a binary against moto: a Cognito user pool (moto's `cognito-idp`)
//! and the registry table on the same server. Each case builds its own pool and table.

use integration_tests::cognito::{
    add_user, cognito, delete_user, new_case_sensitive_pool, new_pool, pool_with_case_rule, Cognito,
};
use integration_tests::contract::{entry, first_version, Seed};
use integration_tests::moto::{fresh_table, moto_client, moto_endpoint};
use serde_json::Value;
use shared::policy::NameKey;
use shared::registry::{ClaimState, DynamoRegistry, Owner, Registry};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `sub` → `UserCreateDate` of every user, as `import` orders them.
async fn creation_order(cognito: &Cognito, pool: &str) -> BTreeMap<String, (i64, String)> {
    let mut order = BTreeMap::new();
    let mut token = None;
    loop {
        let page = cognito
            .list_users()
            .user_pool_id(pool)
            .set_pagination_token(token)
            .send()
            .await
            .expect("list users");
        for user in page.users() {
            let sub = user
                .attributes()
                .iter()
                .find(|a| a.name() == "sub")
                .and_then(|a| a.value())
                .expect("a sub")
                .to_owned();
            let created = user
                .user_create_date()
                .and_then(|d| d.to_millis().ok())
                .expect("a creation date");
            order.insert(sub.clone(), (created, sub));
        }
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            return order;
        }
    }
}

/// The binary on moto's table `table`, with a clean AWS environment.
fn usernames(table: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("AWS_") || name_text.starts_with("USERNAMES_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .env("USERNAMES_TABLE", table)
        .env("AWS_ENDPOINT_URL", moto_endpoint())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    command
}

/// Exit code and stdout's JSON lines.
fn run(mut command: Command) -> (i32, Vec<Value>) {
    let output = command.output().expect("run usernames");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    (output.status.code().expect("an exit code"), lines)
}

/// The per-user lines of an import or reconcile, by `sub` (or, for a first-version owner,
/// `user_name`), and its summary.
fn by_sub(lines: &[Value]) -> (BTreeMap<String, Value>, Value) {
    let (summary, users) = lines.split_last().expect("a summary line");
    assert!(summary.get("summary").is_some(), "last line: {summary}");
    let users = users
        .iter()
        .map(|l| {
            let owner = l["sub"].as_str().or(l["user_name"].as_str());
            (owner.expect("a sub or a userName").to_owned(), l.clone())
        })
        .collect();
    (users, summary["summary"].clone())
}

async fn registry_on(table: &str) -> DynamoRegistry {
    DynamoRegistry::new(moto_client(), table)
}

async fn owner_of(registry: &DynamoRegistry, raw: &str) -> Option<ClaimState> {
    registry
        .get(&NameKey::derive(raw))
        .await
        .expect("get")
        .map(|c| c.state)
}

#[tokio::test]
async fn import_of_a_pool_with_collisions_dry_run_first_then_twice() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    let table = fresh_table(&moto_client()).await;
    let mut melody = Vec::new();
    for (user_name, name) in [
        ("ann", "Melody"),
        ("bob", "me1ody"),
        ("cat", "mel_ody"),
        ("dan", "MELODY"),
    ] {
        melody.push(add_user(&cognito, &pool, user_name, Some(name)).await);
    }
    let invalid = add_user(&cognito, &pool, "eve", Some("admin")).await;
    let nameless = add_user(&cognito, &pool, "fay", None).await;
    let federated = add_user(&cognito, &pool, "Google_1234567890", Some("Fed_Name")).await;
    let already = add_user(&cognito, &pool, "gus", Some("Gus_Name")).await;
    let registry = registry_on(&table).await;
    let commit = shared::registry::Commitment {
        username: shared::policy::Policy::default()
            .evaluate("Gus_Name")
            .expect("a valid name"),
        holder: integration_tests::contract::holder("gus"),
        sub: already.clone(),
        verified: shared::registry::Contacts::none(),
    };
    registry.commit(&commit, 1).await.expect("commit");
    // The earliest account keeps the name (ties by `sub`, as the command orders them).
    let order = creation_order(&cognito, &pool).await;
    let winner = melody
        .iter()
        .min_by_key(|sub| order[*sub].clone())
        .expect("a winner")
        .clone();

    let (code, lines) = run(usernames(
        &table,
        &["import", "--user-pool-id", &pool, "--dry-run"],
    ));
    assert_eq!(code, 1, "{lines:?}");
    let (dry, dry_summary) = by_sub(&lines);
    assert!(lines.iter().all(|l| l["dry_run"] == true), "{lines:?}");
    assert_eq!(
        owner_of(&registry, "melody").await,
        None,
        "a dry run writes nothing"
    );

    let (code, lines) = run(usernames(&table, &["import", "--user-pool-id", &pool]));
    assert_eq!(code, 1, "some names were refused: {lines:?}");
    let (users, summary) = by_sub(&lines);
    assert_eq!(users.len(), 8);
    for sub in &melody {
        let line = &users[sub];
        if *sub == winner {
            assert_eq!(line["outcome"], "registered", "{line}");
        } else {
            assert_eq!(line["outcome"], "taken", "{line}");
            assert_eq!(line["taken_by"], winner.as_str(), "{line}");
        }
    }
    assert_eq!(users[&invalid]["outcome"], "invalid");
    assert_eq!(users[&invalid]["code"], "reserved");
    assert!(
        users[&invalid].get("name").is_none(),
        "an invalid raw value is not printed"
    );
    assert_eq!(users[&nameless]["outcome"], "no_name");
    assert_eq!(users[&federated]["outcome"], "registered");
    assert_eq!(users[&already]["outcome"], "already_registered");
    assert_eq!(
        summary,
        serde_json::json!({"users": 8, "registered": 2, "already_registered": 1, "taken": 3,
            "owns_another_name": 0, "invalid": 1, "no_name": 1, "reserved": 0, "given_up": 0})
    );
    for (sub, line) in &dry {
        assert_eq!(
            line["outcome"], users[sub]["outcome"],
            "the dry run said so"
        );
    }
    assert_eq!(dry_summary, summary);
    assert_eq!(
        owner_of(&registry, "MELODY").await,
        Some(ClaimState::Active {
            owner: Owner::Sub(winner.clone())
        })
    );

    let (code, lines) = run(usernames(&table, &["import", "--user-pool-id", &pool]));
    assert_eq!(code, 1);
    let (again, summary) = by_sub(&lines);
    assert_eq!(summary["registered"], 0, "a second run changes nothing");
    assert_eq!(summary["already_registered"], 3);
    assert_eq!(again[&melody[1]]["taken_by"], winner.as_str());
}

/// A running command, killed when dropped: a failing test never leaves it behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_import_killed_halfway_then_run_again_ends_as_one_run() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    // More than one page of ListUsers (60), with a shared key among them.
    for i in 0..70 {
        let name = if i % 10 == 0 {
            "Shared_Name".to_owned()
        } else {
            format!("person_{i:02}")
        };
        add_user(&cognito, &pool, &format!("user{i:02}"), Some(&name)).await;
    }
    let killed = fresh_table(&moto_client()).await;
    let mut child = usernames(&killed, &["import", "--user-pool-id", &pool]);
    child.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut running = Running(child.spawn().expect("start usernames import"));
    let stdout = running.0.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..30 {
        lines.next().expect("a line").expect("readable");
    }
    drop(running);

    let (code, resumed) = run(usernames(&killed, &["import", "--user-pool-id", &pool]));
    assert_eq!(code, 1, "the shared name is refused to nine users");
    let (resumed, summary) = by_sub(&resumed);
    assert_eq!(summary["users"], 70);
    assert!(
        summary["already_registered"].as_u64().expect("a count") >= 25,
        "what the killed run did stays done: {summary}"
    );

    let once = fresh_table(&moto_client()).await;
    let (_, single) = run(usernames(&once, &["import", "--user-pool-id", &pool]));
    let (single, _) = by_sub(&single);
    let (killed_registry, once_registry) = (registry_on(&killed).await, registry_on(&once).await);
    for sub in single.keys() {
        // Key and display; `since` is the instant of each run's commit.
        let owned = |r: &DynamoRegistry| {
            let r = r.clone();
            let sub = sub.clone();
            async move {
                r.user(&sub)
                    .await
                    .expect("user")
                    .and_then(|u| u.owned)
                    .map(|o| (o.key, o.display))
            }
        };
        assert_eq!(
            owned(&killed_registry).await,
            owned(&once_registry).await,
            "{sub}"
        );
        assert!(resumed.contains_key(sub));
    }
    assert_eq!(
        owner_of(&killed_registry, "shared_name").await,
        owner_of(&once_registry, "shared_name").await,
        "the same earliest account keeps the shared name"
    );
}

#[tokio::test]
async fn reconcile_after_admin_delete_user_quarantines_the_name_then_show_says_so() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    let table = fresh_table(&moto_client()).await;
    let stays = add_user(&cognito, &pool, "stays", Some("Staying")).await;
    let leaves = add_user(&cognito, &pool, "leaves", Some("Leaving")).await;
    let (code, _) = run(usernames(&table, &["import", "--user-pool-id", &pool]));
    assert_eq!(code, 0);
    delete_user(&cognito, &pool, "leaves").await;
    // A first-version entry whose owner (by `userName`) is gone too.
    let registry = registry_on(&table).await;
    registry
        .seed(&entry("Bygone", first_version("Old.Timer")))
        .await;

    // Just imported: within the grace period nobody is retired, in case the listing lags.
    let (code, lines) = run(usernames(
        &table,
        &["reconcile", "--user-pool-id", &pool, "--dry-run"],
    ));
    assert_eq!(code, 0);
    let (_, summary) = by_sub(&lines);
    assert_eq!(
        (summary["recent"].as_u64(), summary["quarantined"].as_u64()),
        (Some(1), Some(1)),
        "{lines:?}"
    );

    let (code, lines) = run(usernames(
        &table,
        &[
            "reconcile",
            "--user-pool-id",
            &pool,
            "--dry-run",
            "--grace",
            "0",
        ],
    ));
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        owner_of(&registry_on(&table).await, "leaving").await,
        Some(ClaimState::Active {
            owner: Owner::Sub(leaves.clone())
        }),
        "a dry run writes nothing"
    );

    let (code, lines) = run(usernames(
        &table,
        &["reconcile", "--user-pool-id", &pool, "--grace", "0"],
    ));
    assert_eq!(code, 0, "{lines:?}");
    let (users, summary) = by_sub(&lines);
    assert_eq!(users.len(), 2);
    assert_eq!(users[&leaves]["outcome"], "quarantined");
    assert_eq!(users[&leaves]["name"], "Leaving");
    assert_eq!(users["Old.Timer"]["outcome"], "quarantined");
    assert_eq!(users["Old.Timer"]["name"], "Bygone");
    assert!(users["Old.Timer"].get("sub").is_none());
    assert_eq!(
        (
            summary["owners"].clone(),
            summary["legacy_owners"].clone(),
            summary["in_pool"].clone(),
            summary["complete"].clone(),
            summary["stopped"].clone()
        ),
        (3.into(), 1.into(), 1.into(), true.into(), Value::Null)
    );
    assert!(!users.contains_key(&stays));

    let (code, lines) = run(usernames(&table, &["show", "LEAVING"]));
    assert_eq!(code, 0);
    assert_eq!(lines[0]["state"], "quarantined");
    assert_eq!(lines[0]["owner"], leaves.as_str());
    assert_eq!(lines[0]["quarantined_until"], users[&leaves]["until"]);

    let (code, lines) = run(usernames(&table, &["reconcile", "--user-pool-id", &pool]));
    assert_eq!(
        (code, lines.len()),
        (0, 1),
        "nothing left to retire: {lines:?}"
    );
}

#[tokio::test]
async fn an_operator_renames_blocks_releases_and_shows_names_on_the_table() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    let table = fresh_table(&moto_client()).await;
    let sub = add_user(&cognito, &pool, "ann", Some("Annie")).await;
    run(usernames(&table, &["import", "--user-pool-id", &pool]));

    let (code, lines) = run(usernames(
        &table,
        &[
            "rename",
            "--user",
            &sub,
            "Anna_Lee",
            "--user-pool-id",
            &pool,
        ],
    ));
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        lines[0],
        serde_json::json!({"sub": sub, "username": "Anna_Lee", "previous": "Annie", "attribute_set": true})
    );
    let user = cognito
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .expect("get the user");
    let attribute = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "preferred_username")
        .and_then(|a| a.value());
    assert_eq!(attribute, Some("Anna_Lee"));

    let (code, lines) = run(usernames(&table, &["rename", "--user", &sub, "Anna_Two"]));
    assert_eq!(
        (code, lines[0]["code"].clone()),
        (1, "rename_cooldown".into())
    );
    // Where names are Cognito usernames, the CLI refuses as the API does, cooldown or not.
    let mut immutable = usernames(&table, &["rename", "--user", &sub, "Anna_Two", "--force"]);
    immutable.env("USERNAMES_SOURCE", "username");
    let (code, lines) = run(immutable);
    assert_eq!(
        (code, lines[0]["code"].clone()),
        (1, "name_immutable".into())
    );
    let (code, lines) = run(usernames(&table, &["show", "--user", &sub]));
    assert_eq!((code, lines[0]["name"].clone()), (0, "Anna_Lee".into()));
    let (code, lines) = run(usernames(&table, &["show", "annie"]));
    assert_eq!((code, lines[0]["state"].clone()), (0, "quarantined".into()));

    // Without --by, the block names the OS user.
    let mut block = usernames(&table, &["block", "Acme_Corp", "--reason", "brand"]);
    block
        .env("USER", "ops-carol")
        .env_remove("LOGNAME")
        .env_remove("USERNAME");
    let (code, lines) = run(block);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines[0]["blocked_by"], "ops-carol");
    let (code, lines) = run(usernames(&table, &["show", "acmecorp"]));
    assert_eq!(code, 0);
    assert_eq!(
        (
            lines[0]["owner"].clone(),
            lines[0]["reason"].clone(),
            lines[0]["blocked_by"].clone()
        ),
        ("operator".into(), "brand".into(), "ops-carol".into())
    );
    let blocked_at = lines[0]["since"].as_i64().expect("when it was blocked");
    assert!(blocked_at > 1_700_000_000, "{blocked_at}");
    let (code, _) = run(usernames(
        &table,
        &[
            "block",
            "acme.corp",
            "--by",
            " Dana (security) ",
            "--reason",
            "trademark",
        ],
    ));
    assert_eq!(code, 0);
    let (_, lines) = run(usernames(&table, &["show", "ACME_CORP"]));
    assert_eq!(
        (lines[0]["blocked_by"].clone(), lines[0]["reason"].clone()),
        ("Dana (security)".into(), "trademark".into())
    );
    let (code, lines) = run(usernames(&table, &["block", "Acme_Corp", "--by", " "]));
    assert_eq!((code, lines.len()), (2, 0), "a blank operator is bad usage");
    let (code, lines) = run(usernames(
        &table,
        &["rename", "--user", &sub, "ACME.CORP", "--force"],
    ));
    assert_eq!((code, lines[0]["code"].clone()), (1, "name_taken".into()));
    let (code, _) = run(usernames(&table, &["unblock", "acme_corp"]));
    assert_eq!(code, 0);

    let (code, lines) = run(usernames(&table, &["release", "anna_lee"]));
    assert_eq!((code, lines[0]["state"].clone()), (0, "quarantined".into()));
    let (code, lines) = run(usernames(&table, &["release", "anna_lee", "--now"]));
    assert_eq!((code, lines[0]["state"].clone()), (0, "free".into()));
    let (code, lines) = run(usernames(&table, &["show", "anna_lee"]));
    assert_eq!((code, lines[0]["code"].clone()), (1, "no_entry".into()));
    let (code, lines) = run(usernames(
        &table,
        &[
            "rename",
            "--user",
            "no-such-sub",
            "Somebody",
            "--user-pool-id",
            &pool,
        ],
    ));
    assert_eq!(
        (code, lines[0]["code"].clone()),
        (1, "user_not_in_pool".into())
    );
}

/// The pool's `preferred_username` of `user_name`, as `AdminGetUser` shows it.
async fn attribute_of(cognito: &Cognito, pool: &str, user_name: &str) -> Option<String> {
    let user = cognito
        .admin_get_user()
        .user_pool_id(pool)
        .username(user_name)
        .send()
        .await
        .expect("get the user");
    user.user_attributes()
        .iter()
        .find(|a| a.name() == "preferred_username")
        .and_then(|a| a.value())
        .map(str::to_owned)
}

/// `import` and `reconcile` ask the pool how it compares user names (`DescribeUserPool`) and
/// refuse, before writing anything, a pool the setting misdescribes: exit 2 and one sentence.
/// A pool without `UsernameConfiguration` (older than the setting) is case-sensitive.
#[tokio::test]
async fn import_and_reconcile_refuse_a_pool_whose_case_rule_the_setting_misdescribes() {
    let cognito = cognito();
    for pool in [
        new_case_sensitive_pool(&cognito).await,
        pool_with_case_rule(&cognito, None).await,
    ] {
        let table = fresh_table(&moto_client()).await;
        add_user(&cognito, &pool, "ALICE_V", Some("Alice_Name")).await;
        for command in ["import", "reconcile"] {
            let output = usernames(&table, &[command, "--user-pool-id", &pool])
                .env("USERNAMES_CONTACT_HASH_KEY", "k".repeat(40))
                .output()
                .expect("run usernames");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
            assert!(output.stdout.is_empty(), "{command}: nothing done");
            assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains("USERNAMES_CASE_SENSITIVE_USERNAMES is false")
                    && stderr.contains("UsernameCaseSensitive"),
                "{stderr}"
            );
        }
        assert_eq!(
            owner_of(&registry_on(&table).await, "Alice_Name").await,
            None
        );
        let mut told = usernames(&table, &["import", "--user-pool-id", &pool]);
        told.env("USERNAMES_CASE_SENSITIVE_USERNAMES", "true");
        let (code, lines) = run(told);
        assert_eq!(code, 0, "{lines:?}");
    }
    // And the other way round: a case-insensitive pool, a setting that says otherwise.
    let pool = new_pool(&cognito).await;
    let table = fresh_table(&moto_client()).await;
    let mut wrong = usernames(&table, &["import", "--user-pool-id", &pool]);
    wrong.env("USERNAMES_CASE_SENSITIVE_USERNAMES", "true");
    let output = wrong.output().expect("run usernames");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ignores the case"));
}

/// Giving a name up removes the attribute too (`AdminDeleteUserAttributes`): with
/// `--user-pool-id`, `release` leaves no `preferred_username` behind (in an alias pool, no
/// alias), and only while it still names the released name.
#[tokio::test]
async fn release_with_the_pool_removes_the_owners_attribute() {
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    let table = fresh_table(&moto_client()).await;
    add_user(&cognito, &pool, "ann", Some("Annie")).await;
    let (code, _) = run(usernames(&table, &["import", "--user-pool-id", &pool]));
    assert_eq!(code, 0);
    let (code, lines) = run(usernames(
        &table,
        &["release", "annie", "--user-pool-id", &pool],
    ));
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        (
            lines[0]["state"].clone(),
            lines[0]["attribute_cleared"].clone()
        ),
        ("quarantined".into(), true.into())
    );
    assert_eq!(attribute_of(&cognito, &pool, "ann").await, None);
}

/// A command that writes a real table (not on a loopback endpoint) without the deployment's
/// contact-hash key refuses to start: it would hash with the public development key. Nothing is
/// sent anywhere. On a loopback endpoint it only says so.
#[tokio::test]
async fn writing_a_real_table_without_the_contact_hash_key_is_refused() {
    let event = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/pre-sign-up-signup.json"
    );
    for (command, args) in [
        ("invoke", vec!["invoke", event]),
        ("release", vec!["release", "Melody"]),
        (
            "import",
            vec!["import", "--user-pool-id", "us-east-1_Abc123"],
        ),
    ] {
        let mut real = usernames("registry", &args);
        real.env(
            "AWS_ENDPOINT_URL",
            "https://dynamodb.us-east-1.amazonaws.com",
        );
        let output = real.output().expect("run usernames");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("USERNAMES_CONTACT_HASH_KEY is not set")
                && stderr.contains("ContactHashKeyArn"),
            "{command}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{command}");
    }
    let table = fresh_table(&moto_client()).await;
    let output = usernames(&table, &["invoke", event])
        .output()
        .expect("run usernames");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("development key"));
}

/// A table version 1 wrote, where `ðavid` (earlier) and `đavid` were two names: `rekey
/// --dry-run` reports the collision and the move and writes nothing; `rekey` does the same, the
/// earlier owner keeps the name under its current key, and `show` finds it by either spelling.
#[tokio::test]
async fn rekey_of_a_table_the_previous_version_wrote_dry_run_first() {
    use shared::registry::{Claim, OwnedName, UserRecord};
    let client = moto_client();
    let table = fresh_table(&client).await;
    let registry = registry_on(&table).await;
    for (display, sub, since) in [
        ("ðavid", "sub-a", 10),
        ("đavid", "sub-b", 20),
        ("ɖora", "sub-c", 30),
    ] {
        let claim = Claim {
            key: NameKey::derive_version(1, display).unwrap(),
            display: display.to_owned(),
            state: ClaimState::Active {
                owner: Owner::Sub(sub.to_owned()),
            },
            key_version: 1,
            since: Some(since),
        };
        registry.seed(&claim).await;
        let owned = OwnedName {
            key: claim.key.clone(),
            display: display.to_owned(),
            since,
        };
        let record = UserRecord {
            owned: Some(owned),
            ..UserRecord::default()
        };
        registry.seed_user(sub, &record).await;
    }
    let david = NameKey::derive("đavid").to_string();
    let dora = NameKey::derive("ɖora").to_string();
    let expected_changes = |lines: &[Value]| {
        let outcomes: Vec<(String, String)> = lines[..lines.len() - 1]
            .iter()
            .map(|l| {
                let key = l
                    .get("to")
                    .or(l.get("key"))
                    .and_then(Value::as_str)
                    .unwrap();
                (l["outcome"].as_str().unwrap().to_owned(), key.to_owned())
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                ("moved".to_owned(), dora.clone()),
                ("collision".to_owned(), david.clone())
            ]
        );
        let collision = &lines[1];
        assert_eq!(collision["kept"]["owner_sub"], "sub-a");
        assert_eq!(collision["kept"]["display"], "ðavid");
        assert_eq!(collision["dropped"]["owner_sub"], "sub-b");
    };

    let (code, dry) = run(usernames(&table, &["rekey", "--dry-run"]));
    assert_eq!(code, 0, "{dry:?}");
    expected_changes(&dry);
    let summary = &dry.last().unwrap()["summary"];
    assert_eq!(summary["dry_run"], true);
    assert_eq!(
        (
            &summary["older"],
            &summary["restamped"],
            &summary["moved"],
            &summary["collisions"]
        ),
        (&3.into(), &1.into(), &1.into(), &1.into())
    );
    assert_eq!(
        registry
            .get(&NameKey::derive_version(1, "ðavid").unwrap())
            .await
            .unwrap()
            .map(|c| c.key_version),
        Some(1),
        "the dry run wrote nothing"
    );

    let (code, done) = run(usernames(&table, &["rekey"]));
    assert_eq!(code, 0, "{done:?}");
    expected_changes(&done);
    assert_eq!(done.last().unwrap()["summary"]["dry_run"], false);
    for spelling in ["ðavid", "Đavid", "ɖavid"] {
        let (code, shown) = run(usernames(&table, &["show", spelling]));
        assert_eq!(code, 0, "{shown:?}");
        assert_eq!(
            (&shown[0]["name"], &shown[0]["owner"]),
            (&"ðavid".into(), &"sub-a".into()),
            "{spelling}"
        );
    }
    let (code, user_b) = run(usernames(&table, &["show", "--user", "sub-b"]));
    assert_eq!(code, 1, "sub-b owns no name now: {user_b:?}");

    let (code, again) = run(usernames(&table, &["rekey"]));
    assert_eq!(code, 0);
    assert_eq!(again.len(), 1, "nothing left to move: {again:?}");
}

/// The upgrade to key version 3 on a table version 2 wrote `ali̇ce` on: `rekey --prepare` holds
/// `alice` for it (the dry run first, writing nothing), `show alice` names the placeholder, a
/// second `--prepare` holds nothing more, and `rekey` moves the name onto it.
#[tokio::test]
async fn rekey_prepare_holds_the_new_key_before_the_deployment() {
    use shared::registry::{Claim, OwnedName, UserRecord};
    let table = fresh_table(&moto_client()).await;
    let registry = registry_on(&table).await;
    let claim = Claim {
        key: NameKey::derive_version(2, "ali\u{307}ce").unwrap(),
        display: "ali\u{307}ce".to_owned(),
        state: ClaimState::Active {
            owner: Owner::Sub("sub-a".to_owned()),
        },
        key_version: 2,
        since: Some(10),
    };
    registry.seed(&claim).await;
    let record = UserRecord {
        owned: Some(OwnedName {
            key: claim.key.clone(),
            display: claim.display.clone(),
            since: 10,
        }),
        ..UserRecord::default()
    };
    registry.seed_user("sub-a", &record).await;
    let alice = NameKey::derive("alice");

    let (code, dry) = run(usernames(&table, &["rekey", "--prepare", "--dry-run"]));
    assert_eq!(code, 0, "{dry:?}");
    assert_eq!(
        (&dry[0]["outcome"], &dry[0]["to"]),
        (&"held".into(), &alice.to_string().into())
    );
    assert_eq!(
        registry.get(&alice).await.unwrap(),
        None,
        "the dry run wrote nothing"
    );

    let (code, held) = run(usernames(&table, &["rekey", "--prepare"]));
    assert_eq!((code, held.len()), (0, 2), "{held:?}");
    assert_eq!(held[1]["summary"]["held"], 1);
    let (code, shown) = run(usernames(&table, &["show", "alice"]));
    assert_eq!(code, 0, "{shown:?}");
    assert_eq!(
        (&shown[0]["state"], &shown[0]["blocked_by"]),
        (&"blocked".into(), &"usernames rekey --prepare".into()),
        "{shown:?}"
    );
    let (code, again) = run(usernames(&table, &["rekey", "--prepare"]));
    assert_eq!((code, again.len()), (0, 1), "{again:?}");

    let (code, done) = run(usernames(&table, &["rekey"]));
    assert_eq!(code, 0, "{done:?}");
    assert_eq!(
        (&done[0]["outcome"], &done[0]["to"]),
        (&"moved".into(), &alice.to_string().into())
    );
    let (code, shown) = run(usernames(&table, &["show", "alice"]));
    assert_eq!(code, 0);
    assert_eq!(
        (&shown[0]["name"], &shown[0]["owner"]),
        (&"ali\u{307}ce".into(), &"sub-a".into())
    );
}

/// `block --contains` keeps a rule in the table and lists the owners it would refuse today (who
/// keep their names); `rules` lists the table's and the setting's rules; `unblock --contains`
/// removes it; a word too short to mean anything is refused before anything is written.
#[tokio::test]
async fn word_rules_are_added_listed_and_removed_on_the_table() {
    use integration_tests::contract::commitment;
    use shared::registry::Contacts;
    let client = moto_client();
    let table = fresh_table(&client).await;
    let registry = registry_on(&table).await;
    registry
        .commit(&commitment("Support_Desk", "desk", Contacts::none()), 1)
        .await
        .unwrap();

    let (code, added) = run(usernames(
        &table,
        &[
            "block",
            "--contains",
            "Supp0rt",
            "--by",
            "ana",
            "--reason",
            "staff",
        ],
    ));
    assert_eq!(code, 0, "{added:?}");
    let rule = &added[0]["added"];
    assert_eq!(
        (&rule["word"], &rule["form"]),
        (&"Supp0rt".into(), &"support".into())
    );
    assert_eq!(
        (&rule["by"], &rule["source"]),
        (&"ana".into(), &"table".into())
    );
    assert_eq!(rule["owners"][0]["name"], "Support_Desk");
    assert_eq!(added[0]["replaced"], false);

    let mut listing = usernames(&table, &["rules"]);
    listing.env("USERNAMES_RESERVED_CONTAINS", "paypal");
    let (code, rules) = run(listing);
    assert_eq!(code, 0, "{rules:?}");
    let listed: Vec<(&str, &str)> = rules[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["form"].as_str().unwrap(), r["source"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("paypai", "setting"), ("support", "table")]);

    let (code, short) = run(usernames(&table, &["block", "--contains", "a1"]));
    assert_eq!((code, short.len()), (2, 0));

    let (code, removed) = run(usernames(&table, &["unblock", "--contains", "SUPPORT"]));
    assert_eq!((code, &removed[0]["form"]), (0, &"support".into()));
    let (code, again) = run(usernames(&table, &["unblock", "--contains", "support"]));
    assert_eq!((code, &again[0]["code"]), (1, &"no_rule".into()));
    let (_, rules) = run(usernames(&table, &["rules"]));
    assert_eq!(rules[0]["rules"], serde_json::json!([]));
}
