//! Messages between the page and its scoring worker, and the graph summary the worker
//! sends back.
//!
//! Messages travel as plain JS objects made by serde-wasm-bindgen, with large binary
//! parts (the export's bytes, layout positions) attached as transferable buffers beside
//! them so they are moved, not copied.

use domaincat_core::category::Category;
use domaincat_core::infra::{InfraGraph, InfraSettings};
use domaincat_core::iris::Export;
use domaincat_core::scoring::Scoring;
use domaincat_core::settings::Settings;
use domaincat_core::stats::pivot_stats;
use serde::{Deserialize, Serialize};

/// At most this many input problems are listed to the analyst; the count is exact.
pub const MAX_LISTED_PROBLEMS: usize = 500;

/// A request from the page to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Score the export attached as `bytes`, then lay it out.
    Score {
        job: u32,
        file_name: String,
        settings: Settings,
    },
    /// Score the export of the latest `Score` again with other settings, leaving out
    /// the `removed` domains; the result comes as a `Scored` message for `job`.
    Rescore {
        job: u32,
        settings: Settings,
        removed: Vec<String>,
    },
    /// Lay out the graph of `job` in `dims` dimensions (2 or 3), unless that layout
    /// already ran or is running.
    Layout { job: u32, dims: u8 },
    /// Shared pivots of the selected graph nodes.
    SharedPivots {
        job: u32,
        request: u32,
        nodes: Vec<u32>,
    },
    /// Pivots joining two graph nodes.
    EdgeDetails {
        job: u32,
        request: u32,
        a: u32,
        b: u32,
    },
    /// Build and lay out the infrastructure view of the current export.
    Infra { job: u32, settings: InfraSettings },
}

/// A message from the worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's WebAssembly has loaded; messages sent before this are lost.
    Ready,
    /// A stage of a job started.
    Progress { job: u32, stage: String },
    /// Scoring finished; positions follow in `Layout` messages.
    Scored { job: u32, graph: Box<GraphSummary> },
    /// Node positions (attached as `positions`, `dims` floats per node) after
    /// `iteration` layout steps; `infra` for the infrastructure view's graph.
    Layout {
        job: u32,
        dims: u8,
        infra: bool,
        iteration: u32,
        done: bool,
    },
    /// Reply to `SharedPivots`: a [`domaincat_core::selection::SharedPivots`] as JSON,
    /// plus `carriers`, the graph nodes carrying each table row's pivot.
    SharedPivots {
        job: u32,
        request: u32,
        shared: serde_json::Value,
        carriers: Vec<Vec<u32>>,
    },
    /// Reply to `EdgeDetails`: a [`domaincat_core::edges::EdgeDetails`] as JSON.
    EdgeDetails {
        job: u32,
        request: u32,
        details: serde_json::Value,
    },
    /// The infrastructure graph; positions follow in `Layout` messages with `infra`.
    Infra { job: u32, graph: Box<InfraSummary> },
    /// The job failed; the page keeps what it showed before.
    Failed { job: u32, message: String },
}

/// Everything the page shows about a scored export.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GraphSummary {
    pub file_name: String,
    pub total_records: usize,
    pub inactive: usize,
    pub skipped_records: usize,
    /// Input problems in words, at most [`MAX_LISTED_PROBLEMS`].
    pub problems: Vec<String>,
    pub problem_count: usize,
    /// Domain names of the graph nodes, in node order.
    pub names: Vec<String>,
    /// Risk scores in node order; `None` where the record had none.
    pub risks: Vec<Option<f64>>,
    /// Edge end points, two node indices per edge.
    pub edge_ends: Vec<u32>,
    pub edge_weights: Vec<f32>,
    pub stats: Vec<StatsLine>,
    pub total_connections: u64,
    /// Domains left out of the graph, with the reason in words.
    pub trimmed: Vec<(String, String)>,
    /// Every category with its extracted pivots and domains, enabled or not.
    pub categories: Vec<CategoryInfo>,
    /// Settings this graph was scored with.
    pub settings: Settings,
    /// Domains removed by the analyst before scoring.
    pub removed: Vec<String>,
}

/// How much of the export a category covers, for the settings panel.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CategoryInfo {
    pub category: String,
    /// Distinct values of the category in active records.
    pub pivots: usize,
    /// Active domains carrying at least one value of the category.
    pub domains: usize,
}

/// Counts values and domains per category over `records`, ignoring the settings, so
/// the settings panel can show what enabling a category would bring.
pub fn category_infos(
    records: &[domaincat_core::iris::Record],
    active_only: bool,
) -> Vec<CategoryInfo> {
    let mut values: Vec<std::collections::BTreeSet<&str>> =
        vec![Default::default(); Category::ALL.len()];
    let mut domains: Vec<std::collections::BTreeSet<&str>> =
        vec![Default::default(); Category::ALL.len()];
    for record in records.iter().filter(|r| r.active || !active_only) {
        for value in &record.values {
            values[value.category.index()].insert(&value.value);
            domains[value.category.index()].insert(&record.domain);
        }
    }
    Category::ALL
        .iter()
        .filter(|c| **c != Category::LongestCommonSubstring)
        .map(|c| CategoryInfo {
            category: c.name().to_string(),
            pivots: values[c.index()].len(),
            domains: domains[c.index()].len(),
        })
        .collect()
}

