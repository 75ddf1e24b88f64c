//! Property tests: `score()` against a straightforward re-implementation of the scoring
//! rules (every pair of names compared, a map of pairs for edges), on random small inputs
//! and on synthetic exports, plus invariants of every scored graph.
//!
//! The reference below follows the written rules line by line and stays slow on purpose.
//! The library's indexes and per-node edge building must give exactly its output.

use std::collections::BTreeMap;

use domaincat_core::category::{Category, CategorySet};
use domaincat_core::iris::{parse_export, PivotValue, Record};
use domaincat_core::scoring::{score, Scoring, TrimReason, MAX_EDGE_WEIGHT};
use domaincat_core::settings::Settings;
use domaincat_core::synth;
use proptest::prelude::*;

/// A pivot as the reference builds it.
#[derive(Clone, Debug, PartialEq)]
struct RefPivot {
    category: Category,
    value: String,
    count: Option<u64>,
    /// Members in domain order.
    domains: Vec<u32>,
}

/// An edge between two domain names, lower node first.
#[derive(Clone, Debug, PartialEq)]
struct RefEdge {
    a: String,
    b: String,
    weight: f64,
    categories: CategorySet,
}

#[derive(Debug, PartialEq)]
struct RefScoring {
    domains: Vec<String>,
    inactive: Vec<String>,
    categories: Vec<Category>,
    pivots: Vec<RefPivot>,
    kept: Vec<usize>,
    trimmed: Vec<(u32, TrimReason)>,
    nodes: Vec<String>,
    edges: Vec<RefEdge>,
    total_connections: u64,
}

/// Longest common substring by trying every pair of start positions: the longest, then the
/// earliest start in `a`, then the earliest in `b`. Returns `(start in a, length)`.
fn reference_lcs(a: &[char], b: &[char]) -> (usize, usize) {
    let (mut best_start, mut best_len) = (0, 0);
    for start_a in 0..a.len() {
        for start_b in 0..b.len() {
            let len = a[start_a..]
                .iter()
                .zip(&b[start_b..])
                .take_while(|(x, y)| x == y)
                .count();
            if len > best_len {
                best_start = start_a;
                best_len = len;
            }
        }
    }
    (best_start, best_len)
}

fn reference_label(domain: &str, ignore: &[String]) -> Vec<char> {
    let mut label = domain.split('.').next().unwrap_or("").to_string();
    for text in ignore {
        if !text.is_empty() {
            label = label.replace(text.as_str(), "");
        }
    }
    // Labels longer than a whole DNS name are cut at 253 characters.
    label.chars().take(253).collect()
}

