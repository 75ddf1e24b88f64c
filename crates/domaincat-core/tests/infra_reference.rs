//! Runs the infrastructure view on the reference export. The expected figures come from
//! an independent Python count over the same file with the same rules: every
//! `{value, count}` object with 1 < count < 500, active records only, unordered pairs.

use domaincat_core::infra::{build_infra_graph, InfraSettings, RiskClass};
use domaincat_core::iris::parse_export;

const EXPORT: &[u8] = include_bytes!("fixtures/dash_gov_dot_us.json");

fn graph(settings: &InfraSettings) -> domaincat_core::infra::InfraGraph {
    let export = parse_export(EXPORT).expect("reference export parses");
    build_infra_graph(&export.records, settings)
}

#[test]
fn reference_counts_are_stable() {
    let graph = graph(&InfraSettings::default());
    assert_eq!(graph.domains.len(), 205);
    assert_eq!(graph.pivots, 1194);
    assert_eq!(graph.nodes.len(), 235);
    assert_eq!(graph.edges.len(), 1787);
}

#[test]
fn reference_first_node() {
    let graph = graph(&InfraSettings::default());
    let node = &graph.nodes[0];
    assert_eq!(node.name, "ADMIN CONTACT NAME");
    assert_eq!(node.value, "Person 20e14153");
    assert_eq!(node.size, 37);
    let average = node.average_risk.expect("domains have risk scores");
    assert!((average - 3620.0 / 37.0).abs() < 1e-9, "{average}");
    assert_eq!(node.risk_class, RiskClass::Red);
}

#[test]
fn every_edge_passes_threshold() {
    for edge_threshold in [1, 2, 5] {
        let settings = InfraSettings {
            edge_threshold,
            ..InfraSettings::default()
        };
        let graph = graph(&settings);
        assert!(!graph.edges.is_empty(), "threshold {edge_threshold}");
        for edge in &graph.edges {
            assert!(edge.shared > edge_threshold, "{edge:?}");
            assert!(edge.a < edge.b, "{edge:?}");
            let (a, b) = (&graph.nodes[edge.a as usize], &graph.nodes[edge.b as usize]);
            let both = a.domains.iter().filter(|d| b.domains.contains(d)).count();
            assert_eq!(both, edge.shared, "{edge:?}");
        }
        let mut sorted = graph.edges.clone();
        sorted.sort_by_key(|e| (e.a, e.b));
        assert_eq!(sorted, graph.edges);
    }
}

#[test]
fn every_node_has_an_edge() {
    let graph = graph(&InfraSettings::default());
    let mut has_edge = vec![false; graph.nodes.len()];
    for edge in &graph.edges {
        has_edge[edge.a as usize] = true;
        has_edge[edge.b as usize] = true;
    }
    assert!(has_edge.iter().all(|&e| e));
    for node in &graph.nodes {
        assert_eq!(node.size, node.domains.len());
    }
}

#[test]
fn output_is_deterministic() {
    let first = serde_json::to_string(&graph(&InfraSettings::default())).expect("serializes");
    let second = serde_json::to_string(&graph(&InfraSettings::default())).expect("serializes");
    assert_eq!(first, second);
}
