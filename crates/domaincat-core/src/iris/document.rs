//! The JSON document of an export, read one record at a time.
//!
//! A first pass lets serde_json check the syntax of the whole document without building
//! anything. The text of each record is then found by a scan that only has to handle
//! valid JSON, and each record is parsed into a [`Value`], read into a
//! [`Record`](super::Record) and dropped before the next. So memory contains the input,
//! the records read so far and one record's JSON tree, never a tree of the whole
//! document.
//!
//! The syntax pass accepts what only a full parse rejects: numbers beyond the range of
//! an `f64` (`1e400`), escapes of unpaired UTF-16 surrogates (`"\ud800"`) and nesting
//! beyond serde_json's recursion limit. A record with such a number or escape is
//! skipped with a [`RecordProblem`], and the other records are kept. A record nested
//! too deeply fails the whole export, as a parse of the whole document would.

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::{
    describe, describe_object_keys, json_error_message, normalize_domain, Export, ExportError,
    Outcome, RecordProblem, RecordReader,
};

/// Maximum depth to which [`locate_unreadable`] follows an unreadable value into its
/// containers. Each level parses the value's text again, so the bound keeps the search
/// linear in the record's size.
const MAX_LOCATE_DEPTH: usize = 16;

/// Number of keys an error message lists before it ends with "…".
const LISTED_KEYS: usize = 8;

/// Start of serde_json's message for a value nested beyond its recursion limit.
const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// Reads the records of an export whose text is valid UTF-8 and not blank.
pub(super) fn read_export(text: &str) -> Result<Export, ExportError> {
    let document = Document { text };
    let first = text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .as_bytes()
        .first();
    match first {
        Some(b'[') => {
            document.check_syntax()?;
            document.read_records(text)
        }
        Some(b'{') => {
            document.check_syntax()?;
            document.read_envelope()
        }
        _ => {
            let value: Value = document.parse(text)?;
            Err(ExportError::Shape {
                found: describe(&value),
            })
        }
    }
}

/// The whole text of an export, so that errors in a part of it can give their line and
/// column in the whole file.
struct Document<'a> {
    text: &'a str,
}

impl<'a> Document<'a> {
    /// Checks the syntax of the whole document, the only check that the text scans in
    /// [`array_elements`] and [`object_members`] rely on.
    fn check_syntax(&self) -> Result<(), ExportError> {
        serde_json::from_str::<IgnoredAny>(self.text)
            .map(|_| ())
            .map_err(|err| self.document_error(self.text, &err))
    }

    /// Reads an object that is an API response `{"response": {"results": [...]}}`, a
    /// saved inner response `{"results": [...]}` or an API error body.
    fn read_envelope(&self) -> Result<Export, ExportError> {
        let outer = self.object(self.text)?;
        if let Some(message) = self.api_error_message(&outer)? {
            return Err(ExportError::ApiError { message });
        }
        let inner = match outer.get("response") {
            Some(response) if response.starts_with('{') => self.object(response)?,
            Some(response) => {
                return Err(ExportError::Shape {
                    found: format!("`response` as {}", self.describe_text(response)?),
                })
            }
            // Some tools save the inner `response` object on its own.
            None => outer,
        };
        if let Some(message) = self.api_error_message(&inner)? {
            return Err(ExportError::ApiError { message });
        }
        match inner.get("results") {
            Some(results) if results.starts_with('[') => self.read_records(results),
            Some(results) => Err(ExportError::Shape {
                found: format!("`results` as {}", self.describe_text(results)?),
            }),
            None => Err(ExportError::Shape {
                found: inner.describe_keys(),
            }),
        }
    }

