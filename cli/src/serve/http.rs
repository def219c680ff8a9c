//! The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) over any `Invoker`,
//! answering as real Lambda does so that cognito-local, the AWS CLI and the SDKs can call it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use shared::triggers::LambdaError;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The functions of the stack, under every name a caller may use for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    PreSignUp,
    PostConfirmation,
    PreTokenGeneration,
}

impl Function {
    /// The function a `FunctionName` path segment names: a plain name, the template's logical ID,
    /// or a full or partial ARN, with or without a `:qualifier`.
    pub fn from_function_name(raw: &str) -> Option<Self> {
        let name = match raw.rfind("function:") {
            Some(at) => &raw[at + "function:".len()..],
            None => raw,
        };
        // `name:qualifier` (a version or alias): every qualifier runs the same code here.
        let name = name.split(':').next().unwrap_or(name);
        match name {
            "pre-sign-up" | "PreSignUpFunction" => Some(Self::PreSignUp),
            "post-confirmation" | "PostConfirmationFunction" => Some(Self::PostConfirmation),
            "pre-token-generation" | "PreTokenGenerationFunction" => Some(Self::PreTokenGeneration),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "pre-sign-up",
            Self::PostConfirmation => "post-confirmation",
            Self::PreTokenGeneration => "pre-token-generation",
        }
    }
}

/// One invocation's answer: the handler's result and its outcome code for the console line.
pub struct Invocation {
    pub outcome: &'static str,
    pub result: Result<Value, LambdaError>,
}

/// Runs one event through one function, and (when it serves one) one request of the HTTP API.
pub trait Invoker: Send + Sync + 'static {
    fn invoke(&self, function: Function, event: Value) -> impl Future<Output = Invocation> + Send;

    /// Answers a request under `/v1/`; an invoker without the HTTP API has no such routes.
    fn http_api(&self, req: ApiCall) -> impl Future<Output = shared::api::ApiResponse> + Send {
        let _ = req;
        std::future::ready(shared::api::ApiResponse::error(
            &shared::api::ApiError::NotFound,
        ))
    }
}

/// One HTTP API request as `serve` read it: the bearer token is still to be verified.
pub struct ApiCall {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Bytes,
}

pub type HttpResponse = Response<Full<Bytes>>;

/// Answers one HTTP request. Never fails: every problem is an HTTP answer.
pub async fn answer<I: Invoker>(invoker: Arc<I>, req: Request<Incoming>) -> HttpResponse {
    if req.uri().path().starts_with("/v1/") {
        return api_answer(invoker.as_ref(), req).await;
    }
    let Some(function_name) = function_name_of(req.uri().path()) else {
        return aws_error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "Unknown operation: this server answers POST /2015-03-31/functions/{name}/invocations.",
        );
    };
    if req.method() != Method::POST {
        return aws_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "UnknownOperationException",
            "Invoke takes POST.",
        );
    }
    let Some(function) = Function::from_function_name(&function_name) else {
        return aws_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!(
                "Function not found: {function_name}. This server hosts pre-sign-up, post-confirmation and pre-token-generation."
            ),
        );
    };
    let invocation_type = req
        .headers()
        .get("x-amz-invocation-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("RequestResponse")
        .to_owned();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return aws_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                "Could not read the request body.",
            )
        }
    };
    let event: Value =
        match serde_json::from_slice(&body) {
            Ok(event) => event,
            Err(_) => return aws_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                "Could not parse request body into json: the payload must be one JSON document.",
            ),
        };
    match invocation_type.as_str() {
        "RequestResponse" => run(invoker.as_ref(), function, event).await,
        "DryRun" => empty(StatusCode::NO_CONTENT),
        "Event" => {
            // Asynchronous invocation: Lambda queues the event and answers 202 at once.
            tokio::spawn(async move {
                run(invoker.as_ref(), function, event).await;
            });
            empty(StatusCode::ACCEPTED)
        }
        _ => aws_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun.",
        ),
    }
}

