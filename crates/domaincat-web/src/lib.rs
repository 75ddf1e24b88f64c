//! DomainCAT in the browser: the page (DOM, input, WebGL2 drawing) and the Web Worker
//! that scores exports and lays them out with `domaincat-core`.
//!
//! This crate is glue: every scoring rule lives in the core crate.

pub mod app;
pub mod input;
pub mod logger;
pub mod panels;
pub mod protocol;
pub mod query;
pub mod render;
pub mod shapes;
pub mod ui;
pub mod worker;
