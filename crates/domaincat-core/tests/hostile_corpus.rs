//! The hostile corpus in `tests/fixtures/hostile/`: the defined outcome of each file,
//! record by record, and larger hostile inputs generated here. The folder's README lists
//! the same outcomes for the page's tests.

use domaincat_core::category::Category;
use domaincat_core::iris::{parse_export, Export, ExportError, Outcome, Record};
use domaincat_core::scoring::{score, Scoring, TrimReason, MAX_EDGE_WEIGHT};
use domaincat_core::settings::Settings;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/hostile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

fn parse_fixture(name: &str) -> Export {
    parse_export(&fixture(name)).unwrap_or_else(|err| panic!("{name} should parse: {err}"))
}

fn domains(export: &Export) -> Vec<&str> {
    export.records.iter().map(|r| r.domain.as_str()).collect()
}

/// Lists each problem as (record index, field path, outcome).
fn problems(export: &Export) -> Vec<(usize, &str, Outcome)> {
    export
        .problems
        .iter()
        .map(|p| (p.index, p.field.as_str(), p.outcome))
        .collect()
}

fn values(record: &Record, category: Category) -> Vec<&str> {
    record
        .values
        .iter()
        .filter(|v| v.category == category)
        .map(|v| v.value.as_str())
        .collect()
}

fn score_default(export: &Export) -> Scoring {
    score(&export.records, &Settings::default()).expect("default settings are valid")
}

/// Lists every edge by node names, the lower node first.
fn edge_names(scoring: &Scoring) -> Vec<(String, String)> {
    let name = |node: u32| {
        let id = scoring
            .node_domain_id(node as usize)
            .expect("edge end is a node");
        scoring.domains[id as usize].name.clone()
    };
    scoring.edges().map(|e| (name(e.a), name(e.b))).collect()
}

fn node_names(scoring: &Scoring) -> Vec<String> {
    (0..scoring.node_count())
        .filter_map(|node| scoring.node_domain_id(node))
        .map(|id| scoring.domains[id as usize].name.clone())
        .collect()
}

#[test]
fn markup_values_are_kept_as_text() {
    let export = parse_fixture("markup_in_every_field.json");
    assert_eq!(export.total_records, 7);
    assert_eq!(
        domains(&export),
        vec!["markup-a.com", "markup-b.com", "unrelated.com"]
    );
    assert_eq!(
        problems(&export),
        vec![
            (3, "domain", Outcome::RecordSkipped),
            (4, "domain", Outcome::RecordSkipped),
            (5, "domain", Outcome::RecordSkipped),
            (6, "domain", Outcome::RecordSkipped),
        ]
    );
    assert!(export.problems[0]
        .found
        .contains("invalid character U+003C '<'"));
    assert!(export.problems[1]
        .found
        .contains("invalid character U+003A ':'"));

    let record = &export.records[0];
    assert_eq!(
        values(record, Category::Registrar),
        vec!["<img src=x onerror=alert(1)>"]
    );
    assert_eq!(
        values(record, Category::Adsense),
        vec!["</script><script>alert(1)</script>"]
    );
    assert_eq!(
        values(record, Category::GoogleAnalytics),
        vec!["javascript:alert(document.cookie)"]
    );
    assert_eq!(values(record, Category::Tld), vec!["<b>com</b>"]);
    assert_eq!(
        values(record, Category::SslOrg),
        vec!["<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>"]
    );
    // Every category of the domain view carries one markup value, and the
    // infrastructure view adds the two registrant contact values (the plain `tld` is
    // no `{value, count}` object, so it is not one of its values).
    assert_eq!(record.values.len(), 20);
    assert_eq!(record.infra_values.len(), 21);

    let scoring = score_default(&export);
    assert_eq!(node_names(&scoring), vec!["markup-a.com", "markup-b.com"]);
    assert_eq!(
        edge_names(&scoring),
        vec![("markup-a.com".to_string(), "markup-b.com".to_string())]
    );
    let weight = scoring.edges().next().map(|e| e.data.weight);
    assert_eq!(weight, Some(MAX_EDGE_WEIGHT));
    let report = domaincat_core::export::graph_report(&scoring, None).to_string();
    assert!(report.contains("<img src=x onerror=alert(1)>"));
}

