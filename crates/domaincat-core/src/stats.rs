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

/// Formats a float as Python's `repr` and `str` do: the shortest digits that round-trip,
/// in exponent notation when the decimal exponent is below −4 or at least 16 (`1e+16`,
/// `1.5e-05`), otherwise positional with `.0` on whole values (`28.0`, `46.57`).
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // Rust's `{:e}` prints the same shortest round-trip digits as Python's repr, as
    // `d.ddde[-]x` with the decimal exponent x.
    let scientific = format!("{x:e}");
    if let Some((mantissa, exponent)) = scientific.split_once('e') {
        if let Ok(exponent) = exponent.parse::<i32>() {
            if x != 0.0 && !(-4..16).contains(&exponent) {
                let sign = if exponent < 0 { '-' } else { '+' };
                return format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs());
            }
        }
    }
    if x.fract() == 0.0 {
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

    #[test]
    fn python_float_switches_to_exponent_like_python() {
        // Expected strings are CPython 3.11's repr() of the same floats.
        let cases = [
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (-1e16, "-1e+16"),
            (9_999_999_999_999_998.0, "9999999999999998.0"),
            (1e15, "1000000000000000.0"),
            (123_456_789_012_345_680.0, "1.2345678901234568e+17"),
            (1e100, "1e+100"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_float(value), expected, "repr of {value:e}");
        }
    }
}
