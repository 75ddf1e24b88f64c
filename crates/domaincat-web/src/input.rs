//! Input habits of graph tools: drop or pick a file, wheel to zoom about the cursor, drag
//! to pan (2D) or orbit (3D), right-drag to pan, box and lasso selection with Shift to
//! add and Alt to remove, pinch with two fingers, and keyboard shortcuts.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, DragEvent, EventTarget, HtmlInputElement, KeyboardEvent, PointerEvent, WheelEvent,
};

use crate::app::{load_file, load_sample, App, SelectOp, Shared, ViewMode};
use crate::shapes::{in_polygon, in_rect};

/// A press that moves less than this many CSS pixels is a click, not a drag.
const CLICK_TOLERANCE: f64 = 4.0;

/// Zoom factor per wheel pixel (a typical notch of 100 pixels zooms by about 16 %).
const WHEEL_ZOOM_RATE: f64 = 0.0015;

/// Lasso points closer than this many CSS pixels to the previous one are skipped.
const LASSO_STEP: f64 = 3.0;

/// What a primary-button drag does when no modifier key changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tool {
    Pan,
    Box,
    Lasso,
}

#[derive(Clone, Debug, PartialEq)]
enum GestureKind {
    /// Pressed, not yet moved far enough to be a drag.
    Pending,
    Pan,
    Orbit,
    Box(SelectOp),
    Lasso(SelectOp, Vec<[f64; 2]>),
}

#[derive(Clone, Debug)]
struct Gesture {
    start: [f64; 2],
    last: [f64; 2],
    kind: GestureKind,
    /// The kind a `Pending` press becomes once it moves.
    drag_kind: GestureKind,
    op: SelectOp,
}

/// Interaction state that lives beside the app.
struct Input {
    tool: Tool,
    gesture: Option<Gesture>,
    /// Active touch and pen pointers: id and canvas position.
    touches: Vec<(i32, [f64; 2])>,
}

type SharedInput = Rc<RefCell<Input>>;

/// Adds an event listener that lives as long as the page.
pub(crate) fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
    target: &EventTarget,
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

/// Installs every input handler of the page.
pub(crate) fn install(app: &Shared, document: &Document) -> Result<(), String> {
    let input = Rc::new(RefCell::new(Input {
        tool: Tool::Pan,
        gesture: None,
        touches: Vec::new(),
    }));
    install_loading(app)?;
    install_toolbar(app, &input)?;
    install_panels(app)?;
    install_keyboard(app, &input, document)?;
    install_pointer(app, &input)?;
    Ok(())
}

