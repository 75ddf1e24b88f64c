//! The page's panels: element handles found once by id, and the functions that fill
//! them. Data from exports is inserted as text nodes only.

use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlCanvasElement, HtmlElement, HtmlInputElement,
};

use domaincat_core::stats::python_float;

use crate::protocol::{GraphSummary, StatsLine};

/// Handles to the page's elements.
#[derive(Clone)]
pub struct Ui {
    document: Document,
    pub canvas: HtmlCanvasElement,
    pub file_input: HtmlInputElement,
    pub load_sample: HtmlButtonElement,
    pub fit_view: HtmlButtonElement,
    pub drop_zone: HtmlElement,
    pub tooltip: HtmlElement,
    pub error_close: HtmlButtonElement,
    pub view_2d: HtmlButtonElement,
    pub view_3d: HtmlButtonElement,
    pub view_infra: HtmlButtonElement,
    pub selection_remove: HtmlButtonElement,
    pub tool_pan: HtmlButtonElement,
    pub tool_box: HtmlButtonElement,
    pub tool_lasso: HtmlButtonElement,
    pub selection_copy: HtmlButtonElement,
    pub selection_download: HtmlButtonElement,
    selection_box: Element,
    selection_lasso: Element,
    error: HtmlElement,
    error_text: HtmlElement,
    status: HtmlElement,
    progress: HtmlElement,
    /// "· N inactive left out" beside the counts, shown when N > 0.
    inactive_note: HtmlElement,
    count_inactive: HtmlElement,
    /// Stops the export being loaded; shown while one is.
    pub cancel_job: HtmlButtonElement,
    /// Says how many edges the view leaves out.
    edge_note: HtmlElement,
    counts: HtmlElement,
    count_nodes: HtmlElement,
    count_edges: HtmlElement,
    empty_hint: HtmlElement,
    legend: HtmlElement,
    selection_count: HtmlElement,
    selection_list: HtmlElement,
    selection_hint: HtmlElement,
    stats_body: HtmlElement,
    stats_totals: HtmlElement,
    trimmed_count: HtmlElement,
    trimmed_list: HtmlElement,
    problems_panel: HtmlElement,
    problems_count: HtmlElement,
    problems_list: HtmlElement,
}

/// Finds the element with `id`, failing with the id when it is missing or of another
/// type.
pub(crate) fn by_id<T: JsCast>(document: &Document, id: &str) -> Result<T, String> {
    document
        .get_element_by_id(id)
        .ok_or_else(|| format!("the page has no element #{id}"))?
        .dyn_into::<T>()
        .map_err(|_| format!("element #{id} has an unexpected type"))
}

impl Ui {
    /// Finds every element, failing with the id of the first one missing.
    pub fn find(document: &Document) -> Result<Self, String> {
        let stats_table: HtmlElement = by_id(document, "pivot-stats")?;
        let stats_body = stats_table
            .query_selector("tbody")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            .ok_or("the statistics table has no tbody")?;
        Ok(Ui {
            document: document.clone(),
            canvas: by_id(document, "graph-canvas")?,
            file_input: by_id(document, "file-input")?,
            load_sample: by_id(document, "load-sample")?,
            fit_view: by_id(document, "fit-view")?,
            drop_zone: by_id(document, "drop-zone")?,
            tooltip: by_id(document, "tooltip")?,
            error_close: by_id(document, "error-close")?,
            view_2d: by_id(document, "view-2d")?,
            view_3d: by_id(document, "view-3d")?,
            view_infra: by_id(document, "view-infra")?,
            selection_remove: by_id(document, "selection-remove")?,
            tool_pan: by_id(document, "tool-pan")?,
            tool_box: by_id(document, "tool-box")?,
            tool_lasso: by_id(document, "tool-lasso")?,
            selection_copy: by_id(document, "selection-copy")?,
            selection_download: by_id(document, "selection-download")?,
            selection_box: by_id(document, "selection-box")?,
            selection_lasso: by_id(document, "selection-lasso")?,
            error: by_id(document, "error")?,
            error_text: by_id(document, "error-text")?,
            status: by_id(document, "status")?,
            progress: by_id(document, "progress")?,
            inactive_note: by_id(document, "inactive-note")?,
            count_inactive: by_id(document, "count-inactive")?,
            cancel_job: by_id(document, "cancel-job")?,
            edge_note: by_id(document, "edge-note")?,
            counts: by_id(document, "counts")?,
            count_nodes: by_id(document, "count-nodes")?,
            count_edges: by_id(document, "count-edges")?,
            empty_hint: by_id(document, "empty-hint")?,
            legend: by_id(document, "legend")?,
            selection_count: by_id(document, "selection-count")?,
            selection_list: by_id(document, "selection-list")?,
            selection_hint: by_id(document, "selection-hint")?,
            stats_body,
            stats_totals: by_id(document, "stats-totals")?,
            trimmed_count: by_id(document, "trimmed-count")?,
            trimmed_list: by_id(document, "trimmed-list")?,
            problems_panel: by_id(document, "problems-panel")?,
            problems_count: by_id(document, "problems-count")?,
            problems_list: by_id(document, "problems-list")?,
        })
    }

