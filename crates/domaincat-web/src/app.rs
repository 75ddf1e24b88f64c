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
use wasm_bindgen_futures::spawn_local;
use web_sys::{Blob, File, MessageEvent, Window, Worker, WorkerOptions, WorkerType};

use domaincat_core::infra::InfraSettings;
use domaincat_core::settings::Settings;

use crate::panels::Panels;
use crate::protocol::{FromWorker, GraphSummary, InfraSummary, ToWorker};
use crate::render::camera::Camera;
use crate::render::orbit::OrbitCamera;
use crate::render::scene::{self, EdgeBudget, Highlight, Positions, NODE_RADIUS};
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
        // With part of the edges, neighbours come from the worker on demand.
        let ends = if summary.has_every_edge() {
            summary.edge_ends.as_slice()
        } else {
            &[]
        };
        for ends in ends.chunks_exact(2) {
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
    /// The page's own handle, for workers' message handlers.
    this: std::rc::Weak<RefCell<App>>,
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
    /// The worker holding the export and scoring on screen; it serves layout, shared
    /// pivot, neighbour, edge and infrastructure requests.
    worker: Option<JobWorker>,
    /// The worker scoring the next graph, replacing `worker` when it succeeds.
    loading: Option<Loading>,
    /// Serial number of the latest worker started.
    worker_serial: u32,
    /// The export on screen, kept to score it again with other settings.
    export: Option<(String, Blob)>,
    /// Latest neighbour request and the selection operation for its reply.
    neighbours_request: (u32, SelectOp),
    /// Job of the graph on screen; requests to its worker carry it.
    job: u32,
    /// The latest job started.
    last_job: u32,
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
    /// Frames drawn since the page started.
    frames: u64,
    /// Main-thread time spent building and submitting those frames, in milliseconds.
    draw_ms: f64,
    frame_callback: Option<Closure<dyn FnMut()>>,
    node_buffer: Vec<f32>,
    /// Edge vertices of the last upload.
    edge_vertices: Vec<f32>,
    /// Edges a frame draws while the view moves, adapted to the frame rate.
    edge_limit: f64,
    /// The view matrix of the last frame and when the view last changed.
    last_matrix: Option<[f32; 16]>,
    view_changed_at: f64,
    last_frame_at: Option<f64>,
    was_moving: bool,
    /// Bumped whenever positions change.
    positions_version: u64,
    /// Edges the view draws at rest: the first of `edge_budget`.
    edges_shown: usize,
    /// The edge note on screen: edges drawn, edges in the graph, and whether edges in
    /// view were left out.
    edge_note: Option<(usize, u64, bool)>,
    /// The edges drawn, chosen within [`EDGE_BUDGET`] by zoom.
    edge_budget: EdgeBudget,
    /// View, job and visible rectangle that `edge_budget` was chosen for.
    budget_key: Option<(ViewMode, u32, Option<[f32; 4]>)>,
    /// Set when positions changed since `edge_budget` was chosen.
    budget_stale: bool,
    /// When `edge_budget` was last chosen, in milliseconds.
    budget_time: f64,
    /// Bumped whenever `edge_budget` or the selection changes.
    budget_version: u64,
    selection_version: u64,
    /// Inputs of the uploaded edge vertices.
    edge_key: Option<EdgeKey>,
}

/// At most this many edges are drawn at once; zooming in spends them on what is in view.
pub(crate) const EDGE_BUDGET: usize = 100_000;

/// The edge budget is chosen again at most this often while the view moves.
const BUDGET_INTERVAL_MS: f64 = 150.0;

/// A view unchanged for this long is at rest and gets its full set of edges.
const REST_MS: f64 = 250.0;
/// Frames slower than this while the view moves make the next ones draw fewer edges;
/// frames faster than `FAST_FRAME_MS`, more.
const SLOW_FRAME_MS: f64 = 40.0;
const FAST_FRAME_MS: f64 = 25.0;
/// Bounds and start of the number of edges drawn while the view moves.
const MIN_EDGE_LIMIT: f64 = 1000.0;
const INITIAL_EDGE_LIMIT: f64 = 25_000.0;
/// A view at rest draws at least this many edges, however slow the GPU.
const REST_EDGES: usize = 20_000;

