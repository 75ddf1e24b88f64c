//! The page's main thread: loads exports (drop, file picker, sample), hands them to the
//! scoring worker, draws the result in 2D or 3D and keeps the selection.
//!
//! Text from input data is only ever set with `textContent`: WHOIS and web fields are
//! written by the people being investigated.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{File, MessageEvent, Window, Worker, WorkerOptions, WorkerType};

use domaincat_core::infra::InfraSettings;
use domaincat_core::settings::Settings;

use crate::panels::Panels;
use crate::protocol::{FromWorker, GraphSummary, InfraSummary, ToWorker};
use crate::render::camera::Camera;
use crate::render::orbit::OrbitCamera;
use crate::render::scene::{self, Highlight, Positions, NODE_RADIUS};
use crate::render::view::View;
use crate::render::Renderer;
use crate::ui::Ui;

/// Extra CSS pixels around a node disc that still count as pointing at it.
pub(crate) const PICK_SLACK: f64 = 2.0;

/// Address of the bundled sample export, relative to the page.
const SAMPLE_URL: &str = "sample.json";
const SAMPLE_NAME: &str = "dash_gov_dot_us.json (sample)";

/// View mode: the graph and camera on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ViewMode {
    /// The domain graph in 2D.
    Flat,
    /// The domain graph in 3D.
    Orbit,
    /// The infrastructure graph (pivot values as nodes) in 2D.
    Infra,
}

impl ViewMode {
    fn dims(self) -> usize {
        match self {
            ViewMode::Flat | ViewMode::Infra => 2,
            ViewMode::Orbit => 3,
        }
    }

    /// Index of per-view state such as camera and layout flags.
    fn slot(self) -> usize {
        match self {
            ViewMode::Flat => 0,
            ViewMode::Orbit => 1,
            ViewMode::Infra => 2,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ViewMode::Flat => "2d",
            ViewMode::Orbit => "3d",
            ViewMode::Infra => "infra",
        }
    }
}

/// The infrastructure graph on screen.
pub(crate) struct InfraView {
    pub summary: InfraSummary,
    positions: Vec<f32>,
    /// Risk shown per node: the representative score of its risk class.
    display_risks: Vec<Option<f64>>,
    radii: Vec<f32>,
    edge_weights: Vec<f32>,
}

impl InfraView {
    fn new(summary: InfraSummary) -> Self {
        // Colour classes of the original InfraCAT: ≥ 90 red, ≥ 75 orange, ≥ 55 yellow.
        let display_risks = summary
            .risks
            .iter()
            .map(|risk| {
                risk.map(|r| match r {
                    r if r >= 90.0 => 100.0,
                    r if r >= 75.0 => 70.0,
                    r if r >= 55.0 => 50.0,
                    _ => 0.0,
                })
            })
            .collect();
        let radii = summary
            .sizes
            .iter()
            .map(|&size| 3.5 + 2.0 * (size as f32).sqrt())
            .collect();
        let edge_weights = summary
            .edge_shared
            .iter()
            .map(|&shared| (shared as f32).min(5.0))
            .collect();
        InfraView {
            summary,
            positions: Vec::new(),
            display_risks,
            radii,
            edge_weights,
        }
    }
}

/// Selection operation of a gesture: replace, add to or remove from the selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SelectOp {
    Replace,
    Add,
    Remove,
}

/// The graph on screen and where its nodes are.
pub(crate) struct GraphView {
    pub summary: GraphSummary,
    /// Positions from the latest layout messages: 2 floats per node in 2D, 3 in 3D;
    /// empty until the first message of that layout.
    positions: [Vec<f32>; 2],
    /// Neighbours of each node, sorted.
    pub neighbours: Vec<Vec<u32>>,
}

impl GraphView {
    fn new(summary: GraphSummary) -> Self {
        let mut neighbours = vec![Vec::new(); summary.node_count()];
        for ends in summary.edge_ends.chunks_exact(2) {
            let (a, b) = (ends[0] as usize, ends[1] as usize);
            if a < neighbours.len() && b < neighbours.len() {
                neighbours[a].push(ends[1]);
                neighbours[b].push(ends[0]);
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        GraphView {
            positions: [Vec::new(), Vec::new()],
            neighbours,
            summary,
        }
    }

    fn positions(&self, mode: ViewMode) -> Positions<'_> {
        Positions {
            flat: &self.positions[mode.dims() - 2],
            dims: mode.dims(),
        }
    }

    fn node_of(&self, name: &str) -> Option<usize> {
        self.summary.names.iter().position(|n| n == name)
    }
}

pub(crate) struct App {
    pub window: Window,
    pub ui: Ui,
    pub panels: Panels,
    /// Settings of the current graph, or of the next export when none is loaded.
    pub settings: Settings,
    /// Domains the analyst removed from scoring.
    pub removed: Vec<String>,
    /// Earlier `removed` lists, for undo.
    pub undo: Vec<Vec<String>>,
    /// Names selected before a re-score, selected again where they remain.
    keep_selection: Vec<String>,
    /// Latest shared-pivot request. Replies to older requests are ignored.
    shared_request: u32,
    /// Graph nodes carrying each row of the shared-pivot table.
    shared_carriers: Vec<Vec<u32>>,
    edge_request: u32,
    /// Request of the last clicked edge. Only its reply fills the edge panel.
    pinned_edge_request: u32,
    /// The edge under the cursor, as graph nodes.
    pub hovered_edge: Option<(u32, u32)>,
    pub infra: Option<InfraView>,
    pub infra_settings: InfraSettings,
    /// Job for which the infrastructure graph was requested.
    infra_job: u32,
    /// The infrastructure node whose domains are listed.
    pub infra_node: Option<usize>,
    renderer: Option<Renderer>,
    pub mode: ViewMode,
    pub camera: Camera,
    pub orbit: OrbitCamera,
    worker: Worker,
    worker_ready: bool,
    /// A job waiting for the worker to load: the message and the export's bytes.
    pending: Option<(JsValue, js_sys::ArrayBuffer)>,
    job: u32,
    /// File name of the job in progress, for messages.
    job_name: String,
    pub graph: Option<GraphView>,
    pub selected: Vec<bool>,
    pub hovered: Option<usize>,
    /// Whether the analyst moved each view's camera since its graph loaded; until then
    /// the view follows the settling layout.
    pub camera_moved: [bool; 3],
    /// Whether each view's layout has settled.
    layout_done: [bool; 3],
    /// Camera of the infrastructure view.
    pub infra_camera: Camera,
    frame_requested: bool,
    frame_callback: Option<Closure<dyn FnMut()>>,
    node_buffer: Vec<f32>,
    edge_buffer: Vec<f32>,
}

pub(crate) type Shared = Rc<RefCell<App>>;

/// Starts the page. Errors that leave the page unusable are shown in it.
pub fn start() {
    crate::logger::init();
    if let Err(err) = try_start() {
        log::error!("start-up failed: {err}");
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(body) = document.body() {
                body.set_text_content(Some(&format!("DomainCAT could not start: {err}")));
            }
        }
    }
}

