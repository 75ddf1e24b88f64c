//! Scoring: records and settings to the weighted graph of domains.
//!
//! The steps are those of the original DomainCAT notebook: extract pivots per record,
//! add naming pivots, trim pivots and domains, then join every pair of domains in a pivot
//! with an edge whose weight grows with the rarity of what they share. Orders matter
//! (pivot creation order decides which pivot of a category counts for an edge), so every
//! collection here keeps insertion order and no hash map is ever iterated.

use std::collections::HashMap;

use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::category::{Category, CategorySet};
use crate::graph::{DomainGraph, DomainGraphBuilder};
use crate::iris::Record;
use crate::settings::{Settings, SettingsError};
use crate::substrings::{common_substring_pairs, matching_label};

/// Upper bound of an edge weight.
pub const MAX_EDGE_WEIGHT: f64 = 5.0;

/// Index of a domain in [`Scoring::domains`].
pub type DomainId = u32;

/// A domain of the scored set.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: String,
    pub risk_score: Option<f64>,
    /// Categories of the values extracted for this domain, before trimming.
    pub categories: CategorySet,
}

/// A pivot: one value of one category and the domains that carry it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pivot {
    pub category: Category,
    pub value: String,
    /// Iris count seen when the pivot was created.
    pub count: Option<u64>,
    /// Member domains in ascending id order.
    pub domains: Vec<DomainId>,
    /// Weight each pair of its domains receives; ≤ 0 means the pivot makes no edges.
    pub weight: f64,
}

/// An edge between two graph nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeData {
    /// Sum of the first positive pivot weight of each shared category, capped at
    /// [`MAX_EDGE_WEIGHT`].
    pub weight: f64,
    /// Categories that contributed.
    pub categories: CategorySet,
}

/// An edge with the indices of its end points, `a < b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredEdge {
    pub a: u32,
    pub b: u32,
    pub data: EdgeData,
}

/// Why a domain was left out of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimReason {
    /// It shares no remaining pivot with another domain.
    Unconnected,
    /// Its only extracted category was the creation date.
    CreateDateOnly,
}

impl TrimReason {
    /// The key used in exports.
    pub fn key(self) -> &'static str {
        match self {
            TrimReason::Unconnected => "unconnected",
            TrimReason::CreateDateOnly => "create_date",
        }
    }

    /// The reason in words for the analyst.
    pub fn describe(self) -> &'static str {
        match self {
            TrimReason::Unconnected => "shares no pivot with another domain",
            TrimReason::CreateDateOnly => "its only pivot was its creation date",
        }
    }
}

/// The result of scoring a set of records.
#[derive(Clone, Debug)]
pub struct Scoring {
    pub settings: Settings,
    /// Number of records given, active or not.
    pub records: usize,
    /// Active domains, one per distinct name, in order of first appearance.
    pub domains: Vec<Domain>,
    /// Names of the records skipped because they are inactive, in input order.
    pub inactive: Vec<String>,
    /// Categories in the order their first value was kept.
    pub categories: Vec<Category>,
    /// Every pivot before trimming, grouped by category in [`Scoring::categories`] order,
    /// then in creation order.
    pub all_pivots: Vec<Pivot>,
    /// Indices into `all_pivots` of the pivots that survived trimming, same order.
    pub kept_pivots: Vec<usize>,
    /// Domains left out of the graph, in domain order.
    pub trimmed: Vec<(DomainId, TrimReason)>,
    /// The graph: node weights are domain ids, in domain order; edges sorted by their
    /// end points.
    pub graph: DomainGraph,
    /// Sum of n(n−1)/2 over kept pivots of positive weight (the original's "total graph
    /// connections").
    pub total_connections: u64,
}

