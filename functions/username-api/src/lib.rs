//! The edge between API Gateway's HTTP API (payload 2.0, through `lambda_http`) and the shared
//! router: the caller is the user whose token the JWT authorizer verified (`sub` from its claims,
//! never from the body); everything else is `shared::api::route`.

use lambda_http::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use lambda_http::http::StatusCode;
use lambda_http::request::RequestContext;
use lambda_http::{Body, IntoResponse, Request, RequestExt, Response};
use shared::api::{route, Api, ApiRequest, AttributeMirror, Caller};
use shared::registry::Registry;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// A response handed to the runtime as built. `lambda_http`'s `IntoResponse` for a plain
/// `Response<B>` decodes every body again by its declared charset, through `encoding_rs` and
/// `mime`, which puts every encoding's tables in the binary; ours is UTF-8 JSON text already.
pub struct Built(pub Response<Body>);

impl IntoResponse for Built {
    fn into_response(self) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> {
        Box::pin(std::future::ready(self.0))
    }
}

/// The caller the HTTP API's JWT authorizer verified, from its claims, when they are a user's
/// token ([`Caller::of_user_token`]): the authorizer checks issuer, audience and expiry only, so
/// a client-credentials token of an accepted app client reaches here too, and is no caller.
/// `None` on public routes, where no authorizer runs.
pub fn caller(request: &Request) -> Option<Caller> {
    let RequestContext::ApiGatewayV2(context) = request.request_context_ref()? else {
        return None;
    };
    let claims = &context.authorizer.as_ref()?.jwt.as_ref()?.claims;
    Caller::of_user_token(|name| claims.get(name).map(String::as_str))
        // The code only: never the token's claims.
        .inspect_err(|refused| tracing::warn!(reason = refused.code(), "bearer token refused"))
        .ok()
}

/// Answers one request. Never an error: every problem is an HTTP answer with a JSON body.
pub async fn handle<R: Registry, M: AttributeMirror>(
    api: &Api<R, M>,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let caller = caller(&request);
    // The raw path (still percent-encoded, without the stage): the router decodes the name.
    let path = match request.raw_http_path() {
        "" => request.uri().path().to_owned(),
        raw => raw.to_owned(),
    };
    let method = request.method().as_str().to_owned();
    let body: &[u8] = request.body().as_ref();
    let accept_language = request
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok());
    let answer = route(
        api,
        ApiRequest {
            method: &method,
            path: &path,
            caller: caller.as_ref(),
            body,
            accept_language,
        },
    )
    .await;
    tracing::info!(
        method,
        status = answer.status,
        outcome = answer.outcome,
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    let mut response = Response::new(Body::Text(answer.body.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    Ok(response)
}