/// The inputs of the uploaded edge instances: a new key means a new upload.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EdgeKey {
    mode: ViewMode,
    budget_version: u64,
    selection_version: u64,
    positions_version: u64,
    /// Edges in the buffer at most.
    built: usize,
    hovered: Option<usize>,
    hovered_edge: Option<(u32, u32)>,
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

    let app = Rc::new_cyclic(|this| {
        RefCell::new(App {
            this: this.clone(),
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
            worker: None,
            loading: None,
            worker_serial: 0,
            export: None,
            neighbours_request: (0, SelectOp::Replace),
            job: 0,
            last_job: 0,
            job_name: String::new(),
            graph: None,
            selected: Vec::new(),
            hovered: None,
            camera_moved: [false; 3],
            layout_done: [false; 3],
            frame_requested: false,
            frames: 0,
            draw_ms: 0.0,
            frame_callback: None,
            node_buffer: Vec::new(),
            edge_vertices: Vec::new(),
            edge_limit: INITIAL_EDGE_LIMIT,
            last_matrix: None,
            view_changed_at: f64::NEG_INFINITY,
            last_frame_at: None,
            was_moving: false,
            positions_version: 0,
            edges_shown: 0,
            edge_note: None,
            edge_budget: EdgeBudget::default(),
            budget_key: None,
            budget_stale: true,
            budget_time: f64::NEG_INFINITY,
            budget_version: 0,
            selection_version: 0,
            edge_key: None,
        })
    });

    install_frame_callback(&app);
    install_context_handlers(&app)?;
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

/// Installs the handlers that redraw the graph after a lost WebGL context. The browser
/// may drop a context on a GPU reset, with too many contexts or on a driver update. Once
/// it is restored, the programs and buffers are made again and the graph is redrawn with
/// the same view and selection.
fn install_context_handlers(app: &Shared) -> Result<(), String> {
    let canvas = app.borrow().ui.canvas.clone();
    let weak = Rc::downgrade(app);
    crate::input::listen::<web_sys::Event>(&canvas, "webglcontextlost", move |event| {
        // Without this the browser never restores the context.
        event.prevent_default();
        let Some(app) = weak.upgrade() else {
            return;
        };
        let mut app = app.borrow_mut();
        log::warn!("the WebGL context was lost; waiting for the browser to restore it");
        app.renderer = None;
        app.ui.set_status(
            "The graphics context was lost; the graph is redrawn once the browser restores it.",
        );
    })?;
    let weak = Rc::downgrade(app);
    crate::input::listen::<web_sys::Event>(&canvas, "webglcontextrestored", move |_| {
        let Some(app) = weak.upgrade() else {
            return;
        };
        let mut app = app.borrow_mut();
        match Renderer::new(&app.ui.canvas) {
            Ok(renderer) => {
                log::info!("the WebGL context was restored; redrawing");
                app.renderer = Some(renderer);
                // Everything on the GPU is gone: upload it all again.
                app.edge_key = None;
                app.budget_key = None;
                app.ui.set_status("The graphics context was restored.");
                app.request_frame();
            }
            Err(err) => {
                log::error!("the WebGL context came back unusable: {err}");
                app.ui.show_error(&format!(
                    "The graph view could not be restored: {err}. Reload the page to draw it \
                     again; scores and tables still work."
                ));
            }
        }
    })?;
    Ok(())
}

