//! The scored graph of domains, stored as compressed sparse rows.
//!
//! Scored exports of thousands of domains have millions of edges, so the edge list
//! dominates memory. Each edge is stored once, under its lower end, as 4 bytes for the
//! higher end and 4 for the index of its [`EdgeData`] among the distinct values. Those
//! are few, because an edge's weight and categories come from a few pivot weights: the
//! 11.2 million edges of 10,000 synthetic domains have 15,960 distinct values. When
//! values rarely repeat, each edge stores its own 16-byte value instead. A
//! `petgraph::Graph` takes 32 bytes per edge. Nodes and edges are addressed with
//! petgraph's [`NodeIndex`] and [`EdgeIndex`], and the methods that readers of a scoring
//! use have petgraph's names and meaning.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Index;

use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::category::CategorySet;
use crate::scoring::{DomainId, EdgeData};

/// Number of distinct edge values above which [`DomainGraphBuilder`] stops sharing them
/// and stores one value per edge. Shared values cost 4 bytes per edge, plus 16 bytes and
/// a lookup entry of about 24 bytes per distinct value while building, so sharing saves
/// memory until about one edge in three has a value of its own. Past this bound the
/// lookup alone would take tens of megabytes.
const MAX_SHARED_VALUES: usize = 1 << 20;

/// An undirected graph whose nodes carry domain ids and whose edges carry [`EdgeData`].
///
/// Edges are numbered in order of their end points `(a, b)` with `a < b`, so an
/// [`EdgeIndex`] is the position of an edge in that order.
///
/// NOTE: edge indices are `u32`, as petgraph's default [`EdgeIndex`] is, so a graph of
/// 2^32 edges or more is not supported (about 34 GB at 8 bytes per edge).
#[derive(Clone, Debug, Default)]
pub struct DomainGraph {
    /// Domain id of each node, ascending.
    domain_ids: Vec<DomainId>,
    /// Index of the first edge of each node's row, plus the edge count at the end. Row
    /// `a` contains the edges from `a` to higher nodes.
    row_starts: Vec<usize>,
    /// Higher end of each edge, ascending within each row.
    targets: Vec<u32>,
    data: EdgeValues,
}

/// The [`EdgeData`] of every edge.
#[derive(Clone, Debug)]
enum EdgeValues {
    /// Each distinct value once, and the index of its value for each edge.
    Shared {
        values: Vec<EdgeData>,
        ids: Vec<u32>,
    },
    /// One value per edge, in edge order.
    PerEdge(Vec<EdgeData>),
}

impl Default for EdgeValues {
    fn default() -> Self {
        EdgeValues::Shared {
            values: Vec::new(),
            ids: Vec::new(),
        }
    }
}

impl EdgeValues {
    fn get(&self, edge: usize) -> Option<&EdgeData> {
        match self {
            EdgeValues::Shared { values, ids } => values.get(*ids.get(edge)? as usize),
            EdgeValues::PerEdge(values) => values.get(edge),
        }
    }
}

/// Builds a [`DomainGraph`] row by row, lowest node first.
pub(crate) struct DomainGraphBuilder {
    graph: DomainGraph,
    /// Index in the shared values of each value seen, keyed by the weight's bits and the
    /// categories. Empty once values are stored per edge.
    lookup: HashMap<(u64, CategorySet), u32, BuildHasherDefault<ValueHasher>>,
    /// [`MAX_SHARED_VALUES`], lower in tests.
    max_shared_values: usize,
}

impl DomainGraphBuilder {
    /// Starts a graph of the nodes `domain_ids`, in that order, with room for
    /// `edge_capacity` edges. Rows are filled with [`DomainGraphBuilder::push_edge`] and
    /// closed with [`DomainGraphBuilder::end_row`].
    pub(crate) fn new(domain_ids: Vec<DomainId>, edge_capacity: usize) -> Self {
        let mut row_starts = Vec::with_capacity(domain_ids.len() + 1);
        row_starts.push(0);
        let graph = DomainGraph {
            domain_ids,
            row_starts,
            targets: Vec::with_capacity(edge_capacity),
            data: EdgeValues::Shared {
                values: Vec::new(),
                ids: Vec::with_capacity(edge_capacity),
            },
        };
        DomainGraphBuilder {
            graph,
            lookup: HashMap::default(),
            max_shared_values: MAX_SHARED_VALUES,
        }
    }

