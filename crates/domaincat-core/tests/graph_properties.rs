//! Properties of every scored graph, checked through the public accessors of
//! [`Scoring`] on random records and settings.
//!
//! What scoring is independent of, and what it is not, follows from the scoring rules
//! (see `src/scoring.rs`):
//!
//! - Which pairs of domains are joined, and by which categories, depends only on which
//!   values each domain carries and on each value's count. An edge exists when the pair
//!   shares a kept pivot of positive weight, and pivots are kept by their size alone.
//!   So the order of records and the order of values inside a record do not matter, as
//!   long as every value has one count in the whole export and naming pivots are off.
//! - An edge's weight is the sum, over its categories, of the weight of the first pivot
//!   of that category, in creation order, that joins the pair. When all values of a
//!   category have one count, that weight is the same whichever pivot comes first, so
//!   the weight is order-independent too, up to floating-point rounding. The categories
//!   are summed in the order they first appear, which reordering can change.
//! - Order does matter in five places, so the tests below hold them fixed:
//!   - which pivot counts when a pair shares several values of one category with
//!     different counts (the first one created);
//!   - the count a pivot keeps when records give one value different counts (the first
//!     one seen);
//!   - the risk score of a repeated domain (the last record's);
//!   - domain ids and node order (first appearance);
//!   - naming pivots, whose text is the longest common substring that starts first in
//!     the earlier name, so two names that share several longest substrings give a
//!     different pivot when their order changes.

use std::collections::{BTreeMap, BTreeSet};

use domaincat_core::category::{Category, CategorySet};
use domaincat_core::iris::{PivotValue, Record};
use domaincat_core::scoring::{score, Scoring, TrimReason, MAX_EDGE_WEIGHT};
use domaincat_core::settings::Settings;
use proptest::prelude::*;

/// Categories the random records use, with few values each so that pivots form.
const CATEGORIES: [Category; 6] = [
    Category::Registrar,
    Category::CreateDate,
    Category::IpAddress,
    Category::IpCountryCode,
    Category::NsDomain,
    Category::SslHash,
];

const COUNTS: [Option<u64>; 6] = [
    None,
    Some(1),
    Some(3),
    Some(1000),
    Some(100_000_000),
    Some(400_000_000),
];

/// A record before counts are assigned: a name, whether it is active, and its values as
/// (category index, value index).
type RawRecord = (String, bool, Vec<(usize, usize)>);

fn arb_raw_records() -> impl Strategy<Value = Vec<RawRecord>> {
    let record = (
        "[ab-]{1,7}\\.(com|us)",
        prop::bool::weighted(0.85),
        prop::collection::vec((0..CATEGORIES.len(), 0usize..3), 0..7),
    );
    prop::collection::vec(record, 0..16)
}

/// Builds records whose counts come from `count_of(category index, value index)`, so
/// that every value has one count in the whole export.
fn build_records(raw: &[RawRecord], count_of: impl Fn(usize, usize) -> Option<u64>) -> Vec<Record> {
    raw.iter()
        .enumerate()
        .map(|(index, (name, active, values))| Record {
            index,
            domain: name.clone(),
            risk_score: None,
            active: *active,
            values: values
                .iter()
                .map(|&(category, value)| PivotValue {
                    category: CATEGORIES[category],
                    value: ["x", "y", "z"][value].to_string(),
                    count: count_of(category, value),
                })
                .collect(),
            infra_values: Vec::new(),
        })
        .collect()
}

fn arb_settings(substrings: bool) -> impl Strategy<Value = Settings> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![None, Some(2u64), Some(1000)]),
        1usize..4,
        prop::sample::select(vec![1u64, 10, 100_000_000]),
        if substrings { 1usize..7 } else { 0usize..1 },
    )
        .prop_map(
            |(active_only, scale, threshold, min_size, max_domains, min_len)| Settings {
                active_domains_only: active_only,
                longest_common_substring: min_len,
                scale_edge_strength_by_pivot_count: scale,
                global_count_threshold: threshold,
                min_pivot_size: min_size,
                max_domains,
                categories: CategorySet::default_enabled(),
                ..Settings::default()
            },
        )
}

/// Shuffles `items` with a small deterministic generator seeded by `seed`.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

fn domain_name(scoring: &Scoring, node: u32) -> String {
    let id = scoring
        .node_domain_id(node as usize)
        .expect("edge end is a graph node");
    scoring.domains[id as usize].name.clone()
}