#[test]
fn invisible_and_bidi_names_are_reported() {
    let export = parse_fixture("invisible_and_bidi.json");
    assert_eq!(
        domains(&export),
        vec!["paypal.com", "paypal.com", "wide.com", "other.com"]
    );
    assert_eq!(
        problems(&export),
        vec![
            (0, "domain", Outcome::NameNormalized),
            (2, "domain", Outcome::RecordSkipped),
            (3, "domain", Outcome::RecordSkipped),
            (4, "domain", Outcome::RecordSkipped),
            (5, "domain", Outcome::NameNormalized),
            (6, "domain", Outcome::RecordSkipped),
        ]
    );
    let messages: Vec<String> = export.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        messages[0],
        "record 0 (paypal.com): field `domain` had invisible characters, which were \
         removed, found the string \"pay\\u{200b}pal.com\"; record used under the \
         normalized name"
    );
    assert!(messages[1].contains("U+202E"), "{}", messages[1]);
    assert!(messages[2].contains("U+200E"), "{}", messages[2]);
    assert!(messages[3].contains("U+2066"), "{}", messages[3]);
    assert!(messages[5].contains("U+0009"), "{}", messages[5]);
    for message in &messages {
        assert!(
            !message.contains(['\u{200B}', '\u{202E}', '\u{200E}', '\u{2066}', '\t']),
            "message shows a raw invisible character: {message:?}"
        );
    }
    // Values keep their text as written, invisible characters included.
    assert_eq!(
        values(&export.records[0], Category::Registrar),
        vec!["Reg\u{200B}istrar \u{202E}RLO\u{202C}"]
    );

    let scoring = score_default(&export);
    assert_eq!(
        scoring
            .domains
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        vec!["paypal.com", "wide.com", "other.com"]
    );
    assert_eq!(
        edge_names(&scoring),
        vec![("paypal.com".to_string(), "wide.com".to_string())]
    );
}

#[test]
fn long_labels_are_skipped_and_long_values_kept() {
    let export = parse_fixture("long_labels.json");
    assert_eq!(
        domains(&export),
        vec!["long-value-a.com", "long-value-b.com", "other.com"]
    );
    assert_eq!(
        problems(&export),
        vec![(0, "domain", Outcome::RecordSkipped)]
    );
    assert!(
        export.problems[0]
            .found
            .ends_with("it has a label of 10000 characters, at most 63 are allowed"),
        "{}",
        export.problems[0].found
    );
    assert_eq!(
        values(&export.records[0], Category::Registrar),
        vec!["R".repeat(10_000)]
    );
    let scoring = score_default(&export);
    assert_eq!(scoring.edge_count(), 1);
}

#[test]
fn idn_and_punycode_forms_merge() {
    let export = parse_fixture("idn_and_punycode.json");
    assert_eq!(
        domains(&export),
        vec![
            "xn--bcher-kva.de",
            "xn--bcher-kva.de",
            "xn--bcher-kva.de",
            "xn--80ak6aa92e.com",
            "apple.com",
            "unrelated.org"
        ]
    );
    assert_eq!(
        problems(&export),
        vec![
            (0, "domain", Outcome::NameNormalized),
            (2, "domain", Outcome::NameNormalized),
            (3, "domain", Outcome::NameNormalized),
        ]
    );
    assert_eq!(
        export.problems[2].domain.as_deref(),
        Some("xn--80ak6aa92e.com")
    );
    assert_eq!(export.problems[2].found, "the string \"аррӏе.com\"");

    let scoring = score_default(&export);
    let names: Vec<&str> = scoring.domains.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "xn--bcher-kva.de",
            "xn--80ak6aa92e.com",
            "apple.com",
            "unrelated.org"
        ]
    );
    // The Cyrillic look-alike and the Latin name are two domains that share an IP.
    assert_eq!(scoring.edge_count(), 3);
}

#[test]
fn case_and_trailing_dot_duplicates_merge() {
    let export = parse_fixture("case_and_trailing_dot.json");
    assert_eq!(
        domains(&export),
        vec![
            "example.com",
            "example.com",
            "example.com",
            "other.net",
            "third.org"
        ]
    );
    assert!(export.problems.is_empty(), "{:?}", export.problems);

    let scoring = score_default(&export);
    assert_eq!(scoring.domains.len(), 3);
    assert_eq!(scoring.domains[0].name, "example.com");
    // The last record of a repeated domain gives its risk score.
    assert_eq!(scoring.domains[0].risk_score, Some(30.0));
    assert_eq!(
        edge_names(&scoring),
        vec![("example.com".to_string(), "other.net".to_string())]
    );
    let categories = scoring.edges().next().map(|e| e.data.categories);
    let categories = categories.expect("one edge");
    assert!(categories.contains(Category::Registrar));
    assert!(categories.contains(Category::IpAddress));
}