/// Scores `records` by the written rules, as directly as possible.
fn reference_score(records: &[Record], settings: &Settings) -> RefScoring {
    let mut domains: Vec<String> = Vec::new();
    let mut domain_categories: Vec<CategorySet> = Vec::new();
    let mut inactive = Vec::new();
    let mut categories: Vec<Category> = Vec::new();
    let mut pivots: Vec<RefPivot> = Vec::new();

    let mut add = |pivots: &mut Vec<RefPivot>,
                   domain_categories: &mut Vec<CategorySet>,
                   category: Category,
                   value: &str,
                   count: Option<u64>,
                   domain: u32| {
        let position = pivots
            .iter()
            .position(|p| p.category == category && p.value == value);
        let index = match position {
            Some(index) => index,
            None => {
                if !categories.contains(&category) {
                    categories.push(category);
                }
                pivots.push(RefPivot {
                    category,
                    value: value.to_string(),
                    count,
                    domains: Vec::new(),
                });
                pivots.len() - 1
            }
        };
        if !pivots[index].domains.contains(&domain) {
            pivots[index].domains.push(domain);
        }
        domain_categories[domain as usize].insert(category);
    };

    for record in records {
        if settings.active_domains_only && !record.active {
            inactive.push(record.domain.clone());
            continue;
        }
        let id = match domains.iter().position(|d| *d == record.domain) {
            Some(id) => id as u32,
            None => {
                domains.push(record.domain.clone());
                domain_categories.push(CategorySet::empty());
                (domains.len() - 1) as u32
            }
        };
        for value in &record.values {
            if !settings.categories.contains(value.category) {
                continue;
            }
            let over_threshold = match (settings.global_count_threshold, value.count) {
                (Some(threshold), Some(count)) => count >= threshold,
                _ => false,
            };
            if over_threshold && value.category != Category::CreateDate {
                continue;
            }
            add(
                &mut pivots,
                &mut domain_categories,
                value.category,
                &value.value,
                value.count,
                id,
            );
        }
    }

    let min_len = settings.longest_common_substring;
    if min_len > 0
        && settings
            .categories
            .contains(Category::LongestCommonSubstring)
    {
        let labels: Vec<Vec<char>> = domains
            .iter()
            .map(|d| reference_label(d, &settings.ignore_substrings))
            .collect();
        for i in 0..labels.len() {
            for j in i + 1..labels.len() {
                let (start, len) = reference_lcs(&labels[i], &labels[j]);
                if len >= min_len {
                    let text: String = labels[i][start..start + len].iter().collect();
                    for domain in [i as u32, j as u32] {
                        add(
                            &mut pivots,
                            &mut domain_categories,
                            Category::LongestCommonSubstring,
                            &text,
                            None,
                            domain,
                        );
                    }
                }
            }
        }
    }

    // Categories first, creation order inside each.
    let mut ordered: Vec<RefPivot> = Vec::new();
    for category in &categories {
        ordered.extend(pivots.iter().filter(|p| p.category == *category).cloned());
    }
    let mut pivots = ordered;
    for pivot in &mut pivots {
        pivot.domains.sort();
    }

    // Trimming.
    let n = domains.len();
    let mut kept: Vec<usize> = (0..pivots.len())
        .filter(|&i| pivots[i].domains.len() >= settings.min_pivot_size)
        .filter(|&i| pivots[i].domains.len() != n)
        .collect();
    let mut reasons: Vec<Option<TrimReason>> = vec![None; n];
    for (id, reason) in reasons.iter_mut().enumerate() {
        let in_kept = kept
            .iter()
            .any(|&i| pivots[i].domains.contains(&(id as u32)));
        if !in_kept {
            *reason = Some(TrimReason::Unconnected);
        }
    }
    let create_date_only = CategorySet::from_iter([Category::CreateDate]);
    for id in 0..n {
        if reasons[id].is_none() && domain_categories[id] == create_date_only {
            reasons[id] = Some(TrimReason::CreateDateOnly);
        }
    }
    let removed = |id: &u32| reasons[*id as usize] == Some(TrimReason::CreateDateOnly);
    for pivot in &mut pivots {
        if pivot.category == Category::CreateDate {
            pivot.domains.retain(|id| !removed(id));
        }
    }
    kept.retain(|&i| pivots[i].domains.len() >= settings.min_pivot_size);
    let trimmed: Vec<(u32, TrimReason)> = reasons
        .iter()
        .enumerate()
        .filter_map(|(id, r)| r.map(|r| (id as u32, r)))
        .collect();
    let nodes: Vec<u32> = (0..n as u32)
        .filter(|&id| reasons[id as usize].is_none())
        .collect();

    // Edges: categories then pivots in order; a category adds its first positive pivot's
    // weight to a pair, and the sum is capped after each addition.
    let mut edges: BTreeMap<(usize, usize), (f64, CategorySet)> = BTreeMap::new();
    let mut total_connections = 0u64;
    for &i in &kept {
        let pivot = &pivots[i];
        let weight = settings.pivot_weight(pivot.count);
        if weight <= 0.0 {
            continue;
        }
        let members: Vec<usize> = pivot
            .domains
            .iter()
            .filter_map(|d| nodes.iter().position(|node| node == d))
            .collect();
        let k = members.len() as u64;
        total_connections += k * k.saturating_sub(1) / 2;
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                let key = (members[x].min(members[y]), members[x].max(members[y]));
                match edges.get_mut(&key) {
                    None => {
                        edges.insert(key, (weight, CategorySet::from_iter([pivot.category])));
                    }
                    Some((sum, seen)) => {
                        if !seen.contains(pivot.category) {
                            *sum += weight;
                        }
                        *sum = sum.min(MAX_EDGE_WEIGHT);
                        seen.insert(pivot.category);
                    }
                }
            }
        }
    }
    let name = |node: usize| domains[nodes[node] as usize].clone();
    let edges = edges
        .into_iter()
        .map(|((a, b), (weight, categories))| RefEdge {
            a: name(a),
            b: name(b),
            weight,
            categories,
        })
        .collect();

    RefScoring {
        nodes: nodes
            .iter()
            .map(|&id| domains[id as usize].clone())
            .collect(),
        domains,
        inactive,
        categories,
        pivots,
        kept,
        trimmed,
        edges,
        total_connections,
    }
}

