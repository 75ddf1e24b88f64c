//! The page's main thread: loads exports (drop, file picker, sample), hands them to the
//! scoring worker, draws the result and answers mouse and keyboard input.
//!
//! Text from input data is only ever set with `textContent`: WHOIS and web fields are
//! written by the people being investigated.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    Document, DragEvent, File, HtmlInputElement, KeyboardEvent, MessageEvent, MouseEvent,
    WheelEvent, Window, Worker, WorkerOptions, WorkerType,
};

use domaincat_core::settings::Settings;

use crate::protocol::{FromWorker, GraphSummary, ToWorker};
use crate::render::camera::Camera;
use crate::render::scene::{self, Highlight, NODE_RADIUS};
use crate::render::Renderer;
use crate::ui::Ui;

/// A press that moves less than this many CSS pixels is a click, not a drag.
const CLICK_TOLERANCE: f64 = 4.0;

/// Extra CSS pixels around a node disc that still count as pointing at it.
const PICK_SLACK: f64 = 2.0;

/// Zoom factor per wheel pixel (a typical notch of 100 pixels zooms by about 16 %).
const WHEEL_ZOOM_RATE: f64 = 0.0015;

/// Address of the bundled sample export, relative to the page.
const SAMPLE_URL: &str = "sample.json";
const SAMPLE_NAME: &str = "dash_gov_dot_us.json (sample)";

/// The graph on screen and where its nodes are.
struct GraphView {
    summary: GraphSummary,
    /// 2 floats per node, from the latest layout message.
    positions: Vec<f32>,
    /// Neighbours of each node, sorted.
    neighbours: Vec<Vec<u32>>,
    layout_done: bool,
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
            positions: Vec::new(),
            neighbours,
            layout_done: false,
            summary,
        }
    }
}

/// A mouse press on the canvas that has not been released yet.
struct Press {
    start: [f64; 2],
    last: [f64; 2],
    dragging: bool,
}

struct App {
    window: Window,
    ui: Ui,
    renderer: Option<Renderer>,
    camera: Camera,
    worker: Worker,
    worker_ready: bool,
    /// A job waiting for the worker to load: the message and the export's bytes.
    pending: Option<(JsValue, js_sys::ArrayBuffer)>,
    job: u32,
    /// File name of the job in progress, for messages.
    job_name: String,
    graph: Option<GraphView>,
    selected: Vec<bool>,
    hovered: Option<usize>,
    press: Option<Press>,
    /// Whether the analyst moved the camera since the graph loaded; until then the view
    /// follows the settling layout.
    camera_moved: bool,
    frame_requested: bool,
    frame_callback: Option<Closure<dyn FnMut()>>,
    node_buffer: Vec<f32>,
    edge_buffer: Vec<f32>,
}

type Shared = Rc<RefCell<App>>;

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
        camera: Camera::default(),
        worker,
        worker_ready: false,
        pending: None,
        job: 0,
        job_name: String::new(),
        graph: None,
        selected: Vec::new(),
        hovered: None,
        press: None,
        camera_moved: false,
        frame_requested: false,
        frame_callback: None,
        node_buffer: Vec::new(),
        edge_buffer: Vec::new(),
    }));

    install_frame_callback(&app);
    install_worker_handler(&app);
    install_input_handlers(&app, &document)?;
    install_pointer_handlers(&app)?;
    install_debug_api(&app, &window)?;
    app.borrow_mut().resize();
    Ok(())
}

