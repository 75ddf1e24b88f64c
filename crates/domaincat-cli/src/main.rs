//! `domaincat`: scores Iris Investigate exports from the command line, for batch use,
//! checks against the original notebook, and benchmarks.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use domaincat_core::category::{Category, CategorySet};
use domaincat_core::edges::{edge_details, node_of_domain};
use domaincat_core::export::GraphReport;
use domaincat_core::infra::{
    build_infra_graph, InfraSettings, DEFAULT_EDGE_THRESHOLD, DEFAULT_PIVOT_THRESHOLD,
};
use domaincat_core::iris::parse_export;
use domaincat_core::iris::{normalize_domain, Export};
use domaincat_core::layout::{Dimensions, LayoutSettings};
use domaincat_core::scoring::score;
use domaincat_core::scoring::{DomainId, Scoring};
use domaincat_core::selection::{shared_pivots, DEFAULT_MIN_DOMAINS};
use domaincat_core::settings::Settings;

mod bench;
mod layout;
mod synth;

#[derive(Parser)]
#[command(
    name = "domaincat",
    version,
    about = "Score Iris Investigate exports into domain graphs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score an export and write the graph report as JSON to standard output.
    Graph(GraphArgs),
    /// List the pivots that several selected domains share, as two heat maps and a
    /// table, in JSON.
    Selection(SelectionArgs),
    /// List the pivots behind the edge between two domains and the weight each adds, in
    /// JSON.
    Edge(EdgeArgs),
    /// Build the infrastructure graph, whose nodes are pivot values, and write it as JSON.
    Infra(InfraArgs),
    /// Write a synthetic Iris export (a JSON array of records) for tests and benchmarks.
    Synth(synth::SynthArgs),
    /// Time each scoring stage and the layout on the bundled sample and on synthetic
    /// exports, with peak memory, as a Markdown table.
    Bench(bench::BenchArgs),
    /// Benchmark one input in this process (run by `bench` in a child process).
    #[command(hide = true)]
    BenchRun(bench::RunArgs),
}

#[derive(Args)]
struct GraphArgs {
    /// Iris export: a JSON array of records or an API response; `-` reads standard input.
    file: PathBuf,

    #[command(flatten)]
    settings: SettingsArgs,

    /// Add each node's position from a force layout to the report.
    #[arg(long, value_enum)]
    layout: Option<LayoutDims>,

    /// Seed of the layout's initial positions.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Write compact JSON instead of indented JSON.
    #[arg(long)]
    compact: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutDims {
    #[value(name = "2d")]
    Two,
    #[value(name = "3d")]
    Three,
}

/// One flag per scoring setting; defaults are the original notebook's.
#[derive(Args)]
struct SettingsArgs {
    /// Also score records whose `active` is false.
    #[arg(long)]
    include_inactive: bool,

    /// Minimum length in characters of a shared name substring that counts as a pivot
    /// (0 turns substring pivots off).
    #[arg(long, default_value_t = 6, value_name = "CHARS")]
    substring_length: usize,

    /// Remove this text from names before substring matching (repeatable). Values may
    /// start with a hyphen, as in `--ignore-substring -gov`.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    ignore_substring: Vec<String>,

    /// Give every pivot weight 1 instead of weighting by rarity.
    #[arg(long)]
    no_scale: bool,

    /// Ignore values whose Iris count is at least this (creation dates exempt).
    #[arg(long, value_name = "COUNT")]
    count_threshold: Option<u64>,

    /// Minimum number of domains a pivot must join.
    #[arg(long, default_value_t = 2, value_name = "DOMAINS")]
    min_pivot_size: usize,

    /// The "size of the internet" in the rarity formula.
    #[arg(long, default_value_t = 100_000_000, value_name = "DOMAINS")]
    max_domains: u64,

    /// Comma-separated categories to use, replacing the default set.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    categories: Option<Vec<Category>>,

    /// Add these categories to the set in use (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    enable: Vec<Category>,