    pub(crate) fn document(&self) -> &Document {
        &self.document
    }

    pub(crate) fn element(&self, tag: &str, text: &str) -> Option<Element> {
        let element = self.document.create_element(tag).ok()?;
        element.set_text_content(Some(text));
        Some(element)
    }

    pub(crate) fn append(&self, parent: &Element, tag: &str, text: &str) -> Option<Element> {
        let child = self.element(tag, text)?;
        parent.append_child(&child).ok()?;
        Some(child)
    }

    pub fn show_error(&self, message: &str) {
        self.error_text.set_text_content(Some(message));
        self.error.set_hidden(false);
    }

    pub fn hide_error(&self) {
        self.error.set_hidden(true);
    }

    /// Shows `text` in the status bar, whole in its tooltip when the bar cuts it short.
    pub fn set_status(&self, text: &str) {
        self.status.set_text_content(Some(text));
        let _ = self.status.set_attribute("title", text);
    }

    /// Shows `stage` with an indeterminate progress bar, or hides the bar for `None`.
    pub fn set_busy(&self, stage: Option<&str>) {
        self.progress.set_hidden(stage.is_none());
        if let Some(stage) = stage {
            self.set_status(stage);
        }
        let busy = if stage.is_some() { "true" } else { "false" };
        let _ = self.status.set_attribute("aria-busy", busy);
    }

    /// Shows or hides the Cancel button of a loading export.
    pub fn set_cancellable(&self, cancellable: bool) {
        self.cancel_job.set_hidden(!cancellable);
    }

    /// Shows that the view draws `drawn` of `total` edges, or hides the note when it draws
    /// them all. `truncated` is true when edges in view were left out.
    pub fn set_edge_note(&self, drawn: usize, total: u64, truncated: bool) {
        if drawn as u64 >= total {
            self.edge_note.set_hidden(true);
            return;
        }
        let rest = if truncated {
            "zoom in for more"
        } else {
            "the others are out of view or among the weakest"
        };
        self.edge_note.set_text_content(Some(&format!(
            "Drawing {} of {} edges, the heaviest in view; {rest}.",
            group_digits(drawn as u64),
            group_digits(total)
        )));
        self.edge_note.set_hidden(false);
    }

    pub fn show_tooltip(&self, text: &str) {
        self.tooltip.set_text_content(Some(text));
        self.tooltip.set_hidden(false);
    }

    /// Places the tooltip beside a canvas point (CSS pixels), flipping it to the other
    /// side near the right and bottom edges.
    pub fn place_tooltip(&self, point: [f64; 2]) {
        let area = self.canvas.get_bounding_client_rect();
        let width = f64::from(self.tooltip.offset_width());
        let height = f64::from(self.tooltip.offset_height());
        let mut left = point[0] + 14.0;
        let mut top = point[1] + 14.0;
        if left + width > area.width() {
            // Left of the cursor when it fits there, else against the right edge.
            let flipped = point[0] - 14.0 - width;
            left = if flipped >= 0.0 {
                flipped
            } else {
                (area.width() - width).max(0.0)
            };
        }
        if top + height > area.height() {
            top = (point[1] - 14.0 - height).max(0.0);
        }
        let style = self.tooltip.style();
        let _ = style.set_property("left", &format!("{left}px"));
        let _ = style.set_property("top", &format!("{top}px"));
    }

