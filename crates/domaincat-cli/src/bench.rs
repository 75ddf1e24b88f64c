//! `domaincat bench`: times each scoring stage and the layout on the bundled sample, on
//! given exports and on synthetic exports of several sizes, and reports peak memory.
//!
//! Each input runs in a child process (this binary with the hidden `bench-run`
//! subcommand), because the kernel's peak resident set size (`VmHWM`) only grows within a
//! process: one process per input keeps a large input's peak out of the next one's
//! figure. The child resets the peak after parsing (writing `5` to
//! `/proc/self/clear_refs`), so the scoring peak excludes the parser's JSON tree but
//! includes the parsed records that scoring reads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use domaincat_core::iris::parse_export;
use domaincat_core::layout::LayoutSettings;
use domaincat_core::scoring::{build_graph, extract_pivots, trim_pivots};
use domaincat_core::settings::Settings;
use domaincat_core::synth;
use serde::{Deserialize, Serialize};

/// The export bundled with the core's tests, used when no file is given.
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../domaincat-core/tests/fixtures/dash_gov_dot_us.json"
);

#[derive(Args)]
pub struct BenchArgs {
    /// Iris exports to time besides the synthetic ones; the bundled sample when none is
    /// given.
    pub files: Vec<PathBuf>,

    /// Sizes of the synthetic exports, in records (comma-separated; empty for none).
    #[arg(long, value_delimiter = ',', default_value = "400,2000,10000,50000")]
    pub sizes: Vec<usize>,

    /// Seed of the synthetic exports.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Maximum number of layout iterations (the layout stops earlier once it settles).
    #[arg(long, default_value_t = LayoutSettings::default().max_iterations)]
    pub max_iterations: u32,

    /// Maximum number of attracting edges per node in the layout (0 for all).
    #[arg(long, default_value_t = LayoutSettings::default().max_edges_per_node)]
    pub max_edges_per_node: usize,

    /// Skip building the graph and the layout of an input with more edges than this: the
    /// graph stores 8 bytes per edge when edge values repeat, as in scored exports, and
    /// 20 bytes when they do not.
    #[arg(long, default_value_t = 30_000_000)]
    pub max_edges: usize,
}

/// One input for a child process, as `bench-run` reads it.
#[derive(Args, Clone)]
pub struct RunArgs {
    /// Export to read.
    #[arg(long, conflicts_with = "synthetic")]
    file: Option<PathBuf>,

    /// Number of synthetic records to generate instead of reading a file.
    #[arg(long)]
    synthetic: Option<usize>,

    #[arg(long, default_value_t = 1)]
    seed: u64,

    #[arg(long)]
    max_iterations: u32,

    #[arg(long)]
    max_edges_per_node: usize,

    #[arg(long)]
    max_edges: usize,
}

/// Wall-clock and on-CPU time of one stage, in seconds. On a loaded machine the wall
/// time includes waiting for a CPU, so the CPU time is the one to compare.
#[derive(Clone, Copy, Default, Serialize, Deserialize)]
struct Timing {
    wall: f64,
    /// `None` where `/proc/thread-self/schedstat` is missing (outside Linux).
    cpu: Option<f64>,
}

impl Timing {
    /// Returns the CPU time when known, otherwise the wall time.
    fn best(self) -> f64 {
        self.cpu.unwrap_or(self.wall)
    }

    fn add(self, other: Timing) -> Timing {
        Timing {
            wall: self.wall + other.wall,
            cpu: self.cpu.zip(other.cpu).map(|(a, b)| a + b),
        }
    }
}

/// Measures the time from its creation to [`Stopwatch::stop`].
struct Stopwatch {
    start: Instant,
    cpu_start: Option<f64>,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch {
            start: Instant::now(),
            cpu_start: thread_cpu_seconds(),
        }
    }

    fn stop(self) -> Timing {
        Timing {
            wall: self.start.elapsed().as_secs_f64(),
            cpu: thread_cpu_seconds()
                .zip(self.cpu_start)
                .map(|(end, start)| end - start),
        }
    }
}

