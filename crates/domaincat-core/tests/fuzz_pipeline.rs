//! Randomised robustness test of the whole core on hostile input, on stable Rust.
//!
//! A structure-aware generator writes Iris exports: near-valid records with hostile
//! names and values, exports mutated at the byte level, random bytes, and seeds from
//! `tests/fixtures/hostile/` mutated in turn. Each input runs through the pipeline the
//! page and the CLI use: `parse_export`, `score` with random settings, `graph_report`,
//! `shared_pivots`, `edge_details` and `build_infra_graph`, plus the pasted-list and API
//! readers. The test fails when an input panics, when it runs longer than the per-input
//! time bound, when its peak allocation exceeds the memory cap, or when a scored graph
//! breaks an invariant.
//!
//! `DOMAINCAT_FUZZ_SECONDS` sets the time budget (default 10 s). `DOMAINCAT_FUZZ_SEED`
//! sets the first seed, so a run can be repeated, and `DOMAINCAT_FUZZ_REPLAY=SEED` runs
//! the one input of that seed. A failing input is written to
//! `$CARGO_TARGET_TMPDIR/fuzz-failure-SEED.json`. For a long run by hand:
//!
//! ```sh
//! DOMAINCAT_FUZZ_SECONDS=600 cargo test --release -p domaincat-core --test fuzz_pipeline -- --nocapture
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domaincat_core::category::{Category, CategorySet};
use domaincat_core::domain_list::clean_domain_list;
use domaincat_core::edges::edge_details;
use domaincat_core::export::graph_report;
use domaincat_core::infra::{build_infra_graph, InfraSettings};
use domaincat_core::iris::parse_export;
use domaincat_core::iris_api::parse_response;
use domaincat_core::scoring::{score, Scoring, MAX_EDGE_WEIGHT};
use domaincat_core::selection::shared_pivots;
use domaincat_core::settings::Settings;
use domaincat_core::stats::pivot_stats;
use petgraph::graph::NodeIndex;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Allocation accounting

/// Global allocator that counts the bytes in use and their peak. It rejects any
/// allocation that would take the process past [`HARD_LIMIT_BYTES`], so a runaway input
/// aborts this test instead of exhausting the machine.
struct CountingAllocator;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Bytes this test process may hold at once before allocations fail.
const HARD_LIMIT_BYTES: usize = 4 << 30;

impl CountingAllocator {
    fn reserve(size: usize) -> bool {
        let before = IN_USE.fetch_add(size, Ordering::Relaxed);
        if before + size > HARD_LIMIT_BYTES {
            IN_USE.fetch_sub(size, Ordering::Relaxed);
            return false;
        }
        PEAK.fetch_max(before + size, Ordering::Relaxed);
        true
    }

