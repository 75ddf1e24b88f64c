//! Edge details: two graph nodes to the list of pivots behind their edge, with the part
//! each pivot played in the edge's weight.
//!
//! An edge's weight is not the sum of what its domains share: each category adds only
//! the weight of its first pivot with positive weight, and the total is capped at
//! [`MAX_EDGE_WEIGHT`](crate::scoring::MAX_EDGE_WEIGHT). Listing every shared pivot with a `counted` flag lets the analyst
//! see why two domains are close, and why sharing five IP addresses weighs no more than
//! sharing one.

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::category::{Category, CategorySet};
use crate::scoring::{DomainId, Scoring};

/// A node pair that has no edge details.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EdgeError {
    #[error("graph node {node} does not exist: the graph has {nodes} nodes")]
    UnknownNode { node: usize, nodes: usize },
    #[error("an edge needs two different nodes, got node {0} twice")]
    SameNode(usize),
}

/// One kept pivot that contains both domains of a node pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgePivot {
    /// Index into [`Scoring::all_pivots`].
    pub pivot: usize,
    pub category: Category,
    pub value: String,
    /// Iris count of the value when the pivot was created, if it has one.
    pub count: Option<u64>,
    /// The pivot's weight, ≤ 0 for values too common to join domains.
    pub weight: f64,
    /// Whether the weight was added to the edge: true only for the first pivot of its
    /// category with positive weight.
    pub counted: bool,
}

/// Everything two graph nodes share, and the weight of the edge it makes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeDetails {
    /// Domain ids of the two nodes, in the order given.
    pub domains: [DomainId; 2],
    /// Domain names of the two nodes, in the order given.
    pub names: [String; 2],
    /// The edge's weight in the graph, or `None` when the nodes share no pivot with
    /// positive weight and so have no edge.
    pub weight: Option<f64>,
    /// Sum of the counted pivot weights before the cap at [`MAX_EDGE_WEIGHT`](crate::scoring::MAX_EDGE_WEIGHT).
    pub counted_sum: f64,
    /// Every kept pivot containing both domains, in the order the weighting walks them:
    /// category creation order, then pivot creation order.
    pub pivots: Vec<EdgePivot>,
}

/// Lists the kept pivots that contain the domains of both nodes and marks those that
/// count toward the edge weight, reading the weight itself from the graph.
///
/// The counted weights, summed in list order and capped at [`MAX_EDGE_WEIGHT`](crate::scoring::MAX_EDGE_WEIGHT), give
/// the graph's edge weight.
///
/// Complexity: O(P log m) for P kept pivots of at most m domains each, because pivot
/// members are sorted and searched by bisection.
///
/// # Errors
/// [`EdgeError::UnknownNode`] for a node outside the graph, [`EdgeError::SameNode`] when
/// `a` equals `b`.
pub fn edge_details(
    scoring: &Scoring,
    a: NodeIndex,
    b: NodeIndex,
) -> Result<EdgeDetails, EdgeError> {
    let nodes = scoring.graph.node_count();
    for node in [a, b] {
        if node.index() >= nodes {
            return Err(EdgeError::UnknownNode {
                node: node.index(),
                nodes,
            });
        }
    }
    if a == b {
        return Err(EdgeError::SameNode(a.index()));
    }
    let (id_a, id_b) = (scoring.graph[a], scoring.graph[b]);

    let mut pivots = Vec::new();
    let mut counted_categories = CategorySet::empty();
    let mut counted_sum = 0.0;
    for &index in &scoring.kept_pivots {
        let pivot = &scoring.all_pivots[index];
        let contains = |id: DomainId| pivot.domains.binary_search(&id).is_ok();
        if !(contains(id_a) && contains(id_b)) {
            continue;
        }
        let counted = pivot.weight > 0.0 && !counted_categories.contains(pivot.category);
        if counted {
            counted_categories.insert(pivot.category);
            counted_sum += pivot.weight;
        }
        pivots.push(EdgePivot {
            pivot: index,
            category: pivot.category,
            value: pivot.value.clone(),
            count: pivot.count,
            weight: pivot.weight,
            counted,
        });
    }

    let weight = scoring
        .graph
        .find_edge(a, b)
        .map(|edge| scoring.graph[edge].weight);
    Ok(EdgeDetails {
        domains: [id_a, id_b],
        names: [
            scoring.domains[id_a as usize].name.clone(),
            scoring.domains[id_b as usize].name.clone(),
        ],
        weight,
        counted_sum,
        pivots,
    })
}

