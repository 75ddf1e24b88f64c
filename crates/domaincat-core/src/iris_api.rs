//! The DomainTools Iris Investigate API (`/v1/iris-investigate/`): a query and the
//! analyst's credentials to a signed form body, and a response to a typed page of
//! records or a typed error.
//!
//! The page calls the API straight from the browser, so the body is a plain
//! `application/x-www-form-urlencoded` POST with no custom headers: a CORS simple
//! request, which needs no preflight. Authentication is DomainTools' HMAC scheme as its
//! python_api client implements it: `signature` is the lowercase hex HMAC-SHA256, keyed
//! with the API key, of `api_username + timestamp + path`. The key itself is never part
//! of a request.
//!
//! This module has no clock and no network: callers pass the time in seconds since the
//! Unix epoch and the HTTP status and body they received.

use std::fmt;

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Path of the Iris Investigate endpoint. The signature covers exactly this text, even
/// when the request goes through a proxy under another path.
pub const API_PATH: &str = "/v1/iris-investigate/";

/// Base URL of the public DomainTools API.
pub const DEFAULT_BASE_URL: &str = "https://api.domaintools.com";

/// Rate-limit retries after the first attempt, before the error is shown.
pub const MAX_RATE_LIMIT_RETRIES: u32 = 3;

/// Waits before each rate-limit retry, in seconds, when the server sends no usable
/// `Retry-After`. DomainTools documents no value, so these are a guess that spreads three
/// tries over about a minute and a half.
const DEFAULT_RETRY_DELAYS: [u32; MAX_RATE_LIMIT_RETRIES as usize] = [10, 30, 60];

/// Upper bound on a server's `Retry-After`, in seconds, so a bad value cannot leave the
/// page waiting for hours.
const MAX_RETRY_AFTER: u32 = 300;

/// An API username and key. `Debug` omits the key so that it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("key", &"<hidden>")
            .finish()
    }
}

/// Search criteria of one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// At most 100 ASCII domain names (see `domain_list`).
    Domains(Vec<String>),
    /// A search hash copied from the Iris UI; an opaque token.
    SearchHash(String),
}

/// Problems with a base URL setting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    #[error("the API base URL is empty")]
    Empty,
    #[error("the API base URL {0:?} must start with https:// or http://")]
    Scheme(String),
    #[error("the API base URL {0:?} must not contain a query (?) or fragment (#)")]
    QueryOrFragment(String),
    #[error("the API base URL {0:?} has no host name")]
    NoHost(String),
}

/// Builds the endpoint URL from a base URL setting: the base without trailing slashes,
/// followed by [`API_PATH`]. A base with a path, such as an organisation's proxy at
/// `https://proxy.example.org/domaintools`, keeps that path in front.
pub fn endpoint_url(base: &str) -> Result<String, BaseUrlError> {
    let base = base.trim();
    if base.is_empty() {
        return Err(BaseUrlError::Empty);
    }
    let lower = base.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &base[8..]
    } else if lower.starts_with("http://") {
        &base[7..]
    } else {
        return Err(BaseUrlError::Scheme(base.to_string()));
    };
    if base.contains(['?', '#']) {
        return Err(BaseUrlError::QueryOrFragment(base.to_string()));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(BaseUrlError::NoHost(base.to_string()));
    }
    // Analysts often paste the whole endpoint; its path must not be appended twice.
    let base = base.trim_end_matches('/');
    let path = API_PATH.trim_end_matches('/');
    let base = match base.len().checked_sub(path.len()) {
        Some(cut) if base.is_char_boundary(cut) && base[cut..].eq_ignore_ascii_case(path) => {
            &base[..cut]
        }
        _ => base,
    };
    Ok(format!("{base}{API_PATH}"))
}

