//! The scoring worker: parses and scores exports and runs the force layout off the main
//! thread, so the page keeps drawing and answering input while it works.
//!
//! Layout runs in slices of about [`SLICE_MS`] milliseconds, each followed by a
//! position message and a zero-delay timer, so a new job can replace the current one
//! between slices.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use domaincat_core::edges::edge_details;
use domaincat_core::infra::{build_infra_graph, InfraSettings};
use domaincat_core::iris::{parse_export, Export, Record};
use domaincat_core::layout::{Dimensions, ForceLayout, LayoutSettings};
use domaincat_core::scoring::{build_graph, extract_pivots, trim_pivots, Scoring};
use domaincat_core::selection::{shared_pivots, DEFAULT_MIN_DOMAINS};
use domaincat_core::settings::Settings;
use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::app::describe_js_error;
use crate::protocol::{FromWorker, GraphSummary, InfraSummary, ToWorker};
use crate::ui::group_digits;

/// Target duration of one layout slice between two position messages.
const SLICE_MS: f64 = 30.0;

/// Heat maps show at most this many selected domains (columns)…
const MAX_HEATMAP_COLUMNS: usize = 150;
/// …and the value heat map at most this many values (rows).
const MAX_HEATMAP_ROWS: usize = 60;
/// The table of most shared values lists at most this many.
const MAX_TABLE_ROWS: usize = 500;

/// Layout seed: the same export always settles into the same picture.
const LAYOUT_SEED: u64 = 1;

struct LayoutJob {
    job: u32,
    dims: u8,
    infra: bool,
    layout: ForceLayout,
}

/// The export and scoring of the latest job, kept for re-scoring and queries.
struct Loaded {
    export: Export,
    scoring: Scoring,
}

/// The graph of the latest job, kept so further layouts can start from it.
struct CurrentGraph {
    job: u32,
    node_count: usize,
    edges: Vec<(u32, u32, f64)>,
    /// Dimensions whose layout has been started for this job.
    started: Vec<u8>,
}

struct WorkerState {
    scope: DedicatedWorkerGlobalScope,
    /// Running layouts; each slice advances every one of them.
    layouts: Vec<LayoutJob>,
    current: Option<CurrentGraph>,
    loaded: Option<Loaded>,
    tick: Option<Closure<dyn FnMut()>>,
    tick_scheduled: bool,
}

/// Starts the worker: installs the message handler and announces readiness.
pub fn start() {
    crate::logger::init();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(WorkerState {
        scope: scope.clone(),
        layouts: Vec::new(),
        current: None,
        loaded: None,
        tick: None,
        tick_scheduled: false,
    }));

    let tick_state = Rc::clone(&state);
    let tick = Closure::<dyn FnMut()>::new(move || run_layout_slice(&tick_state));
    state.borrow_mut().tick = Some(tick);

    let message_state = Rc::clone(&state);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handle_message(&message_state, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    post(&scope, &FromWorker::Ready, None);
}

fn handle_message(state: &Rc<RefCell<WorkerState>>, data: &JsValue) {
    let message = Reflect::get(data, &"message".into())
        .map_err(|err| format!("{err:?}"))
        .and_then(|m| serde_wasm_bindgen::from_value::<ToWorker>(m).map_err(|e| e.to_string()));
    let message = match message {
        Ok(message) => message,
        Err(err) => {
            log::error!("worker: unreadable message from the page: {err}");
            return;
        }
    };
    match message {
        ToWorker::Score {
            job,
            file_name,
            settings,
            removed,
        } => {
            let bytes = match read_export(data) {
                Ok(bytes) => bytes,
                Err(err) => {
                    let scope = state.borrow().scope.clone();
                    log::warn!("worker: job {job} ({file_name}) could not be read: {err}");
                    let message = format!("Could not read {file_name}: {err}.");
                    post(&scope, &FromWorker::Failed { job, message }, None);
                    return;
                }
            };
            score_job(state, job, &file_name, bytes, &settings, &removed);
        }
        ToWorker::Neighbours { job, request, node } => {
            answer_neighbours(&state.borrow(), job, request, node)
        }
        ToWorker::Layout { job, dims } => start_layout(&mut state.borrow_mut(), job, dims),
        ToWorker::SharedPivots {
            job,
            request,
            nodes,
        } => answer_shared_pivots(&state.borrow(), job, request, &nodes),
        ToWorker::EdgeDetails { job, request, a, b } => {
            answer_edge_details(&state.borrow(), job, request, a, b)
        }
        ToWorker::Infra { job, settings } => infra_job(&mut state.borrow_mut(), job, &settings),
    }
}