/// A scoring worker with its message handlers; dropping it ends the worker.
pub(crate) struct JobWorker {
    worker: Worker,
    serial: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl JobWorker {
    /// Starts a worker whose messages reach `app` tagged with `serial`.
    fn start(app: &Shared, serial: u32) -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        // Relative, so the page also works when hosted under a sub-path.
        let worker = Worker::new_with_options("./worker_loader.js", &options).map_err(|err| {
            format!(
                "could not start a scoring worker: {}",
                describe_js_error(&err)
            )
        })?;
        let weak = Rc::downgrade(app);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(app) = weak.upgrade() {
                app.borrow_mut().on_worker_message(serial, &event.data());
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let weak = Rc::downgrade(app);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Keeps the error from also reaching the page's console as uncaught.
            event.prevent_default();
            let detail = Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unknown error".to_string());
            if let Some(app) = weak.upgrade() {
                app.borrow_mut().on_worker_error(serial, &detail);
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(JobWorker {
            worker,
            serial,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Posts a request, with the export attached when given (a `Blob` is passed by
    /// reference, not copied).
    fn post(&self, message: &JsValue, export: Option<&Blob>) -> Result<(), String> {
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"message".into(), message);
        if let Some(export) = export {
            let _ = Reflect::set(&envelope, &"export".into(), export);
        }
        self.worker
            .post_message(&envelope)
            .map_err(|err| describe_js_error(&err))
    }
}

impl Drop for JobWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// An export being scored in a worker of its own.
struct Loading {
    job: u32,
    worker: JobWorker,
    name: String,
    /// The export, kept for re-scoring once the graph is shown.
    export: Blob,
    /// The request and the export to send with it, until the worker is ready.
    request: Option<(JsValue, Blob)>,
    /// Settings, removed domains and undo stack that come with the new graph.
    settings: Settings,
    removed: Vec<String>,
    undo: Vec<Vec<String>>,
}

/// The latest request: the export, settings, removed domains and undo
/// stack of the job loading, or else of the graph on screen. Changes made while a job
/// loads build on it, so none of them is lost.
struct Requested {
    name: String,
    export: Blob,
    settings: Settings,
    removed: Vec<String>,
    undo: Vec<Vec<String>>,
}

/// Exposes `window.domaincat` for browser tests and the console.
///
/// - `nodeClientPosition(name)`: where a node (a domain, or in the infrastructure view a
///   `NAME: value` label) is drawn, in client (viewport) CSS pixels, or `null`.
/// - `view()`: `"2d"`, `"3d"` or `"infra"`.
/// - `counts()`: the nodes the view has (0 before its layout sends positions), the edges
///   it draws, the edges of its graph (`totalEdges`), the frames drawn so far, and
///   whether the view is at rest with its last frame drawn (`resting`).
/// - `stages()`: the scoring stage times in milliseconds, and the worker's memory in
///   bytes (`workerMemory`).
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
        let edges = app.edges_shown;
        let _ = Reflect::set(&result, &"nodes".into(), &(app.node_count() as u32).into());
        let _ = Reflect::set(&result, &"edges".into(), &(edges as u32).into());
        let total = app.scene().map_or(0, |s| s.total_edges);
        let _ = Reflect::set(&result, &"totalEdges".into(), &(total as f64).into());
        let _ = Reflect::set(&result, &"frames".into(), &(app.frames as f64).into());
        let _ = Reflect::set(&result, &"drawMs".into(), &app.draw_ms.into());
        let resting = !app.was_moving && !app.frame_requested;
        let _ = Reflect::set(&result, &"resting".into(), &resting.into());
        result.into()
    });
    Reflect::set(&api, &"counts".into(), counts.as_ref()).map_err(|err| format!("{err:?}"))?;
    counts.forget();

    let weak = Rc::downgrade(app);
    let stages = Closure::<dyn Fn() -> JsValue>::new(move || {
        let Some(app) = weak.upgrade() else {
            return JsValue::NULL;
        };
        let app = app.borrow();
        let result = Object::new();
        if let Some(graph) = &app.graph {
            for (stage, ms) in &graph.summary.stage_ms {
                let _ = Reflect::set(&result, &stage.into(), &(*ms).into());
            }
            let memory = graph.summary.worker_memory as f64;
            let _ = Reflect::set(&result, &"workerMemory".into(), &memory.into());
        }
        result.into()
    });
    Reflect::set(&api, &"stages".into(), stages.as_ref()).map_err(|err| format!("{err:?}"))?;
    stages.forget();

    Reflect::set(window, &"domaincat".into(), &api).map_err(|err| format!("{err:?}"))?;
    Ok(())
}

/// Scores a file chosen or dropped by the analyst. The worker reads it; the page holds
/// only the `File`, which the browser keeps on disk.
pub(crate) fn load_file(app: &Shared, file: File) {
    let name = file.name();
    app.borrow_mut().submit(&name, file.into());
}

/// Scores an export that arrived other than as a file, such as Iris query results.
fn load_export_bytes(app: &Shared, name: &str, bytes: &[u8]) {
    match blob_of(bytes) {
        Ok(blob) => app.borrow_mut().submit(name, blob),
        Err(err) => {
            log::error!("could not hold {name} in memory: {err}");
            app.borrow()
                .ui
                .show_error(&format!("Could not load {name}: {err}."));
        }
    }
}

/// Wraps bytes in a `Blob` to hand to a worker.
fn blob_of(bytes: &[u8]) -> Result<Blob, String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).map_err(|err| describe_js_error(&err))
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
            Ok(bytes) => load_export_bytes(&shared, SAMPLE_NAME, &bytes),
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
    /// Scores an export in a new worker with the current settings, as a new job.
    pub fn submit(&mut self, name: &str, export: Blob) {
        self.keep_selection.clear();
        let settings = self.settings.clone();
        self.start_job(name, export, settings, Vec::new(), Vec::new());
    }