/// Formats seconds since the Unix epoch as the API's UTC timestamp,
/// `%Y-%m-%dT%H:%M:%SZ`.
pub fn format_timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day), with
/// Howard Hinnant's `civil_from_days` algorithm: 400-year eras of 146,097 days, with
/// years that start on 1 March so that the leap day falls at the end.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Computes the request signature: lowercase hex HMAC-SHA256 of
/// `username + timestamp + path`, keyed with the API key.
pub fn sign(credentials: &Credentials, timestamp: &str, path: &str) -> String {
    // HMAC accepts keys of any length, so this constructor cannot fail; the fallback
    // only keeps the function total.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(credentials.key.as_bytes()) else {
        return String::new();
    };
    mac.update(credentials.username.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(path.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Builds the signed form body of one request. `position` is the token of the previous
/// page when following `has_more_results`.
pub fn form_body(
    query: &Query,
    credentials: &Credentials,
    unix_seconds: i64,
    position: Option<&str>,
) -> String {
    let timestamp = format_timestamp(unix_seconds);
    let signature = sign(credentials, &timestamp, API_PATH);
    let mut fields: Vec<(&str, String)> = vec![
        ("api_username", credentials.username.clone()),
        ("timestamp", timestamp),
        ("signature", signature),
    ];
    match query {
        Query::Domains(domains) => fields.push(("domain", domains.join(","))),
        Query::SearchHash(hash) => fields.push(("search_hash", hash.clone())),
    }
    if let Some(position) = position {
        fields.push(("position", position.to_string()));
    }
    let pairs: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value)))
        .collect();
    pairs.join("&")
}

/// Percent-encodes text as the WHATWG URL standard's `application/x-www-form-urlencoded`
/// serializer does: ASCII letters, digits and `*-._` stay, a space becomes `+`, and every
/// other UTF-8 byte becomes `%XX`.
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push_str(&hex(&[byte]).to_ascii_uppercase());
            }
        }
    }
    out
}

/// One page of results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Domain records as the API sent them; the page scores them like an export.
    pub records: Vec<Value>,
    /// Whether another page follows; send the same query again with `position`.
    pub has_more_results: bool,
    /// Token for the next page, present when `has_more_results` is true.
    pub position: Option<String>,
    /// Requested domains that Iris has no record for.
    pub missing_domains: Vec<String>,
    pub results_count: Option<u64>,
    pub total_count: Option<u64>,
    pub message: Option<String>,
}

/// Failures of one request, by what the analyst can do about them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// HTTP 401 or 403: unknown username, wrong key, or an account without Iris
    /// Investigate access.
    #[error("credentials rejected (HTTP {status}){}", detail(message))]
    Credentials {
        status: u16,
        message: Option<String>,
    },
    /// HTTP 503 (DomainTools' quota and rate-limit status) or 429.
    #[error("quota or rate limit reached (HTTP {status}){}", detail(message))]
    RateLimited {
        status: u16,
        message: Option<String>,
    },
    /// The search matched more domains than the API returns.
    #[error("too many matching domains{}", detail(message))]
    LimitExceeded { message: Option<String> },
    /// Any other HTTP error status.
    #[error("HTTP {status}{}", detail(message))]
    Http {
        status: u16,
        message: Option<String>,
    },
    /// A body that is not the JSON the API documents.
    #[error("unreadable response (HTTP {status}): {detail}")]
    UnreadableBody { status: u16, detail: String },
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(message) => format!(": {message}"),
        None => String::new(),
    }
}

impl ApiError {
    /// Returns whether waiting and sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::RateLimited { .. })
    }
}

/// Characters of a non-JSON error body kept for a message, so that an HTML error page
/// from a proxy does not flood the screen.
const MAX_TEXT_DETAIL: usize = 200;

