//! Trimming rules that depend on their order: pivots are trimmed against the domain
//! count before any domain is removed.

use domaincat_core::iris::parse_export;
use domaincat_core::scoring::{score, TrimReason};
use domaincat_core::settings::Settings;

fn no_substrings() -> Settings {
    Settings {
        longest_common_substring: 0,
        ..Settings::default()
    }
}

#[test]
fn pivot_of_all_but_one_survives_that_ones_trim() {
    let export = parse_export(
        br#"[
            {"domain": "a.com", "registrar": {"value": "R", "count": 40}},
            {"domain": "b.com", "registrar": {"value": "R", "count": 40}},
            {"domain": "c.com", "registrar": {"value": "R", "count": 40}},
            {"domain": "d.com"}
        ]"#,
    )
    .expect("export parses");
    let scoring = score(&export.records, &no_substrings()).expect("valid settings");
    assert_eq!(scoring.trimmed, vec![(3, TrimReason::Unconnected)]);
    // After the trim the registrar pivot holds every remaining domain, and it stays.
    let kept: Vec<&str> = scoring.pivots().map(|p| p.value.as_str()).collect();
    assert_eq!(kept, vec!["R"]);
    assert_eq!(scoring.graph.node_count(), 3);
    assert_eq!(scoring.graph.edge_count(), 3);
}

#[test]
fn pivot_of_all_domains_is_trimmed_first() {
    let export = parse_export(
        br#"[
            {"domain": "a.com", "tld": "com", "registrar": {"value": "R", "count": 40}},
            {"domain": "b.com", "tld": "com", "registrar": {"value": "R", "count": 40}},
            {"domain": "c.com", "tld": "com"}
        ]"#,
    )
    .expect("export parses");
    let scoring = score(&export.records, &no_substrings()).expect("valid settings");
    let kept: Vec<&str> = scoring.pivots().map(|p| p.value.as_str()).collect();
    assert_eq!(kept, vec!["R"]);
    assert_eq!(scoring.trimmed, vec![(2, TrimReason::Unconnected)]);
}

#[test]
fn min_pivot_size_drops_small_pivots() {
    let export = parse_export(
        br#"[
            {"domain": "a.com", "registrar": {"value": "R", "count": 40},
             "ip": [{"address": {"value": "1.2.3.4", "count": 3}}]},
            {"domain": "b.com", "registrar": {"value": "R", "count": 40},
             "ip": [{"address": {"value": "1.2.3.4", "count": 3}}]},
            {"domain": "c.com", "registrar": {"value": "R", "count": 40}},
            {"domain": "d.com"}
        ]"#,
    )
    .expect("export parses");
    let settings = Settings {
        min_pivot_size: 3,
        ..no_substrings()
    };
    let scoring = score(&export.records, &settings).expect("valid settings");
    let kept: Vec<&str> = scoring.pivots().map(|p| p.value.as_str()).collect();
    assert_eq!(kept, vec!["R"]);
}