    /// Adds an edge from the node of the current row to the higher node `target`.
    /// Targets must ascend within a row.
    pub(crate) fn push_edge(&mut self, target: u32, data: EdgeData) {
        let graph = &mut self.graph;
        debug_assert!(target as usize >= graph.row_starts.len());
        debug_assert!(
            graph.targets[graph.row_starts[graph.row_starts.len() - 1]..]
                .last()
                .is_none_or(|&last| last < target)
        );
        graph.targets.push(target);
        let shared = match &mut graph.data {
            EdgeValues::Shared { values, ids } => {
                let next = values.len() as u32;
                let key = (data.weight.to_bits(), data.categories);
                let id = *self.lookup.entry(key).or_insert(next);
                if id == next {
                    values.push(data);
                }
                ids.push(id);
                values.len()
            }
            EdgeValues::PerEdge(values) => {
                values.push(data);
                0
            }
        };
        if shared > self.max_shared_values {
            self.store_per_edge();
        }
    }

    /// Switches to one value per edge, because values repeat too rarely to share.
    fn store_per_edge(&mut self) {
        if let EdgeValues::Shared { values, ids } = &self.graph.data {
            let mut per_edge = Vec::with_capacity(ids.capacity());
            per_edge.extend(ids.iter().map(|&id| values[id as usize]));
            self.graph.data = EdgeValues::PerEdge(per_edge);
        }
        self.lookup = HashMap::default();
    }

    /// Closes the current row, so that further edges start at the next node.
    pub(crate) fn end_row(&mut self) {
        let graph = &mut self.graph;
        debug_assert!(graph.row_starts.len() <= graph.domain_ids.len());
        graph.row_starts.push(graph.targets.len());
    }

    /// Closes the rows of the remaining nodes, which have no edges to higher nodes, and
    /// returns the graph.
    pub(crate) fn finish(self) -> DomainGraph {
        let mut graph = self.graph;
        while graph.row_starts.len() <= graph.domain_ids.len() {
            graph.row_starts.push(graph.targets.len());
        }
        graph.targets.shrink_to_fit();
        match &mut graph.data {
            EdgeValues::Shared { values, ids } => {
                values.shrink_to_fit();
                ids.shrink_to_fit();
            }
            EdgeValues::PerEdge(values) => values.shrink_to_fit(),
        }
        graph
    }
}

/// A hasher for the lookup of edge values, which hashes two machine words: faster than
/// the default SipHash, and the keys come from the scoring, not from an adversary who
/// could choose colliding weights.
#[derive(Default)]
struct ValueHasher(u64);