fn install_loading(app: &Shared) -> Result<(), String> {
    let ui = app.borrow().ui.clone();

    let shared = Rc::clone(app);
    let picker = ui.file_input.clone();
    listen::<web_sys::Event>(&ui.file_input, "change", move |_| {
        if let Some(file) = picker.files().and_then(|files| files.get(0)) {
            load_file(&shared, file);
        }
        // Picking the same file again must fire `change` again.
        picker.set_value("");
    })?;

    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&ui.load_sample, "click", move |_| load_sample(&shared))?;

    let close = ui.clone();
    listen::<web_sys::MouseEvent>(&ui.error_close, "click", move |_| close.hide_error())?;

    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&ui.cancel_job, "click", move |_| {
        shared.borrow_mut().cancel_job()
    })?;

    // The whole window is a drop target; the overlay shows while a file is dragged.
    let target: EventTarget = app.borrow().window.clone().into();
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
        let Some(files) = event.data_transfer().and_then(|t| t.files()) else {
            return;
        };
        match files.get(0) {
            Some(file) => {
                let name = file.name();
                load_file(&shared, file);
                if files.length() > 1 {
                    let message = format!(
                        "{} files were dropped; only {name} is loaded. Drop one export at a \
                         time.",
                        files.length()
                    );
                    log::warn!("{message}");
                    shared.borrow().ui.show_error(&message);
                }
            }
            None => shared
                .borrow()
                .ui
                .show_error("Nothing to load: drop a JSON file exported from Iris Investigate."),
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

fn set_tool(app: &Shared, input: &SharedInput, tool: Tool) {
    input.borrow_mut().tool = tool;
    let app = app.borrow();
    app.ui.set_tool(match tool {
        Tool::Pan => "pan",
        Tool::Box => "box",
        Tool::Lasso => "lasso",
    });
}

fn install_toolbar(app: &Shared, input: &SharedInput) -> Result<(), String> {
    let ui = app.borrow().ui.clone();
    let click = |target: &web_sys::HtmlButtonElement, action: Box<dyn Fn()>| {
        listen::<web_sys::MouseEvent>(target, "click", move |_| action())
    };

    let shared = Rc::clone(app);
    click(&ui.fit_view, Box::new(move || shared.borrow_mut().fit()))?;
    let shared = Rc::clone(app);
    click(
        &ui.view_2d,
        Box::new(move || shared.borrow_mut().set_mode(ViewMode::Flat)),
    )?;
    let shared = Rc::clone(app);
    click(
        &ui.view_3d,
        Box::new(move || shared.borrow_mut().set_mode(ViewMode::Orbit)),
    )?;
    for (button, tool) in [
        (&ui.tool_pan, Tool::Pan),
        (&ui.tool_box, Tool::Box),
        (&ui.tool_lasso, Tool::Lasso),
    ] {
        let (shared, input) = (Rc::clone(app), Rc::clone(input));
        click(button, Box::new(move || set_tool(&shared, &input, tool)))?;
    }

    let shared = Rc::clone(app);
    click(
        &ui.view_infra,
        Box::new(move || shared.borrow_mut().set_mode(ViewMode::Infra)),
    )?;
    let shared = Rc::clone(app);
    click(
        &ui.selection_remove,
        Box::new(move || {
            let mut app = shared.borrow_mut();
            let names: Vec<String> = app.selected_names().into_iter().map(String::from).collect();
            app.remove_domains(&names);
        }),
    )?;
    let shared = Rc::clone(app);
    click(
        &ui.selection_copy,
        Box::new(move || {
            let app = shared.borrow();
            let text = app.selected_names().join("\n");
            app.ui.copy_text(text);
        }),
    )?;
    let shared = Rc::clone(app);
    click(
        &ui.selection_download,
        Box::new(move || {
            let app = shared.borrow();
            let mut text = app.selected_names().join("\n");
            text.push('\n');
            app.ui.download_text("selected-domains.txt", &text);
        }),
    )?;
    Ok(())
}

fn install_keyboard(app: &Shared, input: &SharedInput, document: &Document) -> Result<(), String> {
    let shared = Rc::clone(app);
    let state = Rc::clone(input);
    listen::<KeyboardEvent>(document, "keydown", move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .is_some()
            || event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .is_some();
        if typing {
            return;
        }
        match event.key().as_str() {
            "Escape" => {
                let cancelled = state.borrow_mut().gesture.take().is_some();
                let mut app = shared.borrow_mut();
                app.ui.hide_selection_shapes();
                if !cancelled {
                    app.clear_selection();
                }
            }
            "f" | "F" => shared.borrow_mut().fit(),
            "2" => shared.borrow_mut().set_mode(ViewMode::Flat),
            "3" => shared.borrow_mut().set_mode(ViewMode::Orbit),
            "i" | "I" => shared.borrow_mut().set_mode(ViewMode::Infra),
            "Delete" => {
                let mut app = shared.borrow_mut();
                let names: Vec<String> =
                    app.selected_names().into_iter().map(String::from).collect();
                app.remove_domains(&names);
            }
            "v" | "V" => set_tool(&shared, &state, Tool::Pan),
            "b" | "B" => set_tool(&shared, &state, Tool::Box),
            "l" | "L" => set_tool(&shared, &state, Tool::Lasso),
            _ => {}
        }
    })?;
    Ok(())
}

fn canvas_point(app: &App, event: &web_sys::MouseEvent) -> [f64; 2] {
    let rect = app.ui.canvas.get_bounding_client_rect();
    [
        f64::from(event.client_x()) - rect.left(),
        f64::from(event.client_y()) - rect.top(),
    ]
}

/// Returns the selection operation that the modifier keys of `event` choose.
fn modifier_op(event: &web_sys::MouseEvent) -> SelectOp {
    if event.alt_key() {
        SelectOp::Remove
    } else if event.shift_key() {
        SelectOp::Add
    } else {
        SelectOp::Replace
    }
}

