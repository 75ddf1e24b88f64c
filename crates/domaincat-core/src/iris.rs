//! Iris Investigate exports: bytes to domain records with their pivot values.
//!
//! Exports come from the Iris UI, from the API, or from scripts that rewrote either, so
//! the reader is tolerant: a value may be a `{value, count}` object, a list of them, a
//! plain string or number, empty or missing. What cannot be used is reported with the
//! record index, the domain when known and the field path, and the rest is kept.

use serde_json::{Map, Value};

use crate::category::Category;
use crate::domain_name::{canonical_name, NameError};

mod document;

/// One value of a record that may become a pivot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PivotValue {
    pub category: Category,
    /// Text as Python's `str()` renders the JSON value, trimmed; never empty.
    pub value: String,
    /// How many domains on the whole internet share this value, when Iris says; always > 0.
    pub count: Option<u64>,
}

/// One domain record of an export.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Position of the record in the export, from 0.
    pub index: usize,
    /// Domain name in the canonical form of [`crate::domain_name`]: lowercase ASCII
    /// without a trailing dot, non-ASCII labels in punycode.
    pub domain: String,
    /// `domain_risk.risk_score`, 0–100, when present.
    pub risk_score: Option<f64>,
    /// `false` only when the record's `active` is exactly `false`.
    pub active: bool,
    /// Every usable value, in the order the original notebook reads them.
    pub values: Vec<PivotValue>,
    /// The record's `{value, count}` objects with a count ≥ 2, for the infrastructure
    /// view (see [`crate::infra::extract_infra_values`]), so the JSON need not be kept.
    pub infra_values: Vec<crate::infra::InfraValue>,
}

/// What happened to a record or field that could not be read as expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The record was not used at all.
    RecordSkipped,
    /// The record was used without this field.
    FieldIgnored,
    /// The record was used, under a domain name that normalization changed in a way an
    /// analyst should see (see [`crate::domain_name`]).
    NameNormalized,
}

/// A problem with one record of an export.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "record {index}{domain}: field `{field}` {expected}, found {found}; {outcome}",
    // Escaped, so that a name with bidirectional or invisible characters cannot reorder
    // or hide the rest of the message; canonical names are unchanged by it.
    domain = self
        .domain
        .as_deref()
        .map(|d| format!(" ({})", d.escape_debug()))
        .unwrap_or_default(),
    outcome = match self.outcome {
        Outcome::RecordSkipped => "record skipped",
        Outcome::FieldIgnored => "field ignored",
        Outcome::NameNormalized => "record used under the normalized name",
    }
)]
pub struct RecordProblem {
    pub index: usize,
    pub domain: Option<String>,
    /// Path of the field inside the record, such as `ip[0].asn[1].count`.
    pub field: String,
    /// What the field should have been, phrased to follow "field `x` ".
    pub expected: &'static str,
    /// A short description of what was there instead.
    pub found: String,
    pub outcome: Outcome,
}

/// Why an export could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not valid JSON: {message} at line {line}, column {column}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("the file is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error(
        "expected a JSON array of Iris records or an Iris API response \
         {{\"response\": {{\"results\": [...]}}}}, found {found}"
    )]
    Shape { found: String },
    #[error("the file is an Iris API error response: {message}")]
    ApiError { message: String },
}

/// The usable records of an export and the problems met on the way.
#[derive(Clone, Debug, Default)]
pub struct Export {
    pub records: Vec<Record>,
    pub problems: Vec<RecordProblem>,
    /// Number of entries in the export, usable or not.
    pub total_records: usize,
}

impl Export {
    /// Problems that made a record unusable.
    pub fn skipped_records(&self) -> impl Iterator<Item = &RecordProblem> {
        self.problems
            .iter()
            .filter(|p| p.outcome == Outcome::RecordSkipped)
    }
}

/// Parses an export: a JSON array of Iris records, or an API response
/// `{"response": {"results": [...]}}`.
///
/// Fails only when nothing in the file can be used as a list of records; problems in
/// single records are collected in [`Export::problems`].
pub fn parse_export(bytes: &[u8]) -> Result<Export, ExportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExportError::Empty);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => document::read_export(text),
        Err(err) => Err(ExportError::NotUtf8 {
            offset: err.valid_up_to(),
        }),
    }
}

