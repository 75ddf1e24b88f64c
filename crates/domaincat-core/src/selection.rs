//! Shared pivots of a selection: a set of selected domains to the heat maps and the table
//! that show which infrastructure values several of them have in common.
//!
//! An analyst who selects a cluster in the graph wants to see what ties it together.
//! Every extracted pivot counts here, trimmed or not: a value that every domain of the export
//! shares is trimmed from the graph, but it is still a fact about the selection. Only
//! values that at least `min_domains` selected domains carry are listed, so that a value
//! seen on one or two domains does not crowd the view.

use serde::Serialize;

use crate::category::Category;
use crate::scoring::{DomainId, Scoring};

/// Default minimum number of selected domains a pivot must join to be listed, as in the
/// original notebook.
pub const DEFAULT_MIN_DOMAINS: usize = 3;

/// A selection that cannot be summarised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("domain id {id} is out of range: the scoring has {domains} domains")]
    UnknownDomain { id: DomainId, domains: usize },
    #[error("min_domains must be at least 1, got 0")]
    MinDomains,
}

/// One selected domain, a column of both heat maps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelectedDomain {
    /// Index into [`Scoring::domains`].
    pub id: DomainId,
    pub name: String,
    /// Risk score, 0–100, when Iris gave one.
    pub risk_score: Option<f64>,
}

/// A row of the category heat map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryRow {
    pub category: Category,
    /// Per column, the number of listed pivots of this category that the domain carries.
    pub cells: Vec<u32>,
    /// Sum of `cells`.
    pub total: u64,
    /// Indices into [`Scoring::all_pivots`] of the listed pivots of this category, in
    /// pivot order.
    pub pivots: Vec<usize>,
}

/// A row of the value heat map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueRow {
    /// Index into [`Scoring::all_pivots`]. That pivot's `domains` are every domain of the
    /// scoring that carries the value, selected or not.
    pub pivot: usize,
    pub category: Category,
    pub value: String,
    /// `category: value`, the row label.
    pub label: String,
    /// Per column, 1 when the domain carries the value, otherwise 0.
    pub cells: Vec<u8>,
    /// Number of selected domains that carry the value (the sum of `cells`).
    pub total: u64,
}

/// A row of the shared-pivot table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableRow {
    /// Index into [`Scoring::all_pivots`].
    pub pivot: usize,
    pub category: Category,
    pub value: String,
    /// Iris count of the value when the pivot was created, if it has one.
    pub count: Option<u64>,
    /// Number of selected domains that carry the value.
    pub domains: u64,
}

/// The pivots that a selection of domains has in common.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedPivots {
    /// Minimum number of selected domains a pivot joins to be listed.
    pub min_domains: usize,
    /// Columns of both heat maps: the selected domains without repeats, longest name
    /// first, then alphabetically. This is the order the page lists a selection in.
    pub columns: Vec<SelectedDomain>,
    /// Heat map by category: categories with at least one listed pivot, largest total
    /// first, ties in category creation order.
    pub categories: Vec<CategoryRow>,
    /// Heat map by value: one row per listed pivot, largest total first, ties in
    /// [`Scoring::all_pivots`] order.
    pub values: Vec<ValueRow>,
    /// The listed pivots with the number of selected domains carrying each, in the order
    /// of `values`.
    pub table: Vec<TableRow>,
}

