//! The "Query Iris…" dialog: the analyst's credentials and a pasted domain list (or a
//! search hash) become signed Iris Investigate requests, and the merged records become
//! an export that the scoring worker reads like a dropped file.
//!
//! Domains go out in batches of 100, the API's maximum, and every page of a batch or of
//! a search hash is followed through `position`. Records of finished pages are kept when
//! a later request fails or is cancelled, and "Retry remaining" continues from the page
//! that failed. Quota and rate-limit responses (HTTP 503) are retried a few times after a
//! visible countdown.
//!
//! The key is held in memory, sent nowhere and logged nowhere. It is written to
//! `localStorage` only while "Remember on this device" is ticked.

mod policy;
mod storage;
mod transport;
mod view;

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{AbortController, Document};

use domaincat_core::domain_list::{self, MAX_DOMAINS_PER_REQUEST};
use domaincat_core::iris_api::{self, ApiError, Credentials, Query, DEFAULT_BASE_URL};

use transport::Failure;
use view::View;

/// Receives the merged records as a JSON array export: a display name and the bytes.
pub type ResultsSink = Rc<dyn Fn(&str, &[u8])>;

/// One unit of work: a batch of domains or a search hash, and the page to fetch next.
struct Job {
    /// Batch number, from 1.
    batch: usize,
    query: Query,
    /// Token of the next page; `None` for the first page.
    position: Option<String>,
    /// Pages of this job already received.
    pages_done: u32,
}

struct Panel {
    view: View,
    sink: ResultsSink,
    /// Changes on every run, cancel and reset, so that a loop from an older run stops
    /// at its next step.
    generation: u32,
    running: bool,
    credentials: Option<Credentials>,
    endpoint: String,
    jobs: VecDeque<Job>,
    batch_count: usize,
    /// Domains requested, for the name of the export.
    domain_count: usize,
    records: Vec<Value>,
    /// Domains of `records`, so that a record repeated across pages is kept once.
    record_domains: HashSet<String>,
    missing: Vec<String>,
    abort: Option<AbortController>,
}

type Shared = Rc<RefCell<Panel>>;

/// Connects the dialog's controls. `sink` receives the records of a finished query.
pub fn install(document: &Document, sink: ResultsSink) -> Result<(), String> {
    let view = View::find(document)?;
    policy::watch(document)?;
    let panel = Rc::new(RefCell::new(Panel {
        view: view.clone(),
        sink,
        generation: 0,
        running: false,
        credentials: None,
        endpoint: String::new(),
        jobs: VecDeque::new(),
        batch_count: 0,
        domain_count: 0,
        records: Vec::new(),
        record_domains: HashSet::new(),
        missing: Vec::new(),
        abort: None,
    }));

    if let Some(credentials) = storage::remembered_credentials() {
        view.username.set_value(&credentials.username);
        view.key.set_value(&credentials.key);
        view.remember.set_checked(true);
    }
    let base_url = storage::remembered_base_url().unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    view.base_url.set_value(&base_url);
    view.set_saveable(false);

    let dialog = view.dialog.clone();
    listen(&view.open, "click", move |_| {
        if !dialog.open() {
            if let Err(err) = dialog.show_modal() {
                log::error!("could not open the query dialog: {err:?}");
            }
        }
    })?;
    let dialog = view.dialog.clone();
    listen(&view.close, "click", move |_| dialog.close())?;

    // The page's shortcuts (F, Escape) listen on the document; typing in the dialog
    // must not trigger them.
    listen(&view.dialog, "keydown", |event| event.stop_propagation())?;

    let shared = Rc::clone(&panel);
    listen(&view.remember, "change", move |_| {
        on_remember_changed(&shared)
    })?;
    let shared = Rc::clone(&panel);
    listen(&view.forget, "click", move |_| {
        storage::forget_credentials();
        storage::forget_base_url();
        let panel = shared.borrow();
        panel.view.remember.set_checked(false);
        panel
            .view
            .set_status("Removed the stored API username, key and base URL from this browser.");
    })?;

    let input = view.base_url.clone();
    let remember = view.remember.clone();
    listen(&view.base_url, "change", move |_| {
        if remember.checked() {
            storage::remember_base_url(input.value().trim(), DEFAULT_BASE_URL);
        }
    })?;

    let shared = Rc::clone(&panel);
    listen(&view.run, "click", move |_| start_query(&shared))?;
    let shared = Rc::clone(&panel);
    listen(&view.cancel, "click", move |_| cancel(&shared))?;
    let shared = Rc::clone(&panel);
    listen(&view.retry, "click", move |_| resume(&shared))?;
    let shared = Rc::clone(&panel);
    listen(&view.score, "click", move |_| deliver(&shared.borrow()))?;
    let shared = Rc::clone(&panel);
    listen(&view.save, "click", move |_| save(&shared.borrow()))?;
    Ok(())
}