fn try_start() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let ui = Ui::find(&document)?;
    let panels = Panels::find(&document, &ui)?;

    let renderer = match Renderer::new(&ui.canvas) {
        Ok(renderer) => Some(renderer),
        Err(err) => {
            log::error!("graph view unavailable: {err}");
            ui.show_error(&format!(
                "{err}. Scores and tables still work; try a current Chrome, Edge or Firefox \
                 for the graph."
            ));
            None
        }
    };

    let options = WorkerOptions::new();
    options.set_type(WorkerType::Classic);
    // Relative, so the page also works when hosted under a sub-path.
    let worker = Worker::new_with_options("./worker_loader.js", &options)
        .map_err(|err| format!("could not start the scoring worker: {err:?}"))?;

    let app = Rc::new(RefCell::new(App {
        window: window.clone(),
        ui,
        panels,
        settings: Settings::default(),
        removed: Vec::new(),
        undo: Vec::new(),
        keep_selection: Vec::new(),
        shared_request: 0,
        shared_carriers: Vec::new(),
        edge_request: 0,
        pinned_edge_request: 0,
        hovered_edge: None,
        infra: None,
        infra_settings: InfraSettings::default(),
        infra_job: 0,
        infra_node: None,
        infra_camera: Camera::default(),
        renderer,
        mode: ViewMode::Flat,
        camera: Camera::default(),
        orbit: OrbitCamera::default(),
        worker,
        worker_ready: false,
        pending: None,
        job: 0,
        job_name: String::new(),
        graph: None,
        selected: Vec::new(),
        hovered: None,
        camera_moved: [false; 3],
        layout_done: [false; 3],
        frame_requested: false,
        frame_callback: None,
        node_buffer: Vec::new(),
        edge_buffer: Vec::new(),
    }));

    install_frame_callback(&app);
    install_worker_handler(&app);
    crate::input::install(&app, &document)?;
    install_debug_api(&app, &window)?;
    let shared = Rc::clone(&app);
    let sink: crate::query::ResultsSink =
        Rc::new(move |name: &str, bytes: &[u8]| load_export_bytes(&shared, name, bytes));
    crate::query::install(&document, sink)?;
    app.borrow_mut().resize();
    Ok(())
}

fn install_frame_callback(app: &Shared) {
    let weak = Rc::downgrade(app);
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(app) = weak.upgrade() {
            let mut app = app.borrow_mut();
            app.frame_requested = false;
            app.draw();
        }
    });
    app.borrow_mut().frame_callback = Some(callback);
}

fn install_worker_handler(app: &Shared) {
    let shared = Rc::clone(app);
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        shared.borrow_mut().on_worker_message(&event.data());
    });
    app.borrow()
        .worker
        .set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();

    let shared = Rc::clone(app);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let detail = Reflect::get(&event, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "unknown error".to_string());
        log::error!("scoring worker error: {detail}");
        let app = shared.borrow();
        app.ui.set_busy(None);
        app.ui.show_error(&format!(
            "The scoring worker stopped: {detail}. Reload the page."
        ));
    });
    app.borrow()
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}