    /// Reads `part`, the text of a JSON array in the checked document, record by record.
    fn read_records(&self, part: &'a str) -> Result<Export, ExportError> {
        let mut export = Export::default();
        for (index, entry) in array_elements(part).enumerate() {
            export.total_records += 1;
            match serde_json::from_str::<Value>(entry) {
                Ok(value) => {
                    let mut reader = RecordReader {
                        index,
                        domain: None,
                        problems: &mut export.problems,
                    };
                    export.records.extend(reader.read(&value));
                }
                Err(err) if err.to_string().starts_with(RECURSION_LIMIT) => {
                    return Err(self.document_error(entry, &err));
                }
                Err(err) => export.problems.push(unreadable_record(index, entry, &err)),
            }
        }
        Ok(export)
    }

    /// Returns the members of `part`, the text of a JSON object in the checked document.
    fn object(&self, part: &'a str) -> Result<TextObject<'a>, ExportError> {
        TextObject::new(part).map_err(|err| self.document_error(part, &err))
    }

    /// Parses `part`, a piece of the document; see [`Document::document_error`] for its
    /// errors.
    fn parse<T: Deserialize<'a>>(&self, part: &'a str) -> Result<T, ExportError> {
        serde_json::from_str(part).map_err(|err| self.document_error(part, &err))
    }

    /// Returns the error that parsing the whole document into a [`Value`] gives, once
    /// `err` occurred in `part`. The syntax pass words some errors differently
    /// ("expected value" for a trailing comma) and skips values that a whole parse
    /// rejects, so the document is checked again without building a tree. This costs
    /// one more pass, only for documents that fail.
    fn document_error(&self, part: &str, err: &serde_json::Error) -> ExportError {
        match serde_json::from_str::<Checked>(self.text) {
            Err(whole) => ExportError::Json {
                message: json_error_message(&whole),
                line: whole.line(),
                column: whole.column(),
            },
            Ok(Checked) => self.error_in(part, err),
        }
    }

    /// Returns the message of the `error` object that the Iris API sends on failure, when
    /// `object` has one.
    fn api_error_message(&self, object: &TextObject<'a>) -> Result<Option<String>, ExportError> {
        let Some(error) = object.get("error") else {
            return Ok(None);
        };
        if !error.starts_with('{') {
            return Ok(None);
        }
        let error: serde_json::Map<String, Value> = self.parse(error)?;
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        Ok(Some(match error.get("code") {
            Some(code) => format!("{message} (code {code})"),
            None => message.to_string(),
        }))
    }

    /// Describes the value whose text is `part` for error messages, like [`describe`],
    /// without parsing a whole list or object.
    fn describe_text(&self, part: &'a str) -> Result<String, ExportError> {
        if part.starts_with('[') {
            return Ok(format!("a list of {} items", array_elements(part).count()));
        }
        if part.starts_with('{') {
            return Ok(self.object(part)?.describe_keys());
        }
        let value: Value = self.parse(part)?;
        Ok(describe(&value))
    }

    /// Turns an error in `part` into an [`ExportError::Json`] at its line and column in
    /// the whole document. serde_json counts both from 1, and columns in bytes.
    fn error_in(&self, part: &str, err: &serde_json::Error) -> ExportError {
        // `part` is a slice of `self.text`, so the distance between their starts is the
        // offset of `part` in the document.
        let offset = (part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let before = self.text.get(..offset).unwrap_or_default();
        let lines_before = before.matches('\n').count();
        let column_before = before.len() - before.rfind('\n').map_or(0, |at| at + 1);
        let (line, column) = match err.line() {
            // Errors without a position (line 0) keep it.
            0 => (0, err.column()),
            1 => (1 + lines_before, column_before + err.column()),
            line => (line + lines_before, err.column()),
        };
        ExportError::Json {
            message: json_error_message(err),
            line,
            column,
        }
    }
}

/// A JSON value parsed and dropped: what parsing into a [`Value`] checks, with the same
/// errors, without allocating the tree.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Checked, A::Error> {
        while items.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Checked, A::Error> {
        while members.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// The members of a JSON object in document order, their values left as text.
struct TextObject<'a> {
    members: Vec<(String, &'a str)>,
}

impl<'a> TextObject<'a> {
    /// Splits `object`, the text of a JSON object whose syntax serde_json has checked,
    /// into its members. Fails only for a key that cannot be parsed, such as one with an
    /// unpaired surrogate escape.
    fn new(object: &'a str) -> Result<Self, serde_json::Error> {
        let members = object_members(object)
            .map(|(key, value)| Ok((serde_json::from_str::<String>(key)?, value)))
            .collect::<Result<_, serde_json::Error>>()?;
        Ok(TextObject { members })
    }

    /// Returns the value of `key`, or its last value when the key repeats, as parsing
    /// into a [`serde_json::Map`] does.
    fn get(&self, key: &str) -> Option<&'a str> {
        self.members
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|&(_, value)| value)
    }

