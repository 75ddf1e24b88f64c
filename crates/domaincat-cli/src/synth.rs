//! `domaincat synth`: writes a synthetic Iris export, so that benchmarks and tests can run
//! at any size without real data.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use domaincat_core::synth;

#[derive(Args)]
pub struct SynthArgs {
    /// Number of domain records to generate.
    pub count: usize,

    /// Seed of the generator; the same count and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Write the JSON array to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &SynthArgs) -> Result<()> {
    let export = synth::generate_json(args.count, args.seed);
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("failed to create {}", path.display()))?;
            write_json(BufWriter::new(file), &export)
                .with_context(|| format!("failed to write {}", path.display()))
        }
        None => write_json(io::stdout().lock(), &export).context("failed to write standard output"),
    }
}

fn write_json(mut out: impl Write, export: &[u8]) -> Result<()> {
    out.write_all(export)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}