/// Exposes `window.domaincat` for browser tests and the console:
/// `nodeClientPosition(name)` gives where a node (a domain, or in the infrastructure view
/// a `NAME: value` label) is drawn in client (viewport) CSS pixels, or `null`; `view()`
/// gives `"2d"`, `"3d"` or `"infra"`; `counts()` gives the nodes and edges the view has
/// (before its layout sends positions, nodes is 0).
fn install_debug_api(app: &Shared, window: &Window) -> Result<(), String> {
    let api = Object::new();

    let weak = Rc::downgrade(app);
    let position = Closure::<dyn Fn(String) -> JsValue>::new(move |name: String| {
        let Some(app) = weak.upgrade() else {
            return JsValue::NULL;
        };
        let app = app.borrow();
        match app.node_client_position(&name) {
            Some([x, y]) => Array::of2(&x.into(), &y.into()).into(),
            None => JsValue::NULL,
        }
    });
    Reflect::set(&api, &"nodeClientPosition".into(), position.as_ref())
        .map_err(|err| format!("{err:?}"))?;
    position.forget();

    let weak = Rc::downgrade(app);
    let view = Closure::<dyn Fn() -> JsValue>::new(move || {
        let Some(app) = weak.upgrade() else {
            return JsValue::NULL;
        };
        let mode = app.borrow().mode;
        JsValue::from_str(mode.name())
    });
    Reflect::set(&api, &"view".into(), view.as_ref()).map_err(|err| format!("{err:?}"))?;
    view.forget();

    let weak = Rc::downgrade(app);
    let counts = Closure::<dyn Fn() -> JsValue>::new(move || {
        let Some(app) = weak.upgrade() else {
            return JsValue::NULL;
        };
        let app = app.borrow();
        let result = Object::new();
        let edges = app.scene().map_or(0, |s| s.edge_ends.len() / 2);
        let _ = Reflect::set(&result, &"nodes".into(), &(app.node_count() as u32).into());
        let _ = Reflect::set(&result, &"edges".into(), &(edges as u32).into());
        result.into()
    });
    Reflect::set(&api, &"counts".into(), counts.as_ref()).map_err(|err| format!("{err:?}"))?;
    counts.forget();

    Reflect::set(window, &"domaincat".into(), &api).map_err(|err| format!("{err:?}"))?;
    Ok(())
}

/// Reads a file chosen or dropped by the analyst and scores it.
pub(crate) fn load_file(app: &Shared, file: File) {
    let name = file.name();
    let shared = Rc::clone(app);
    spawn_local(async move {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => match buffer.dyn_into::<js_sys::ArrayBuffer>() {
                Ok(buffer) => shared.borrow_mut().submit(&name, buffer),
                Err(_) => shared.borrow().ui.show_error(&format!(
                    "Could not read {name}: the browser returned no data."
                )),
            },
            Err(err) => {
                log::error!("reading {name} failed: {err:?}");
                shared.borrow().ui.show_error(&format!(
                    "Could not read {name}: {}",
                    describe_js_error(&err)
                ));
            }
        }
    });
}

/// Scores an export that arrived other than as a file, such as Iris query results.
fn load_export_bytes(app: &Shared, name: &str, bytes: &[u8]) {
    let buffer = Uint8Array::from(bytes).buffer();
    app.borrow_mut().submit(name, buffer);
}

/// Downloads the bundled sample export and scores it.
pub(crate) fn load_sample(app: &Shared) {
    let shared = Rc::clone(app);
    shared.borrow().ui.set_busy(Some("Downloading the sample…"));
    spawn_local(async move {
        let result = async {
            let response = gloo_net::http::Request::get(SAMPLE_URL)
                .send()
                .await
                .map_err(|err| err.to_string())?;
            if !response.ok() {
                return Err(format!("the server answered HTTP {}", response.status()));
            }
            response.binary().await.map_err(|err| err.to_string())
        }
        .await;
        match result {
            Ok(bytes) => {
                let buffer = Uint8Array::from(bytes.as_slice()).buffer();
                shared.borrow_mut().submit(SAMPLE_NAME, buffer);
            }
            Err(err) => {
                log::error!("loading the sample failed: {err}");
                let app = shared.borrow();
                app.ui.set_busy(None);
                app.ui
                    .show_error(&format!("Could not load the sample export: {err}."));
            }
        }
    });
}