/// Finds the graph node of a domain, or `None` when the domain was trimmed.
///
/// Complexity: O(log N) for N graph nodes, because nodes are in domain id order.
pub fn node_of_domain(scoring: &Scoring, id: DomainId) -> Option<NodeIndex> {
    scoring
        .graph
        .domain_ids()
        .binary_search(&id)
        .ok()
        .map(NodeIndex::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::parse_export;
    use crate::scoring::score;
    use crate::settings::Settings;

    /// a and b share two IP addresses, a registrar and a country that is too common to
    /// weigh anything; c is trimmed.
    const EXPORT: &str = r#"[
      {"domain": "a.com",
       "registrar": {"value": "R", "count": 40},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 400000000}},
              {"address": {"value": "2.2.2.2", "count": 7}}]},
      {"domain": "b.com",
       "registrar": {"value": "R", "count": 40},
       "ip": [{"address": {"value": "1.1.1.1", "count": 5},
               "country_code": {"value": "us", "count": 400000000}},
              {"address": {"value": "2.2.2.2", "count": 7}}]},
      {"domain": "d.com",
       "ip": [{"country_code": {"value": "us", "count": 400000000}}]},
      {"domain": "c.com"}
    ]"#;

    fn scoring() -> Scoring {
        let export = parse_export(EXPORT.as_bytes()).expect("export parses");
        let settings = Settings {
            longest_common_substring: 0,
            ..Settings::default()
        };
        score(&export.records, &settings).expect("valid settings")
    }

    fn node(scoring: &Scoring, name: &str) -> NodeIndex {
        let id = scoring
            .domains
            .iter()
            .position(|d| d.name == name)
            .expect("domain exists") as DomainId;
        node_of_domain(scoring, id).expect("domain is a graph node")
    }

    #[test]
    fn first_positive_pivot_per_category_counts() {
        let scoring = scoring();
        let details = edge_details(&scoring, node(&scoring, "a.com"), node(&scoring, "b.com"))
            .expect("nodes exist");
        let listed: Vec<(&str, bool)> = details
            .pivots
            .iter()
            .map(|p| (p.value.as_str(), p.counted))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("R", true),
                ("1.1.1.1", true),
                ("2.2.2.2", false),
                ("us", false)
            ]
        );
        assert!(details.pivots[3].weight <= 0.0);
        let settings = Settings::default();
        let expected = settings.pivot_weight(Some(40)) + settings.pivot_weight(Some(5));
        assert!((details.counted_sum - expected).abs() < 1e-12);
        let weight = details.weight.expect("a and b share an edge");
        assert!((weight - expected).abs() < 1e-12);
        assert_eq!(details.names, ["a.com".to_string(), "b.com".to_string()]);
    }

    #[test]
    fn pair_without_edge_has_no_weight() {
        let scoring = scoring();
        // a and d share only the zero-weight country.
        let details = edge_details(&scoring, node(&scoring, "a.com"), node(&scoring, "d.com"))
            .expect("nodes exist");
        assert_eq!(details.weight, None);
        assert_eq!(details.pivots.len(), 1);
        assert!(!details.pivots[0].counted);
        assert_eq!(details.counted_sum, 0.0);
    }

    #[test]
    fn invalid_nodes_are_rejected() {
        let scoring = scoring();
        let a = node(&scoring, "a.com");
        assert_eq!(
            edge_details(&scoring, a, NodeIndex::new(99)),
            Err(EdgeError::UnknownNode { node: 99, nodes: 3 })
        );
        assert_eq!(
            edge_details(&scoring, a, a),
            Err(EdgeError::SameNode(a.index()))
        );
    }

    #[test]
    fn trimmed_domain_has_no_node() {
        let scoring = scoring();
        let c = scoring
            .domains
            .iter()
            .position(|d| d.name == "c.com")
            .expect("c.com is scored") as DomainId;
        assert_eq!(node_of_domain(&scoring, c), None);
        assert_eq!(node_of_domain(&scoring, 99), None);
    }
}