    fn release(size: usize) {
        IN_USE.fetch_sub(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` with the caller's layout; the counters
// only observe sizes and never touch the memory.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = System.alloc(layout);
        if pointer.is_null() {
            Self::release(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = System.alloc_zeroed(layout);
        if pointer.is_null() {
            Self::release(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout);
        Self::release(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !Self::reserve(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        let moved = System.realloc(pointer, layout, new_size);
        if moved.is_null() {
            if new_size > layout.size() {
                Self::release(new_size - layout.size());
            }
        } else if new_size < layout.size() {
            Self::release(layout.size() - new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Returns the peak bytes one input may allocate above what was in use before it. That
/// is a fixed allowance for the graph and report of a few hundred domains, plus a
/// multiple of the input size for the JSON trees and the records.
fn memory_cap(input_len: usize) -> usize {
    (64 << 20) + 64 * input_len
}

// ---------------------------------------------------------------------------------------
// Random numbers

/// SplitMix64: small, fast, and enough for test input.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`, or 0 when `bound` is 0.
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            return 0;
        }
        (self.next() % bound as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Input generation

/// Domain names: a few plain ones that collide on purpose, their case, trailing-dot,
/// IDN and look-alike variants, and names that are no domain at all.
const NAMES: &[&str] = &[
    "a-form-gov.us",
    "b-form-gov.us",
    "c-form-gov.us",
    "A-FORM-GOV.US.",
    "paypal-login.com",
    "paypal-1ogin.com",
    "pay\u{200B}pal-login.com",
    "\u{202E}moc.lapyap",
    "paypal\u{200D}.com",
    "bücher.de",
    "xn--bcher-kva.de",
    "BÜCHER.DE.",
    "xn--80ak6aa92e.com",
    "аррӏе.com",
    "<img src=x onerror=alert(1)>.com",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "a..com",
    ".",
    "..",
    "",
    "   ",
    "x",
    "中文.中国",
    "\u{0}.com",
    "a b.com",
    "a|b.com",
    "ÿÿÿÿÿÿ.com",
    "İstanbul.com",
    "xn--.com",
    "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzz.com",
];

/// Pivot values: a few shared ones and hostile text.
const TEXTS: &[&str] = &[
    "1.1.1.1",
    "8.8.8.8",
    "ns1.example.com",
    "example.com",
    "GoDaddy",
    "Registrar, Inc.",
    "2020-01-01",
    "US",
    "13335",
    "",
    " ",
    "<img src=x onerror=alert(document.domain)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "\u{202E}gpj.exe",
    "zero\u{200B}width",
    "\u{FEFF}bom",
    "\"quoted\" & 'single' \\ backslash",
    "line\nbreak\ttab\r",
    "\u{0}nul",
    "emoji 🦀👩‍💻",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "None",
    "True",
    "1e+16",
    "10000000000000000",
];

/// Iris counts, of every JSON type a hostile export may use.
fn random_count(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => json!(0),
        2 => json!(1),
        3 => json!(2),
        4 => json!(3),
        5 => json!(499),
        6 => json!(500),
        7 => json!(100_000_000u64),
        8 => json!(400_000_000u64),
        9 => json!(-1),
        10 => json!(1.5),
        11 => json!(1e300),
        12 => json!(u64::MAX),
        13 => json!("5"),
        14 => json!([2]),
        _ => json!(rng.below(10)),
    }
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(13335),
        3 => json!(1e16),
        4 => json!(10_000_000_000_000_000u64),
        5 => json!(-0.0),
        6 => json!(1e-7),
        7 => json!(i64::MIN),
        8 => json!(2.5),
        9 => Value::String(long_text(rng)),
        _ => Value::String(rng.pick(TEXTS).to_string()),
    }
}

fn long_text(rng: &mut Rng) -> String {
    let unit = *rng.pick(&["a", "-", "ab", "\u{200B}", "é", "<b>", "🦀"]);
    let length = *rng.pick(&[63, 64, 253, 254, 1000, 10_000]);
    unit.repeat(length)
}

/// Generates a `{value, count}` object, a list of them, a plain value, or a wrong shape.
fn random_field(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 => json!(""),
        2 => json!([]),
        3 => json!({}),
        4..=6 => value_count(rng),
        7 | 8 => {
            let items = (0..rng.below(4)).map(|_| value_count(rng)).collect();
            Value::Array(items)
        }
        9 => random_scalar(rng),
        10 if depth < 4 => Value::Array(vec![random_field(rng, depth + 1)]),
        _ => {
            let mut object = Map::new();
            object.insert("value".into(), random_field(rng, depth + 1));
            object.insert("count".into(), random_count(rng));
            Value::Object(object)
        }
    }
}

fn value_count(rng: &mut Rng) -> Value {
    let mut object = Map::new();
    if !rng.chance(10) {
        object.insert("value".into(), random_scalar(rng));
    }
    if !rng.chance(10) {
        object.insert("count".into(), random_count(rng));
    }
    Value::Object(object)
}

/// Generates a list of objects such as `ip` or `mx`, or a wrong shape.
fn random_composite(rng: &mut Rng, fields: &[&str]) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => json!(""),
        2 => random_scalar(rng),
        _ => {
            let elements = (0..rng.below(4))
                .map(|_| {
                    if rng.chance(10) {
                        return random_scalar(rng);
                    }
                    let mut object = Map::new();
                    for field in fields {
                        if rng.chance(70) {
                            object.insert(field.to_string(), random_field(rng, 0));
                        }
                    }
                    Value::Object(object)
                })
                .collect();
            Value::Array(elements)
        }
    }
}

fn random_domain(rng: &mut Rng) -> Value {
    match rng.below(20) {
        0 => Value::Null,
        1 => json!(42),
        2 => json!(["a.com"]),
        3 => Value::String(format!("{}.com", long_text(rng))),
        4..=9 => Value::String(rng.pick(NAMES).to_string()),
        // Short names over a small alphabet share naming substrings and collide.
        _ => {
            let label: String = (0..3 + rng.below(10))
                .map(|_| *rng.pick(&['a', 'b', '-', 'c']))
                .collect();
            Value::String(format!(
                "{label}.{}",
                rng.pick(&["com", "us", "COM", "us."])
            ))
        }
    }
}