async fn run<I: Invoker>(invoker: &I, function: Function, event: Value) -> HttpResponse {
    let source = event
        .get("triggerSource")
        .and_then(Value::as_str)
        .filter(|s| s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or("-")
        .to_owned();
    let started = Instant::now();
    let invocation = invoker.invoke(function, event).await;
    let ms = started.elapsed().as_millis();
    say!(
        "{} {source} {} {ms} ms",
        function.name(),
        invocation.outcome
    );
    match invocation.result {
        Ok(response) => {
            let mut res = json_response(StatusCode::OK, &response);
            set(&mut res, "x-amz-executed-version", "$LATEST");
            res
        }
        Err(error) => {
            let body = json!({"errorType": error.error_type, "errorMessage": error.error_message});
            let mut res = json_response(StatusCode::OK, &body);
            set(&mut res, "x-amz-executed-version", "$LATEST");
            set(&mut res, "x-amz-function-error", "Unhandled");
            res
        }
    }
}

/// Answers one request of the HTTP API of SPEC.md §9, with the CORS headers a browser app on
/// another local port needs (deployed, API Gateway adds the configured ones).
async fn api_answer<I: Invoker>(invoker: &I, req: Request<Incoming>) -> HttpResponse {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    if req.method() == Method::OPTIONS {
        let mut res = empty(StatusCode::NO_CONTENT);
        cors(&mut res);
        return res;
    }
    let authorization = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limited = http_body_util::Limited::new(req.into_body(), shared::api::router::MAX_BODY);
    let answer = match limited.collect().await {
        Ok(collected) => {
            invoker
                .http_api(ApiCall {
                    method: method.clone(),
                    path: path.clone(),
                    authorization,
                    body: collected.to_bytes(),
                })
                .await
        }
        Err(_) => shared::api::ApiResponse::error(&shared::api::ApiError::TooLarge),
    };
    say!(
        "{method} {} {} {} {} ms",
        loggable_path(&path),
        answer.status,
        answer.outcome,
        started.elapsed().as_millis()
    );
    let mut res = json_response(
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
        &answer.body,
    );
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, value);
        }
    }
    cors(&mut res);
    res
}

/// The route of a path for the console: names asked about are left out, as the Lambda's log
/// leaves them out.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/v1/usernames/") {
        "/v1/usernames/{name}"
    } else if path.len() <= 64 && path.chars().all(|c| c.is_ascii_graphic()) {
        path
    } else {
        "-"
    }
}

fn cors(res: &mut HttpResponse) {
    set(res, "access-control-allow-origin", "*");
    set(
        res,
        "access-control-allow-methods",
        "GET, PUT, DELETE, OPTIONS",
    );
    set(
        res,
        "access-control-allow-headers",
        "authorization, content-type",
    );
    set(res, "access-control-expose-headers", "retry-after");
    set(res, "access-control-max-age", "600");
}

/// The function name in an Invoke path, percent-decoded (SDKs encode the `:` of ARNs).
fn function_name_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/2015-03-31/functions/")?;
    let name = rest.strip_suffix("/invocations")?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    shared::api::router::percent_decode(name)
}

fn aws_error(status: StatusCode, error_type: &'static str, message: &str) -> HttpResponse {
    let mut res = json_response(status, &json!({"Type": "User", "message": message}));
    set(&mut res, "x-amzn-errortype", error_type);
    res
}

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::from(body.to_string())));
    *res.status_mut() = status;
    set(&mut res, CONTENT_TYPE.as_str(), "application/json");
    res
}

fn empty(status: StatusCode) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::new()));
    *res.status_mut() = status;
    res
}

fn set(res: &mut HttpResponse, name: &'static str, value: &'static str) {
    res.headers_mut()
        .insert(name, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_qualifiers_resolve() {
        for name in [
            "pre-sign-up",
            "PreSignUpFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up",
            "123456789012:function:pre-sign-up:$LATEST",
            "pre-sign-up:live",
        ] {
            assert_eq!(
                Function::from_function_name(name),
                Some(Function::PreSignUp),
                "{name}"
            );
        }
        assert_eq!(
            Function::from_function_name("PreTokenGenerationFunction"),
            Some(Function::PreTokenGeneration)
        );
        assert_eq!(
            Function::from_function_name("post-confirmation"),
            Some(Function::PostConfirmation)
        );
        assert_eq!(Function::from_function_name("pre-sign-upx"), None);
        assert_eq!(Function::from_function_name(""), None);
    }

    #[test]
    fn invoke_paths_are_decoded() {
        assert_eq!(
            function_name_of("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Apre-sign-up/invocations").as_deref(),
            Some("arn:aws:lambda:us-east-1:1:function:pre-sign-up")
        );
        assert_eq!(function_name_of("/2015-03-31/functions//invocations"), None);
        assert_eq!(
            function_name_of("/2015-03-31/functions/a/b/invocations"),
            None
        );
        assert_eq!(
            function_name_of("/2015-03-31/functions/%zz/invocations"),
            None
        );
        assert_eq!(function_name_of("/other"), None);
    }
}