/// Time this thread has run on a CPU, in seconds: the first field of
/// `/proc/thread-self/schedstat`, in nanoseconds (Linux).
fn thread_cpu_seconds() -> Option<f64> {
    let text = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds as f64 * 1e-9)
}

/// Timings and sizes of one input, sent from the child as one JSON line.
#[derive(Serialize, Deserialize)]
struct Measurement {
    input: String,
    records: usize,
    /// Size of the export in bytes.
    bytes: usize,
    generate: Option<Timing>,
    parse: Timing,
    extract: Timing,
    substrings: Timing,
    trim: Timing,
    /// `None` when the graph was skipped for having more than `--max-edges` edges.
    edges: Option<Timing>,
    layout: Option<Timing>,
    layout_iterations: u32,
    /// Edges the layout kept for attraction (see `LayoutSettings::max_edges_per_node`).
    layout_edges: usize,
    nodes: usize,
    edge_count: usize,
    pivots: usize,
    /// Peak resident set size up to the end of parsing, in bytes.
    parse_peak: Option<u64>,
    /// Resident set size once parsing is done and its input is dropped, in bytes: the
    /// records, and heap pages of the JSON tree that the allocator kept.
    parsed_resident: Option<u64>,
    /// Peak resident set size from the end of parsing to the end of the layout, in bytes.
    score_peak: Option<u64>,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let exe = std::env::current_exe().context("failed to locate the domaincat binary")?;
    let mut inputs: Vec<Vec<String>> = Vec::new();
    let files = if args.files.is_empty() {
        vec![PathBuf::from(SAMPLE)]
    } else {
        args.files.clone()
    };
    for file in &files {
        inputs.push(vec!["--file".into(), file.display().to_string()]);
    }
    for &size in &args.sizes {
        inputs.push(vec![
            "--synthetic".into(),
            size.to_string(),
            "--seed".into(),
            args.seed.to_string(),
        ]);
    }

