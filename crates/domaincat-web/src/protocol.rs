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

/// At most this many trimmed domains are listed to the analyst; the count is exact.
pub const MAX_LISTED_TRIMMED: usize = 1000;

/// The page receives at most this many edges, the heaviest; it draws a part of them
/// chosen by zoom (see `render::budget`).
pub const MAX_SENT_EDGES: usize = 1_000_000;

/// A request from the page to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Score the export attached as `bytes` without the `removed` domains, then lay it
    /// out. Each score job runs in a worker of its own, so the page can stop it by
    /// ending that worker and keep the previous graph.
    Score {
        job: u32,
        file_name: String,
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
    /// Every neighbour of a graph node, for selections when the page holds only part
    /// of the edges.
    Neighbours { job: u32, request: u32, node: u32 },
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
    /// Scoring finished; positions follow in `Layout` messages. The summary's edges are
    /// attached as `edgeEnds` (`Uint32Array`) and `edgeWeights` (`Float32Array`).
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
    /// plus `carriers`, the graph nodes carrying each table row's pivot. Big selections
    /// are cut down; `totals` gives the columns, value rows and table rows before that.
    SharedPivots {
        job: u32,
        request: u32,
        shared: serde_json::Value,
        carriers: Vec<Vec<u32>>,
        totals: [usize; 3],
    },
    /// Reply to `Neighbours`: the neighbours of `node`, in ascending order.
    Neighbours {
        job: u32,
        request: u32,
        node: u32,
        neighbours: Vec<u32>,
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
    /// End points of the heaviest edges (at most [`MAX_SENT_EDGES`]), two node indices
    /// per edge, heaviest first. Sent as a typed array beside the message.
    #[serde(skip)]
    pub edge_ends: Vec<u32>,
    /// Weights of the edges in `edge_ends`. Sent as a typed array beside the message.
    #[serde(skip)]
    pub edge_weights: Vec<f32>,
    /// Number of edges of the graph, sent or not.
    pub total_edges: u64,
    /// Number of edges of each node.
    pub degrees: Vec<u32>,
    pub stats: Vec<StatsLine>,
    pub total_connections: u64,
    /// Domains left out of the graph, with the reason in words, at most
    /// [`MAX_LISTED_TRIMMED`].
    pub trimmed: Vec<(String, String)>,
    pub trimmed_count: usize,
    /// Every category with its extracted pivots and domains, enabled or not.
    pub categories: Vec<CategoryInfo>,
    /// Settings this graph was scored with.
    pub settings: Settings,
    /// Domains removed by the analyst before scoring.
    pub removed: Vec<String>,
    /// Time of each scoring stage in milliseconds, in order.
    pub stage_ms: Vec<(String, f64)>,
    /// Size of the worker's WebAssembly memory once the graph was built, in bytes.
    pub worker_memory: u64,
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
        let heaviest = scoring.heaviest_edges(MAX_SENT_EDGES);
        let mut edge_ends = Vec::with_capacity(heaviest.len() * 2);
        let mut edge_weights = Vec::with_capacity(heaviest.len());
        for edge in &heaviest {
            edge_ends.extend([edge.a, edge.b]);
            edge_weights.push(edge.data.weight as f32);
        }
        drop(heaviest);
        let degrees = scoring.graph.degrees();
        let domains: Vec<&domaincat_core::scoring::Domain> = (0..scoring.node_count())
            .filter_map(|node| scoring.node_domain_id(node))
            .filter_map(|id| scoring.domains.get(id as usize))
            .collect();
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
            names: domains.iter().map(|d| d.name.clone()).collect(),
            risks: domains.iter().map(|d| d.risk_score).collect(),
            edge_ends,
            edge_weights,
            total_edges: scoring.edge_count() as u64,
            degrees,
            stats,
            total_connections: scoring.total_connections,
            trimmed: scoring
                .trimmed
                .iter()
                .take(MAX_LISTED_TRIMMED)
                .map(|&(id, reason)| {
                    (
                        scoring.domains[id as usize].name.clone(),
                        reason.describe().to_string(),
                    )
                })
                .collect(),
            trimmed_count: scoring.trimmed.len(),
            categories: category_infos(&export.records, scoring.settings.active_domains_only),
            settings: scoring.settings.clone(),
            removed: removed.to_vec(),
            stage_ms: Vec::new(),
            worker_memory: 0,
        }
    }

    pub fn node_count(&self) -> usize {
        self.names.len()
    }

    /// Number of edges of the graph, including those not sent to the page.
    pub fn edge_count(&self) -> u64 {
        self.total_edges
    }

    /// Returns whether the page has every edge of the graph.
    pub fn has_every_edge(&self) -> bool {
        self.edge_weights.len() as u64 == self.total_edges
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
