//! The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) over any `Invoker`,
//! answering as real Lambda does so that cognito-local, the AWS CLI and the SDKs can call it,
//! within Lambda's limits: payloads of 6 MB (1 MB for an `Event`), and a bounded number of
//! `Event` invocations at once. Requests under `/v1/` go to the HTTP API.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use shared::triggers::LambdaError;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// The largest payload of a synchronous (`RequestResponse`, `DryRun`) invocation: Lambda's 6 MB.
pub const MAX_PAYLOAD: usize = 6_291_456;
/// The largest payload of an asynchronous (`Event`) invocation: Lambda's 1 MB.
pub const MAX_EVENT_PAYLOAD: usize = 1_048_576;
/// How many `Event` invocations may run at once. Lambda queues them; a queue here would grow
/// with whatever a caller sends, so past this the caller gets Lambda's throttle answer instead.
pub const MAX_EVENTS_IN_FLIGHT: usize = 64;

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
            shared::messages::Locale::En,
        ))
    }
}

/// One HTTP API request as `serve` read it: the bearer token is still to be verified.
pub struct ApiCall {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    /// The `Accept-Language` header: the language of the answer's sentences.
    pub accept_language: Option<String>,
    pub body: Bytes,
}

pub type HttpResponse = Response<Full<Bytes>>;

/// Why the Invoke API refused a request, answered as Lambda answers it: the status, the
/// `X-Amzn-ErrorType` header and `{"Type": "User", "message": …}`. `Display` is the message: a
/// sentence for the caller, never a parser's or a library's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    #[error(
        "Unknown operation: this server answers POST /2015-03-31/functions/{{name}}/invocations."
    )]
    UnknownOperation,
    #[error("Invoke takes POST.")]
    NotPost,
    #[error(
        "Function not found: {0}. This server hosts pre-sign-up, post-confirmation and \
         pre-token-generation."
    )]
    FunctionNotFound(String),
    #[error("X-Amz-Invocation-Type must be RequestResponse, Event or DryRun.")]
    InvocationType,
    #[error("Could not read the request body.")]
    Unreadable,
    #[error("Could not parse request body into json: the payload must be one JSON document.")]
    NotJson,
    #[error("Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction operation.")]
    TooLarge,
    #[error(
        "The payload is too large for the Event invocation type (limit {MAX_EVENT_PAYLOAD} bytes)."
    )]
    EventTooLarge,
    #[error(
        "Rate Exceeded: this server runs at most {MAX_EVENTS_IN_FLIGHT} Event invocations at a \
         time; retry when some have finished."
    )]
    Throttled,
}

impl InvokeError {
    fn status(&self) -> StatusCode {
        match self {
            Self::UnknownOperation | Self::FunctionNotFound(_) => StatusCode::NOT_FOUND,
            Self::NotPost => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvocationType | Self::Unreadable | Self::NotJson => StatusCode::BAD_REQUEST,
            Self::TooLarge | Self::EventTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// Lambda's error type, which the SDKs turn into their exception.
    fn error_type(&self) -> &'static str {
        match self {
            Self::UnknownOperation | Self::NotPost => "UnknownOperationException",
            Self::FunctionNotFound(_) => "ResourceNotFoundException",
            Self::InvocationType => "InvalidParameterValueException",
            Self::Unreadable | Self::NotJson => "InvalidRequestContentException",
            Self::TooLarge | Self::EventTooLarge => "RequestEntityTooLargeException",
            Self::Throttled => "TooManyRequestsException",
        }
    }

    fn response(&self) -> HttpResponse {
        let mut body = json!({"Type": "User", "message": self.to_string()});
        let mut res = if *self == Self::Throttled {
            // As Lambda words a concurrency throttle; SDKs retry after Retry-After.
            body["Reason"] = json!("ConcurrentInvocationLimitExceeded");
            let mut res = json_response(self.status(), &body);
            set(&mut res, "retry-after", "1");
            res
        } else {
            json_response(self.status(), &body)
        };
        set(&mut res, "x-amzn-errortype", self.error_type());
        res
    }
}

/// `X-Amz-Invocation-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

impl InvocationType {
    fn of(header: Option<&HeaderValue>) -> Result<Self, InvokeError> {
        match header.map(HeaderValue::to_str) {
            None => Ok(Self::RequestResponse),
            Some(Ok("RequestResponse")) => Ok(Self::RequestResponse),
            Some(Ok("Event")) => Ok(Self::Event),
            Some(Ok("DryRun")) => Ok(Self::DryRun),
            Some(_) => Err(InvokeError::InvocationType),
        }
    }