/// Adds an event listener that lives as long as the page.
fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    handler: impl FnMut(E) + 'static,
) -> Result<(), String> {
    let closure = Closure::<dyn FnMut(E)>::new(handler);
    target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .map_err(|err| format!("could not listen to {event}: {err:?}"))?;
    closure.forget();
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

fn install_input_handlers(app: &Shared, document: &Document) -> Result<(), String> {
    let ui = app.borrow().ui.clone();

    let shared = Rc::clone(app);
    let input = ui.file_input.clone();
    listen::<web_sys::Event>(&ui.file_input, "change", move |_| {
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            load_file(&shared, file);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    })?;

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&ui.load_sample, "click", move |_| load_sample(&shared))?;

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&ui.fit_view, "click", move |_| shared.borrow_mut().fit())?;

    let close = ui.clone();
    listen::<MouseEvent>(&ui.error_close, "click", move |_| close.hide_error())?;

    // The whole window is a drop target; the overlay shows while a file is dragged.
    let target: web_sys::EventTarget = app.borrow().window.clone().into();
    let overlay = ui.drop_zone.clone();
    listen::<DragEvent>(&target, "dragenter", move |event| {
        if carries_files(&event) {
            event.prevent_default();
            overlay.set_hidden(false);
        }
    })?;
    listen::<DragEvent>(&target, "dragover", move |event| {
        event.prevent_default();
        if let Some(transfer) = event.data_transfer() {
            transfer.set_drop_effect("copy");
        }
    })?;
    let overlay = ui.drop_zone.clone();
    listen::<DragEvent>(&target, "dragleave", move |event| {
        // Leaving the window has no related target; moving between elements has one.
        if event.related_target().is_none() {
            overlay.set_hidden(true);
        }
    })?;
    let shared = Rc::clone(app);
    let overlay = ui.drop_zone.clone();
    listen::<DragEvent>(&target, "drop", move |event| {
        event.prevent_default();
        overlay.set_hidden(true);
        let files = event.data_transfer().and_then(|t| t.files());
        let Some(files) = files else { return };
        match files.get(0) {
            Some(file) => {
                if files.length() > 1 {
                    log::warn!("{} files dropped; only the first is used", files.length());
                }
                load_file(&shared, file);
            }
            None => shared
                .borrow()
                .ui
                .show_error("Nothing to load: drop a JSON file exported from Iris Investigate."),
        }
    })?;

    let shared = Rc::clone(app);
    listen::<KeyboardEvent>(document, "keydown", move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .is_some();
        if typing {
            return;
        }
        match event.key().as_str() {
            "Escape" => shared.borrow_mut().set_selection(Vec::new()),
            "f" | "F" => shared.borrow_mut().fit(),
            _ => {}
        }
    })?;
    Ok(())
}

fn carries_files(event: &DragEvent) -> bool {
    event
        .data_transfer()
        .map(|t| {
            t.types()
                .iter()
                .any(|kind| kind.as_string().as_deref() == Some("Files"))
        })
        .unwrap_or(false)
}

fn install_pointer_handlers(app: &Shared) -> Result<(), String> {
    let canvas: web_sys::EventTarget = app.borrow().ui.canvas.clone().into();
    let window: web_sys::EventTarget = app.borrow().window.clone().into();

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&canvas, "mousedown", move |event| {
        if event.button() != 0 {
            return;
        }
        event.prevent_default();
        let mut app = shared.borrow_mut();
        let point = app.canvas_point(&event);
        app.press = Some(Press {
            start: point,
            last: point,
            dragging: false,
        });
    })?;

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&window, "mousemove", move |event| {
        shared.borrow_mut().on_mouse_move(&event);
    })?;

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&window, "mouseup", move |event| {
        shared.borrow_mut().on_mouse_up(&event);
    })?;

    let shared = Rc::clone(app);
    listen::<MouseEvent>(&canvas, "mouseleave", move |_| {
        let mut app = shared.borrow_mut();
        if app.press.is_none() {
            app.set_hovered(None);
        }
    })?;

    let shared = Rc::clone(app);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(false);
    let wheel = Closure::<dyn FnMut(WheelEvent)>::new(move |event: WheelEvent| {
        event.prevent_default();
        shared.borrow_mut().on_wheel(&event);
    });
    canvas
        .add_event_listener_with_callback_and_add_event_listener_options(
            "wheel",
            wheel.as_ref().unchecked_ref(),
            &options,
        )
        .map_err(|err| format!("could not listen to wheel: {err:?}"))?;
    wheel.forget();

    let shared = Rc::clone(app);
    let on_resize = Closure::<dyn FnMut()>::new(move || shared.borrow_mut().resize());
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
        .map_err(|err| format!("could not observe resizes: {err:?}"))?;
    observer.observe(&app.borrow().ui.canvas);
    on_resize.forget();
    // A change of device pixel ratio (browser zoom, another screen) also fires `resize`.
    let shared = Rc::clone(app);
    listen::<web_sys::Event>(&window, "resize", move |_| shared.borrow_mut().resize())?;
    Ok(())
}

/// Exposes `window.domaincat.nodeClientPosition(name)`: where a domain's node is drawn,
/// in client (viewport) CSS pixels, or `null`. Used by browser tests and handy in the
/// console.
fn install_debug_api(app: &Shared, window: &Window) -> Result<(), String> {
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
    let api = Object::new();
    Reflect::set(&api, &"nodeClientPosition".into(), position.as_ref())
        .map_err(|err| format!("{err:?}"))?;
    position.forget();
    Reflect::set(window, &"domaincat".into(), &api).map_err(|err| format!("{err:?}"))?;
    Ok(())
}