impl Scoring {
    /// Pivots that survived trimming.
    pub fn pivots(&self) -> impl Iterator<Item = &Pivot> + '_ {
        self.kept_pivots.iter().map(|&i| &self.all_pivots[i])
    }

    /// Name of the domain at graph node `node`.
    pub fn node_name(&self, node: NodeIndex) -> &str {
        &self.domains[self.graph[node] as usize].name
    }

    /// The domain at graph node `node`.
    pub fn node_domain(&self, node: NodeIndex) -> &Domain {
        &self.domains[self.graph[node] as usize]
    }

    /// Number of graph nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of graph edges.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Domain id of graph node `node`, or `None` past the last node.
    pub fn node_domain_id(&self, node: usize) -> Option<DomainId> {
        self.graph.node_weight(NodeIndex::new(node)).copied()
    }

    /// Returns every edge with the indices of its end points, the lower end first, in
    /// end-point order.
    pub fn edges(&self) -> impl Iterator<Item = ScoredEdge> + '_ {
        self.graph
            .edges()
            .map(|(a, b, data)| ScoredEdge { a, b, data: *data })
    }

    /// Returns the `limit` heaviest edges, heaviest first, and equal weights in end-point
    /// order.
    ///
    /// Selects among edge indices, 4 bytes per edge, which sort in end-point order.
    pub fn heaviest_edges(&self, limit: usize) -> Vec<ScoredEdge> {
        let graph = &self.graph;
        let weight = |edge: u32| graph[EdgeIndex::new(edge as usize)].weight;
        let order = |x: &u32, y: &u32| weight(*y).total_cmp(&weight(*x)).then(x.cmp(y));
        let mut chosen: Vec<u32> = (0..graph.edge_count() as u32).collect();
        if chosen.len() > limit {
            if limit == 0 {
                return Vec::new();
            }
            chosen.select_nth_unstable_by(limit - 1, order);
            chosen.truncate(limit);
        }
        chosen.sort_unstable_by(order);
        chosen
            .into_iter()
            .filter_map(|edge| {
                let edge = EdgeIndex::new(edge as usize);
                let (a, b) = graph.edge_endpoints(edge)?;
                Some(ScoredEdge {
                    a: a.index() as u32,
                    b: b.index() as u32,
                    data: graph[edge],
                })
            })
            .collect()
    }

    /// Returns the edges the force layout attracts along: each node's `per_node`
    /// heaviest (see [`crate::layout::LayoutSettings::max_edges_per_node`]), as
    /// `(a, b, weight)` in end-point order. Passing them to
    /// [`crate::layout::ForceLayout::new`] gives the layout of all edges, when the
    /// layout's `edge_weight_influence` is 1, without a copy of all edges.
    pub fn layout_edges(&self, per_node: usize) -> Vec<(u32, u32, f64)> {
        self.graph.heaviest_per_node(per_node)
    }

    /// Returns the neighbours of graph node `node` in ascending order, or none past the
    /// last node. Costs O(n log d) for n nodes, without a pass over all edges.
    pub fn neighbours(&self, node: usize) -> Vec<u32> {
        self.graph.neighbours(node)
    }

    /// Graph nodes with no edge.
    pub fn isolated_nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        let degrees = self.graph.degrees();
        self.graph
            .node_indices()
            .filter(move |node| degrees[node.index()] == 0)
    }
}

/// Scores `records` with `settings`: [`extract_pivots`], then
/// [`PivotSet::add_substring_pivots`] when naming pivots are enabled, then [`trim_pivots`],
/// then [`build_graph`].
///
/// Complexity: extraction is linear in the number of values. Naming pivots cost
/// O(P · L²) for the P pairs of names that share a substring of the minimum length L (at
/// most n(n−1)/2 for n domains), plus the index over all labels. Edges cost the sum of
/// n(n−1)/2 over the pivots that make edges.
pub fn score(records: &[Record], settings: &Settings) -> Result<Scoring, SettingsError> {
    let mut pivots = extract_pivots(records, settings)?;
    if settings.substrings_enabled() {
        pivots.add_substring_pivots();
    }
    Ok(build_graph(trim_pivots(pivots)))
}

/// Pivots of a set of records before trimming: the result of [`extract_pivots`], and of
/// [`PivotSet::add_substring_pivots`] once that has run.
#[derive(Clone, Debug)]
pub struct PivotSet {
    settings: Settings,
    records: usize,
    inactive: Vec<String>,
    domains: Vec<Domain>,
    domain_ids: HashMap<String, DomainId>,
    /// Domains that appeared in more than one record; only they can be added to a pivot
    /// twice from different records.
    repeated: Vec<bool>,
    /// Pivots in creation order.
    pivots: Vec<Pivot>,
    /// Pivot index by value, one map per category (indexed by [`Category::index`]), so
    /// that lookups by `&str` need no allocation.
    pivot_ids: Vec<HashMap<String, usize>>,
    categories: Vec<Category>,
}

