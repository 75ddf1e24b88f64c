//! Scoring settings, with the original DomainCAT notebook's defaults.

use serde::{Deserialize, Serialize};

use crate::category::{Category, CategorySet};

/// Settings that decide which pivots count and how much.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Skip records whose `active` is exactly `false`.
    pub active_domains_only: bool,
    /// Minimum length, in characters, of a shared name substring that counts as a pivot;
    /// 0 turns substring pivots off.
    pub longest_common_substring: usize,
    /// Substrings removed from names before substring matching, such as `-gov`.
    pub ignore_substrings: Vec<String>,
    /// Weigh pivots by rarity; when false every pivot weighs 1.
    pub scale_edge_strength_by_pivot_count: bool,
    /// Ignore values whose Iris count is at least this (creation dates exempt);
    /// `None` for no limit.
    pub global_count_threshold: Option<u64>,
    /// A pivot must join at least this many domains of the set.
    pub min_pivot_size: usize,
    /// The "size of the internet" in the rarity formula.
    pub max_domains: u64,
    /// Categories whose values are used.
    #[serde(with = "category_names")]
    pub categories: CategorySet,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            active_domains_only: true,
            longest_common_substring: 6,
            ignore_substrings: Vec::new(),
            scale_edge_strength_by_pivot_count: true,
            global_count_threshold: None,
            min_pivot_size: 2,
            max_domains: 100_000_000,
            categories: CategorySet::default_enabled(),
        }
    }
}

/// A setting outside the range scoring can use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("min_pivot_size must be at least 1, got {0}")]
    MinPivotSize(usize),
    #[error("max_domains must be at least 1, got {0}")]
    MaxDomains(u64),
    #[error("global_count_threshold must be at least 1, got 0")]
    CountThreshold,
}

impl Settings {
    /// Checks that every setting is in range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.min_pivot_size == 0 {
            return Err(SettingsError::MinPivotSize(self.min_pivot_size));
        }
        if self.max_domains == 0 {
            return Err(SettingsError::MaxDomains(self.max_domains));
        }
        if self.global_count_threshold == Some(0) {
            return Err(SettingsError::CountThreshold);
        }
        Ok(())
    }

    /// Whether naming pivots are computed at all.
    pub fn substrings_enabled(&self) -> bool {
        self.longest_common_substring > 0
            && self.categories.contains(Category::LongestCommonSubstring)
    }

    /// Weight of a pivot with the given Iris count: 0.5 without a count, otherwise
    /// `1 − ln(1 + count) / ln(1 + max_domains)`; 1 for every pivot when scaling is off.
    /// Zero or negative for values as common as `max_domains` or more.
    pub fn pivot_weight(&self, count: Option<u64>) -> f64 {
        if !self.scale_edge_strength_by_pivot_count {
            return 1.0;
        }
        match count {
            None => 0.5,
            Some(count) => 1.0 - (1.0 + count as f64).ln() / (1.0 + self.max_domains as f64).ln(),
        }
    }

    /// Whether a value with this count passes the global count threshold.
    pub fn passes_threshold(&self, category: Category, count: Option<u64>) -> bool {
        match (self.global_count_threshold, count) {
            (Some(threshold), Some(count)) => count < threshold || category == Category::CreateDate,
            _ => true,
        }
    }
}

mod category_names {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::category::{Category, CategorySet};

    pub fn serialize<S: Serializer>(set: &CategorySet, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(set.sorted_names())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<CategorySet, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        names
            .iter()
            .map(|name| name.parse::<Category>().map_err(D::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_formula() {
        let settings = Settings::default();
        assert_eq!(settings.pivot_weight(None), 0.5);
        let expected = 1.0 - (1.0f64 + 9367893.0).ln() / (1.0f64 + 1e8).ln();
        assert!((settings.pivot_weight(Some(9_367_893)) - expected).abs() < 1e-15);
        assert!(settings.pivot_weight(Some(100_000_000)) <= 0.0);
        assert!(settings.pivot_weight(Some(1)) > 0.96);
    }

    #[test]
    fn unscaled_weight_is_one() {
        let settings = Settings {
            scale_edge_strength_by_pivot_count: false,
            ..Settings::default()
        };
        assert_eq!(settings.pivot_weight(None), 1.0);
        assert_eq!(settings.pivot_weight(Some(10)), 1.0);
    }

    #[test]
    fn threshold_exempts_create_date() {
        let settings = Settings {
            global_count_threshold: Some(100),
            ..Settings::default()
        };
        assert!(settings.passes_threshold(Category::Registrar, Some(99)));
        assert!(!settings.passes_threshold(Category::Registrar, Some(100)));
        assert!(settings.passes_threshold(Category::CreateDate, Some(1_000_000)));
        assert!(settings.passes_threshold(Category::Tld, None));
    }

    #[test]
    fn validation_rejects_zeroes() {
        let bad = Settings {
            min_pivot_size: 0,
            ..Settings::default()
        };
        assert_eq!(bad.validate(), Err(SettingsError::MinPivotSize(0)));
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn settings_round_trip_json() {
        let settings = Settings {
            ignore_substrings: vec!["-gov".into()],
            ..Settings::default()
        };
        let text = serde_json::to_string(&settings).expect("settings serialize");
        let back: Settings = serde_json::from_str(&text).expect("settings deserialize");
        assert_eq!(back, settings);
    }
}