/// A scoring in terms that do not depend on ids or creation order.
#[derive(Debug, PartialEq)]
struct OrderFree {
    domains: BTreeSet<String>,
    inactive: Vec<String>,
    nodes: BTreeSet<String>,
    trimmed: BTreeSet<(String, &'static str)>,
    kept: BTreeSet<(Category, String, Option<u64>, BTreeSet<String>)>,
    /// Edge categories by the pair of names, lower name first.
    edges: BTreeMap<(String, String), Vec<&'static str>>,
}

fn order_free(scoring: &Scoring) -> OrderFree {
    let name = |id: u32| scoring.domains[id as usize].name.clone();
    let mut inactive = scoring.inactive.clone();
    inactive.sort();
    OrderFree {
        domains: scoring.domains.iter().map(|d| d.name.clone()).collect(),
        inactive,
        nodes: (0..scoring.node_count() as u32)
            .map(|node| domain_name(scoring, node))
            .collect(),
        trimmed: scoring
            .trimmed
            .iter()
            .map(|&(id, reason)| (name(id), reason.key()))
            .collect(),
        kept: scoring
            .pivots()
            .map(|p| {
                let members = p.domains.iter().map(|&id| name(id)).collect();
                (p.category, p.value.clone(), p.count, members)
            })
            .collect(),
        edges: edge_weights(scoring)
            .into_iter()
            .map(|(pair, (categories, _))| (pair, categories))
            .collect(),
    }
}

/// Edge categories and weight by the pair of names, lower name first.
fn edge_weights(scoring: &Scoring) -> BTreeMap<(String, String), (Vec<&'static str>, f64)> {
    scoring
        .edges()
        .map(|edge| {
            let (a, b) = (domain_name(scoring, edge.a), domain_name(scoring, edge.b));
            let pair = if a < b { (a, b) } else { (b, a) };
            (
                pair,
                (edge.data.categories.sorted_names(), edge.data.weight),
            )
        })
        .collect()
}

/// Checks the structure of the edge list and the membership of every node.
fn check_graph(scoring: &Scoring) -> Result<(), TestCaseError> {
    let nodes = scoring.node_count();
    let mut pairs = BTreeSet::new();
    for edge in scoring.edges() {
        prop_assert!(edge.a < edge.b, "edge {}-{} not ordered", edge.a, edge.b);
        prop_assert!((edge.b as usize) < nodes, "edge end {} of {nodes}", edge.b);
        prop_assert!(
            pairs.insert((edge.a, edge.b)),
            "edge {}-{} twice",
            edge.a,
            edge.b
        );
        let weight = edge.data.weight;
        prop_assert!(weight > 0.0, "weight {weight} not positive");
        prop_assert!(weight <= MAX_EDGE_WEIGHT, "weight {weight} above the cap");
        prop_assert!(!edge.data.categories.is_empty());
    }
    prop_assert_eq!(pairs.len(), scoring.edge_count());

    // Each edge's categories are those of the kept pivots of positive weight that hold
    // both of its domains.
    for edge in scoring.edges() {
        let ids = [edge.a, edge.b].map(|node| {
            scoring
                .node_domain_id(node as usize)
                .expect("edge end is a graph node")
        });
        let mut shared = CategorySet::empty();
        for pivot in scoring.pivots() {
            let holds_both = ids.iter().all(|id| pivot.domains.contains(id));
            if holds_both && pivot.weight > 0.0 {
                shared.insert(pivot.category);
            }
        }
        prop_assert_eq!(shared, edge.data.categories);
    }

    // Every node is in a kept pivot, with one exception, as in the original notebook.
    // Trimming a domain whose only category is the creation date can shrink a
    // creation-date pivot below the minimum size, and its other members stay in the
    // graph. A node whose kept pivots all weigh 0 or less stays in the graph without an
    // edge, so only nodes with an edge must be in a kept pivot of positive weight.
    let create_date_trim = scoring
        .trimmed
        .iter()
        .any(|&(_, reason)| reason == TrimReason::CreateDateOnly);
    let mut has_edge = vec![false; nodes];
    for edge in scoring.edges() {
        has_edge[edge.a as usize] = true;
        has_edge[edge.b as usize] = true;
    }
    for (node, &node_has_edge) in has_edge.iter().enumerate() {
        let id = scoring.node_domain_id(node).expect("node below node_count");
        let in_kept = scoring.pivots().any(|p| p.domains.contains(&id));
        let in_positive = scoring
            .pivots()
            .any(|p| p.weight > 0.0 && p.domains.contains(&id));
        prop_assert!(
            in_kept || create_date_trim,
            "node {node} ({}) is in no kept pivot",
            scoring.domains[id as usize].name
        );
        if node_has_edge {
            prop_assert!(in_positive, "node {node} has an edge but no positive pivot");
        }
    }
    prop_assert!(scoring.node_domain_id(nodes).is_none());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn graph_structure_holds(
        raw in arb_raw_records(),
        settings in arb_settings(true),
        counts in prop::collection::vec(prop::sample::select(COUNTS.to_vec()), 18),
    ) {
        let records = build_records(&raw, |c, v| counts[c * 3 + v]);
        let scoring = score(&records, &settings).expect("valid settings");
        check_graph(&scoring)?;
    }

    /// Reorders records and the values inside each record; every value keeps one count.
    #[test]
    fn joins_ignore_record_and_value_order(
        raw in arb_raw_records(),
        settings in arb_settings(false),
        counts in prop::collection::vec(prop::sample::select(COUNTS.to_vec()), 18),
        seed in any::<u64>(),
    ) {
        let records = build_records(&raw, |c, v| counts[c * 3 + v]);
        let mut reordered = records.clone();
        shuffle(&mut reordered, seed);
        for (offset, record) in reordered.iter_mut().enumerate() {
            shuffle(&mut record.values, seed.wrapping_add(offset as u64));
        }
        let first = score(&records, &settings).expect("valid settings");
        let second = score(&reordered, &settings).expect("valid settings");
        prop_assert_eq!(order_free(&first), order_free(&second));
    }

    /// With one count per category, edge weights are order-independent as well.
    #[test]
    fn weights_ignore_order_with_one_count_per_category(
        raw in arb_raw_records(),
        settings in arb_settings(false),
        counts in prop::collection::vec(prop::sample::select(COUNTS.to_vec()), 6),
        seed in any::<u64>(),
    ) {
        let records = build_records(&raw, |c, _| counts[c]);
        let mut reordered = records.clone();
        shuffle(&mut reordered, seed);
        for (offset, record) in reordered.iter_mut().enumerate() {
            shuffle(&mut record.values, seed.wrapping_add(offset as u64));
        }
        let first = edge_weights(&score(&records, &settings).expect("valid settings"));
        let second = edge_weights(&score(&reordered, &settings).expect("valid settings"));
        prop_assert_eq!(first.len(), second.len());
        for ((pair, (categories, weight)), (other_pair, (other_categories, other_weight))) in
            first.iter().zip(&second)
        {
            prop_assert_eq!(pair, other_pair);
            prop_assert_eq!(categories, other_categories);
            prop_assert!(
                (weight - other_weight).abs() <= 1e-12,
                "{:?}: {} vs {}", pair, weight, other_weight
            );
        }
    }

    /// With records in a fixed order, naming pivots do not depend on value order, so
    /// reordering values inside records keeps every join and, with one count per
    /// category, every weight.
    #[test]
    fn value_order_inside_records_is_irrelevant(
        raw in arb_raw_records(),
        settings in arb_settings(true),
        counts in prop::collection::vec(prop::sample::select(COUNTS.to_vec()), 6),
        seed in any::<u64>(),
    ) {
        let records = build_records(&raw, |c, _| counts[c]);
        let mut reordered = records.clone();
        for (offset, record) in reordered.iter_mut().enumerate() {
            shuffle(&mut record.values, seed.wrapping_add(offset as u64));
        }
        let first = score(&records, &settings).expect("valid settings");
        let second = score(&reordered, &settings).expect("valid settings");
        prop_assert_eq!(order_free(&first), order_free(&second));
        let (first, second) = (edge_weights(&first), edge_weights(&second));
        for ((pair, (_, weight)), (_, (_, other_weight))) in first.iter().zip(&second) {
            prop_assert!(
                (weight - other_weight).abs() <= 1e-12,
                "{:?}: {} vs {}", pair, weight, other_weight
            );
        }
    }
}

/// Shows the documented order dependence: a pair that shares two IP addresses with
/// different counts gets the weight of the address whose pivot was created first.
#[test]
fn first_created_pivot_sets_category_weight() {
    let record = |name: &str, first: (&str, u64), second: (&str, u64)| Record {
        index: 0,
        domain: name.to_string(),
        risk_score: None,
        active: true,
        values: [first, second]
            .into_iter()
            .map(|(value, count)| PivotValue {
                category: Category::IpAddress,
                value: value.to_string(),
                count: Some(count),
            })
            .collect(),
        infra_values: Vec::new(),
    };
    let settings = Settings {
        longest_common_substring: 0,
        ..Settings::default()
    };
    let other = Record {
        domain: "c.com".to_string(),
        values: Vec::new(),
        ..record("c.com", ("", 1), ("", 1))
    };
    let rare_first = [
        record("a.com", ("rare", 2), ("common", 5000)),
        record("b.com", ("rare", 2), ("common", 5000)),
        other.clone(),
    ];
    let common_first = [
        record("a.com", ("common", 5000), ("rare", 2)),
        record("b.com", ("common", 5000), ("rare", 2)),
        other,
    ];
    let weight = |records: &[Record]| {
        let scoring = score(records, &settings).expect("valid settings");
        let weight = scoring.edges().next().map(|edge| edge.data.weight);
        weight
    };
    assert_eq!(weight(&rare_first), Some(settings.pivot_weight(Some(2))));
    assert_eq!(
        weight(&common_first),
        Some(settings.pivot_weight(Some(5000)))
    );
}
