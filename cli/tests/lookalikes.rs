//! Look-alikes of a registered name, through `usernames invoke` on both stores: for each pair of
//! docs/policy.md#look-alikes-the-unicode-data-misses (and the whole-script cases), the first
//! name signs up and is confirmed, then a stranger's sign-up with the second is refused, by the
//! policy or because the key merges it with the first.

use integration_tests::moto::{fresh_table, moto_client, moto_endpoint};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (registered, look-alike) pairs: a dot above, a macron below, capitals drawn as digits, the
/// double acute, whole words in another script, `vv`, and pairs of older Unicode data.
const PAIRS: &[(&str, &str)] = &[
    ("alice", "ali\u{307}ce"),
    ("alice", "al\u{131}\u{307}ce"),
    ("jack", "j\u{307}ack"),
    ("ana", "a\u{331}na"),
    ("ЗОЯ", "3ОЯ"),
    ("зоя", "3оя"),
    ("c3po", "cƷpo"),
    ("ÖZIL", "ŐZIL"),
    ("Зоя", "Ӡоя"),
    ("toast", "тоаѕт"),
    ("mask", "маѕк"),
    ("koi", "κοι"),
    ("pox", "ροχ"),
    ("oxo", "οχο"),
    ("walter", "vvalter"),
    ("أحمد", "ٲحمد"),
    ("ؤلا", "وٴلا"),
    ("ئلا", "ىٴلا"),
    ("ഐക്യം", "എെക്യം"),
    ("郎郎郎", "郞郞郞"),
    ("隸隸隸", "隷隷隷"),
];

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// A sign-up of `name` by `user`, and (when `confirm`) its confirmation, as event files.
fn events(dir: &Path, user: &str, name: &str, confirm: bool) -> Vec<PathBuf> {
    let mut sign_up = fixture("pre-sign-up-signup.json");
    sign_up["userName"] = json!(user);
    sign_up["request"]["userAttributes"]["email"] = json!(format!("{user}@example.com"));
    sign_up["request"]["userAttributes"]["preferred_username"] = json!(name);
    let mut files = vec![(format!("{user}-sign-up.json"), sign_up)];
    if confirm {
        let mut confirmed = fixture("post-confirmation-confirm-sign-up.json");
        confirmed["userName"] = json!(user);
        let attributes = &mut confirmed["request"]["userAttributes"];
        attributes["sub"] = json!(user);
        attributes["preferred_username"] = json!(name);
        attributes["email"] = json!(format!("{user}@example.com"));
        attributes["cognito:email_alias"] = json!(format!("{user}@example.com"));
        files.push((format!("{user}-confirm.json"), confirmed));
    }
    files
        .into_iter()
        .map(|(file, event)| {
            let path = dir.join(file);
            std::fs::write(&path, event.to_string()).expect("write event");
            path
        })
        .collect()
}

/// `usernames invoke` of the pair's events: on `table` (moto) or on the embedded store.
fn invoke_pair(dir: &Path, first: &str, second: &str, table: Option<&str>) -> Vec<Value> {
    let mut files = events(dir, "00000000-0000-4000-8000-00000000000a", first, true);
    files.extend(events(
        dir,
        "00000000-0000-4000-8000-00000000000b",
        second,
        false,
    ));
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    for (var, _) in std::env::vars() {
        if var.starts_with("USERNAMES_") || var.starts_with("AWS_") {
            command.env_remove(var);
        }
    }
    if let Some(table) = table {
        command
            .env("USERNAMES_TABLE", table)
            .env("AWS_ENDPOINT_URL", moto_endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true");
    }
    let output = command.arg("invoke").args(&files).output().expect("run");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The first name is registered; the look-alike is refused, with a policy code or as taken.
fn assert_look_alike_refused(first: &str, second: &str, answers: &[Value]) {
    assert_eq!(answers.len(), 3, "{first} / {second}: {answers:?}");
    for answer in &answers[..2] {
        assert!(
            answer.get("errorType").is_none(),
            "{first} must register: {answer}"
        );
    }
    let code = answers[2]["errorType"].as_str().unwrap_or_default();
    assert!(
        matches!(
            code,
            "name_taken" | "whole_script_confusable" | "mixed_scripts" | "reserved"
        ),
        "{first} / {second}: the look-alike got {}",
        answers[2]
    );
}

fn scratch_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "usernames-lookalikes-{}-{label}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn every_look_alike_is_refused_on_the_embedded_store() {
    let dir = scratch_dir("memory");
    for (first, second) in PAIRS {
        assert_look_alike_refused(first, second, &invoke_pair(&dir, first, second, None));
    }
    // And a name that is not a look-alike registers beside it.
    let answers = invoke_pair(&dir, "alice", "alicia", None);
    assert!(
        answers.iter().all(|a| a.get("errorType").is_none()),
        "{answers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_look_alike_is_refused_on_dynamodb() {
    let dir = scratch_dir("dynamodb");
    for (first, second) in PAIRS {
        let table = fresh_table(&moto_client()).await;
        let answers = invoke_pair(&dir, first, second, Some(&table));
        assert_look_alike_refused(first, second, &answers);
    }
    let table = fresh_table(&moto_client()).await;
    let answers = invoke_pair(&dir, "alice", "alicia", Some(&table));
    assert!(
        answers.iter().all(|a| a.get("errorType").is_none()),
        "{answers:?}"
    );
}
