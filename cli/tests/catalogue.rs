//! The catalogue apps get (`catalogue/messages.json`) is the one the code makes: regenerate it
//! with `cargo run -p usernames -- catalogue > catalogue/messages.json` after changing a sentence.

use serde_json::Value;
use std::process::Command;

#[test]
fn the_committed_catalogue_is_the_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_usernames"))
        .arg("catalogue")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalogue/messages.json");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout.clone()).unwrap(),
        "catalogue/messages.json is not what the code says: run \
         `cargo run -p usernames -- catalogue > catalogue/messages.json`"
    );
    let catalogue: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(catalogue["locales"].as_array().unwrap().len(), 12);
    assert_eq!(
        catalogue["messages"]["name_taken"]["fluent"]["de"],
        "Dieser Benutzername ist bereits vergeben."
    );
}