    /// Starts a new job: scores `export` with `settings` without the `removed`
    /// domains in a new worker, ending any job still loading. The graph on screen stays
    /// until the new one arrives, and `undo` becomes the undo stack then.
    fn start_job(
        &mut self,
        name: &str,
        export: Blob,
        settings: Settings,
        removed: Vec<String>,
        undo: Vec<Vec<String>>,
    ) {
        self.loading = None;
        self.last_job += 1;
        let job = self.last_job;
        self.job_name = name.to_string();
        self.ui.hide_error();
        self.ui
            .set_busy(Some(&format!("Starting a scoring worker for {name}…")));
        self.ui.set_cancellable(true);
        let Some(app) = self.this.upgrade() else {
            return;
        };
        self.worker_serial += 1;
        let worker = match JobWorker::start(&app, self.worker_serial) {
            Ok(worker) => worker,
            Err(err) => {
                log::error!("{err}");
                return self.fail_job(&format!("Could not score {name}: {err}."));
            }
        };
        let request = ToWorker::Score {
            job,
            file_name: name.to_string(),
            settings: settings.clone(),
            removed: removed.clone(),
        };
        let request = match serde_wasm_bindgen::to_value(&request) {
            Ok(request) => request,
            Err(err) => {
                log::error!("could not encode a worker request: {err}");
                return self.fail_job(&format!("Could not score {name}: {err}."));
            }
        };
        self.loading = Some(Loading {
            job,
            worker,
            name: name.to_string(),
            request: Some((request, export.clone())),
            export,
            settings,
            removed,
            undo,
        });
    }

    /// Puts the settings panel and removal counts back to those of the graph on screen,
    /// after a re-score that did not replace it.
    fn show_settings_in_effect(&self) {
        if let Some(graph) = &self.graph {
            self.panels
                .settings
                .fill(&self.ui, &graph.summary.settings, &graph.summary.categories);
            self.panels
                .show_removed(self.removed.len(), self.undo.len());
        }
    }

    /// Stops the export being loaded; the graph on screen stays.
    pub fn cancel_job(&mut self) {
        let Some(loading) = self.loading.take() else {
            return;
        };
        log::info!("loading {} cancelled", loading.name);
        self.keep_selection.clear();
        self.show_settings_in_effect();
        self.ui.set_busy(None);
        self.ui.set_cancellable(false);
        let kept = if self.graph.is_some() {
            " The previous graph is still shown."
        } else {
            ""
        };
        self.ui
            .set_status(&format!("Loading {} was cancelled.{kept}", loading.name));
    }

    /// Ends the job in progress with `message`, keeping what is on screen.
    fn fail_job(&mut self, message: &str) {
        self.loading = None;
        self.keep_selection.clear();
        self.show_settings_in_effect();
        log::warn!("loading {} failed: {message}", self.job_name);
        self.ui.set_busy(None);
        self.ui.set_cancellable(false);
        self.ui
            .set_status(&format!("{} was not loaded.", self.job_name));
        let kept = if self.graph.is_some() {
            " The previous graph, its settings and selection are still shown."
        } else {
            ""
        };
        self.ui.show_error(&format!("{message}{kept}"));
    }