/// Extracts the pivots of `records` in the original notebook's order: the first scoring
/// stage. Inactive records are skipped when `settings.active_domains_only` is set.
///
/// Costs O(v) time for v values, with one hash lookup per value.
pub fn extract_pivots(records: &[Record], settings: &Settings) -> Result<PivotSet, SettingsError> {
    settings.validate()?;
    let mut set = PivotSet {
        settings: settings.clone(),
        records: records.len(),
        inactive: Vec::new(),
        domains: Vec::new(),
        domain_ids: HashMap::new(),
        repeated: Vec::new(),
        pivots: Vec::new(),
        pivot_ids: vec![HashMap::new(); Category::ALL.len()],
        categories: Vec::new(),
    };
    for record in records {
        if settings.active_domains_only && !record.active {
            set.inactive.push(record.domain.clone());
            continue;
        }
        set.add_record(record);
    }
    Ok(set)
}

impl PivotSet {
    /// Number of distinct active domains.
    pub fn domain_count(&self) -> usize {
        self.domains.len()
    }

    /// Number of pivots created so far, of any size.
    pub fn pivot_count(&self) -> usize {
        self.pivots.len()
    }

    /// Adds a record's values. A repeated domain name keeps its first position and takes
    /// the later record's risk score, as the original's dictionary of domains does.
    fn add_record(&mut self, record: &Record) {
        let id = match self.domain_ids.get(&record.domain) {
            Some(&id) => {
                self.repeated[id as usize] = true;
                self.domains[id as usize].risk_score = record.risk_score;
                id
            }
            None => {
                let id = self.domains.len() as DomainId;
                self.domain_ids.insert(record.domain.clone(), id);
                self.domains.push(Domain {
                    name: record.domain.clone(),
                    risk_score: record.risk_score,
                    categories: CategorySet::empty(),
                });
                self.repeated.push(false);
                id
            }
        };
        for value in &record.values {
            if !self.settings.categories.contains(value.category)
                || !self.settings.passes_threshold(value.category, value.count)
            {
                continue;
            }
            let pivot = self.pivot_id(value.category, &value.value, value.count);
            let members = &mut self.pivots[pivot].domains;
            // A domain's values arrive together, so a repeat is the last member, unless
            // the domain appeared in several records.
            let present = members.last() == Some(&id)
                || (self.repeated[id as usize] && members.contains(&id));
            if !present {
                members.push(id);
            }
            self.domains[id as usize].categories.insert(value.category);
        }
    }

    /// Returns the index of the pivot (category, value), creating it with `count` if
    /// needed.
    fn pivot_id(&mut self, category: Category, value: &str, count: Option<u64>) -> usize {
        if let Some(&id) = self.pivot_ids[category.index()].get(value) {
            return id;
        }
        if !self.categories.contains(&category) {
            self.categories.push(category);
        }
        let id = self.pivots.len();
        self.pivots.push(Pivot {
            category,
            value: value.to_string(),
            count,
            domains: Vec::new(),
            weight: 0.0,
        });
        self.pivot_ids[category.index()].insert(value.to_string(), id);
        id
    }

    /// Adds naming pivots for every pair of domains whose labels share a long enough
    /// substring, creating pivots in pair order: the second scoring stage. Does nothing
    /// when the minimum length is 0.
    ///
    /// Only pairs that share a substring of the minimum length run the
    /// longest-common-substring search (see [`common_substring_pairs`]).
    pub fn add_substring_pivots(&mut self) {
        let min_len = self.settings.longest_common_substring;
        if min_len == 0 {
            return;
        }
        let labels: Vec<Vec<char>> = self
            .domains
            .iter()
            .map(|d| matching_label(&d.name, &self.settings.ignore_substrings))
            .collect();
        let category = Category::LongestCommonSubstring;
        let first_new = self.pivots.len();
        // Pairs reach a pivot in any order and may repeat a member. Each list is sorted
        // and deduplicated whenever it has doubled since the last time, which bounds its
        // memory by twice its distinct members at O(m log m) amortized cost.
        let mut compacted_len: Vec<usize> = Vec::new();
        let mut text = String::new();
        common_substring_pairs(&labels, min_len, |i, j, start, len| {
            text.clear();
            text.extend(&labels[i][start..start + len]);
            let pivot = self.pivot_id(category, &text, None);
            let slot = pivot - first_new;
            if slot == compacted_len.len() {
                compacted_len.push(0);
            }
            let members = &mut self.pivots[pivot].domains;
            members.extend([i as DomainId, j as DomainId]);
            if members.len() >= 2 * compacted_len[slot] + 64 {
                members.sort_unstable();
                members.dedup();
                compacted_len[slot] = members.len();
            }
            self.domains[i].categories.insert(category);
            self.domains[j].categories.insert(category);
        });
        for pivot in &mut self.pivots[first_new..] {
            pivot.domains.sort_unstable();
            pivot.domains.dedup();
        }
    }
}