/// Reads the export attached to a `Score` message as a `Blob`.
fn read_export(data: &JsValue) -> Result<Vec<u8>, String> {
    let blob: web_sys::Blob = Reflect::get(data, &"export".into())
        .ok()
        .and_then(|b| b.dyn_into().ok())
        .ok_or("the page sent no export")?;
    let reader = web_sys::FileReaderSync::new().map_err(|err| describe_js_error(&err))?;
    let buffer = reader
        .read_as_array_buffer(&blob)
        .map_err(|err| describe_js_error(&err))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn answer_shared_pivots(state: &WorkerState, job: u32, request: u32, nodes: &[u32]) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    let graph = &loaded.scoring.graph;
    let ids: Vec<u32> = nodes
        .iter()
        .filter(|&&n| (n as usize) < graph.node_count())
        .map(|&n| graph[petgraph::graph::NodeIndex::new(n as usize)])
        .collect();
    let mut shared = match shared_pivots(&loaded.scoring, &ids, DEFAULT_MIN_DOMAINS) {
        Ok(shared) => shared,
        Err(err) => {
            log::error!(
                "worker: shared pivots of {} nodes failed: {err}",
                nodes.len()
            );
            return;
        }
    };
    // Big selections would make heat maps of hundreds of thousands of cells.
    let totals = [
        shared.columns.len(),
        shared.values.len(),
        shared.table.len(),
    ];
    shared.columns.truncate(MAX_HEATMAP_COLUMNS);
    for row in &mut shared.categories {
        row.cells.truncate(MAX_HEATMAP_COLUMNS);
    }
    for row in &mut shared.values {
        row.cells.truncate(MAX_HEATMAP_COLUMNS);
    }
    shared.values.truncate(MAX_HEATMAP_ROWS);
    shared.table.truncate(MAX_TABLE_ROWS);
    let mut node_of = vec![None; loaded.scoring.domains.len()];
    for node in graph.node_indices() {
        node_of[graph[node] as usize] = Some(node.index() as u32);
    }
    let carriers = shared
        .table
        .iter()
        .map(|row| {
            loaded.scoring.all_pivots[row.pivot]
                .domains
                .iter()
                .filter_map(|&d| node_of[d as usize])
                .collect()
        })
        .collect();
    let shared = match serde_json::to_value(&shared) {
        Ok(shared) => shared,
        Err(err) => return log::error!("worker: could not encode shared pivots: {err}"),
    };
    let message = FromWorker::SharedPivots {
        job,
        request,
        shared,
        carriers,
        totals,
    };
    post(&state.scope, &message, None);
}

fn answer_edge_details(state: &WorkerState, job: u32, request: u32, a: u32, b: u32) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    let (a, b) = (
        petgraph::graph::NodeIndex::new(a as usize),
        petgraph::graph::NodeIndex::new(b as usize),
    );
    let details = match edge_details(&loaded.scoring, a, b) {
        Ok(details) => details,
        Err(err) => return log::error!("worker: edge details failed: {err}"),
    };
    match serde_json::to_value(&details) {
        Ok(details) => post(
            &state.scope,
            &FromWorker::EdgeDetails {
                job,
                request,
                details,
            },
            None,
        ),
        Err(err) => log::error!("worker: could not encode edge details: {err}"),
    }
}

fn infra_job(state: &mut WorkerState, job: u32, settings: &InfraSettings) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    let graph = build_infra_graph(&loaded.export.records, settings);
    let summary = InfraSummary::new(&graph);
    let edges: Vec<(u32, u32, f64)> = graph
        .edges
        .iter()
        // Shared counts reach the hundreds; a logarithm keeps big values from collapsing
        // onto each other.
        .map(|e| (e.a, e.b, (e.shared as f64).ln_1p()))
        .collect();
    let node_count = summary.labels.len();
    post(
        &state.scope,
        &FromWorker::Infra {
            job,
            graph: Box::new(summary),
        },
        None,
    );
    state.layouts.retain(|l| !(l.infra && l.job == job));
    let settings = LayoutSettings {
        seed: LAYOUT_SEED,
        ..LayoutSettings::default()
    };
    let layout = ForceLayout::new(node_count, &edges, settings);
    state.layouts.push(LayoutJob {
        job,
        dims: 2,
        infra: true,
        layout,
    });
    schedule_tick(state);
}