impl Hasher for ValueHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        // The multiply-and-rotate step of rustc's FxHasher.
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl DomainGraph {
    /// Returns the number of nodes.
    pub fn node_count(&self) -> usize {
        self.domain_ids.len()
    }

    /// Returns the number of edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// Returns the domain id of every node, in node order (ascending).
    pub fn domain_ids(&self) -> &[DomainId] {
        &self.domain_ids
    }

    /// Returns every node index, in order.
    pub fn node_indices(&self) -> impl DoubleEndedIterator<Item = NodeIndex> + ExactSizeIterator {
        (0..self.node_count()).map(NodeIndex::new)
    }

    /// Returns every edge index, in order of the edges' end points.
    pub fn edge_indices(&self) -> impl DoubleEndedIterator<Item = EdgeIndex> + ExactSizeIterator {
        (0..self.edge_count()).map(EdgeIndex::new)
    }

    /// Returns the domain id of `node`, or `None` past the last node.
    pub fn node_weight(&self, node: NodeIndex) -> Option<&DomainId> {
        self.domain_ids.get(node.index())
    }

    /// Returns the data of `edge`, or `None` past the last edge.
    pub fn edge_weight(&self, edge: EdgeIndex) -> Option<&EdgeData> {
        self.data.get(edge.index())
    }

    /// Returns the data of the edge at `position`, a valid edge index.
    fn data_at(&self, position: usize) -> &EdgeData {
        match &self.data {
            EdgeValues::Shared { values, ids } => &values[ids[position] as usize],
            EdgeValues::PerEdge(values) => &values[position],
        }
    }

    /// Returns the end points of `edge`, the lower first, or `None` past the last edge.
    ///
    /// Costs O(log n) for n nodes.
    pub fn edge_endpoints(&self, edge: EdgeIndex) -> Option<(NodeIndex, NodeIndex)> {
        let target = *self.targets.get(edge.index())?;
        Some((
            NodeIndex::new(self.source_of(edge.index())),
            NodeIndex::new(target as usize),
        ))
    }

    /// Returns the edge between `a` and `b`, in either order, if there is one.
    ///
    /// Costs O(log d) for a lower end with d edges to higher nodes.
    pub fn find_edge(&self, a: NodeIndex, b: NodeIndex) -> Option<EdgeIndex> {
        let (low, high) = (a.index().min(b.index()), a.index().max(b.index()));
        if high >= self.node_count() {
            return None;
        }
        let start = self.row_starts[low];
        let row = &self.targets[start..self.row_starts[low + 1]];
        let offset = row.binary_search(&(high as u32)).ok()?;
        Some(EdgeIndex::new(start + offset))
    }

    /// Returns the edges from `node` to higher nodes as `(edge index, higher end, data)`,
    /// in ascending order of the higher end. Panics past the last node.
    pub fn row(&self, node: usize) -> impl Iterator<Item = (usize, u32, &EdgeData)> + '_ {
        (self.row_starts[node]..self.row_starts[node + 1])
            .map(move |edge| (edge, self.targets[edge], self.data_at(edge)))
    }

    /// Returns every edge as `(a, b, data)` with `a < b`, in edge index order.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, &EdgeData)> + '_ {
        (0..self.node_count())
            .flat_map(move |a| self.row(a).map(move |(_, b, data)| (a as u32, b, data)))
    }

    /// Returns the neighbours of `node` in ascending order, or none past the last node.
    ///
    /// Costs O(n log d) for n nodes, because the rows of lower nodes are searched.
    pub fn neighbours(&self, node: usize) -> Vec<u32> {
        if node >= self.node_count() {
            return Vec::new();
        }
        let mut neighbours: Vec<u32> = (0..node)
            .filter(|&lower| {
                let row = &self.targets[self.row_starts[lower]..self.row_starts[lower + 1]];
                row.binary_search(&(node as u32)).is_ok()
            })
            .map(|lower| lower as u32)
            .collect();
        neighbours.extend(self.row(node).map(|(_, higher, _)| higher));
        neighbours
    }

    /// Returns the number of edges of each node, in node order.
    pub fn degrees(&self) -> Vec<u32> {
        let mut degrees = vec![0u32; self.node_count()];
        for (degree, row) in degrees.iter_mut().zip(self.row_starts.windows(2)) {
            *degree += (row[1] - row[0]) as u32;
        }
        for &b in &self.targets {
            degrees[b as usize] += 1;
        }
        degrees
    }

    /// Returns the edges that some end counts among its `per_node` heaviest, as
    /// `(a, b, weight)` in edge index order. Ties go to the lower neighbour index. When
    /// there are at most `per_node × node_count` edges, or `per_node` is 0, returns every
    /// edge.
    ///
    /// The result equals [`crate::layout::heaviest_per_node`] applied to all edges, but
    /// each node keeps its best edges so far in a heap during one pass over the rows,
    /// so no copy of all edges is made. Costs O(e log k) time for e edges and k =
    /// `per_node`, and O(n·k) memory for n nodes besides the result.
    pub fn heaviest_per_node(&self, per_node: usize) -> Vec<(u32, u32, f64)> {
        let node_count = self.node_count();
        if per_node == 0 || self.edge_count() <= per_node.saturating_mul(node_count) {
            return self
                .edges()
                .map(|(a, b, data)| (a, b, data.weight))
                .collect();
        }
        let mut kept: Vec<BinaryHeap<Candidate>> = vec![BinaryHeap::new(); node_count];
        let mut offer = |node: usize, candidate: Candidate| {
            let heap = &mut kept[node];
            if heap.len() < per_node {
                heap.push(candidate);
            } else if let Some(mut worst) = heap.peek_mut() {
                if candidate < *worst {
                    *worst = candidate;
                }
            }
        };
        for a in 0..node_count {
            for (edge, b, data) in self.row(a) {
                let edge = edge as u32;
                let weight = data.weight;
                offer(
                    a,
                    Candidate {
                        weight,
                        neighbour: b,
                        edge,
                    },
                );
                offer(
                    b as usize,
                    Candidate {
                        weight,
                        neighbour: a as u32,
                        edge,
                    },
                );
            }
        }

        let mut chosen: Vec<u32> = kept
            .into_iter()
            .flat_map(|heap| heap.into_iter().map(|candidate| candidate.edge))
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let mut a = 0;
        chosen
            .into_iter()
            .map(|edge| {
                let edge = edge as usize;
                while self.row_starts[a + 1] <= edge {
                    a += 1;
                }
                (a as u32, self.targets[edge], self.data_at(edge).weight)
            })
            .collect()
    }

    /// Returns the lower end of the edge at `position`, a valid edge index.
    fn source_of(&self, position: usize) -> usize {
        // The row of an edge is the last one that starts at or before it. Empty rows
        // start where the next row starts, so the partition point skips them.
        self.row_starts.partition_point(|&start| start <= position) - 1
    }
}

