//! The graph report: a scoring as one JSON document.
//!
//! The keys and shapes are those of the reference output of the original notebook
//! (config, counts, nodes, inactive, trimmed, isolated_nodes, edges, edge_categories,
//! pivot_stats, pivots), so the two can be compared with ordinary JSON tools.
//!
//! [`GraphReport`] serializes the report while walking the scoring, so that a report
//! with millions of edges is written without building it in memory first.
//! [`graph_report`] builds the same document as a [`Value`].

use std::collections::HashMap;
use std::io;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::category::CategorySet;
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

/// The graph report of a scoring, serialized as it is written.
///
/// `positions`, when given, holds `dims` floats per graph node and adds a `positions`
/// object keyed by domain name.
pub struct GraphReport<'a> {
    scoring: &'a Scoring,
    positions: Option<(&'a [f32], usize)>,
}

impl<'a> GraphReport<'a> {
    pub fn new(scoring: &'a Scoring, positions: Option<(&'a [f32], usize)>) -> Self {
        GraphReport { scoring, positions }
    }

    /// Writes the report as JSON to `writer`, indented unless `compact`, without a final
    /// newline. The bytes are those of [`graph_report`] serialized with serde_json.
    pub fn write<W: io::Write>(&self, writer: W, compact: bool) -> serde_json::Result<()> {
        if compact {
            serde_json::to_writer(writer, self)
        } else {
            serde_json::to_writer_pretty(writer, self)
        }
    }
}

/// Builds the graph report for `scoring` as a JSON value; see [`GraphReport`].
pub fn graph_report(scoring: &Scoring, positions: Option<(&[f32], usize)>) -> Value {
    // Serializing into a `Value` only fails for map keys that are not strings, and every
    // key of the report is a string.
    serde_json::to_value(GraphReport::new(scoring, positions)).unwrap_or(Value::Null)
}

impl Serialize for GraphReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.scoring;
        let graph = &scoring.graph;
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

        let entries = if self.positions.is_some() { 11 } else { 10 };
        let mut report = serializer.serialize_map(Some(entries))?;
        report.serialize_entry("config", &config_json(scoring))?;
        report.serialize_entry(
            "counts",
            &json!({
                "records": scoring.records,
                "inactive": scoring.inactive.len(),
                "nodes": graph.node_count(),
                "edges": graph.edge_count(),
                "trimmed_unconnected": unconnected.len(),
                "trimmed_create_date": create_date.len(),
                "isolated_nodes": isolated.len(),
                "module_total_graph_connections": scoring.total_connections,
                "module_distinct_graph_connections": graph.edge_count(),
            }),
        )?;
        report.serialize_entry("nodes", &Nodes(scoring))?;
        report.serialize_entry("inactive", &scoring.inactive)?;
        report.serialize_entry(
            "trimmed",
            &json!({"unconnected": unconnected, "create_date": create_date}),
        )?;
        report.serialize_entry("isolated_nodes", &isolated)?;
        report.serialize_entry("edges", &Edges(scoring))?;
        report.serialize_entry("edge_categories", &EdgeCategories(scoring))?;
        report.serialize_entry("pivot_stats", &pivot_stats_json(scoring))?;
        report.serialize_entry("pivots", &Pivots(scoring))?;
        if let Some((flat, dims)) = self.positions {
            report.serialize_entry(
                "positions",
                &Positions {
                    scoring,
                    flat,
                    dims,
                },
            )?;
        }
        report.end()
    }
}

fn config_json(scoring: &Scoring) -> Value {
    let settings = &scoring.settings;
    json!({
        "active_domains_only": settings.active_domains_only,
        "longest_common_substring": settings.longest_common_substring,
        "ignore_substrings": settings.ignore_substrings,
        "scale_edge_strength_by_pivot_count": settings.scale_edge_strength_by_pivot_count,
        "global_count_threshold": settings.global_count_threshold.unwrap_or(UNLIMITED_THRESHOLD),
        "min_pivot_size": settings.min_pivot_size,
        "max_domains": settings.max_domains,
        "pivot_category_config": settings.categories.sorted_names(),
    })
}

fn pivot_stats_json(scoring: &Scoring) -> Value {
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
    json!({
        "headers": [
            "Pivot Category",
            "# of Domains",
            "# of Pivots",
            "avg domains per pivot",
            "# of connections"
        ],
        "printed": format!("{} Domains in Pivot Structure", scoring.graph.node_count()),
        "rows": rows,
    })
}