#[test]
fn wrong_types_are_converted_or_ignored() {
    let export = parse_fixture("wrong_types.json");
    assert_eq!(
        domains(&export),
        vec!["types-a.com", "types-b.com", "other.com"]
    );
    assert_eq!(
        problems(&export),
        vec![
            (0, "domain", Outcome::RecordSkipped),
            (1, "domain", Outcome::RecordSkipped),
            (2, "domain_risk.risk_score", Outcome::FieldIgnored),
            (2, "active", Outcome::FieldIgnored),
            (2, "adsense.count", Outcome::FieldIgnored),
            (2, "google_analytics.value", Outcome::FieldIgnored),
            (2, "ip", Outcome::FieldIgnored),
            (2, "mx", Outcome::FieldIgnored),
        ]
    );
    assert_eq!(export.problems[0].found, "the number 42");
    assert_eq!(export.problems[1].found, "a list of 1 items");
    assert_eq!(export.problems[3].found, "the string \"false\"");

    // Numbers and booleans become text as Python's str() renders them, so the number
    // 12345 and the string "12345" are one pivot value.
    let (a, b) = (&export.records[0], &export.records[1]);
    assert_eq!(values(a, Category::Registrar), vec!["12345"]);
    assert_eq!(values(b, Category::Registrar), vec!["12345"]);
    assert_eq!(values(a, Category::CreateDate), vec!["20200101"]);
    assert_eq!(values(a, Category::Tld), vec!["True"]);
    assert_eq!(values(b, Category::Tld), vec!["True"]);
    assert_eq!(values(a, Category::SslHash), vec!["1.5"]);
    assert_eq!(values(b, Category::SslHash), vec!["1.5"]);
    assert!(a.active, "a non-boolean `active` counts as active");
    assert_eq!(a.risk_score, None);

    let scoring = score_default(&export);
    assert_eq!(
        edge_names(&scoring),
        vec![("types-a.com".to_string(), "types-b.com".to_string())]
    );
}

#[test]
fn nulls_and_missing_fields_are_empty() {
    let export = parse_fixture("nulls_and_missing.json");
    assert_eq!(
        domains(&export),
        vec!["nulls-a.com", "nulls-b.com", "nulls-c.com"]
    );
    assert_eq!(
        problems(&export),
        vec![
            (0, "(record)", Outcome::RecordSkipped),
            (1, "domain", Outcome::RecordSkipped),
            (2, "domain", Outcome::RecordSkipped),
            (6, "domain", Outcome::RecordSkipped),
        ]
    );
    for record in &export.records {
        assert!(record.values.is_empty(), "{}", record.domain);
        assert!(record.active, "{}", record.domain);
        assert_eq!(record.risk_score, None, "{}", record.domain);
    }
    let scoring = score_default(&export);
    assert_eq!(scoring.node_count(), 0);
    assert_eq!(scoring.trimmed.len(), 3);
}

#[test]
fn unreadable_record_message_escapes_its_name() {
    let text =
        "[{\"domain\": \"\u{202E}moc.lapyap\", \"registrar\": 1e400}, {\"domain\": \"ok.com\"}]";
    let export = parse_export(text.as_bytes()).expect("parses");
    assert_eq!(domains(&export), vec!["ok.com"]);
    assert_eq!(export.problems.len(), 1);
    let message = export.problems[0].to_string();
    assert!(!message.contains('\u{202E}'), "{message:?}");
    assert!(
        message.starts_with("record 0 (\\u{202e}moc.lapyap)"),
        "{message}"
    );
}