/// Pivots and domains after trimming: the result of [`trim_pivots`].
#[derive(Clone, Debug)]
pub struct TrimmedPivots {
    settings: Settings,
    records: usize,
    inactive: Vec<String>,
    domains: Vec<Domain>,
    categories: Vec<Category>,
    all_pivots: Vec<Pivot>,
    kept_pivots: Vec<usize>,
    trimmed: Vec<(DomainId, TrimReason)>,
}

impl TrimmedPivots {
    /// Number of distinct active domains, trimmed or not.
    pub fn domain_count(&self) -> usize {
        self.domains.len()
    }

    /// Number of pivots that survived trimming.
    pub fn kept_count(&self) -> usize {
        self.kept_pivots.len()
    }

    /// Number of domains left out of the graph.
    pub fn trimmed_count(&self) -> usize {
        self.trimmed.len()
    }

    /// Counts the edges that [`build_graph`] will create, without creating them, so that
    /// a caller can decline a graph too large for its memory.
    ///
    /// Costs O(n + m + Σ k(k−1)/2) time like [`build_graph`], but only O(n + m) memory.
    pub fn edge_count(&self) -> usize {
        let settings = &self.settings;
        PairIndex::new(
            &self.domains,
            &self.all_pivots,
            &self.kept_pivots,
            &self.trimmed,
            |pivot| settings.pivot_weight(pivot.count),
        )
        .count_edges()
    }
}

/// Groups pivots by category and trims pivots and domains: the third scoring stage.
///
/// Costs O(p log p + m) for p pivots with m memberships in all.
pub fn trim_pivots(set: PivotSet) -> TrimmedPivots {
    let PivotSet {
        settings,
        records,
        inactive,
        mut domains,
        mut pivots,
        categories,
        ..
    } = set;
    // Members in domain order: substring pivots and repeated domains add them out of
    // order, and domain order is what every consumer expects.
    for pivot in &mut pivots {
        pivot.domains.sort_unstable();
    }
    let all_pivots = order_by_category(pivots, &categories);
    let (kept_pivots, trimmed, all_pivots) =
        trim(all_pivots, &mut domains, settings.min_pivot_size);
    TrimmedPivots {
        settings,
        records,
        inactive,
        domains,
        categories,
        all_pivots,
        kept_pivots,
        trimmed,
    }
}

/// Weighs the kept pivots and joins their domains with edges: the last scoring stage.
///
/// Costs O(n + m + Σ k(k−1)/2) time for n domains, m memberships and pivots of k graph
/// nodes that make edges, and O(n + m) memory besides the graph itself.
pub fn build_graph(trimmed: TrimmedPivots) -> Scoring {
    let TrimmedPivots {
        settings,
        records,
        inactive,
        domains,
        categories,
        mut all_pivots,
        kept_pivots,
        trimmed,
    } = trimmed;
    for pivot in &mut all_pivots {
        pivot.weight = settings.pivot_weight(pivot.count);
    }
    let (graph, total_connections) =
        graph_from_pivots(&domains, &all_pivots, &kept_pivots, &trimmed);
    Scoring {
        settings,
        records,
        domains,
        inactive,
        categories,
        all_pivots,
        kept_pivots,
        trimmed,
        graph,
        total_connections,
    }
}

/// Orders pivots by category creation order, keeping creation order within a category.
fn order_by_category(pivots: Vec<Pivot>, categories: &[Category]) -> Vec<Pivot> {
    let mut rank = [usize::MAX; Category::ALL.len()];
    for (position, category) in categories.iter().enumerate() {
        rank[category.index()] = position;
    }
    let mut pivots = pivots;
    // A stable sort keeps creation order inside each category.
    pivots.sort_by_key(|p| rank[p.category.index()]);
    pivots
}

