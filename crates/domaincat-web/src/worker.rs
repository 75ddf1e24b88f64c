//! The scoring worker: parses and scores exports and runs the force layout off the main
//! thread, so the page keeps drawing and answering input while it works.
//!
//! Layout runs in slices of about [`SLICE_MS`] milliseconds, each followed by a
//! position message and a zero-delay timer, so a new job can replace the current one
//! between slices.

use std::cell::RefCell;
use std::rc::Rc;

use domaincat_core::iris::parse_export;
use domaincat_core::layout::{Dimensions, ForceLayout, LayoutSettings};
use domaincat_core::scoring::score;
use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{FromWorker, GraphSummary, ToWorker};

/// Target duration of one layout slice between two position messages.
const SLICE_MS: f64 = 30.0;

/// Layout seed: the same export always settles into the same picture.
const LAYOUT_SEED: u64 = 1;

struct LayoutJob {
    job: u32,
    dims: u8,
    layout: ForceLayout,
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
        } => {
            let bytes = Reflect::get(data, &"bytes".into())
                .ok()
                .and_then(|b| b.dyn_into::<js_sys::ArrayBuffer>().ok())
                .map(|buffer| Uint8Array::new(&buffer).to_vec())
                .unwrap_or_default();
            score_job(state, job, &file_name, &bytes, &settings);
        }
        ToWorker::Layout { job, dims } => start_layout(&mut state.borrow_mut(), job, dims),
    }
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
    state.layouts.push(LayoutJob { job, dims, layout });
    schedule_tick(state);
}

fn score_job(
    state: &Rc<RefCell<WorkerState>>,
    job: u32,
    file_name: &str,
    bytes: &[u8],
    settings: &domaincat_core::settings::Settings,
) {
    let scope = state.borrow().scope.clone();
    let fail = |message: String| {
        log::warn!("worker: job {job} ({file_name}) failed: {message}");
        post(&scope, &FromWorker::Failed { job, message }, None);
    };

    let megabytes = bytes.len() as f64 / 1e6;
    let stage = format!("Reading {file_name} ({megabytes:.1} MB)…");
    post(&scope, &FromWorker::Progress { job, stage }, None);
    let export = match parse_export(bytes) {
        Ok(export) => export,
        Err(err) => return fail(format!("Could not read {file_name}: {err}.")),
    };
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

    let stage = format!("Scoring {} records…", export.records.len());
    post(&scope, &FromWorker::Progress { job, stage }, None);
    let scoring = match score(&export.records, settings) {
        Ok(scoring) => scoring,
        Err(err) => return fail(format!("Invalid settings: {err}.")),
    };
    let summary = GraphSummary::new(file_name, &export, &scoring);
    let edges: Vec<(u32, u32, f64)> = summary
        .edge_ends
        .chunks_exact(2)
        .zip(&summary.edge_weights)
        .map(|(ends, &w)| (ends[0], ends[1], f64::from(w)))
        .collect();
    let node_count = summary.node_count();
    post(
        &scope,
        &FromWorker::Scored {
            job,
            graph: Box::new(summary),
        },
        None,
    );

    let mut guard = state.borrow_mut();
    // A new export replaces every layout of the previous one.
    guard.layouts.clear();
    guard.current = Some(CurrentGraph {
        job,
        node_count,
        edges,
        started: Vec::new(),
    });
    start_layout(&mut guard, job, 2);
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
    let value = match serde_wasm_bindgen::to_value(message) {
        Ok(value) => value,
        Err(err) => {
            log::error!("worker: could not encode a message: {err}");
            return;
        }
    };
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"message".into(), &value);
    let result = match positions {
        Some(positions) => {
            let _ = Reflect::set(&envelope, &"positions".into(), positions);
            let transfer = Array::of1(&positions.buffer());
            scope.post_message_with_transfer(&envelope, &transfer)
        }
        None => scope.post_message(&envelope),
    };
    if let Err(err) = result {
        log::error!("worker: could not post a message: {err:?}");
    }
}
