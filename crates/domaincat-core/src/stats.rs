//! Pivot statistics: how much each category contributes to the graph.
//!
//! The table is the original notebook's, with its rounding (Python's `round(x, 2)`), so
//! that figures can be compared with it line by line.

use serde::Serialize;

use crate::category::Category;
use crate::scoring::Scoring;

/// One row of the pivot statistics table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatsRow {
    pub category: Category,
    /// Sum over the category's pivots of their domain counts.
    pub domains: u64,
    /// `domains` as a percentage of the graph's node count, rounded to 2 decimals.
    pub domains_pct: f64,
    /// Number of kept pivots.
    pub pivots: u64,
    /// `domains / pivots`, rounded to 2 decimals.
    pub avg_domains_per_pivot: f64,
    /// Sum over the category's pivots of n(n−1)/2.
    pub connections: u64,
    /// `connections` as a percentage of N(N−1)/2 for N graph nodes, rounded to 2 decimals.
    pub connections_pct: f64,
}

/// Computes one row per category with at least one kept pivot, in category creation
/// order.
pub fn pivot_stats(scoring: &Scoring) -> Vec<StatsRow> {
    let nodes = scoring.graph.node_count() as f64;
    let max_connections = nodes * (nodes - 1.0) / 2.0;
    let percent = |part: u64, whole: f64| {
        if whole > 0.0 {
            round2(100.0 * (part as f64 / whole))
        } else {
            0.0
        }
    };

    let mut rows = Vec::new();
    for &category in &scoring.categories {
        let (mut domains, mut pivots, mut connections) = (0u64, 0u64, 0u64);
        for pivot in scoring.pivots().filter(|p| p.category == category) {
            let n = pivot.domains.len() as u64;
            domains += n;
            pivots += 1;
            connections += n * n.saturating_sub(1) / 2;
        }
        if pivots == 0 {
            continue;
        }
        rows.push(StatsRow {
            category,
            domains,
            domains_pct: percent(domains, nodes),
            pivots,
            avg_domains_per_pivot: round2(domains as f64 / pivots as f64),
            connections,
            connections_pct: percent(connections, max_connections),
        });
    }
    rows
}

/// Rounds to 2 decimals as Python's `round(x, 2)` does: the exact binary value is
/// rounded to the nearest, ties to even.
pub fn round2(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Rust's fixed-precision formatting rounds the exact binary value, ties to even,
    // and parsing returns the nearest double, which is what Python returns.
    format!("{x:.2}").parse().unwrap_or(x)
}

/// Formats a float as Python's `repr` does for the values this table produces
/// (`28.0`, `46.57`, `0.0`).
pub fn python_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round2_matches_python() {
        // Values checked with CPython 3.11: round(x, 2).
        assert_eq!(round2(46.568_627_450_980_39), 46.57);
        assert_eq!(round2(0.125), 0.12);
        assert_eq!(round2(0.375), 0.38);
        assert_eq!(round2(2.675), 2.67);
        assert_eq!(round2(1.005), 1.0);
        assert_eq!(round2(0.0048), 0.0);
    }

    #[test]
    fn python_float_keeps_point_zero() {
        assert_eq!(python_float(28.0), "28.0");
        assert_eq!(python_float(0.0), "0.0");
        assert_eq!(python_float(46.57), "46.57");
    }
}
