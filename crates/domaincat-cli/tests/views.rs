//! Runs `domaincat selection`, `domaincat edge` and `domaincat infra` on the reference
//! export. The expected figures were checked by an independent Python count over the
//! same file.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// Five domains of the `Person 20e14153` registrant cluster.
const CLUSTER: &str =
    "1040-form-gov.us,1040sr-form-gov.us,1040x-form-gov.us,1065-form-gov.us,1095a-form-gov.us";

fn export_path() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../domaincat-core/tests/fixtures/dash_gov_dot_us.json")
        .to_string_lossy()
        .into_owned()
}

fn domaincat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_domaincat"))
        .args(args)
        .output()
        .expect("domaincat runs")
}

fn json_output(args: &[&str]) -> Value {
    let output = domaincat(args);
    assert!(
        output.status.success(),
        "domaincat {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn failure_message(args: &[&str]) -> String {
    let output = domaincat(args);
    assert!(!output.status.success(), "domaincat {args:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

#[test]
fn selection_columns_and_table() {
    let file = export_path();
    let report = json_output(&["selection", &file, "--domains", CLUSTER]);
    let names: Vec<&str> = report["columns"]
        .as_array()
        .expect("column list")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        vec![
            "1040sr-form-gov.us",
            "1040x-form-gov.us",
            "1095a-form-gov.us",
            "1040-form-gov.us",
            "1065-form-gov.us",
        ]
    );

    let table = report["table"].as_array().expect("table");
    assert_eq!(table.len(), 10);
    assert_eq!(table[0]["category"], "create_date");
    assert_eq!(table[0]["value"], "2021-03-24");
    assert_eq!(table[0]["domains"], 5);
    assert_eq!(table[0]["pivot"], 0);
    assert_eq!(table[7]["category"], "longest_common_substring");
    assert_eq!(table[7]["value"], "-form-gov");
    assert_eq!(table[7]["count"], Value::Null);
    assert_eq!(table[8]["category"], "ip_isp");
    assert_eq!(table[8]["domains"], 4);
    assert_eq!(table[9]["value"], "22612");
}

#[test]
fn selection_heat_maps() {
    let file = export_path();
    let report = json_output(&["selection", &file, "--domains", CLUSTER]);
    let categories = report["categories"].as_array().expect("category rows");
    assert_eq!(categories.len(), 9);
    // Both name-server IPs are shared, so ns_ip leads with two per domain.
    assert_eq!(categories[0]["category"], "ns_ip");
    assert_eq!(categories[0]["cells"], serde_json::json!([2, 2, 2, 2, 2]));
    assert_eq!(categories[0]["total"], 10);
    // 1095a-form-gov.us, the third column, is on another ISP.
    assert_eq!(categories[7]["category"], "ip_isp");
    assert_eq!(categories[7]["cells"], serde_json::json!([1, 1, 0, 1, 1]));

    let values = report["values"].as_array().expect("value rows");
    assert_eq!(values.len(), 10);
    for (row, table_row) in values
        .iter()
        .zip(report["table"].as_array().expect("table"))
    {
        assert_eq!(row["pivot"], table_row["pivot"]);
        assert_eq!(row["cells"].as_array().expect("cells").len(), 5);
    }
    assert_eq!(values[1]["label"], "registrar: NAMECHEAP, INC");
}

#[test]
fn selection_min_domains_flag() {
    let file = export_path();
    let report = json_output(&[
        "selection",
        &file,
        "--domains",
        CLUSTER,
        "--min-domains",
        "5",
    ]);
    assert_eq!(report["min_domains"], 5);
    assert_eq!(report["table"].as_array().expect("table").len(), 8);
}

#[test]
fn selection_unknown_domain_fails() {
    let file = export_path();
    let message = failure_message(&[
        "selection",
        &file,
        "--domains",
        "1040-form-gov.us,nosuch.us",
    ]);
    assert!(message.contains("nosuch.us"), "{message}");
    assert!(message.contains("not found in the export"), "{message}");
}

#[test]
fn selection_inactive_domain_needs_flag() {
    let file = export_path();
    let args = [
        "selection",
        &file,
        "--domains",
        "cac-gov.us,1040-form-gov.us",
    ];
    let message = failure_message(&args);
    assert!(message.contains("cac-gov.us (inactive"), "{message}");
    assert!(message.contains("--include-inactive"), "{message}");

    let mut with_flag = args.to_vec();
    with_flag.push("--include-inactive");
    let report = json_output(&with_flag);
    assert_eq!(report["columns"].as_array().expect("columns").len(), 2);
}

#[test]
fn edge_lists_counted_pivots() {
    let file = export_path();
    let details = json_output(&["edge", &file, "1040-form-gov.us", "1040sr-form-gov.us"]);
    assert_eq!(
        strings(&details["names"]),
        vec!["1040-form-gov.us", "1040sr-form-gov.us"]
    );
    // The original notebook's weight for this edge, rounded to 9 decimals.
    let weight = details["weight"].as_f64().expect("the pair has an edge");
    assert!((weight - 1.367223367).abs() < 1e-9, "{weight}");
    let counted_sum = details["counted_sum"].as_f64().expect("a number");
    assert!((counted_sum - weight).abs() < 1e-12);

    let pivots = details["pivots"].as_array().expect("pivot list");
    let counted: Vec<(&str, bool)> = pivots
        .iter()
        .map(|p| {
            (
                p["category"].as_str().expect("category"),
                p["counted"].as_bool().expect("flag"),
            )
        })
        .collect();
    assert_eq!(
        counted,
        vec![
            ("create_date", true),
            ("registrar", true),
            ("ip_country_code", false),
            ("ip_isp", true),
            ("ip_asn", true),
            ("ns_domain", true),
            ("ns_ip", true),
            ("ns_ip", false),
            ("longest_common_substring", true),
        ]
    );
}

#[test]
fn edge_with_trimmed_domain_fails() {
    let file = export_path();
    let message = failure_message(&["edge", &file, "ni-gov.us", "1040-form-gov.us"]);
    assert!(
        message.contains("ni-gov.us is not in the graph"),
        "{message}"
    );
    assert!(message.contains("shares no pivot"), "{message}");
}

#[test]
fn infra_reference_counts() {
    let file = export_path();
    let graph = json_output(&["infra", &file]);
    assert_eq!(graph["nodes"].as_array().expect("nodes").len(), 235);
    assert_eq!(graph["edges"].as_array().expect("edges").len(), 1787);
    assert_eq!(graph["pivots"], 1194);
    assert_eq!(graph["settings"]["pivot_threshold"], 500);

    let first = &graph["nodes"][0];
    assert_eq!(first["name"], "ADMIN CONTACT NAME");
    assert_eq!(first["value"], "Person 20e14153");
    assert_eq!(first["size"], 37);
    assert_eq!(first["risk_class"], "red");
    assert_eq!(
        graph["edges"][0],
        serde_json::json!({"a": 0, "b": 1, "shared": 37})
    );
}

#[test]
fn infra_flags_change_the_graph() {
    let file = export_path();
    let graph = json_output(&[
        "infra",
        &file,
        "--edge-threshold",
        "5",
        "--exclude",
        "admin_contact_name",
        "--exclude",
        "REGISTRANT NAME",
    ]);
    let edges = graph["edges"].as_array().expect("edges");
    assert!(!edges.is_empty());
    for edge in edges {
        assert!(edge["shared"].as_u64().expect("count") > 5, "{edge}");
    }
    for node in graph["nodes"].as_array().expect("nodes") {
        assert_ne!(node["name"], "ADMIN CONTACT NAME");
        assert_ne!(node["name"], "REGISTRANT NAME");
    }

    // A pivot needs a count above 1 and below 2, which no whole number is.
    let empty = json_output(&["infra", &file, "--pivot-threshold", "2"]);
    assert_eq!(empty["pivots"], 0);
    assert_eq!(empty["nodes"], serde_json::json!([]));
}