    /// Posts a request to the worker of the graph on screen.
    fn post_job(&self, message: &JsValue) {
        let Some(worker) = &self.worker else {
            return;
        };
        if let Err(err) = worker.post(message, None) {
            log::error!("could not post to the worker: {err}");
            self.ui
                .show_error("Could not hand the request to the scoring worker.");
        }
    }

    fn on_worker_error(&mut self, serial: u32, detail: &str) {
        log::error!("scoring worker {serial} stopped: {detail}");
        if self
            .loading
            .as_ref()
            .is_some_and(|l| l.worker.serial == serial)
        {
            // WebAssembly traps with `unreachable` when an allocation fails, and on a
            // panic, since the worker is built to abort on panics.
            let cause = if detail.contains("unreachable") || detail.contains("memory") {
                "it ran out of memory or hit an internal error".to_string()
            } else {
                detail.to_string()
            };
            self.fail_job(&format!(
                "The scoring worker stopped while reading {}: {cause}. The export may be too \
                 large for this tab's memory: try a smaller export, or a count threshold or \
                 a larger minimum pivot size in the settings.",
                self.job_name
            ));
        } else if self.worker.as_ref().is_some_and(|w| w.serial == serial) {
            self.worker = None;
            self.ui.set_busy(None);
            self.ui.show_error(&format!(
                "The scoring worker stopped: {detail}. The graph stays on screen, but \
                 shared pivots, edge details and new layouts need the export loaded again."
            ));
        }
    }

    fn on_worker_message(&mut self, serial: u32, data: &JsValue) {
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
        let from_loading = self
            .loading
            .as_ref()
            .is_some_and(|l| l.worker.serial == serial);
        if from_loading {
            return self.on_loading_message(message, data);
        }
        if self.worker.as_ref().is_none_or(|w| w.serial != serial) {
            return;
        }
        match message {
            FromWorker::Layout {
                job,
                dims,
                infra,
                iteration,
                done,
            } if job == self.job => {
                let positions = attached::<Float32Array>(data, "positions")
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
                totals,
            } if job == self.job && request == self.shared_request => {
                self.shared_carriers = carriers;
                self.panels.show_shared(&shared, totals);
            }
            FromWorker::EdgeDetails {
                job,
                request,
                details,
            } if job == self.job && request == self.edge_request => {
                self.show_edge_details(&details);
            }
            FromWorker::Neighbours {
                job,
                request,
                node,
                neighbours,
            } if job == self.job && request == self.neighbours_request.0 => {
                let mut nodes = vec![node as usize];
                nodes.extend(neighbours.iter().map(|&n| n as usize));
                self.apply_selection(&nodes, self.neighbours_request.1);
            }
            FromWorker::Infra { job, graph } if job == self.job => self.show_infra(*graph),
            FromWorker::Failed { job, message } if job == self.job => {
                log::warn!("a request for {} failed: {message}", self.job_name);
                self.ui.set_busy(None);
                self.ui.show_error(&message);
            }
            _ => {}
        }
    }

