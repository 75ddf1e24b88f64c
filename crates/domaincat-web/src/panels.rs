//! Side panels of the analyst's workbench: shared-pivot heat maps of the selection, the
//! pivots behind a connection, scoring settings, domain removal and the infrastructure
//! view's details. Values from exports are inserted as text only.

use domaincat_core::category::{Category, CategorySet};
use domaincat_core::settings::Settings;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlTextAreaElement,
};

use crate::protocol::CategoryInfo;
use crate::ui::group_digits;
use crate::ui::{by_id, Ui};

/// Heat-map colour of `value` out of `max`: dark blue through teal to yellow, so that
/// higher counts are brighter.
pub fn heat_color(value: f64, max: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 4] = [
        [38.0, 52.0, 86.0],
        [33.0, 118.0, 140.0],
        [64.0, 180.0, 120.0],
        [240.0, 226.0, 60.0],
    ];
    if value <= 0.0 || max <= 0.0 {
        return [28, 32, 39];
    }
    let t = (value / max).clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    [0, 1, 2].map(|c| (STOPS[i][c] + (STOPS[i + 1][c] - STOPS[i][c]) * f).round() as u8)
}

/// Handles to the workbench panels.
#[derive(Clone)]
pub struct Panels {
    ui: Ui,
    shared_hint: HtmlElement,
    shared_content: HtmlElement,
    /// Says when a big selection's heat maps and table are cut down.
    shared_note: HtmlElement,
    heatmap_categories: Element,
    heatmap_values: Element,
    pub shared_table_body: Element,
    edge_panel: HtmlElement,
    edge_title: HtmlElement,
    edge_body: Element,
    edge_total: HtmlElement,
    pub settings: SettingsForm,
    pub remove_list: HtmlTextAreaElement,
    pub remove_pasted: HtmlButtonElement,
    pub remove_undo: HtmlButtonElement,
    removed_summary: HtmlElement,
    pub infra_panel: HtmlElement,
    pub infra_pivot_threshold: HtmlInputElement,
    pub infra_edge_threshold: HtmlInputElement,
    pub infra_exclude: HtmlInputElement,
    infra_summary: HtmlElement,
    infra_node_title: HtmlElement,
    infra_domains: HtmlElement,
    pub infra_select: HtmlButtonElement,
}

/// The scoring settings form.
#[derive(Clone)]
pub struct SettingsForm {
    pub substring: HtmlInputElement,
    pub ignore: HtmlInputElement,
    pub threshold: HtmlInputElement,
    pub min_pivot: HtmlInputElement,
    pub max_domains: HtmlInputElement,
    pub scale: HtmlInputElement,
    pub active: HtmlInputElement,
    pub categories: HtmlElement,
    pub reset: HtmlButtonElement,
}

impl Panels {
    pub fn find(document: &Document, ui: &Ui) -> Result<Self, String> {
        let tbody = |id: &str| -> Result<Element, String> {
            let table: Element = by_id(document, id)?;
            table
                .query_selector("tbody")
                .ok()
                .flatten()
                .ok_or_else(|| format!("table #{id} has no tbody"))
        };
        Ok(Panels {
            ui: ui.clone(),
            shared_hint: by_id(document, "shared-hint")?,
            shared_content: by_id(document, "shared-content")?,
            shared_note: by_id(document, "shared-note")?,
            heatmap_categories: by_id(document, "heatmap-categories")?,
            heatmap_values: by_id(document, "heatmap-values")?,
            shared_table_body: tbody("shared-table")?,
            edge_panel: by_id(document, "edge-panel")?,
            edge_title: by_id(document, "edge-title")?,
            edge_body: tbody("edge-pivots")?,
            edge_total: by_id(document, "edge-total")?,
            settings: SettingsForm {
                substring: by_id(document, "setting-substring")?,
                ignore: by_id(document, "setting-ignore")?,
                threshold: by_id(document, "setting-threshold")?,
                min_pivot: by_id(document, "setting-min-pivot")?,
                max_domains: by_id(document, "setting-max-domains")?,
                scale: by_id(document, "setting-scale")?,
                active: by_id(document, "setting-active")?,
                categories: by_id(document, "setting-categories")?,
                reset: by_id(document, "settings-reset")?,
            },
            remove_list: by_id(document, "remove-list")?,
            remove_pasted: by_id(document, "remove-pasted")?,
            remove_undo: by_id(document, "remove-undo")?,
            removed_summary: by_id(document, "removed-summary")?,
            infra_panel: by_id(document, "infra-panel")?,
            infra_pivot_threshold: by_id(document, "infra-pivot-threshold")?,
            infra_edge_threshold: by_id(document, "infra-edge-threshold")?,
            infra_exclude: by_id(document, "infra-exclude")?,
            infra_summary: by_id(document, "infra-summary")?,
            infra_node_title: by_id(document, "infra-node-title")?,
            infra_domains: by_id(document, "infra-domains")?,
            infra_select: by_id(document, "infra-select")?,
        })
    }

