//! `template.yaml` against the code it deploys: the registry table has the schema of
//! `usernames table create`, every configuration variable the code reads is a parameter wired to
//! every function with the code's own default, each function may do exactly the DynamoDB actions
//! its events cost (measured on moto), and the pool calls each trigger, which only it may invoke.
//! The linters (`scripts/check-template`) check the CloudFormation side; this checks the match.

use integration_tests::counter::RequestCounter;
use integration_tests::lifecycle::{fixture, trigger_of, LIFECYCLE};
use integration_tests::moto::{fresh_table, moto_endpoint, workspace_root, MOTO_TIMEOUTS};
use integration_tests::template::{
    function_properties, get_att, load, reference, resource, ALL_FUNCTIONS, API_FUNCTION,
    FUNCTIONS, RECONCILE_FUNCTION,
};
use serde_json::{json, Value};
use shared::api::settings::{ApiSettings, API_VARIABLES, ENV_USER_POOL_ID};
use shared::api::{route, Api, ApiRequest, Caller, NoMirror};
use shared::config::sign_up::{
    ENV_ADMIN_PENDING_TTL, ENV_AUTO_CONFIRM, ENV_AUTO_VERIFY_EMAIL, ENV_AUTO_VERIFY_PHONE,
    ENV_PENDING_TTL, ENV_REQUIRED,
};
use shared::config::tokens::{
    ENV_ACCESS_TOKEN_CLAIMS, ENV_ACCESS_TOKEN_USERNAME, ENV_SUPPRESS_CLAIMS,
};
use shared::config::{LifecycleSettings, Settings, ENV_SOURCE, ENV_TABLE};
use shared::operations::scheduled::ScheduledSettings;
use shared::policy::settings::{
    ENV_DOMAIN_TLDS, ENV_MAX_LENGTH, ENV_MIN_LENGTH, ENV_PROFANITY, ENV_REJECT_PII_LOOKALIKES,
    ENV_RESERVED, ENV_SCRIPT_POLICY,
};
use shared::policy::{Policy, MAX_LENGTH_CAP};
use shared::registry::contact::{ENV_CONTACT_HASH_KEY, MIN_KEY_BYTES};
use shared::registry::dynamodb::local_config;
use shared::registry::{schema, DynamoRegistry};
use shared::triggers::{dispatch, Triggers};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const TABLE: &str = "RegistryTable";
const POOL: &str = "UserPool";
const CLIENT: &str = "UserPoolClient";
const CREATES_POOL: &str = "CreateUserPool";
const RECONCILES: &str = "ReconcileOnSchedule";

// --- the registry table ------------------------------------------------------------------------

#[test]
fn the_table_has_the_schema_of_usernames_table_create() {
    let template = load();
    let table = resource(&template, TABLE);
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    let properties = table["Properties"].as_object().unwrap();
    let expected = schema::cloudformation_properties();
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(properties.get(key), Some(value), "RegistryTable {key}");
    }
    // Nothing else but the name and point-in-time recovery: the schema is defined once.
    let extra: BTreeSet<&str> = properties
        .keys()
        .map(String::as_str)
        .filter(|key| expected.get(key).is_none())
        .collect();
    assert_eq!(
        extra,
        BTreeSet::from(["PointInTimeRecoverySpecification", "TableName"])
    );
}

#[test]
fn the_table_is_kept_and_recoverable() {
    let template = load();
    let table = resource(&template, TABLE);
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"],
        json!({ "PointInTimeRecoveryEnabled": true })
    );
    assert_eq!(table["Properties"]["BillingMode"], "PAY_PER_REQUEST");
    assert!(
        table.get("Condition").is_none(),
        "the table is always created"
    );
}

// --- configuration -----------------------------------------------------------------------------

/// Every `"USERNAMES_…"` string literal in the code the functions are built from.
fn variables_in_code() -> BTreeSet<String> {
    let root = workspace_root();
    let mut files = Vec::new();
    collect_rust_files(&root.join("shared/src"), &mut files);
    for (_, package) in ALL_FUNCTIONS.iter().chain([&RECONCILE_FUNCTION]) {
        collect_rust_files(
            &root.join("functions").join(package).join("src"),
            &mut files,
        );
    }
    let mut variables = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (start, _) in text.match_indices("\"USERNAMES_") {
            let name: String = text[start + 1..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            variables.insert(name);
        }
    }
    variables
}