/// Starts laying out the current graph in `dims` dimensions, once per job and dimension.
fn start_layout(state: &mut WorkerState, job: u32, dims: u8) {
    let Some(current) = state.current.as_mut() else {
        return;
    };
    if current.job != job || current.started.contains(&dims) {
        return;
    }
    let dimensions = match dims {
        2 => Dimensions::Two,
        3 => Dimensions::Three,
        other => {
            log::error!("worker: no layout in {other} dimensions");
            return;
        }
    };
    current.started.push(dims);
    let settings = LayoutSettings {
        dimensions,
        seed: LAYOUT_SEED,
        ..LayoutSettings::default()
    };
    let layout = ForceLayout::new(current.node_count, &current.edges, settings);
    state.layouts.push(LayoutJob {
        job,
        dims,
        infra: false,
        layout,
    });
    schedule_tick(state);
}

/// Parses and scores an export in stages, posting each stage as progress, then posts
/// the summary, keeps the result and starts the 2D layout.
fn score_job(
    state: &Rc<RefCell<WorkerState>>,
    job: u32,
    file_name: &str,
    bytes: Vec<u8>,
    settings: &Settings,
    removed: &[String],
) {
    let scope = state.borrow().scope.clone();
    let fail = |message: String| {
        log::warn!("worker: job {job} ({file_name}) failed: {message}");
        post(&scope, &FromWorker::Failed { job, message }, None);
    };
    let progress = |stage: String| post(&scope, &FromWorker::Progress { job, stage }, None);
    let mut timer = StageTimer::new(&scope);

    if let Err(err) = settings.validate() {
        return fail(format!("Invalid settings: {err}."));
    }
    progress(format!("Reading {file_name} ({})…", byte_size(bytes.len())));
    let export = match parse_export(&bytes) {
        Ok(export) => export,
        Err(err) => return fail(format!("Could not read {file_name}: {err}.")),
    };
    drop(bytes);
    timer.finish("parse");
    if export.records.is_empty() {
        let detail = match export.problems.first() {
            Some(problem) => format!(" The first problem: {problem}."),
            None => String::new(),
        };
        return fail(format!(
            "{file_name} holds no usable Iris records ({} entries).{detail}",
            export.total_records
        ));
    }

    let removed_set: HashSet<&str> = removed.iter().map(String::as_str).collect();
    let kept: Vec<Record>;
    let records = if removed.is_empty() {
        &export.records
    } else {
        kept = export
            .records
            .iter()
            .filter(|r| !removed_set.contains(r.domain.as_str()))
            .cloned()
            .collect();
        &kept
    };
    progress(format!("Extracting pivots from {} records…", records.len()));
    let mut pivots = match extract_pivots(records, settings) {
        Ok(pivots) => pivots,
        Err(err) => return fail(format!("Invalid settings: {err}.")),
    };
    timer.finish("extract");
    if settings.substrings_enabled() {
        progress(format!(
            "Comparing the names of {} domains…",
            pivots.domain_count()
        ));
        pivots.add_substring_pivots();
        timer.finish("substrings");
    }
    progress(format!("Trimming {} pivots…", pivots.pivot_count()));
    let trimmed = trim_pivots(pivots);
    timer.finish("trim");
    progress(format!(
        "Counting the edges of {} domains…",
        trimmed.domain_count()
    ));
    let edge_count = trimmed.edge_count();
    if edge_count > MAX_EDGES {
        return fail(format!(
            "{file_name} would make a graph of {} edges, more than the {} this page can \
             hold. Raise the minimum pivot size or lower the count threshold in the \
             settings, turn off common categories such as TLD or registrar, or split the \
             export.",
            group_digits(edge_count as u64),
            group_digits(MAX_EDGES as u64)
        ));
    }
    progress(format!(
        "Building {} edges…",
        group_digits(edge_count as u64)
    ));
    let scoring = build_graph(trimmed);
    timer.finish("edges");

    let mut summary = GraphSummary::new(file_name, &export, &scoring, removed);
    let layout_edges = scoring.layout_edges(LayoutSettings::default().max_edges_per_node);
    timer.finish("summary");
    summary.stage_ms = timer.stages;
    summary.worker_memory = worker_memory();
    let node_count = summary.node_count();
    let ends = Uint32Array::from(std::mem::take(&mut summary.edge_ends).as_slice());
    let weights = Float32Array::from(std::mem::take(&mut summary.edge_weights).as_slice());
    let message = FromWorker::Scored {
        job,
        graph: Box::new(summary),
    };
    post_with(
        &scope,
        &message,
        &[("edgeEnds", &ends), ("edgeWeights", &weights)],
    );

    let mut guard = state.borrow_mut();
    guard.loaded = Some(Loaded { export, scoring });
    // A new scoring replaces every layout of the previous one.
    guard.layouts.clear();
    guard.current = Some(CurrentGraph {
        job,
        node_count,
        edges: layout_edges,
        started: Vec::new(),
    });
    start_layout(&mut guard, job, 2);
}

