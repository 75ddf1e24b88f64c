//! The graph report: a scoring as one JSON document.
//!
//! The keys and shapes are those of the reference output of the original notebook
//! (config, counts, nodes, inactive, trimmed, isolated_nodes, edges, edge_categories,
//! pivot_stats, pivots), so the two can be compared with ordinary JSON tools.

use serde_json::{json, Map, Value};

use crate::scoring::{Scoring, TrimReason};
use crate::stats::{pivot_stats, python_float};

/// The threshold the original prints when there is none (Python's `sys.maxsize`).
const UNLIMITED_THRESHOLD: u64 = i64::MAX as u64;

/// A risk score as JSON: an integer when it is whole, as Iris sends it.
fn risk_json(risk: Option<f64>) -> Value {
    match risk {
        Some(r) if r.fract() == 0.0 => json!(r as i64),
        Some(r) => json!(r),
        None => Value::Null,
    }
}

/// Builds the graph report for `scoring`.
///
/// `positions`, when given, holds `dims` floats per graph node and adds a `positions`
/// object keyed by domain name.
pub fn graph_report(scoring: &Scoring, positions: Option<(&[f32], usize)>) -> Value {
    let settings = &scoring.settings;
    let graph = &scoring.graph;

    let nodes: Vec<Value> = graph
        .node_indices()
        .map(|n| {
            let domain = scoring.node_domain(n);
            json!([domain.name, risk_json(domain.risk_score)])
        })
        .collect();

    let mut edges = Vec::with_capacity(graph.edge_count());
    let mut edge_categories = Map::new();
    for edge in graph.edge_indices() {
        let Some((a, b)) = graph.edge_endpoints(edge) else {
            continue;
        };
        let (a, b) = (scoring.node_name(a), scoring.node_name(b));
        let data = &graph[edge];
        edges.push(json!([a, b, data.weight]));
        edge_categories.insert(format!("{a}|{b}"), json!(data.categories.sorted_names()));
    }

    let trimmed_with = |reason: TrimReason| -> Vec<&str> {
        scoring
            .trimmed
            .iter()
            .filter(|(_, r)| *r == reason)
            .map(|&(id, _)| scoring.domains[id as usize].name.as_str())
            .collect()
    };
    let unconnected = trimmed_with(TrimReason::Unconnected);
    let create_date = trimmed_with(TrimReason::CreateDateOnly);
    let isolated: Vec<&str> = scoring
        .isolated_nodes()
        .map(|n| scoring.node_name(n))
        .collect();

    let rows: Vec<Value> = pivot_stats(scoring)
        .into_iter()
        .map(|row| {
            json!({
                "category": row.category.name(),
                "domains": row.domains,
                "domains_pct": row.domains_pct,
                "pivots": row.pivots,
                "avg_domains_per_pivot": row.avg_domains_per_pivot,
                "connections": row.connections,
                "connections_pct": row.connections_pct,
                "raw": [
                    row.category.name(),
                    format!("{} ({}%)", row.domains, python_float(row.domains_pct)),
                    row.pivots,
                    row.avg_domains_per_pivot,
                    format!("{} ({}%)", row.connections, python_float(row.connections_pct)),
                ],
            })
        })
        .collect();

    let mut pivots = Map::new();
    for category in &scoring.categories {
        let list: Vec<Value> = scoring
            .pivots()
            .filter(|p| p.category == *category)
            .map(|p| {
                let names: Vec<&str> = p
                    .domains
                    .iter()
                    .map(|&d| scoring.domains[d as usize].name.as_str())
                    .collect();
                json!({"value": p.value, "global_count": p.count, "domains": names})
            })
            .collect();
        pivots.insert(category.name().to_string(), Value::Array(list));
    }

    let mut report = json!({
        "config": {
            "active_domains_only": settings.active_domains_only,
            "longest_common_substring": settings.longest_common_substring,
            "ignore_substrings": settings.ignore_substrings,
            "scale_edge_strength_by_pivot_count": settings.scale_edge_strength_by_pivot_count,
            "global_count_threshold": settings.global_count_threshold.unwrap_or(UNLIMITED_THRESHOLD),
            "min_pivot_size": settings.min_pivot_size,
            "max_domains": settings.max_domains,
            "pivot_category_config": settings.categories.sorted_names(),
        },
        "counts": {
            "records": scoring.records,
            "inactive": scoring.inactive.len(),
            "nodes": graph.node_count(),
            "edges": graph.edge_count(),
            "trimmed_unconnected": unconnected.len(),
            "trimmed_create_date": create_date.len(),
            "isolated_nodes": isolated.len(),
            "module_total_graph_connections": scoring.total_connections,
            "module_distinct_graph_connections": graph.edge_count(),
        },
        "nodes": nodes,
        "inactive": scoring.inactive,
        "trimmed": {"unconnected": unconnected, "create_date": create_date},
        "isolated_nodes": isolated,
        "edges": edges,
        "edge_categories": edge_categories,
        "pivot_stats": {
            "headers": [
                "Pivot Category",
                "# of Domains",
                "# of Pivots",
                "avg domains per pivot",
                "# of connections"
            ],
            "printed": format!("{} Domains in Pivot Structure", graph.node_count()),
            "rows": rows,
        },
        "pivots": pivots,
    });

    if let (Some((flat, dims)), Some(object)) = (positions, report.as_object_mut()) {
        let mut by_name = Map::new();
        for (n, chunk) in graph.node_indices().zip(flat.chunks(dims.max(1))) {
            by_name.insert(scoring.node_name(n).to_string(), json!(chunk));
        }
        object.insert("positions".to_string(), Value::Object(by_name));
    }
    report
}