fn collect_rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The variables a function is given, by name, with their template values.
fn environment(template: &Value, function: &str) -> BTreeMap<String, Value> {
    function_properties(template, function)["Environment"]["Variables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn every_variable_the_code_reads_is_given_to_every_function() {
    let in_code = variables_in_code();
    // The scan finds the settings' own constants (a scan that finds nothing proves nothing).
    for known in [
        ENV_TABLE,
        ENV_SOURCE,
        ENV_REQUIRED,
        ENV_MIN_LENGTH,
        ENV_MAX_LENGTH,
        ENV_RESERVED,
        ENV_SCRIPT_POLICY,
        ENV_REJECT_PII_LOOKALIKES,
        ENV_DOMAIN_TLDS,
        ENV_PROFANITY,
        ENV_PENDING_TTL,
        ENV_ADMIN_PENDING_TTL,
        ENV_CONTACT_HASH_KEY,
        ENV_AUTO_CONFIRM,
        ENV_AUTO_VERIFY_EMAIL,
        ENV_AUTO_VERIFY_PHONE,
        ENV_SUPPRESS_CLAIMS,
        ENV_ACCESS_TOKEN_USERNAME,
        ENV_ACCESS_TOKEN_CLAIMS,
        shared::telemetry::ENV_LOG,
        shared::registry::dynamodb::ENV_WARM_CONNECTION,
    ] {
        assert!(in_code.contains(known), "the scan missed {known}");
    }

    for known in API_VARIABLES {
        assert!(in_code.contains(known), "the scan missed {known}");
    }

    // The triggers read every variable but the API's own; the API's function and the scheduled
    // reconcile read the lifecycle and the pool as well, but never hash, so only the three
    // triggers get the contact-hash key.
    let template = load();
    let for_triggers: BTreeSet<String> = in_code
        .iter()
        .filter(|v| !API_VARIABLES.contains(&v.as_str()))
        .cloned()
        .collect();
    for (function, _) in FUNCTIONS {
        let given: BTreeSet<String> = environment(&template, function).into_keys().collect();
        assert_eq!(
            given, for_triggers,
            "{function}: the variables it is given are not those the code reads"
        );
    }
    let without_key: BTreeSet<String> = in_code
        .iter()
        .filter(|v| *v != ENV_CONTACT_HASH_KEY)
        .cloned()
        .collect();
    for function in [API_FUNCTION.0, RECONCILE_FUNCTION.0] {
        let given: BTreeSet<String> = environment(&template, function).into_keys().collect();
        assert_eq!(given, without_key, "{function}'s variables");
    }
}

/// The contact-hash key (which, with a scan of the table, would turn hashes back into emails) is
/// readable by no principal with read-only access: only the three functions that hash get it, in
/// variables encrypted under the stack's own KMS key; the key's policy lets nobody but those
/// functions' roles decrypt through Lambda, and nobody decrypt otherwise than through Lambda or
/// (for the secret itself) Secrets Manager, where IAM must allow it too.
#[test]
fn only_the_functions_that_hash_can_read_the_contact_hash_key() {
    const KEY: &str = "ContactHashKeyEncryption";
    let template = load();
    for (function, _) in ALL_FUNCTIONS.iter().chain([&RECONCILE_FUNCTION]) {
        let properties = function_properties(&template, function);
        let hashes = FUNCTIONS.iter().any(|(f, _)| f == function);
        assert_eq!(
            environment(&template, function).contains_key(ENV_CONTACT_HASH_KEY),
            hashes,
            "{function}"
        );
        if hashes {
            assert_eq!(properties["KmsKeyArn"], get_att(KEY, "Arn"), "{function}");
        }
    }
    assert!(
        template["Globals"]["Function"]["Environment"]["Variables"]
            .get(ENV_CONTACT_HASH_KEY)
            .is_none(),
        "not a global"
    );
    let secret = resource(&template, CONTACT_KEY_SECRET);
    assert_eq!(secret["Properties"]["KmsKeyId"], reference(KEY));
    let key = resource(&template, KEY);
    assert_eq!(key["Type"], "AWS::KMS::Key");
    let roles: Vec<Value> = FUNCTIONS
        .iter()
        .map(|(f, _)| get_att(&format!("{f}Role"), "Arn"))
        .collect();
    let via = |service: &str| json!({"StringEquals": {"kms:ViaService": {"Fn::Sub": format!("{service}.${{AWS::Region}}.amazonaws.com")}}});
    let mut roles_decrypt = false;
    for statement in key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap()
    {
        assert_eq!(statement["Effect"], "Allow");
        let actions: Vec<&str> = match &statement["Action"] {
            Value::String(a) => vec![a.as_str()],
            Value::Array(a) => a.iter().map(|a| a.as_str().unwrap()).collect(),
            other => panic!("{other}"),
        };
        assert!(
            !actions.iter().any(|a| *a == "kms:*" || *a == "*"),
            "{statement}"
        );
        if !actions.contains(&"kms:Decrypt") {
            continue;
        }
        let principal = &statement["Principal"]["AWS"];
        if principal == &json!(roles) {
            assert_eq!(actions, ["kms:Decrypt"]);
            assert_eq!(statement["Condition"], via("lambda"), "{statement}");
            roles_decrypt = true;
        } else {
            // Anyone else decrypts only the secret, through Secrets Manager, as IAM allows.
            assert_eq!(statement["Condition"], via("secretsmanager"), "{statement}");
        }
    }
    assert!(
        roles_decrypt,
        "the functions that hash can read their variables"
    );
    assert_eq!(
        template["Outputs"]["ContactHashKeyArn"]["Value"],
        reference(CONTACT_KEY_SECRET)
    );
}

/// Pre-sign-up asks the pool (AdminGetUser, nothing else) after the holder of a colliding
/// reservation: of this account's pools when the stack creates its pool (naming it would be a
/// circular reference), of the existing pool otherwise.
#[test]
fn pre_sign_up_may_only_ask_its_pool_after_a_user() {
    let template = load();
    let statements = statements_by_service(&template, FUNCTIONS[0].0);
    let cognito = &statements["cognito-idp"];
    assert_eq!(
        actions_of(cognito, "cognito-idp"),
        BTreeSet::from(["AdminGetUser".to_owned()])
    );
    assert_eq!(
        cognito[0]["Resource"],
        json!({"Fn::If": [CREATES_POOL,
            {"Fn::Sub": "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"},
            reference("ExistingUserPoolArn")]})
    );
    for (function, _) in &FUNCTIONS[1..] {
        assert!(
            !statements_by_service(&template, function).contains_key("cognito-idp"),
            "{function}"
        );
    }
}

/// The pool's case rule: an attached pool's, as the parameter says; the created pool's is
/// case-insensitive whatever the parameter.
#[test]
fn the_case_rule_is_the_attached_pools_and_the_created_pool_folds_case() {
    let template = load();
    assert_eq!(
        resource(&template, POOL)["Properties"]["UsernameConfiguration"]["CaseSensitive"],
        json!(false)
    );
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        variables[shared::config::ENV_CASE_SENSITIVE_USERNAMES],
        json!({"Fn::If": ["ExistingPoolIsCaseSensitive", "true", "false"]})
    );
    assert_eq!(
        template["Conditions"]["ExistingPoolIsCaseSensitive"],
        json!({"Fn::And": [
            {"Fn::Not": [{"Condition": CREATES_POOL}]},
            {"Fn::Equals": [reference("UsernameCaseSensitive"), "true"]}
        ]})
    );
    let parameter = &template["Parameters"]["UsernameCaseSensitive"];
    assert_eq!(parameter["Default"], "false");
    assert!(parameter["Description"]
        .as_str()
        .unwrap()
        .contains(shared::config::ENV_CASE_SENSITIVE_USERNAMES));
}