/// Lists the pivots that at least `min_domains` of the `selected` domains carry, as two
/// heat maps and a table.
///
/// Every pivot of [`Scoring::all_pivots`] counts, trimmed or not. Those are the values of
/// the enabled categories below the count threshold, substring pivots included. Repeated ids in `selected` count
/// once.
///
/// Complexity: O(D + M + S log S + R·S) time for D domains in the scoring, M pivot
/// memberships (the sum of `domains.len()` over `all_pivots`), S selected domains and R
/// listed pivots. Memory is O(D + R·S).
///
/// # Errors
/// [`SelectionError::UnknownDomain`] for an id outside [`Scoring::domains`], and
/// [`SelectionError::MinDomains`] when `min_domains` is 0.
pub fn shared_pivots(
    scoring: &Scoring,
    selected: &[DomainId],
    min_domains: usize,
) -> Result<SharedPivots, SelectionError> {
    if min_domains == 0 {
        return Err(SelectionError::MinDomains);
    }
    let columns = selection_columns(scoring, selected)?;

    // Column of each selected domain, so membership tests cost O(1) per pivot member.
    let mut column_of: Vec<Option<u32>> = vec![None; scoring.domains.len()];
    for (column, domain) in columns.iter().enumerate() {
        column_of[domain.id as usize] = Some(column as u32);
    }

    let mut values = Vec::new();
    let mut carriers: Vec<u32> = Vec::new();
    for (index, pivot) in scoring.all_pivots.iter().enumerate() {
        carriers.clear();
        carriers.extend(pivot.domains.iter().filter_map(|&d| column_of[d as usize]));
        if carriers.len() < min_domains {
            continue;
        }
        // NOTE: the original notebook lists a value once per occurrence in a domain's
        // record (two IPs in one country count twice), so its cells can exceed 1 and a
        // value seen twice on one of two domains passes the minimum. Here a domain counts
        // once per value, which makes every cell 0 or 1.
        let mut cells = vec![0u8; columns.len()];
        for &column in &carriers {
            cells[column as usize] = 1;
        }
        values.push(ValueRow {
            pivot: index,
            category: pivot.category,
            value: pivot.value.clone(),
            label: format!("{}: {}", pivot.category.name(), pivot.value),
            cells,
            total: carriers.len() as u64,
        });
    }

    let categories = category_rows(scoring, &values, columns.len());

    // NOTE: the original sorts with pandas' default, unstable sort on row labels that
    // were first sorted alphabetically, so its ties have no defined order. Stable sorts
    // keep ties in category and pivot order here.
    values.sort_by_key(|row| std::cmp::Reverse(row.total));
    let table = values
        .iter()
        .map(|row| TableRow {
            pivot: row.pivot,
            category: row.category,
            value: row.value.clone(),
            count: scoring.all_pivots[row.pivot].count,
            domains: row.total,
        })
        .collect();

    Ok(SharedPivots {
        min_domains,
        columns,
        categories,
        values,
        table,
    })
}

/// Checks the selected ids and orders them as the page lists a selection: longest name
/// first (in characters), then alphabetically.
///
/// NOTE: the original notebook's heat maps order their columns alphabetically and drop
/// domains that carry no listed pivot. Here every selected domain is a column, in the
/// order of the selection list beside the heat maps.
fn selection_columns(
    scoring: &Scoring,
    selected: &[DomainId],
) -> Result<Vec<SelectedDomain>, SelectionError> {
    let mut ids = selected.to_vec();
    if let Some(&id) = ids.iter().find(|&&id| id as usize >= scoring.domains.len()) {
        return Err(SelectionError::UnknownDomain {
            id,
            domains: scoring.domains.len(),
        });
    }
    ids.sort_unstable();
    ids.dedup();

    let mut columns: Vec<SelectedDomain> = ids
        .into_iter()
        .map(|id| {
            let domain = &scoring.domains[id as usize];
            SelectedDomain {
                id,
                name: domain.name.clone(),
                risk_score: domain.risk_score,
            }
        })
        .collect();
    // Rust orders `str` by code point, as Python orders `str`.
    columns.sort_by(|a, b| {
        let (len_a, len_b) = (a.name.chars().count(), b.name.chars().count());
        len_b.cmp(&len_a).then_with(|| a.name.cmp(&b.name))
    });
    Ok(columns)
}