/// Adds an event listener that lives as long as the page.
fn listen(
    target: &web_sys::EventTarget,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), String> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .map_err(|err| format!("could not listen to {event}: {err:?}"))?;
    closure.forget();
    Ok(())
}

fn read_credentials(view: &View) -> Option<Credentials> {
    let username = view.username.value().trim().to_string();
    let key = view.key.value().trim().to_string();
    if username.is_empty() || key.is_empty() {
        return None;
    }
    Some(Credentials { username, key })
}

fn on_remember_changed(panel: &Shared) {
    let panel = panel.borrow();
    if !panel.view.remember.checked() {
        storage::forget_credentials();
        storage::forget_base_url();
        return;
    }
    if let Some(credentials) = read_credentials(&panel.view) {
        storage::remember_credentials(&credentials);
    }
    storage::remember_base_url(panel.view.base_url.value().trim(), DEFAULT_BASE_URL);
}

/// Starts a new query from the dialog's fields, replacing any earlier results.
fn start_query(shared: &Shared) {
    let mut panel = shared.borrow_mut();
    if panel.running {
        return;
    }
    let view = panel.view.clone();
    view.hide_error();
    // The status of an earlier run must not stand beside a new validation error.
    view.set_status("");

    let Some(credentials) = read_credentials(&view) else {
        view.show_error("Enter your DomainTools API username and API key.");
        return;
    };
    let base_url = view.base_url.value();
    let endpoint = match iris_api::endpoint_url(&base_url) {
        Ok(endpoint) => endpoint,
        Err(err) => {
            view.settings.set_open(true);
            view.show_error(&format!("{err}. Correct it under API base URL."));
            return;
        }
    };

    let search_hash = view.search_hash.value().trim().to_string();
    let pasted = view.domains.value();
    let list = domain_list::clean_domain_list(&pasted);
    view.show_rejected(&list.rejected);
    let mut jobs = VecDeque::new();
    if !search_hash.is_empty() {
        if !pasted.trim().is_empty() {
            view.show_error(
                "Fill in either the domain list or the search hash, not both: Iris \
                 searches one or the other.",
            );
            return;
        }
        jobs.push_back(Job {
            batch: 1,
            query: Query::SearchHash(search_hash),
            position: None,
            pages_done: 0,
        });
    } else {
        if list.domains.is_empty() {
            let text = if list.rejected.is_empty() {
                "Paste at least one domain, or a search hash.".to_string()
            } else {
                format!(
                    "None of the {} entries is a domain name; see the list of entries \
                     not sent.",
                    list.rejected.len()
                )
            };
            view.show_error(&text);
            return;
        }
        for (index, batch) in list.batches().enumerate() {
            jobs.push_back(Job {
                batch: index + 1,
                query: Query::Domains(batch.to_vec()),
                position: None,
                pages_done: 0,
            });
        }
    }

    if view.remember.checked() {
        storage::remember_credentials(&credentials);
        storage::remember_base_url(base_url.trim(), DEFAULT_BASE_URL);
    }

    log::info!(
        "Iris query to {endpoint}: {} domains in {} batches of at most {MAX_DOMAINS_PER_REQUEST}, \
         {} entries rejected, {} duplicates dropped",
        list.domains.len(),
        jobs.len(),
        list.rejected.len(),
        list.duplicates
    );
    panel.batch_count = jobs.len();
    panel.domain_count = list.domains.len();
    panel.jobs = jobs;
    panel.credentials = Some(credentials);
    panel.endpoint = endpoint;
    panel.records.clear();
    panel.record_domains.clear();
    panel.missing.clear();
    view.show_missing(&[]);
    view.set_saveable(false);
    drop(panel);
    run(shared);
}