fn random_record(rng: &mut Rng) -> Value {
    if rng.chance(3) {
        return random_scalar(rng);
    }
    let mut record = Map::new();
    if !rng.chance(3) {
        record.insert("domain".into(), random_domain(rng));
    }
    for key in [
        "adsense",
        "google_analytics",
        "create_date",
        "redirect_domain",
        "registrar",
        "ssl_email",
        "tld",
    ] {
        if rng.chance(60) {
            record.insert(key.into(), random_field(rng, 0));
        }
    }
    let composites: [(&str, &[&str]); 4] = [
        ("ip", &["address", "country_code", "isp", "asn"]),
        ("name_server", &["host", "domain", "ip"]),
        ("ssl_info", &["hash", "subject", "organization"]),
        ("mx", &["host", "domain", "ip"]),
    ];
    for (key, fields) in composites {
        if rng.chance(60) {
            record.insert(key.into(), random_composite(rng, fields));
        }
    }
    if rng.chance(50) {
        let risk = match rng.below(6) {
            0 => json!({"risk_score": rng.below(101)}),
            1 => json!({"risk_score": 150}),
            2 => json!({"risk_score": -1}),
            3 => json!({"risk_score": "high"}),
            4 => json!({"risk_score": 99.5}),
            _ => random_scalar(rng),
        };
        record.insert("domain_risk".into(), risk);
    }
    if rng.chance(50) {
        let active = match rng.below(4) {
            0 => json!(false),
            1 => json!(true),
            2 => Value::Null,
            _ => random_scalar(rng),
        };
        record.insert("active".into(), active);
    }
    if rng.chance(30) {
        // WHOIS contacts and other fields that only the infrastructure view reads.
        record.insert(
            "registrant_contact".into(),
            json!({"email": [value_count(rng)], "name": value_count(rng)}),
        );
    }
    Value::Object(record)
}

/// Wraps records as the Iris UI or API saves them, or in a wrong shape.
fn random_document(rng: &mut Rng) -> Value {
    let count = match rng.below(10) {
        0 => 0,
        1 => 200 + rng.below(100),
        _ => rng.below(40),
    };
    let mut records: Vec<Value> = (0..count).map(|_| random_record(rng)).collect();
    if !records.is_empty() && rng.chance(20) {
        // Duplicate records, as exports concatenated by hand have them.
        let copy = records[rng.below(records.len())].clone();
        records.push(copy);
    }
    let records = Value::Array(records);
    match rng.below(10) {
        0 => json!({"response": {"results": records, "has_more_results": false}}),
        1 => json!({"results": records}),
        2 => json!({"response": {"error": {"code": 403, "message": "<b>bad key</b>"}}}),
        3 => json!({"response": records}),
        _ => records,
    }
}

/// Nesting deeper than any parser limit, inside a record field or at the top.
fn deep_nesting(rng: &mut Rng) -> Vec<u8> {
    let depth = *rng.pick(&[100, 127, 128, 129, 1000, 10_000, 100_000]);
    let (open, close) = if rng.chance(50) {
        ("[", "]")
    } else {
        ("{\"a\":", "}")
    };
    let inner = format!("{}1{}", open.repeat(depth), close.repeat(depth));
    match rng.below(3) {
        0 => inner.into_bytes(),
        1 => format!(r#"[{{"domain": "a.com", "registrar": {inner}}}]"#).into_bytes(),
        _ => format!("[{inner}]").into_bytes(),
    }
}

/// Byte-level changes that keep most of an input's structure.
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b"[",
        b"]",
        b"{",
        b"}",
        b"\"",
        b",",
        b":",
        b"null",
        b"-",
        b"1e999",
        b"-0",
        b"18446744073709551616",
        b"\\u0000",
        b"\\ud800",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC3",
        b"\xE2\x80\xAE",
        b"{\"value\":\"x\",\"count\":2}",
    ];
    for _ in 0..1 + rng.below(8) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(6) {
            0 if len > 0 => {
                let at = at.min(len - 1);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 => bytes
                .splice(at..at, rng.pick(TOKENS).iter().copied())
                .for_each(drop),
            2 if len > 0 => {
                let end = (at + rng.below(16)).min(len);
                bytes.drain(at..end);
            }
            3 => bytes.truncate(at),
            4 if len > 0 => {
                // Copies a slice elsewhere, as duplicated records or values would.
                let start = rng.below(len);
                let end = (start + rng.below(256)).min(len);
                let slice: Vec<u8> = bytes[start..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, slice).for_each(drop);
            }
            _ => bytes.insert(at.min(bytes.len()), rng.next() as u8),
        }
    }
    bytes
}