    /// Fills the counts, statistics, trimmed-domain and problem panels for a new graph.
    pub fn show_summary(&self, summary: &GraphSummary) {
        self.count_nodes
            .set_text_content(Some(&summary.node_count().to_string()));
        self.count_edges
            .set_text_content(Some(&summary.edge_count().to_string()));
        let _ = self
            .canvas
            .set_attribute("data-nodes", &summary.node_count().to_string());
        let _ = self
            .canvas
            .set_attribute("data-edges", &summary.edge_count().to_string());
        self.count_inactive
            .set_text_content(Some(&summary.inactive.to_string()));
        self.inactive_note.set_hidden(summary.inactive == 0);
        self.counts.set_hidden(false);
        self.empty_hint.set_hidden(true);
        self.legend.set_hidden(false);
        self.fit_view.set_disabled(false);

        self.fill_stats(&summary.stats, summary);

        self.trimmed_list.set_text_content(None);
        self.trimmed_count
            .set_text_content(Some(&summary.trimmed_count.to_string()));
        for (name, reason) in &summary.trimmed {
            if let Some(item) = self.append(&self.trimmed_list, "li", name) {
                let _ = item.set_attribute("data-domain", name);
                if let Some(span) = self.append(&item, "span", &format!(" — {reason}")) {
                    span.set_class_name("reason");
                }
            }
        }

        if summary.trimmed_count > summary.trimmed.len() {
            let more = summary.trimmed_count - summary.trimmed.len();
            self.append(&self.trimmed_list, "li", &format!("… and {more} more"));
        }

        self.problems_list.set_text_content(None);
        self.problems_count
            .set_text_content(Some(&summary.problem_count.to_string()));
        self.problems_panel.set_hidden(summary.problem_count == 0);
        for problem in &summary.problems {
            self.append(&self.problems_list, "li", problem);
        }
        if summary.problem_count > summary.problems.len() {
            let more = summary.problem_count - summary.problems.len();
            self.append(&self.problems_list, "li", &format!("… and {more} more"));
        }

        let mut parts = vec![format!(
            "{}: {} records",
            summary.file_name, summary.total_records
        )];
        if summary.inactive > 0 {
            parts.push(format!("{} inactive skipped", summary.inactive));
        }
        if summary.skipped_records > 0 {
            parts.push(format!("{} unusable skipped", summary.skipped_records));
        }
        if summary.trimmed_count > 0 {
            parts.push(format!("{} trimmed", summary.trimmed_count));
        }
        self.set_status(&parts.join(", "));
    }

    fn fill_stats(&self, rows: &[StatsLine], summary: &GraphSummary) {
        self.stats_body.set_text_content(None);
        for row in rows {
            let Some(tr) = self.append(&self.stats_body, "tr", "") else {
                continue;
            };
            let _ = tr.set_attribute("data-category", &row.category);
            for cell in [
                row.category.clone(),
                format!("{} ({}%)", row.domains, python_float(row.domains_pct)),
                row.pivots.to_string(),
                format!("{:.2}", row.avg_domains_per_pivot),
                format!(
                    "{} ({}%)",
                    row.connections,
                    python_float(row.connections_pct)
                ),
            ] {
                self.append(&tr, "td", &cell);
            }
        }
        self.stats_totals.set_text_content(Some(&format!(
            "{} domains in the graph. Total connections: {}; distinct connections: {}.",
            summary.node_count(),
            summary.total_connections,
            summary.edge_count()
        )));
    }

    /// Lists the selected domains, already sorted.
    pub fn set_selection(&self, names: &[&str]) {
        self.selection_copy.set_disabled(names.is_empty());
        self.selection_download.set_disabled(names.is_empty());
        self.selection_remove.set_disabled(names.is_empty());
        self.selection_list.set_text_content(None);
        self.selection_count
            .set_text_content(Some(&names.len().to_string()));
        self.selection_hint.set_hidden(!names.is_empty());
        for name in names.iter().take(MAX_LISTED_SELECTION) {
            self.append(&self.selection_list, "li", name);
        }
        if names.len() > MAX_LISTED_SELECTION {
            let more = names.len() - MAX_LISTED_SELECTION;
            if let Some(item) = self.append(
                &self.selection_list,
                "li",
                &format!(
                    "… and {} more; Copy and Download give every name",
                    group_digits(more as u64)
                ),
            ) {
                item.set_class_name("more");
            }
        }
    }

