//! InfraCAT, the infrastructure view: domain records to a graph whose nodes are pivot
//! values (an IP address, a registrant e-mail) and whose edges join two values that
//! several domains carry together.
//!
//! The domain view shows which domains belong together, and this view shows which
//! pieces of infrastructure an actor reuses. It looks at every `{value, count}` object of a record,
//! not only the categories of the domain view, so WHOIS contacts and e-mail domains take
//! part too. Values common on the internet (count at or above `pivot_threshold`) and
//! values unique to one domain (count 1) are left out because they tie nothing together.
//!
//! Records do not keep their JSON, so [`extract_infra_values`] runs once per record at
//! parse time and keeps only the candidate values (see [`crate::iris::Record`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::iris::Record;

/// Default upper bound (exclusive) of the Iris count of a pivot value, as in the original
/// InfraCAT notebook.
pub const DEFAULT_PIVOT_THRESHOLD: u64 = 500;

/// Default edge threshold: two values are joined when more than this many domains carry
/// both.
pub const DEFAULT_EDGE_THRESHOLD: usize = 1;

/// Deepest nesting level examined: the record itself is level 0, each object or list
/// below it one more. The records of the reference export go 4 levels deep, and the
/// limit keeps the recursion short on hostile input.
pub const MAX_DEPTH: usize = 32;

/// A `{value, count}` object found anywhere in a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfraValue {
    /// Key path in upper case with `_` turned into spaces, list positions left out, such
    /// as `IP ADDRESS` for `ip[0].address` or `REGISTRANT CONTACT EMAIL`.
    pub name: String,
    /// The value as Python's `str()` renders it, trimmed and never empty.
    pub value: String,
    /// Iris count of the value, always ≥ 2.
    pub count: u64,
}

/// Collects every object below `record` that has a whole-number `count` ≥ 2 and a
/// non-empty scalar `value`, in document order with an object's nested values before
/// the object itself (the original notebook's order).
///
/// The upper count bound is applied later by [`build_infra_graph`], so that the
/// threshold can change without reading the export again. Objects deeper than
/// [`MAX_DEPTH`] are not examined. The record object itself is never a value.
///
/// Complexity: O(n) in the number of JSON nodes up to [`MAX_DEPTH`]; recursion depth is
/// at most [`MAX_DEPTH`] + 1 calls.
pub fn extract_infra_values(record: &Map<String, Value>) -> Vec<InfraValue> {
    let mut walker = Walker {
        keys: Vec::new(),
        values: Vec::new(),
    };
    walker.walk_object(record, 0);
    walker.values
}

/// Depth-first walk that keeps the key path from the record to the current node.
struct Walker<'a> {
    keys: Vec<&'a str>,
    values: Vec<InfraValue>,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, node: &'a Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match node {
            Value::Object(object) => self.walk_object(object, depth),
            // List positions are not part of the name: every IP of `ip` is an `IP ...`.
            Value::Array(items) => {
                for item in items {
                    self.walk(item, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn walk_object(&mut self, object: &'a Map<String, Value>, depth: usize) {
        for (key, child) in object {
            if child.is_object() || child.is_array() {
                self.keys.push(key);
                self.walk(child, depth + 1);
                self.keys.pop();
            }
        }
        if self.keys.is_empty() {
            return;
        }
        if let Some((value, count)) = value_and_count(object) {
            self.values.push(InfraValue {
                name: path_name(&self.keys),
                value,
                count,
            });
        }
    }
}

/// Builds the pivot name of a key path: `["registrant_contact", "email"]` becomes
/// `REGISTRANT CONTACT EMAIL`.
fn path_name(keys: &[&str]) -> String {
    let parts: Vec<String> = keys.iter().map(|key| normalize_pivot_name(key)).collect();
    parts.join(" ")
}

/// Normalizes a pivot name as the view spells them: upper case, `_` as a space, no
/// surrounding whitespace. Exclude lists pass through it, so `ip_address` and
/// `IP ADDRESS` name the same pivot.
pub fn normalize_pivot_name(name: &str) -> String {
    name.trim().to_uppercase().replace('_', " ")
}

/// Returns the value text and count of a `{value, count}` object, when the count is a whole
/// number ≥ 2 and the value is non-empty text, a number or a boolean.
fn value_and_count(object: &Map<String, Value>) -> Option<(String, u64)> {
    let count = match object.get("count")? {
        Value::Number(n) => whole_count(n)?,
        _ => return None,
    };
    if count < 2 {
        return None;
    }
    // NOTE: the original renders `null`, lists and objects with Python's `str()` (so
    // `None` becomes a value); here they are not values, like empty text.
    let text = match object.get("value")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => python_number(n),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    };
    // NOTE: the original does not trim; trimming here matches the domain view, where
    // " x" and "x" are one value.
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some((text.to_string(), u64::try_from(count).ok()?))
}

/// Reads a JSON number as a whole count, by the rule the Iris reader uses for pivot counts:
/// integers as they are (beyond `i64` saturating), floats only without a fraction.
fn whole_count(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = n.as_f64()?;
    if f.is_finite() && f.fract() == 0.0 {
        // Saturating conversion: counts beyond i64 are beyond any threshold anyway.
        Some(f as i64)
    } else {
        None
    }
}

/// Renders a number as Python's `str()` does: integers plainly, floats by
/// [`crate::stats::python_float`].
fn python_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    crate::stats::python_float(n.as_f64().unwrap_or(f64::NAN))
}