    /// Shows that the selection is too small for shared pivots.
    pub fn clear_shared(&self, selected: usize) {
        self.shared_content.set_hidden(true);
        self.shared_hint.set_hidden(false);
        let text = if selected == 0 {
            "Select 3 or more domains to see the pivots they share.".to_string()
        } else {
            format!("{selected} selected; select 3 or more domains to see the pivots they share.")
        };
        self.shared_hint.set_text_content(Some(&text));
    }

    /// Renders a [`domaincat_core::selection::SharedPivots`] (as JSON) into the two heat
    /// maps and the table.
    pub fn show_shared(&self, shared: &Value, totals: [usize; 3]) {
        let columns: Vec<&str> = shared["columns"]
            .as_array()
            .map(|c| c.iter().filter_map(|d| d["name"].as_str()).collect())
            .unwrap_or_default();
        let table = shared["table"].as_array().cloned().unwrap_or_default();
        if table.is_empty() {
            self.shared_content.set_hidden(true);
            self.shared_hint.set_hidden(false);
            self.shared_hint.set_text_content(Some(&format!(
                "The {} selected domains share no value that 3 or more of them carry.",
                columns.len()
            )));
            return;
        }
        self.shared_hint.set_hidden(true);
        self.shared_content.set_hidden(false);
        self.show_shared_note(columns.len(), table.len(), shared, totals);

        let category_rows: Vec<(String, Vec<f64>)> = shared["categories"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        let label = row["category"].as_str().unwrap_or_default().to_string();
                        (label, cells(&row["cells"]))
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.fill_heatmap(&self.heatmap_categories, &columns, &category_rows, "pivots");

        let value_rows: Vec<(String, Vec<f64>)> = shared["values"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        let label = row["label"].as_str().unwrap_or_default().to_string();
                        (label, cells(&row["cells"]))
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.fill_heatmap(&self.heatmap_values, &columns, &value_rows, "carries it");

        self.shared_table_body.set_text_content(None);
        for (index, row) in table.iter().enumerate() {
            let Some(tr) = self.ui.append(&self.shared_table_body, "tr", "") else {
                continue;
            };
            let _ = tr.set_attribute("data-row", &index.to_string());
            let category = row["category"].as_str().unwrap_or_default();
            let value = row["value"].as_str().unwrap_or_default();
            self.ui.append(&tr, "td", category);
            if let Some(cell) = self.ui.append(&tr, "td", value) {
                let _ = cell.set_attribute("title", value);
            }
            self.ui.append(&tr, "td", &row["domains"].to_string());
        }
    }

    fn show_shared_note(&self, columns: usize, table: usize, shared: &Value, totals: [usize; 3]) {
        let values = shared["values"].as_array().map_or(0, Vec::len);
        let [all_columns, all_values, all_table] = totals;
        let mut parts = Vec::new();
        if columns < all_columns {
            parts.push(format!(
                "the heat maps show the first {} of {} selected domains",
                group_digits(columns as u64),
                group_digits(all_columns as u64)
            ));
        }
        if values < all_values {
            parts.push(format!(
                "the value heat map shows the {values} most shared of {} values",
                group_digits(all_values as u64)
            ));
        }
        if table < all_table {
            parts.push(format!(
                "the table lists the {table} most shared of {} values",
                group_digits(all_table as u64)
            ));
        }
        match parts.split_first() {
            None => self.shared_note.set_hidden(true),
            Some((first, rest)) => {
                let mut text = first.clone();
                if let Some(c) = text.get(..1) {
                    text = c.to_uppercase() + &text[1..];
                }
                for part in rest {
                    text.push_str("; ");
                    text.push_str(part);
                }
                text.push('.');
                self.shared_note.set_text_content(Some(&text));
                self.shared_note.set_hidden(false);
            }
        }
    }

    /// Fills a heat-map table: a header of rotated domain names, then one row per label
    /// with coloured cells; hovering a cell names the domain, the row and the value.
    fn fill_heatmap(
        &self,
        table: &Element,
        columns: &[&str],
        rows: &[(String, Vec<f64>)],
        unit: &str,
    ) {
        table.set_text_content(None);
        let max = rows
            .iter()
            .flat_map(|(_, cells)| cells.iter().copied())
            .fold(0.0, f64::max);
        let Some(head) = self.ui.append(table, "thead", "") else {
            return;
        };
        let Some(header) = self.ui.append(&head, "tr", "") else {
            return;
        };
        self.ui.append(&header, "th", "");
        for name in columns {
            if let Some(th) = self.ui.append(&header, "th", "") {
                let _ = th.set_attribute("title", name);
                self.ui.append(&th, "div", name);
            }
        }
        let Some(body) = self.ui.append(table, "tbody", "") else {
            return;
        };
        for (label, cells) in rows {
            let Some(tr) = self.ui.append(&body, "tr", "") else {
                continue;
            };
            if let Some(th) = self.ui.append(&tr, "th", label) {
                let _ = th.set_attribute("title", label);
            }
            for (column, &value) in cells.iter().enumerate() {
                let text = if value > 0.0 && unit == "pivots" {
                    format!("{value}")
                } else {
                    String::new()
                };
                let Some(td) = self.ui.append(&tr, "td", &text) else {
                    continue;
                };
                let [r, g, b] = heat_color(value, max);
                // Set through the CSSOM: a Content Security Policy without
                // 'unsafe-inline' in style-src blocks a `style` attribute but not this.
                if let Some(cell) = td.dyn_ref::<HtmlElement>() {
                    let _ = cell
                        .style()
                        .set_property("background", &format!("rgb({r},{g},{b})"));
                }
                let _ = td.set_attribute("data-value", &value.to_string());
                let domain = columns.get(column).copied().unwrap_or_default();
                let title = if unit == "pivots" {
                    format!("{domain} — {label}: {value} shared pivots")
                } else if value > 0.0 {
                    format!("{domain} — {label}: carries it")
                } else {
                    format!("{domain} — {label}: does not carry it")
                };
                let _ = td.set_attribute("title", &title);
            }
        }
    }

    /// Shows the pivots joining two domains, or hides the panel for `None`.
    pub fn show_edge(&self, details: Option<&Value>) {
        let Some(details) = details else {
            self.edge_panel.set_hidden(true);
            return;
        };
        self.edge_panel.set_hidden(false);
        let names: Vec<&str> = details["names"]
            .as_array()
            .map(|n| n.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.edge_title.set_text_content(Some(&names.join(" ↔ ")));
        self.edge_body.set_text_content(None);
        let pivots = details["pivots"].as_array().cloned().unwrap_or_default();
        for pivot in &pivots {
            let Some(tr) = self.ui.append(&self.edge_body, "tr", "") else {
                continue;
            };
            let counted = pivot["counted"].as_bool().unwrap_or(false);
            if !counted {
                tr.set_class_name("not-counted");
                let _ = tr.set_attribute(
                    "title",
                    "Not added: its category already counted, or the value is too common",
                );
            }
            self.ui
                .append(&tr, "td", pivot["category"].as_str().unwrap_or_default());
            let value = pivot["value"].as_str().unwrap_or_default();
            if let Some(cell) = self.ui.append(&tr, "td", value) {
                let _ = cell.set_attribute("title", value);
            }
            let count = match pivot["count"].as_u64() {
                Some(count) => count.to_string(),
                None => "—".to_string(),
            };
            self.ui.append(&tr, "td", &count);
            let weight = pivot["weight"].as_f64().unwrap_or_default();
            self.ui.append(&tr, "td", &format!("{weight:.3}"));
        }
        let total = match details["weight"].as_f64() {
            Some(weight) => {
                format!("Edge weight {weight:.3} (categories add their first pivot; capped at 5).")
            }
            None => "No edge: every shared value is too common to count.".to_string(),
        };
        self.edge_total.set_text_content(Some(&total));
    }

    /// Lists the removed domains and enables undo.
    pub fn show_removed(&self, removed: usize, undo_steps: usize) {
        self.remove_undo.set_disabled(undo_steps == 0);
        let text = match removed {
            0 => String::new(),
            1 => "1 domain removed from scoring.".to_string(),
            n => format!("{n} domains removed from scoring."),
        };
        self.removed_summary.set_text_content(Some(&text));
    }

    pub fn show_infra_summary(&self, text: &str) {
        self.infra_summary.set_text_content(Some(text));
    }

    /// Lists the domains of a clicked infrastructure node, or clears the list.
    pub fn show_infra_node(&self, node: Option<(&str, &[String])>) {
        self.infra_domains.set_text_content(None);
        match node {
            Some((label, domains)) => {
                self.infra_node_title
                    .set_text_content(Some(&format!("{label} — {} domains", domains.len())));
                let mut sorted: Vec<&String> = domains.iter().collect();
                sorted.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
                for domain in sorted {
                    self.ui.append(&self.infra_domains, "li", domain);
                }
                self.infra_select.set_hidden(false);
            }
            None => {
                self.infra_node_title.set_text_content(None);
                self.infra_select.set_hidden(true);
            }
        }
    }
}

fn cells(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

impl SettingsForm {
    /// Shows `settings` in the form, with the per-category counts of the export.
    pub fn fill(&self, ui: &Ui, settings: &Settings, categories: &[CategoryInfo]) {
        self.substring
            .set_value(&settings.longest_common_substring.to_string());
        self.ignore
            .set_value(&settings.ignore_substrings.join(", "));
        self.threshold.set_value(
            &settings
                .global_count_threshold
                .map(|t| t.to_string())
                .unwrap_or_default(),
        );
        self.min_pivot
            .set_value(&settings.min_pivot_size.to_string());
        self.max_domains
            .set_value(&settings.max_domains.to_string());
        self.scale
            .set_checked(settings.scale_edge_strength_by_pivot_count);
        self.active.set_checked(settings.active_domains_only);

        self.categories.set_text_content(None);
        let mut listed: Vec<(String, String)> = categories
            .iter()
            .map(|c| {
                let counts = format!(" {} · {}", c.pivots, c.domains);
                (c.category.clone(), counts)
            })
            .collect();
        listed.push((
            Category::LongestCommonSubstring.name().to_string(),
            " names".to_string(),
        ));
        for (name, counts) in listed {
            let Some(item) = ui.append(&self.categories, "li", "") else {
                continue;
            };
            let Some(label) = ui.append(&item, "label", "") else {
                continue;
            };
            let Ok(input) = ui
                .element("input", "")
                .ok_or(())
                .and_then(|e| e.dyn_into::<HtmlInputElement>().map_err(|_| ()))
            else {
                continue;
            };
            input.set_type("checkbox");
            let _ = input.set_attribute("data-category", &name);
            let enabled = name
                .parse::<Category>()
                .is_ok_and(|c| settings.categories.contains(c));
            input.set_checked(enabled);
            let _ = label.append_child(&input);
            ui.append(&label, "span", &format!(" {name}"));
            if let Some(note) = ui.append(&label, "span", &counts) {
                note.set_class_name("counts-note");
            }
        }
    }

    /// Reads the form into settings, or returns an error naming the invalid field.
    pub fn read(&self) -> Result<Settings, String> {
        fn number<T: std::str::FromStr>(input: &HtmlInputElement, name: &str) -> Result<T, String> {
            input
                .value()
                .trim()
                .parse()
                .map_err(|_| format!("{name} must be a whole number, got \"{}\"", input.value()))
        }
        let threshold = self.threshold.value();
        let global_count_threshold = if threshold.trim().is_empty() {
            None
        } else {
            Some(number::<u64>(&self.threshold, "Count threshold")?)
        };
        let mut categories = CategorySet::empty();
        let boxes = self
            .categories
            .query_selector_all("input[data-category]")
            .map_err(|_| "the category list is unreadable".to_string())?;
        for index in 0..boxes.length() {
            let Some(input) = boxes
                .get(index)
                .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
            else {
                continue;
            };
            let name = input.get_attribute("data-category").unwrap_or_default();
            if input.checked() {
                if let Ok(category) = name.parse::<Category>() {
                    categories.insert(category);
                }
            }
        }
        let settings = Settings {
            active_domains_only: self.active.checked(),
            longest_common_substring: number(&self.substring, "Substring length")?,
            ignore_substrings: self
                .ignore
                .value()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            scale_edge_strength_by_pivot_count: self.scale.checked(),
            global_count_threshold,
            min_pivot_size: number(&self.min_pivot, "Min pivot size")?,
            max_domains: number(&self.max_domains, "Max domains")?,
            categories,
        };
        settings.validate().map_err(|err| err.to_string())?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_scale_runs_dark_to_bright() {
        let low = heat_color(1.0, 10.0);
        let high = heat_color(10.0, 10.0);
        let brightness = |c: [u8; 3]| c.iter().map(|&v| u32::from(v)).sum::<u32>();
        assert!(brightness(low) < brightness(high));
        assert_eq!(heat_color(0.0, 10.0), [28, 32, 39]);
        assert_eq!(high, [240, 226, 60]);
    }
}