/// One fuzz input: the export bytes and the settings to score them with.
struct Input {
    bytes: Vec<u8>,
    settings: Settings,
    infra: InfraSettings,
    /// Seed of the choices made after scoring (selections, node pairs).
    probe_seed: u64,
}

fn generate(seed: u64, seeds: &[Vec<u8>]) -> Input {
    let mut rng = Rng(seed);
    let bytes = match rng.below(20) {
        0 => (0..rng.below(64))
            .map(|_| rng.next() as u8)
            .collect::<Vec<u8>>(),
        1 => deep_nesting(&mut rng),
        2..=4 if !seeds.is_empty() => {
            let seed_bytes = rng.pick(seeds).clone();
            mutate(&mut rng, seed_bytes)
        }
        5..=8 => {
            let document = random_document(&mut rng);
            let text = serde_json::to_vec(&document).unwrap_or_default();
            mutate(&mut rng, text)
        }
        9 if !seeds.is_empty() => rng.pick(seeds).clone(),
        _ => {
            let document = random_document(&mut rng);
            let pretty = rng.chance(30);
            let text = if pretty {
                serde_json::to_vec_pretty(&document)
            } else {
                serde_json::to_vec(&document)
            };
            text.unwrap_or_default()
        }
    };
    Input {
        bytes,
        settings: random_settings(&mut rng),
        infra: random_infra_settings(&mut rng),
        probe_seed: rng.next(),
    }
}

fn random_settings(rng: &mut Rng) -> Settings {
    let mut categories = if rng.chance(70) {
        CategorySet::default_enabled()
    } else {
        CategorySet::all()
    };
    for category in Category::ALL {
        if rng.chance(10) {
            categories.remove(category);
        }
    }
    let ignore_pool = ["", "-", "gov", "-form-gov", "a", "\u{200B}", "é"];
    Settings {
        active_domains_only: rng.chance(70),
        longest_common_substring: *rng.pick(&[0, 1, 2, 3, 4, 6, 6, 6, 8, 300]),
        ignore_substrings: (0..rng.below(3))
            .map(|_| rng.pick(&ignore_pool).to_string())
            .collect(),
        scale_edge_strength_by_pivot_count: rng.chance(80),
        global_count_threshold: *rng.pick(&[None, None, Some(0), Some(1), Some(3), Some(500)]),
        min_pivot_size: *rng.pick(&[0, 1, 2, 2, 2, 3, 1000]),
        max_domains: *rng.pick(&[0, 1, 10, 100_000_000, 100_000_000, u64::MAX]),
        categories,
    }
}