/// Settings of the infrastructure view, with the original InfraCAT defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfraSettings {
    /// Skip records whose `active` is exactly `false`, as the domain view does.
    pub active_domains_only: bool,
    /// A value is a pivot only when its Iris count is below this (and above 1).
    pub pivot_threshold: u64,
    /// Two pivots are joined only when more than this many domains carry both.
    pub edge_threshold: usize,
    /// Pivot names to leave out, such as `IP COUNTRY CODE`, compared after
    /// [`normalize_pivot_name`].
    pub exclude: Vec<String>,
}

impl Default for InfraSettings {
    fn default() -> Self {
        InfraSettings {
            active_domains_only: true,
            pivot_threshold: DEFAULT_PIVOT_THRESHOLD,
            edge_threshold: DEFAULT_EDGE_THRESHOLD,
            exclude: Vec::new(),
        }
    }
}

/// Colour class of a node, from the average risk score of its domains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    /// Average ≥ 90.
    Red,
    /// Average ≥ 75.
    Orange,
    /// Average ≥ 55.
    Yellow,
    /// Average below 55.
    Green,
    /// None of the domains has a risk score.
    Unknown,
}

impl RiskClass {
    /// Classifies an average risk score (0–100) with the original InfraCAT's bounds.
    pub fn from_average(average: Option<f64>) -> RiskClass {
        match average {
            None => RiskClass::Unknown,
            Some(risk) if risk >= 90.0 => RiskClass::Red,
            Some(risk) if risk >= 75.0 => RiskClass::Orange,
            Some(risk) if risk >= 55.0 => RiskClass::Yellow,
            Some(_) => RiskClass::Green,
        }
    }
}

/// A domain of the infrastructure view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfraDomain {
    pub name: String,
    /// Risk score, 0–100, of the domain's last record, when Iris gave one.
    pub risk_score: Option<f64>,
}

/// A node: one pivot value and the domains that carry it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfraNode {
    /// Pivot name, such as `IP ADDRESS`.
    pub name: String,
    pub value: String,
    /// Iris count of the value in the first record that carried it.
    pub count: u64,
    /// Indices into [`InfraGraph::domains`], ascending.
    pub domains: Vec<u32>,
    /// Number of domains carrying the value, the node's drawn size.
    pub size: usize,
    /// Mean risk score of the domains that have one.
    pub average_risk: Option<f64>,
    pub risk_class: RiskClass,
}

/// An edge between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InfraEdge {
    /// Index into [`InfraGraph::nodes`], always less than `b`.
    pub a: u32,
    /// Index into [`InfraGraph::nodes`].
    pub b: u32,
    /// Number of domains that carry both values, the edge weight.
    pub shared: usize,
}

/// The infrastructure graph of a set of records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfraGraph {
    pub settings: InfraSettings,
    /// Domains of the records used, one per distinct name, in order of first appearance.
    pub domains: Vec<InfraDomain>,
    /// Number of distinct pivot values found, including those that join no other.
    pub pivots: usize,
    /// Pivot values with at least one edge, in the order they were first met.
    pub nodes: Vec<InfraNode>,
    /// Edges sorted by `(a, b)`.
    pub edges: Vec<InfraEdge>,
}

/// A pivot value while the graph is built.
struct Candidate<'r> {
    name: &'r str,
    value: &'r str,
    count: u64,
    domains: Vec<u32>,
}