/// An edge kept by one of its ends in [`DomainGraph::heaviest_per_node`]. The order
/// puts better edges first: heavier, then to a lower neighbour. It is total, because
/// a node has one edge per neighbour, so which edges a node keeps does not depend on
/// the order they arrive in.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    weight: f64,
    neighbour: u32,
    edge: u32,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .weight
            .total_cmp(&self.weight)
            .then(self.neighbour.cmp(&other.neighbour))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl Index<NodeIndex> for DomainGraph {
    type Output = DomainId;

    /// Returns the domain id of `node`. Panics past the last node.
    fn index(&self, node: NodeIndex) -> &DomainId {
        &self.domain_ids[node.index()]
    }
}

impl Index<EdgeIndex> for DomainGraph {
    type Output = EdgeData;

    /// Returns the data of `edge`. Panics past the last edge.
    fn index(&self, edge: EdgeIndex) -> &EdgeData {
        self.data_at(edge.index())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::{Category, CategorySet};

    fn data(weight: f64) -> EdgeData {
        EdgeData {
            weight,
            categories: CategorySet::from_iter([Category::Registrar]),
        }
    }

    /// Nodes 0..5 with domain ids 10, 12, ..., and edges 0–1, 0–3, 2–3, 2–4; node 1's
    /// row and the last rows are empty.
    fn sample() -> DomainGraph {
        let mut graph = DomainGraphBuilder::new(vec![10, 12, 14, 16, 18], 4);
        graph.push_edge(1, data(1.0));
        graph.push_edge(3, data(2.0));
        graph.end_row();
        graph.end_row();
        graph.push_edge(3, data(3.0));
        graph.push_edge(4, data(4.0));
        graph.end_row();
        graph.finish()
    }

    #[test]
    fn edges_are_numbered_by_end_points() {
        let graph = sample();
        assert_eq!(graph.node_count(), 5);
        assert_eq!(graph.edge_count(), 4);
        let ends: Vec<(usize, usize)> = graph
            .edge_indices()
            .filter_map(|e| graph.edge_endpoints(e))
            .map(|(a, b)| (a.index(), b.index()))
            .collect();
        assert_eq!(ends, vec![(0, 1), (0, 3), (2, 3), (2, 4)]);
        let weights: Vec<f64> = graph.edge_indices().map(|e| graph[e].weight).collect();
        assert_eq!(weights, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(graph.edge_endpoints(EdgeIndex::new(4)), None);
        let listed: Vec<(u32, u32, f64)> =
            graph.edges().map(|(a, b, d)| (a, b, d.weight)).collect();
        assert_eq!(
            listed,
            vec![(0, 1, 1.0), (0, 3, 2.0), (2, 3, 3.0), (2, 4, 4.0)]
        );
    }

    #[test]
    fn find_edge_takes_either_order() {
        let graph = sample();
        let find = |a: usize, b: usize| {
            graph
                .find_edge(NodeIndex::new(a), NodeIndex::new(b))
                .map(|e| e.index())
        };
        assert_eq!(find(0, 3), Some(1));
        assert_eq!(find(3, 0), Some(1));
        assert_eq!(find(4, 2), Some(3));
        assert_eq!(find(1, 3), None);
        assert_eq!(find(2, 2), None);
        assert_eq!(find(0, 9), None);
    }

    #[test]
    fn nodes_carry_domain_ids() {
        let graph = sample();
        assert_eq!(graph[NodeIndex::new(3)], 16);
        assert_eq!(graph.node_weight(NodeIndex::new(4)), Some(&18));
        assert_eq!(graph.node_weight(NodeIndex::new(5)), None);
        assert_eq!(graph.domain_ids(), &[10, 12, 14, 16, 18]);
        assert_eq!(graph.degrees(), vec![2, 1, 2, 2, 1]);
    }

    /// Builds a complete graph of `n` nodes whose weights repeat, so that ties are common.
    fn complete(n: u32) -> DomainGraph {
        let mut graph = DomainGraphBuilder::new((0..n).collect(), 0);
        for a in 0..n {
            for b in a + 1..n {
                graph.push_edge(b, data(f64::from((a * 7 + b * 3) % 5 + 1)));
            }
            graph.end_row();
        }
        graph.finish()
    }

    #[test]
    fn heaviest_per_node_matches_layout_selection() {
        for graph in [sample(), complete(40)] {
            let all: Vec<(u32, u32, f64)> =
                graph.edges().map(|(a, b, d)| (a, b, d.weight)).collect();
            for per_node in [0, 1, 2, 3, 5, 39, 100] {
                let expected =
                    crate::layout::heaviest_per_node(graph.node_count(), all.clone(), per_node);
                assert_eq!(graph.heaviest_per_node(per_node), expected, "{per_node}");
            }
        }
    }

    #[test]
    fn heaviest_per_node_keeps_best_of_each_end() {
        // Six edges on four nodes, one kept per node: nodes 0 and 2 keep 0–2, and nodes
        // 1 and 3 keep 1–3.
        let mut graph = DomainGraphBuilder::new(vec![0, 1, 2, 3], 6);
        for (b, weight) in [(1, 1.0), (2, 5.0), (3, 2.0)] {
            graph.push_edge(b, data(weight));
        }
        graph.end_row();
        for (b, weight) in [(2, 3.0), (3, 4.0)] {
            graph.push_edge(b, data(weight));
        }
        graph.end_row();
        graph.push_edge(3, data(1.0));
        let graph = graph.finish();
        assert_eq!(graph.heaviest_per_node(1), vec![(0, 2, 5.0), (1, 3, 4.0)]);
    }

    #[test]
    fn rare_values_are_stored_per_edge() {
        let build = |max_shared_values: usize| {
            let mut builder = DomainGraphBuilder::new((0..30).collect(), 0);
            builder.max_shared_values = max_shared_values;
            for a in 0..30u32 {
                for b in a + 1..30 {
                    builder.push_edge(b, data(f64::from(a % 4 + b % 3)));
                }
                builder.end_row();
            }
            builder.finish()
        };
        let shared = build(MAX_SHARED_VALUES);
        let per_edge = build(3);
        assert!(matches!(shared.data, EdgeValues::Shared { ref values, .. } if values.len() == 6));
        assert!(matches!(per_edge.data, EdgeValues::PerEdge(_)));
        let listed = |graph: &DomainGraph| -> Vec<(u32, u32, EdgeData)> {
            graph.edges().map(|(a, b, data)| (a, b, *data)).collect()
        };
        assert_eq!(listed(&shared), listed(&per_edge));
        assert_eq!(listed(&shared).len(), 435);
        let edge = EdgeIndex::new(100);
        assert_eq!(shared[edge], per_edge[edge]);
        assert_eq!(shared.edge_weight(EdgeIndex::new(435)), None);
        assert_eq!(per_edge.edge_weight(EdgeIndex::new(435)), None);
    }

    #[test]
    fn neighbours_are_ascending() {
        let graph = sample();
        assert_eq!(graph.neighbours(3), vec![0, 2]);
        assert_eq!(graph.neighbours(2), vec![3, 4]);
        assert_eq!(graph.neighbours(0), vec![1, 3]);
        assert_eq!(graph.neighbours(5), Vec::<u32>::new());
        let complete = complete(6);
        assert_eq!(complete.neighbours(2), vec![0, 1, 3, 4, 5]);
    }

    #[test]
    fn empty_graph_has_no_edges() {
        let graph = DomainGraphBuilder::new(vec![1, 2], 0).finish();
        assert_eq!(graph.edge_count(), 0);
        assert_eq!(graph.edges().count(), 0);
        assert_eq!(graph.degrees(), vec![0, 0]);
        assert_eq!(DomainGraph::default().node_count(), 0);
    }
}