/// Reads a response: a page for a 2xx status with a usable body, a typed error
/// otherwise.
pub fn parse_response(status: u16, body: &[u8]) -> Result<Page, ApiError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let message = json
        .as_ref()
        .and_then(error_message)
        .or_else(|| text_snippet(body));
    match status {
        200..=299 => {}
        401 | 403 => return Err(ApiError::Credentials { status, message }),
        429 | 503 => return Err(ApiError::RateLimited { status, message }),
        _ => return Err(ApiError::Http { status, message }),
    }

    let json = match json {
        Some(json) => json,
        None => {
            let detail = match serde_json::from_slice::<Value>(body) {
                Err(err) if body.is_empty() => format!("empty body ({err})"),
                Err(err) => format!("not JSON ({err})"),
                Ok(_) => "not JSON".to_string(),
            };
            return Err(ApiError::UnreadableBody { status, detail });
        }
    };
    let unreadable = |detail: &str| ApiError::UnreadableBody {
        status,
        detail: detail.to_string(),
    };
    let Some(response) = json.get("response").and_then(Value::as_object) else {
        return match json.get("error") {
            Some(_) => Err(ApiError::Http {
                status,
                message: error_message(&json),
            }),
            None => Err(unreadable("no \"response\" object")),
        };
    };
    if response.get("limit_exceeded").and_then(Value::as_bool) == Some(true) {
        return Err(ApiError::LimitExceeded {
            message: error_message(&json),
        });
    }
    if json.get("error").is_some() || response.get("error").is_some() {
        return Err(ApiError::Http {
            status,
            message: error_message(&json),
        });
    }

    let records = match response.get("results") {
        Some(Value::Array(records)) => records.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(unreadable("\"results\" is not a list")),
    };
    let has_more_results = response
        .get("has_more_results")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let position = match response.get("position") {
        Some(Value::String(token)) if !token.is_empty() => Some(token.clone()),
        _ => None,
    };
    if has_more_results && position.is_none() {
        return Err(unreadable(
            "\"has_more_results\" is true but there is no \"position\"",
        ));
    }
    Ok(Page {
        records,
        has_more_results,
        position,
        missing_domains: string_list(response, "missing_domains"),
        results_count: response.get("results_count").and_then(Value::as_u64),
        total_count: response.get("total_count").and_then(Value::as_u64),
        message: response
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// Finds the API's error text: `error.message` at the top or inside `response`, else
/// `response.message`.
fn error_message(json: &Value) -> Option<String> {
    let response = json.get("response");
    [json.get("error"), response.and_then(|r| r.get("error"))]
        .into_iter()
        .flatten()
        .find_map(|error| match error {
            Value::String(text) => Some(text.clone()),
            other => other
                .get("message")
                .and_then(Value::as_str)
                .map(String::from),
        })
        .or_else(|| {
            response
                .and_then(|r| r.get("message"))
                .and_then(Value::as_str)
                .map(String::from)
        })
        .filter(|text| !text.trim().is_empty())
}

/// Returns the start of a non-JSON body, such as a proxy's plain-text error.
fn text_snippet(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('{') || text.starts_with('<') {
        return None;
    }
    let mut snippet: String = text.chars().take(MAX_TEXT_DETAIL).collect();
    if text.chars().count() > MAX_TEXT_DETAIL {
        snippet.push('…');
    }
    Some(snippet)
}

fn string_list(object: &Map<String, Value>, key: &str) -> Vec<String> {
    match object.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Returns how long to wait before rate-limit retry number `retry` (from 1), or `None`
/// once [`MAX_RATE_LIMIT_RETRIES`] are used up. A `Retry-After` header in seconds wins
/// over the default schedule, capped at five minutes.
// NOTE: the HTTP-date form of Retry-After is not read; the default schedule applies then.
pub fn retry_delay_seconds(retry: u32, retry_after: Option<&str>) -> Option<u32> {
    if retry == 0 || retry > MAX_RATE_LIMIT_RETRIES {
        return None;
    }
    let from_header = retry_after
        .and_then(|value| value.trim().parse::<u32>().ok())
        .map(|seconds| seconds.clamp(1, MAX_RETRY_AFTER));
    let index = usize::try_from(retry - 1).ok()?;
    from_header.or_else(|| DEFAULT_RETRY_DELAYS.get(index).copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credentials() -> Credentials {
        Credentials {
            username: "analyst@example.org".to_string(),
            key: "s3cr3t-API-key".to_string(),
        }
    }

    #[test]
    fn signature_matches_python_hmac() {
        // python3 -c "import hmac, hashlib; print(hmac.new(b's3cr3t-API-key',
        //   b'analyst@example.org2024-03-01T12:34:56Z/v1/iris-investigate/',
        //   hashlib.sha256).hexdigest())"
        assert_eq!(
            sign(&credentials(), "2024-03-01T12:34:56Z", API_PATH),
            "50eec331efe8c5c20c0f83fbe124624efc954f60352d24d94853f5e5576fd0cd"
        );
    }

    #[test]
    fn timestamp_formats_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_583_020_799, "2020-02-29T23:59:59Z"),
            (1_709_296_496, "2024-03-01T12:34:56Z"),
            (4_107_542_399, "2100-02-28T23:59:59Z"),
            (-1, "1969-12-31T23:59:59Z"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(format_timestamp(seconds), expected, "{seconds}");
        }
    }

    #[test]
    fn form_body_signs_and_encodes() {
        let query = Query::Domains(vec!["a.com".to_string(), "b.com".to_string()]);
        let body = form_body(&query, &credentials(), 1_709_296_496, None);
        assert_eq!(
            body,
            "api_username=analyst%40example.org&timestamp=2024-03-01T12%3A34%3A56Z\
             &signature=50eec331efe8c5c20c0f83fbe124624efc954f60352d24d94853f5e5576fd0cd\
             &domain=a.com%2Cb.com"
        );
        assert!(!body.contains("s3cr3t"));
    }

    #[test]
    fn form_body_with_hash_and_position() {
        let query = Query::SearchHash("U2FsdGVk/X1+ab==".to_string());
        let body = form_body(&query, &credentials(), 0, Some("next page"));
        assert!(body.ends_with("&search_hash=U2FsdGVk%2FX1%2Bab%3D%3D&position=next+page"));
        assert!(!body.contains("domain="));
    }

    #[test]
    fn form_encode_matches_python_urlencode() {
        // urllib.parse.urlencode({'v': 'x y+z@é&='}) == 'v=x+y%2Bz%40%C3%A9%26%3D'
        assert_eq!(form_encode("x y+z@é&="), "x+y%2Bz%40%C3%A9%26%3D");
        assert_eq!(form_encode("Az09*-._~"), "Az09*-._%7E");
    }

    #[test]
    fn credentials_debug_hides_key() {
        let text = format!("{:?}", credentials());
        assert!(text.contains("analyst@example.org"));
        assert!(!text.contains("s3cr3t"));
    }

    #[test]
    fn endpoint_url_appends_path() {
        assert_eq!(
            endpoint_url(DEFAULT_BASE_URL).as_deref(),
            Ok("https://api.domaintools.com/v1/iris-investigate/")
        );
        assert_eq!(
            endpoint_url(" https://proxy.example.org/dt/ ").as_deref(),
            Ok("https://proxy.example.org/dt/v1/iris-investigate/")
        );
        assert_eq!(
            endpoint_url("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080/v1/iris-investigate/")
        );
    }

    #[test]
    fn endpoint_url_accepts_full_endpoint() {
        for base in [
            "https://api.domaintools.com/v1/iris-investigate/",
            "https://api.domaintools.com/v1/iris-investigate",
            "https://api.domaintools.com/V1/Iris-Investigate/",
        ] {
            assert_eq!(
                endpoint_url(base).as_deref(),
                Ok("https://api.domaintools.com/v1/iris-investigate/"),
                "{base}"
            );
        }
    }

    #[test]
    fn endpoint_url_rejects_bad_bases() {
        assert_eq!(endpoint_url("  "), Err(BaseUrlError::Empty));
        assert!(matches!(
            endpoint_url("api.domaintools.com"),
            Err(BaseUrlError::Scheme(_))
        ));
        assert!(matches!(
            endpoint_url("https://x.org/?a=1"),
            Err(BaseUrlError::QueryOrFragment(_))
        ));
        assert!(matches!(
            endpoint_url("https:///path"),
            Err(BaseUrlError::NoHost(_))
        ));
    }

    fn body(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap_or_default()
    }

    #[test]
    fn parses_page_with_more_results() {
        let page = parse_response(
            200,
            &body(json!({"response": {
                "limit_exceeded": false,
                "has_more_results": true,
                "message": "Enjoy your data.",
                "results_count": 2,
                "total_count": 700,
                "position": "abc123",
                "missing_domains": ["gone.com"],
                "results": [{"domain": "a.com"}, {"domain": "b.com"}]
            }})),
        );
        let page = page.expect("a page");
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.records[1]["domain"], "b.com");
        assert!(page.has_more_results);
        assert_eq!(page.position.as_deref(), Some("abc123"));
        assert_eq!(page.missing_domains, ["gone.com"]);
        assert_eq!(page.results_count, Some(2));
        assert_eq!(page.total_count, Some(700));
        assert_eq!(page.message.as_deref(), Some("Enjoy your data."));
    }

    #[test]
    fn parses_last_page() {
        let page = parse_response(
            200,
            &body(json!({"response": {
                "has_more_results": false, "position": null, "results": []
            }})),
        )
        .expect("a page");
        assert!(!page.has_more_results);
        assert_eq!(page.position, None);
        assert!(page.records.is_empty());
    }

    #[test]
    fn more_results_without_position_is_unreadable() {
        let result = parse_response(
            200,
            &body(json!({"response": {"has_more_results": true, "results": []}})),
        );
        assert!(matches!(
            result,
            Err(ApiError::UnreadableBody { status: 200, .. })
        ));
    }

    #[test]
    fn limit_exceeded_is_typed() {
        let result = parse_response(
            200,
            &body(json!({
                "response": {"limit_exceeded": true, "message": "narrow it"},
                "error": {"code": 206, "message": "Maximum 5000 results exceeded"}
            })),
        );
        assert_eq!(
            result,
            Err(ApiError::LimitExceeded {
                message: Some("Maximum 5000 results exceeded".to_string())
            })
        );
    }

    #[test]
    fn credentials_errors_are_typed() {
        for status in [401, 403] {
            let result = parse_response(
                status,
                &body(json!({"error": {"code": status, "message": "Authentication failed"}})),
            );
            assert_eq!(
                result,
                Err(ApiError::Credentials {
                    status,
                    message: Some("Authentication failed".to_string())
                })
            );
        }
    }

    #[test]
    fn rate_limit_is_retryable() {
        let result = parse_response(
            503,
            &body(json!({"error": {"code": 503, "message": "Query limit exceeded"}})),
        );
        let err = result.expect_err("an error");
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            "quota or rate limit reached (HTTP 503): Query limit exceeded"
        );
    }

    #[test]
    fn other_status_keeps_message() {
        let result = parse_response(
            400,
            &body(json!({"error": {"code": 400, "message": "Invalid domain"}})),
        );
        assert_eq!(
            result,
            Err(ApiError::Http {
                status: 400,
                message: Some("Invalid domain".to_string())
            })
        );
        let result = parse_response(502, b"Bad gateway from proxy");
        assert_eq!(
            result,
            Err(ApiError::Http {
                status: 502,
                message: Some("Bad gateway from proxy".to_string())
            })
        );
        let result = parse_response(500, b"<html><body>oops</body></html>");
        assert_eq!(
            result,
            Err(ApiError::Http {
                status: 500,
                message: None
            })
        );
    }

    #[test]
    fn unreadable_bodies_are_typed() {
        for bad in [
            &b""[..],
            b"not json",
            b"[1, 2]",
            b"{\"response\": {\"results\": 5}}",
        ] {
            let result = parse_response(200, bad);
            assert!(
                matches!(result, Err(ApiError::UnreadableBody { status: 200, .. })),
                "{:?}: {result:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn error_in_200_body_is_http_error() {
        let result = parse_response(200, &body(json!({"error": {"message": "strange"}})));
        assert_eq!(
            result,
            Err(ApiError::Http {
                status: 200,
                message: Some("strange".to_string())
            })
        );
    }

    #[test]
    fn retry_delays_are_bounded() {
        assert_eq!(retry_delay_seconds(1, None), Some(10));
        assert_eq!(retry_delay_seconds(2, None), Some(30));
        assert_eq!(retry_delay_seconds(3, None), Some(60));
        assert_eq!(retry_delay_seconds(4, None), None);
        assert_eq!(retry_delay_seconds(0, None), None);
        assert_eq!(retry_delay_seconds(1, Some("2")), Some(2));
        assert_eq!(retry_delay_seconds(1, Some("0")), Some(1));
        assert_eq!(retry_delay_seconds(2, Some("86400")), Some(300));
        assert_eq!(
            retry_delay_seconds(1, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(10)
        );
        assert_eq!(retry_delay_seconds(4, Some("2")), None);
    }
}