    /// Describes the object by its distinct keys, like [`describe`] does for a parsed
    /// object.
    fn describe_keys(&self) -> String {
        let mut keys: Vec<&str> = Vec::new();
        for (name, _) in &self.members {
            if !keys.contains(&name.as_str()) {
                keys.push(name);
                if keys.len() > LISTED_KEYS {
                    break;
                }
            }
        }
        let more = keys.len() > LISTED_KEYS;
        keys.truncate(LISTED_KEYS);
        describe_object_keys(&keys, more)
    }
}

/// Returns the texts of the elements of `array`, the text of a JSON array whose syntax
/// serde_json has checked. Text that is not valid JSON gives meaningless spans but
/// never a panic.
fn array_elements(array: &str) -> impl Iterator<Item = &str> {
    let bytes = array.as_bytes();
    let mut position = skip_whitespace(bytes, 1);
    let mut done = bytes.get(position).is_none_or(|&byte| byte == b']');
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let start = position;
        let end = value_end(bytes, start);
        position = skip_whitespace(bytes, end);
        if bytes.get(position) == Some(&b',') {
            position = skip_whitespace(bytes, position + 1);
        } else {
            done = true;
        }
        Some(array.get(start..end).unwrap_or_default())
    })
}

/// Returns the members of `object`, the text of a JSON object whose syntax serde_json
/// has checked, as the JSON text of each key (with its quotes) and of its value.
fn object_members(object: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = object.as_bytes();
    let mut position = skip_whitespace(bytes, 1);
    let mut done = bytes.get(position).is_none_or(|&byte| byte != b'"');
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let key_start = position;
        let key_end = string_end(bytes, key_start);
        // Past the `:` after the key.
        let value_start = skip_whitespace(bytes, skip_whitespace(bytes, key_end) + 1);
        let value_end = value_end(bytes, value_start);
        position = skip_whitespace(bytes, value_end);
        if bytes.get(position) == Some(&b',') {
            position = skip_whitespace(bytes, position + 1);
        } else {
            done = true;
        }
        let key = object.get(key_start..key_end).unwrap_or_default();
        let value = object.get(value_start..value_end).unwrap_or_default();
        Some((key, value))
    })
}

/// Returns the position just past the value that starts at `start`.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut position = start;
    while let Some(&byte) = bytes.get(position) {
        match byte {
            b'"' => position = string_end(bytes, position),
            b'[' | b'{' => {
                depth += 1;
                position += 1;
            }
            b']' | b'}' if depth == 0 => return position,
            b']' | b'}' => {
                depth -= 1;
                position += 1;
            }
            b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return position,
            _ => position += 1,
        }
        // A string or a container at the top ends with its last byte. Numbers and
        // literals never contain these bytes, so they run on to a delimiter above.
        let closed = matches!(
            bytes.get(position.wrapping_sub(1)),
            Some(b'"' | b']' | b'}')
        );
        if depth == 0 && closed {
            return position;
        }
    }
    position
}

