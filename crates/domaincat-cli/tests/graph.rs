//! Runs the `domaincat graph` binary on the reference export and compares its report
//! with the original notebook's output, and checks its errors on bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../domaincat-core/tests/fixtures")
        .join(name)
}

fn golden(variant: &str) -> Value {
    let text = std::fs::read_to_string(fixture("dash_gov_dot_us.golden.json"))
        .expect("golden file is readable");
    let golden: Value = serde_json::from_str(&text).expect("golden file parses");
    golden["variants"][variant].clone()
}

fn domaincat(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domaincat"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("domaincat starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A run that fails on its arguments exits before reading; a broken pipe is fine.
        if let Err(err) = pipe.write_all(bytes) {
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("domaincat finishes")
}

fn report(args: &[&str]) -> Value {
    let output = domaincat(args, None);
    assert!(
        output.status.success(),
        "domaincat {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

/// Checks the parts of a report that do not depend on float formatting, and every edge
/// weight to 1e-9.
fn assert_matches_golden(report: &Value, golden: &Value) {
    for key in [
        "counts",
        "nodes",
        "trimmed",
        "isolated_nodes",
        "pivot_stats",
    ] {
        assert_eq!(report[key], golden[key], "`{key}` differs");
    }
    let edges = report["edges"].as_array().expect("edge list");
    let expected = golden["edges"].as_array().expect("golden edge list");
    assert_eq!(edges.len(), expected.len());
    for (ours, theirs) in edges.iter().zip(expected) {
        assert_eq!(ours[0], theirs[0]);
        assert_eq!(ours[1], theirs[1]);
        let (a, b) = (ours[2].as_f64(), theirs[2].as_f64());
        let (a, b) = (a.expect("weight"), b.expect("golden weight"));
        assert!((a - b).abs() <= 1e-9, "{} {}: {a} vs {b}", ours[0], ours[1]);
    }
}

#[test]
fn report_has_golden_keys() {
    let path = fixture("dash_gov_dot_us.json");
    let report = report(&["graph", path.to_str().expect("utf-8 path")]);
    let keys: Vec<&String> = report.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "config",
            "counts",
            "nodes",
            "inactive",
            "trimmed",
            "isolated_nodes",
            "edges",
            "edge_categories",
            "pivot_stats",
            "pivots"
        ]
    );
    assert_eq!(report["config"], golden("default")["config"]);
    assert_matches_golden(&report, &golden("default"));
}

#[test]
fn flags_select_each_variant() {
    let path = fixture("dash_gov_dot_us.json");
    let path = path.to_str().expect("utf-8 path");
    let cases: [(&str, &[&str]); 3] = [
        ("unscaled", &["--no-scale"]),
        ("no_lcs", &["--disable", "longest_common_substring"]),
        ("ignore_gov", &["--ignore-substring", "-gov"]),
    ];
    for (variant, flags) in cases {
        let mut args = vec!["graph", path, "--compact"];
        args.extend_from_slice(flags);
        let report = report(&args);
        assert_matches_golden(&report, &golden(variant));
    }
}

#[test]
fn substring_length_zero_turns_substrings_off() {
    let path = fixture("dash_gov_dot_us.json");
    let report = report(&[
        "graph",
        path.to_str().expect("utf-8 path"),
        "--substring-length",
        "0",
    ]);
    assert_eq!(report["counts"], golden("no_lcs")["counts"]);
}

#[test]
fn categories_flag_replaces_the_set() {
    let path = fixture("dash_gov_dot_us.json");
    let report = report(&[
        "graph",
        path.to_str().expect("utf-8 path"),
        "--categories",
        "registrar,ip_address",
    ]);
    assert_eq!(
        report["config"]["pivot_category_config"],
        serde_json::json!(["ip_address", "registrar"])
    );
    let pivots = report["pivots"].as_object().expect("pivots");
    assert!(pivots.keys().all(|k| k == "registrar" || k == "ip_address"));
}

#[test]
fn reads_standard_input() {
    let bytes = std::fs::read(fixture("dash_gov_dot_us.json")).expect("fixture readable");
    let output = domaincat(&["graph", "-"], Some(&bytes));
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["counts"], golden("default")["counts"]);
}

#[test]
fn layout_adds_positions() {
    let path = fixture("dash_gov_dot_us.json");
    let report = report(&[
        "graph",
        path.to_str().expect("utf-8 path"),
        "--layout",
        "3d",
    ]);
    let positions = report["positions"].as_object().expect("positions");
    assert_eq!(positions.len(), 204);
    let first = positions.values().next().expect("a position");
    assert_eq!(first.as_array().expect("coordinates").len(), 3);
}

#[test]
fn invalid_json_fails_with_message() {
    let output = domaincat(&["graph", "-"], Some(b"[{\"domain\": "));
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    assert!(stderr.contains("line 1"), "{stderr}");
}

#[test]
fn missing_file_fails_with_path() {
    let output = domaincat(&["graph", "/nonexistent/export.json"], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/export.json"), "{stderr}");
}

#[test]
fn wrong_shape_and_empty_input_fail() {
    for (input, expected) in [
        (&b"{\"foo\": 1}"[..], "expected a JSON array"),
        (&b""[..], "empty"),
    ] {
        let output = domaincat(&["graph", "-"], Some(input));
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

#[test]
fn skipped_records_are_reported() {
    let input = br#"[
        {"domain": "a.com", "registrar": {"value": "R", "count": 4}},
        {"domain": "b.com", "registrar": {"value": "R", "count": 4}},
        {"domain": "c.com"},
        {"whois_url": "x"}
    ]"#;
    let output = domaincat(&["graph", "-"], Some(input));
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("record 3: field `domain`"), "{stderr}");
    assert!(stderr.contains("1 of 4 records skipped"), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["counts"]["nodes"], 2);
}

#[test]
fn unknown_category_is_rejected() {
    let output = domaincat(&["graph", "-", "--categories", "registrr"], Some(b"[]"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("registrr"), "{stderr}");
}

#[test]
fn export_without_usable_records_fails() {
    for (input, entries) in [
        (&b"[]"[..], "0 entries"),
        (&br#"[{"tld": "com"}]"#[..], "1 entries"),
    ] {
        let output = domaincat(&["graph", "-"], Some(input));
        assert!(!output.status.success());
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("standard input contains no usable Iris records"),
            "{stderr}"
        );
        assert!(stderr.contains(entries), "{stderr}");
    }
}