/// The infrastructure graph, ready to draw.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InfraSummary {
    pub settings: InfraSettings,
    /// Node labels, `NAME: value`.
    pub labels: Vec<String>,
    /// Number of domains carrying each node's value.
    pub sizes: Vec<u32>,
    /// Average risk of those domains.
    pub risks: Vec<Option<f64>>,
    /// Domain names per node.
    pub domains: Vec<Vec<String>>,
    pub edge_ends: Vec<u32>,
    /// Number of domains carrying both values, per edge.
    pub edge_shared: Vec<u32>,
    /// Distinct pivot values found, including those without an edge.
    pub pivot_count: usize,
}

impl InfraSummary {
    pub fn new(graph: &InfraGraph) -> Self {
        InfraSummary {
            settings: graph.settings.clone(),
            labels: graph
                .nodes
                .iter()
                .map(|n| format!("{}: {}", n.name, n.value))
                .collect(),
            sizes: graph.nodes.iter().map(|n| n.size as u32).collect(),
            risks: graph.nodes.iter().map(|n| n.average_risk).collect(),
            domains: graph
                .nodes
                .iter()
                .map(|n| {
                    n.domains
                        .iter()
                        .filter_map(|&d| graph.domains.get(d as usize))
                        .map(|d| d.name.clone())
                        .collect()
                })
                .collect(),
            edge_ends: graph.edges.iter().flat_map(|e| [e.a, e.b]).collect(),
            edge_shared: graph.edges.iter().map(|e| e.shared as u32).collect(),
            pivot_count: graph.pivots,
        }
    }
}

/// One row of the pivot statistics table, ready to print.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatsLine {
    pub category: String,
    pub domains: u64,
    pub domains_pct: f64,
    pub pivots: u64,
    pub avg_domains_per_pivot: f64,
    pub connections: u64,
    pub connections_pct: f64,
}

impl GraphSummary {
    /// Summarizes a scoring of `export` for the page.
    pub fn new(file_name: &str, export: &Export, scoring: &Scoring, removed: &[String]) -> Self {
        let graph = &scoring.graph;
        let mut edge_ends = Vec::with_capacity(graph.edge_count() * 2);
        let mut edge_weights = Vec::with_capacity(graph.edge_count());
        for edge in graph.raw_edges() {
            edge_ends.push(edge.source().index() as u32);
            edge_ends.push(edge.target().index() as u32);
            edge_weights.push(edge.weight.weight as f32);
        }
        let stats = pivot_stats(scoring)
            .into_iter()
            .map(|row| StatsLine {
                category: row.category.name().to_string(),
                domains: row.domains,
                domains_pct: row.domains_pct,
                pivots: row.pivots,
                avg_domains_per_pivot: row.avg_domains_per_pivot,
                connections: row.connections,
                connections_pct: row.connections_pct,
            })
            .collect();
        GraphSummary {
            file_name: file_name.to_string(),
            total_records: export.total_records,
            inactive: scoring.inactive.len(),
            skipped_records: export.skipped_records().count(),
            problems: export
                .problems
                .iter()
                .take(MAX_LISTED_PROBLEMS)
                .map(ToString::to_string)
                .collect(),
            problem_count: export.problems.len(),
            names: graph
                .node_indices()
                .map(|n| scoring.node_name(n).to_string())
                .collect(),
            risks: graph
                .node_indices()
                .map(|n| scoring.node_domain(n).risk_score)
                .collect(),
            edge_ends,
            edge_weights,
            stats,
            total_connections: scoring.total_connections,
            trimmed: scoring
                .trimmed
                .iter()
                .map(|&(id, reason)| {
                    (
                        scoring.domains[id as usize].name.clone(),
                        reason.describe().to_string(),
                    )
                })
                .collect(),
            categories: category_infos(&export.records, scoring.settings.active_domains_only),
            settings: scoring.settings.clone(),
            removed: removed.to_vec(),
        }
    }

    pub fn node_count(&self) -> usize {
        self.names.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_weights.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domaincat_core::iris::parse_export;
    use domaincat_core::scoring::score;

    #[test]
    fn summary_matches_scoring() {
        let text = br#"[
            {"domain": "a.com", "registrar": {"value": "R", "count": 40},
             "domain_risk": {"risk_score": 90}},
            {"domain": "b.com", "registrar": {"value": "R", "count": 40}},
            {"domain": "c.com"},
            {"tld": "com"}
        ]"#;
        let export = parse_export(text).expect("export parses");
        let scoring = score(&export.records, &Settings::default()).expect("valid settings");
        let summary = GraphSummary::new("x.json", &export, &scoring, &[]);
        assert_eq!(summary.names, vec!["a.com", "b.com"]);
        assert_eq!(summary.risks, vec![Some(90.0), None]);
        assert_eq!(summary.edge_ends, vec![0, 1]);
        assert_eq!(summary.edge_count(), 1);
        assert_eq!(summary.skipped_records, 1);
        assert_eq!(summary.problem_count, 1);
        assert_eq!(
            summary.trimmed,
            vec![(
                "c.com".to_string(),
                "shares no pivot with another domain".to_string()
            )]
        );
        assert_eq!(summary.stats[0].category, "registrar");
        let registrar = summary
            .categories
            .iter()
            .find(|c| c.category == "registrar")
            .expect("registrar listed");
        assert_eq!((registrar.pivots, registrar.domains), (1, 2));
    }
}