/// Returns the position just past the string whose opening quote is at `open`.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut position = open + 1;
    while let Some(&byte) = bytes.get(position) {
        match byte {
            // An escape is a backslash and at least one more byte, never the closing
            // quote.
            b'\\' => position += 2,
            b'"' => return position + 1,
            _ => position += 1,
        }
    }
    position
}

/// Returns the first position at or after `position` that is not JSON whitespace.
fn skip_whitespace(bytes: &[u8], mut position: usize) -> usize {
    while matches!(bytes.get(position), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        position += 1;
    }
    position
}

/// Builds the problem of a record that passed the syntax check but cannot be parsed,
/// naming the innermost field that fails when it can be found.
fn unreadable_record(index: usize, entry: &str, err: &serde_json::Error) -> RecordProblem {
    let message = json_error_message(err);
    let (field, culprit) = locate_unreadable(entry);
    let (expected, found) = match message.as_str() {
        "number out of range" => (
            "should be a number within the range of a 64-bit float",
            format!("the number {}", preview(culprit)),
        ),
        _ if culprit.starts_with('"') => (
            "should be text with valid Unicode escapes",
            format!("the string {} ({message})", preview(culprit)),
        ),
        _ => ("should be valid JSON", message),
    };
    RecordProblem {
        index,
        domain: record_domain(entry),
        field: field.unwrap_or_else(|| "(record)".to_string()),
        expected,
        found,
        outcome: Outcome::RecordSkipped,
    }
}

/// Follows the first member or element that fails to parse, from `entry` down, and
/// returns its path (`None` for the record itself) and its text.
fn locate_unreadable(entry: &str) -> (Option<String>, &str) {
    let fails = |text: &str| serde_json::from_str::<Value>(text).is_err();
    let mut path: Option<String> = None;
    let mut current = entry;
    for _ in 0..MAX_LOCATE_DEPTH {
        let step = if current.starts_with('{') {
            TextObject::new(current).ok().and_then(|object| {
                let (key, value) = object.members.into_iter().find(|(_, value)| fails(value))?;
                let segment = match &path {
                    Some(_) => format!(".{key}"),
                    None => key,
                };
                Some((segment, value))
            })
        } else if current.starts_with('[') {
            array_elements(current)
                .enumerate()
                .find(|&(_, item)| fails(item))
                .map(|(position, item)| (format!("[{position}]"), item))
        } else {
            None
        };
        let Some((segment, child)) = step else {
            break;
        };
        path.get_or_insert_with(String::new).push_str(&segment);
        current = child;
    }
    (path, current)
}

/// Returns the normalized `domain` of a record that cannot be parsed, when that field
/// itself can be.
fn record_domain(entry: &str) -> Option<String> {
    if !entry.starts_with('{') {
        return None;
    }
    let object = TextObject::new(entry).ok()?;
    let domain: Value = serde_json::from_str(object.get("domain")?).ok()?;
    let name = normalize_domain(domain.as_str()?);
    (!name.is_empty()).then_some(name)
}