/// Trims pivots and domains: pivots smaller than `min_pivot_size` or holding every
/// domain, then domains in no remaining pivot, then domains whose only category was
/// the creation date.
///
/// Returns the kept pivot indices, the trimmed domains, and the pivots (with trimmed
/// create-date domains taken out of their creation-date pivots).
fn trim(
    mut pivots: Vec<Pivot>,
    domains: &mut [Domain],
    min_pivot_size: usize,
) -> (Vec<usize>, Vec<(DomainId, TrimReason)>, Vec<Pivot>) {
    let domain_count = domains.len();
    let mut kept: Vec<usize> = pivots
        .iter()
        .enumerate()
        .filter(|(_, p)| p.domains.len() >= min_pivot_size && p.domains.len() != domain_count)
        .map(|(i, _)| i)
        .collect();

    let mut connected = vec![false; domain_count];
    for &i in &kept {
        for &d in &pivots[i].domains {
            connected[d as usize] = true;
        }
    }
    let mut reasons: Vec<Option<TrimReason>> = connected
        .iter()
        .map(|&c| (!c).then_some(TrimReason::Unconnected))
        .collect();

    // The original meant to drop these domains from their creation-date pivot; a pivot
    // left below the minimum size is then dropped like any other small pivot.
    let create_date_only = CategorySet::from_iter([Category::CreateDate]);
    for (id, domain) in domains.iter().enumerate() {
        if reasons[id].is_none() && domain.categories == create_date_only {
            reasons[id] = Some(TrimReason::CreateDateOnly);
        }
    }
    if reasons.contains(&Some(TrimReason::CreateDateOnly)) {
        for pivot in pivots.iter_mut() {
            if pivot.category == Category::CreateDate {
                pivot
                    .domains
                    .retain(|&d| reasons[d as usize] != Some(TrimReason::CreateDateOnly));
            }
        }
        kept.retain(|&i| pivots[i].domains.len() >= min_pivot_size);
    }

    let trimmed = reasons
        .iter()
        .enumerate()
        .filter_map(|(id, reason)| reason.map(|r| (id as DomainId, r)))
        .collect();
    (kept, trimmed, pivots)
}

/// The kept pivots that make edges, as member lists of graph nodes, with the pivots of
/// each node: what edge building and edge counting walk.
struct PairIndex<'p> {
    /// Domain id of each graph node, in node order.
    node_ids: Vec<DomainId>,
    /// Members of every pivot in `sources`, as ascending graph nodes, one list after
    /// another.
    members: Vec<u32>,
    /// Start of each pivot's list in `members`, plus the end of the last.
    offsets: Vec<usize>,
    /// Kept pivots of positive weight with at least two graph nodes, in pivot order.
    sources: Vec<&'p Pivot>,
    /// Start of each node's entries in `incidence`, plus the end of the last.
    incidence_start: Vec<usize>,
    /// For each node, the ranks in `sources` of the pivots that contain it (ascending) and
    /// its position in each.
    incidence: Vec<(u32, u32)>,
    /// Sum of n(n−1)/2 over kept pivots of positive weight.
    total_connections: u64,
}

