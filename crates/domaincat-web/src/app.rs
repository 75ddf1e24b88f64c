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

use domaincat_core::settings::Settings;

use crate::protocol::{FromWorker, GraphSummary, ToWorker};
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

/// Which camera shows the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ViewMode {
    Flat,
    Orbit,
}

impl ViewMode {
    fn dims(self) -> usize {
        match self {
            ViewMode::Flat => 2,
            ViewMode::Orbit => 3,
        }
    }
}

/// How a selection gesture changes the selection.
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
}

pub(crate) struct App {
    pub window: Window,
    pub ui: Ui,
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
    /// Whether the analyst moved each camera since the graph loaded; until then the view
    /// follows the settling layout.
    pub camera_moved: [bool; 2],
    /// Whether each layout has settled.
    layout_done: [bool; 2],
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
        camera_moved: [false; 2],
        layout_done: [false; 2],
        frame_requested: false,
        frame_callback: None,
        node_buffer: Vec::new(),
        edge_buffer: Vec::new(),
    }));

    install_frame_callback(&app);
    install_worker_handler(&app);
    crate::input::install(&app, &document)?;
    install_debug_api(&app, &window)?;
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
        app.ui
            .show_error(&format!("The scoring worker stopped: {detail}. Reload the page."));
    });
    app.borrow()
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}