fn load_file(app: &Shared, file: File) {
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

fn load_sample(app: &Shared) {
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

fn describe_js_error(err: &JsValue) -> String {
    Reflect::get(err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

impl App {
    /// Sends an export to the worker as a new job; replies to older jobs are ignored.
    fn submit(&mut self, name: &str, bytes: js_sys::ArrayBuffer) {
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
            self.post_job(&message, &bytes);
        } else {
            self.pending = Some((message, bytes));
        }
    }

    fn post_job(&self, message: &JsValue, bytes: &js_sys::ArrayBuffer) {
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"message".into(), message);
        let _ = Reflect::set(&envelope, &"bytes".into(), bytes);
        if let Err(err) = self
            .worker
            .post_message_with_transfer(&envelope, &Array::of1(bytes))
        {
            log::error!("could not post to the worker: {err:?}");
            self.ui.set_busy(None);
            self.ui
                .show_error("Could not hand the export to the scoring worker.");
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
                    self.post_job(&message, &bytes);
                }
            }
            FromWorker::Progress { job, stage } if job == self.job => {
                self.ui.set_busy(Some(&stage));
            }
            FromWorker::Scored { job, graph } if job == self.job => self.show_graph(*graph),
            FromWorker::Layout {
                job,
                iteration,
                done,
            } if job == self.job => {
                let positions = Reflect::get(data, &"positions".into())
                    .ok()
                    .and_then(|p| p.dyn_into::<Float32Array>().ok())
                    .map(|p| p.to_vec())
                    .unwrap_or_default();
                self.update_positions(positions, iteration, done);
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
        self.camera_moved = false;
        self.graph = Some(GraphView::new(summary));
        self.ui.set_selection(&[]);
        self.ui.tooltip.set_hidden(true);
        self.request_frame();
    }

    fn update_positions(&mut self, positions: Vec<f32>, iteration: u32, done: bool) {
        let Some(graph) = self.graph.as_mut() else {
            return;
        };
        if positions.len() != graph.summary.node_count() * 2 {
            log::error!(
                "layout sent {} floats for {} nodes",
                positions.len(),
                graph.summary.node_count()
            );
            return;
        }
        graph.positions = positions;
        graph.layout_done = done;
        let _ = self
            .ui
            .canvas
            .set_attribute("data-layout", if done { "settled" } else { "running" });
        if done {
            self.ui.set_busy(None);
            self.ui.set_status(&format!(
                "Layout settled after {iteration} iterations. Scroll to zoom, drag to pan, \
                 click a domain."
            ));
        } else {
            self.ui
                .set_busy(Some(&format!("Laying out… iteration {iteration}")));
        }
        if !self.camera_moved {
            self.fit_camera();
        }
        self.request_frame();
    }

    fn request_frame(&mut self) {
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

    fn draw(&mut self) {
        let Some(renderer) = self.renderer.as_mut() else {
            return;
        };
        match &self.graph {
            Some(graph) if !graph.positions.is_empty() => {
                let highlight = Highlight {
                    selected: &self.selected,
                    hovered: self.hovered,
                };
                scene::node_instances(
                    &graph.positions,
                    &graph.summary.risks,
                    highlight,
                    &mut self.node_buffer,
                );
                scene::edge_vertices(
                    &graph.positions,
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
        renderer.draw(&self.camera);
    }

    fn resize(&mut self) {
        let rect = self.ui.canvas.get_bounding_client_rect();
        let ratio = self.window.device_pixel_ratio();
        let viewport = [rect.width().max(1.0), rect.height().max(1.0)];
        if viewport == self.camera.viewport && ratio == self.camera.pixel_ratio {
            return;
        }
        // Keep the same world point in the centre; refit if the view still follows
        // the layout.
        self.camera.viewport = viewport;
        self.camera.pixel_ratio = if ratio > 0.0 { ratio } else { 1.0 };
        if !self.camera_moved {
            self.fit_camera();
        }
        self.request_frame();
    }

    fn fit_camera(&mut self) {
        if let Some(graph) = &self.graph {
            self.camera
                .fit(&graph.positions, f64::from(NODE_RADIUS) + PICK_SLACK + 4.0);
        }
    }

    /// Fits the graph to the view and lets the view follow the layout again.
    fn fit(&mut self) {
        self.camera_moved = false;
        self.fit_camera();
        self.request_frame();
    }

    fn canvas_point(&self, event: &MouseEvent) -> [f64; 2] {
        let rect = self.ui.canvas.get_bounding_client_rect();
        [
            f64::from(event.client_x()) - rect.left(),
            f64::from(event.client_y()) - rect.top(),
        ]
    }

    /// The node drawn under a screen point, nearest first; hovered and selected nodes are
    /// drawn larger, but picking uses one radius so what is under the cursor does not
    /// depend on state.
    fn pick(&self, point: [f64; 2]) -> Option<usize> {
        let graph = self.graph.as_ref()?;
        let reach = f64::from(NODE_RADIUS) + PICK_SLACK;
        let mut best: Option<(usize, f64)> = None;
        for (node, xy) in graph.positions.chunks_exact(2).enumerate() {
            let screen = self
                .camera
                .world_to_screen([f64::from(xy[0]), f64::from(xy[1])]);
            let distance = (screen[0] - point[0]).hypot(screen[1] - point[1]);
            if distance <= reach && best.is_none_or(|(_, d)| distance < d) {
                best = Some((node, distance));
            }
        }
        best.map(|(node, _)| node)
    }

    fn on_mouse_move(&mut self, event: &MouseEvent) {
        let point = self.canvas_point(event);
        if let Some(press) = self.press.as_mut() {
            let moved = (point[0] - press.start[0]).hypot(point[1] - press.start[1]);
            if !press.dragging && moved > CLICK_TOLERANCE {
                press.dragging = true;
                let _ = self.ui.canvas.class_list().add_1("dragging");
                self.set_hovered(None);
            }
            let Some(press) = self.press.as_mut() else {
                return;
            };
            if press.dragging {
                let delta = [point[0] - press.last[0], point[1] - press.last[1]];
                press.last = point;
                self.camera.pan_by(delta);
                self.camera_moved = true;
                self.request_frame();
            }
            return;
        }
        let inside = point[0] >= 0.0
            && point[1] >= 0.0
            && point[0] <= self.camera.viewport[0]
            && point[1] <= self.camera.viewport[1];
        let target_is_canvas = event
            .target()
            .is_some_and(|t| JsValue::from(t) == JsValue::from(&self.ui.canvas));
        let hovered = if inside && target_is_canvas {
            self.pick(point)
        } else {
            None
        };
        self.set_hovered(hovered);
        if hovered.is_some() {
            self.ui.place_tooltip(point);
        }
    }

    fn on_mouse_up(&mut self, event: &MouseEvent) {
        let Some(press) = self.press.take() else {
            return;
        };
        let _ = self.ui.canvas.class_list().remove_1("dragging");
        if press.dragging {
            return;
        }
        let point = self.canvas_point(event);
        match self.pick(point) {
            Some(node) => self.select_with_neighbours(node),
            None => self.set_selection(Vec::new()),
        }
        self.on_mouse_move(event);
    }

    fn on_wheel(&mut self, event: &WheelEvent) {
        if self.graph.is_none() {
            return;
        }
        let point = self.canvas_point(event);
        // Line and page modes (Firefox, some mice) report far smaller deltas than pixels.
        let delta = match event.delta_mode() {
            WheelEvent::DOM_DELTA_LINE => event.delta_y() * 16.0,
            WheelEvent::DOM_DELTA_PAGE => event.delta_y() * self.camera.viewport[1],
            _ => event.delta_y(),
        };
        self.camera.zoom_at(point, (-delta * WHEEL_ZOOM_RATE).exp());
        self.camera_moved = true;
        self.request_frame();
        self.on_mouse_move(event);
    }

    fn set_hovered(&mut self, hovered: Option<usize>) {
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

    fn select_with_neighbours(&mut self, node: usize) {
        let Some(graph) = &self.graph else {
            return;
        };
        let mut nodes = vec![node];
        nodes.extend(graph.neighbours[node].iter().map(|&n| n as usize));
        self.set_selection(nodes);
    }

    fn set_selection(&mut self, nodes: Vec<usize>) {
        let Some(graph) = &self.graph else {
            return;
        };
        self.selected = vec![false; graph.summary.node_count()];
        for &node in &nodes {
            if let Some(flag) = self.selected.get_mut(node) {
                *flag = true;
            }
        }
        let mut names: Vec<&str> = nodes
            .iter()
            .filter_map(|&n| graph.summary.names.get(n).map(String::as_str))
            .collect();
        names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        names.dedup();
        self.ui.set_selection(&names);
        self.request_frame();
    }

    fn node_client_position(&self, name: &str) -> Option<[f64; 2]> {
        let graph = self.graph.as_ref()?;
        let node = graph.summary.names.iter().position(|n| n == name)?;
        let xy = graph.positions.get(2 * node..2 * node + 2)?;
        let screen = self
            .camera
            .world_to_screen([f64::from(xy[0]), f64::from(xy[1])]);
        let rect = self.ui.canvas.get_bounding_client_rect();
        Some([rect.left() + screen[0], rect.top() + screen[1]])
    }
}
