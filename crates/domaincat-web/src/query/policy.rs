//! Requests that the page's Content Security Policy blocked.
//!
//! A request that `connect-src` does not allow fails with the same bare `TypeError` as a
//! network failure. The browser also fires a `securitypolicyviolation` event at the
//! document, which names the blocked URL and the policy. This module records those
//! events, so that the dialog can name the policy instead of the network.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Event, Url};

/// An origin that `connect-src` blocked.
#[derive(Debug, Clone)]
pub(super) struct BlockedOrigin {
    pub origin: String,
    /// The sources of the policy's `connect-src` (or `default-src`), as written there.
    pub allowed: String,
}

thread_local! {
    static BLOCKED: RefCell<Vec<BlockedOrigin>> = const { RefCell::new(Vec::new()) };
}

/// Records every `connect-src` violation of the page from now on.
pub(super) fn watch(document: &Document) -> Result<(), String> {
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut(Event)>::new(record);
    document
        .add_event_listener_with_callback(
            "securitypolicyviolation",
            closure.as_ref().unchecked_ref(),
        )
        .map_err(|err| format!("could not listen to securitypolicyviolation: {err:?}"))?;
    closure.forget();
    Ok(())
}

/// Returns the recorded violation for the origin of `url`, if the policy blocked it.
/// A policy cannot change while the page is loaded, so a blocked origin stays blocked.
pub(super) fn blocked(url: &str) -> Option<BlockedOrigin> {
    let origin = origin_of(url)?;
    BLOCKED.with(|blocked| {
        blocked
            .borrow()
            .iter()
            .find(|entry| entry.origin == origin)
            .cloned()
    })
}

fn record(event: Event) {
    let field = |name: &str| {
        js_sys::Reflect::get(&event, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    if field("effectiveDirective") != "connect-src" {
        return;
    }
    let blocked_uri = field("blockedURI");
    let Some(origin) = origin_of(&blocked_uri) else {
        return;
    };
    let allowed = directive_sources(&field("originalPolicy"));
    log::warn!(
        "the Content Security Policy blocked a request to {blocked_uri} (connect-src {allowed})"
    );
    BLOCKED.with(|blocked| {
        let mut blocked = blocked.borrow_mut();
        if !blocked.iter().any(|entry| entry.origin == origin) {
            blocked.push(BlockedOrigin { origin, allowed });
        }
    });
}

fn origin_of(url: &str) -> Option<String> {
    Url::new(url).ok().map(|url| url.origin())
}

/// Returns the source list of `connect-src` in a serialized policy, or of `default-src`
/// when the policy has no `connect-src`.
fn directive_sources(policy: &str) -> String {
    let sources_of = |name: &str| {
        policy.split(';').find_map(|directive| {
            let mut words = directive.split_whitespace();
            let directive_name = words.next()?;
            directive_name
                .eq_ignore_ascii_case(name)
                .then(|| words.collect::<Vec<_>>().join(" "))
        })
    };
    sources_of("connect-src")
        .or_else(|| sources_of("default-src"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::directive_sources;

    #[test]
    fn connect_src_sources_are_read() {
        let policy =
            "default-src 'none'; connect-src 'self' https://api.domaintools.com; base-uri 'none'";
        assert_eq!(
            directive_sources(policy),
            "'self' https://api.domaintools.com"
        );
    }

    #[test]
    fn default_src_is_the_fallback() {
        assert_eq!(
            directive_sources("default-src 'self'; img-src data:"),
            "'self'"
        );
    }

    #[test]
    fn missing_directives_give_empty_text() {
        assert_eq!(directive_sources("img-src data:"), "");
    }
}