impl<'p> PairIndex<'p> {
    /// Indexes the kept pivots whose `weight` is positive. Costs O(n + m) for n domains
    /// and m memberships.
    fn new(
        domains: &[Domain],
        pivots: &'p [Pivot],
        kept: &[usize],
        trimmed: &[(DomainId, TrimReason)],
        weight: impl Fn(&Pivot) -> f64,
    ) -> Self {
        let mut node_of: Vec<Option<u32>> = vec![None; domains.len()];
        let mut is_trimmed = vec![false; domains.len()];
        for &(id, _) in trimmed {
            is_trimmed[id as usize] = true;
        }
        let mut node_ids = Vec::new();
        for id in 0..domains.len() {
            if !is_trimmed[id] {
                node_of[id] = Some(node_ids.len() as u32);
                node_ids.push(id as DomainId);
            }
        }
        let node_count = node_ids.len();

        let mut members: Vec<u32> = Vec::new();
        let mut offsets: Vec<usize> = vec![0];
        let mut sources: Vec<&Pivot> = Vec::new();
        let mut total_connections = 0u64;
        for &i in kept {
            let pivot = &pivots[i];
            if weight(pivot) <= 0.0 {
                continue;
            }
            let start = members.len();
            members.extend(pivot.domains.iter().filter_map(|&d| node_of[d as usize]));
            let n = (members.len() - start) as u64;
            total_connections += n * n.saturating_sub(1) / 2;
            if n < 2 {
                members.truncate(start);
                continue;
            }
            offsets.push(members.len());
            sources.push(pivot);
        }

        let mut incidence_start = vec![0usize; node_count + 1];
        for &node in &members {
            incidence_start[node as usize + 1] += 1;
        }
        for k in 0..node_count {
            incidence_start[k + 1] += incidence_start[k];
        }
        let mut incidence = vec![(0u32, 0u32); members.len()];
        let mut fill = incidence_start.clone();
        for rank in 0..sources.len() {
            let pivot_members = &members[offsets[rank]..offsets[rank + 1]];
            for (position, &node) in pivot_members.iter().enumerate() {
                incidence[fill[node as usize]] = (rank as u32, position as u32);
                fill[node as usize] += 1;
            }
        }
        PairIndex {
            node_ids,
            members,
            offsets,
            sources,
            incidence_start,
            incidence,
            total_connections,
        }
    }

    /// For each pivot that contains node `a`, in pivot order: its rank in `sources` and
    /// its members after `a`.
    fn later_members(&self, a: usize) -> impl Iterator<Item = (usize, &[u32])> + '_ {
        self.incidence[self.incidence_start[a]..self.incidence_start[a + 1]]
            .iter()
            .map(|&(rank, position)| {
                let rank = rank as usize;
                let first = self.offsets[rank] + position as usize + 1;
                (rank, &self.members[first..self.offsets[rank + 1]])
            })
    }

    /// Counts the distinct pairs of nodes that share a pivot: the graph's edges. Costs
    /// O(Σ k(k−1)/2) time and O(n) memory.
    fn count_edges(&self) -> usize {
        let node_count = self.node_ids.len();
        // `stamp[b] == a` marks `b` as already counted for the current node `a`.
        let mut stamp = vec![u32::MAX; node_count];
        let mut edge_count = 0usize;
        for a in 0..node_count {
            for (_, later) in self.later_members(a) {
                for &b in later {
                    if stamp[b as usize] != a as u32 {
                        stamp[b as usize] = a as u32;
                        edge_count += 1;
                    }
                }
            }
        }
        edge_count
    }
}