/// Continues the remaining jobs of a stopped query.
fn resume(shared: &Shared) {
    let mut panel = shared.borrow_mut();
    if panel.running || panel.jobs.is_empty() {
        return;
    }
    // The fields may have been corrected after a credentials error.
    if let Some(credentials) = read_credentials(&panel.view) {
        panel.credentials = Some(credentials);
    }
    if let Ok(endpoint) = iris_api::endpoint_url(&panel.view.base_url.value()) {
        panel.endpoint = endpoint;
    }
    panel.view.hide_error();
    drop(panel);
    run(shared);
}

fn run(shared: &Shared) {
    let generation = {
        let mut panel = shared.borrow_mut();
        panel.generation += 1;
        panel.running = true;
        panel.view.set_running(true);
        panel.generation
    };
    let shared = Rc::clone(shared);
    spawn_local(async move { drive(shared, generation).await });
}

fn cancel(shared: &Shared) {
    let mut panel = shared.borrow_mut();
    if !panel.running {
        return;
    }
    panel.generation += 1;
    panel.running = false;
    if let Some(controller) = panel.abort.take() {
        controller.abort();
    }
    let done = panel.batch_count - panel.jobs.len();
    log::info!(
        "Iris query cancelled after {done} of {} batches",
        panel.batch_count
    );
    let view = panel.view.clone();
    view.set_running(false);
    view.set_status(&format!(
        "Cancelled after {done} of {} batches; {} records kept. Retry remaining continues \
         where it stopped.",
        panel.batch_count,
        panel.records.len()
    ));
    view.set_resumable(true, !panel.records.is_empty());
    view.set_saveable(!panel.records.is_empty());
}

/// The next request, read from the panel so that no borrow is held across an await.
struct NextRequest {
    endpoint: String,
    body: String,
    batch: usize,
    page: u32,
    controller: AbortController,
}

fn next_request(shared: &Shared) -> Result<Option<NextRequest>, String> {
    let mut panel = shared.borrow_mut();
    let Some(job) = panel.jobs.front() else {
        return Ok(None);
    };
    let credentials = panel
        .credentials
        .clone()
        .ok_or("no credentials for the query")?;
    let seconds = (js_sys::Date::now() / 1000.0).floor() as i64;
    let body = iris_api::form_body(&job.query, &credentials, seconds, job.position.as_deref());
    let (batch, page) = (job.batch, job.pages_done + 1);
    let controller = AbortController::new()
        .map_err(|err| format!("could not create an abort signal: {err:?}"))?;
    panel.abort = Some(controller.clone());
    let records = panel.records.len();
    let mut status = format!("Batch {batch} of {}", panel.batch_count);
    if page > 1 {
        status.push_str(&format!(", page {page}"));
    }
    status.push_str(&format!(", {records} records so far…"));
    panel.view.set_status(&status);
    Ok(Some(NextRequest {
        endpoint: panel.endpoint.clone(),
        body,
        batch,
        page,
        controller,
    }))
}

