//! The API's route table, shared by the Lambda function and `usernames serve`: a request (method,
//! path, the caller's verified `sub`, body bytes) in, a status, headers and a JSON body out.
//! Never fails and never panics: every problem is an answer with a `{"code","message"}` body.

use super::{ApiError, AttributeMirror, Caller};
use crate::api::Api;
use crate::messages::Locale;
use crate::registry::Registry;
use serde_json::{json, Value};

/// The largest body a rename takes: a name is at most 64 code points, so 4 KiB is plenty.
pub const MAX_BODY: usize = 4096;

const NAMES: &str = "/v1/usernames/";
const ME: &str = "/v1/me/username";
/// The API's OpenAPI document.
pub const OPENAPI: &str = "/v1/openapi.json";

/// One request, as the edge (API Gateway or `serve`) hands it over after checking the token.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiRequest<'a> {
    pub method: &'a str,
    /// The path, still percent-encoded, without the query string.
    pub path: &'a str,
    /// The verified caller; `None` when the request carried no valid token.
    pub caller: Option<&'a Caller>,
    pub body: &'a [u8],
    /// The `Accept-Language` header, which chooses the sentences' language.
    pub accept_language: Option<&'a str>,
}

/// One answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    /// Besides `Content-Type: application/json`, which every answer has.
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
    /// The outcome for the request's log line: `available`, `renamed`, or the error's code.
    pub outcome: &'static str,
}

impl ApiResponse {
    fn ok(body: Value, outcome: &'static str) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body,
            outcome,
        }
    }

    /// The answer to a failed request, in `locale` (also for an edge that refuses a request
    /// before routing it): `{"code", "message"}`, and the names to offer instead where there
    /// are (`suggestion` for `not_display_form`, `suggestions` for `name_taken`).
    pub fn error(e: &ApiError, locale: Locale) -> Self {
        let mut headers = vec![("content-language", locale.tag().to_owned())];
        match e {
            ApiError::Cooldown { retry_after } => {
                headers.push(("retry-after", retry_after.to_string()))
            }
            ApiError::MethodNotAllowed { allow } => headers.push(("allow", (*allow).to_string())),
            ApiError::Registry(source) => {
                // Operators see what failed; callers only the sentence.
                tracing::warn!(error = %source, "registry unavailable");
            }
            _ => {}
        }
        let mut body = json!({"code": e.code(), "message": e.sentence(locale)});
        match e {
            ApiError::Policy(violation) if violation.suggestion().is_some() => {
                body["suggestion"] = json!(violation.suggestion());
            }
            ApiError::NameTaken { suggestions } => body["suggestions"] = json!(suggestions),
            _ => {}
        }
        Self {
            status: e.status(),
            headers,
            body,
            outcome: e.code(),
        }
    }
}

/// Answers one request, in the language its `Accept-Language` asks for (else the default).
pub async fn route<R: Registry, M: AttributeMirror>(
    api: &Api<R, M>,
    req: ApiRequest<'_>,
) -> ApiResponse {
    let locale = api.locale(req.accept_language);
    match answer(api, req, locale).await {
        Ok(mut res) => {
            res.headers
                .push(("content-language", locale.tag().to_owned()));
            res
        }
        Err(e) => ApiResponse::error(&e, locale),
    }
}

async fn answer<R: Registry, M: AttributeMirror>(
    api: &Api<R, M>,
    req: ApiRequest<'_>,
    locale: Locale,
) -> Result<ApiResponse, ApiError> {
    let path = req.path.split('?').next().unwrap_or_default();
    if path == OPENAPI {
        if !matches!(req.method, "GET" | "HEAD") {
            return Err(ApiError::MethodNotAllowed { allow: "GET" });
        }
        return Ok(ApiResponse::ok(super::openapi::document(), "openapi"));
    }
    if let Some(encoded) = path.strip_prefix(NAMES) {
        if encoded.contains('/') {
            return Err(ApiError::NotFound);
        }
        if !matches!(req.method, "GET" | "HEAD") {
            return Err(ApiError::MethodNotAllowed { allow: "GET" });
        }
        let name = percent_decode(encoded).ok_or(ApiError::BadNameEncoding)?;
        let availability = api.availability(&name, locale).await?;
        let outcome = if availability.available {
            "available"
        } else {
            availability.code.unwrap_or("unavailable")
        };
        return Ok(ApiResponse::ok(json!(availability), outcome));
    }
    if path == ME || path == "/v1/me/username/" {
        let method = req.method;
        if !matches!(method, "PUT" | "DELETE") {
            return Err(ApiError::MethodNotAllowed {
                allow: "PUT, DELETE",
            });
        }
        let caller = req.caller.ok_or(ApiError::Unauthorized)?;
        // Before the body: where names cannot change, no body makes a difference.
        api.names_are_mutable()?;
        if method == "DELETE" {
            let released = api.release(caller).await?;
            return Ok(ApiResponse::ok(json!(released), "released"));
        }
        let raw = requested_name(req.body)?;
        let renamed = api.rename(caller, &raw).await?;
        return Ok(ApiResponse::ok(json!(renamed), "renamed"));
    }
    Err(ApiError::NotFound)
}

/// The `username` of a rename's body `{"username": …}`.
fn requested_name(body: &[u8]) -> Result<String, ApiError> {
    if body.len() > MAX_BODY {
        return Err(ApiError::TooLarge);
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| ApiError::BadRequest)?;
    match value.get("username") {
        Some(Value::String(name)) => Ok(name.clone()),
        _ => Err(ApiError::BadRequest),
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8. A `+` stays a
/// `+`: paths are not form data.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_broken_ones_are_refused() {
        assert_eq!(percent_decode("J%C3%BCrgen").as_deref(), Some("Jürgen"));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        for broken in ["%", "%z1", "%C3", "%+1", "%é"] {
            assert_eq!(percent_decode(broken), None, "{broken}");
        }
    }

    #[test]
    fn bodies_need_a_username_string() {
        assert_eq!(
            requested_name(br#"{"username":"alice","x":1}"#).unwrap(),
            "alice"
        );
        for bad in [
            &b""[..],
            b"null",
            b"[]",
            b"{\"username\":1}",
            b"{\"name\":\"a\"}",
        ] {
            assert_eq!(requested_name(bad).unwrap_err().code(), "bad_request");
        }
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(requested_name(&big).unwrap_err().status(), 413);
    }
}