/// Exposes `window.domaincat` for browser tests and the console:
/// `nodeClientPosition(name)` gives where a domain's node is drawn in client (viewport)
/// CSS pixels, or `null`; `view()` gives `"2d"` or `"3d"`.
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
        JsValue::from_str(if mode == ViewMode::Flat { "2d" } else { "3d" })
    });
    Reflect::set(&api, &"view".into(), view.as_ref()).map_err(|err| format!("{err:?}"))?;
    view.forget();

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
                Err(_) => shared
                    .borrow()
                    .ui
                    .show_error(&format!("Could not read {name}: the browser returned no data.")),
            },
            Err(err) => {
                log::error!("reading {name} failed: {err:?}");
                shared
                    .borrow()
                    .ui
                    .show_error(&format!("Could not read {name}: {}", describe_js_error(&err)));
            }
        }
    });
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
        self.ui.hide_error();
        self.ui
            .set_busy(Some(&format!("Sending {name} to the scoring worker…")));
        let request = ToWorker::Score {
            job: self.job,
            file_name: name.to_string(),
            settings: Settings::default(),
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
                iteration,
                done,
            } if job == self.job => {
                let positions = Reflect::get(data, &"positions".into())
                    .ok()
                    .and_then(|p| p.dyn_into::<Float32Array>().ok())
                    .map(|p| p.to_vec())
                    .unwrap_or_default();
                let mode = if dims == 3 {
                    ViewMode::Orbit
                } else {
                    ViewMode::Flat
                };
                self.update_positions(mode, positions, iteration, done);
            }
            FromWorker::Failed { job, message } if job == self.job => {
                log::warn!("loading {} failed: {message}", self.job_name);
                self.ui.set_busy(None);
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
        self.selected = vec![false; summary.node_count()];
        self.hovered = None;
        self.camera_moved = [false; 2];
        self.layout_done = [false; 2];
        self.graph = Some(GraphView::new(summary));
        self.ui.set_selection(&[]);
        self.ui.tooltip.set_hidden(true);
        self.ui.set_layout_state(None);
        if self.mode == ViewMode::Orbit {
            self.request_layout(ViewMode::Orbit);
        }
        self.request_frame();
    }

    /// Asks the worker for the layout `mode` shows, once per graph.
    fn request_layout(&mut self, mode: ViewMode) {
        if mode == ViewMode::Flat || self.graph.is_none() {
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

    fn update_positions(&mut self, mode: ViewMode, positions: Vec<f32>, iteration: u32, done: bool) {
        let Some(graph) = self.graph.as_mut() else {
            return;
        };
        let slot = mode.dims() - 2;
        if positions.len() != graph.summary.node_count() * mode.dims() {
            log::error!(
                "{}D layout sent {} floats for {} nodes",
                mode.dims(),
                positions.len(),
                graph.summary.node_count()
            );
            return;
        }
        graph.positions[slot] = positions;
        self.layout_done[slot] = done;
        if mode != self.mode {
            return;
        }
        self.ui.set_layout_state(Some(done));
        if done {
            self.ui.set_busy(None);
            self.ui.set_status(&format!(
                "Layout settled after {iteration} iterations. Scroll to zoom, drag to {}, \
                 click a domain.",
                if mode == ViewMode::Flat { "pan" } else { "orbit" }
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

    /// Shows the graph in `mode`, keeping scores and selection.
    pub fn set_mode(&mut self, mode: ViewMode) {
        if mode == self.mode {
            return;
        }
        self.mode = mode;
        self.hovered = None;
        self.ui.tooltip.set_hidden(true);
        self.ui.set_view_mode(mode == ViewMode::Orbit);
        let slot = mode.dims() - 2;
        let has_positions = self
            .graph
            .as_ref()
            .is_some_and(|g| !g.positions[slot].is_empty());
        if self.graph.is_some() {
            if has_positions {
                self.ui.set_layout_state(Some(self.layout_done[slot]));
            } else {
                self.ui.set_layout_state(None);
                self.ui.set_busy(Some("Laying out in 3D…"));
                self.request_layout(mode);
            }
        }
        if !self.camera_moved[slot] {
            self.fit_camera();
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
        }
    }

    fn draw(&mut self) {
        let view = self.view();
        let Some(renderer) = self.renderer.as_mut() else {
            return;
        };
        match &self.graph {
            Some(graph) if !graph.positions(self.mode).is_empty() => {
                let positions = graph.positions(self.mode);
                let highlight = Highlight {
                    selected: &self.selected,
                    hovered: self.hovered,
                };
                scene::node_instances(
                    positions,
                    &graph.summary.risks,
                    highlight,
                    &mut self.node_buffer,
                );
                scene::edge_vertices(
                    positions,
                    &graph.summary.edge_ends,
                    &graph.summary.edge_weights,
                    highlight,
                    &mut self.edge_buffer,
                );
            }
            _ => {
                self.node_buffer.clear();
                self.edge_buffer.clear();
            }
        }
        renderer.set_scene(&self.node_buffer, &self.edge_buffer);
        renderer.draw(&view);
    }

    pub fn resize(&mut self) {
        let rect = self.ui.canvas.get_bounding_client_rect();
        let ratio = self.window.device_pixel_ratio();
        let viewport = [rect.width().max(1.0), rect.height().max(1.0)];
        if viewport == self.camera.viewport && ratio == self.camera.pixel_ratio {
            return;
        }
        self.camera.viewport = viewport;
        self.orbit.viewport = viewport;
        self.camera.pixel_ratio = if ratio > 0.0 { ratio } else { 1.0 };
        let slot = self.mode.dims() - 2;
        if !self.camera_moved[slot] {
            self.fit_camera();
        }
        self.request_frame();
    }

    fn fit_camera(&mut self) {
        let Some(graph) = &self.graph else {
            return;
        };
        let positions = graph.positions(self.mode);
        match self.mode {
            ViewMode::Flat => self
                .camera
                .fit(positions.flat, f64::from(NODE_RADIUS) + PICK_SLACK + 4.0),
            ViewMode::Orbit => self.orbit.fit(positions.flat),
        }
    }

    /// Fits the graph to the view and lets the view follow the layout again.
    pub fn fit(&mut self) {
        self.camera_moved[self.mode.dims() - 2] = false;
        self.fit_camera();
        self.request_frame();
    }

    /// Records that the analyst moved the camera, so the layout stops refitting it.
    pub fn camera_was_moved(&mut self) {
        self.camera_moved[self.mode.dims() - 2] = true;
        self.request_frame();
    }

    /// Where node `node` is drawn, in canvas CSS pixels, its depth (1 in 2D) and its
    /// disc radius in CSS pixels; `None` before the layout or behind the 3D eye.
    pub fn project(&self, node: usize) -> Option<([f64; 2], f64, f64)> {
        let graph = self.graph.as_ref()?;
        let positions = graph.positions(self.mode);
        if node >= positions.len() {
            return None;
        }
        let [x, y, z] = positions.xyz(node).map(f64::from);
        match self.mode {
            ViewMode::Flat => Some((
                self.camera.world_to_screen([x, y]),
                1.0,
                f64::from(NODE_RADIUS),
            )),
            ViewMode::Orbit => {
                let (screen, depth) = self.orbit.project([x, y, z])?;
                // Matches the size scaling of the node shader.
                let scale = (self.orbit.distance / depth).clamp(0.35, 3.0);
                Some((screen, depth, f64::from(NODE_RADIUS) * scale))
            }
        }
    }

    /// The node drawn under a canvas point: the nearest disc centre within reach, the
    /// front one when discs overlap equally.
    pub fn pick(&self, point: [f64; 2]) -> Option<usize> {
        let graph = self.graph.as_ref()?;
        let mut best: Option<(usize, f64, f64)> = None;
        for node in 0..graph.summary.node_count() {
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
        match (hovered, &self.graph) {
            (Some(node), Some(graph)) => {
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
        if self.graph.is_none() {
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
        self.request_frame();
    }

    fn node_client_position(&self, name: &str) -> Option<[f64; 2]> {
        let graph = self.graph.as_ref()?;
        let node = graph.summary.names.iter().position(|n| n == name)?;
        let (screen, _, _) = self.project(node)?;
        let rect = self.ui.canvas.get_bounding_client_rect();
        Some([rect.left() + screen[0], rect.top() + screen[1]])
    }
}