fn install_pointer(app: &Shared, input: &SharedInput) -> Result<(), String> {
    let canvas: EventTarget = app.borrow().ui.canvas.clone().into();

    let (shared, state) = (Rc::clone(app), Rc::clone(input));
    listen::<PointerEvent>(&canvas, "pointerdown", move |event| {
        on_pointer_down(&shared, &state, &event);
    })?;
    let (shared, state) = (Rc::clone(app), Rc::clone(input));
    listen::<PointerEvent>(&canvas, "pointermove", move |event| {
        on_pointer_move(&shared, &state, &event);
    })?;
    for name in ["pointerup", "pointercancel"] {
        let (shared, state) = (Rc::clone(app), Rc::clone(input));
        listen::<PointerEvent>(&canvas, name, move |event| {
            on_pointer_up(&shared, &state, &event);
        })?;
    }
    let (shared, state) = (Rc::clone(app), Rc::clone(input));
    listen::<PointerEvent>(&canvas, "pointerleave", move |_| {
        if state.borrow().gesture.is_none() {
            shared.borrow_mut().set_hovered(None);
        }
    })?;
    listen::<web_sys::MouseEvent>(&canvas, "contextmenu", |event| event.prevent_default())?;

    let shared = Rc::clone(app);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(false);
    let wheel = Closure::<dyn FnMut(WheelEvent)>::new(move |event: WheelEvent| {
        event.prevent_default();
        on_wheel(&shared, &event);
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
    // A change of device pixel ratio (browser zoom, another screen) fires `resize`.
    let window: EventTarget = app.borrow().window.clone().into();
    let shared = Rc::clone(app);
    listen::<web_sys::Event>(&window, "resize", move |_| shared.borrow_mut().resize())?;
    Ok(())
}

fn on_pointer_down(app: &Shared, input: &SharedInput, event: &PointerEvent) {
    let app = app.borrow();
    let point = canvas_point(&app, event);
    let _ = app.ui.canvas.set_pointer_capture(event.pointer_id());
    event.prevent_default();
    // Cancelling pointerdown also cancels the focus change of the press, so a settings
    // field that had focus would keep it and swallow Delete, Escape and the other keys.
    if let Some(active) = app
        .ui
        .document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = active.blur();
    }
    let mut input = input.borrow_mut();

    if event.pointer_type() == "touch" {
        input.touches.retain(|(id, _)| *id != event.pointer_id());
        input.touches.push((event.pointer_id(), point));
        if input.touches.len() > 1 {
            // A second finger turns the gesture into a pinch.
            input.gesture = None;
            return;
        }
    }

    let op = modifier_op(event);
    let drag_kind = match event.button() {
        // Right or middle button: pan in both views.
        1 | 2 => GestureKind::Pan,
        _ if event.ctrl_key() || event.meta_key() => GestureKind::Lasso(op, vec![point]),
        // Shift and Alt keep the Lasso tool's shape; with the other tools they draw a box.
        _ => match input.tool {
            Tool::Lasso => GestureKind::Lasso(op, vec![point]),
            Tool::Box => GestureKind::Box(op),
            Tool::Pan if op != SelectOp::Replace => GestureKind::Box(op),
            Tool::Pan if app.mode == ViewMode::Orbit => GestureKind::Orbit,
            Tool::Pan => GestureKind::Pan,
        },
    };
    input.gesture = Some(Gesture {
        start: point,
        last: point,
        kind: GestureKind::Pending,
        drag_kind,
        op,
    });
}

fn on_pointer_move(app: &Shared, input: &SharedInput, event: &PointerEvent) {
    let mut app = app.borrow_mut();
    let point = canvas_point(&app, event);
    let mut input = input.borrow_mut();

    if event.pointer_type() == "touch" && input.touches.len() > 1 {
        pinch(&mut app, &mut input, event.pointer_id(), point);
        return;
    }
    let Some(gesture) = input.gesture.as_mut() else {
        update_hover(&mut app, point);
        return;
    };

    if gesture.kind == GestureKind::Pending {
        let moved = (point[0] - gesture.start[0]).hypot(point[1] - gesture.start[1]);
        if moved <= CLICK_TOLERANCE {
            return;
        }
        gesture.kind = gesture.drag_kind.clone();
        let _ = app.ui.canvas.class_list().add_1("dragging");
        app.set_hovered(None);
    }
    let delta = [point[0] - gesture.last[0], point[1] - gesture.last[1]];
    gesture.last = point;
    match &mut gesture.kind {
        GestureKind::Pending => {}
        GestureKind::Pan => {
            match app.mode {
                ViewMode::Orbit => app.orbit.pan_by(delta),
                ViewMode::Flat | ViewMode::Infra => app.flat_camera_mut().pan_by(delta),
            }
            app.camera_was_moved();
        }
        GestureKind::Orbit => {
            app.orbit.orbit(delta);
            app.camera_was_moved();
        }
        GestureKind::Box(_) => app.ui.show_box(gesture.start, point),
        GestureKind::Lasso(_, points) => {
            let far_enough = points
                .last()
                .is_none_or(|p| (p[0] - point[0]).hypot(p[1] - point[1]) >= LASSO_STEP);
            if far_enough {
                points.push(point);
            }
            app.ui.show_lasso(points);
        }
    }
}

fn on_pointer_up(app: &Shared, input: &SharedInput, event: &PointerEvent) {
    let mut app = app.borrow_mut();
    let point = canvas_point(&app, event);
    let mut input = input.borrow_mut();
    let _ = app.ui.canvas.release_pointer_capture(event.pointer_id());
    if event.pointer_type() == "touch" {
        let before = input.touches.len();
        input.touches.retain(|(id, _)| *id != event.pointer_id());
        if before > 1 {
            // The end of a pinch is not a click.
            input.gesture = None;
            return;
        }
    }
    let Some(gesture) = input.gesture.take() else {
        return;
    };
    let _ = app.ui.canvas.class_list().remove_1("dragging");
    app.ui.hide_selection_shapes();
    if event.type_() == "pointercancel" {
        return;
    }
    match gesture.kind {
        GestureKind::Pending => {
            if event.button() == 0 {
                let node = app.pick(point);
                app.click_select(node, gesture.op);
            }
        }
        GestureKind::Box(op) => {
            let nodes = nodes_inside(&app, |p| in_rect(p, gesture.start, point));
            app.apply_selection(&nodes, op);
        }
        GestureKind::Lasso(op, points) => {
            let nodes = nodes_inside(&app, |p| in_polygon(p, &points));
            app.apply_selection(&nodes, op);
        }
        GestureKind::Pan | GestureKind::Orbit => {}
    }
    let hovered = app.pick(point);
    app.set_hovered(hovered);
}

/// Nodes whose drawn centre passes `inside`.
fn nodes_inside(app: &App, inside: impl Fn([f64; 2]) -> bool) -> Vec<usize> {
    let count = app.graph.as_ref().map_or(0, |g| g.summary.node_count());
    (0..count)
        .filter(|&node| app.project(node).is_some_and(|(p, _, _)| inside(p)))
        .collect()
}

/// Two fingers: the change of their distance zooms, the move of their midpoint pans.
fn pinch(app: &mut App, input: &mut Input, pointer: i32, point: [f64; 2]) {
    let [(_, a), (_, b)] = [input.touches[0], input.touches[1]];
    let before_mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let before_span = (a[0] - b[0]).hypot(a[1] - b[1]);
    if let Some(entry) = input.touches.iter_mut().find(|(id, _)| *id == pointer) {
        entry.1 = point;
    }
    let [(_, a), (_, b)] = [input.touches[0], input.touches[1]];
    let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let span = (a[0] - b[0]).hypot(a[1] - b[1]);
    let factor = if before_span > 1.0 {
        span / before_span
    } else {
        1.0
    };
    let delta = [mid[0] - before_mid[0], mid[1] - before_mid[1]];
    match app.mode {
        ViewMode::Orbit => {
            app.orbit.zoom(factor);
            app.orbit.pan_by(delta);
        }
        ViewMode::Flat | ViewMode::Infra => {
            let camera = app.flat_camera_mut();
            camera.zoom_at(mid, factor);
            camera.pan_by(delta);
        }
    }
    app.camera_was_moved();
}

fn on_wheel(app: &Shared, event: &WheelEvent) {
    let mut app = app.borrow_mut();
    if app.graph.is_none() {
        return;
    }
    let point = canvas_point(&app, event);
    // Line and page modes (Firefox, some mice) report far smaller deltas than pixels.
    let delta = match event.delta_mode() {
        WheelEvent::DOM_DELTA_LINE => event.delta_y() * 16.0,
        WheelEvent::DOM_DELTA_PAGE => event.delta_y() * app.camera.viewport[1],
        _ => event.delta_y(),
    };
    let factor = (-delta * WHEEL_ZOOM_RATE).exp();
    match app.mode {
        ViewMode::Orbit => app.orbit.zoom(factor),
        ViewMode::Flat | ViewMode::Infra => app.flat_camera_mut().zoom_at(point, factor),
    }
    app.camera_was_moved();
    update_hover(&mut app, point);
}

/// Hovers the node under a canvas point, or else the edge there, and places the tooltip.
fn update_hover(app: &mut App, point: [f64; 2]) {
    let hovered = app.pick(point);
    let edge = if hovered.is_none() {
        app.pick_edge(point)
    } else {
        None
    };
    // The edge first: leaving an edge hides the tooltip, which a node under the pointer
    // must then show again.
    app.set_hovered_edge(edge);
    app.set_hovered(hovered);
    if hovered.is_some() || edge.is_some() {
        app.ui.place_tooltip(point);
    }
}

/// Settings, removal, shared-pivot table and infrastructure panel controls.
fn install_panels(app: &Shared) -> Result<(), String> {
    let panels = app.borrow().panels.clone();

    // Any change of a scoring setting scores again in the worker.
    let settings_panel: EventTarget = app
        .borrow()
        .ui
        .document()
        .get_element_by_id("settings-panel")
        .ok_or("the page has no #settings-panel")?
        .into();
    let shared = Rc::clone(app);
    let form = panels.settings.clone();
    listen::<web_sys::Event>(&settings_panel, "change", move |_| {
        let mut app = shared.borrow_mut();
        match form.read() {
            Ok(settings) => app.rescore(settings),
            Err(err) => app.ui.show_error(&format!("Settings not applied: {err}.")),
        }
    })?;
    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&panels.settings.reset, "click", move |_| {
        shared
            .borrow_mut()
            .rescore(domaincat_core::settings::Settings::default());
    })?;

    let shared = Rc::clone(app);
    let list = panels.remove_list.clone();
    listen::<web_sys::MouseEvent>(&panels.remove_pasted, "click", move |_| {
        let names: Vec<String> = list
            .value()
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        shared.borrow_mut().remove_domains(&names);
        list.set_value("");
    })?;
    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&panels.remove_undo, "click", move |_| {
        shared.borrow_mut().undo_removal();
    })?;

    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&panels.shared_table_body, "click", move |event| {
        let row = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("tr[data-row]").ok().flatten())
            .and_then(|tr| tr.get_attribute("data-row"))
            .and_then(|r| r.parse::<usize>().ok());
        if let Some(row) = row {
            shared.borrow_mut().select_table_row(row);
        }
    })?;

    let shared = Rc::clone(app);
    let infra_panel: EventTarget = panels.infra_panel.clone().into();
    let infra = panels.clone();
    listen::<web_sys::Event>(&infra_panel, "change", move |_| {
        let pivot = infra.infra_pivot_threshold.value().trim().parse::<u64>();
        let edge = infra.infra_edge_threshold.value().trim().parse::<usize>();
        let mut app = shared.borrow_mut();
        match (pivot, edge) {
            (Ok(pivot_threshold), Ok(edge_threshold)) if pivot_threshold >= 2 => {
                app.infra_settings.pivot_threshold = pivot_threshold;
                app.infra_settings.edge_threshold = edge_threshold;
                app.infra_settings.exclude = infra
                    .infra_exclude
                    .value()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                app.request_infra();
            }
            _ => app.ui.show_error(
                "Infrastructure settings not applied: the pivot threshold must be a whole \
                 number of at least 2 and the edge threshold a whole number.",
            ),
        }
    })?;
    let shared = Rc::clone(app);
    listen::<web_sys::MouseEvent>(&panels.infra_select, "click", move |_| {
        shared.borrow_mut().select_infra_domains();
    })?;
    Ok(())
}