#[test]
fn the_default_language_is_one_of_ours() {
    let template = load();
    let parameter = &template["Parameters"]["DefaultLocale"];
    assert_eq!(parameter["Default"], "en");
    let tags: Vec<&str> = shared::messages::Locale::ALL
        .iter()
        .map(|l| l.tag())
        .collect();
    assert_eq!(parameter["AllowedValues"], json!(tags));
    // Every allowed value is one the functions take at init.
    for tag in tags {
        assert_eq!(
            shared::messages::Locale::from_tag(tag).map(|l| l.tag()),
            Some(tag)
        );
    }
}

#[test]
fn the_api_mirrors_into_the_stacks_pool_or_the_existing_one() {
    let template = load();
    for function in [API_FUNCTION.0, RECONCILE_FUNCTION.0] {
        let variables = environment(&template, function);
        assert_eq!(
            variables[ENV_USER_POOL_ID],
            json!({ "Fn::If": [CREATES_POOL, reference(POOL), {"Fn::Select": [1, {"Fn::Split": ["/", reference("ExistingUserPoolArn")]}]}] }),
            "{function}"
        );
    }
}

#[test]
fn every_variable_is_a_parameter_of_its_own_and_the_table_is_the_registry() {
    let template = load();
    let parameters = template["Parameters"].as_object().unwrap();
    for (function, _) in ALL_FUNCTIONS.iter().chain([&RECONCILE_FUNCTION]) {
        let function = *function;
        let mut used = BTreeSet::new();
        for (variable, value) in environment(&template, function) {
            if variable == ENV_USER_POOL_ID
                && [API_FUNCTION.0, RECONCILE_FUNCTION.0].contains(&function)
            {
                // The pool, not a parameter: checked by the mirror's own test.
                continue;
            }
            let Some(name) = reference_of(&variable, &value) else {
                panic!("{function}: {variable} is {value}, not a reference");
            };
            if variable == ENV_TABLE {
                assert_eq!(name, TABLE, "{function}: {variable}");
                continue;
            }
            if name == CONTACT_KEY_SECRET {
                continue;
            }
            assert!(
                parameters.contains_key(name),
                "{function}: {variable} refers to {name}, which is not a parameter"
            );
            assert!(used.insert(name.to_string()), "{name} feeds two variables");
            assert!(
                parameters[name]["Description"]
                    .as_str()
                    .is_some_and(|d| d.contains(&variable)),
                "the description of {name} names its variable {variable}"
            );
        }
    }
}

/// The resource the contact-hash key comes from: a secret the stack generates, resolved into
/// the variable at deploy time (never a parameter, whose value would show in the console).
const CONTACT_KEY_SECRET: &str = "ContactHashKey";

/// What a variable's value refers to: a parameter or resource by `Ref`, the secret of the
/// contact-hash key by its dynamic reference, or the case rule's parameter through the condition
/// that applies it to an attached pool only (see
/// `the_case_rule_is_the_attached_pools_and_the_created_pool_folds_case`).
fn reference_of<'v>(variable: &str, value: &'v Value) -> Option<&'v str> {
    if variable == shared::config::ENV_CASE_SENSITIVE_USERNAMES {
        assert_eq!(
            value,
            &json!({"Fn::If": ["ExistingPoolIsCaseSensitive", "true", "false"]})
        );
        return Some("UsernameCaseSensitive");
    }
    if variable == ENV_CONTACT_HASH_KEY {
        assert_eq!(
            value,
            &json!({"Fn::Sub": "{{resolve:secretsmanager:${ContactHashKey}:SecretString}}"}),
            "{variable}"
        );
        return Some(CONTACT_KEY_SECRET);
    }
    value["Ref"].as_str()
}

#[test]
fn the_contact_hash_key_is_a_generated_secret_long_enough_for_init() {
    let template = load();
    let secret = resource(&template, CONTACT_KEY_SECRET);
    assert_eq!(secret["Type"], "AWS::SecretsManager::Secret");
    let generated = &secret["Properties"]["GenerateSecretString"];
    let length = generated["PasswordLength"].as_u64().unwrap();
    assert!(length >= MIN_KEY_BYTES as u64, "{length}");
    assert_eq!(generated["ExcludePunctuation"], json!(true));
}

/// The variables a function gets when every parameter keeps its default.
fn defaults(template: &Value) -> HashMap<String, String> {
    let parameters = &template["Parameters"];
    environment(template, FUNCTIONS[0].0)
        .into_iter()
        .map(|(variable, value)| {
            let name = reference_of(&variable, &value).unwrap().to_string();
            let default = if name == TABLE {
                "registry".to_string()
            } else if name == CONTACT_KEY_SECRET {
                "k".repeat(64)
            } else {
                match &parameters[&name]["Default"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    other => panic!("{name} has no usable default: {other}"),
                }
            };
            (variable, default)
        })
        .collect()
}

#[test]
fn the_parameter_defaults_are_the_codes_defaults() {
    let template = load();
    let from_template = Settings::from_env(&defaults(&template)).unwrap();
    let only_table = HashMap::from([
        (ENV_TABLE.to_string(), "registry".to_string()),
        (ENV_CONTACT_HASH_KEY.to_string(), "k".repeat(64)),
    ]);
    let from_code = Settings::from_env(&only_table).unwrap();
    assert_eq!(format!("{from_template:?}"), format!("{from_code:?}"));

    let mut api_defaults = defaults(&template);
    for variable in [ENV_QUARANTINE_VAR, ENV_COOLDOWN_VAR] {
        let name = environment(&template, API_FUNCTION.0)[variable]["Ref"]
            .as_str()
            .unwrap()
            .to_string();
        let default = template["Parameters"][&name]["Default"].as_str().unwrap();
        api_defaults.insert(variable.to_string(), default.to_string());
    }
    assert_eq!(
        ApiSettings::from_env(&api_defaults).unwrap(),
        ApiSettings::default()
    );
}