pub(crate) fn describe_js_error(err: &JsValue) -> String {
    Reflect::get(err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

impl App {
    /// Sends an export to the worker as a new job; replies to older jobs are ignored.
    pub fn submit(&mut self, name: &str, bytes: js_sys::ArrayBuffer) {
        self.job += 1;
        self.job_name = name.to_string();
        self.keep_selection.clear();
        self.ui.hide_error();
        self.ui
            .set_busy(Some(&format!("Sending {name} to the scoring worker…")));
        let request = ToWorker::Score {
            job: self.job,
            file_name: name.to_string(),
            settings: self.settings.clone(),
        };
        let message = match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => message,
            Err(err) => {
                log::error!("could not encode a worker request: {err}");
                return;
            }
        };
        if self.worker_ready {
            self.post_job(&message, Some(&bytes));
        } else {
            self.pending = Some((message, bytes));
        }
    }

    /// Posts a request to the worker, moving `bytes` along with it.
    fn post_job(&self, message: &JsValue, bytes: Option<&js_sys::ArrayBuffer>) {
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"message".into(), message);
        let result = match bytes {
            Some(bytes) => {
                let _ = Reflect::set(&envelope, &"bytes".into(), bytes);
                self.worker
                    .post_message_with_transfer(&envelope, &Array::of1(bytes))
            }
            None => self.worker.post_message(&envelope),
        };
        if let Err(err) = result {
            log::error!("could not post to the worker: {err:?}");
            self.ui.set_busy(None);
            self.ui
                .show_error("Could not hand the request to the scoring worker.");
        }
    }

    fn on_worker_message(&mut self, data: &JsValue) {
        let message = Reflect::get(data, &"message".into())
            .ok()
            .map(serde_wasm_bindgen::from_value::<FromWorker>);
        let message = match message {
            Some(Ok(message)) => message,
            Some(Err(err)) => {
                log::error!("unreadable message from the worker: {err}");
                return;
            }
            None => return,
        };
        match message {
            FromWorker::Ready => {
                self.worker_ready = true;
                if let Some((message, bytes)) = self.pending.take() {
                    self.post_job(&message, Some(&bytes));
                }
            }
            FromWorker::Progress { job, stage } if job == self.job => {
                self.ui.set_busy(Some(&stage));
            }
            FromWorker::Scored { job, graph } if job == self.job => self.show_graph(*graph),
            FromWorker::Layout {
                job,
                dims,
                infra,
                iteration,
                done,
            } if job == self.job => {
                let positions = Reflect::get(data, &"positions".into())
                    .ok()
                    .and_then(|p| p.dyn_into::<Float32Array>().ok())
                    .map(|p| p.to_vec())
                    .unwrap_or_default();
                let mode = match (infra, dims) {
                    (true, _) => ViewMode::Infra,
                    (false, 3) => ViewMode::Orbit,
                    _ => ViewMode::Flat,
                };
                self.update_positions(mode, positions, iteration, done);
            }
            FromWorker::SharedPivots {
                job,
                request,
                shared,
                carriers,
            } if job == self.job && request == self.shared_request => {
                self.shared_carriers = carriers;
                self.panels.show_shared(&shared);
            }
            FromWorker::EdgeDetails {
                job,
                request,
                details,
            } if job == self.job && request == self.edge_request => {
                self.show_edge_details(&details);
            }
            FromWorker::Infra { job, graph } if job == self.job => self.show_infra(*graph),
            FromWorker::Failed { job, message } if job == self.job => {
                log::warn!("loading {} failed: {message}", self.job_name);
                self.ui.set_busy(None);
                self.ui
                    .set_status(&format!("{} was not loaded.", self.job_name));
                let kept = if self.graph.is_some() {
                    " The previous graph is still shown."
                } else {
                    ""
                };
                self.ui.show_error(&format!("{message}{kept}"));
            }
            _ => {}
        }
    }

    fn show_graph(&mut self, summary: GraphSummary) {
        log::info!(
            "scored {}: {} nodes, {} edges",
            summary.file_name,
            summary.node_count(),
            summary.edge_count()
        );
        self.ui.show_summary(&summary);
        self.ui.set_busy(Some("Laying out the graph…"));
        self.settings = summary.settings.clone();
        self.removed = summary.removed.clone();
        self.panels
            .settings
            .fill(&self.ui, &summary.settings, &summary.categories);
        self.panels
            .show_removed(self.removed.len(), self.undo.len());
        self.selected = vec![false; summary.node_count()];
        self.hovered = None;
        self.hovered_edge = None;
        self.camera_moved = [false; 3];
        self.layout_done = [false; 3];
        self.infra = None;
        self.infra_node = None;
        self.panels.show_infra_node(None);
        self.panels.show_edge(None);
        self.graph = Some(GraphView::new(summary));
        self.ui.tooltip.set_hidden(true);
        self.ui.set_layout_state(None);

        // A re-score keeps the selection of the domains that remain.
        let keep = std::mem::take(&mut self.keep_selection);
        let nodes: Vec<usize> = match &self.graph {
            Some(graph) => keep.iter().filter_map(|n| graph.node_of(n)).collect(),
            None => Vec::new(),
        };
        self.apply_selection(&nodes, SelectOp::Replace);

        match self.mode {
            ViewMode::Orbit => self.request_layout(ViewMode::Orbit),
            ViewMode::Infra => self.request_infra(),
            ViewMode::Flat => {}
        }
        self.request_frame();
    }

    /// Asks the worker for the layout `mode` shows, once per graph.
    fn request_layout(&mut self, mode: ViewMode) {
        if mode != ViewMode::Orbit || self.graph.is_none() {
            return;
        }
        let request = ToWorker::Layout {
            job: self.job,
            dims: 3,
        };
        match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => self.post_job(&message, None),
            Err(err) => log::error!("could not encode a layout request: {err}"),
        }
    }

    fn update_positions(
        &mut self,
        mode: ViewMode,
        positions: Vec<f32>,
        iteration: u32,
        done: bool,
    ) {
        let expected = match mode {
            ViewMode::Infra => self.infra.as_ref().map(|i| i.summary.labels.len() * 2),
            _ => self
                .graph
                .as_ref()
                .map(|g| g.summary.node_count() * mode.dims()),
        };
        if expected != Some(positions.len()) {
            log::error!(
                "{} layout sent {} floats, expected {expected:?}",
                mode.name(),
                positions.len()
            );
            return;
        }
        match (mode, self.graph.as_mut(), self.infra.as_mut()) {
            (ViewMode::Infra, _, Some(infra)) => infra.positions = positions,
            (_, Some(graph), _) => graph.positions[mode.dims() - 2] = positions,
            _ => return,
        }
        let slot = mode.slot();
        self.layout_done[slot] = done;
        if mode != self.mode {
            return;
        }
        self.ui.set_layout_state(Some(done));
        let empty = self.node_count() == 0;
        if done && empty {
            self.ui.set_busy(None);
            self.ui.set_status(
                "Nothing to draw: no two domains share a pivot under these settings. \
                 See the trimmed domains, or change the settings.",
            );
        } else if done {
            self.ui.set_busy(None);
            self.ui.set_status(&format!(
                "Layout settled after {iteration} iterations. Scroll to zoom, drag to {}, \
                 click a {}.",
                if mode == ViewMode::Orbit {
                    "orbit"
                } else {
                    "pan"
                },
                if mode == ViewMode::Infra {
                    "value"
                } else {
                    "domain"
                }
            ));
        } else {
            self.ui
                .set_busy(Some(&format!("Laying out… iteration {iteration}")));
        }
        if !self.camera_moved[slot] {
            self.fit_camera();
        }
        self.request_frame();
    }

    /// Shows `mode`, keeping scores and selection; the first visit to the 3D or the
    /// infrastructure view starts its layout.
    pub fn set_mode(&mut self, mode: ViewMode) {
        if mode == self.mode {
            return;
        }
        self.mode = mode;
        self.hovered = None;
        self.hovered_edge = None;
        self.ui.tooltip.set_hidden(true);
        self.ui.set_view_mode(mode.name());
        self.panels.infra_panel.set_hidden(mode != ViewMode::Infra);
        if mode == ViewMode::Infra {
            self.panels.show_edge(None);
        }
        let slot = mode.slot();
        let has_positions = match mode {
            ViewMode::Infra => self.infra.as_ref().is_some_and(|i| !i.positions.is_empty()),
            _ => self
                .graph
                .as_ref()
                .is_some_and(|g| !g.positions[mode.dims() - 2].is_empty()),
        };
        if self.graph.is_some() {
            if has_positions {
                self.ui.set_layout_state(Some(self.layout_done[slot]));
                if self.layout_done[slot] {
                    self.ui.set_status(match mode {
                        ViewMode::Flat => "Scroll to zoom, drag to pan, click a domain.",
                        ViewMode::Orbit => {
                            "Scroll to zoom, drag to orbit, right-drag to pan, click a domain."
                        }
                        ViewMode::Infra => "Scroll to zoom, drag to pan, click a value.",
                    });
                }
            } else {
                self.ui.set_layout_state(None);
                match mode {
                    ViewMode::Infra => self.request_infra(),
                    _ => {
                        self.ui.set_busy(Some("Laying out in 3D…"));
                        self.request_layout(mode);
                    }
                }
            }
        }
        if !self.camera_moved[slot] {
            self.fit_camera();
        }
        self.request_frame();
    }

    /// Asks the worker for the infrastructure graph with the current infra settings.
    pub fn request_infra(&mut self) {
        if self.graph.is_none() {
            return;
        }
        self.infra_job = self.job;
        self.ui.set_busy(Some("Building the infrastructure view…"));
        let request = ToWorker::Infra {
            job: self.job,
            settings: self.infra_settings.clone(),
        };
        match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => self.post_job(&message, None),
            Err(err) => log::error!("could not encode an infrastructure request: {err}"),
        }
    }

    fn show_infra(&mut self, summary: InfraSummary) {
        let text = format!(
            "{} of {} infrastructure values are linked, by {} links: two values are linked \
             when more than {} domains carry both.",
            summary.labels.len(),
            summary.pivot_count,
            summary.edge_shared.len(),
            summary.settings.edge_threshold
        );
        self.panels.show_infra_summary(&text);
        self.infra = Some(InfraView::new(summary));
        self.infra_node = None;
        self.panels.show_infra_node(None);
        self.camera_moved[ViewMode::Infra.slot()] = false;
        self.layout_done[ViewMode::Infra.slot()] = false;
        if self.mode == ViewMode::Infra {
            self.ui.set_layout_state(None);
        }
        self.request_frame();
    }

    pub fn request_frame(&mut self) {
        if self.frame_requested {
            return;
        }
        if let Some(callback) = &self.frame_callback {
            if self
                .window
                .request_animation_frame(callback.as_ref().unchecked_ref())
                .is_ok()
            {
                self.frame_requested = true;
            }
        }
    }

    fn view(&self) -> View {
        match self.mode {
            ViewMode::Flat => View::flat(&self.camera),
            ViewMode::Orbit => View::orbit(&self.orbit, self.camera.pixel_ratio),
            ViewMode::Infra => View::flat(&self.infra_camera),
        }
    }

    /// Returns what the current view draws: positions, risks, optional radii and edges.
    fn scene(&self) -> Option<SceneData<'_>> {
        match self.mode {
            ViewMode::Infra => {
                let infra = self.infra.as_ref()?;
                Some(SceneData {
                    positions: Positions {
                        flat: &infra.positions,
                        dims: 2,
                    },
                    risks: &infra.display_risks,
                    radii: Some(&infra.radii),
                    edge_ends: &infra.summary.edge_ends,
                    edge_weights: &infra.edge_weights,
                })
            }
            mode => {
                let graph = self.graph.as_ref()?;
                Some(SceneData {
                    positions: graph.positions(mode),
                    risks: &graph.summary.risks,
                    radii: None,
                    edge_ends: &graph.summary.edge_ends,
                    edge_weights: &graph.summary.edge_weights,
                })
            }
        }
    }

    fn draw(&mut self) {
        let view = self.view();
        let mut nodes = std::mem::take(&mut self.node_buffer);
        let mut edges = std::mem::take(&mut self.edge_buffer);
        nodes.clear();
        edges.clear();
        let infra_selection = self.infra_node.map(|n| {
            let mut flags = vec![false; n + 1];
            flags[n] = true;
            flags
        });
        if let Some(scene) = self.scene().filter(|s| !s.positions.is_empty()) {
            let selected: &[bool] = match (self.mode, &infra_selection) {
                (ViewMode::Infra, Some(flags)) => flags,
                (ViewMode::Infra, None) => &[],
                _ => &self.selected,
            };
            let highlight = Highlight {
                selected,
                hovered: self.hovered,
            };
            scene::node_instances(
                scene.positions,
                scene.risks,
                scene.radii,
                highlight,
                &mut nodes,
            );
            scene::edge_vertices(
                scene.positions,
                scene.edge_ends,
                scene.edge_weights,
                highlight,
                &mut edges,
            );
            if let Some((a, b)) = self.hovered_edge {
                append_highlighted_edge(scene.positions, a, b, &mut edges);
            }
        }
        if let Some(renderer) = self.renderer.as_mut() {
            renderer.set_scene(&nodes, &edges);
            renderer.draw(&view);
        }
        self.node_buffer = nodes;
        self.edge_buffer = edges;
    }

    pub fn resize(&mut self) {
        let rect = self.ui.canvas.get_bounding_client_rect();
        let ratio = self.window.device_pixel_ratio();
        let viewport = [rect.width().max(1.0), rect.height().max(1.0)];
        if viewport == self.camera.viewport && ratio == self.camera.pixel_ratio {
            return;
        }
        let ratio = if ratio > 0.0 { ratio } else { 1.0 };
        self.camera.viewport = viewport;
        self.camera.pixel_ratio = ratio;
        self.infra_camera.viewport = viewport;
        self.infra_camera.pixel_ratio = ratio;
        self.orbit.viewport = viewport;
        if !self.camera_moved[self.mode.slot()] {
            self.fit_camera();
        }
        self.request_frame();
    }

    fn fit_camera(&mut self) {
        let padding = f64::from(NODE_RADIUS) + PICK_SLACK + 4.0;
        match self.mode {
            ViewMode::Flat => {
                if let Some(graph) = &self.graph {
                    self.camera
                        .fit(graph.positions(ViewMode::Flat).flat, padding);
                }
            }
            ViewMode::Orbit => {
                if let Some(graph) = &self.graph {
                    self.orbit.fit(graph.positions(ViewMode::Orbit).flat);
                }
            }
            ViewMode::Infra => {
                if let Some(infra) = &self.infra {
                    let largest = infra.radii.iter().copied().fold(0.0, f32::max);
                    self.infra_camera
                        .fit(&infra.positions, f64::from(largest) + PICK_SLACK + 4.0);
                }
            }
        }
    }

    /// Fits the graph to the view and lets the view follow the layout again.
    pub fn fit(&mut self) {
        self.camera_moved[self.mode.slot()] = false;
        self.fit_camera();
        self.request_frame();
    }

    /// Records that the analyst moved the camera, so the layout stops refitting it.
    pub fn camera_was_moved(&mut self) {
        self.camera_moved[self.mode.slot()] = true;
        self.request_frame();
    }

    /// Returns the 2D camera of the current view (the domain or infrastructure camera).
    pub fn flat_camera_mut(&mut self) -> &mut Camera {
        match self.mode {
            ViewMode::Infra => &mut self.infra_camera,
            _ => &mut self.camera,
        }
    }

    /// Number of nodes the current view draws.
    pub fn node_count(&self) -> usize {
        self.scene().map_or(0, |s| s.positions.len())
    }

    /// Where node `node` of the current view is drawn, in canvas CSS pixels, its depth
    /// (1 in 2D) and its disc radius in CSS pixels; `None` before the layout or behind
    /// the 3D eye.
    pub fn project(&self, node: usize) -> Option<([f64; 2], f64, f64)> {
        let scene = self.scene()?;
        if node >= scene.positions.len() {
            return None;
        }
        let [x, y, z] = scene.positions.xyz(node).map(f64::from);
        let radius = scene
            .radii
            .and_then(|r| r.get(node))
            .map_or(f64::from(NODE_RADIUS), |&r| f64::from(r));
        match self.mode {
            ViewMode::Flat => Some((self.camera.world_to_screen([x, y]), 1.0, radius)),
            ViewMode::Infra => Some((self.infra_camera.world_to_screen([x, y]), 1.0, radius)),
            ViewMode::Orbit => {
                let (screen, depth) = self.orbit.project([x, y, z])?;
                // Matches the size scaling of the node shader.
                let scale = (self.orbit.distance / depth).clamp(0.35, 3.0);
                Some((screen, depth, radius * scale))
            }
        }
    }

    /// The node drawn under a canvas point: the nearest disc centre within reach, the
    /// front one when discs overlap equally.
    pub fn pick(&self, point: [f64; 2]) -> Option<usize> {
        let mut best: Option<(usize, f64, f64)> = None;
        for node in 0..self.node_count() {
            let Some((screen, depth, radius)) = self.project(node) else {
                continue;
            };
            let distance = (screen[0] - point[0]).hypot(screen[1] - point[1]);
            if distance > radius + PICK_SLACK {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, d, z)) => distance < d || (distance == d && depth < z),
            };
            if better {
                best = Some((node, distance, depth));
            }
        }
        best.map(|(node, _, _)| node)
    }

    pub fn set_hovered(&mut self, hovered: Option<usize>) {
        if hovered == self.hovered {
            return;
        }
        self.hovered = hovered;
        let _ = self
            .ui
            .canvas
            .class_list()
            .toggle_with_force("over-node", hovered.is_some());
        match (hovered, &self.graph, &self.infra) {
            (Some(node), _, Some(infra)) if self.mode == ViewMode::Infra => {
                let label = infra.summary.labels.get(node).map_or("", String::as_str);
                let size = infra.summary.sizes.get(node).copied().unwrap_or_default();
                let risk = match infra.summary.risks.get(node).copied().flatten() {
                    Some(risk) => format!("average risk {risk:.1}"),
                    None => "no risk scores".to_string(),
                };
                self.ui
                    .show_tooltip(&format!("{label} — {size} domains, {risk}"));
            }
            (Some(node), Some(graph), _) => {
                let name = &graph.summary.names[node];
                let risk = match graph.summary.risks[node] {
                    Some(risk) => format!("risk {risk}"),
                    None => "no risk score".to_string(),
                };
                let degree = graph.neighbours[node].len();
                let noun = if degree == 1 {
                    "connection"
                } else {
                    "connections"
                };
                self.ui
                    .show_tooltip(&format!("{name} — {risk}, {degree} {noun}"));
            }
            _ => self.ui.tooltip.set_hidden(true),
        }
        self.request_frame();
    }

    /// Applies a click on `node` (or on empty space) with `op`: a node brings its
    /// neighbours along, except when removing.
    pub fn click_select(&mut self, node: Option<usize>, op: SelectOp) {
        if self.mode == ViewMode::Infra {
            self.show_infra_node(node);
            return;
        }
        if node.is_none() && op == SelectOp::Replace {
            if let Some((a, b)) = self.hovered_edge {
                // A click on an edge keeps its details on screen.
                self.request_edge_details(a, b);
                self.pinned_edge_request = self.edge_request;
                return;
            }
        }
        let Some(graph) = &self.graph else {
            return;
        };
        let nodes = match (node, op) {
            (None, SelectOp::Replace) => Vec::new(),
            (None, _) => return,
            (Some(node), SelectOp::Remove) => vec![node],
            (Some(node), _) => {
                let mut nodes = vec![node];
                nodes.extend(graph.neighbours[node].iter().map(|&n| n as usize));
                nodes
            }
        };
        self.apply_selection(&nodes, op);
    }

    /// Changes the selection by `nodes` according to `op`.
    pub fn apply_selection(&mut self, nodes: &[usize], op: SelectOp) {
        if self.graph.is_none() || self.mode == ViewMode::Infra {
            return;
        }
        if op == SelectOp::Replace {
            self.selected.iter_mut().for_each(|s| *s = false);
        }
        for &node in nodes {
            if let Some(flag) = self.selected.get_mut(node) {
                *flag = op != SelectOp::Remove;
            }
        }
        self.show_selection();
    }

    pub fn clear_selection(&mut self) {
        self.apply_selection(&[], SelectOp::Replace);
    }

    /// Selected domain names, longest first, then alphabetically.
    pub fn selected_names(&self) -> Vec<&str> {
        let Some(graph) = &self.graph else {
            return Vec::new();
        };
        let mut names: Vec<&str> = self
            .selected
            .iter()
            .enumerate()
            .filter(|(_, &s)| s)
            .filter_map(|(n, _)| graph.summary.names.get(n).map(String::as_str))
            .collect();
        names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        names
    }

    fn show_selection(&mut self) {
        let names = self.selected_names();
        self.ui.set_selection(&names);
        let count = names.len();
        self.request_shared_pivots(count);
        self.request_frame();
    }

    /// Asks the worker for the shared pivots of the selection, or clears the panel when
    /// fewer than 3 domains are selected.
    fn request_shared_pivots(&mut self, selected: usize) {
        self.shared_request += 1;
        if selected < domaincat_core::selection::DEFAULT_MIN_DOMAINS {
            self.shared_carriers.clear();
            self.panels.clear_shared(selected);
            return;
        }
        let nodes: Vec<u32> = self
            .selected
            .iter()
            .enumerate()
            .filter(|(_, &s)| s)
            .map(|(n, _)| n as u32)
            .collect();
        let request = ToWorker::SharedPivots {
            job: self.job,
            request: self.shared_request,
            nodes,
        };
        match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => self.post_job(&message, None),
            Err(err) => log::error!("could not encode a shared-pivot request: {err}"),
        }
    }

    /// Selects every graph node carrying the pivot of row `row` of the shared table.
    pub fn select_table_row(&mut self, row: usize) {
        let Some(nodes) = self.shared_carriers.get(row) else {
            return;
        };
        let nodes: Vec<usize> = nodes.iter().map(|&n| n as usize).collect();
        self.apply_selection(&nodes, SelectOp::Replace);
    }

    /// Sets the edge under the cursor and requests its pivots from the worker.
    pub fn set_hovered_edge(&mut self, edge: Option<(u32, u32)>) {
        if edge == self.hovered_edge {
            return;
        }
        self.hovered_edge = edge;
        if let Some((a, b)) = edge {
            self.request_edge_details(a, b);
        } else {
            self.ui.tooltip.set_hidden(true);
        }
        self.request_frame();
    }

    fn request_edge_details(&mut self, a: u32, b: u32) {
        self.edge_request += 1;
        let request = ToWorker::EdgeDetails {
            job: self.job,
            request: self.edge_request,
            a,
            b,
        };
        match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => self.post_job(&message, None),
            Err(err) => log::error!("could not encode an edge request: {err}"),
        }
    }

    fn show_edge_details(&mut self, details: &serde_json::Value) {
        if self.edge_request == self.pinned_edge_request {
            self.panels.show_edge(Some(details));
        }
        if self.hovered_edge.is_some() && self.hovered.is_none() {
            let names: Vec<&str> = details["names"]
                .as_array()
                .map(|n| n.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let weight = details["weight"].as_f64().unwrap_or_default();
            let counted: Vec<&str> = details["pivots"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter(|p| p["counted"].as_bool() == Some(true))
                        .filter_map(|p| p["category"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            self.ui.show_tooltip(&format!(
                "{} — weight {weight:.2}: {}",
                names.join(" ↔ "),
                counted.join(", ")
            ));
        }
    }

    /// Returns the edge nearest to a canvas point within a few pixels, when no node is there.
    pub fn pick_edge(&self, point: [f64; 2]) -> Option<(u32, u32)> {
        if self.mode == ViewMode::Infra {
            return None;
        }
        let scene = self.scene()?;
        let reach = 3.5;
        let mut best: Option<((u32, u32), f64)> = None;
        for ends in scene.edge_ends.chunks_exact(2) {
            let (Some((a, _, _)), Some((b, _, _))) = (
                self.project(ends[0] as usize),
                self.project(ends[1] as usize),
            ) else {
                continue;
            };
            let distance = crate::shapes::segment_distance(point, a, b);
            if distance <= reach && best.is_none_or(|(_, d)| distance < d) {
                best = Some(((ends[0], ends[1]), distance));
            }
        }
        best.map(|(edge, _)| edge)
    }

    /// Scores the export again with `settings`, keeping the selection of remaining
    /// domains.
    pub fn rescore(&mut self, settings: Settings) {
        if self.graph.is_none() {
            self.settings = settings;
            return;
        }
        self.keep_selection = self
            .selected_names()
            .into_iter()
            .map(String::from)
            .collect();
        self.job += 1;
        self.ui.hide_error();
        self.ui
            .set_busy(Some("Scoring again with the new settings…"));
        let request = ToWorker::Rescore {
            job: self.job,
            settings,
            removed: self.removed.clone(),
        };
        match serde_wasm_bindgen::to_value(&request) {
            Ok(message) => self.post_job(&message, None),
            Err(err) => log::error!("could not encode a re-score request: {err}"),
        }
    }

    /// Removes `names` from scoring (undoable) and scores again.
    pub fn remove_domains(&mut self, names: &[String]) {
        let Some(graph) = &self.graph else {
            return;
        };
        // Only domains of this export count; others are named back to the analyst.
        let known = |name: &str| {
            graph.summary.names.iter().any(|n| n == name)
                || graph.summary.trimmed.iter().any(|(n, _)| n == name)
        };
        let mut removed = self.removed.clone();
        let mut unknown = Vec::new();
        for name in names {
            let name = domaincat_core::iris::normalize_domain(name);
            if name.is_empty() || removed.contains(&name) {
                continue;
            }
            if known(&name) {
                removed.push(name);
            } else if !unknown.contains(&name) {
                unknown.push(name);
            }
        }
        let changed = removed.len() != self.removed.len();
        if changed {
            self.undo
                .push(std::mem::replace(&mut self.removed, removed));
            let settings = self.settings.clone();
            self.rescore(settings);
        }
        // After the re-score request, which clears earlier errors.
        if !unknown.is_empty() {
            let shown: Vec<&str> = unknown.iter().take(10).map(String::as_str).collect();
            let more = if unknown.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            self.ui.show_error(&format!(
                "{} entries are not domains of this graph and were not removed: {}{more}",
                unknown.len(),
                shown.join(", ")
            ));
        }
    }

    /// Restores the domains of the last removal and scores again.
    pub fn undo_removal(&mut self) {
        let Some(previous) = self.undo.pop() else {
            return;
        };
        self.removed = previous;
        let settings = self.settings.clone();
        self.rescore(settings);
    }

    fn show_infra_node(&mut self, node: Option<usize>) {
        self.infra_node = node;
        let listed = node.and_then(|n| {
            let infra = self.infra.as_ref()?;
            Some((
                infra.summary.labels.get(n)?.as_str(),
                infra.summary.domains.get(n)?.as_slice(),
            ))
        });
        self.panels.show_infra_node(listed);
        self.request_frame();
    }

    /// Selects the domains of the listed infrastructure node in the 2D domain view.
    pub fn select_infra_domains(&mut self) {
        let names: Vec<String> = match (self.infra_node, &self.infra) {
            (Some(node), Some(infra)) => {
                infra.summary.domains.get(node).cloned().unwrap_or_default()
            }
            _ => return,
        };
        self.set_mode(ViewMode::Flat);
        let nodes: Vec<usize> = match &self.graph {
            Some(graph) => names.iter().filter_map(|n| graph.node_of(n)).collect(),
            None => return,
        };
        self.apply_selection(&nodes, SelectOp::Replace);
    }

    fn node_client_position(&self, name: &str) -> Option<[f64; 2]> {
        let node = match self.mode {
            ViewMode::Infra => {
                let infra = self.infra.as_ref()?;
                infra.summary.labels.iter().position(|n| n == name)?
            }
            _ => self.graph.as_ref()?.node_of(name)?,
        };
        let (screen, _, _) = self.project(node)?;
        let rect = self.ui.canvas.get_bounding_client_rect();
        Some([rect.left() + screen[0], rect.top() + screen[1]])
    }
}

/// What a view draws, borrowed from its graph.
struct SceneData<'a> {
    positions: Positions<'a>,
    risks: &'a [Option<f64>],
    radii: Option<&'a [f32]>,
    edge_ends: &'a [u32],
    edge_weights: &'a [f32],
}

/// Draws the hovered edge once more, bright and opaque, over the others.
fn append_highlighted_edge(positions: Positions<'_>, a: u32, b: u32, out: &mut Vec<f32>) {
    let (a, b) = (a as usize, b as usize);
    if a >= positions.len() || b >= positions.len() {
        return;
    }
    for node in [a, b] {
        let [x, y, z] = positions.xyz(node);
        out.extend_from_slice(&[x, y, z, 1.0, 0.85, 0.3, 1.0]);
    }
}
