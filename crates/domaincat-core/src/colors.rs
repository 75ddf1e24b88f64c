//! Risk colours: the original notebook's scale, shared by the page and exports.

/// Colour of a domain without a risk score (grey).
pub const UNKNOWN_RISK: [f32; 3] = [0.549, 0.573, 0.620];

/// Stops of the risk scale: score, then RGB in 0–1.
const STOPS: [(f64, [f32; 3]); 4] = [
    (0.0, [0.102, 0.596, 0.314]),   // green
    (50.0, [1.0, 0.867, 0.0]),      // yellow
    (70.0, [1.0, 0.549, 0.0]),      // orange
    (100.0, [0.843, 0.098, 0.110]), // red
];

/// Maps a risk score (0–100) to RGB in 0–1, linear between green at 0, yellow at 50,
/// orange at 70 and red at 100. Scores outside the range are clamped.
pub fn risk_color(score: Option<f64>) -> [f32; 3] {
    let Some(score) = score.filter(|s| s.is_finite()) else {
        return UNKNOWN_RISK;
    };
    let score = score.clamp(0.0, 100.0);
    for pair in STOPS.windows(2) {
        let ((lo, from), (hi, to)) = (pair[0], pair[1]);
        if score == hi {
            return to;
        }
        if score < hi {
            let t = ((score - lo) / (hi - lo)) as f32;
            return [0, 1, 2].map(|i| from[i] + (to[i] - from[i]) * t);
        }
    }
    STOPS[STOPS.len() - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_are_exact() {
        for (score, rgb) in STOPS {
            assert_eq!(risk_color(Some(score)), rgb);
        }
    }

    #[test]
    fn interpolates_and_clamps() {
        let mid = risk_color(Some(60.0));
        assert!((mid[1] - (0.867 + 0.549) / 2.0).abs() < 1e-6);
        assert_eq!(risk_color(Some(-5.0)), STOPS[0].1);
        assert_eq!(risk_color(Some(250.0)), STOPS[3].1);
        assert_eq!(risk_color(None), UNKNOWN_RISK);
        assert_eq!(risk_color(Some(f64::NAN)), UNKNOWN_RISK);
    }
}