/// Builds the graph from the kept pivots, walking categories and pivots in creation
/// order: each category adds the weight of its first positive pivot joining a pair.
///
/// Edges are built one lower end at a time. For node `a`, every pivot that contains `a`
/// adds its weight to each later member `b` in per-node scratch arrays, in pivot order.
/// Each pair therefore gets the same additions in the same order as a walk over pivots,
/// without a hash map of pairs. Sorting the touched nodes gives the edges of `a` in `b`
/// order. A first pass counts the edges, so the graph is allocated once at its final size.
fn graph_from_pivots(
    domains: &[Domain],
    pivots: &[Pivot],
    kept: &[usize],
    trimmed: &[(DomainId, TrimReason)],
) -> (DomainGraph, u64) {
    let index = PairIndex::new(domains, pivots, kept, trimmed, |pivot| pivot.weight);
    let node_count = index.node_ids.len();
    let edge_count = index.count_edges();
    let PairIndex {
        ref node_ids,
        ref sources,
        total_connections,
        ..
    } = index;

    let mut graph = DomainGraphBuilder::new(node_ids.clone(), edge_count);
    // `stamp[b] == a` marks `b` as already joined to the current node `a`.
    let mut stamp = vec![u32::MAX; node_count];
    let mut scratch = vec![
        EdgeData {
            weight: 0.0,
            categories: CategorySet::empty(),
        };
        node_count
    ];
    let mut touched: Vec<u32> = Vec::new();
    for a in 0..node_count {
        touched.clear();
        for (rank, later) in index.later_members(a) {
            let (weight, category) = (sources[rank].weight, sources[rank].category);
            for &b in later {
                let edge = &mut scratch[b as usize];
                if stamp[b as usize] != a as u32 {
                    stamp[b as usize] = a as u32;
                    touched.push(b);
                    *edge = EdgeData {
                        weight,
                        categories: CategorySet::from_iter([category]),
                    };
                    continue;
                }
                if !edge.categories.contains(category) {
                    edge.weight += weight;
                }
                edge.weight = edge.weight.min(MAX_EDGE_WEIGHT);
                edge.categories.insert(category);
            }
        }
        // Scanning the stamps of all later nodes visits them in order without sorting.
        // That is estimated to be cheaper than sorting once more than one later node in
        // eight was touched. Both give the same edges in the same order.
        if touched.len() * 8 > node_count - a {
            for b in a + 1..node_count {
                if stamp[b] == a as u32 {
                    graph.push_edge(b as u32, scratch[b]);
                }
            }
        } else {
            touched.sort_unstable();
            for &b in &touched {
                graph.push_edge(b, scratch[b as usize]);
            }
        }
        graph.end_row();
    }
    (graph.finish(), total_connections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::{PivotValue, Record};

    fn record(domain: &str, values: &[(Category, &str, Option<u64>)]) -> Record {
        Record {
            index: 0,
            domain: domain.to_string(),
            risk_score: Some(50.0),
            active: true,
            values: values
                .iter()
                .map(|&(category, value, count)| PivotValue {
                    category,
                    value: value.to_string(),
                    count,
                })
                .collect(),
            infra_values: Vec::new(),
        }
    }

    fn no_substrings() -> Settings {
        Settings {
            longest_common_substring: 0,
            ..Settings::default()
        }
    }

    fn edge_weight(scoring: &Scoring, a: &str, b: &str) -> Option<f64> {
        let find = |name: &str| {
            scoring
                .graph
                .node_indices()
                .find(|&n| scoring.node_name(n) == name)
        };
        let edge = scoring.graph.find_edge(find(a)?, find(b)?)?;
        Some(scoring.graph[edge].weight)
    }

    use Category::*;

    #[test]
    fn category_counts_first_pivot_only() {
        let records = [
            record(
                "a.com",
                &[(IpAddress, "1", Some(10)), (IpAddress, "2", Some(1000))],
            ),
            record(
                "b.com",
                &[(IpAddress, "1", Some(10)), (IpAddress, "2", Some(1000))],
            ),
            record("c.com", &[(Registrar, "r", Some(5))]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        let settings = Settings::default();
        let expected = settings.pivot_weight(Some(10));
        let weight = edge_weight(&scoring, "a.com", "b.com").expect("edge a-b");
        assert!((weight - expected).abs() < 1e-12);
    }

    #[test]
    fn categories_add_up_and_cap_at_five() {
        let values: Vec<(Category, &str, Option<u64>)> = [
            Adsense,
            GoogleAnalytics,
            CreateDate,
            RedirectDomain,
            Registrar,
            SslEmail,
            IpAddress,
        ]
        .into_iter()
        .map(|c| (c, "v", Some(1)))
        .collect();
        let records = [
            record("a.com", &values),
            record("b.com", &values),
            record("c.com", &[]),
        ];
        let settings = Settings {
            min_pivot_size: 2,
            ..no_substrings()
        };
        let scoring = score(&records, &settings).expect("valid settings");
        assert_eq!(
            edge_weight(&scoring, "a.com", "b.com"),
            Some(MAX_EDGE_WEIGHT)
        );
    }

    #[test]
    fn pivot_with_all_domains_is_trimmed() {
        let records = [
            record("a.com", &[(Tld, "com", None), (Registrar, "r", Some(3))]),
            record("b.com", &[(Tld, "com", None), (Registrar, "r", Some(3))]),
            record("c.com", &[(Tld, "com", None)]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        let kept: Vec<&str> = scoring.pivots().map(|p| p.value.as_str()).collect();
        assert_eq!(kept, vec!["r"]);
        assert_eq!(scoring.trimmed, vec![(2, TrimReason::Unconnected)]);
        assert_eq!(scoring.graph.node_count(), 2);
    }

    #[test]
    fn non_positive_weight_pivot_keeps_domains() {
        let records = [
            record("a.com", &[(IpCountryCode, "us", Some(400_000_000))]),
            record("b.com", &[(IpCountryCode, "us", Some(400_000_000))]),
            record("c.com", &[]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        assert_eq!(scoring.graph.node_count(), 2);
        assert_eq!(scoring.graph.edge_count(), 0);
        assert_eq!(scoring.isolated_nodes().count(), 2);
        assert_eq!(scoring.total_connections, 0);
    }

    #[test]
    fn create_date_only_domain_is_trimmed() {
        let records = [
            record(
                "a.com",
                &[(CreateDate, "2020", Some(9)), (Registrar, "r", Some(3))],
            ),
            record(
                "b.com",
                &[(CreateDate, "2020", Some(9)), (Registrar, "r", Some(3))],
            ),
            record("c.com", &[(CreateDate, "2020", Some(9))]),
            record("d.com", &[(Tld, "org", None)]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        assert_eq!(
            scoring.trimmed,
            vec![
                (2, TrimReason::CreateDateOnly),
                (3, TrimReason::Unconnected)
            ]
        );
        let create_date = scoring
            .pivots()
            .find(|p| p.category == CreateDate)
            .expect("create_date pivot kept");
        assert_eq!(create_date.domains, vec![0, 1]);
    }

    #[test]
    fn inactive_records_are_skipped() {
        let mut inactive = record("b.com", &[(Registrar, "r", Some(3))]);
        inactive.active = false;
        let records = [
            record("a.com", &[(Registrar, "r", Some(3))]),
            inactive,
            record("c.com", &[]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        assert_eq!(scoring.inactive, vec!["b.com".to_string()]);
        assert_eq!(scoring.domains.len(), 2);

        let everything = Settings {
            active_domains_only: false,
            ..no_substrings()
        };
        let scoring = score(&records, &everything).expect("valid settings");
        assert_eq!(scoring.domains.len(), 3);
        assert_eq!(scoring.graph.edge_count(), 1);
    }

    #[test]
    fn repeated_domain_merges_pivots() {
        let records = [
            record("a.com", &[(Registrar, "r", Some(3))]),
            record("b.com", &[(Registrar, "r", Some(3))]),
            record(
                "a.com",
                &[(Registrar, "r", Some(3)), (IpAddress, "1", Some(2))],
            ),
            record("c.com", &[(IpAddress, "1", Some(2))]),
            record("d.com", &[]),
        ];
        let scoring = score(&records, &no_substrings()).expect("valid settings");
        assert_eq!(scoring.domains.len(), 4);
        let registrar = scoring.pivots().find(|p| p.value == "r").expect("pivot r");
        assert_eq!(registrar.domains, vec![0, 1]);
        assert!(edge_weight(&scoring, "a.com", "c.com").is_some());
    }

    #[test]
    fn threshold_and_disabled_categories_drop_values() {
        let records = [
            record(
                "a.com",
                &[(Registrar, "r", Some(300)), (NsHost, "ns", Some(3))],
            ),
            record(
                "b.com",
                &[(Registrar, "r", Some(300)), (NsHost, "ns", Some(3))],
            ),
            record("c.com", &[]),
        ];
        let settings = Settings {
            global_count_threshold: Some(300),
            ..no_substrings()
        };
        let scoring = score(&records, &settings).expect("valid settings");
        assert!(scoring.all_pivots.is_empty());
        assert_eq!(scoring.graph.node_count(), 0);
    }

    #[test]
    fn substring_pivots_join_names() {
        let records = [
            record("irs-form-gov.us", &[]),
            record("ssa-form-gov.us", &[]),
            record("unrelated.us", &[]),
        ];
        let scoring = score(&records, &Settings::default()).expect("valid settings");
        let values: Vec<&str> = scoring.pivots().map(|p| p.value.as_str()).collect();
        assert_eq!(values, vec!["-form-gov"]);
        let weight = edge_weight(&scoring, "irs-form-gov.us", "ssa-form-gov.us");
        assert_eq!(weight, Some(0.5));

        let ignoring = Settings {
            ignore_substrings: vec!["-form-gov".into()],
            ..Settings::default()
        };
        let scoring = score(&records, &ignoring).expect("valid settings");
        assert_eq!(scoring.graph.node_count(), 0);
    }

    #[test]
    fn empty_input_gives_empty_graph() {
        let scoring = score(&[], &Settings::default()).expect("valid settings");
        assert_eq!(scoring.graph.node_count(), 0);
        assert_eq!(scoring.graph.edge_count(), 0);
    }
}