    /// Remove these categories from the set in use (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    disable: Vec<Category>,
}

impl SettingsArgs {
    fn to_settings(&self) -> Settings {
        let mut categories = match &self.categories {
            Some(list) => list.iter().copied().collect(),
            None => CategorySet::default_enabled(),
        };
        for &category in &self.enable {
            categories.insert(category);
        }
        for &category in &self.disable {
            categories.remove(category);
        }
        Settings {
            active_domains_only: !self.include_inactive,
            longest_common_substring: self.substring_length,
            ignore_substrings: self.ignore_substring.clone(),
            scale_edge_strength_by_pivot_count: !self.no_scale,
            global_count_threshold: self.count_threshold,
            min_pivot_size: self.min_pivot_size,
            max_domains: self.max_domains,
            categories,
        }
    }
}

#[derive(Args)]
struct SelectionArgs {
    /// Iris export: a JSON array of records or an API response; `-` reads standard input.
    file: PathBuf,

    /// Comma-separated names of the selected domains.
    #[arg(long, value_delimiter = ',', required = true, value_name = "LIST")]
    domains: Vec<String>,

    /// Minimum number of selected domains a pivot must join to be listed.
    #[arg(long, default_value_t = DEFAULT_MIN_DOMAINS, value_name = "DOMAINS")]
    min_domains: usize,

    #[command(flatten)]
    settings: SettingsArgs,

    /// Write compact JSON instead of indented JSON.
    #[arg(long)]
    compact: bool,
}

#[derive(Args)]
struct EdgeArgs {
    /// Iris export: a JSON array of records or an API response; `-` reads standard input.
    file: PathBuf,

    /// Name of the first domain.
    a: String,

    /// Name of the second domain.
    b: String,

    #[command(flatten)]
    settings: SettingsArgs,

    /// Write compact JSON instead of indented JSON.
    #[arg(long)]
    compact: bool,
}

#[derive(Args)]
struct InfraArgs {
    /// Iris export: a JSON array of records or an API response; `-` reads standard input.
    file: PathBuf,

    /// A value is a pivot only when its Iris count is above 1 and below this.
    #[arg(long, default_value_t = DEFAULT_PIVOT_THRESHOLD, value_name = "COUNT")]
    pivot_threshold: u64,

    /// Join two pivots only when more than this many domains carry both.
    #[arg(long, default_value_t = DEFAULT_EDGE_THRESHOLD, value_name = "DOMAINS")]
    edge_threshold: usize,

    /// Leave out pivots with this name, such as "IP COUNTRY CODE" or ip_country_code.
    /// Repeatable. Case, and `_` versus space, do not matter.
    #[arg(long, value_name = "NAME")]
    exclude: Vec<String>,

    /// Also use records whose `active` is false.
    #[arg(long)]
    include_inactive: bool,