/// serde_json's message without its trailing " at line L column C".
fn json_error_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Describes an object by its first keys. `more` is true when it has other keys.
fn describe_object_keys(keys: &[&str], more: bool) -> String {
    if keys.is_empty() {
        return "an empty object".to_string();
    }
    let more = if more { ", …" } else { "" };
    format!("an object with keys {}{more}", keys.join(", "))
}

/// A short description of a JSON value for error messages; never the value's full text,
/// which may be huge.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.is_empty() => "an empty string".to_string(),
        Value::String(s) => {
            let preview: String = s.chars().take(40).collect();
            let ellipsis = if s.chars().count() > 40 { "…" } else { "" };
            format!("the string {preview:?}{ellipsis}")
        }
        Value::Array(items) => format!("a list of {} items", items.len()),
        Value::Object(object) => {
            let keys: Vec<&str> = object.keys().take(8).map(String::as_str).collect();
            describe_object_keys(&keys, object.len() > keys.len())
        }
    }
}

/// Reads one record, collecting the problems it meets.
struct RecordReader<'a> {
    index: usize,
    domain: Option<String>,
    problems: &'a mut Vec<RecordProblem>,
}

impl RecordReader<'_> {
    fn problem(&mut self, field: &str, expected: &'static str, found: &Value, outcome: Outcome) {
        self.problems.push(RecordProblem {
            index: self.index,
            domain: self.domain.clone(),
            field: field.to_string(),
            expected,
            found: describe(found),
            outcome,
        });
    }

    fn read(&mut self, entry: &Value) -> Option<Record> {
        let Some(object) = entry.as_object() else {
            self.problems.push(RecordProblem {
                index: self.index,
                domain: None,
                field: "(record)".to_string(),
                expected: "should be an object",
                found: describe(entry),
                outcome: Outcome::RecordSkipped,
            });
            return None;
        };
        let domain = self.read_domain(object)?;
        self.domain = Some(domain.clone());
        let risk_score = self.read_risk(object);
        let active = self.read_active(object);

        let mut values = Vec::new();
        self.read_values(object, &mut values);
        Some(Record {
            index: self.index,
            domain,
            risk_score,
            active,
            values,
            infra_values: crate::infra::extract_infra_values(object),
        })
    }

    fn read_domain(&mut self, object: &Map<String, Value>) -> Option<String> {
        const EXPECTED: &str = "should be a domain name";
        let Some(raw) = object.get("domain") else {
            self.problem("domain", EXPECTED, &Value::Null, Outcome::RecordSkipped);
            return None;
        };
        let Some(text) = raw.as_str() else {
            self.problem("domain", EXPECTED, raw, Outcome::RecordSkipped);
            return None;
        };
        let canonical = match canonical_name(text) {
            Ok(canonical) => canonical,
            Err(NameError::Empty) => {
                self.problem("domain", EXPECTED, raw, Outcome::RecordSkipped);
                return None;
            }
            Err(error) => {
                self.problems.push(RecordProblem {
                    index: self.index,
                    domain: None,
                    field: "domain".to_string(),
                    expected: EXPECTED,
                    found: format!("{}: {error}", describe(raw)),
                    outcome: Outcome::RecordSkipped,
                });
                return None;
            }
        };
        let change = match (canonical.removed_invisible, canonical.converted_to_punycode) {
            (false, false) => None,
            (true, false) => Some("had invisible characters, which were removed"),
            (false, true) => Some("was converted to its punycode (ASCII) form"),
            (true, true) => Some(
                "had invisible characters, which were removed, and was converted to its \
                 punycode (ASCII) form",
            ),
        };
        if let Some(change) = change {
            self.problems.push(RecordProblem {
                index: self.index,
                domain: Some(canonical.name.clone()),
                field: "domain".to_string(),
                expected: change,
                found: describe(raw),
                outcome: Outcome::NameNormalized,
            });
        }
        Some(canonical.name)
    }

    fn read_risk(&mut self, object: &Map<String, Value>) -> Option<f64> {
        let risk = match object.get("domain_risk") {
            None | Some(Value::Null) => return None,
            Some(Value::Object(risk)) => risk,
            Some(other) => {
                let other = other.clone();
                self.problem(
                    "domain_risk",
                    "should be an object with a risk_score",
                    &other,
                    Outcome::FieldIgnored,
                );
                return None;
            }
        };
        match risk.get("risk_score") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(score) if (0.0..=100.0).contains(&score) => Some(score),
                _ => {
                    let found = Value::Number(n.clone());
                    self.problem(
                        "domain_risk.risk_score",
                        "should be a number from 0 to 100",
                        &found,
                        Outcome::FieldIgnored,
                    );
                    None
                }
            },
            Some(other) => {
                let other = other.clone();
                self.problem(
                    "domain_risk.risk_score",
                    "should be a number from 0 to 100",
                    &other,
                    Outcome::FieldIgnored,
                );
                None
            }
        }
    }

    fn read_active(&mut self, object: &Map<String, Value>) -> bool {
        match object.get("active") {
            Some(Value::Bool(active)) => *active,
            None | Some(Value::Null) => true,
            Some(other) => {
                let other = other.clone();
                self.problem(
                    "active",
                    "should be true, false or null",
                    &other,
                    Outcome::FieldIgnored,
                );
                true
            }
        }
    }

    /// Reads pivot values in the original notebook's order; pivot creation order, and so
    /// edge weights, depend on it.
    fn read_values(&mut self, record: &Map<String, Value>, out: &mut Vec<PivotValue>) {
        use Category::*;
        for (key, category) in [
            ("adsense", Adsense),
            ("google_analytics", GoogleAnalytics),
            ("create_date", CreateDate),
            ("redirect_domain", RedirectDomain),
            ("registrar", Registrar),
            ("ssl_email", SslEmail),
        ] {
            self.read_field(record, "", key, category, out);
        }
        self.read_composite(
            record,
            "ip",
            &[
                ("address", IpAddress),
                ("country_code", IpCountryCode),
                ("isp", IpIsp),
                ("asn", IpAsn),
            ],
            out,
        );
        self.read_composite(
            record,
            "name_server",
            &[("host", NsHost), ("domain", NsDomain), ("ip", NsIp)],
            out,
        );
        self.read_field(record, "", "tld", Tld, out);
        self.read_composite(
            record,
            "ssl_info",
            &[
                ("hash", SslHash),
                ("subject", SslSubject),
                ("organization", SslOrg),
            ],
            out,
        );
        self.read_composite(
            record,
            "mx",
            &[("host", MxHost), ("domain", MxDomain), ("ip", MxIp)],
            out,
        );
    }

    /// Reads a list of objects such as `ip` or `mx`, taking `fields` from each element.
    fn read_composite(
        &mut self,
        record: &Map<String, Value>,
        key: &str,
        fields: &[(&str, Category)],
        out: &mut Vec<PivotValue>,
    ) {
        const EXPECTED: &str = "should be a list of objects";
        let elements: Vec<&Value> = match record.get(key) {
            None | Some(Value::Null) => return,
            Some(Value::String(s)) if s.is_empty() => return,
            Some(Value::Array(items)) => items.iter().collect(),
            Some(object @ Value::Object(_)) => vec![object],
            Some(other) => {
                let other = other.clone();
                self.problem(key, EXPECTED, &other, Outcome::FieldIgnored);
                return;
            }
        };
        for (position, element) in elements.into_iter().enumerate() {
            let path = format!("{key}[{position}]");
            match element {
                Value::Null => {}
                Value::Object(object) => {
                    for &(field, category) in fields {
                        self.read_field(object, &path, field, category, out);
                    }
                }
                other => self.problem(&path, "should be an object", other, Outcome::FieldIgnored),
            }
        }
    }

    /// Reads one field that holds a `{value, count}` object, a list of them, or plain
    /// values.
    fn read_field(
        &mut self,
        object: &Map<String, Value>,
        parent: &str,
        key: &str,
        category: Category,
        out: &mut Vec<PivotValue>,
    ) {
        let Some(field) = object.get(key) else {
            return;
        };
        let path = if parent.is_empty() {
            key.to_string()
        } else {
            format!("{parent}.{key}")
        };
        match field {
            Value::Array(items) => {
                for (position, item) in items.iter().enumerate() {
                    if item.is_array() {
                        self.problem(
                            &format!("{path}[{position}]"),
                            "should be a {value, count} object or a plain value",
                            item,
                            Outcome::FieldIgnored,
                        );
                        continue;
                    }
                    self.read_value(item, &format!("{path}[{position}]"), category, out);
                }
            }
            other => self.read_value(other, &path, category, out),
        }
    }

    fn read_value(
        &mut self,
        item: &Value,
        path: &str,
        category: Category,
        out: &mut Vec<PivotValue>,
    ) {
        let (raw_value, count) = match item {
            Value::Object(object) => {
                let count = match object.get("count") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) => match integer_count(n) {
                        Some(count) => Some(count),
                        None => {
                            let found = Value::Number(n.clone());
                            self.problem(
                                &format!("{path}.count"),
                                "should be a whole number",
                                &found,
                                Outcome::FieldIgnored,
                            );
                            return;
                        }
                    },
                    Some(other) => {
                        let other = other.clone();
                        self.problem(
                            &format!("{path}.count"),
                            "should be a whole number",
                            &other,
                            Outcome::FieldIgnored,
                        );
                        return;
                    }
                };
                match object.get("value") {
                    None => return,
                    Some(value) => (value, count),
                }
            }
            plain => (plain, None),
        };
        let text = match python_str(raw_value) {
            Ok(Some(text)) => text,
            Ok(None) => return,
            Err(()) => {
                let found = raw_value.clone();
                self.problem(
                    &format!("{path}.value"),
                    "should be text or a number",
                    &found,
                    Outcome::FieldIgnored,
                );
                return;
            }
        };
        let value = text.trim();
        if value.is_empty() {
            return;
        }
        // Iris uses count 0 for "no value"; negative counts are treated the same way.
        let count = match count {
            Some(c) if c <= 0 => return,
            Some(c) => Some(c.unsigned_abs()),
            None => None,
        };
        out.push(PivotValue {
            category,
            value: value.to_string(),
            count,
        });
    }
}

