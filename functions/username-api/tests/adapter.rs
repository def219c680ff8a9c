//! The API function's edge on real API Gateway HTTP API (payload 2.0) events from `events/api/`:
//! the caller comes from the JWT authorizer's claims of a user's token (a machine's
//! client-credentials token is no caller), the raw path's escapes are decoded by the router, and
//! an event without such claims on a signed-in route answers 401.

use lambda_http::request::LambdaRequest;
use lambda_http::{Body, Request};
use serde_json::Value;
use shared::api::{Api, ApiSettings, Caller, NoMirror};
use shared::policy::Policy;
use shared::registry::{Commitment, Contacts, Holder, MemoryRegistry, Registry};
use std::path::Path;

fn fixture(name: &str) -> Request {
    request_of(fixture_json(name))
}

fn fixture_json(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/api")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn request_of(event: Value) -> Request {
    let event: LambdaRequest = serde_json::from_value(event).unwrap();
    Request::from(event)
}

/// The signed-in PUT of `events/api/`, its authorizer's claims edited by `edit`.
fn with_claims(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Request {
    let mut event = fixture_json("put-username-jwt.json");
    let claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        .as_object_mut()
        .unwrap();
    edit(claims);
    request_of(event)
}

fn api() -> Api<MemoryRegistry, NoMirror> {
    Api::new(
        MemoryRegistry::new(),
        NoMirror,
        Policy::default(),
        ApiSettings::default(),
    )
}

async fn call(api: &Api<MemoryRegistry, NoMirror>, request: Request) -> (u16, Value) {
    let response = username_api::handle(api, request).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        other => panic!("not a text body: {other:?}"),
    };
    (response.status().as_u16(), body)
}

const SUB: &str = "7c1e4b2a-9d3f-4e8a-b6c5-0f1e2d3c4b5a";

#[test]
fn the_caller_is_the_sub_and_username_of_the_authorizer_claims() {
    assert_eq!(
        username_api::caller(&fixture("put-username-jwt.json")),
        Some(Caller {
            sub: SUB.into(),
            username: Some(SUB.into()),
        })
    );
    assert_eq!(
        username_api::caller(&fixture("put-username-unauthenticated.json")),
        None
    );
    assert_eq!(
        username_api::caller(&fixture("get-username-public.json")),
        None
    );
}

#[test]
fn only_a_users_access_or_id_token_names_a_caller() {
    let id_token = with_claims(|claims| {
        claims.insert("token_use".into(), "id".into());
        claims.remove("username");
        claims.insert("cognito:username".into(), "melody".into());
        claims.insert("aud".into(), "4example5client6id7abcdefg".into());
    });
    assert_eq!(
        username_api::caller(&id_token),
        Some(Caller {
            sub: SUB.into(),
            username: Some("melody".into()),
        })
    );
    type Edit = fn(&mut serde_json::Map<String, Value>);
    let refused: [(&str, Edit); 6] = [
        ("no username", |claims| {
            claims.remove("username");
        }),
        ("an empty username", |claims| {
            claims.insert("username".into(), "".into());
        }),
        // Each kind of token names its user in its own claim.
        ("an access token with an ID token's user claim", |claims| {
            let name = claims.remove("username").unwrap();
            claims.insert("cognito:username".into(), name);
        }),
        ("a refresh token_use", |claims| {
            claims.insert("token_use".into(), "refresh".into());
        }),
        ("no token_use", |claims| {
            claims.remove("token_use");
        }),
        ("an empty sub", |claims| {
            claims.insert("sub".into(), "".into());
        }),
    ];
    for (what, edit) in refused {
        assert_eq!(username_api::caller(&with_claims(edit)), None, "{what}");
    }
}

#[tokio::test]
async fn a_client_credentials_token_renames_nobody() {
    // A machine's token: `sub` is the app client, there is no user name.
    let api = api();
    let request = fixture("put-username-client-credentials.json");
    assert_eq!(username_api::caller(&request), None);
    let (status, body) = call(&api, request).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(
        api.registry
            .user("1m2m3service4client5abcdef")
            .await
            .unwrap(),
        None
    );
    let (_, body) = call(&api, fixture("get-username-public.json")).await;
    assert_eq!(body["available"], true);
}

#[tokio::test]
async fn a_signed_in_put_renames_the_claims_sub() {
    let api = api();
    let (status, body) = call(&api, fixture("put-username-jwt.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"username": "Melody_Rivers", "previous": null})
    );
    let record = api.registry.user(SUB).await.unwrap().unwrap();
    assert_eq!(record.owned.unwrap().display, "Melody_Rivers");
}

#[tokio::test]
async fn a_put_without_claims_is_unauthorized_and_writes_nothing() {
    let api = api();
    let (status, body) = call(&api, fixture("put-username-unauthenticated.json")).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    assert!(body["message"].as_str().unwrap().ends_with('.'));
    assert_eq!(api.registry.user(SUB).await.unwrap(), None);
}

#[tokio::test]
async fn the_public_get_decodes_the_raw_path_and_reads_the_registry() {
    let api = api();
    let (status, body) = call(&api, fixture("get-username-public.json")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"name": "Jürgen_M", "available": true})
    );

    let name = Policy::default().evaluate("jürgen_m").unwrap();
    let holder = Holder::new(
        "someone",
        false,
        &shared::registry::ContactKey::development(),
    );
    api.registry
        .commit(
            &Commitment {
                username: name,
                holder,
                sub: "sub-someone".into(),
                verified: Contacts::none(),
            },
            1,
        )
        .await
        .unwrap();
    let (status, body) = call(&api, fixture("get-username-public.json")).await;
    assert_eq!(status, 200);
    assert_eq!(body["available"], false);
    assert_eq!(body["code"], "name_taken");
}

#[tokio::test]
async fn a_built_response_reaches_the_runtime_unchanged() {
    use lambda_http::IntoResponse;
    let api = api();
    let response = username_api::handle(&api, fixture("get-username-public.json"))
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = match response.body() {
        Body::Text(text) => text.clone(),
        other => panic!("not a text body: {other:?}"),
    };
    let handed = username_api::Built(response).into_response().await;
    assert_eq!(handed.status(), status);
    assert_eq!(handed.headers(), &headers);
    assert!(matches!(handed.body(), Body::Text(text) if *text == body));
}
