//! Checks edge details against the graph on the reference export: for every pair of
//! nodes, the pivots marked as counted must add up to the edge weight the graph holds.

use domaincat_core::edges::edge_details;
use domaincat_core::iris::parse_export;
use domaincat_core::scoring::{score, Scoring, MAX_EDGE_WEIGHT};
use domaincat_core::settings::Settings;
use petgraph::graph::NodeIndex;

const EXPORT: &[u8] = include_bytes!("fixtures/dash_gov_dot_us.json");

/// The details add weights in the graph's order, so the sums should agree to the last
/// bit, and the tolerance only allows for a future change of that order.
const TOLERANCE: f64 = 1e-12;

fn scoring(settings: &Settings) -> Scoring {
    let export = parse_export(EXPORT).expect("reference export parses");
    score(&export.records, settings).expect("valid settings")
}

fn variants() -> Vec<(&'static str, Settings)> {
    vec![
        ("default", Settings::default()),
        (
            "unscaled",
            Settings {
                scale_edge_strength_by_pivot_count: false,
                ..Settings::default()
            },
        ),
        (
            "no substrings",
            Settings {
                longest_common_substring: 0,
                ..Settings::default()
            },
        ),
    ]
}

#[test]
fn counted_weights_sum_to_edge_weight() {
    for (variant, settings) in variants() {
        let scoring = scoring(&settings);
        assert!(scoring.graph.edge_count() > 0, "{variant}: graph has edges");
        for edge in scoring.graph.edge_indices() {
            let (a, b) = scoring
                .graph
                .edge_endpoints(edge)
                .expect("edge has end points");
            let details = edge_details(&scoring, a, b).expect("both nodes exist");
            let expected = scoring.graph[edge].weight;
            assert_eq!(
                details.weight,
                Some(expected),
                "{variant}: {:?}",
                details.names
            );

            let capped = details.counted_sum.min(MAX_EDGE_WEIGHT);
            assert!(
                (capped - expected).abs() < TOLERANCE,
                "{variant}: {:?} counted {capped}, graph {expected}",
                details.names
            );
        }
    }
}

#[test]
fn counted_pivots_one_per_category() {
    let scoring = scoring(&Settings::default());
    for edge in scoring.graph.edge_indices() {
        let (a, b) = scoring
            .graph
            .edge_endpoints(edge)
            .expect("edge has end points");
        let details = edge_details(&scoring, a, b).expect("both nodes exist");
        let counted: Vec<_> = details
            .pivots
            .iter()
            .filter(|p| p.counted)
            .map(|p| p.category)
            .collect();
        let mut distinct = counted.clone();
        distinct.dedup();
        assert_eq!(counted, distinct, "{:?}", details.names);
        assert_eq!(
            scoring.graph[edge].categories.len(),
            counted.len(),
            "{:?}",
            details.names
        );
        for pivot in details.pivots.iter().filter(|p| p.counted) {
            assert!(pivot.weight > 0.0, "{:?}", details.names);
        }
    }
}

#[test]
fn pairs_without_edge_count_nothing() {
    let scoring = scoring(&Settings::default());
    let nodes = scoring.graph.node_count();
    for x in 0..nodes {
        for y in x + 1..nodes {
            let (a, b) = (NodeIndex::new(x), NodeIndex::new(y));
            if scoring.graph.find_edge(a, b).is_some() {
                continue;
            }
            let details = edge_details(&scoring, a, b).expect("both nodes exist");
            assert_eq!(details.weight, None);
            assert_eq!(details.counted_sum, 0.0, "{:?}", details.names);
        }
    }
}