    /// Handles a message of the worker scoring the next graph.
    fn on_loading_message(&mut self, message: FromWorker, data: &JsValue) {
        let loading_job = self.loading.as_ref().map(|l| l.job);
        match message {
            FromWorker::Ready => {
                let Some(loading) = self.loading.as_mut() else {
                    return;
                };
                if let Some((request, export)) = loading.request.take() {
                    if let Err(err) = loading.worker.post(&request, Some(&export)) {
                        log::error!("could not post to the worker: {err}");
                        self.fail_job(&format!(
                            "Could not hand the export to the scoring worker: {err}."
                        ));
                    }
                }
            }
            FromWorker::Progress { job, stage } if Some(job) == loading_job => {
                self.ui.set_busy(Some(&stage));
            }
            FromWorker::Scored { job, graph } if Some(job) == loading_job => {
                let Some(loading) = self.loading.take() else {
                    return;
                };
                self.job = job;
                let mut summary = *graph;
                summary.edge_ends = attached::<js_sys::Uint32Array>(data, "edgeEnds")
                    .map(|a| a.to_vec())
                    .unwrap_or_default();
                summary.edge_weights = attached::<Float32Array>(data, "edgeWeights")
                    .map(|a| a.to_vec())
                    .unwrap_or_default();
                if summary.edge_ends.len() != summary.edge_weights.len() * 2 {
                    log::error!(
                        "the worker sent {} edge ends for {} weights",
                        summary.edge_ends.len(),
                        summary.edge_weights.len()
                    );
                    summary.edge_ends.clear();
                    summary.edge_weights.clear();
                }
                // The new worker contains the new export, so the old one ends here.
                self.worker = Some(loading.worker);
                self.export = Some((loading.name, loading.export));
                self.undo = loading.undo;
                self.ui.set_cancellable(false);
                self.show_graph(summary);
            }
            FromWorker::Failed { job, message } if Some(job) == loading_job => {
                self.fail_job(&message)
            }
            _ => {}
        }
    }