    /// Write compact JSON instead of indented JSON.
    #[arg(long)]
    compact: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Graph(args) => run_graph(&args),
        Command::Selection(args) => run_selection(&args),
        Command::Edge(args) => run_edge(&args),
        Command::Infra(args) => run_infra(&args),
        Command::Synth(args) => synth::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchRun(args) => bench::run_child(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("domaincat: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .context("failed to read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))
}

fn run_graph(args: &GraphArgs) -> Result<()> {
    let settings = args.settings.to_settings();
    let export = load_export(&args.file)?;
    let scoring = score(&export.records, &settings).context("invalid settings")?;
    drop(export);
    let positions = args.layout.map(|dims| {
        let dimensions = match dims {
            LayoutDims::Two => Dimensions::Two,
            LayoutDims::Three => Dimensions::Three,
        };
        let layout_settings = LayoutSettings {
            dimensions,
            seed: args.seed,
            ..LayoutSettings::default()
        };
        let layout = layout::run(&scoring, layout_settings);
        (layout.positions().to_vec(), dimensions.count())
    });

    let report = GraphReport::new(
        &scoring,
        positions
            .as_ref()
            .map(|(flat, dims)| (flat.as_slice(), *dims)),
    );
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    report.write(&mut stdout, args.compact)?;
    writeln!(stdout)?;
    stdout.flush()?;
    Ok(())
}

/// Reads and parses an export, printing its record problems to standard error. Fails
/// when no record can be used.
fn load_export(path: &PathBuf) -> Result<Export> {
    let bytes = read_input(path)?;
    let export = parse_export(&bytes).with_context(|| format!("{}", path.display()))?;
    drop(bytes);
    let mut stderr = io::stderr().lock();
    for problem in &export.problems {
        writeln!(stderr, "domaincat: warning: {problem}")?;
    }
    let skipped = export.skipped_records().count();
    if skipped > 0 {
        writeln!(
            stderr,
            "domaincat: {skipped} of {} records skipped",
            export.total_records
        )?;
    }
    if export.records.is_empty() {
        let input = if path.as_os_str() == "-" {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        bail!(
            "{input} contains no usable Iris records ({} entries); nothing to score",
            export.total_records
        );
    }
    Ok(export)
}

/// Writes one JSON document and a newline to standard output.
fn write_json(value: &serde_json::Value, compact: bool) -> Result<()> {
    let mut stdout = io::stdout().lock();
    if compact {
        serde_json::to_writer(&mut stdout, value)?;
    } else {
        serde_json::to_writer_pretty(&mut stdout, value)?;
    }
    writeln!(stdout)?;
    Ok(())
}

/// Finds the scored domain of each name, or fails naming every name that is not scored
/// and why.
fn domain_ids(scoring: &Scoring, names: &[String]) -> Result<Vec<DomainId>> {
    let ids: HashMap<&str, DomainId> = scoring
        .domains
        .iter()
        .enumerate()
        .map(|(id, domain)| (domain.name.as_str(), id as DomainId))
        .collect();
    let mut found = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for name in names {
        let name = normalize_domain(name);
        match ids.get(name.as_str()) {
            Some(&id) => found.push(id),
            None if scoring.inactive.contains(&name) => missing.push(format!(
                "{name} (inactive; add --include-inactive to score it)"
            )),
            None => missing.push(format!("{name} (not found in the export)")),
        }
    }
    if !missing.is_empty() {
        bail!("unknown domain: {}", missing.join(", "));
    }
    Ok(found)
}

fn run_selection(args: &SelectionArgs) -> Result<()> {
    let settings = args.settings.to_settings();
    let export = load_export(&args.file)?;
    let scoring = score(&export.records, &settings).context("invalid settings")?;
    let selected = domain_ids(&scoring, &args.domains)?;
    let shared = shared_pivots(&scoring, &selected, args.min_domains)?;
    write_json(&serde_json::to_value(&shared)?, args.compact)
}

fn run_edge(args: &EdgeArgs) -> Result<()> {
    let settings = args.settings.to_settings();
    let export = load_export(&args.file)?;
    let scoring = score(&export.records, &settings).context("invalid settings")?;
    let ids = domain_ids(&scoring, &[args.a.clone(), args.b.clone()])?;
    let mut nodes = Vec::with_capacity(2);
    for id in ids {
        let node = node_of_domain(&scoring, id).with_context(|| {
            let domain = &scoring.domains[id as usize].name;
            match scoring.trimmed.iter().find(|(trimmed, _)| *trimmed == id) {
                Some((_, reason)) => format!(
                    "{domain} is not in the graph: it was trimmed because it {}",
                    reason.describe()
                ),
                None => format!("{domain} is not in the graph"),
            }
        })?;
        nodes.push(node);
    }
    let details = edge_details(&scoring, nodes[0], nodes[1])?;
    write_json(&serde_json::to_value(&details)?, args.compact)
}

fn run_infra(args: &InfraArgs) -> Result<()> {
    let settings = InfraSettings {
        active_domains_only: !args.include_inactive,
        pivot_threshold: args.pivot_threshold,
        edge_threshold: args.edge_threshold,
        exclude: args.exclude.clone(),
    };
    let export = load_export(&args.file)?;
    let graph = build_infra_graph(&export.records, &settings);
    write_json(&serde_json::to_value(&graph)?, args.compact)
}