    /// Marks the active view button (`2d`, `3d` or `infra`) and sets `data-view` on the
    /// canvas for tests.
    pub fn set_view_mode(&self, view: &str) {
        for (button, name) in [
            (&self.view_2d, "2d"),
            (&self.view_3d, "3d"),
            (&self.view_infra, "infra"),
        ] {
            let _ = button.set_attribute("aria-pressed", &(name == view).to_string());
        }
        let _ = self.canvas.set_attribute("data-view", view);
    }

    /// Marks the active tool button and sets the canvas cursor for it.
    pub fn set_tool(&self, tool: &str) {
        for (button, name) in [
            (&self.tool_pan, "pan"),
            (&self.tool_box, "box"),
            (&self.tool_lasso, "lasso"),
        ] {
            let _ = button.set_attribute("aria-pressed", &(name == tool).to_string());
            let _ = self
                .canvas
                .class_list()
                .toggle_with_force(&format!("tool-{name}"), name == tool && name != "pan");
        }
    }

    /// Sets `data-layout` on the canvas: `settled`, `running`, or none before positions.
    pub fn set_layout_state(&self, done: Option<bool>) {
        let _ = match done {
            Some(true) => self.canvas.set_attribute("data-layout", "settled"),
            Some(false) => self.canvas.set_attribute("data-layout", "running"),
            None => self.canvas.remove_attribute("data-layout"),
        };
    }

    /// Draws the rubber band of a box selection between two canvas points.
    pub fn show_box(&self, a: [f64; 2], b: [f64; 2]) {
        let rect = &self.selection_box;
        let _ = rect.set_attribute("x", &a[0].min(b[0]).to_string());
        let _ = rect.set_attribute("y", &a[1].min(b[1]).to_string());
        let _ = rect.set_attribute("width", &(a[0] - b[0]).abs().to_string());
        let _ = rect.set_attribute("height", &(a[1] - b[1]).abs().to_string());
        let _ = rect.remove_attribute("hidden");
    }

    /// Draws the outline of a lasso selection.
    pub fn show_lasso(&self, points: &[[f64; 2]]) {
        let text: Vec<String> = points
            .iter()
            .map(|p| format!("{},{}", p[0], p[1]))
            .collect();
        let _ = self
            .selection_lasso
            .set_attribute("points", &text.join(" "));
        let _ = self.selection_lasso.remove_attribute("hidden");
    }

    pub fn hide_selection_shapes(&self) {
        let _ = self.selection_box.set_attribute("hidden", "");
        let _ = self.selection_lasso.set_attribute("hidden", "");
    }

    /// Copies `text` to the clipboard and reports the result in the status or error bar.
    pub fn copy_text(&self, text: String) {
        let Some(window) = self.document.default_view() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        let ui = self.clone();
        let lines = text.lines().count();
        wasm_bindgen_futures::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => ui.set_status(&format!("Copied {lines} domains to the clipboard.")),
                Err(err) => {
                    log::warn!("clipboard write failed: {err:?}");
                    ui.show_error(
                        "The browser refused access to the clipboard; use Download instead.",
                    );
                }
            }
        });
    }

    /// Offers `text` as a file download named `file_name`.
    pub fn download_text(&self, file_name: &str, text: &str) {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/plain;charset=utf-8");
        let result = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
            .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
            .and_then(|url| {
                let link: web_sys::HtmlAnchorElement =
                    self.document.create_element("a")?.unchecked_into();
                link.set_href(&url);
                link.set_download(file_name);
                link.click();
                web_sys::Url::revoke_object_url(&url)
            });
        if let Err(err) = result {
            log::error!("download of {file_name} failed: {err:?}");
            self.show_error(&format!("Could not offer {file_name} for download."));
        }
    }
}

/// The selection panel lists at most this many names; Copy and Download give all.
const MAX_LISTED_SELECTION: usize = 1000;

/// Writes `n` with groups of three digits: 11,155,236.
pub(crate) fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