/// Converts the library's result to the reference's terms.
fn as_reference(scoring: &Scoring) -> RefScoring {
    let graph = &scoring.graph;
    let edges = graph
        .edge_indices()
        .map(|e| {
            let (a, b) = graph.edge_endpoints(e).expect("edge has end points");
            RefEdge {
                a: scoring.node_name(a).to_string(),
                b: scoring.node_name(b).to_string(),
                weight: graph[e].weight,
                categories: graph[e].categories,
            }
        })
        .collect();
    RefScoring {
        domains: scoring.domains.iter().map(|d| d.name.clone()).collect(),
        inactive: scoring.inactive.clone(),
        categories: scoring.categories.clone(),
        pivots: scoring
            .all_pivots
            .iter()
            .map(|p| RefPivot {
                category: p.category,
                value: p.value.clone(),
                count: p.count,
                domains: p.domains.clone(),
            })
            .collect(),
        kept: scoring.kept_pivots.clone(),
        trimmed: scoring.trimmed.clone(),
        nodes: graph
            .node_indices()
            .map(|n| scoring.node_name(n).to_string())
            .collect(),
        edges,
        total_connections: scoring.total_connections,
    }
}

/// Checks what must hold for every scored graph.
fn check_invariants(scoring: &Scoring) -> Result<(), TestCaseError> {
    let graph = &scoring.graph;
    for e in graph.edge_indices() {
        let (a, b) = graph.edge_endpoints(e).expect("edge has end points");
        prop_assert_ne!(a, b, "self-loop");
        let weight = graph[e].weight;
        prop_assert!(weight > 0.0, "weight {} not positive", weight);
        prop_assert!(weight <= MAX_EDGE_WEIGHT, "weight {} above cap", weight);
        prop_assert!(!graph[e].categories.is_empty());
    }
    // The one exception: trimming a creation-date-only domain runs after the unconnected
    // trim and can shrink a creation-date pivot below the minimum size, leaving its other
    // members in the graph without a kept pivot, as in the original notebook.
    let create_date_trim = scoring
        .trimmed
        .iter()
        .any(|&(_, reason)| reason == TrimReason::CreateDateOnly);
    for node in graph.node_indices() {
        let id = graph[node];
        let in_kept = scoring.pivots().any(|p| p.domains.contains(&id));
        let in_shrunk_create_date = create_date_trim
            && scoring
                .all_pivots
                .iter()
                .any(|p| p.category == Category::CreateDate && p.domains.contains(&id));
        prop_assert!(
            in_kept || in_shrunk_create_date,
            "node {} is in no kept pivot",
            scoring.node_name(node)
        );
    }
    Ok(())
}

/// Categories the random records use; few values each, so that pivots form.
const TEST_CATEGORIES: [Category; 7] = [
    Category::Registrar,
    Category::CreateDate,
    Category::IpAddress,
    Category::IpCountryCode,
    Category::NsDomain,
    Category::Tld,
    Category::SslHash,
];