/// Builds the infrastructure graph: pivots from every record's [`InfraValue`]s, an edge
/// for each pair of pivots that more than `edge_threshold` domains carry together.
///
/// NOTE: the original InfraCAT sizes a node by the domains on its passing edges and
/// counts a missing risk score as 0. Here a node's size and average risk cover every
/// domain carrying the value, and domains without a score are left out of the average.
/// As in the original, pivots without an edge are not nodes.
///
/// NOTE: the original keys a pair by the order its two values appear in each record,
/// so (A, B) and (B, A) count apart, and a value repeated in one record pairs with
/// itself. Here pairs are unordered and a domain carries a value at most once.
///
/// Complexity: O(V + Σ k²) time for V infrastructure values and k, per domain, the
/// number of its pivots that more than `edge_threshold` domains carry; memory is
/// O(V + E') for E' distinct candidate pairs.
pub fn build_infra_graph(records: &[Record], settings: &InfraSettings) -> InfraGraph {
    let excluded: Vec<String> = settings
        .exclude
        .iter()
        .map(|name| normalize_pivot_name(name))
        .collect();

    let mut domains: Vec<InfraDomain> = Vec::new();
    let mut domain_ids: HashMap<&str, u32> = HashMap::new();
    let mut domain_pivots: Vec<Vec<u32>> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut candidate_ids: HashMap<(&str, &str), u32> = HashMap::new();

    for record in records {
        if settings.active_domains_only && !record.active {
            continue;
        }
        // A repeated domain keeps its first position and takes the later record's risk
        // score, as in the domain view.
        let domain = *domain_ids.entry(&record.domain).or_insert_with(|| {
            domains.push(InfraDomain {
                name: record.domain.clone(),
                risk_score: None,
            });
            domain_pivots.push(Vec::new());
            (domains.len() - 1) as u32
        });
        domains[domain as usize].risk_score = record.risk_score;

        for value in &record.infra_values {
            let in_range = 1 < value.count && value.count < settings.pivot_threshold;
            if !in_range || excluded.contains(&value.name) {
                continue;
            }
            let key = (value.name.as_str(), value.value.as_str());
            let pivot = *candidate_ids.entry(key).or_insert_with(|| {
                candidates.push(Candidate {
                    name: &value.name,
                    value: &value.value,
                    count: value.count,
                    domains: Vec::new(),
                });
                (candidates.len() - 1) as u32
            });
            domain_pivots[domain as usize].push(pivot);
        }
    }

    for (domain, pivots) in domain_pivots.iter_mut().enumerate() {
        pivots.sort_unstable();
        pivots.dedup();
        for &pivot in pivots.iter() {
            candidates[pivot as usize].domains.push(domain as u32);
        }
    }

    let pairs = count_pairs(&candidates, &domain_pivots, settings.edge_threshold);
    finish_graph(settings, domains, candidates, pairs)
}