fn random_infra_settings(rng: &mut Rng) -> InfraSettings {
    InfraSettings {
        active_domains_only: rng.chance(70),
        pivot_threshold: *rng.pick(&[0, 1, 2, 3, 500, u64::MAX]),
        edge_threshold: *rng.pick(&[0, 1, 1, 2, 100]),
        exclude: (0..rng.below(3))
            .map(|_| rng.pick(&["ip_address", "IP ADDRESS", "", " registrant contact email "]))
            .map(|name| name.to_string())
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The pipeline and its checks

/// Runs every stage on `input`; returns a description of a broken invariant.
fn run_pipeline(input: &Input) -> Result<(), String> {
    let mut rng = Rng(input.probe_seed);
    let text = String::from_utf8_lossy(&input.bytes);
    let pasted = clean_domain_list(&text);
    for domain in &pasted.domains {
        if !domain.is_ascii() || domain.is_empty() {
            return Err(format!("pasted list kept a non-ASCII name {domain:?}"));
        }
    }
    let _ = parse_response(*rng.pick(&[200, 401, 429, 500]), &input.bytes);

    let export = match parse_export(&input.bytes) {
        Ok(export) => export,
        Err(error) => {
            let _ = error.to_string();
            return Ok(());
        }
    };
    for problem in &export.problems {
        let _ = problem.to_string();
    }
    if export.records.len() > export.total_records {
        return Err("more records than entries".into());
    }
    for record in &export.records {
        if record.domain.is_empty() {
            return Err(format!("record {} has an empty domain", record.index));
        }
        for value in &record.values {
            if value.value.is_empty() || value.value.trim() != value.value {
                return Err(format!("value {:?} is empty or untrimmed", value.value));
            }
            if value.count == Some(0) {
                return Err(format!("value {:?} has count 0", value.value));
            }
        }
    }

    let scoring = match score(&export.records, &input.settings) {
        Ok(scoring) => scoring,
        Err(_) if input.settings.validate().is_err() => return Ok(()),
        Err(error) => return Err(format!("valid settings rejected: {error}")),
    };
    check_graph(&scoring)?;

    let report = graph_report(&scoring, None);
    serde_json::to_string(&report).map_err(|error| format!("report: {error}"))?;
    let dims = 1 + rng.below(3);
    let positions: Vec<f32> = (0..scoring.node_count() * dims + rng.below(3))
        .map(|i| if i % 7 == 3 { f32::NAN } else { i as f32 })
        .collect();
    let report = graph_report(&scoring, Some((&positions, dims)));
    serde_json::to_string(&report).map_err(|error| format!("report: {error}"))?;
    let _ = pivot_stats(&scoring);
    let _ = scoring.heaviest_edges(rng.below(5));
    let _ = scoring.layout_edges(rng.below(4));

    let domains = scoring.domains.len() as u32;
    for _ in 0..3 {
        let selected: Vec<u32> = (0..rng.below(8))
            .map(|_| rng.below(domains as usize + 2) as u32)
            .collect();
        let min_domains = rng.below(4);
        let result = shared_pivots(&scoring, &selected, min_domains);
        let expect_error = min_domains == 0 || selected.iter().any(|&id| id >= domains);
        if result.is_err() != expect_error {
            return Err(format!(
                "shared_pivots({selected:?}, {min_domains}) gave {result:?}"
            ));
        }
    }

    let nodes = scoring.node_count();
    for _ in 0..4 {
        let a = rng.below(nodes + 1);
        let b = rng.below(nodes + 1);
        let result = edge_details(&scoring, NodeIndex::new(a), NodeIndex::new(b));
        let expect_error = a >= nodes || b >= nodes || a == b;
        match result {
            Ok(details) if !expect_error => {
                let capped = details.counted_sum.min(MAX_EDGE_WEIGHT);
                if let Some(weight) = details.weight {
                    if (weight - capped).abs() > 1e-9 {
                        return Err(format!("edge {a}-{b}: weight {weight}, details {capped}"));
                    }
                }
            }
            Err(_) if expect_error => {}
            other => return Err(format!("edge_details({a}, {b}) gave {other:?}")),
        }
    }

    let infra = build_infra_graph(&export.records, &input.infra);
    for edge in &infra.edges {
        if edge.a >= edge.b || edge.b as usize >= infra.nodes.len() {
            return Err(format!("infra edge {}-{} is not ordered", edge.a, edge.b));
        }
    }
    Ok(())
}

/// Invariants of every scored graph, through the public accessors only.
fn check_graph(scoring: &Scoring) -> Result<(), String> {
    let nodes = scoring.node_count();
    let mut previous: Option<(u32, u32)> = None;
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for edge in scoring.edges() {
        let weight = edge.data.weight;
        if !(weight > 0.0 && weight <= MAX_EDGE_WEIGHT) {
            return Err(format!("edge {}-{} weighs {weight}", edge.a, edge.b));
        }
        if edge.a >= edge.b || edge.b as usize >= nodes {
            return Err(format!("edge {}-{} of {nodes} nodes", edge.a, edge.b));
        }
        if previous == Some((edge.a, edge.b)) {
            return Err(format!("edge {}-{} repeated", edge.a, edge.b));
        }
        previous = Some((edge.a, edge.b));
        pairs.push((edge.a, edge.b));
    }
    pairs.sort_unstable();
    pairs.dedup();
    if pairs.len() != scoring.edge_count() {
        return Err("an edge is repeated".into());
    }
    for node in 0..nodes {
        let Some(id) = scoring.node_domain_id(node) else {
            return Err(format!("node {node} has no domain"));
        };
        if id as usize >= scoring.domains.len() {
            return Err(format!("node {node} has domain id {id}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The driver

/// Returns the process's peak resident set size as Linux reports it (`VmHWM`), or "n/a".
fn peak_resident_size() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map(|size| size.trim().to_string())
        .unwrap_or_else(|| "n/a".to_string())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|text| text.trim().parse().ok())
}

fn hostile_seeds() -> Vec<Vec<u8>> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

fn save_failure(seed: u64, input: &Input) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = folder.join(format!("fuzz-failure-{seed}.json"));
    let _ = std::fs::write(&path, &input.bytes);
    let settings = serde_json::to_string_pretty(&input.settings).unwrap_or_default();
    let _ = std::fs::write(
        folder.join(format!("fuzz-failure-{seed}.settings.json")),
        settings,
    );
    path
}

/// Returns the maximum time one input may take. The slowest inputs take under 1 s in a
/// debug build and under 0.5 s in a release build (runs of this test on 2 cores).
fn per_input_limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(20)
    } else {
        Duration::from_secs(5)
    }
}

/// Starts a thread that aborts the process when one input runs past twice the per-input
/// limit, which only a hang reaches. The main loop reports a slow input that ends.
/// `started_ms` is the start of the current input in milliseconds since `origin`.
fn start_watchdog(
    origin: Instant,
    current_seed: Arc<AtomicU64>,
    started_ms: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
) {
    let limit = per_input_limit() * 2;
    std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            let started = Duration::from_millis(started_ms.load(Ordering::Relaxed));
            if origin.elapsed().saturating_sub(started) > limit && !done.load(Ordering::Relaxed) {
                let seed = current_seed.load(Ordering::Relaxed);
                eprintln!(
                    "fuzz: input of seed {seed} still running after {limit:?}; \
                     replay it with DOMAINCAT_FUZZ_REPLAY={seed}"
                );
                std::process::abort();
            }
        }
    });
}