    println!(
        "CPU time per stage (wall time where the CPU time is unknown); the last time \
         column is the wall time of scoring and layout together."
    );
    println!();
    println!(
        "| input | records | nodes | edges | parse | extract | substrings | trim | edges | \
         layout (iterations, edges) | score + layout | wall | peak parse | \
         after parse | peak score + layout |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for input in inputs {
        let output = Command::new(&exe)
            .arg("bench-run")
            .args(&input)
            .args(["--max-iterations", &args.max_iterations.to_string()])
            .args(["--max-edges-per-node", &args.max_edges_per_node.to_string()])
            .args(["--max-edges", &args.max_edges.to_string()])
            .output()
            .with_context(|| format!("failed to run {}", exe.display()))?;
        if !output.status.success() {
            bail!(
                "benchmark of {} failed ({}): {}",
                input.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let m: Measurement = serde_json::from_slice(&output.stdout)
            .context("benchmark child wrote an invalid measurement")?;
        let scoring = m.extract.add(m.substrings).add(m.trim);
        let (edges, layout, total, wall) = match (m.edges, m.layout) {
            (Some(edges), Some(layout)) => {
                let total = scoring.add(edges).add(layout);
                (
                    seconds(edges.best()),
                    format!(
                        "{} ({}, {})",
                        seconds(layout.best()),
                        m.layout_iterations,
                        m.layout_edges
                    ),
                    seconds(total.best()),
                    seconds(total.wall),
                )
            }
            _ => {
                let skipped = "skipped".to_string();
                (skipped.clone(), skipped.clone(), skipped.clone(), skipped)
            }
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            m.input,
            m.records,
            m.nodes,
            m.edge_count,
            seconds(m.parse.best()),
            seconds(m.extract.best()),
            seconds(m.substrings.best()),
            seconds(m.trim.best()),
            edges,
            layout,
            total,
            wall,
            megabytes(m.parse_peak),
            megabytes(m.parsed_resident),
            megabytes(m.score_peak),
        );
    }
    Ok(())
}

fn seconds(s: f64) -> String {
    if s < 0.1 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn megabytes(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) => format!("{:.0} MB", b as f64 / 1e6),
        None => "n/a".into(),
    }
}

/// Runs one input in this process and writes its [`Measurement`] to standard output.
pub fn run_child(args: &RunArgs) -> Result<()> {
    let (input, bytes, generate) = match (&args.file, args.synthetic) {
        (Some(path), _) => {
            let bytes =
                fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
            (display_name(path), bytes, None)
        }
        (None, Some(count)) => {
            let stopwatch = Stopwatch::start();
            let bytes = synth::generate_json(count, args.seed);
            let elapsed = stopwatch.stop();
            (
                format!("synthetic {count} (seed {})", args.seed),
                bytes,
                Some(elapsed),
            )
        }
        (None, None) => bail!("bench-run needs --file or --synthetic"),
    };
    let byte_count = bytes.len();

    let stopwatch = Stopwatch::start();
    let export = parse_export(&bytes).with_context(|| format!("failed to parse {input}"))?;
    let parse = stopwatch.stop();
    drop(bytes);
    let parse_peak = peak_resident_bytes();
    let score_baseline = reset_peak().then(current_resident_bytes).flatten();

    let settings = Settings::default();
    let stopwatch = Stopwatch::start();
    let mut pivots = extract_pivots(&export.records, &settings).context("invalid settings")?;
    let extract = stopwatch.stop();

    let stopwatch = Stopwatch::start();
    if settings.substrings_enabled() {
        pivots.add_substring_pivots();
    }
    let substrings = stopwatch.stop();
    let pivot_count = pivots.pivot_count();

    let stopwatch = Stopwatch::start();
    let trimmed = trim_pivots(pivots);
    let trim = stopwatch.stop();

    // Counting is not part of any timed stage; it only decides whether the graph fits.
    let edge_count = trimmed.edge_count();
    let nodes = trimmed.domain_count() - trimmed.trimmed_count();
    let graph = (edge_count <= args.max_edges).then(|| {
        let stopwatch = Stopwatch::start();
        let scoring = build_graph(trimmed);
        let edges = stopwatch.stop();

        let stopwatch = Stopwatch::start();
        let layout_settings = LayoutSettings {
            max_iterations: args.max_iterations,
            max_edges_per_node: args.max_edges_per_node,
            ..LayoutSettings::default()
        };
        let layout = crate::layout::run(&scoring, layout_settings);
        GraphStages {
            edges,
            layout: stopwatch.stop(),
            layout_iterations: layout.iteration(),
            layout_edges: layout.edge_count(),
        }
    });
    let score_peak = score_baseline.and_then(|_| peak_resident_bytes());

    let measurement = Measurement {
        input,
        records: export.total_records,
        bytes: byte_count,
        generate,
        parse,
        extract,
        substrings,
        trim,
        edges: graph.as_ref().map(|stages| stages.edges),
        layout: graph.as_ref().map(|stages| stages.layout),
        layout_iterations: graph.as_ref().map_or(0, |stages| stages.layout_iterations),
        layout_edges: graph.as_ref().map_or(0, |stages| stages.layout_edges),
        nodes,
        edge_count,
        pivots: pivot_count,
        parse_peak,
        parsed_resident: score_baseline,
        score_peak,
    };
    println!("{}", serde_json::to_string(&measurement)?);
    Ok(())
}

/// Timings of the stages that need the graph.
struct GraphStages {
    edges: Timing,
    layout: Timing,
    layout_iterations: u32,
    layout_edges: usize,
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `VmHWM` from `/proc/self/status`: the peak resident set size in bytes, on Linux.
fn peak_resident_bytes() -> Option<u64> {
    status_field("VmHWM:")
}

/// `VmRSS` from `/proc/self/status`: the current resident set size in bytes, on Linux.
fn current_resident_bytes() -> Option<u64> {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(name))?;
    let kilobytes: u64 = line[name.len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes * 1024)
}

/// Resets the kernel's peak resident set size of this process to the current one
/// (Linux 4.0 and later); returns whether that worked.
fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}