/// Returns the start of a value's JSON text, at most 40 characters.
fn preview(text: &str) -> String {
    let head: String = text.chars().take(40).collect();
    if head.len() < text.len() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_export;
    use super::*;

    fn parse(text: &str) -> Export {
        parse_export(text.as_bytes()).expect("export should parse")
    }

    fn domains(export: &Export) -> Vec<&str> {
        export.records.iter().map(|r| r.domain.as_str()).collect()
    }

    #[test]
    fn number_out_of_range_skips_record() {
        let export = parse(
            r#"[{"domain": "a.com"},
                {"domain": "b.com", "ip": [{"asn": [{"value": 1, "count": 1e400}]}]},
                {"domain": "c.com"}]"#,
        );
        assert_eq!(domains(&export), vec!["a.com", "c.com"]);
        assert_eq!(export.total_records, 3);
        assert_eq!(export.problems.len(), 1);
        let problem = &export.problems[0];
        assert_eq!(problem.index, 1);
        assert_eq!(problem.domain.as_deref(), Some("b.com"));
        assert_eq!(problem.field, "ip[0].asn[0].count");
        assert_eq!(problem.found, "the number 1e400");
        assert_eq!(problem.outcome, Outcome::RecordSkipped);
        assert_eq!(
            problem.to_string(),
            "record 1 (b.com): field `ip[0].asn[0].count` should be a number within the \
             range of a 64-bit float, found the number 1e400; record skipped"
        );
    }

    #[test]
    fn lone_surrogate_skips_record() {
        let export = parse(
            r#"[{"domain": "a.com", "registrar": "\ud800 R"},
                {"domain": "b.com"}]"#,
        );
        assert_eq!(domains(&export), vec!["b.com"]);
        let problem = &export.problems[0];
        assert_eq!(problem.index, 0);
        assert_eq!(problem.domain.as_deref(), Some("a.com"));
        assert_eq!(problem.field, "registrar");
        assert_eq!(
            problem.expected,
            "should be text with valid Unicode escapes"
        );
        assert!(
            problem.found.starts_with(r#"the string "\ud800 R""#),
            "{}",
            problem.found
        );
        assert_eq!(problem.outcome, Outcome::RecordSkipped);
    }

    #[test]
    fn unreadable_domain_or_key_names_the_record() {
        let export = parse(
            r#"[{"domain": "\ud800.com"},
                {"\udc00": 1, "domain": "b.com"},
                {"domain": "c.com"}]"#,
        );
        assert_eq!(domains(&export), vec!["c.com"]);
        let skipped: Vec<usize> = export.skipped_records().map(|p| p.index).collect();
        assert_eq!(skipped, vec![0, 1]);
        assert_eq!(export.problems[0].field, "domain");
        assert_eq!(export.problems[0].domain, None);
        assert_eq!(export.problems[1].field, "(record)");
        assert_eq!(export.problems[1].domain, None);
        assert_eq!(export.problems[1].expected, "should be valid JSON");
    }

    #[test]
    fn unreadable_record_in_response_is_skipped() {
        let export = parse(
            r#"{"response": {"limit_exceeded": false, "results": [
                {"domain": "a.com", "domain_risk": {"risk_score": -1e999}},
                {"domain": "b.com"}]}}"#,
        );
        assert_eq!(domains(&export), vec!["b.com"]);
        assert_eq!(export.total_records, 2);
        assert_eq!(export.problems[0].field, "domain_risk.risk_score");
        assert_eq!(export.problems[0].found, "the number -1e999");
    }

    #[test]
    fn saved_inner_response_is_read() {
        let export = parse(r#"{"total_count": 1, "results": [{"domain": "a.com"}]}"#);
        assert_eq!(domains(&export), vec!["a.com"]);
    }

    #[test]
    fn repeated_key_takes_last_value() {
        let export = parse(r#"{"results": 5, "results": [{"domain": "a.com"}]}"#);
        assert_eq!(domains(&export), vec!["a.com"]);
        let err = parse_export(br#"{"results": [], "results": 5}"#).unwrap_err();
        assert_eq!(
            err,
            ExportError::Shape {
                found: "`results` as the number 5".to_string()
            }
        );
    }

    #[test]
    fn wrong_shapes_are_described() {
        let cases = [
            (r#"{"response": 5}"#, "`response` as the number 5"),
            (r#"{"response": [1, 2]}"#, "`response` as a list of 2 items"),
            (r#"{"response": {"foo": 1}}"#, "an object with keys foo"),
            (r#"{"response": {}}"#, "an empty object"),
            (
                r#"{"results": {"a": 1, "b": 2}}"#,
                "`results` as an object with keys a, b",
            ),
            (r#"{"results": "x"}"#, r#"`results` as the string "x""#),
            (
                r#"{"a": 1, "b": 1, "a": 2, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1}"#,
                "an object with keys a, b, c, d, e, f, g, h",
            ),
            (
                r#"{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1, "i": 1}"#,
                "an object with keys a, b, c, d, e, f, g, h, …",
            ),
            ("null", "null"),
            ("\"text\"", r#"the string "text""#),
        ];
        for (text, found) in cases {
            let err = parse_export(text.as_bytes()).unwrap_err();
            let expected = ExportError::Shape {
                found: found.to_string(),
            };
            assert_eq!(err, expected, "{text}");
        }
    }

    #[test]
    fn api_error_inside_response_is_reported() {
        let err = parse_export(br#"{"response": {"error": {"code": 500, "message": "down"}}}"#)
            .unwrap_err();
        assert_eq!(
            err,
            ExportError::ApiError {
                message: "down (code 500)".to_string()
            }
        );
    }

    /// Errors outside records, and syntax errors anywhere, must read as serde_json's
    /// error for the whole document.
    #[test]
    fn errors_keep_whole_document_positions() {
        let cases = [
            "[1,]",
            "[\n  {\"domain\": \"a.com\"},\n  {\"domain\": tru}\n]",
            "{\n \"response\": {\"results\": [1,]}}",
            "{\"response\":\n  {\"x\": 1, \"\\ud800\": 2}}",
            "{\"error\": {\"message\": \"m\",\n \"code\": 1e400}}",
            "{\"response\": 1e400}",
            "[{\"domain\": \"a.com\"}] x",
            "{\"a\": 1,}",
            "1e400",
        ];
        for text in cases {
            let expected = serde_json::from_str::<Value>(text).unwrap_err();
            match parse_export(text.as_bytes()).unwrap_err() {
                ExportError::Json {
                    message,
                    line,
                    column,
                } => {
                    assert_eq!(message, json_error_message(&expected), "{text}");
                    assert_eq!(line, expected.line(), "{text}");
                    assert_eq!(column, expected.column(), "{text}");
                }
                other => panic!("{text}: unexpected error {other:?}"),
            }
        }
    }

    #[test]
    fn scan_splits_tricky_values() {
        let array = r#"[ "a\"],{" , {"k": [1, {"v": "}"}]}, [[]] ,-1.5e3,true,null, {} ]"#;
        let elements: Vec<&str> = array_elements(array).collect();
        assert_eq!(
            elements,
            vec![
                r#""a\"],{""#,
                r#"{"k": [1, {"v": "}"}]}"#,
                "[[]]",
                "-1.5e3",
                "true",
                "null",
                "{}"
            ]
        );
        assert_eq!(array_elements("[ ]").count(), 0);
        let object = r#"{"a\"b": "x\\", "c" : [1, 2] ,"d":{}}"#;
        let members: Vec<(&str, &str)> = object_members(object).collect();
        assert_eq!(
            members,
            vec![
                (r#""a\"b""#, r#""x\\""#),
                (r#""c""#, "[1, 2]"),
                (r#""d""#, "{}")
            ]
        );
        assert_eq!(object_members("{ }").count(), 0);
    }

    #[test]
    fn serde_json_private_key_is_plain_data() {
        // serde_json's `raw_value` feature would parse this string as the record.
        let export = parse(
            r#"[{"$serde_json::private::RawValue": "{\"domain\": \"a.com\"}"},
                {"domain": "b.com"}]"#,
        );
        assert_eq!(domains(&export), vec!["b.com"]);
        assert_eq!(export.problems[0].field, "domain");
    }

    #[test]
    fn record_nested_too_deeply_fails_export() {
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let text = format!("[{{\"domain\": \"a.com\"}},\n {{\"x\": {deep}}}, 1e400]");
        match parse_export(text.as_bytes()).unwrap_err() {
            ExportError::Json { message, line, .. } => {
                assert_eq!(message, "recursion limit exceeded");
                assert_eq!(line, 2);
            }
            other => panic!("unexpected error {other:?}"),
        }
    }
}