const ENV_QUARANTINE_VAR: &str = shared::api::settings::ENV_QUARANTINE;
const ENV_COOLDOWN_VAR: &str = shared::api::settings::ENV_RENAME_COOLDOWN;

#[test]
fn every_allowed_value_is_accepted_at_init() {
    let template = load();
    let parameters = &template["Parameters"];
    let mut checked = 0;
    for (variable, value) in environment(&template, FUNCTIONS[0].0) {
        let name = reference_of(&variable, &value).unwrap();
        let Some(allowed) = parameters[name]["AllowedValues"].as_array() else {
            continue;
        };
        for choice in allowed {
            let choice = choice
                .as_str()
                .map(str::to_string)
                .unwrap_or(choice.to_string());
            let mut env = defaults(&template);
            env.insert(variable.clone(), choice.clone());
            if let Err(e) = Settings::from_env(&env) {
                panic!("{name}={choice} is allowed by the template but stops init: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} allowed values checked");
}

#[test]
fn the_length_parameters_allow_exactly_the_lengths_the_policy_takes() {
    let template = load();
    for name in ["MinLength", "MaxLength"] {
        let parameter = &template["Parameters"][name];
        assert_eq!(parameter["Type"], "Number", "{name}");
        assert_eq!(parameter["MinValue"], json!(1), "{name}");
        assert_eq!(parameter["MaxValue"], json!(MAX_LENGTH_CAP), "{name}");
    }
    let policy = |pairs: &[(&str, String)]| {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Policy::from_env(&env)
    };
    let cap = MAX_LENGTH_CAP;
    assert!(policy(&[
        (ENV_MIN_LENGTH, "1".into()),
        (ENV_MAX_LENGTH, cap.to_string())
    ])
    .is_ok());
    assert!(policy(&[(ENV_MIN_LENGTH, "0".into())]).is_err());
    assert!(policy(&[(ENV_MAX_LENGTH, (cap + 1).to_string())]).is_err());
}

// --- the functions -----------------------------------------------------------------------------

#[test]
fn each_function_is_its_packages_binary_on_arm64_within_its_callers_budget() {
    let template = load();
    let root = workspace_root();
    for (function, package) in ALL_FUNCTIONS {
        let resource = resource(&template, function);
        assert_eq!(resource["Type"], "AWS::Serverless::Function", "{function}");
        assert_eq!(resource["Metadata"]["BuildMethod"], "rust-cargolambda");
        assert_eq!(resource["Metadata"]["BuildProperties"]["Binary"], package);
        assert!(
            resource.get("Condition").is_none(),
            "{function} is always created"
        );

        // The binary exists: a package of that name (its binary takes the package's name).
        let manifest =
            std::fs::read_to_string(root.join("functions").join(package).join("Cargo.toml"))
                .unwrap_or_else(|e| panic!("{function}: no functions/{package}: {e}"));
        assert!(
            manifest.contains(&format!("name = \"{package}\"")),
            "functions/{package}/Cargo.toml names another package"
        );

        let properties = function_properties(&template, function);
        // The workspace root: cargo-lambda builds the binary from the whole workspace.
        assert_eq!(properties["CodeUri"], ".", "{function}");
        assert_eq!(properties["Runtime"], "provided.al2023", "{function}");
        assert_eq!(properties["Architectures"], json!(["arm64"]), "{function}");
        assert_eq!(properties["Handler"], "bootstrap", "{function}");
        let timeout = properties["Timeout"].as_u64().unwrap();
        // Cognito waits 5 s for a trigger; API Gateway 30 s for the API's function, whose
        // rename makes up to four calls of at most 3 s.
        let budget = if function == API_FUNCTION.0 {
            13..=29
        } else {
            1..=5
        };
        assert!(budget.contains(&timeout), "{function}: Timeout {timeout}");
        assert_eq!(properties["MemorySize"], reference("FunctionMemorySize"));
    }
    assert_eq!(
        template["Parameters"]["FunctionMemorySize"]["Default"],
        json!(128)
    );
}

#[test]
fn each_function_logs_to_its_own_group_with_a_retention() {
    let template = load();
    for (function, _) in ALL_FUNCTIONS.iter().chain([&RECONCILE_FUNCTION]) {
        let group = function_properties(&template, function)["LoggingConfig"]["LogGroup"]["Ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{function} has no log group"))
            .to_string();
        let group = resource(&template, &group);
        assert_eq!(group["Type"], "AWS::Logs::LogGroup");
        assert_eq!(
            group["Properties"]["RetentionInDays"],
            reference("LogRetentionDays")
        );
    }
}

/// The DynamoDB actions a function's policies allow, without the `dynamodb:` prefix; every
/// statement is on the registry table and nothing else.
/// The DynamoDB actions a function may do, each on the table (or, for `Query`, on the `by_owner`
/// index only). Statements on other services are checked by their own tests.
fn allowed_actions(template: &Value, function: &str) -> BTreeSet<String> {
    let index = json!({"Fn::Sub": format!("${{{TABLE}.Arn}}/index/{}", schema::OWNER_INDEX)});
    let mut actions = BTreeSet::new();
    let statements = statements_by_service(template, function);
    for statement in statements.get("dynamodb").into_iter().flatten() {
        for action in actions_of(std::slice::from_ref(statement), "dynamodb") {
            let on = if action == "Query" {
                index.clone()
            } else {
                get_att(TABLE, "Arn")
            };
            assert_eq!(
                statement["Resource"], on,
                "{function}: {action} on something else than the table"
            );
            actions.insert(action);
        }
    }
    actions
}

/// The logical ID of the function the created pool calls for `trigger` (a `LambdaConfig` key).
fn function_for_trigger(template: &Value, trigger: &str) -> String {
    let config = &resource(template, POOL)["Properties"]["LambdaConfig"];
    let arn = match trigger {
        "PreTokenGeneration" => &config["PreTokenGenerationConfig"]["LambdaArn"],
        other => &config[other],
    };
    let target = &arn["Fn::GetAtt"];
    assert_eq!(target[1], "Arn", "{trigger} is not a function ARN: {arn}");
    target[0].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_function_may_do_exactly_the_dynamodb_actions_its_events_cost() {
    let template = load();
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS).interceptor(counter.clone());
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let table = fresh_table(&client).await;
    let registry = DynamoRegistry::new(client, table);
    // Every function opens its connection at init with the same read.
    counter.reset();
    registry.warm_up().await.unwrap();
    let init = counter.iam_actions();
    let triggers = Triggers::new(registry, Settings::default());

    // Every fixture, routed to the function the pool's LambdaConfig names for its trigger.
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for step in LIFECYCLE {
        let event = fixture(step.fixture);
        let function = function_for_trigger(
            &template,
            trigger_of(event["triggerSource"].as_str().unwrap()),
        );
        counter.reset();
        let dispatched = dispatch(&triggers, event).await;
        assert_eq!(dispatched.outcome, step.outcome, "{}", step.fixture);
        used.entry(function)
            .or_default()
            .extend(counter.iam_actions().into_iter().chain(init.clone()));
    }

    for (function, _) in FUNCTIONS {
        let used = used.remove(function).unwrap_or_default();
        assert!(!used.is_empty(), "no fixture reached {function}");
        assert_eq!(
            allowed_actions(&template, function),
            used,
            "{function}: the actions allowed are not the actions its events cost"
        );
    }
    assert!(
        used.is_empty(),
        "fixtures reached other functions: {used:?}"
    );
}

#[tokio::test]
async fn the_api_function_may_do_exactly_the_dynamodb_actions_its_routes_cost() {
    let template = load();
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS).interceptor(counter.clone());
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let table = fresh_table(&client).await;
    let settings = ApiSettings {
        cooldown: std::time::Duration::ZERO,
        ..ApiSettings::default()
    };
    let registry = std::sync::Arc::new(DynamoRegistry::new(client, table));
    let api = Api::new(
        registry.clone(),
        NoMirror,
        Policy::default(),
        settings.clone(),
    );
    // A user token names the user (`username`): renames and releases look up their first-version
    // names by it.
    let caller = Caller {
        username: Some("ann".to_owned()),
        ..Caller::new("sub-ann")
    };
    // Every path of every route: a free and a taken name, a first name, a move, a new
    // spelling, a replay, a refusal, a release and taking the name back from quarantine.
    let requests: [(&str, &str, &str, u16); 9] = [
        ("GET", "/v1/usernames/Melody", "", 200),
        ("PUT", "/v1/me/username", r#"{"username":"Melody"}"#, 200),
        ("GET", "/v1/usernames/melody", "", 200),
        ("PUT", "/v1/me/username", r#"{"username":"Harmony"}"#, 200),
        ("PUT", "/v1/me/username", r#"{"username":"HARMONY"}"#, 200),
        ("PUT", "/v1/me/username", r#"{"username":"HARMONY"}"#, 200),
        ("DELETE", "/v1/me/username", "", 200),
        ("PUT", "/v1/me/username", r#"{"username":"Melody"}"#, 200),
        ("DELETE", "/v1/me/username", "", 200),
    ];
    // Init opens the connection with one read.
    counter.reset();
    registry.warm_up().await.unwrap();
    let mut used: BTreeSet<String> = counter.iam_actions().into_iter().collect();
    for (method, path, body, status) in requests {
        counter.reset();
        let answer = route(
            &api,
            ApiRequest {
                method,
                path,
                caller: Some(&caller),
                body: body.as_bytes(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            answer.status, status,
            "{method} {path} {body}: {}",
            answer.body
        );
        used.extend(counter.iam_actions());
    }
    // A pool that refuses the alias: the registry is put back (a first name freed at once, a
    // rename undone).
    let refused = Api::new(registry, RefusesAlias, Policy::default(), settings);
    let bob = Caller::new("sub-bob");
    for (caller, body, status) in [
        (&bob, r#"{"username":"Rhythm"}"#, 409),
        (&caller, r#"{"username":"Tempo"}"#, 409),
    ] {
        if caller.sub == "sub-ann" {
            let named = route(
                &api,
                ApiRequest {
                    method: "PUT",
                    path: "/v1/me/username",
                    caller: Some(caller),
                    body: br#"{"username":"Cadence"}"#,
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(named.status, 200, "{}", named.body);
        }
        counter.reset();
        let answer = route(
            &refused,
            ApiRequest {
                method: "PUT",
                path: "/v1/me/username",
                caller: Some(caller),
                body: body.as_bytes(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        used.extend(counter.iam_actions());
    }
    assert_eq!(
        allowed_actions(&template, API_FUNCTION.0),
        used,
        "the actions allowed are not the actions the API's routes cost"
    );
}

/// A pool where `preferred_username` is an alias somebody else already has.
struct RefusesAlias;

impl shared::api::AttributeMirror for RefusesAlias {
    async fn set_name(&self, _: &str, _: &str) -> Result<(), shared::api::MirrorError> {
        Err(shared::api::MirrorError::AliasExists)
    }

    async fn clear_name(&self, _: &str) -> Result<(), shared::api::MirrorError> {
        Ok(())
    }
}

#[test]
fn the_api_function_may_set_attributes_of_its_pool_only() {
    let template = load();
    let policies = function_properties(&template, API_FUNCTION.0)["Policies"].clone();
    let statements: Vec<&Value> = policies
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["Statement"].as_array().unwrap())
        .collect();
    let with_sid = |sid: &str| -> Vec<&Value> {
        statements
            .iter()
            .copied()
            .filter(|s| s["Sid"] == sid)
            .collect()
    };
    let mirror = with_sid("MirrorTheAttribute");
    assert_eq!(mirror.len(), 1);
    assert_eq!(
        mirror[0]["Action"],
        json!([
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:AdminDeleteUserAttributes"
        ])
    );
    assert_eq!(
        mirror[0]["Resource"],
        json!({ "Fn::If": [CREATES_POOL, get_att(POOL, "Arn"), reference("ExistingUserPoolArn")] })
    );
    // The connection opened at init reads the pool's settings, of that pool only.
    let opens = with_sid("OpenThePoolConnection");
    assert_eq!(opens.len(), 1);
    assert_eq!(
        opens[0]["Action"],
        json!(["cognito-idp:GetUserPoolMfaConfig"])
    );
    assert_eq!(opens[0]["Resource"], mirror[0]["Resource"]);
    let cognito_actions: Vec<&Value> = statements
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .filter(|a| a.as_str().unwrap().starts_with("cognito-idp:"))
        .collect();
    assert_eq!(cognito_actions.len(), 3, "{cognito_actions:?}");
}

#[test]
fn the_http_api_checks_the_pools_tokens_on_the_signed_in_routes_only() {
    let template = load();
    let api = resource(&template, "UsernameHttpApi");
    assert_eq!(api["Type"], "AWS::Serverless::HttpApi");
    let jwt = &api["Properties"]["Auth"]["Authorizers"]["CognitoJwt"]["JwtConfiguration"];
    assert_eq!(
        jwt["audience"],
        json!({ "Fn::If": [CREATES_POOL, [reference(CLIENT)], {"Fn::Split": [",", reference("ExistingUserPoolClientIds")]}] })
    );
    assert!(jwt["issuer"]["Fn::Sub"][0]
        .as_str()
        .unwrap()
        .starts_with("https://cognito-idp.${AWS::Region}.amazonaws.com/"));
    let throttling = &api["Properties"]["DefaultRouteSettings"];
    assert_eq!(
        throttling["ThrottlingBurstLimit"],
        reference("ApiThrottlingBurstLimit")
    );
    assert_eq!(
        throttling["ThrottlingRateLimit"],
        reference("ApiThrottlingRateLimit")
    );
    assert_eq!(
        api["Properties"]["CorsConfiguration"]["AllowOrigins"],
        reference("ApiCorsOrigins")
    );

    let events = resource(&template, API_FUNCTION.0)["Properties"]["Events"]
        .as_object()
        .unwrap();
    let mut routes: Vec<(String, String, String)> = events
        .values()
        .map(|event| {
            assert_eq!(event["Type"], "HttpApi");
            let p = &event["Properties"];
            assert_eq!(p["ApiId"], reference("UsernameHttpApi"));
            (
                p["Method"].as_str().unwrap().to_string(),
                p["Path"].as_str().unwrap().to_string(),
                p["Auth"]["Authorizer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routes.sort();
    // The routes are the OpenAPI document's operations; those it says need no token are public.
    let document = shared::api::openapi::document();
    let mut described: Vec<(String, String, String)> = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let public = operation["security"] == json!([]);
            described.push((
                method.to_ascii_uppercase(),
                path.clone(),
                if public { "NONE" } else { "CognitoJwt" }.to_string(),
            ));
        }
    }
    described.sort();
    assert_eq!(routes, described);
    assert!(routes.contains(&(
        "GET".to_string(),
        "/v1/openapi.json".to_string(),
        "NONE".to_string()
    )));
    assert!(template["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"]
        .as_str()
        .unwrap()
        .contains("${UsernameHttpApi}"));
}

// --- the user pool -----------------------------------------------------------------------------

#[test]
fn only_the_pool_may_invoke_each_function() {
    let template = load();
    let source =
        json!({ "Fn::If": [CREATES_POOL, get_att(POOL, "Arn"), reference("ExistingUserPoolArn")] });
    let resources = template["Resources"].as_object().unwrap();
    for (function, _) in FUNCTIONS {
        let permissions: Vec<&Value> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::Lambda::Permission")
            .filter(|r| r["Properties"]["FunctionName"] == get_att(function, "Arn"))
            .collect();
        assert_eq!(permissions.len(), 1, "{function}: one invoke permission");
        let permission = &permissions[0]["Properties"];
        assert_eq!(permission["Action"], "lambda:InvokeFunction");
        assert_eq!(permission["Principal"], "cognito-idp.amazonaws.com");
        assert_eq!(permission["SourceArn"], source, "{function}");
        assert_eq!(permission["SourceAccount"], reference("AWS::AccountId"));
        assert!(permissions[0].get("Condition").is_none());
    }
}

#[test]
fn an_existing_pool_gets_only_the_functions_and_the_table() {
    let template = load();
    assert_eq!(
        template["Conditions"][CREATES_POOL],
        json!({ "Fn::Equals": [reference("ExistingUserPoolArn"), ""] })
    );
    assert_eq!(template["Parameters"]["ExistingUserPoolArn"]["Default"], "");
    let conditional: BTreeMap<&str, &str> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(id, r)| Some((id.as_str(), r.get("Condition")?.as_str()?)))
        .collect();
    // The pool and its client with the stack's own pool; the scheduled reconcile when asked for.
    assert_eq!(
        conditional,
        BTreeMap::from([
            (CLIENT, CREATES_POOL),
            (POOL, CREATES_POOL),
            (RECONCILE_FUNCTION.0, RECONCILES),
            ("ReconcileLogGroup", RECONCILES),
        ])
    );
    for output in ["UserPoolId", "UserPoolClientId"] {
        assert_eq!(template["Outputs"][output]["Condition"], CREATES_POOL);
    }
}

#[test]
fn the_pool_signs_in_with_email_and_calls_each_trigger() {
    let template = load();
    let pool = resource(&template, POOL);
    assert_eq!(pool["Type"], "AWS::Cognito::UserPool");
    assert_eq!(pool["DeletionPolicy"], "Retain");
    let properties = &pool["Properties"];
    assert_eq!(
        properties["UsernameAttributes"],
        json!({ "Fn::If": ["SignInWithUsername", reference("AWS::NoValue"), ["email"]] })
    );
    assert_eq!(
        template["Conditions"]["SignInWithUsername"],
        json!({ "Fn::Equals": [reference("UsernameSource"), "username"] })
    );
    assert_eq!(
        properties["UsernameConfiguration"],
        json!({ "CaseSensitive": false })
    );
    let preferred: Vec<&Value> = properties["Schema"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["Name"] == "preferred_username")
        .collect();
    assert_eq!(preferred.len(), 1);
    assert_eq!(preferred[0]["Mutable"], true);
    assert_eq!(preferred[0]["Required"], false);

    let config = &properties["LambdaConfig"];
    assert_eq!(
        function_for_trigger(&template, "PreSignUp"),
        "PreSignUpFunction"
    );
    assert_eq!(
        function_for_trigger(&template, "PostConfirmation"),
        "PostConfirmationFunction"
    );
    assert_eq!(
        function_for_trigger(&template, "PreTokenGeneration"),
        "PreTokenGenerationFunction"
    );
    // The legacy key would pin V1; the version is the parameter's.
    assert!(config.get("PreTokenGeneration").is_none());
    assert_eq!(
        config["PreTokenGenerationConfig"]["LambdaVersion"],
        reference("TokenEventVersion")
    );
    let version = &template["Parameters"]["TokenEventVersion"];
    assert_eq!(version["Default"], "V1_0");
    assert_eq!(version["AllowedValues"], json!(["V1_0", "V2_0", "V3_0"]));
    assert_eq!(properties["UserPoolTier"], reference("UserPoolTier"));
}

#[test]
fn the_app_client_lists_its_attribute_permissions() {
    let template = load();
    let client = &resource(&template, CLIENT)["Properties"];
    assert_eq!(client["UserPoolId"], reference(POOL));
    let list = |key: &str| -> BTreeSet<String> {
        client[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} must be explicit"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (read, write) = (list("ReadAttributes"), list("WriteAttributes"));
    // Users choose their name at sign-up, which needs write access (see the README).
    assert!(write.contains("preferred_username"));
    assert!(write.is_subset(&read), "write {write:?} but read {read:?}");
    // Verification flags are Cognito's to set, never a user's.
    for flag in ["email_verified", "phone_number_verified"] {
        assert!(!write.contains(flag), "{flag} is writable");
    }
    assert!(write.iter().all(|a| !a.starts_with("custom:")));
}

#[test]
fn the_outputs_name_the_pool_the_client_and_the_table() {
    let template = load();
    let outputs = &template["Outputs"];
    assert_eq!(outputs["UserPoolId"]["Value"], reference(POOL));
    assert_eq!(outputs["UserPoolClientId"]["Value"], reference(CLIENT));
    assert_eq!(outputs["RegistryTableName"]["Value"], reference(TABLE));
    for (function, _) in FUNCTIONS {
        assert_eq!(
            outputs[format!("{function}Arn")]["Value"],
            get_att(function, "Arn")
        );
    }
}

// --- the scheduled reconcile -------------------------------------------------------------------

#[test]
fn the_scheduled_reconcile_is_off_by_default_and_runs_daily_when_turned_on() {
    let template = load();
    let switch = &template["Parameters"]["ScheduledReconcile"];
    assert_eq!(switch["Default"], "false");
    assert_eq!(switch["AllowedValues"], json!(["true", "false"]));
    assert_eq!(
        template["Conditions"][RECONCILES],
        json!({ "Fn::Equals": [reference("ScheduledReconcile"), "true"] })
    );
    let schedule = &template["Parameters"]["ReconcileSchedule"];
    assert_eq!(schedule["Default"], "rate(1 day)");

    let (function, package) = RECONCILE_FUNCTION;
    let reconcile = resource(&template, function);
    assert_eq!(reconcile["Type"], "AWS::Serverless::Function");
    assert_eq!(reconcile["Condition"], RECONCILES);
    assert_eq!(reconcile["Metadata"]["BuildMethod"], "rust-cargolambda");
    assert_eq!(reconcile["Metadata"]["BuildProperties"]["Binary"], package);
    let manifest = std::fs::read_to_string(
        workspace_root()
            .join("functions")
            .join(package)
            .join("Cargo.toml"),
    )
    .unwrap();
    assert!(manifest.contains(&format!("name = \"{package}\"")));
    let properties = function_properties(&template, function);
    assert_eq!(properties["CodeUri"], ".");
    assert_eq!(properties["Runtime"], "provided.al2023");
    assert_eq!(properties["Architectures"], json!(["arm64"]));
    assert_eq!(properties["Handler"], "bootstrap");
    // Lambda's longest run; the function stops itself before it (ANSWER_MARGIN).
    assert_eq!(properties["Timeout"], json!(900));

    let events = reconcile["Properties"]["Events"].as_object().unwrap();
    assert_eq!(events.len(), 1, "one schedule");
    let event = events.values().next().unwrap();
    assert_eq!(event["Type"], "ScheduleV2", "EventBridge Scheduler");
    let schedule = &event["Properties"];
    assert_eq!(
        schedule["ScheduleExpression"],
        reference("ReconcileSchedule")
    );
    let input: Value = serde_json::from_str(schedule["Input"].as_str().unwrap()).unwrap();
    assert_eq!(input, json!({"dry_run": false}), "a real run");

    let group = resource(&template, "ReconcileLogGroup");
    assert_eq!(
        function_properties(&template, function)["LoggingConfig"]["LogGroup"],
        reference("ReconcileLogGroup")
    );
    assert_eq!(group["Condition"], RECONCILES);
    assert_eq!(
        group["Properties"]["RetentionInDays"],
        reference("LogRetentionDays")
    );
    let output = &template["Outputs"]["ReconcileFunctionArn"];
    assert_eq!(output["Condition"], RECONCILES);
    assert_eq!(output["Value"], get_att(function, "Arn"));
    // Nothing invokes it but its schedule: no pool permission.
    let invokers = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Lambda::Permission")
        .filter(|r| r["Properties"]["FunctionName"] == get_att(function, "Arn"))
        .count();
    assert_eq!(invokers, 0);
}

#[test]
fn the_scheduled_reconcile_starts_with_the_templates_defaults() {
    let template = load();
    let mut env = defaults(&template);
    for (variable, value) in environment(&template, RECONCILE_FUNCTION.0) {
        if variable == ENV_USER_POOL_ID {
            env.insert(variable, "eu-west-1_AbC123".to_string());
        } else if let Some(name) = value["Ref"].as_str().filter(|n| *n != TABLE) {
            if let Some(default) = template["Parameters"][name]["Default"].as_str() {
                env.insert(variable, default.to_string());
            }
        }
    }
    let settings = ScheduledSettings::from_env(&env).unwrap();
    assert_eq!(settings.lifecycle, LifecycleSettings::default());
    assert_eq!(settings.user_pool_id, "eu-west-1_AbC123");
}

/// The statements of a function's policies, by the service their actions belong to.
fn statements_by_service(template: &Value, function: &str) -> BTreeMap<String, Vec<Value>> {
    let mut by_service: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let policies = function_properties(template, function)["Policies"].clone();
    for policy in policies.as_array().unwrap() {
        for statement in policy["Statement"].as_array().unwrap() {
            assert_eq!(statement["Effect"], "Allow", "{function}");
            let actions = statement["Action"].as_array().unwrap();
            let services: BTreeSet<&str> = actions
                .iter()
                .map(|a| a.as_str().unwrap().split(':').next().unwrap())
                .collect();
            assert_eq!(services.len(), 1, "one service a statement: {statement}");
            let service = services.into_iter().next().unwrap().to_string();
            by_service
                .entry(service)
                .or_default()
                .push(statement.clone());
        }
    }
    by_service
}

fn actions_of(statements: &[Value], service: &str) -> BTreeSet<String> {
    statements
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| {
            a.as_str()
                .unwrap()
                .strip_prefix(&format!("{service}:"))
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The scheduled reconcile may do exactly what its runs cost, counted on moto: a dry run, a run
/// that quarantines the names of deleted users (one a first-version owner), and a run with a
/// quarantine of zero, which frees them at once. On the table and the pool only.
#[tokio::test]
async fn the_scheduled_reconcile_may_do_exactly_the_actions_its_runs_cost() {
    use integration_tests::cognito::{add_user, cognito, cognito_config, delete_user, new_pool};
    use integration_tests::contract::{entry, Seed};
    use shared::operations::cognito::CognitoDirectory;
    use shared::operations::reconcile::NoDeadline;
    use shared::operations::scheduled::ScheduledReconcile;
    use shared::registry::{ClaimState, Commitment, Contacts, Holder, Owner, Registry};

    let template = load();
    let admin = cognito();
    let pool = new_pool(&admin).await;
    let dynamodb_counter = RequestCounter::new();
    let config =
        local_config(moto_endpoint(), &MOTO_TIMEOUTS).interceptor(dynamodb_counter.clone());
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let table = fresh_table(&client).await;
    let cognito_counter = RequestCounter::new();
    let counted_cognito = aws_sdk_cognitoidentityprovider::Client::from_conf(
        cognito_config()
            .interceptor(cognito_counter.clone())
            .build(),
    );
    // Setup goes through its own, uncounted clients.
    let setup = DynamoRegistry::new(integration_tests::moto::moto_client(), table.clone());
    let mut seeded = 0;
    let mut seed_users = |quarantine: &str| {
        seeded += 1;
        let (admin, pool, setup) = (admin.clone(), pool.clone(), setup.clone());
        let tag = format!("{quarantine}{seeded}");
        async move {
            let user_name = format!("leaver_{tag}");
            let sub = add_user(&admin, &pool, &user_name, None).await;
            let commitment = Commitment {
                username: Policy::default()
                    .evaluate(&format!("Leaver_{tag}"))
                    .unwrap(),
                holder: Holder::new(
                    &user_name,
                    false,
                    &shared::registry::ContactKey::development(),
                ),
                sub,
                verified: Contacts::none(),
            };
            setup.commit(&commitment, 1).await.unwrap();
            delete_user(&admin, &pool, &user_name).await;
            setup
                .seed(&entry(
                    &format!("Vintage_{tag}"),
                    ClaimState::Active {
                        owner: Owner::LegacyUserName(format!("old_{tag}")),
                    },
                ))
                .await;
        }
    };
    seed_users("q").await;
    add_user(&admin, &pool, "stays", None).await;
    // Only the runs count, not the table's creation.
    dynamodb_counter.reset();

    let mut used: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let registry = DynamoRegistry::new(client, table);
    let directory = CognitoDirectory::new(counted_cognito, pool.clone());
    let quarantined = ScheduledReconcile::new(
        registry.clone(),
        directory.clone(),
        LifecycleSettings::default(),
    );
    for input in [json!({"dry_run": true}), json!({})] {
        // Past the grace period after the commits at 1.
        let clock = shared::registry::ManualClock::new(10_000);
        let run = quarantined.run(&input, &clock, &NoDeadline).await.unwrap();
        assert_eq!(run.summary.quarantined, 2, "{input}");
    }
    seed_users("r").await;
    let freed = ScheduledReconcile::new(
        registry,
        directory,
        LifecycleSettings {
            quarantine: std::time::Duration::ZERO,
            ..LifecycleSettings::default()
        },
    );
    let clock = shared::registry::ManualClock::new(20_000);
    let run = freed.run(&json!({}), &clock, &NoDeadline).await.unwrap();
    assert_eq!(run.summary.released, 2);
    used.entry("dynamodb")
        .or_default()
        .extend(dynamodb_counter.iam_actions());
    used.entry("cognito-idp")
        .or_default()
        .extend(cognito_counter.iam_actions());

    let statements = statements_by_service(&template, RECONCILE_FUNCTION.0);
    assert_eq!(
        statements.keys().map(String::as_str).collect::<Vec<_>>(),
        ["cognito-idp", "dynamodb"]
    );
    for (service, statements) in &statements {
        assert_eq!(
            actions_of(statements, service),
            used[service.as_str()],
            "{service}: the actions allowed are not the actions the runs cost"
        );
        let resource = if service == "dynamodb" {
            get_att(TABLE, "Arn")
        } else {
            json!({ "Fn::If": [CREATES_POOL, get_att(POOL, "Arn"), reference("ExistingUserPoolArn")] })
        };
        for statement in statements {
            assert_eq!(statement["Resource"], resource, "{service}");
        }
    }
}