/// Counts, for each pair of pivots, the domains that carry both, and returns the pairs
/// with more than `edge_threshold` such domains, sorted.
///
/// Only pivots that more than `edge_threshold` domains carry can be in such a pair, so
/// the others are skipped before the quadratic step.
fn count_pairs(
    candidates: &[Candidate],
    domain_pivots: &[Vec<u32>],
    edge_threshold: usize,
) -> Vec<(u32, u32, usize)> {
    let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
    let mut wide = Vec::new();
    for pivots in domain_pivots {
        wide.clear();
        wide.extend(
            pivots
                .iter()
                .copied()
                .filter(|&p| candidates[p as usize].domains.len() > edge_threshold),
        );
        for (i, &a) in wide.iter().enumerate() {
            for &b in &wide[i + 1..] {
                *counts.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let mut pairs: Vec<(u32, u32, usize)> = counts
        .into_iter()
        .filter(|&(_, shared)| shared > edge_threshold)
        .map(|((a, b), shared)| (a, b, shared))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// Keeps the pivots that are an end of some edge as nodes, renumbered in creation order,
/// and computes their sizes and risk.
fn finish_graph(
    settings: &InfraSettings,
    domains: Vec<InfraDomain>,
    candidates: Vec<Candidate>,
    pairs: Vec<(u32, u32, usize)>,
) -> InfraGraph {
    let mut node_of: Vec<Option<u32>> = vec![None; candidates.len()];
    for &(a, b, _) in &pairs {
        node_of[a as usize] = Some(0);
        node_of[b as usize] = Some(0);
    }
    let mut nodes = Vec::new();
    for (pivot, candidate) in candidates.iter().enumerate() {
        if node_of[pivot].is_none() {
            continue;
        }
        node_of[pivot] = Some(nodes.len() as u32);
        let risks: Vec<f64> = candidate
            .domains
            .iter()
            .filter_map(|&d| domains[d as usize].risk_score)
            .collect();
        let average_risk =
            (!risks.is_empty()).then(|| risks.iter().sum::<f64>() / risks.len() as f64);
        nodes.push(InfraNode {
            name: candidate.name.to_string(),
            value: candidate.value.to_string(),
            count: candidate.count,
            domains: candidate.domains.clone(),
            size: candidate.domains.len(),
            average_risk,
            risk_class: RiskClass::from_average(average_risk),
        });
    }

    // Renumbering keeps creation order, so sorted pairs stay sorted.
    let edges = pairs
        .into_iter()
        .filter_map(|(a, b, shared)| {
            Some(InfraEdge {
                a: node_of[a as usize]?,
                b: node_of[b as usize]?,
                shared,
            })
        })
        .collect();

    InfraGraph {
        settings: settings.clone(),
        domains,
        pivots: candidates.len(),
        nodes,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::parse_export;

    fn records(text: &str) -> Vec<Record> {
        parse_export(text.as_bytes())
            .expect("export parses")
            .records
    }

    fn names_and_values(values: &[InfraValue]) -> Vec<(&str, &str, u64)> {
        values
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str(), v.count))
            .collect()
    }

    fn node_labels(graph: &InfraGraph) -> Vec<String> {
        graph
            .nodes
            .iter()
            .map(|n| format!("{}: {}", n.name, n.value))
            .collect()
    }

    #[test]
    fn path_names_skip_list_positions() {
        let records = records(
            r#"[{"domain": "a.com",
                 "ip": [{"address": {"value": "1.1.1.1", "count": 5},
                         "asn": [{"value": 13335, "count": 7}]}],
                 "registrant_contact": {"email": [{"value": "x@y.z", "count": 3}]},
                 "name_server": [{"domain": {"value": "ns.net", "count": 9}}]}]"#,
        );
        assert_eq!(
            names_and_values(&records[0].infra_values),
            vec![
                ("IP ADDRESS", "1.1.1.1", 5),
                ("IP ASN", "13335", 7),
                ("REGISTRANT CONTACT EMAIL", "x@y.z", 3),
                ("NAME SERVER DOMAIN", "ns.net", 9),
            ]
        );
    }

    #[test]
    fn extraction_keeps_counts_above_one() {
        let records = records(
            r#"[{"domain": "a.com",
                 "count": 5, "value": "the record itself",
                 "adsense": {"value": "", "count": 4},
                 "registrar": {"value": " R ", "count": 2},
                 "city": {"value": "X", "count": 1},
                 "state": {"value": "Y", "count": 0},
                 "phone": {"value": "Z", "count": "7"},
                 "fax": {"value": "W", "count": 2.5},
                 "postal": {"value": 12.0, "count": 3.0},
                 "org": {"value": null, "count": 3},
                 "big": {"value": "V", "count": 1000000000},
                 "tags": ["a", "b"]}]"#,
        );
        assert_eq!(
            names_and_values(&records[0].infra_values),
            vec![
                ("REGISTRAR", "R", 2),
                ("POSTAL", "12.0", 3),
                ("BIG", "V", 1_000_000_000),
            ]
        );
    }

    #[test]
    fn nested_values_come_before_their_object() {
        let records = records(
            r#"[{"domain": "a.com",
                 "outer": {"value": "o", "count": 4,
                           "inner": {"value": "i", "count": 3}}}]"#,
        );
        assert_eq!(
            names_and_values(&records[0].infra_values),
            vec![("OUTER INNER", "i", 3), ("OUTER", "o", 4)]
        );
    }

    /// Builds an export of one record with a `{value, count}` object under `levels`
    /// nested objects.
    fn nested_record(levels: usize) -> String {
        let mut text = String::from(r#"{"value": "deep", "count": 5}"#);
        for _ in 0..levels {
            text = format!(r#"{{"k": {text}}}"#);
        }
        format!(r#"[{{"domain": "a.com", "x": {text}}}]"#)
    }

    #[test]
    fn depth_limit_stops_the_walk() {
        // The value object sits at level `levels + 1`.
        let at_limit = records(&nested_record(MAX_DEPTH - 1));
        assert_eq!(at_limit[0].infra_values.len(), 1);
        let below_limit = records(&nested_record(MAX_DEPTH));
        assert!(below_limit[0].infra_values.is_empty());
        let far_below = records(&nested_record(100));
        assert!(far_below[0].infra_values.is_empty());
    }

    #[test]
    fn very_deep_record_is_rejected_not_overflowed() {
        // serde_json stops at 128 levels, so such a file fails to parse instead of
        // reaching the walk.
        let text = nested_record(10_000);
        assert!(parse_export(text.as_bytes()).is_err());
    }

    /// Three domains share an IP and a registrant e-mail; two of them share a name
    /// server; the country is too common to be a pivot.
    const EXPORT: &str = r#"[
      {"domain": "a.com", "domain_risk": {"risk_score": 95},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 900}}],
       "registrant_contact": {"email": [{"value": "x@y.z", "count": 3}]},
       "name_server": [{"domain": {"value": "ns.net", "count": 9}}]},
      {"domain": "b.com", "domain_risk": {"risk_score": 85},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 900}}],
       "registrant_contact": {"email": [{"value": "x@y.z", "count": 3}]},
       "name_server": [{"domain": {"value": "ns.net", "count": 9}}]},
      {"domain": "c.com", "domain_risk": {"risk_score": 0},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5}}],
       "registrant_contact": {"email": [{"value": "x@y.z", "count": 3}]}},
      {"domain": "d.com", "active": false,
       "ip": [{"address": {"value": "1.1.1.1", "count": 5}}],
       "name_server": [{"domain": {"value": "ns.net", "count": 9}}]}
    ]"#;

    #[test]
    fn pairs_shared_by_two_domains_join() {
        let graph = build_infra_graph(&records(EXPORT), &InfraSettings::default());
        assert_eq!(
            node_labels(&graph),
            vec![
                "IP ADDRESS: 1.1.1.1",
                "REGISTRANT CONTACT EMAIL: x@y.z",
                "NAME SERVER DOMAIN: ns.net",
            ]
        );
        let edges: Vec<(u32, u32, usize)> =
            graph.edges.iter().map(|e| (e.a, e.b, e.shared)).collect();
        assert_eq!(edges, vec![(0, 1, 3), (0, 2, 2), (1, 2, 2)]);
        assert_eq!(graph.pivots, 3);
        // d.com is inactive, so it is neither a domain nor a carrier.
        assert_eq!(graph.domains.len(), 3);
        assert_eq!(graph.nodes[0].domains, vec![0, 1, 2]);
        assert_eq!(graph.nodes[0].size, 3);
    }

    #[test]
    fn inactive_records_count_when_asked() {
        let settings = InfraSettings {
            active_domains_only: false,
            ..InfraSettings::default()
        };
        let graph = build_infra_graph(&records(EXPORT), &settings);
        assert_eq!(graph.domains.len(), 4);
        assert_eq!(graph.nodes[0].size, 4);
        // The IP and name server now share a, b and d.
        assert_eq!(
            graph.edges[1],
            InfraEdge {
                a: 0,
                b: 2,
                shared: 3
            }
        );
    }

    #[test]
    fn edge_threshold_raises_the_bar() {
        let settings = InfraSettings {
            edge_threshold: 2,
            ..InfraSettings::default()
        };
        let graph = build_infra_graph(&records(EXPORT), &settings);
        assert_eq!(
            node_labels(&graph),
            vec!["IP ADDRESS: 1.1.1.1", "REGISTRANT CONTACT EMAIL: x@y.z"]
        );
        assert_eq!(
            graph.edges,
            vec![InfraEdge {
                a: 0,
                b: 1,
                shared: 3
            }]
        );
        // ns.net is still a pivot, only without an edge.
        assert_eq!(graph.pivots, 3);
    }

    #[test]
    fn pivot_threshold_bounds_counts() {
        // With the bound at 900 the country `us` (count 900) stays out; at 901 it joins.
        let settings = InfraSettings {
            pivot_threshold: 901,
            ..InfraSettings::default()
        };
        let graph = build_infra_graph(&records(EXPORT), &settings);
        assert!(node_labels(&graph).contains(&"IP COUNTRY CODE: us".to_string()));
        let settings = InfraSettings {
            pivot_threshold: 9,
            ..InfraSettings::default()
        };
        let graph = build_infra_graph(&records(EXPORT), &settings);
        assert!(!node_labels(&graph).contains(&"NAME SERVER DOMAIN: ns.net".to_string()));
        assert_eq!(graph.nodes.len(), 2);
    }

    #[test]
    fn excluded_names_are_skipped() {
        let settings = InfraSettings {
            exclude: vec![
                "registrant_contact_email".into(),
                " Name Server Domain".into(),
            ],
            ..InfraSettings::default()
        };
        let graph = build_infra_graph(&records(EXPORT), &settings);
        // The IP alone has no partner left.
        assert!(graph.nodes.is_empty());
        assert!(graph.edges.is_empty());
        assert_eq!(graph.pivots, 1);
    }

    #[test]
    fn risk_classes_follow_average() {
        let graph = build_infra_graph(&records(EXPORT), &InfraSettings::default());
        // IP and e-mail: (95 + 85 + 0) / 3 = 60; name server: (95 + 85) / 2 = 90.
        let risks: Vec<(Option<f64>, RiskClass)> = graph
            .nodes
            .iter()
            .map(|n| (n.average_risk, n.risk_class))
            .collect();
        assert_eq!(
            risks,
            vec![
                (Some(60.0), RiskClass::Yellow),
                (Some(60.0), RiskClass::Yellow),
                (Some(90.0), RiskClass::Red),
            ]
        );
        let cases = [
            (None, RiskClass::Unknown),
            (Some(100.0), RiskClass::Red),
            (Some(90.0), RiskClass::Red),
            (Some(89.99), RiskClass::Orange),
            (Some(75.0), RiskClass::Orange),
            (Some(74.9), RiskClass::Yellow),
            (Some(55.0), RiskClass::Yellow),
            (Some(54.9), RiskClass::Green),
            (Some(0.0), RiskClass::Green),
        ];
        for (average, class) in cases {
            assert_eq!(RiskClass::from_average(average), class, "{average:?}");
        }
    }

    #[test]
    fn missing_risk_is_left_out_of_average() {
        let records = records(
            r#"[{"domain": "a.com", "domain_risk": {"risk_score": 80},
                 "ip": [{"address": {"value": "1", "count": 5}, "isp": {"value": "I", "count": 5}}]},
                {"domain": "b.com",
                 "ip": [{"address": {"value": "1", "count": 5}, "isp": {"value": "I", "count": 5}}]}]"#,
        );
        let graph = build_infra_graph(&records, &InfraSettings::default());
        assert_eq!(graph.nodes.len(), 2);
        assert_eq!(graph.nodes[0].average_risk, Some(80.0));
        assert_eq!(graph.nodes[0].risk_class, RiskClass::Orange);
    }

    #[test]
    fn repeated_values_count_once_per_domain() {
        // Two IPs of a.com share an ISP; a value never pairs with itself.
        let records = records(
            r#"[{"domain": "a.com",
                 "ip": [{"address": {"value": "1", "count": 5}, "isp": {"value": "I", "count": 5}},
                        {"address": {"value": "2", "count": 5}, "isp": {"value": "I", "count": 5}}]},
                {"domain": "b.com",
                 "ip": [{"isp": {"value": "I", "count": 5}}, {"address": {"value": "1", "count": 5}}]},
                {"domain": "a.com",
                 "ip": [{"address": {"value": "1", "count": 5}}]}]"#,
        );
        let graph = build_infra_graph(&records, &InfraSettings::default());
        assert_eq!(node_labels(&graph), vec!["IP ADDRESS: 1", "IP ISP: I"]);
        assert_eq!(
            graph.edges,
            vec![InfraEdge {
                a: 0,
                b: 1,
                shared: 2
            }]
        );
        assert_eq!(graph.nodes[0].domains, vec![0, 1]);
        assert_eq!(graph.domains.len(), 2);
    }

    #[test]
    fn settings_round_trip_json() {
        let settings = InfraSettings {
            exclude: vec!["IP ADDRESS".into()],
            ..InfraSettings::default()
        };
        let text = serde_json::to_string(&settings).expect("settings serialize");
        let back: InfraSettings = serde_json::from_str(&text).expect("settings deserialize");
        assert_eq!(back, settings);
        let defaults: InfraSettings = serde_json::from_str("{}").expect("empty object");
        assert_eq!(defaults, InfraSettings::default());
    }

    #[test]
    fn empty_input_gives_empty_graph() {
        let graph = build_infra_graph(&[], &InfraSettings::default());
        assert!(graph.nodes.is_empty());
        assert!(graph.edges.is_empty());
        assert!(graph.domains.is_empty());
    }
}