/// `[name, risk]` of every graph node.
struct Nodes<'a>(&'a Scoring);

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.0;
        let mut nodes = serializer.serialize_seq(Some(scoring.node_count()))?;
        for node in scoring.graph.node_indices() {
            let domain = scoring.node_domain(node);
            nodes.serialize_element(&(&domain.name, risk_json(domain.risk_score)))?;
        }
        nodes.end()
    }
}

/// Returns the domain name of every graph node, in node order.
fn node_names(scoring: &Scoring) -> Vec<&str> {
    scoring
        .graph
        .domain_ids()
        .iter()
        .map(|&id| scoring.domains[id as usize].name.as_str())
        .collect()
}

/// `[name, name, weight]` of every edge, in end-point order.
struct Edges<'a>(&'a Scoring);

impl Serialize for Edges<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.0;
        let names = node_names(scoring);
        let mut edges = serializer.serialize_seq(Some(scoring.edge_count()))?;
        for (a, b, data) in scoring.graph.edges() {
            edges.serialize_element(&(names[a as usize], names[b as usize], data.weight))?;
        }
        edges.end()
    }
}

/// The categories of every edge, keyed `"a|b"` by the names of its ends.
struct EdgeCategories<'a>(&'a Scoring);

impl Serialize for EdgeCategories<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.0;
        let names = node_names(scoring);
        let key = |a: u32, b: u32| format!("{}|{}", names[a as usize], names[b as usize]);
        // Keys are unique unless a name contains `|`: "a|b" + "c" and "a" + "b|c" both
        // give "a|b|c". A JSON object keeps one entry per key, where the first edge with
        // the key placed it, with the categories of the last edge with it.
        if names.iter().any(|name| name.contains('|')) {
            let mut entries: Vec<(String, CategorySet)> = Vec::new();
            let mut position: HashMap<String, usize> = HashMap::new();
            for (a, b, data) in scoring.graph.edges() {
                let key = key(a, b);
                match position.get(&key) {
                    Some(&at) => entries[at].1 = data.categories,
                    None => {
                        position.insert(key.clone(), entries.len());
                        entries.push((key, data.categories));
                    }
                }
            }
            let mut map = serializer.serialize_map(Some(entries.len()))?;
            for (key, categories) in &entries {
                map.serialize_entry(key, &categories.sorted_names())?;
            }
            return map.end();
        }
        let mut map = serializer.serialize_map(Some(scoring.edge_count()))?;
        for (a, b, data) in scoring.graph.edges() {
            map.serialize_entry(&key(a, b), &data.categories.sorted_names())?;
        }
        map.end()
    }
}

/// The kept pivots of each category with the names of their domains.
struct Pivots<'a>(&'a Scoring);

impl Serialize for Pivots<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.0;
        let mut map = serializer.serialize_map(Some(scoring.categories.len()))?;
        for &category in &scoring.categories {
            map.serialize_entry(category.name(), &CategoryPivots { scoring, category })?;
        }
        map.end()
    }
}

struct CategoryPivots<'a> {
    scoring: &'a Scoring,
    category: crate::category::Category,
}

impl Serialize for CategoryPivots<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.scoring;
        let pivots = || scoring.pivots().filter(|p| p.category == self.category);
        let mut list = serializer.serialize_seq(Some(pivots().count()))?;
        for pivot in pivots() {
            let names: Vec<&str> = pivot
                .domains
                .iter()
                .map(|&d| scoring.domains[d as usize].name.as_str())
                .collect();
            list.serialize_element(
                &json!({"value": pivot.value, "global_count": pivot.count, "domains": names}),
            )?;
        }
        list.end()
    }
}

/// The layout position of every graph node, keyed by domain name.
struct Positions<'a> {
    scoring: &'a Scoring,
    flat: &'a [f32],
    dims: usize,
}

