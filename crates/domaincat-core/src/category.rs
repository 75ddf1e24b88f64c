//! Pivot categories: the kinds of infrastructure value two domains can share.
//!
//! Names are the ones the original DomainCAT notebook uses, because analysts and exports
//! refer to them; the set of enabled categories is a small bit set.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of pivot value, such as a registrar or a name-server IP address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Adsense,
    GoogleAnalytics,
    CreateDate,
    RedirectDomain,
    Registrar,
    SslEmail,
    IpAddress,
    IpCountryCode,
    IpIsp,
    IpAsn,
    NsHost,
    NsDomain,
    NsIp,
    Tld,
    SslHash,
    SslSubject,
    SslOrg,
    MxHost,
    MxDomain,
    MxIp,
    LongestCommonSubstring,
}

impl Category {
    /// Every category, in the order records are read.
    pub const ALL: [Category; 21] = [
        Category::Adsense,
        Category::GoogleAnalytics,
        Category::CreateDate,
        Category::RedirectDomain,
        Category::Registrar,
        Category::SslEmail,
        Category::IpAddress,
        Category::IpCountryCode,
        Category::IpIsp,
        Category::IpAsn,
        Category::NsHost,
        Category::NsDomain,
        Category::NsIp,
        Category::Tld,
        Category::SslHash,
        Category::SslSubject,
        Category::SslOrg,
        Category::MxHost,
        Category::MxDomain,
        Category::MxIp,
        Category::LongestCommonSubstring,
    ];

    /// Stable snake_case name, as used in exports, settings and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Category::Adsense => "adsense",
            Category::GoogleAnalytics => "google_analytics",
            Category::CreateDate => "create_date",
            Category::RedirectDomain => "redirect_domain",
            Category::Registrar => "registrar",
            Category::SslEmail => "ssl_email",
            Category::IpAddress => "ip_address",
            Category::IpCountryCode => "ip_country_code",
            Category::IpIsp => "ip_isp",
            Category::IpAsn => "ip_asn",
            Category::NsHost => "ns_host",
            Category::NsDomain => "ns_domain",
            Category::NsIp => "ns_ip",
            Category::Tld => "tld",
            Category::SslHash => "ssl_hash",
            Category::SslSubject => "ssl_subject",
            Category::SslOrg => "ssl_org",
            Category::MxHost => "mx_host",
            Category::MxDomain => "mx_domain",
            Category::MxIp => "mx_ip",
            Category::LongestCommonSubstring => "longest_common_substring",
        }
    }

    /// Position of this category in [`Category::ALL`], also its bit in a [`CategorySet`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether values of this category carry an Iris count.
    pub fn has_count(self) -> bool {
        !matches!(self, Category::Tld | Category::LongestCommonSubstring)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for a category name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown pivot category `{0}` (expected one of: {names})", names = category_names())]
pub struct UnknownCategory(pub String);

fn category_names() -> String {
    Category::ALL.map(Category::name).join(", ")
}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

/// A set of categories, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CategorySet(u32);

impl CategorySet {
    /// The empty set.
    pub const fn empty() -> Self {
        CategorySet(0)
    }

    /// Every category.
    pub fn all() -> Self {
        Category::ALL.into_iter().collect()
    }

    /// The original notebook's default: everything except name-server and mail-server hosts,
    /// which are usually unique per domain and add noise rather than signal.
    pub fn default_enabled() -> Self {
        let mut set = Self::all();
        set.remove(Category::NsHost);
        set.remove(Category::MxHost);
        set
    }

    pub fn contains(self, category: Category) -> bool {
        self.0 & (1 << category.index()) != 0
    }

    pub fn insert(&mut self, category: Category) {
        self.0 |= 1 << category.index();
    }

    pub fn remove(&mut self, category: Category) {
        self.0 &= !(1 << category.index());
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Members in [`Category::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// Member names sorted alphabetically, the order exports list them in.
    pub fn sorted_names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.iter().map(Category::name).collect();
        names.sort_unstable();
        names
    }
}

impl FromIterator<Category> for CategorySet {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        let mut set = CategorySet::empty();
        for category in iter {
            set.insert(category);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for category in Category::ALL {
            assert_eq!(category.name().parse::<Category>(), Ok(category));
        }
    }

    #[test]
    fn unknown_name_lists_choices() {
        let err = "ns_hots".parse::<Category>().unwrap_err();
        assert!(err.to_string().contains("ns_hots"));
        assert!(err.to_string().contains("ns_host"));
    }

    #[test]
    fn default_set_skips_hosts() {
        let set = CategorySet::default_enabled();
        assert_eq!(set.len(), 19);
        assert!(!set.contains(Category::NsHost));
        assert!(!set.contains(Category::MxHost));
        assert!(set.contains(Category::LongestCommonSubstring));
    }
}