    /// Lambda's payload limit for the type, and its answer past it.
    fn limit(self) -> (usize, InvokeError) {
        match self {
            Self::Event => (MAX_EVENT_PAYLOAD, InvokeError::EventTooLarge),
            Self::RequestResponse | Self::DryRun => (MAX_PAYLOAD, InvokeError::TooLarge),
        }
    }
}

/// Why a request body was not read.
enum BodyError {
    TooLarge,
    Unreadable,
}

/// A request body, read through `limit`: a declared length past it is refused before a byte is
/// read, and a body without one (chunked) is read up to it and no further.
async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Unreadable),
    }
}

/// What one server answers with: the invoker, and the slots of the `Event` invocations running.
pub struct Endpoint<I> {
    invoker: Arc<I>,
    events: Arc<Semaphore>,
}

impl<I: Invoker> Endpoint<I> {
    pub fn new(invoker: Arc<I>) -> Self {
        Self {
            invoker,
            events: Arc::new(Semaphore::new(MAX_EVENTS_IN_FLIGHT)),
        }
    }

    /// Answers one HTTP request. Never fails: every problem is an HTTP answer.
    pub async fn answer<B>(&self, req: Request<B>) -> HttpResponse
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if req.uri().path().starts_with("/v1/") {
            return api_answer(self.invoker.as_ref(), req).await;
        }
        self.invoke(req).await.unwrap_or_else(|e| e.response())
    }

    async fn invoke<B>(&self, req: Request<B>) -> Result<HttpResponse, InvokeError>
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let function_name =
            function_name_of(req.uri().path()).ok_or(InvokeError::UnknownOperation)?;
        if req.method() != Method::POST {
            return Err(InvokeError::NotPost);
        }
        let function = Function::from_function_name(&function_name)
            .ok_or(InvokeError::FunctionNotFound(function_name))?;
        // The type first: it sets the payload limit.
        let invocation_type = InvocationType::of(req.headers().get("x-amz-invocation-type"))?;
        let (limit, too_large) = invocation_type.limit();
        let body = read_body(req.into_body(), limit)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge => too_large,
                BodyError::Unreadable => InvokeError::Unreadable,
            })?;
        let event: Value = serde_json::from_slice(&body).map_err(|_| InvokeError::NotJson)?;
        Ok(match invocation_type {
            InvocationType::RequestResponse => run(self.invoker.as_ref(), function, event).await,
            InvocationType::DryRun => empty(StatusCode::NO_CONTENT),
            InvocationType::Event => {
                // Asynchronous invocation: Lambda queues the event and answers 202 at once.
                let slot = self
                    .events
                    .clone()
                    .try_acquire_owned()
                    .map_err(|_| InvokeError::Throttled)?;
                let invoker = self.invoker.clone();
                tokio::spawn(async move {
                    run(invoker.as_ref(), function, event).await;
                    drop(slot);
                });
                empty(StatusCode::ACCEPTED)
            }
        })
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