#[test]
fn deep_nesting_rejects_the_file() {
    let error = parse_export(&fixture("deep_nesting.json")).expect_err("too deep");
    match error {
        ExportError::Json { message, line, .. } => {
            assert!(message.starts_with("recursion limit exceeded"), "{message}");
            assert_eq!(line, 1);
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn duplicate_records_count_once() {
    let export = parse_fixture("duplicate_records.json");
    assert_eq!(export.total_records, 5);
    assert_eq!(export.records.len(), 5);
    assert!(export.problems.is_empty());
    let scoring = score_default(&export);
    let names: Vec<&str> = scoring.domains.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["dup.com", "peer.com", "loner.com"]);
    let registrar = scoring
        .pivots()
        .find(|p| p.category == Category::Registrar)
        .expect("registrar pivot kept");
    assert_eq!(registrar.domains, vec![0, 1]);
    assert_eq!(
        edge_names(&scoring),
        vec![("dup.com".to_string(), "peer.com".to_string())]
    );
    assert_eq!(scoring.trimmed, vec![(2, TrimReason::Unconnected)]);
}

#[test]
fn large_float_and_integer_differ() {
    let export = parse_fixture("float_and_integer.json");
    let asns: Vec<Vec<&str>> = export
        .records
        .iter()
        .map(|r| values(r, Category::IpAsn))
        .collect();
    assert_eq!(
        asns,
        vec![
            vec!["1e+16"],
            vec!["10000000000000000"],
            vec!["1e+16"],
            vec!["10000000000000000"],
            vec!["1e-05"],
        ]
    );
    let settings = Settings {
        longest_common_substring: 0,
        ..Settings::default()
    };
    let scoring = score(&export.records, &settings).expect("valid settings");
    assert_eq!(
        edge_names(&scoring),
        vec![
            ("float-a.com".to_string(), "float-c.com".to_string()),
            ("int-b.com".to_string(), "int-d.com".to_string()),
        ]
    );
}

#[test]
fn every_fixture_has_a_test() {
    let folder = format!("{}/tests/fixtures/hostile", env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(format!("{folder}/README.md")).expect("README");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("fixture folder")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 10);
    let source = include_str!("hostile_corpus.rs");
    for name in &names {
        assert!(readme.contains(name.as_str()), "README misses {name}");
        assert!(
            source.contains(&format!("\"{name}\"")),
            "no test for {name}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Larger hostile inputs, generated here to keep the repository small.

#[test]
fn extreme_nesting_fails_without_overflow() {
    for depth in [100_000, 1_000_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!(
                "[{{\"domain\": \"a.com\", \"registrar\": {}1{}}}]",
                open.repeat(depth),
                close.repeat(depth)
            );
            let result = parse_export(text.as_bytes());
            assert!(
                matches!(result, Err(ExportError::Json { .. })),
                "depth {depth} of {open}: {result:?}"
            );
        }
    }
}

#[test]
fn megabyte_label_is_skipped_quickly() {
    let name = format!("{}.com", "é".repeat(1 << 20));
    let text = serde_json::json!([{"domain": name}, {"domain": "ok.com"}]).to_string();
    let started = std::time::Instant::now();
    let export = parse_export(text.as_bytes()).expect("parses");
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(domains(&export), vec!["ok.com"]);
    assert_eq!(
        problems(&export),
        vec![(0, "domain", Outcome::RecordSkipped)]
    );
}

#[test]
fn thousands_of_duplicates_merge() {
    let record = serde_json::json!({
        "domain": "Dup.Example.",
        "registrar": {"value": "R", "count": 3},
        "ip": [{"address": {"value": "192.0.2.1", "count": 2}}],
    });
    let mut records = vec![record; 5_000];
    records.push(
        serde_json::json!({"domain": "peer.example", "registrar": {"value": "R", "count": 3}}),
    );
    records.push(serde_json::json!({"domain": "other.example"}));
    let text = serde_json::Value::Array(records).to_string();
    let export = parse_export(text.as_bytes()).expect("parses");
    assert_eq!(export.records.len(), 5_002);
    let scoring = score_default(&export);
    assert_eq!(scoring.domains.len(), 3);
    assert_eq!(scoring.edge_count(), 1);
    let registrar = scoring
        .pivots()
        .find(|p| p.category == Category::Registrar)
        .expect("registrar pivot kept");
    assert_eq!(registrar.domains, vec![0, 1]);
}

#[test]
fn long_similar_names_score_in_bounded_time() {
    // Names at the 63-character label limit that all share long substrings: the worst
    // case of naming pivots for valid names.
    let records: Vec<serde_json::Value> = (0..300)
        .map(|i| serde_json::json!({"domain": format!("{:a<59}{i:03}.com", "")}))
        .collect();
    let text = serde_json::Value::Array(records).to_string();
    let export = parse_export(text.as_bytes()).expect("parses");
    assert_eq!(export.records.len(), 300);
    let started = std::time::Instant::now();
    let scoring = score_default(&export);
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    assert!(scoring.edge_count() > 0);
}