/// Largest graph the worker builds, in edges. The graph takes about 8 bytes per edge,
/// and WebAssembly's memory ends at 4 GB.
const MAX_EDGES: usize = 100_000_000;

/// Measures consecutive stages of a job in milliseconds.
struct StageTimer {
    performance: Option<web_sys::Performance>,
    last: f64,
    stages: Vec<(String, f64)>,
}

impl StageTimer {
    fn new(scope: &DedicatedWorkerGlobalScope) -> Self {
        let performance = scope.performance();
        let last = performance.as_ref().map_or(0.0, web_sys::Performance::now);
        StageTimer {
            performance,
            last,
            stages: Vec::new(),
        }
    }

    /// Ends the stage `name`, which began when the previous one ended.
    fn finish(&mut self, name: &str) {
        let now = self
            .performance
            .as_ref()
            .map_or(0.0, web_sys::Performance::now);
        self.stages.push((name.to_string(), now - self.last));
        self.last = now;
    }
}

/// Size of this worker's WebAssembly memory in bytes: the most it has held at once,
/// since WebAssembly memory never shrinks.
fn worker_memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| u64::from(b.byte_length()))
        })
        .unwrap_or(0)
}

fn byte_size(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn answer_neighbours(state: &WorkerState, job: u32, request: u32, node: u32) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    let neighbours = if (node as usize) < loaded.scoring.node_count() {
        loaded.scoring.neighbours(node as usize)
    } else {
        Vec::new()
    };
    let message = FromWorker::Neighbours {
        job,
        request,
        node,
        neighbours,
    };
    post(&state.scope, &message, None);
}

fn schedule_tick(state: &mut WorkerState) {
    if state.tick_scheduled {
        return;
    }
    let Some(tick) = &state.tick else {
        return;
    };
    match state
        .scope
        .set_timeout_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 0)
    {
        Ok(_) => state.tick_scheduled = true,
        Err(err) => log::error!("worker: could not schedule layout: {err:?}"),
    }
}

fn run_layout_slice(state: &Rc<RefCell<WorkerState>>) {
    let mut guard = state.borrow_mut();
    guard.tick_scheduled = false;
    let scope = guard.scope.clone();
    if guard.layouts.is_empty() {
        return;
    }
    let budget = SLICE_MS / guard.layouts.len() as f64;
    for current in &mut guard.layouts {
        let started = now(&scope);
        let mut done = current.layout.is_done();
        while !done && now(&scope) - started < budget {
            done = current.layout.step();
        }
        let (job, dims, iteration) = (current.job, current.dims, current.layout.iteration());
        let positions = Float32Array::from(current.layout.positions());
        let message = FromWorker::Layout {
            job,
            dims,
            infra: current.infra,
            iteration,
            done,
        };
        post(&scope, &message, Some(&positions));
        if done {
            log::info!("worker: {dims}D layout of job {job} settled after {iteration} iterations");
        }
    }
    guard.layouts.retain(|l| !l.layout.is_done());
    if !guard.layouts.is_empty() {
        schedule_tick(&mut guard);
    }
}

fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope.performance().map(|p| p.now()).unwrap_or_default()
}

/// Posts `message`, with `positions` attached and transferred when given.
fn post(
    scope: &DedicatedWorkerGlobalScope,
    message: &FromWorker,
    positions: Option<&Float32Array>,
) {
    match positions {
        Some(positions) => post_with(scope, message, &[("positions", positions)]),
        None => post_with(scope, message, &[]),
    }
}

/// Posts `message` with typed arrays attached under their names; their buffers are
/// transferred, not copied.
fn post_with(scope: &DedicatedWorkerGlobalScope, message: &FromWorker, parts: &[(&str, &Object)]) {
    let value = match serde_wasm_bindgen::to_value(message) {
        Ok(value) => value,
        Err(err) => {
            log::error!("worker: could not encode a message: {err}");
            return;
        }
    };
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"message".into(), &value);
    let transfer = Array::new();
    for (name, array) in parts {
        let _ = Reflect::set(&envelope, &(*name).into(), array);
        if let Ok(buffer) = Reflect::get(array, &"buffer".into()) {
            transfer.push(&buffer);
        }
    }
    if let Err(err) = scope.post_message_with_transfer(&envelope, &transfer) {
        log::error!("worker: could not post a message: {err:?}");
    }
}