fn arb_value() -> impl Strategy<Value = PivotValue> {
    (
        prop::sample::select(TEST_CATEGORIES.to_vec()),
        prop::sample::select(vec!["x", "y", "z"]),
        prop::sample::select(vec![
            None,
            Some(1u64),
            Some(3),
            Some(1000),
            Some(100_000_000),
            Some(400_000_000),
        ]),
    )
        .prop_map(|(category, value, count)| PivotValue {
            category,
            value: value.to_string(),
            count,
        })
}

fn arb_record() -> impl Strategy<Value = Record> {
    (
        "[ab-]{0,9}",
        prop::sample::select(vec!["com", "us"]),
        prop::bool::weighted(0.8),
        prop::collection::vec(arb_value(), 0..6),
    )
        .prop_map(|(label, tld, active, values)| Record {
            index: 0,
            domain: format!("{label}.{tld}"),
            risk_score: Some(50.0),
            active,
            values,
            infra_values: Vec::new(),
        })
}

fn arb_settings() -> impl Strategy<Value = Settings> {
    (
        any::<bool>(),
        0usize..6,
        prop::collection::vec(prop::sample::select(vec!["-", "ab", "", "b-"]), 0..3),
        any::<bool>(),
        prop::sample::select(vec![None, Some(2u64), Some(1000), Some(200_000_000)]),
        1usize..4,
        prop::sample::select(vec![1u64, 10, 100_000_000]),
        prop::collection::vec(any::<bool>(), Category::ALL.len()),
    )
        .prop_map(
            |(active_only, min_len, ignore, scale, threshold, min_size, max_domains, enabled)| {
                // Mostly the default categories, so that most cases make edges.
                let mut categories = CategorySet::default_enabled();
                for (category, flip) in Category::ALL.iter().zip(&enabled) {
                    if *flip && (category.index() % 3 == 0) {
                        if categories.contains(*category) {
                            categories.remove(*category);
                        } else {
                            categories.insert(*category);
                        }
                    }
                }
                Settings {
                    active_domains_only: active_only,
                    longest_common_substring: min_len,
                    ignore_substrings: ignore.into_iter().map(String::from).collect(),
                    scale_edge_strength_by_pivot_count: scale,
                    global_count_threshold: threshold,
                    min_pivot_size: min_size,
                    max_domains,
                    categories,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn score_matches_reference(
        records in prop::collection::vec(arb_record(), 0..14),
        settings in arb_settings(),
    ) {
        let scoring = score(&records, &settings).expect("valid settings");
        prop_assert_eq!(as_reference(&scoring), reference_score(&records, &settings));
    }

    #[test]
    fn scored_graph_invariants_hold(
        records in prop::collection::vec(arb_record(), 0..14),
        settings in arb_settings(),
    ) {
        let scoring = score(&records, &settings).expect("valid settings");
        check_invariants(&scoring)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn synthetic_export_matches_reference(seed in any::<u64>(), count in 0usize..250) {
        let bytes = synth::generate_json(count, seed);
        let export = parse_export(&bytes).expect("synthetic export parses");
        for settings in [
            Settings::default(),
            Settings { longest_common_substring: 4, ..Settings::default() },
            Settings { scale_edge_strength_by_pivot_count: false, ..Settings::default() },
        ] {
            let scoring = score(&export.records, &settings).expect("valid settings");
            check_invariants(&scoring)?;
            prop_assert_eq!(as_reference(&scoring), reference_score(&export.records, &settings));
        }
    }
}

#[test]
fn reference_lcs_breaks_ties_by_first_start() {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    assert_eq!(reference_lcs(&chars("abc-xyz"), &chars("xyz-abc")), (0, 3));
    assert_eq!(reference_lcs(&chars("xyz-abc"), &chars("abc-xyz")), (0, 3));
    assert_eq!(reference_lcs(&chars("ab"), &chars("")), (0, 0));
}

#[test]
fn sample_export_matches_reference() {
    let export =
        parse_export(include_bytes!("fixtures/dash_gov_dot_us.json")).expect("fixture parses");
    let scoring = score(&export.records, &Settings::default()).expect("valid settings");
    assert_eq!(
        as_reference(&scoring),
        reference_score(&export.records, &Settings::default())
    );
}