/// Sends the panel's jobs one request at a time until they are done, one fails, or a
/// newer generation (cancel, another run) takes over.
async fn drive(shared: Shared, generation: u32) {
    let mut rate_limit_retries = 0;
    loop {
        let next = match next_request(&shared) {
            Ok(Some(next)) => next,
            Ok(None) => {
                finish(&shared, generation);
                return;
            }
            Err(err) => {
                log::error!("Iris query could not start a request: {err}");
                stop_with_error(&shared, generation, &format!("The query stopped: {err}."));
                return;
            }
        };
        let result =
            transport::fetch_page(&next.endpoint, next.body, &next.controller.signal()).await;
        if shared.borrow().generation != generation {
            return;
        }
        match result {
            Ok(page) => {
                rate_limit_retries = 0;
                log::info!(
                    "Iris query batch {} page {}: {} records, {} missing, more: {}",
                    next.batch,
                    next.page,
                    page.records.len(),
                    page.missing_domains.len(),
                    page.has_more_results
                );
                if let Err(text) = accept_page(&shared, page) {
                    log::error!("Iris query batch {} page {}: {text}", next.batch, next.page);
                    stop_with_error(&shared, generation, &text);
                    return;
                }
            }
            Err(Failure::Api { error, retry_after }) if error.is_retryable() => {
                rate_limit_retries += 1;
                let delay =
                    iris_api::retry_delay_seconds(rate_limit_retries, retry_after.as_deref());
                log::warn!(
                    "Iris query batch {} to {}: {error}; retry {rate_limit_retries} in {delay:?} s",
                    next.batch,
                    next.endpoint
                );
                let Some(delay) = delay else {
                    let text = describe_api_error(&error, rate_limit_retries);
                    stop_with_error(&shared, generation, &text);
                    return;
                };
                if !count_down(&shared, generation, delay, &error, rate_limit_retries).await {
                    return;
                }
            }
            Err(Failure::Aborted) => return,
            Err(failure) => {
                log::error!(
                    "Iris query batch {} page {} to {} failed: {failure:?}",
                    next.batch,
                    next.page,
                    next.endpoint
                );
                let text = describe_failure(&failure, &next.endpoint);
                stop_with_error(&shared, generation, &text);
                return;
            }
        }
    }
}

/// Adds a page's records and missing domains, then moves its job to the next page or
/// drops it.
/// Pages followed for one batch or search hash at most: 500 records each, more than the
/// API returns for one query.
const MAX_PAGES: u32 = 200;

/// Keeps the records of a page and moves the job on to its next page. Fails, keeping the
/// records, when the API repeats the position it was given or exceeds [`MAX_PAGES`],
/// which would otherwise loop without end.
fn accept_page(shared: &Shared, page: iris_api::Page) -> Result<(), String> {
    let mut panel = shared.borrow_mut();
    let panel = &mut *panel;
    for record in page.records {
        match record.get("domain").and_then(Value::as_str) {
            Some(domain) => {
                if panel.record_domains.insert(domain.to_ascii_lowercase()) {
                    panel.records.push(record);
                }
            }
            None => panel.records.push(record),
        }
    }
    for name in page.missing_domains {
        if !panel.missing.contains(&name) {
            panel.missing.push(name);
        }
    }
    panel.view.show_missing(&panel.missing);
    panel.view.set_saveable(!panel.records.is_empty());
    match (page.has_more_results, page.position, panel.jobs.front_mut()) {
        (true, Some(position), Some(job)) => {
            if job.position.as_deref() == Some(position.as_str()) {
                return Err(format!(
                    "The API returned the position it was given ({position}) as the next \
                     page, so paging would never end."
                ));
            }
            if job.pages_done + 1 >= MAX_PAGES {
                return Err(format!(
                    "The API offered more than {MAX_PAGES} pages for one query; the query \
                     stopped there."
                ));
            }
            job.position = Some(position);
            job.pages_done += 1;
        }
        _ => {
            panel.jobs.pop_front();
        }
    }
    Ok(())
}