/// Answers one request of the HTTP API of docs/api.md, with the CORS headers a browser app on
/// another local port needs (deployed, API Gateway adds the configured ones).
async fn api_answer<I, B>(invoker: &I, req: Request<B>) -> HttpResponse
where
    I: Invoker,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    if req.method() == Method::OPTIONS {
        let mut res = empty(StatusCode::NO_CONTENT);
        cors(&mut res);
        return res;
    }
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header(hyper::header::AUTHORIZATION);
    let accept_language = header(hyper::header::ACCEPT_LANGUAGE);
    let answer = match read_body(req.into_body(), shared::api::router::MAX_BODY).await {
        Ok(body) => {
            invoker
                .http_api(ApiCall {
                    method: method.clone(),
                    path: path.clone(),
                    authorization,
                    accept_language,
                    body,
                })
                .await
        }
        Err(_) => {
            let locale = accept_language
                .as_deref()
                .and_then(shared::messages::Locale::negotiate)
                .unwrap_or_default();
            shared::api::ApiResponse::error(&shared::api::ApiError::TooLarge, locale)
        }
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
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Semaphore;

    /// An invoker whose invocations wait until the test opens the gate.
    struct Gated {
        gate: Semaphore,
        finished: AtomicUsize,
    }

    impl Gated {
        fn closed() -> Self {
            Self {
                gate: Semaphore::new(0),
                finished: AtomicUsize::new(0),
            }
        }
    }

    impl Invoker for Gated {
        async fn invoke(&self, _function: Function, _event: Value) -> Invocation {
            if let Ok(permit) = self.gate.acquire().await {
                permit.forget();
            }
            self.finished.fetch_add(1, Ordering::SeqCst);
            Invocation {
                outcome: "ok",
                result: Ok(json!({})),
            }
        }
    }

    fn event_invocation() -> Request<Full<Bytes>> {
        Request::post("/2015-03-31/functions/post-confirmation/invocations")
            .header("x-amz-invocation-type", "Event")
            .body(Full::new(Bytes::from_static(b"{}")))
            .unwrap()
    }

    async fn json_of(res: HttpResponse) -> Value {
        let body = res.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&body).unwrap()
    }

    #[tokio::test]
    async fn event_invocations_past_the_bound_are_throttled_until_some_end() {
        let invoker = Arc::new(Gated::closed());
        let endpoint = Endpoint::new(invoker.clone());
        for n in 0..MAX_EVENTS_IN_FLIGHT {
            let res = endpoint.answer(event_invocation()).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED, "event {n}");
        }
        // Every slot is taken: Lambda's throttle answer, nothing queued.
        let res = endpoint.answer(event_invocation()).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            res.headers()["x-amzn-errortype"],
            "TooManyRequestsException"
        );
        assert_eq!(res.headers()["retry-after"], "1");
        let body = json_of(res).await;
        assert_eq!(body["Type"], "User");
        assert_eq!(body["Reason"], "ConcurrentInvocationLimitExceeded");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("Rate Exceeded"));

        // As invocations end, their slots come back.
        invoker.gate.add_permits(MAX_EVENTS_IN_FLIGHT);
        while invoker.finished.load(Ordering::SeqCst) < MAX_EVENTS_IN_FLIGHT {
            tokio::task::yield_now().await;
        }
        let res = endpoint.answer(event_invocation()).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert_eq!(
            invoker.finished.load(Ordering::SeqCst),
            MAX_EVENTS_IN_FLIGHT,
            "the throttled event never ran"
        );
    }

    #[tokio::test]
    async fn the_http_api_keeps_its_own_4_kib_cap() {
        let endpoint = Endpoint::new(Arc::new(Gated::closed()));
        let put = |len: usize| {
            Request::put("/v1/me/username")
                .body(Full::new(Bytes::from(vec![b' '; len])))
                .unwrap()
        };
        let res = endpoint
            .answer(put(shared::api::router::MAX_BODY + 1))
            .await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(json_of(res).await["code"], "body_too_large");
        // At the cap the request reaches the routes (which this invoker has none of).
        let res = endpoint.answer(put(shared::api::router::MAX_BODY)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn every_invoke_error_is_answered_in_lambdas_shape() {
        let errors = [
            InvokeError::UnknownOperation,
            InvokeError::NotPost,
            InvokeError::FunctionNotFound("send-email".into()),
            InvokeError::InvocationType,
            InvokeError::Unreadable,
            InvokeError::NotJson,
            InvokeError::TooLarge,
            InvokeError::EventTooLarge,
            InvokeError::Throttled,
        ];
        for error in errors {
            let res = error.response();
            assert!(res.status().is_client_error(), "{error:?}");
            let error_type = res.headers()["x-amzn-errortype"].to_str().unwrap();
            assert!(error_type.ends_with("Exception"), "{error:?}");
            let body = json_of(res).await;
            assert_eq!(body["Type"], "User");
            let message = body["message"].as_str().unwrap();
            assert!(message.ends_with('.'), "{message}");
        }
    }

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