impl Serialize for Positions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scoring = self.scoring;
        let chunks = self.flat.chunks(self.dims.max(1));
        let count = scoring.node_count().min(chunks.len());
        let mut map = serializer.serialize_map(Some(count))?;
        for (node, chunk) in scoring.graph.node_indices().zip(chunks) {
            // A `Value` keeps an `f32` as the `f64` of the same value, so the report
            // writes them as `f64` too.
            let coordinates: Vec<f64> = chunk.iter().map(|&x| f64::from(x)).collect();
            map.serialize_entry(scoring.node_name(node), &coordinates)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::category::Category;
    use crate::iris::{PivotValue, Record};
    use crate::scoring::score;
    use crate::settings::Settings;

    /// Builds the report as one `Value`, the way it was built before it was streamed.
    fn reference_report(scoring: &Scoring, positions: Option<(&[f32], usize)>) -> Value {
        let graph = &scoring.graph;
        let nodes: Vec<Value> = graph
            .node_indices()
            .map(|n| {
                let domain = scoring.node_domain(n);
                json!([domain.name, risk_json(domain.risk_score)])
            })
            .collect();
        let mut edges = Vec::new();
        let mut edge_categories = Map::new();
        for edge in graph.edge_indices() {
            let (a, b) = graph.edge_endpoints(edge).expect("edge has end points");
            let (a, b) = (scoring.node_name(a), scoring.node_name(b));
            edges.push(json!([a, b, graph[edge].weight]));
            let categories = json!(graph[edge].categories.sorted_names());
            edge_categories.insert(format!("{a}|{b}"), categories);
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
            "config": config_json(scoring),
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
            "pivot_stats": pivot_stats_json(scoring),
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

    fn record(
        domain: &str,
        active: bool,
        risk: Option<f64>,
        values: &[(Category, &str)],
    ) -> Record {
        Record {
            index: 0,
            domain: domain.to_string(),
            risk_score: risk,
            active,
            values: values
                .iter()
                .map(|&(category, value)| PivotValue {
                    category,
                    value: value.to_string(),
                    count: Some(4),
                })
                .collect(),
            infra_values: Vec::new(),
        }
    }

    /// Records whose names contain `|`, so that two edges share the key "x|y|z", with
    /// fractional and missing risks, an inactive domain and trimmed domains.
    fn records() -> Vec<Record> {
        use Category::*;
        vec![
            record(
                "x|y",
                true,
                Some(80.0),
                &[(Registrar, "r"), (IpAddress, "1")],
            ),
            record("z", true, Some(12.5), &[(Registrar, "r")]),
            record("x", true, None, &[(Registrar, "r"), (IpAddress, "1")]),
            record("y|z", true, Some(0.0), &[(Registrar, "r")]),
            record("w", false, None, &[(Registrar, "r")]),
            record("v", true, None, &[(CreateDate, "2020")]),
            record("u", true, Some(1.0), &[(Tld, "us")]),
            record("t", true, None, &[(SslEmail, "e")]),
        ]
    }

    fn written(report: &GraphReport, compact: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        report
            .write(&mut bytes, compact)
            .expect("writing to memory");
        bytes
    }

    #[test]
    fn written_report_matches_value_report() {
        let settings = Settings {
            min_pivot_size: 1,
            ..Settings::default()
        };
        let scoring = score(&records(), &settings).expect("valid settings");
        let positions: Vec<f32> = (0..scoring.node_count() * 3)
            .map(|i| 0.1 * i as f32 - 1.0)
            .collect();
        for with_positions in [false, true] {
            let positions = with_positions.then_some((positions.as_slice(), 3));
            let expected = reference_report(&scoring, positions);
            let report = GraphReport::new(&scoring, positions);
            assert_eq!(graph_report(&scoring, positions), expected);
            let pretty = serde_json::to_vec_pretty(&expected).expect("serializable");
            assert_eq!(written(&report, false), pretty);
            let compact = serde_json::to_vec(&expected).expect("serializable");
            assert_eq!(written(&report, true), compact);
        }
    }

    #[test]
    fn repeated_edge_key_keeps_one_entry() {
        let settings = Settings {
            longest_common_substring: 0,
            ..Settings::default()
        };
        let scoring = score(&records(), &settings).expect("valid settings");
        let report = graph_report(&scoring, None);
        let keys: Vec<&String> = report["edge_categories"]
            .as_object()
            .expect("edge_categories")
            .keys()
            .collect();
        assert_eq!(keys.len() + 1, scoring.edge_count());
        assert_eq!(keys.iter().filter(|k| k.as_str() == "x|y|z").count(), 1);
    }
}