#[test]
fn pipeline_survives_hostile_input() {
    let seeds = hostile_seeds();
    let budget = Duration::from_secs(env_u64("DOMAINCAT_FUZZ_SECONDS").unwrap_or(10));
    let replay = env_u64("DOMAINCAT_FUZZ_REPLAY");
    let first_seed = replay
        .or_else(|| env_u64("DOMAINCAT_FUZZ_SEED"))
        .unwrap_or(0x00D0_CA7F);

    let current_seed = Arc::new(AtomicU64::new(first_seed));
    let started_ms = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let clock = Instant::now();
    start_watchdog(
        clock,
        current_seed.clone(),
        started_ms.clone(),
        done.clone(),
    );

    let mut runs = 0u64;
    let mut largest_input = 0usize;
    let mut largest_peak = 0usize;
    let mut process_peak = 0usize;
    let mut slowest = Duration::ZERO;
    let mut seed = first_seed;
    let limit = per_input_limit();
    loop {
        let input = generate(seed, &seeds);
        current_seed.store(seed, Ordering::Relaxed);
        started_ms.store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
        let baseline = IN_USE.load(Ordering::Relaxed);
        PEAK.store(baseline, Ordering::Relaxed);
        let started = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| run_pipeline(&input)));
        let elapsed = started.elapsed();
        let peak_in_use = PEAK.load(Ordering::Relaxed);
        let peak = peak_in_use.saturating_sub(baseline);

        let failure = match outcome {
            Err(_) => Some("panicked".to_string()),
            Ok(Err(message)) => Some(format!("broke an invariant: {message}")),
            Ok(Ok(())) if elapsed > limit => Some(format!("took {elapsed:?}, limit {limit:?}")),
            Ok(Ok(())) if peak > memory_cap(input.bytes.len()) => Some(format!(
                "allocated {peak} bytes at peak, cap {}",
                memory_cap(input.bytes.len())
            )),
            Ok(Ok(())) => None,
        };
        if let Some(failure) = failure {
            done.store(true, Ordering::Relaxed);
            let path = save_failure(seed, &input);
            panic!(
                "input of seed {seed} ({} bytes) {failure}; saved to {}; \
                 replay with DOMAINCAT_FUZZ_REPLAY={seed}",
                input.bytes.len(),
                path.display()
            );
        }

        runs += 1;
        largest_input = largest_input.max(input.bytes.len());
        largest_peak = largest_peak.max(peak);
        process_peak = process_peak.max(peak_in_use);
        slowest = slowest.max(elapsed);
        seed = seed.wrapping_add(1);
        if replay.is_some() || clock.elapsed() >= budget {
            break;
        }
    }
    done.store(true, Ordering::Relaxed);
    println!(
        "fuzz: {runs} inputs in {:.1} s from seed {first_seed}; largest input {largest_input} \
         bytes; peak allocation of one input {:.1} MiB; slowest input {:.0} ms; \
         peak heap in use {:.1} MiB; peak resident size {}",
        clock.elapsed().as_secs_f64(),
        largest_peak as f64 / (1 << 20) as f64,
        slowest.as_secs_f64() * 1000.0,
        process_peak as f64 / (1 << 20) as f64,
        peak_resident_size(),
    );
    assert!(runs > 0, "no input ran");
}