/// Shows a countdown before a rate-limit retry. Returns `false` when the query was
/// cancelled meanwhile.
async fn count_down(
    shared: &Shared,
    generation: u32,
    seconds: u32,
    error: &ApiError,
    retry: u32,
) -> bool {
    let tries = iris_api::MAX_RATE_LIMIT_RETRIES + 1;
    for left in (1..=seconds).rev() {
        {
            let panel = shared.borrow();
            if panel.generation != generation {
                return false;
            }
            panel.view.set_status(&format!(
                "DomainTools reports a quota or rate limit ({}). Retrying in {left} s \
                 (try {} of {tries}); {} records so far.",
                short_error(error),
                retry + 1,
                panel.records.len()
            ));
        }
        transport::sleep(1000).await;
    }
    shared.borrow().generation == generation
}

fn short_error(error: &ApiError) -> String {
    match error {
        ApiError::RateLimited { status, .. } => format!("HTTP {status}"),
        other => other.to_string(),
    }
}

fn finish(shared: &Shared, generation: u32) {
    let mut panel = shared.borrow_mut();
    if panel.generation != generation {
        return;
    }
    panel.running = false;
    panel.abort = None;
    let view = panel.view.clone();
    view.set_running(false);
    view.set_resumable(false, false);
    view.set_saveable(!panel.records.is_empty());

    let missing = match panel.missing.len() {
        0 => String::new(),
        n => format!(" {n} domains not found in Iris are listed below."),
    };
    log::info!(
        "Iris query finished: {} records in {} batches, {} missing",
        panel.records.len(),
        panel.batch_count,
        panel.missing.len()
    );

    if panel.records.is_empty() {
        view.set_status(&format!(
            "Done: Iris returned no records, so there is nothing to graph.{missing}"
        ));
        return;
    }
    view.set_status(&format!(
        "Done: {} records from {} batches, sent to the graph.{missing}",
        panel.records.len(),
        panel.batch_count
    ));
    drop(panel);
    deliver(&shared.borrow());
}

fn stop_with_error(shared: &Shared, generation: u32, text: &str) {
    let mut panel = shared.borrow_mut();
    if panel.generation != generation {
        return;
    }
    panel.running = false;
    panel.abort = None;
    let done = panel.batch_count - panel.jobs.len();
    let view = panel.view.clone();
    view.set_running(false);
    let kept = if panel.records.is_empty() {
        String::new()
    } else {
        format!(
            "\n{} records from {done} finished batches are kept; Retry remaining continues \
             with the rest.",
            panel.records.len()
        )
    };
    view.show_error(&format!("{text}{kept}"));
    view.set_status(&format!(
        "Stopped at batch {} of {}.",
        done + 1,
        panel.batch_count
    ));
    view.set_resumable(!panel.jobs.is_empty(), !panel.records.is_empty());
    view.set_saveable(!panel.records.is_empty());
}

/// Hands the records to the scoring worker as a JSON array export.
fn deliver(panel: &Panel) {
    if panel.records.is_empty() {
        return;
    }
    let bytes = match serde_json::to_vec(&panel.records) {
        Ok(bytes) => bytes,
        Err(err) => {
            log::error!("could not encode the Iris records: {err}");
            panel.view.show_error(&format!(
                "Could not prepare the records for scoring: {err}."
            ));
            return;
        }
    };
    let name = if panel.domain_count > 0 {
        format!("Iris query of {} domains", panel.domain_count)
    } else {
        "Iris search hash query".to_string()
    };
    (panel.sink)(&name, &bytes);
}