/// Sums the value rows of each category, in category creation order, then sorts by
/// total, largest first. The stable sort keeps ties in creation order.
fn category_rows(scoring: &Scoring, values: &[ValueRow], columns: usize) -> Vec<CategoryRow> {
    let mut rows: Vec<CategoryRow> = Vec::new();
    for &category in &scoring.categories {
        let mut row = CategoryRow {
            category,
            cells: vec![0; columns],
            total: 0,
            pivots: Vec::new(),
        };
        for value in values.iter().filter(|v| v.category == category) {
            for (cell, &carried) in row.cells.iter_mut().zip(&value.cells) {
                *cell += u32::from(carried);
            }
            row.total += value.total;
            row.pivots.push(value.pivot);
        }
        if !row.pivots.is_empty() {
            rows.push(row);
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.total));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::parse_export;
    use crate::scoring::score;
    use crate::settings::Settings;

    /// Five domains; registrar R and IP 1.1.1.1 are shared by enough of them to be
    /// listed, the name server by only two.
    const EXPORT: &str = r#"[
      {"domain": "aa.com", "domain_risk": {"risk_score": 10},
       "registrar": {"value": "R", "count": 40},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 9}}],
       "name_server": [{"domain": {"value": "ns.net", "count": 7}}]},
      {"domain": "bbbb.com",
       "registrar": {"value": "R", "count": 40},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 9}},
              {"address": {"value": "2.2.2.2", "count": 5},
               "country_code": {"value": "us", "count": 9}}],
       "name_server": [{"domain": {"value": "ns.net", "count": 7}}]},
      {"domain": "cc.com",
       "registrar": {"value": "R", "count": 40},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 9}}]},
      {"domain": "dd.com",
       "registrar": {"value": "Q", "count": 40},
       "ip": [{"address": {"value": "2.2.2.2", "count": 5}}]},
      {"domain": "ee.com",
       "registrar": {"value": "Q", "count": 40}}
    ]"#;

    fn scoring() -> Scoring {
        let export = parse_export(EXPORT.as_bytes()).expect("export parses");
        let settings = Settings {
            longest_common_substring: 0,
            ..Settings::default()
        };
        score(&export.records, &settings).expect("valid settings")
    }

    fn labels(shared: &SharedPivots) -> Vec<&str> {
        shared.values.iter().map(|row| row.label.as_str()).collect()
    }

    #[test]
    fn columns_longest_name_first() {
        let scoring = scoring();
        // ids: aa 0, bbbb 1, cc 2, dd 3, ee 4; repeats count once.
        let shared = shared_pivots(&scoring, &[3, 0, 2, 1, 0], 3).expect("valid selection");
        let names: Vec<&str> = shared.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["bbbb.com", "aa.com", "cc.com", "dd.com"]);
        assert_eq!(shared.columns[1].risk_score, Some(10.0));
    }

    #[test]
    fn values_need_min_domains() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2, 3], 3).expect("valid selection");
        // ns.net (two domains), Q and 2.2.2.2 (two each) stay out.
        assert_eq!(
            labels(&shared),
            vec!["registrar: R", "ip_address: 1.1.1.1", "ip_country_code: us"]
        );
        // With a minimum of two, only Q (dd.com alone in the selection) stays out.
        let with_two = shared_pivots(&scoring, &[0, 1, 2, 3], 2).expect("valid selection");
        assert_eq!(
            labels(&with_two),
            vec![
                "registrar: R",
                "ip_address: 1.1.1.1",
                "ip_country_code: us",
                "ip_address: 2.2.2.2",
                "ns_domain: ns.net",
            ]
        );
    }

    #[test]
    fn value_cells_are_zero_or_one() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2, 3], 3).expect("valid selection");
        // bbbb.com carries `us` twice, once per IP, and still gets a 1.
        let us = &shared.values[2];
        assert_eq!(us.value, "us");
        assert_eq!(us.cells, vec![1, 1, 1, 0]);
        assert_eq!(us.total, 3);
        assert_eq!(scoring.all_pivots[us.pivot].value, "us");
    }

    #[test]
    fn category_cells_count_listed_pivots() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2, 3], 2).expect("valid selection");
        // Columns: bbbb, aa, cc, dd.
        let rows: Vec<(Category, &[u32], u64)> = shared
            .categories
            .iter()
            .map(|r| (r.category, r.cells.as_slice(), r.total))
            .collect();
        assert_eq!(
            rows,
            vec![
                // 1.1.1.1 (3 domains) and 2.2.2.2 (bbbb, dd): total 5.
                (Category::IpAddress, &[2, 1, 1, 1][..], 5),
                // R (3 domains); Q has only dd in the selection.
                (Category::Registrar, &[1, 1, 1, 0][..], 3),
                (Category::IpCountryCode, &[1, 1, 1, 0][..], 3),
                (Category::NsDomain, &[1, 1, 0, 0][..], 2),
            ]
        );
        let ip = &shared.categories[0];
        let values: Vec<&str> = ip
            .pivots
            .iter()
            .map(|&p| scoring.all_pivots[p].value.as_str())
            .collect();
        assert_eq!(values, vec!["1.1.1.1", "2.2.2.2"]);
    }

    #[test]
    fn ties_keep_creation_order() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2, 3], 3).expect("valid selection");
        // Registrar, IP address and country code each total 3: category creation order.
        let categories: Vec<Category> = shared.categories.iter().map(|r| r.category).collect();
        assert_eq!(
            categories,
            vec![
                Category::Registrar,
                Category::IpAddress,
                Category::IpCountryCode
            ]
        );
        // Among the rows of two, 2.2.2.2 was created before ns.net.
        let with_two = shared_pivots(&scoring, &[0, 1, 2, 3], 2).expect("valid selection");
        let totals: Vec<(&str, u64)> = with_two
            .values
            .iter()
            .map(|r| (r.value.as_str(), r.total))
            .collect();
        assert_eq!(
            totals,
            vec![
                ("R", 3),
                ("1.1.1.1", 3),
                ("us", 3),
                ("2.2.2.2", 2),
                ("ns.net", 2)
            ]
        );
    }

    #[test]
    fn table_follows_value_rows() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2, 3, 4], 2).expect("valid selection");
        let table: Vec<(Category, &str, Option<u64>, u64)> = shared
            .table
            .iter()
            .map(|r| (r.category, r.value.as_str(), r.count, r.domains))
            .collect();
        assert_eq!(
            table,
            vec![
                (Category::Registrar, "R", Some(40), 3),
                (Category::IpAddress, "1.1.1.1", Some(5), 3),
                (Category::IpCountryCode, "us", Some(9), 3),
                (Category::Registrar, "Q", Some(40), 2),
                (Category::IpAddress, "2.2.2.2", Some(5), 2),
                (Category::NsDomain, "ns.net", Some(7), 2),
            ]
        );
        let pivots: Vec<usize> = shared.values.iter().map(|r| r.pivot).collect();
        let table_pivots: Vec<usize> = shared.table.iter().map(|r| r.pivot).collect();
        assert_eq!(pivots, table_pivots);
    }

    #[test]
    fn trimmed_pivots_still_count() {
        // Registrar R joins all three domains, so trimming drops it from the graph.
        let export = parse_export(
            br#"[{"domain": "a.com", "registrar": {"value": "R", "count": 4},
                  "ip": [{"address": {"value": "1", "count": 2}}]},
                 {"domain": "b.com", "registrar": {"value": "R", "count": 4},
                  "ip": [{"address": {"value": "1", "count": 2}}]},
                 {"domain": "c.com", "registrar": {"value": "R", "count": 4}}]"#,
        )
        .expect("export parses");
        let settings = Settings {
            longest_common_substring: 0,
            ..Settings::default()
        };
        let scoring = score(&export.records, &settings).expect("valid settings");
        assert!(scoring.pivots().all(|p| p.value != "R"));
        let shared = shared_pivots(&scoring, &[0, 1, 2], 3).expect("valid selection");
        assert_eq!(labels(&shared), vec!["registrar: R"]);
    }

    #[test]
    fn empty_selection_lists_nothing() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[], 3).expect("valid selection");
        assert!(shared.columns.is_empty());
        assert!(shared.categories.is_empty());
        assert!(shared.values.is_empty());
        assert!(shared.table.is_empty());
    }

    #[test]
    fn invalid_arguments_are_rejected() {
        let scoring = scoring();
        assert_eq!(
            shared_pivots(&scoring, &[0, 9], 3),
            Err(SelectionError::UnknownDomain { id: 9, domains: 5 })
        );
        assert_eq!(
            shared_pivots(&scoring, &[0], 0),
            Err(SelectionError::MinDomains)
        );
    }

    #[test]
    fn output_serializes_with_category_names() {
        let scoring = scoring();
        let shared = shared_pivots(&scoring, &[0, 1, 2], 3).expect("valid selection");
        let json = serde_json::to_value(&shared).expect("serializes");
        assert_eq!(json["table"][0]["category"], "registrar");
        assert_eq!(json["columns"][0]["name"], "bbbb.com");
        assert_eq!(json["values"][0]["cells"], serde_json::json!([1, 1, 1]));
    }
}
