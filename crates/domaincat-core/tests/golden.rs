//! Compares scoring with the original DomainCAT notebook's output on a real Iris export
//! (`fixtures/dash_gov_dot_us.golden.json`), for each of its settings variants.

use std::collections::BTreeMap;

use domaincat_core::category::Category;
use domaincat_core::export::graph_report;
use domaincat_core::iris::parse_export;
use domaincat_core::scoring::score;
use domaincat_core::settings::Settings;
use serde_json::Value;

const EXPORT: &[u8] = include_bytes!("fixtures/dash_gov_dot_us.json");
const GOLDEN: &str = include_str!("fixtures/dash_gov_dot_us.golden.json");

/// Weights in the reference are rounded to 9 decimals.
const WEIGHT_TOLERANCE: f64 = 1e-9;

fn settings_from(config: &Value) -> Settings {
    let threshold = config["global_count_threshold"]
        .as_u64()
        .expect("threshold is an integer");
    let categories = config["pivot_category_config"]
        .as_array()
        .expect("category list")
        .iter()
        .map(|name| {
            name.as_str()
                .expect("category name")
                .parse::<Category>()
                .expect("known category")
        })
        .collect();
    Settings {
        active_domains_only: config["active_domains_only"].as_bool().expect("bool"),
        longest_common_substring: config["longest_common_substring"].as_u64().expect("length")
            as usize,
        ignore_substrings: serde_json::from_value(config["ignore_substrings"].clone())
            .expect("ignore list"),
        scale_edge_strength_by_pivot_count: config["scale_edge_strength_by_pivot_count"]
            .as_bool()
            .expect("bool"),
        global_count_threshold: (threshold != i64::MAX as u64).then_some(threshold),
        min_pivot_size: config["min_pivot_size"].as_u64().expect("size") as usize,
        max_domains: config["max_domains"].as_u64().expect("max domains"),
        categories,
    }
}

fn edge_weights(report: &Value) -> BTreeMap<String, f64> {
    report["edges"]
        .as_array()
        .expect("edge list")
        .iter()
        .map(|edge| {
            let a = edge[0].as_str().expect("name");
            let b = edge[1].as_str().expect("name");
            let key = if a < b {
                format!("{a}|{b}")
            } else {
                format!("{b}|{a}")
            };
            (key, edge[2].as_f64().expect("weight"))
        })
        .collect()
}

/// Edge categories keyed by the name pair in sorted order.
fn edge_categories(report: &Value) -> BTreeMap<String, Value> {
    report["edge_categories"]
        .as_object()
        .expect("edge categories")
        .iter()
        .map(|(key, categories)| {
            let (a, b) = key.split_once('|').expect("pair key");
            let key = if a < b {
                key.clone()
            } else {
                format!("{b}|{a}")
            };
            (key, categories.clone())
        })
        .collect()
}

/// Looks up `key` in a variant; the reference writes "same as default" instead of
/// repeating the default variant's value.
fn expected<'a>(golden: &'a Value, default: &'a Value, key: &str) -> &'a Value {
    match golden[key].as_str() {
        Some("same as default") => &default[key],
        _ => &golden[key],
    }
}

fn check_variant(name: &str, golden: &Value) {
    let default = variant("default");
    let settings = settings_from(&golden["config"]);
    let export = parse_export(EXPORT).expect("fixture parses");
    assert!(export.problems.is_empty(), "{name}: {:?}", export.problems);
    let scoring = score(&export.records, &settings).expect("valid settings");
    let report = graph_report(&scoring, None);

    for key in [
        "counts",
        "nodes",
        "inactive",
        "trimmed",
        "isolated_nodes",
        "pivot_stats",
        "pivots",
    ] {
        let expected = expected(golden, &default, key);
        assert_eq!(&report[key], expected, "{name}: `{key}` differs");
    }
    assert_eq!(
        report["config"]["ignore_substrings"],
        golden["config"]["ignore_substrings"]
    );

    let ours = edge_weights(&report);
    let theirs = edge_weights(golden);
    assert_eq!(ours.len(), theirs.len(), "{name}: edge count");
    for (pair, expected) in &theirs {
        let actual = ours
            .get(pair)
            .unwrap_or_else(|| panic!("{name}: edge {pair} missing"));
        assert!(
            (actual - expected).abs() <= WEIGHT_TOLERANCE,
            "{name}: edge {pair} weighs {actual}, expected {expected}"
        );
    }
    // Only the default variant lists the categories of each edge.
    if golden.get("edge_categories").is_some() {
        assert_eq!(
            edge_categories(&report),
            edge_categories(golden),
            "{name}: edge categories differ"
        );
    }
}

fn variant(name: &str) -> Value {
    let golden: Value = serde_json::from_str(GOLDEN).expect("golden file parses");
    golden["variants"][name].clone()
}

#[test]
fn golden_default() {
    check_variant("default", &variant("default"));
}

#[test]
fn golden_unscaled() {
    check_variant("unscaled", &variant("unscaled"));
}

#[test]
fn golden_without_substrings() {
    check_variant("no_lcs", &variant("no_lcs"));
}

#[test]
fn golden_ignoring_gov() {
    check_variant("ignore_gov", &variant("ignore_gov"));
}

#[test]
fn golden_has_four_variants() {
    let golden: Value = serde_json::from_str(GOLDEN).expect("golden file parses");
    let names: Vec<&String> = golden["variants"]
        .as_object()
        .expect("variants")
        .keys()
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}
