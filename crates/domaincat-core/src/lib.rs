//! DomainCAT scoring core: Iris Investigate records to a weighted graph of domains that
//! share infrastructure, with the statistics and layout that the page and CLI show.
//!
//! Plain Rust with no browser types, so the page (through WebAssembly), the CLI and the
//! tests use the same code.
//!
//! ```
//! use domaincat_core::{iris, scoring, settings::Settings};
//!
//! let text = br#"[
//!   {"domain": "a.com", "registrar": {"value": "R", "count": 40}},
//!   {"domain": "b.com", "registrar": {"value": "R", "count": 40}},
//!   {"domain": "c.com"}
//! ]"#;
//! let export = iris::parse_export(text).unwrap();
//! let scoring = scoring::score(&export.records, &Settings::default()).unwrap();
//! assert_eq!(scoring.graph.node_count(), 2);
//! assert_eq!(scoring.graph.edge_count(), 1);
//! ```

pub mod category;
pub mod colors;
pub mod domain_list;
pub mod domain_name;
pub mod edges;
pub mod export;
pub mod graph;
pub mod infra;
pub mod iris;
pub mod iris_api;
pub mod layout;
mod rng;

pub mod scoring;
pub mod selection;
pub mod settings;
pub mod stats;
pub mod substrings;
pub mod synth;