/// A JSON number as a whole count; floats are accepted when they have no fraction.
fn integer_count(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = n.as_f64()?;
    if f.fract() == 0.0 && f.is_finite() {
        // Saturating conversion: counts beyond i64 are beyond any threshold anyway.
        Some(f as i64)
    } else {
        None
    }
}

/// Renders a scalar JSON value as Python's `str()` would, which is how the original
/// notebook names pivot values (the ASN 13335 becomes `13335`). `Ok(None)` for `null`,
/// `Err` for lists and objects.
fn python_str(value: &Value) -> Result<Option<String>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(true) => Ok(Some("True".to_string())),
        Value::Bool(false) => Ok(Some("False".to_string())),
        Value::Number(n) => Ok(Some(python_number(n))),
        Value::Array(_) | Value::Object(_) => Err(()),
    }
}

fn python_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    // NOTE: an integer beyond u64 arrives as a float (serde_json without
    // arbitrary_precision), so it renders as `1e+20` where Python would print its digits.
    crate::stats::python_float(n.as_f64().unwrap_or(f64::NAN))
}

/// Normalizes a domain name as records' names are (see [`crate::domain_name`]), so that
/// `Example.COM.`, `example.com` and `BÜCHER.de` and `xn--bcher-kva.de` each name one
/// domain. Text that cannot be a domain name is only trimmed, stripped of one trailing
/// dot and lowercased, so it matches no record.
pub fn normalize_domain(name: &str) -> String {
    match canonical_name(name) {
        Ok(canonical) => canonical.name,
        Err(_) => {
            let trimmed = name.trim();
            let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
            trimmed.to_lowercase()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Export {
        parse_export(text.as_bytes()).expect("export should parse")
    }

    fn values_of(record: &Record, category: Category) -> Vec<(&str, Option<u64>)> {
        record
            .values
            .iter()
            .filter(|v| v.category == category)
            .map(|v| (v.value.as_str(), v.count))
            .collect()
    }

    #[test]
    fn bare_list_and_envelope_agree() {
        let record = r#"{"domain": "a.com", "registrar": {"value": "R", "count": 5}}"#;
        let bare = parse(&format!("[{record}]"));
        let envelope = parse(&format!(r#"{{"response": {{"results": [{record}]}}}}"#));
        assert_eq!(bare.records, envelope.records);
        assert_eq!(bare.records.len(), 1);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert_eq!(parse_export(b"").unwrap_err(), ExportError::Empty);
        assert_eq!(parse_export(b"  \n").unwrap_err(), ExportError::Empty);
    }

    #[test]
    fn invalid_json_reports_position() {
        let err = parse_export(b"[\n{\"domain\": }]").unwrap_err();
        match err {
            ExportError::Json { line, .. } => assert_eq!(line, 2),
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn wrong_shape_names_keys() {
        let err = parse_export(br#"{"foo": 1, "bar": 2}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("foo"), "{text}");
        assert!(text.contains("bar"), "{text}");
        assert!(matches!(
            parse_export(b"42").unwrap_err(),
            ExportError::Shape { .. }
        ));
    }

    #[test]
    fn api_error_body_is_reported() {
        let err = parse_export(br#"{"error": {"code": 403, "message": "bad key"}}"#).unwrap_err();
        assert_eq!(
            err,
            ExportError::ApiError {
                message: "bad key (code 403)".to_string()
            }
        );
    }

    #[test]
    fn integer_asn_becomes_text() {
        let export =
            parse(r#"[{"domain": "a.com", "ip": [{"asn": [{"value": 13335, "count": 7}]}]}]"#);
        assert_eq!(
            values_of(&export.records[0], Category::IpAsn),
            vec![("13335", Some(7))]
        );
    }

    #[test]
    fn empty_zero_and_missing_values_are_dropped() {
        let export = parse(
            r#"[{"domain": "a.com",
                 "adsense": {"value": "", "count": 0},
                 "google_analytics": {"value": "UA-1", "count": 0},
                 "registrar": {"value": "  ", "count": 4},
                 "ssl_email": [],
                 "mx": "",
                 "ip": null}]"#,
        );
        assert!(export.records[0].values.is_empty());
        assert!(export.problems.is_empty());
    }

    #[test]
    fn values_are_trimmed_and_plain_values_have_no_count() {
        let export = parse(r#"[{"domain": "a.com", "tld": " com ", "registrar": "R"}]"#);
        let record = &export.records[0];
        assert_eq!(values_of(record, Category::Tld), vec![("com", None)]);
        assert_eq!(values_of(record, Category::Registrar), vec![("R", None)]);
    }

    #[test]
    fn extraction_follows_original_order() {
        let export = parse(
            r#"[{"domain": "a.com",
                 "mx": [{"domain": {"value": "m", "count": 2}}],
                 "tld": "com",
                 "registrar": {"value": "R", "count": 3},
                 "ip": [{"address": {"value": "1.1.1.1", "count": 2},
                         "asn": [{"value": 1, "count": 2}]}],
                 "create_date": {"value": "2020-01-01", "count": 9}}]"#,
        );
        let order: Vec<Category> = export.records[0]
            .values
            .iter()
            .map(|v| v.category)
            .collect();
        assert_eq!(
            order,
            vec![
                Category::CreateDate,
                Category::Registrar,
                Category::IpAddress,
                Category::IpAsn,
                Category::Tld,
                Category::MxDomain
            ]
        );
    }

    #[test]
    fn record_without_domain_is_skipped_and_reported() {
        let export = parse(r#"[{"domain": "a.com"}, {"tld": "com"}, 7, {"domain": ""}]"#);
        assert_eq!(export.records.len(), 1);
        assert_eq!(export.total_records, 4);
        let skipped: Vec<usize> = export.skipped_records().map(|p| p.index).collect();
        assert_eq!(skipped, vec![1, 2, 3]);
        assert_eq!(export.problems[0].field, "domain");
    }

    #[test]
    fn bad_field_is_ignored_with_path() {
        let export = parse(
            r#"[{"domain": "a.com",
                 "ip": [{"address": {"value": "1.1.1.1", "count": "many"}}, "x"],
                 "registrar": {"value": "R", "count": 3}}]"#,
        );
        assert_eq!(export.records.len(), 1);
        assert_eq!(
            values_of(&export.records[0], Category::Registrar),
            vec![("R", Some(3))]
        );
        let fields: Vec<&str> = export.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["ip[0].address.count", "ip[1]"]);
        let message = export.problems[0].to_string();
        assert!(message.starts_with("record 0 (a.com): field `ip[0].address.count`"));
        assert!(message.contains("the string \"many\""), "{message}");
        assert!(message.ends_with("field ignored"), "{message}");
    }

    #[test]
    fn active_flag_rules() {
        let export = parse(
            r#"[{"domain": "a.com", "active": false},
                {"domain": "b.com", "active": null},
                {"domain": "c.com"},
                {"domain": "d.com", "active": true}]"#,
        );
        let active: Vec<bool> = export.records.iter().map(|r| r.active).collect();
        assert_eq!(active, vec![false, true, true, true]);
    }

    #[test]
    fn domain_names_are_normalized() {
        let export = parse(r#"[{"domain": " Example.COM. "}]"#);
        assert_eq!(export.records[0].domain, "example.com");
    }

    #[test]
    fn unicode_domain_is_converted_and_reported() {
        let export = parse(r#"[{"domain": "BÜCHER.de."}, {"domain": "xn--bcher-kva.de"}]"#);
        let names: Vec<&str> = export.records.iter().map(|r| r.domain.as_str()).collect();
        assert_eq!(names, vec!["xn--bcher-kva.de", "xn--bcher-kva.de"]);
        assert_eq!(export.problems.len(), 1);
        let problem = &export.problems[0];
        assert_eq!(problem.index, 0);
        assert_eq!(problem.outcome, Outcome::NameNormalized);
        assert_eq!(
            problem.to_string(),
            "record 0 (xn--bcher-kva.de): field `domain` was converted to its punycode \
             (ASCII) form, found the string \"BÜCHER.de.\"; record used under the \
             normalized name"
        );
    }

    #[test]
    fn hidden_characters_in_domain_are_reported() {
        let export = parse(r#"[{"domain": "pay\u200bpal.com"}, {"domain": "\u202emoc.lapyap"}]"#);
        assert_eq!(export.records.len(), 1);
        assert_eq!(export.records[0].domain, "paypal.com");
        assert_eq!(export.problems.len(), 2);
        assert_eq!(export.problems[0].outcome, Outcome::NameNormalized);
        assert_eq!(
            export.problems[0].found,
            "the string \"pay\\u{200b}pal.com\""
        );
        let skipped = &export.problems[1];
        assert_eq!(skipped.outcome, Outcome::RecordSkipped);
        assert_eq!(skipped.index, 1);
        assert_eq!(
            skipped.found,
            "the string \"\\u{202e}moc.lapyap\": it has the invalid character U+202E \
             '\\u{202e}'"
        );
    }

    #[test]
    fn risk_score_is_read_and_checked() {
        let export = parse(
            r#"[{"domain": "a.com", "domain_risk": {"risk_score": 87}},
                {"domain": "b.com", "domain_risk": {"risk_score": "high"}},
                {"domain": "c.com"}]"#,
        );
        let risks: Vec<Option<f64>> = export.records.iter().map(|r| r.risk_score).collect();
        assert_eq!(risks, vec![Some(87.0), None, None]);
        assert_eq!(export.problems.len(), 1);
        assert_eq!(export.problems[0].field, "domain_risk.risk_score");
    }

    #[test]
    fn python_rendering_of_numbers() {
        let export = parse(r#"[{"domain": "a.com", "ip": [{"asn": [1.0, 2.5, true]}]}]"#);
        let asns: Vec<&str> = values_of(&export.records[0], Category::IpAsn)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(asns, vec!["1.0", "2.5", "True"]);
    }

    #[test]
    fn large_float_and_integer_stay_apart() {
        let export = parse(
            r#"[{"domain": "a.com", "ip": [{"asn": [1e16, 10000000000000000, 1.5e16, 1e-5]}]}]"#,
        );
        let asns: Vec<&str> = values_of(&export.records[0], Category::IpAsn)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(asns, vec!["1e+16", "10000000000000000", "1.5e+16", "1e-05"]);
    }

    #[test]
    fn bom_is_ignored() {
        let export = parse_export(b"\xEF\xBB\xBF[]").expect("BOM export should parse");
        assert_eq!(export.total_records, 0);
    }

    #[test]
    fn non_utf8_is_an_error() {
        assert_eq!(
            parse_export(b"[\"\xff\"]").unwrap_err(),
            ExportError::NotUtf8 { offset: 2 }
        );
    }
}
