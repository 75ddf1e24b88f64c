//! The browser side of one Iris request: a signed form body to a parsed page, with
//! fetch failures sorted into what the analyst can act on.
//!
//! `fetch` rejects with the same bare `TypeError` for a refused connection and for a
//! response that CORS blocked, so a failed request is followed by a `no-cors` probe of
//! the same URL. The probe resolves with an opaque response whenever the server responds
//! at all. In that case the browser withheld the first response for lack of CORS
//! headers. When the probe fails too, the server was not reached. A request that the
//! page's Content Security Policy blocked fails the same way, and `policy` detects it.

use gloo_net::http::Request;
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, BlobPropertyBag, HtmlAnchorElement, RequestMode, Url};

use domaincat_core::iris_api::{self, ApiError, Page};

use super::policy::{self, BlockedOrigin};

/// Failure of one request, sorted by what the analyst can do about it.
#[derive(Debug)]
pub(super) enum Failure {
    /// The API returned an error.
    Api {
        error: ApiError,
        /// The `Retry-After` header, when CORS lets the page read it.
        retry_after: Option<String>,
    },
    /// The analyst pressed Cancel.
    Aborted,
    /// The server responded, but the browser blocked the response (no CORS headers for
    /// this origin).
    Cors,
    /// The page's Content Security Policy does not allow requests to this origin, so the
    /// browser did not send the request.
    BlockedByPolicy(BlockedOrigin),
    /// No response: the server is down or unreachable, or the connection was cut.
    Network { detail: String },
    /// The request could not even be built, such as for a URL the browser rejects.
    Invalid { detail: String },
}

/// Sends one signed request and reads the page it returns.
pub(super) async fn fetch_page(
    endpoint: &str,
    body: String,
    signal: &AbortSignal,
) -> Result<Page, Failure> {
    // The form content type is one of the three that CORS lets through without a
    // preflight, and no other header is set.
    let request = Request::post(endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .abort_signal(Some(signal))
        .body(body)
        .map_err(|err| Failure::Invalid {
            detail: err.to_string(),
        })?;
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => return Err(classify_send_error(endpoint, err, signal).await),
    };
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let bytes = match response.binary().await {
        Ok(bytes) => bytes,
        Err(err) if signal.aborted() => {
            log::info!("reading the Iris response stopped by cancel: {err}");
            return Err(Failure::Aborted);
        }
        Err(err) => {
            return Err(Failure::Network {
                detail: format!("the connection closed while reading the response: {err}"),
            })
        }
    };
    iris_api::parse_response(status, &bytes).map_err(|error| Failure::Api { error, retry_after })
}

async fn classify_send_error(
    endpoint: &str,
    err: gloo_net::Error,
    signal: &AbortSignal,
) -> Failure {
    if signal.aborted() {
        return Failure::Aborted;
    }
    let gloo_net::Error::JsError(js_error) = err else {
        return Failure::Invalid {
            detail: err.to_string(),
        };
    };
    if js_error.name != "TypeError" {
        return Failure::Network {
            detail: format!("{}: {}", js_error.name, js_error.message),
        };
    }
    let detail = js_error.message;
    // The securitypolicyviolation event is dispatched in a task of its own, which may
    // run after the fetch rejects, so the policy is checked after one turn of the event
    // loop and again after the probe.
    sleep(0).await;
    if let Some(blocked) = policy::blocked(endpoint) {
        return Failure::BlockedByPolicy(blocked);
    }
    if responds_without_cors(endpoint, signal).await {
        log::info!("{endpoint} responds to a no-cors probe, so \"{detail}\" was a CORS refusal");
        Failure::Cors
    } else if signal.aborted() {
        Failure::Aborted
    } else if let Some(blocked) = policy::blocked(endpoint) {
        Failure::BlockedByPolicy(blocked)
    } else {
        Failure::Network { detail }
    }
}

/// Returns whether the server at `endpoint` responds to a `no-cors` GET, which carries no
/// credentials and whose opaque response the page cannot read.
async fn responds_without_cors(endpoint: &str, signal: &AbortSignal) -> bool {
    let probe = Request::get(endpoint)
        .mode(RequestMode::NoCors)
        .abort_signal(Some(signal))
        .send()
        .await;
    match probe {
        Ok(_) => true,
        Err(err) => {
            log::info!("no-cors probe of {endpoint} failed too: {err}");
            false
        }
    }
}

/// Waits `milliseconds` on the window's timer.
pub(super) async fn sleep(milliseconds: i32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = Promise::new(&mut |resolve, _reject| {
        if window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds)
            .is_err()
        {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Offers `bytes` as a file download: a Blob, an object URL and a temporary
/// `<a download>` that is clicked and removed.
pub(super) fn download(file_name: &str, mime_type: &str, bytes: &[u8]) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let body = document.body().ok_or("the page has no body")?;

    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|err| format!("could not create the file: {err:?}"))?;
    let url = Url::create_object_url_with_blob(&blob)
        .map_err(|err| format!("could not create a download link: {err:?}"))?;

    let anchor = document
        .create_element("a")
        .map_err(|err| format!("{err:?}"))?
        .dyn_into::<HtmlAnchorElement>()
        .map_err(|_| "could not create a link element".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let result = body
        .append_child(&anchor)
        .map(|_| anchor.click())
        .map_err(|err| format!("could not start the download: {err:?}"));
    anchor.remove();

    // Revoking at once can cancel the download in some browsers, so the URL is released
    // a little later.
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 10_000);
    result
}