/// Downloads the records as a JSON array, which the page's drop zone reads back.
fn save(panel: &Panel) {
    let bytes = match serde_json::to_vec_pretty(&panel.records) {
        Ok(bytes) => bytes,
        Err(err) => {
            log::error!("could not encode the Iris records: {err}");
            panel
                .view
                .show_error(&format!("Could not save the records: {err}."));
            return;
        }
    };
    let seconds = (js_sys::Date::now() / 1000.0).floor() as i64;
    // 2024-03-01T12:34:56Z to 20240301-123456, a file name without colons.
    let stamp: String = iris_api::format_timestamp(seconds)
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .map(|c| if c == 'T' { '-' } else { c })
        .collect();
    let file_name = format!("iris-investigate-{stamp}.json");
    match transport::download(&file_name, "application/json", &bytes) {
        Ok(()) => panel.view.set_status(&format!(
            "Saved {} records as {file_name}. Drop the file on the page to graph it again.",
            panel.records.len()
        )),
        Err(err) => {
            log::error!("saving {file_name} failed: {err}");
            panel
                .view
                .show_error(&format!("Could not save the records: {err}."));
        }
    }
}

/// Words for an API error that tell the analyst what to do next.
fn describe_api_error(error: &ApiError, tries: u32) -> String {
    let detail = |message: &Option<String>| match message {
        Some(message) => format!(" The API says: “{message}”."),
        None => String::new(),
    };
    match error {
        ApiError::Credentials { status, message } => format!(
            "DomainTools rejected the API username or key (HTTP {status}).{} Check both \
             fields: the key is the API key of your DomainTools account, not its password, \
             and the account needs Iris Investigate API access. Each request is signed \
             with this computer's clock, so check that it is set correctly.",
            detail(message)
        ),
        ApiError::RateLimited { status, message } => format!(
            "DomainTools reports that the query quota or rate limit is reached (HTTP \
             {status}).{} {tries} tries failed. Wait a few minutes, then press Retry \
             remaining; if it persists, check your account's query limits.",
            detail(message)
        ),
        ApiError::LimitExceeded { message } => format!(
            "Too many domains match this search for Iris to return them.{} Narrow the \
             search in Iris (add a pivot or a filter) and copy the new search hash, or \
             query a shorter list of domains.",
            detail(message)
        ),
        ApiError::Http { status, message } => format!(
            "The API returned HTTP {status}.{} Check the domain list or search hash, and \
             the API base URL.",
            detail(message)
        ),
        ApiError::UnreadableBody { status, detail } => format!(
            "The API's response could not be read (HTTP {status}: {detail}). If the API \
             base URL points to a proxy, check that it passes responses through unchanged."
        ),
    }
}

fn describe_failure(failure: &Failure, endpoint: &str) -> String {
    match failure {
        Failure::Api { error, .. } => describe_api_error(error, 1),
        Failure::Cors => format!(
            "The server at {endpoint} responded, but the browser blocked the response \
             because it carries no CORS headers for this page's origin ({}). The API, or a \
             proxy in front of it, must send Access-Control-Allow-Origin for this origin. \
             Set your organisation's proxy under API base URL.",
            page_origin()
        ),
        Failure::BlockedByPolicy(blocked) => format!(
            "This page's Content Security Policy blocked the request to {endpoint} before \
             it was sent: its connect-src allows {}, which does not include {}. Set API \
             base URL to an address the policy allows ('self' is this page's origin, \
             {}), or ask whoever hosts this page to add {} to connect-src in the page's \
             policy.",
            blocked.allowed,
            blocked.origin,
            page_origin(),
            blocked.origin
        ),
        Failure::Network { detail } => {
            let mixed = page_origin().starts_with("https:") && endpoint.starts_with("http:");
            let hint = if mixed {
                " This page is served over HTTPS, so the browser also blocks plain http:// \
                 API addresses."
            } else {
                ""
            };
            format!(
                "Could not reach {endpoint} ({detail}). Check the network connection and \
                 the API base URL setting.{hint}"
            )
        }
        Failure::Invalid { detail } => format!(
            "The request to {endpoint} could not be built ({detail}). Check the API base \
             URL setting."
        ),
        Failure::Aborted => "The query was cancelled.".to_string(),
    }
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_else(|| "unknown origin".to_string())
}