    fn show_graph(&mut self, summary: GraphSummary) {
        let stages: Vec<String> = summary
            .stage_ms
            .iter()
            .map(|(stage, ms)| format!("{stage} {ms:.0} ms"))
            .collect();
        log::info!(
            "scored {}: {} nodes, {} edges ({} sent); {}",
            summary.file_name,
            summary.node_count(),
            summary.edge_count(),
            summary.edge_weights.len(),
            stages.join(", ")
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
        self.selection_version += 1;
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
            Ok(message) => self.post_job(&message),
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
        self.budget_stale = true;
        self.positions_version += 1;
        if mode != self.mode {
            return;
        }
        self.ui.set_layout_state(Some(done));
        let empty = self.node_count() == 0;
        if done && empty {
            self.ui.set_busy(None);
            let all_inactive = self.graph.as_ref().is_some_and(|g| {
                g.summary.trimmed_count == 0
                    && g.summary.inactive > 0
                    && g.summary.settings.active_domains_only
            });
            self.ui.set_status(if all_inactive {
                "Nothing to draw: every usable record is inactive. Untick Active domains only \
                 in the scoring settings to include them."
            } else {
                "Nothing to draw: no two domains share a pivot under these settings. \
                 See the trimmed domains, or change the settings."
            });
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
            Ok(message) => self.post_job(&message),
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
                    total_edges: infra.edge_weights.len() as u64,
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
                    total_edges: graph.summary.total_edges,
                })
            }
        }
    }

    fn draw(&mut self) {
        self.frames += 1;
        let view = self.view();
        let now = self.window.performance().map_or(0.0, |p| p.now());
        self.draw_inner(view, now);
        let spent = self.window.performance().map_or(0.0, |p| p.now()) - now;
        self.draw_ms += spent;
    }

    fn draw_inner(&mut self, view: View, now: f64) {
        let moving = self.pace_frame(&view, now);
        let mut renderer = self.renderer.take();
        let mut nodes = std::mem::take(&mut self.node_buffer);
        let mut budget = std::mem::take(&mut self.edge_budget);
        let mut vertices = std::mem::take(&mut self.edge_vertices);
        nodes.clear();
        let infra_selection = self.infra_node.map(|n| {
            let mut flags = vec![false; n + 1];
            flags[n] = true;
            flags
        });
        let visible = self.visible_rect();
        let budget_key = (self.mode, self.job, visible);
        let new_view = self
            .budget_key
            .is_none_or(|(mode, job, _)| (mode, job) != (self.mode, self.job));
        let budget_changed = self.budget_key != Some(budget_key) || self.budget_stale;
        let budget_due =
            budget_changed && (new_view || now - self.budget_time >= BUDGET_INTERVAL_MS);
        let budget_waits = budget_changed && !budget_due;
        let budget_version = self.budget_version + u64::from(budget_due);
        // At rest a frame may draw four times what keeps a moving view at frame rate, and
        // never fewer than `REST_EDGES`.
        let rest_limit = ((self.edge_limit * 4.0) as usize).clamp(REST_EDGES, EDGE_BUDGET);
        let limit = if moving {
            self.edge_limit as usize
        } else {
            rest_limit
        };
        let edge_key = EdgeKey {
            mode: self.mode,
            budget_version,
            selection_version: self.selection_version,
            positions_version: self.positions_version,
            built: rest_limit,
            hovered: self.hovered,
            hovered_edge: self.hovered_edge,
        };
        let mut note = None;
        let mut drawn_scene = false;
        let mut edges_shown = 0;
        if let Some(scene) = self.scene().filter(|s| !s.positions.is_empty()) {
            drawn_scene = true;
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
            if budget_due {
                scene::choose_edges(
                    scene.positions,
                    scene.edge_ends,
                    visible,
                    EDGE_BUDGET,
                    &mut budget,
                );
            }
            let shown = budget.drawn.len().min(rest_limit);
            edges_shown = shown;
            let truncated = budget.truncated || shown < budget.drawn.len();
            note = Some((shown, scene.total_edges, truncated));
            if let Some(renderer) = renderer.as_mut() {
                renderer.set_nodes(&nodes);
                if self.edge_key != Some(edge_key) {
                    let extra = scene::edge_vertices(
                        scene.positions,
                        scene.edge_ends,
                        scene.edge_weights,
                        &budget.drawn[..shown],
                        highlight,
                        self.hovered_edge,
                        &mut vertices,
                    );
                    renderer.set_edges(&vertices, extra);
                }
            }
        }
        if drawn_scene {
            self.edges_shown = edges_shown;
            self.edge_key = Some(edge_key);
            if budget_due {
                self.budget_key = Some(budget_key);
                self.budget_stale = false;
                self.budget_time = now;
                self.budget_version = budget_version;
            }
        } else if self.edge_key.is_some() {
            // Nothing to draw: clear what the GPU still holds.
            self.edges_shown = 0;
            vertices.clear();
            budget = EdgeBudget::default();
            if let Some(renderer) = renderer.as_mut() {
                renderer.set_nodes(&[]);
                renderer.set_edges(&[], 0);
            }
            self.edge_key = None;
            self.budget_key = None;
            note = Some((0, 0, false));
        }
        if let Some(renderer) = renderer.as_ref() {
            renderer.draw(&view, limit);
        }
        self.renderer = renderer;
        if note != self.edge_note && !moving {
            if let Some((drawn, total, truncated)) = note {
                self.ui.set_edge_note(drawn, total, truncated);
            }
            self.edge_note = note;
        }
        self.node_buffer = nodes;
        self.edge_vertices = vertices;
        self.edge_budget = budget;
        if drawn_scene && (budget_waits || moving) {
            // Keeps drawing while the view moves, so the frame rate is measured and the
            // view at rest gets its full set of edges.
            self.request_frame();
        }
    }

    /// Notes where the view is and, while it moves, adapts how many edges a frame draws
    /// to the time between frames. Returns whether the view is moving.
    fn pace_frame(&mut self, view: &View, now: f64) -> bool {
        if self.last_matrix != Some(view.matrix) {
            self.last_matrix = Some(view.matrix);
            self.view_changed_at = now;
        }
        let moving = now - self.view_changed_at < REST_MS;
        if let Some(previous) = self.last_frame_at.filter(|_| moving && self.was_moving) {
            let interval = now - previous;
            if interval > SLOW_FRAME_MS {
                self.edge_limit = (self.edge_limit * 0.7).max(MIN_EDGE_LIMIT);
            } else if interval < FAST_FRAME_MS {
                self.edge_limit = (self.edge_limit * 1.15).min(EDGE_BUDGET as f64);
            }
        }
        self.last_frame_at = Some(now);
        self.was_moving = moving;
        moving
    }

    /// Returns the part of the plane the flat views show, with a margin, in world units.
    /// Returns `None` in 3D, where every edge may be in view.
    fn visible_rect(&self) -> Option<[f32; 4]> {
        let camera = match self.mode {
            ViewMode::Flat => &self.camera,
            ViewMode::Infra => &self.infra_camera,
            ViewMode::Orbit => return None,
        };
        let margin = 0.05;
        let [w, h] = camera.viewport;
        let a = camera.screen_to_world([-margin * w, -margin * h]);
        let b = camera.screen_to_world([(1.0 + margin) * w, (1.0 + margin) * h]);
        Some([
            a[0].min(b[0]) as f32,
            a[1].min(b[1]) as f32,
            a[0].max(b[0]) as f32,
            a[1].max(b[1]) as f32,
        ])
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
                let degree = graph.summary.degrees.get(node).copied().unwrap_or_default();
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
            (Some(node), _) if !graph.summary.has_every_edge() => {
                // The page holds only the heaviest edges: ask the worker for all of them.
                let request = self.neighbours_request.0 + 1;
                self.neighbours_request = (request, op);
                let message = ToWorker::Neighbours {
                    job: self.job,
                    request,
                    node: node as u32,
                };
                match serde_wasm_bindgen::to_value(&message) {
                    Ok(message) => self.post_job(&message),
                    Err(err) => log::error!("could not encode a neighbour request: {err}"),
                }
                return;
            }
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
        self.selection_version += 1;
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
            Ok(message) => self.post_job(&message),
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
            Ok(message) => self.post_job(&message),
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
        for &index in self.edge_budget.drawn.iter().take(self.edges_shown) {
            let index = index as usize;
            let Some(ends) = scene.edge_ends.get(2 * index..2 * index + 2) else {
                continue;
            };
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
    /// domains. Settings, removals and selection change only once the new graph arrives.
    pub fn rescore(&mut self, settings: Settings) {
        let Some(requested) = self.requested() else {
            self.settings = settings;
            return;
        };
        self.rescore_with(requested, settings, None);
    }

    /// Returns the export, settings, removals and undo stack of the latest request.
    fn requested(&self) -> Option<Requested> {
        if let Some(loading) = &self.loading {
            return Some(Requested {
                name: loading.name.clone(),
                export: loading.export.clone(),
                settings: loading.settings.clone(),
                removed: loading.removed.clone(),
                undo: loading.undo.clone(),
            });
        }
        self.graph.as_ref()?;
        let (name, export) = self.export.clone()?;
        Some(Requested {
            name,
            export,
            settings: self.settings.clone(),
            removed: self.removed.clone(),
            undo: self.undo.clone(),
        })
    }

    /// Scores `requested` again with `settings`, and with `removal` (removed domains and
    /// undo stack) in place of its own when given.
    fn rescore_with(
        &mut self,
        requested: Requested,
        settings: Settings,
        removal: Option<(Vec<String>, Vec<Vec<String>>)>,
    ) {
        let (removed, undo) = removal.unwrap_or((requested.removed, requested.undo));
        if self.loading.is_none() {
            self.keep_selection = self
                .selected_names()
                .into_iter()
                .map(String::from)
                .collect();
        }
        self.start_job(&requested.name, requested.export, settings, removed, undo);
        self.ui
            .set_busy(Some("Scoring again with the new settings…"));
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
        let Some(requested) = self.requested() else {
            return;
        };
        let mut removed = requested.removed.clone();
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
        let changed = removed.len() != requested.removed.len();
        if changed {
            let mut undo = requested.undo.clone();
            undo.push(requested.removed.clone());
            let settings = requested.settings.clone();
            self.rescore_with(requested, settings, Some((removed, undo)));
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
        let Some(requested) = self.requested() else {
            return;
        };
        let mut undo = requested.undo.clone();
        let Some(previous) = undo.pop() else {
            return;
        };
        let settings = requested.settings.clone();
        self.rescore_with(requested, settings, Some((previous, undo)));
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
    /// Edges of the graph, including those the page does not hold.
    total_edges: u64,
}

/// Returns the typed array attached to a worker message under `name`, if any.
fn attached<A: JsCast>(data: &JsValue, name: &str) -> Option<A> {
    Reflect::get(data, &name.into()).ok()?.dyn_into().ok()
}
