//! Force-directed graph layout: ForceAtlas2 with a Barnes–Hut tree.
//!
//! Turns a weighted, undirected graph (a node count plus `(a, b, weight)` edges) into 2D or 3D
//! coordinates, so that strongly related domains are drawn close together and unrelated groups
//! drift apart. The forces follow ForceAtlas2 (Jacomy, Venturini, Heymann and Bastian, "ForceAtlas2,
//! a Continuous Graph Layout Algorithm for Handy Network Visualization Designed for the Gephi
//! Software", PLoS ONE 9(6), 2014), and the adaptive speed rules follow Gephi's `ForceAtlas2.java`:
//!
//! - every node has mass `degree + 1`;
//! - every pair of nodes repels with force `kr · m_a · m_b / d`, approximated with a quadtree (2D)
//!   or octree (3D) whose cells are treated as one body when `cell side / distance < theta`;
//! - every edge attracts its ends with force `weight^edge_weight_influence · d`;
//! - gravity pulls every node towards the origin with force `kg · m`, so that disconnected
//!   components stay at a bounded distance instead of drifting away forever;
//! - a global speed rises while nodes move consistently and drops while they swing back and
//!   forth, and each node's own speed drops with its swinging and is capped per step.
//!
//! The result is deterministic: the same inputs and settings give bit-identical positions on the
//! same platform, because initial positions come from a seeded PRNG and every loop runs in a fixed
//! order on one thread. Computation is in `f64`, and positions are exposed as `f32` for rendering.

use std::cmp::Ordering;

use crate::rng::SplitMix64;

/// Number of spatial dimensions of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimensions {
    /// Plane layout: `x, y` per node.
    Two,
    /// Space layout: `x, y, z` per node.
    Three,
}

impl Dimensions {
    /// Returns the number of coordinates per node: 2 or 3.
    pub const fn count(self) -> usize {
        match self {
            Dimensions::Two => 2,
            Dimensions::Three => 3,
        }
    }
}

/// Parameters of a [`ForceLayout`].
///
/// Values that make no sense (non-finite numbers, a non-positive `scaling`, a negative `gravity`,
/// `theta` or `convergence`) are replaced by the default for that field, with a logged warning.
#[derive(Clone, Debug)]
pub struct LayoutSettings {
    /// Number of coordinates per node.
    pub dimensions: Dimensions,
    /// Seed of the PRNG that places nodes without a given position.
    pub seed: u64,
    /// Maximum number of iterations. [`ForceLayout::step`] reports done once it is reached.
    pub max_iterations: u32,
    /// Repulsion coefficient `kr`. Layout distances grow roughly with `sqrt(kr)`.
    pub scaling: f64,
    /// Gravity coefficient `kg`. Larger values pull disconnected components closer to the centre.
    pub gravity: f64,
    /// Barnes–Hut opening criterion: a tree cell of side `s` at distance `d` from a node is treated
    /// as one body when `s / d < theta`. `0` computes every pair exactly (quadratic time).
    pub theta: f64,
    /// Exponent applied to edge weights before they scale the attraction. `0` ignores weights.
    pub edge_weight_influence: f64,
    /// Convergence threshold: the layout is settled once the mean node displacement of one step,
    /// divided by the layout's extent (largest side of its bounding box), drops below this value.
    /// `0` runs to `max_iterations`. The default `5e-4` settles the 200-node test graphs of this
    /// module in a few hundred iterations.
    pub convergence: f64,
    /// Bound on the edges that attract, per node. When the graph has more than
    /// `max_edges_per_node × node_count` edges, each node keeps only its
    /// `max_edges_per_node` heaviest edges (ties go to the lower neighbour index), and an
    /// edge attracts when either end keeps it. Masses count the kept edges, because masses
    /// from the full degree made repulsion outweigh the few kept edges and the layout
    /// kept expanding instead of settling. `0` keeps every edge. Scored exports of thousands of domains have hundreds of edges per
    /// node, mostly weak links through commodity registrars and hosts, and every edge
    /// costs time in every step.
    pub max_edges_per_node: usize,
}

const DEFAULT_MAX_ITERATIONS: u32 = 1000;
const DEFAULT_SCALING: f64 = 2.0;
const DEFAULT_GRAVITY: f64 = 1.0;
const DEFAULT_THETA: f64 = 1.2;
const DEFAULT_EDGE_WEIGHT_INFLUENCE: f64 = 1.0;
const DEFAULT_CONVERGENCE: f64 = 5e-4;
const DEFAULT_MAX_EDGES_PER_NODE: usize = 32;

impl Default for LayoutSettings {
    fn default() -> Self {
        LayoutSettings {
            dimensions: Dimensions::Two,
            seed: 0x00d0_c0a7,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            scaling: DEFAULT_SCALING,
            gravity: DEFAULT_GRAVITY,
            theta: DEFAULT_THETA,
            edge_weight_influence: DEFAULT_EDGE_WEIGHT_INFLUENCE,
            convergence: DEFAULT_CONVERGENCE,
            max_edges_per_node: DEFAULT_MAX_EDGES_PER_NODE,
        }
    }
}

impl LayoutSettings {
    /// Replaces each invalid field by its default and logs which ones were replaced.
    fn sanitized(mut self) -> Self {
        fn fix(name: &str, value: &mut f64, default: f64, valid: fn(f64) -> bool) {
            if !value.is_finite() || !valid(*value) {
                log::warn!("layout setting {name} = {value} is invalid, using {default}");
                *value = default;
            }
        }
        fix("scaling", &mut self.scaling, DEFAULT_SCALING, |v| v > 0.0);
        fix("gravity", &mut self.gravity, DEFAULT_GRAVITY, |v| v >= 0.0);
        fix("theta", &mut self.theta, DEFAULT_THETA, |v| v >= 0.0);
        fix(
            "edge_weight_influence",
            &mut self.edge_weight_influence,
            DEFAULT_EDGE_WEIGHT_INFLUENCE,
            |_| true,
        );
        fix(
            "convergence",
            &mut self.convergence,
            DEFAULT_CONVERGENCE,
            |v| v >= 0.0,
        );
        self
    }
}

/// Iterative ForceAtlas2 layout of one graph.
///
/// Create it with [`ForceLayout::new`] or [`ForceLayout::with_positions`], then call
/// [`ForceLayout::step`] (for an animation) or [`ForceLayout::run`] until it is done, and read
/// [`ForceLayout::positions`]. One step costs `O(n log n + e)` time for `n` nodes and `e` edges
/// when `theta > 0`, and the layout uses `O(n + e)` memory.
#[derive(Clone)]
pub struct ForceLayout {
    simulation: Simulation,
    positions: Vec<f32>,
    iteration: u32,
    max_iterations: u32,
    convergence: f64,
    done: bool,
}

#[derive(Clone)]
enum Simulation {
    Two(Engine<2>),
    Three(Engine<3>),
}

impl std::fmt::Debug for ForceLayout {
    // Summarizes instead of listing every coordinate, which would flood logs for large graphs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForceLayout")
            .field("dimensions", &self.dimensions())
            .field(
                "node_count",
                &(self.positions.len() / self.dimensions().count()),
            )
            .field("iteration", &self.iteration)
            .field("max_iterations", &self.max_iterations)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ForceLayout {
    /// Creates a layout with random initial positions drawn from `settings.seed`.
    ///
    /// `edges` are `(a, b, weight)` with `a, b < node_count` and `weight > 0`. The graph is
    /// undirected, and duplicate edges between the same pair are merged into one edge whose
    /// weight is their sum, so a node's mass is its number of distinct neighbours plus one
    /// (counting only kept edges when [`LayoutSettings::max_edges_per_node`] applies).
    /// Self-loops, edges with an out-of-range end and edges whose weight is not finite and
    /// positive are dropped with a logged warning.
    ///
    /// Runs in `O(n + e log e)` time.
    pub fn new(node_count: usize, edges: &[(u32, u32, f64)], settings: LayoutSettings) -> Self {
        Self::with_positions(node_count, edges, settings, &[])
    }

    /// Like [`ForceLayout::new`] but warm-starts from previous positions.
    ///
    /// `positions` is flat, `settings.dimensions.count()` floats per node in node order. Nodes
    /// past the end of `positions` or with a non-finite coordinate get a seeded random position
    /// inside the bounding box of the given ones (or around the single given point). Nodes that
    /// share a position with an earlier node are moved by a deterministic offset of about a
    /// thousandth of that box, because coincident nodes exert no force on each other and would
    /// never separate. All other given positions are kept exactly until the first step, and
    /// entries past the last node are ignored.
    ///
    /// Runs in `O(n log n + e log e)` time.
    pub fn with_positions(
        node_count: usize,
        edges: &[(u32, u32, f64)],
        settings: LayoutSettings,
        positions: &[f32],
    ) -> Self {
        let settings = settings.sanitized();
        let edges = normalize_edges(node_count, edges, settings.edge_weight_influence);
        let simulation = match settings.dimensions {
            Dimensions::Two => {
                Simulation::Two(Engine::new(node_count, edges, &settings, positions))
            }
            Dimensions::Three => {
                Simulation::Three(Engine::new(node_count, edges, &settings, positions))
            }
        };
        let mut layout = ForceLayout {
            simulation,
            positions: vec![0.0; node_count * settings.dimensions.count()],
            iteration: 0,
            max_iterations: settings.max_iterations,
            convergence: settings.convergence,
            // A single node or an empty graph has nothing to arrange.
            done: node_count <= 1 || settings.max_iterations == 0,
        };
        layout.export_positions();
        layout
    }

    /// Runs one iteration and returns whether the layout is now done: settled (see
    /// [`LayoutSettings::convergence`]) or at `max_iterations`. Once done, further calls change
    /// nothing and return `true`.
    ///
    /// Costs `O(n log n + e)` time for `n` nodes and `e` edges and does not allocate once the
    /// tree buffers have grown to fit.
    pub fn step(&mut self) -> bool {
        if self.done {
            return true;
        }
        let relative_displacement = match &mut self.simulation {
            Simulation::Two(engine) => engine.step(),
            Simulation::Three(engine) => engine.step(),
        };
        self.iteration += 1;
        self.export_positions();
        if relative_displacement < self.convergence || self.iteration >= self.max_iterations {
            self.done = true;
        }
        self.done
    }

    /// Runs steps until the layout is done and returns the number of iterations this call ran.
    pub fn run(&mut self) -> u32 {
        let start = self.iteration;
        while !self.step() {}
        self.iteration - start
    }

    /// Returns the number of edges that attract (after merging duplicates and applying
    /// [`LayoutSettings::max_edges_per_node`]).
    pub fn edge_count(&self) -> usize {
        match &self.simulation {
            Simulation::Two(engine) => engine.edges.len(),
            Simulation::Three(engine) => engine.edges.len(),
        }
    }

    /// Returns the number of iterations run so far.
    pub fn iteration(&self) -> u32 {
        self.iteration
    }

    /// Returns whether the layout has settled or reached `max_iterations`.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Returns the positions: `dimensions().count()` finite `f32` per node (`x, y` or
    /// `x, y, z`), in node order. The origin is the centre that gravity pulls towards.
    pub fn positions(&self) -> &[f32] {
        &self.positions
    }

    /// Returns the number of dimensions of the layout.
    pub fn dimensions(&self) -> Dimensions {
        match self.simulation {
            Simulation::Two(_) => Dimensions::Two,
            Simulation::Three(_) => Dimensions::Three,
        }
    }

    fn export_positions(&mut self) {
        match &self.simulation {
            Simulation::Two(engine) => engine.export(&mut self.positions),
            Simulation::Three(engine) => engine.export(&mut self.positions),
        }
    }
}

/// An edge with its ends in ascending order and its weight already raised to the influence
/// exponent.
#[derive(Clone, Copy, Debug)]
struct Edge {
    a: u32,
    b: u32,
    weight: f64,
}

/// Drops invalid edges, merges duplicates and returns them sorted by `(a, b)`.
fn normalize_edges(node_count: usize, edges: &[(u32, u32, f64)], influence: f64) -> Vec<Edge> {
    let mut dropped = 0usize;
    let mut sorted: Vec<Edge> = Vec::with_capacity(edges.len());
    for &(a, b, weight) in edges {
        let in_range = (a as usize) < node_count && (b as usize) < node_count;
        if a == b || !in_range || !weight.is_finite() || weight <= 0.0 {
            dropped += 1;
            continue;
        }
        sorted.push(Edge {
            a: a.min(b),
            b: a.max(b),
            weight,
        });
    }
    if dropped > 0 {
        log::warn!(
            "layout dropped {dropped} of {} edges (self-loop, node index out of range, or \
             weight not finite and positive)",
            edges.len()
        );
    }
    // Callers usually pass a graph's edges, already sorted; checking first skips a sort of
    // millions of edges.
    if !sorted.is_sorted_by_key(|edge| (edge.a, edge.b)) {
        sorted.sort_by_key(|edge| (edge.a, edge.b));
    }

    // Merging in place keeps one copy of the edges in memory, which matters for graphs
    // with millions of edges.
    let mut merged = sorted;
    merged.dedup_by(|edge, kept| {
        let duplicate = edge.a == kept.a && edge.b == kept.b;
        if duplicate {
            kept.weight += edge.weight;
        }
        duplicate
    });
    merged.shrink_to_fit();
    for edge in &mut merged {
        // Gephi special-cases these exponents too. `powf` would give the same values, slower.
        edge.weight = if influence == 0.0 {
            1.0
        } else if influence == 1.0 {
            edge.weight
        } else {
            edge.weight.powf(influence)
        };
        // A huge exponent can overflow to infinity or underflow to zero. The clamp keeps the
        // attraction finite without dropping the edge.
        edge.weight = edge.weight.clamp(f64::MIN_POSITIVE, f64::MAX.sqrt());
    }
    merged
}

/// Keeps the edges that some end counts among its `per_node` heaviest, in their given
/// order, with ties going to the lower neighbour index. Keeps all edges when there are at
/// most `per_node × node_count` or `per_node` is 0. Edges must have ends below
/// `node_count`.
pub fn heaviest_per_node(
    node_count: usize,
    edges: Vec<(u32, u32, f64)>,
    per_node: usize,
) -> Vec<(u32, u32, f64)> {
    if per_node == 0 || edges.len() <= per_node.saturating_mul(node_count) {
        return edges;
    }
    let edges = edges
        .into_iter()
        .filter(|&(a, b, _)| (a as usize) < node_count && (b as usize) < node_count)
        .map(|(a, b, weight)| Edge { a, b, weight })
        .collect();
    strongest_edges(node_count, edges, per_node)
        .into_iter()
        .map(|e| (e.a, e.b, e.weight))
        .collect()
}

/// Returns the edges that some end counts among its `per_node` heaviest, in their sorted
/// order, or all edges when there are at most `per_node × node_count` of them or
/// `per_node` is 0. Costs O(e) time and O(e) temporary memory for `e` edges.
fn strongest_edges(node_count: usize, edges: Vec<Edge>, per_node: usize) -> Vec<Edge> {
    if per_node == 0 || edges.len() <= per_node.saturating_mul(node_count) {
        return edges;
    }
    // Incident edge indices per node, as compressed rows.
    let mut starts = vec![0usize; node_count + 1];
    for edge in &edges {
        starts[edge.a as usize + 1] += 1;
        starts[edge.b as usize + 1] += 1;
    }
    for k in 0..node_count {
        starts[k + 1] += starts[k];
    }
    let mut incident = vec![0u32; 2 * edges.len()];
    let mut fill = starts.clone();
    for (index, edge) in edges.iter().enumerate() {
        for end in [edge.a, edge.b] {
            incident[fill[end as usize]] = index as u32;
            fill[end as usize] += 1;
        }
    }
    drop(fill);

    let mut keep = vec![false; edges.len()];
    for node in 0..node_count {
        let row = &mut incident[starts[node]..starts[node + 1]];
        let other = |index: u32| {
            let edge = &edges[index as usize];
            if edge.a as usize == node {
                edge.b
            } else {
                edge.a
            }
        };
        // Heaviest first, then lower neighbour: a total order, so the kept set does not
        // depend on how the selection moves elements.
        let order = |x: &u32, y: &u32| {
            let (ex, ey) = (&edges[*x as usize], &edges[*y as usize]);
            ey.weight
                .total_cmp(&ex.weight)
                .then(other(*x).cmp(&other(*y)))
        };
        if row.len() > per_node {
            row.select_nth_unstable_by(per_node - 1, order);
        }
        for &index in row.iter().take(per_node) {
            keep[index as usize] = true;
        }
    }
    drop(incident);
    let mut kept = edges;
    let mut index = 0;
    kept.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    kept.shrink_to_fit();
    kept
}

impl SplitMix64 {
    /// Returns a uniform value in `[-0.5, 0.5)`.
    fn next_centered(&mut self) -> f64 {
        self.unit() - 0.5
    }
}

/// Side of the initial random box, as a multiple of `sqrt(kr) · n^(1/D)`. Repulsion inflates the
/// cloud within the first few dozen steps. Boxes 4 and 15 times larger, tried on random graphs of
/// 50 to 2000 nodes, did not settle in fewer iterations.
const INITIAL_SPACING: f64 = 2.0;

/// Maximum displacement of one node in one step, in units of `sqrt(kr)`. The distance at which
/// two connected nodes balance grows with `sqrt(kr)`, so this cap is a fixed number of typical
/// edge lengths whatever the scaling. Gephi's ForceAtlas2 caps displacement at 10 layout units
/// in its overlap-prevention mode, and the cap keeps a node from jumping across the layout when
/// it starts very close to another.
const MAX_NODE_DISPLACEMENT: f64 = 10.0;

/// Gephi's jitter tolerance `tau`. Higher values allow more swinging in exchange for speed.
const JITTER_TOLERANCE: f64 = 1.0;

/// Upper bound on the global speed, so that it cannot overflow in a layout that keeps
/// accelerating, for example one node drifting in an otherwise empty graph.
const MAX_SPEED: f64 = 1e12;

/// ForceAtlas2 state for `D` dimensions.
#[derive(Clone)]
struct Engine<const D: usize> {
    positions: Vec<[f64; D]>,
    forces: Vec<[f64; D]>,
    previous_forces: Vec<[f64; D]>,
    masses: Vec<f64>,
    edges: Vec<Edge>,
    tree: Tree<D>,
    repulsion: f64,
    gravity: f64,
    theta: f64,
    max_displacement: f64,
    speed: f64,
    speed_efficiency: f64,
}

impl<const D: usize> Engine<D> {
    fn new(
        node_count: usize,
        edges: Vec<Edge>,
        settings: &LayoutSettings,
        warm_start: &[f32],
    ) -> Self {
        let edges = strongest_edges(node_count, edges, settings.max_edges_per_node);
        let mut degrees = vec![0u32; node_count];
        for edge in &edges {
            degrees[edge.a as usize] += 1;
            degrees[edge.b as usize] += 1;
        }
        let masses = degrees.iter().map(|&d| f64::from(d) + 1.0).collect();
        let unit = settings.scaling.sqrt();
        let spread = INITIAL_SPACING * unit * (node_count.max(1) as f64).powf(1.0 / D as f64);
        let positions = initial_positions::<D>(node_count, warm_start, settings.seed, spread);
        Engine {
            positions,
            forces: vec![[0.0; D]; node_count],
            previous_forces: vec![[0.0; D]; node_count],
            masses,
            edges,
            tree: Tree::new(),
            repulsion: settings.scaling,
            gravity: settings.gravity,
            theta: settings.theta,
            max_displacement: MAX_NODE_DISPLACEMENT * unit,
            speed: 1.0,
            speed_efficiency: 1.0,
        }
    }

    /// Runs one ForceAtlas2 iteration and returns the mean node displacement divided by the
    /// extent of the layout after the step.
    fn step(&mut self) -> f64 {
        let n = self.positions.len();
        if n == 0 {
            return 0.0;
        }
        std::mem::swap(&mut self.forces, &mut self.previous_forces);
        for force in &mut self.forces {
            *force = [0.0; D];
        }

        self.apply_repulsion();
        self.apply_gravity();
        self.apply_attraction();
        self.adjust_speed();
        self.move_nodes()
    }

    fn apply_repulsion(&mut self) {
        self.tree.build(&self.positions, &self.masses);
        let theta_squared = self.theta * self.theta;
        // Visiting nodes in tree order keeps consecutive traversals on the same cells, which
        // matters for cache use. The order does not change any node's force.
        for rank in 0..self.tree.order.len() {
            let i = self.tree.order[rank];
            self.forces[i as usize] = self.tree.repulsion_on(
                i,
                &self.positions,
                &self.masses,
                self.repulsion,
                theta_squared,
            );
        }
    }

    fn apply_gravity(&mut self) {
        if self.gravity == 0.0 {
            return;
        }
        for i in 0..self.positions.len() {
            let p = self.positions[i];
            let distance = norm(&p);
            // At the origin the direction is undefined and the node is where gravity wants it.
            if distance > 0.0 && distance.is_finite() {
                let factor = self.gravity * self.masses[i] / distance;
                for (force, x) in self.forces[i].iter_mut().zip(p) {
                    *force -= x * factor;
                }
            }
        }
    }

    fn apply_attraction(&mut self) {
        // Edges are sorted by their lower end `a`, and `b > a`. So the force on `a` can
        // stay in a local across its run of edges, because no edge of the run writes to
        // `a`. The additions happen in the same order, so the sums are bit-identical to
        // updating `forces[a]` edge by edge.
        let mut run_start = 0;
        while run_start < self.edges.len() {
            let a = self.edges[run_start].a as usize;
            let run_end = run_start
                + self.edges[run_start..]
                    .iter()
                    .position(|edge| edge.a as usize != a)
                    .unwrap_or(self.edges.len() - run_start);
            let position_a = self.positions[a];
            let mut force_a = self.forces[a];
            for edge in &self.edges[run_start..run_end] {
                let b = edge.b as usize;
                let position_b = self.positions[b];
                let force_b = &mut self.forces[b];
                for k in 0..D {
                    let pull = (position_a[k] - position_b[k]) * edge.weight;
                    force_a[k] -= pull;
                    force_b[k] += pull;
                }
            }
            self.forces[a] = force_a;
            run_start = run_end;
        }
    }

    /// Updates the global speed from how much the nodes swing (change direction) versus how much
    /// they travel consistently (traction), as Gephi's ForceAtlas2 does.
    fn adjust_speed(&mut self) {
        let n = self.positions.len() as f64;
        let mut total_swinging = 0.0;
        let mut total_traction = 0.0;
        for i in 0..self.positions.len() {
            let (old, new) = (&self.previous_forces[i], &self.forces[i]);
            let mut difference = [0.0; D];
            let mut sum = [0.0; D];
            for k in 0..D {
                difference[k] = old[k] - new[k];
                sum[k] = old[k] + new[k];
            }
            total_swinging += self.masses[i] * norm(&difference);
            total_traction += self.masses[i] * 0.5 * norm(&sum);
        }
        if !(total_swinging > 0.0 && total_swinging.is_finite() && total_traction.is_finite()) {
            // The speed stays as it is when no force changed or a force overflowed.
            return;
        }

        // Gephi's empirical tolerance lets bigger graphs swing more and denser graphs less.
        let estimated_tolerance = 0.05 * n.sqrt();
        let min_tolerance = estimated_tolerance.sqrt();
        let max_tolerance = 10.0_f64;
        let mut tolerance = JITTER_TOLERANCE
            * min_tolerance.max(max_tolerance.min(estimated_tolerance * total_traction / (n * n)));

        let min_speed_efficiency = 0.05;
        if total_swinging / total_traction > 2.0 {
            // Erratic movement halves the speed efficiency.
            if self.speed_efficiency > min_speed_efficiency {
                self.speed_efficiency *= 0.5;
            }
            tolerance = tolerance.max(JITTER_TOLERANCE);
        }

        let target_speed = tolerance * self.speed_efficiency * total_traction / total_swinging;

        if total_swinging > tolerance * total_traction {
            if self.speed_efficiency > min_speed_efficiency {
                self.speed_efficiency *= 0.7;
            }
        } else if self.speed < 1000.0 {
            self.speed_efficiency *= 1.3;
        }

        // A speed that rises too fast makes the layout oscillate, so the rise is capped at 50 %.
        let max_rise = 0.5;
        let speed = self.speed + (target_speed - self.speed).min(max_rise * self.speed);
        if speed > 0.0 && speed.is_finite() {
            self.speed = speed.min(MAX_SPEED);
        }
    }

    /// Moves every node along its force and returns the mean displacement divided by the extent
    /// of the layout after the move.
    fn move_nodes(&mut self) -> f64 {
        let mut total_displacement = 0.0;
        let mut low = [f64::INFINITY; D];
        let mut high = [f64::NEG_INFINITY; D];
        for i in 0..self.positions.len() {
            let (old, force) = (&self.previous_forces[i], &self.forces[i]);
            let mut difference = [0.0; D];
            for k in 0..D {
                difference[k] = old[k] - force[k];
            }
            // Each node slows down with its own swinging, so oscillating nodes calm down while
            // the rest keep the global speed.
            let swinging = self.masses[i] * norm(&difference);
            let mut factor = self.speed / (1.0 + (self.speed * swinging).sqrt());
            let force_norm = norm(force);
            if factor * force_norm > self.max_displacement {
                factor = self.max_displacement / force_norm;
            }

            let mut moved = self.positions[i];
            for k in 0..D {
                moved[k] += force[k] * factor;
            }
            if moved.iter().all(|x| x.is_finite()) {
                let mut step = [0.0; D];
                for k in 0..D {
                    step[k] = moved[k] - self.positions[i][k];
                }
                total_displacement += norm(&step);
                self.positions[i] = moved;
            }
            for k in 0..D {
                low[k] = low[k].min(self.positions[i][k]);
                high[k] = high[k].max(self.positions[i][k]);
            }
        }

        let extent = (0..D).map(|k| high[k] - low[k]).fold(0.0, f64::max);
        let mean = total_displacement / self.positions.len() as f64;
        if mean == 0.0 {
            0.0
        } else if extent > 0.0 {
            mean / extent
        } else {
            f64::INFINITY
        }
    }

    /// Writes the positions into `out` as `f32`, clamped to the finite `f32` range.
    fn export(&self, out: &mut [f32]) {
        for (chunk, p) in out.chunks_exact_mut(D).zip(&self.positions) {
            for k in 0..D {
                chunk[k] = p[k].clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32;
            }
        }
    }
}

/// Euclidean norm that does not overflow for components up to `f64::MAX / D`.
fn norm<const D: usize>(v: &[f64; D]) -> f64 {
    let largest = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    let sum: f64 = v.iter().map(|x| (x / largest) * (x / largest)).sum();
    largest * sum.sqrt()
}

/// Builds the initial positions from the given flat `f32` positions, fills the missing ones with
/// seeded random positions, and separates coincident nodes.
fn initial_positions<const D: usize>(
    node_count: usize,
    warm_start: &[f32],
    seed: u64,
    spread: f64,
) -> Vec<[f64; D]> {
    let mut rng = SplitMix64(seed);
    let mut positions: Vec<Option<[f64; D]>> = (0..node_count)
        .map(|i| {
            let chunk = warm_start.get(i * D..(i + 1) * D)?;
            let mut p = [0.0; D];
            for k in 0..D {
                p[k] = f64::from(chunk[k]);
            }
            p.iter().all(|x| x.is_finite()).then_some(p)
        })
        .collect();

    // Missing nodes go inside the bounding box of the given ones, or into a box of side `spread`
    // around the single given point or the origin.
    let has_warm_start = positions.iter().any(Option::is_some);
    let mut low = [f64::INFINITY; D];
    let mut high = [f64::NEG_INFINITY; D];
    for p in positions.iter().flatten() {
        for k in 0..D {
            low[k] = low[k].min(p[k]);
            high[k] = high[k].max(p[k]);
        }
    }
    let (centre, side) = bounding_cube(&low, &high);
    let (centre, side) = if side > 0.0 {
        (centre, side)
    } else if has_warm_start {
        (centre, spread)
    } else {
        ([0.0; D], spread)
    };
    for slot in positions.iter_mut() {
        if slot.is_none() {
            let mut p = centre;
            for x in p.iter_mut() {
                *x += side * rng.next_centered();
            }
            *slot = Some(p);
        }
    }
    let mut positions: Vec<[f64; D]> = positions.into_iter().flatten().collect();
    separate_coincident(&mut positions, &mut rng, side);
    positions
}

/// Moves every node that shares its exact position with a lower-indexed node by a random offset
/// of about `side / 1000` per coordinate, because coincident nodes exert no force on each other.
fn separate_coincident<const D: usize>(
    positions: &mut [[f64; D]],
    rng: &mut SplitMix64,
    side: f64,
) {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|&a, &b| {
        let by_position = (0..D)
            .map(|k| positions[a][k].total_cmp(&positions[b][k]))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal);
        by_position.then(a.cmp(&b))
    });
    let radius = side * 1e-3;
    let mut first_of_run = 0;
    for rank in 1..order.len() {
        let (reference, current) = (order[first_of_run], order[rank]);
        if positions[reference] != positions[current] {
            first_of_run = rank;
            continue;
        }
        let mut p = positions[current];
        for x in p.iter_mut() {
            *x += radius * rng.next_centered();
        }
        positions[current] = p;
    }
}

/// Returns the centre and side of the smallest axis-aligned cube containing the box `low..high`,
/// or side `0` when the box is empty or a point.
fn bounding_cube<const D: usize>(low: &[f64; D], high: &[f64; D]) -> ([f64; D], f64) {
    let mut centre = [0.0; D];
    let mut side = 0.0f64;
    for k in 0..D {
        // Also rejects NaN bounds and the inverted bounds of an empty set.
        if low[k].partial_cmp(&high[k]).is_none_or(Ordering::is_gt) {
            return ([0.0; D], 0.0);
        }
        centre[k] = low[k] * 0.5 + high[k] * 0.5;
        side = side.max(high[k] - low[k]);
    }
    (centre, side)
}

/// Depth limit of the Barnes–Hut tree. Below it, cells are `2^-48` of the root side, beyond f32
/// resolution, so nodes that still share a cell are kept in one leaf as a list and repel each
/// other pair by pair instead of splitting forever.
const MAX_TREE_DEPTH: u32 = 48;

/// Marks a leaf: the root is cell 0 and never anyone's child.
const NO_CHILDREN: u32 = 0;
/// Marks an empty leaf or the end of a leaf's node list.
const NO_NODE: u32 = u32::MAX;

/// One cell of the Barnes–Hut tree.
#[derive(Clone, Copy)]
struct Cell<const D: usize> {
    centre: [f64; D],
    half_side: f64,
    mass: f64,
    /// Mass-weighted sum of positions while building, then the centre of mass.
    mass_centre: [f64; D],
    /// Index of the first of `2^D` consecutive children, or `NO_CHILDREN` for a leaf.
    first_child: u32,
    /// First graph node of a leaf's list, or `NO_NODE`.
    first_node: u32,
}

impl<const D: usize> Cell<D> {
    fn empty(centre: [f64; D], half_side: f64) -> Self {
        Cell {
            centre,
            half_side,
            mass: 0.0,
            mass_centre: [0.0; D],
            first_child: NO_CHILDREN,
            first_node: NO_NODE,
        }
    }

    /// Returns which child of this cell contains `p`: bit `k` is set when `p[k]` lies on the
    /// upper side of the centre.
    fn child_index(&self, p: &[f64; D]) -> usize {
        (0..D).fold(0, |index, k| {
            index | (usize::from(p[k] >= self.centre[k]) << k)
        })
    }

    fn contains(&self, p: &[f64; D]) -> bool {
        (0..D).all(|k| (p[k] - self.centre[k]).abs() <= self.half_side)
    }
}

/// Quadtree (`D = 2`) or octree (`D = 3`) over the node positions, rebuilt every step into
/// buffers that keep their capacity.
#[derive(Clone)]
struct Tree<const D: usize> {
    cells: Vec<Cell<D>>,
    /// Next node in the same leaf list, indexed by node.
    next_node: Vec<u32>,
    /// Graph nodes in depth-first leaf order, so that consecutive nodes are spatial neighbours.
    order: Vec<u32>,
    stack: Vec<u32>,
}

impl<const D: usize> Tree<D> {
    fn new() -> Self {
        Tree {
            cells: Vec::new(),
            next_node: Vec::new(),
            order: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Rebuilds the tree over `positions`. Takes `O(n · depth)` time, where the depth is about
    /// `log2(n)` for spread-out nodes and at most `MAX_TREE_DEPTH`.
    fn build(&mut self, positions: &[[f64; D]], masses: &[f64]) {
        let mut low = [f64::INFINITY; D];
        let mut high = [f64::NEG_INFINITY; D];
        for p in positions {
            for k in 0..D {
                low[k] = low[k].min(p[k]);
                high[k] = high[k].max(p[k]);
            }
        }
        let (centre, side) = bounding_cube(&low, &high);
        // A little margin keeps the extreme nodes inside despite rounding of the centre.
        let half_side = if side > 0.0 {
            side * 0.5 * (1.0 + 1e-9)
        } else {
            1.0
        };

        self.cells.clear();
        self.cells.push(Cell::empty(centre, half_side));
        self.next_node.clear();
        self.next_node.resize(positions.len(), NO_NODE);
        for (node, (p, &mass)) in positions.iter().zip(masses).enumerate() {
            self.insert(node as u32, p, mass, positions, masses);
        }
        for cell in &mut self.cells {
            if cell.mass > 0.0 {
                for x in cell.mass_centre.iter_mut() {
                    *x /= cell.mass;
                }
            }
        }
        self.collect_order();
    }

    fn collect_order(&mut self) {
        self.order.clear();
        self.stack.clear();
        self.stack.push(0);
        while let Some(index) = self.stack.pop() {
            let cell = &self.cells[index as usize];
            if cell.first_child == NO_CHILDREN {
                let mut node = cell.first_node;
                while node != NO_NODE {
                    self.order.push(node);
                    node = self.next_node[node as usize];
                }
            } else {
                self.stack
                    .extend(cell.first_child..cell.first_child + (1u32 << D));
            }
        }
    }

    fn insert(
        &mut self,
        node: u32,
        p: &[f64; D],
        mass: f64,
        positions: &[[f64; D]],
        masses: &[f64],
    ) {
        let mut index = 0usize;
        let mut depth = 0;
        loop {
            let cell = &mut self.cells[index];
            cell.mass += mass;
            for (sum, x) in cell.mass_centre.iter_mut().zip(p) {
                *sum += mass * x;
            }
            if cell.first_child != NO_CHILDREN {
                index = cell.first_child as usize + cell.child_index(p);
                depth += 1;
                continue;
            }
            if cell.first_node == NO_NODE {
                cell.first_node = node;
                return;
            }
            if depth >= MAX_TREE_DEPTH {
                self.next_node[node as usize] = cell.first_node;
                cell.first_node = node;
                return;
            }

            // An occupied leaf above the depth limit contains exactly one node: split it and move
            // that node down, then continue inserting into the child that contains `p`.
            let parent = *cell;
            let resident = parent.first_node;
            let first_child = self.cells.len();
            self.cells[index].first_node = NO_NODE;
            self.cells[index].first_child = first_child as u32;
            let quarter = parent.half_side * 0.5;
            for child in 0..(1usize << D) {
                let mut centre = parent.centre;
                for (k, x) in centre.iter_mut().enumerate() {
                    *x += if child >> k & 1 == 1 {
                        quarter
                    } else {
                        -quarter
                    };
                }
                self.cells.push(Cell::empty(centre, quarter));
            }
            let resident_position = &positions[resident as usize];
            let resident_mass = masses[resident as usize];
            let resident_cell =
                &mut self.cells[first_child + parent.child_index(resident_position)];
            resident_cell.mass = resident_mass;
            for (sum, x) in resident_cell.mass_centre.iter_mut().zip(resident_position) {
                *sum = resident_mass * x;
            }
            resident_cell.first_node = resident;

            index = first_child + parent.child_index(p);
            depth += 1;
        }
    }

    /// Returns the ForceAtlas2 repulsion `kr · m_i · m_j / d` on `node` from all other nodes,
    /// summing far cells as single bodies. Cells that contain the node are always opened so that
    /// the node never repels itself.
    fn repulsion_on(
        &mut self,
        node: u32,
        positions: &[[f64; D]],
        masses: &[f64],
        kr: f64,
        theta_squared: f64,
    ) -> [f64; D] {
        let p = &positions[node as usize];
        let coefficient = kr * masses[node as usize];
        let mut force = [0.0; D];
        self.stack.clear();
        self.stack.push(0);
        while let Some(index) = self.stack.pop() {
            let cell = &self.cells[index as usize];
            if cell.mass == 0.0 {
                continue;
            }
            if cell.first_child == NO_CHILDREN {
                let mut other = cell.first_node;
                while other != NO_NODE {
                    if other != node {
                        let q = &positions[other as usize];
                        add_repulsion(&mut force, p, q, coefficient * masses[other as usize]);
                    }
                    other = self.next_node[other as usize];
                }
                continue;
            }
            let mut distance_squared = 0.0;
            for (x, centre) in p.iter().zip(&cell.mass_centre) {
                distance_squared += (x - centre) * (x - centre);
            }
            let side = 2.0 * cell.half_side;
            if side * side < theta_squared * distance_squared && !cell.contains(p) {
                add_repulsion(&mut force, p, &cell.mass_centre, coefficient * cell.mass);
            } else {
                for child in cell.first_child..cell.first_child + (1u32 << D) {
                    if self.cells[child as usize].mass > 0.0 {
                        self.stack.push(child);
                    }
                }
            }
        }
        force
    }
}

/// Adds to `force` the repulsion `strength / d` on a body at `p` away from a body at `q`.
/// Coincident bodies add nothing, because the direction is undefined.
fn add_repulsion<const D: usize>(force: &mut [f64; D], p: &[f64; D], q: &[f64; D], strength: f64) {
    let mut delta = [0.0; D];
    let mut distance_squared = 0.0;
    for k in 0..D {
        delta[k] = p[k] - q[k];
        distance_squared += delta[k] * delta[k];
    }
    let factor = strength / distance_squared;
    // An infinite factor means the bodies coincide to within f64 range, far below f32 resolution.
    if !factor.is_finite() {
        return;
    }
    for k in 0..D {
        force[k] += delta[k] * factor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic test PRNG, independent of the seeds under test.
    fn test_rng(state: &mut u64) -> u64 {
        let mut rng = SplitMix64(*state);
        let value = rng.next_u64();
        *state = rng.0;
        value
    }

    fn random_edges(node_count: u32, edge_count: usize, seed: u64) -> Vec<(u32, u32, f64)> {
        let mut state = seed;
        (0..edge_count)
            .map(|_| {
                let a = (test_rng(&mut state) % u64::from(node_count)) as u32;
                let b = (test_rng(&mut state) % u64::from(node_count)) as u32;
                (a, b, 1.0)
            })
            .collect()
    }

    /// `groups` communities of `node_count / groups` nodes, each node linked to `per_node` random
    /// members of its own community, plus `bridges` random edges anywhere.
    fn community_edges(
        node_count: u32,
        groups: u32,
        per_node: u32,
        bridges: usize,
    ) -> Vec<(u32, u32, f64)> {
        let mut state = 7;
        let mut edges = Vec::new();
        let group_size = node_count / groups;
        for a in 0..node_count {
            for _ in 0..per_node {
                let member = (test_rng(&mut state) % u64::from(group_size)) as u32;
                let b = member * groups + a % groups;
                let weight = 1.0 + (test_rng(&mut state) % 3) as f64;
                edges.push((a, b, weight));
            }
        }
        edges.extend(random_edges(node_count, bridges, 11));
        edges
    }

    fn clique(nodes: std::ops::Range<u32>) -> Vec<(u32, u32, f64)> {
        let mut edges = Vec::new();
        for a in nodes.clone() {
            for b in a + 1..nodes.end {
                edges.push((a, b, 1.0));
            }
        }
        edges
    }

    fn settings(dimensions: Dimensions) -> LayoutSettings {
        LayoutSettings {
            dimensions,
            ..LayoutSettings::default()
        }
    }

    fn assert_all_finite(positions: &[f32]) {
        for (index, x) in positions.iter().enumerate() {
            assert!(x.is_finite(), "coordinate {index} is {x}");
        }
    }

    fn point(positions: &[f32], dims: usize, node: usize) -> &[f32] {
        &positions[node * dims..(node + 1) * dims]
    }

    fn distance(positions: &[f32], dims: usize, a: usize, b: usize) -> f64 {
        let (p, q) = (point(positions, dims, a), point(positions, dims, b));
        p.iter()
            .zip(q)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    fn extent(positions: &[f32], dims: usize) -> f64 {
        (0..dims)
            .map(|k| {
                let axis = positions
                    .iter()
                    .skip(k)
                    .step_by(dims)
                    .map(|x| f64::from(*x));
                let high = axis.clone().fold(f64::NEG_INFINITY, f64::max);
                let low = axis.fold(f64::INFINITY, f64::min);
                high - low
            })
            .fold(0.0, f64::max)
    }

    fn bits(positions: &[f32]) -> Vec<u32> {
        positions.iter().map(|x| x.to_bits()).collect()
    }

    fn all_distinct(positions: &[f32], dims: usize) -> bool {
        let mut points: Vec<Vec<u32>> = positions.chunks(dims).map(bits).collect();
        points.sort();
        points.windows(2).all(|pair| pair[0] != pair[1])
    }

    #[test]
    fn defaults_match_documentation() {
        let defaults = LayoutSettings::default();
        assert_eq!(defaults.dimensions, Dimensions::Two);
        assert_eq!(defaults.max_iterations, 1000);
        assert_eq!(defaults.theta, 1.2);
        assert_eq!(defaults.gravity, 1.0);
        assert_eq!(defaults.edge_weight_influence, 1.0);
        assert!(defaults.scaling > 0.0);
        assert!(defaults.convergence > 0.0);
        assert_eq!(defaults.max_edges_per_node, 32);
    }

    #[test]
    fn same_inputs_give_identical_positions() {
        let edges = community_edges(300, 6, 3, 20);
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let mut first = ForceLayout::new(300, &edges, settings(dimensions));
            let mut second = ForceLayout::new(300, &edges, settings(dimensions));
            let first_iterations = first.run();
            let second_iterations = second.run();
            assert_eq!(first_iterations, second_iterations, "{dimensions:?}");
            assert_eq!(
                bits(first.positions()),
                bits(second.positions()),
                "{dimensions:?}"
            );
        }
    }

    #[test]
    fn different_seeds_give_different_positions() {
        let edges = community_edges(100, 4, 3, 5);
        let mut first = ForceLayout::new(100, &edges, LayoutSettings::default());
        let mut second = ForceLayout::new(
            100,
            &edges,
            LayoutSettings {
                seed: 12345,
                ..LayoutSettings::default()
            },
        );
        assert_ne!(bits(first.positions()), bits(second.positions()));
        for _ in 0..20 {
            first.step();
            second.step();
        }
        assert_ne!(bits(first.positions()), bits(second.positions()));
    }

    #[test]
    fn empty_graph_is_done_at_once() {
        let mut layout = ForceLayout::new(0, &[], LayoutSettings::default());
        assert!(layout.positions().is_empty());
        assert!(layout.is_done());
        assert!(layout.step());
        assert_eq!(layout.run(), 0);
        assert_eq!(layout.iteration(), 0);
    }

    #[test]
    fn empty_graph_ignores_edges() {
        let mut layout = ForceLayout::new(0, &[(0, 1, 1.0)], LayoutSettings::default());
        assert!(layout.positions().is_empty());
        assert!(layout.step());
    }

    #[test]
    fn single_node_has_finite_position() {
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let mut layout = ForceLayout::new(1, &[(0, 0, 1.0)], settings(dimensions));
            assert_eq!(layout.positions().len(), dimensions.count());
            assert_all_finite(layout.positions());
            assert!(layout.is_done());
            assert_eq!(layout.run(), 0);
        }
    }

    #[test]
    fn two_connected_nodes_settle_apart() {
        let mut layout = ForceLayout::new(2, &[(0, 1, 1.0)], LayoutSettings::default());
        let iterations = layout.run();
        assert!(iterations < 1000, "ran {iterations} iterations");
        assert_all_finite(layout.positions());
        assert!(distance(layout.positions(), 2, 0, 1) > 0.1);
    }

    #[test]
    fn graph_without_edges_spreads_and_settles() {
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let dims = dimensions.count();
            let mut layout = ForceLayout::new(100, &[], settings(dimensions));
            let iterations = layout.run();
            assert!(
                iterations < 1000,
                "{dimensions:?} ran {iterations} iterations"
            );
            assert_all_finite(layout.positions());
            assert!(all_distinct(layout.positions(), dims), "{dimensions:?}");
            assert!(extent(layout.positions(), dims) > 1.0, "{dimensions:?}");
        }
    }

    #[test]
    fn invalid_edges_are_dropped() {
        let edges = [
            (0, 0, 1.0),
            (0, 1, 1.0),
            (1, 0, 2.0),
            (0, 1, 0.5),
            (2, 99, 1.0),
            (99, 99, 1.0),
            (1, 2, f64::NAN),
            (1, 2, f64::INFINITY),
            (1, 2, -1.0),
            (1, 2, 0.0),
            (2, 3, 1.0),
        ];
        let merged = normalize_edges(4, &edges, 1.0);
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].a, merged[0].b, merged[0].weight), (0, 1, 3.5));
        assert_eq!((merged[1].a, merged[1].b, merged[1].weight), (2, 3, 1.0));

        let mut layout = ForceLayout::new(4, &edges, LayoutSettings::default());
        layout.run();
        assert_all_finite(layout.positions());
    }

    #[test]
    fn edge_weight_influence_applies_exponent() {
        let edges = [(0, 1, 4.0)];
        assert_eq!(normalize_edges(2, &edges, 0.0)[0].weight, 1.0);
        assert_eq!(normalize_edges(2, &edges, 1.0)[0].weight, 4.0);
        assert_eq!(normalize_edges(2, &edges, 0.5)[0].weight, 2.0);
        let huge = normalize_edges(2, &edges, 1e6)[0].weight;
        assert!(huge.is_finite());
    }

    #[test]
    fn dense_graph_keeps_heaviest_edges_per_node() {
        // A 4-clique 1..=4 with weight 0.5, and node 0 joined to each of them with weight
        // 0.1 · b: 10 edges, more than 1 per node for 5 nodes.
        let mut edges = clique(1..5);
        for edge in &mut edges {
            edge.2 = 0.5;
        }
        edges.extend((1..5).map(|b| (0, b, 0.1 * f64::from(b))));
        let settings = LayoutSettings {
            max_edges_per_node: 1,
            ..LayoutSettings::default()
        };
        let layout = ForceLayout::new(5, &edges, settings);
        let Simulation::Two(engine) = &layout.simulation else {
            panic!("expected a 2D layout");
        };
        let kept: Vec<(u32, u32)> = engine.edges.iter().map(|e| (e.a, e.b)).collect();
        // Node 0 keeps its heaviest edge, 0-4. Nodes 1 to 4 each have three clique edges
        // of equal weight and keep the one to the lowest neighbour: 1-2, 1-2, 1-3, 1-4.
        assert_eq!(kept, vec![(0, 4), (1, 2), (1, 3), (1, 4)]);
        assert_eq!(layout.edge_count(), 4);
        // Masses are the kept degrees plus one.
        assert_eq!(engine.masses, vec![2.0, 4.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn sparse_graph_keeps_every_edge() {
        let edges = community_edges(300, 6, 3, 20);
        let all = ForceLayout::new(
            300,
            &edges,
            LayoutSettings {
                max_edges_per_node: 0,
                ..LayoutSettings::default()
            },
        );
        let bounded = ForceLayout::new(300, &edges, LayoutSettings::default());
        assert_eq!(all.edge_count(), bounded.edge_count());
    }

    #[test]
    fn huge_clique_stays_finite() {
        let edges = clique(0..150);
        let mut layout = ForceLayout::new(150, &edges, LayoutSettings::default());
        layout.run();
        assert_all_finite(layout.positions());
        assert!(all_distinct(layout.positions(), 2));
    }

    #[test]
    fn extreme_weights_stay_finite() {
        let mut edges = clique(0..20);
        for (index, edge) in edges.iter_mut().enumerate() {
            edge.2 = if index % 2 == 0 { 1e300 } else { 1e-300 };
        }
        let settings = LayoutSettings {
            edge_weight_influence: 3.0,
            max_iterations: 200,
            ..LayoutSettings::default()
        };
        let mut layout = ForceLayout::new(20, &edges, settings);
        layout.run();
        assert_all_finite(layout.positions());
    }

    #[test]
    fn invalid_settings_fall_back_to_defaults() {
        let broken = LayoutSettings {
            scaling: f64::NAN,
            gravity: -1.0,
            theta: f64::INFINITY,
            edge_weight_influence: f64::NEG_INFINITY,
            convergence: -0.5,
            ..LayoutSettings::default()
        }
        .sanitized();
        let defaults = LayoutSettings::default();
        assert_eq!(broken.scaling, defaults.scaling);
        assert_eq!(broken.gravity, defaults.gravity);
        assert_eq!(broken.theta, defaults.theta);
        assert_eq!(broken.edge_weight_influence, defaults.edge_weight_influence);
        assert_eq!(broken.convergence, defaults.convergence);
    }

    #[test]
    fn valid_edge_case_settings_pass() {
        let sanitized = LayoutSettings {
            gravity: 0.0,
            theta: 0.0,
            edge_weight_influence: -1.0,
            convergence: 0.0,
            ..LayoutSettings::default()
        }
        .sanitized();
        assert_eq!(sanitized.gravity, 0.0);
        assert_eq!(sanitized.theta, 0.0);
        assert_eq!(sanitized.edge_weight_influence, -1.0);
        assert_eq!(sanitized.convergence, 0.0);
    }

    #[test]
    fn coincident_warm_start_is_separated() {
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let dims = dimensions.count();
            let given = vec![3.0f32; 50 * dims];
            let edges = community_edges(50, 5, 2, 3);
            let mut layout = ForceLayout::with_positions(50, &edges, settings(dimensions), &given);
            assert!(all_distinct(layout.positions(), dims), "{dimensions:?}");
            layout.run();
            assert_all_finite(layout.positions());
            assert!(all_distinct(layout.positions(), dims), "{dimensions:?}");
            assert!(extent(layout.positions(), dims) > 1.0, "{dimensions:?}");
        }
    }

    #[test]
    fn partly_coincident_warm_start_keeps_first_copy() {
        let given = [0.0f32, 0.0, 10.0, 10.0, 10.0, 10.0, -5.0, 2.0];
        let layout = ForceLayout::with_positions(4, &[], LayoutSettings::default(), &given);
        let positions = layout.positions();
        assert_eq!(point(positions, 2, 0), &given[0..2]);
        assert_eq!(point(positions, 2, 1), &given[2..4]);
        assert_ne!(point(positions, 2, 2), &given[4..6]);
        assert_eq!(point(positions, 2, 3), &given[6..8]);
        // The offset is about a thousandth of the layout's extent of 15.
        assert!(distance(positions, 2, 1, 2) < 0.1);
    }

    #[test]
    fn warm_start_keeps_given_positions() {
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let dims = dimensions.count();
            let given: Vec<f32> = (0..20 * dims)
                .map(|i| (i as f32 * 0.37).sin() * 40.0)
                .collect();
            let edges = community_edges(20, 2, 2, 1);
            let layout = ForceLayout::with_positions(20, &edges, settings(dimensions), &given);
            assert_eq!(layout.positions(), given.as_slice(), "{dimensions:?}");
            assert_eq!(layout.iteration(), 0);
        }
    }

    #[test]
    fn warm_start_fills_missing_inside_given_box() {
        // Nodes 1 and 4 have a non-finite coordinate and nodes 5..10 have no entry.
        let given = [
            -10.0f32,
            -10.0,
            f32::NAN,
            0.0,
            10.0,
            10.0,
            -10.0,
            10.0,
            0.0,
            f32::INFINITY,
        ];
        let layout = ForceLayout::with_positions(10, &[], LayoutSettings::default(), &given);
        let positions = layout.positions();
        assert_eq!(positions.len(), 20);
        assert_all_finite(positions);
        assert_eq!(point(positions, 2, 0), &given[0..2]);
        assert_eq!(point(positions, 2, 2), &given[4..6]);
        assert_eq!(point(positions, 2, 3), &given[6..8]);
        for node in [1, 4, 5, 6, 7, 8, 9] {
            for &x in point(positions, 2, node) {
                assert!((-10.0..=10.0).contains(&x), "node {node} coordinate {x}");
            }
        }
    }

    #[test]
    fn huge_warm_start_coordinates_stay_finite() {
        let given = [f32::MAX, f32::MAX, -f32::MAX, 0.0, 0.0, f32::MAX, 1.0, 1.0];
        let edges = [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)];
        let mut layout = ForceLayout::with_positions(4, &edges, LayoutSettings::default(), &given);
        for _ in 0..50 {
            layout.step();
            assert_all_finite(layout.positions());
        }
    }

    #[test]
    fn separate_cliques_end_apart() {
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let dims = dimensions.count();
            let mut edges = clique(0..12);
            edges.extend(clique(12..24));
            let mut layout = ForceLayout::new(24, &edges, settings(dimensions));
            layout.run();
            let positions = layout.positions();
            assert_all_finite(positions);

            let mut max_within = 0.0f64;
            let mut min_across = f64::INFINITY;
            for a in 0..24 {
                for b in a + 1..24 {
                    let d = distance(positions, dims, a, b);
                    if (a < 12) == (b < 12) {
                        max_within = max_within.max(d);
                    } else {
                        min_across = min_across.min(d);
                    }
                }
            }
            assert!(
                min_across > max_within,
                "{dimensions:?}: closest pair across cliques {min_across}, \
                 farthest pair within a clique {max_within}"
            );
        }
    }

    #[test]
    fn neighbours_end_closer_than_strangers() {
        let edges = community_edges(200, 10, 4, 10);
        let mut layout = ForceLayout::new(200, &edges, LayoutSettings::default());
        layout.run();
        let positions = layout.positions();
        let mut linked = 0.0;
        for &(a, b, _) in &edges {
            linked += distance(positions, 2, a as usize, b as usize);
        }
        linked /= edges.len() as f64;
        let mut all_pairs = 0.0;
        let mut pair_count = 0.0;
        for a in 0..200 {
            for b in a + 1..200 {
                all_pairs += distance(positions, 2, a, b);
                pair_count += 1.0;
            }
        }
        all_pairs /= pair_count;
        assert!(
            linked * 3.0 < all_pairs,
            "mean edge length {linked}, mean distance between any two nodes {all_pairs}"
        );
    }

    #[test]
    fn three_dimensions_give_three_coordinates() {
        let edges = community_edges(60, 3, 3, 2);
        let mut layout = ForceLayout::new(60, &edges, settings(Dimensions::Three));
        assert_eq!(layout.dimensions(), Dimensions::Three);
        assert_eq!(layout.positions().len(), 180);
        layout.run();
        assert_eq!(layout.positions().len(), 180);
        assert_all_finite(layout.positions());
        let z: Vec<f32> = layout
            .positions()
            .iter()
            .skip(2)
            .step_by(3)
            .copied()
            .collect();
        let z_range = z.iter().fold(f32::NEG_INFINITY, |m, x| m.max(*x))
            - z.iter().fold(f32::INFINITY, |m, x| m.min(*x));
        assert!(z_range > 1.0, "z spans only {z_range}");
    }

    #[test]
    fn debug_summarizes_layout() {
        let layout = ForceLayout::new(7, &[(0, 1, 1.0)], settings(Dimensions::Three));
        let text = format!("{layout:?}");
        assert!(text.contains("node_count: 7"), "{text}");
        assert!(text.contains("Three"), "{text}");
    }

    #[test]
    fn two_dimensions_give_two_coordinates() {
        let layout = ForceLayout::new(7, &[(0, 1, 1.0)], LayoutSettings::default());
        assert_eq!(layout.dimensions(), Dimensions::Two);
        assert_eq!(layout.positions().len(), 14);
    }

    #[test]
    fn small_graph_converges_before_bound() {
        let edges = community_edges(200, 10, 4, 10);
        let mut layout = ForceLayout::new(200, &edges, LayoutSettings::default());
        let iterations = layout.run();
        assert!(layout.is_done());
        assert!(iterations < 500, "ran {iterations} iterations");
        assert_eq!(layout.iteration(), iterations);
        assert_all_finite(layout.positions());
    }

    #[test]
    fn max_iterations_bounds_run() {
        let edges = community_edges(100, 4, 3, 5);
        let settings = LayoutSettings {
            max_iterations: 7,
            convergence: 0.0,
            ..LayoutSettings::default()
        };
        let mut layout = ForceLayout::new(100, &edges, settings);
        for _ in 0..6 {
            assert!(!layout.step());
        }
        assert!(layout.step());
        assert_eq!(layout.iteration(), 7);
        assert_eq!(layout.run(), 0);
    }

    #[test]
    fn zero_max_iterations_is_done_at_once() {
        let settings = LayoutSettings {
            max_iterations: 0,
            ..LayoutSettings::default()
        };
        let mut layout = ForceLayout::new(10, &[(0, 1, 1.0)], settings);
        let before = bits(layout.positions());
        assert!(layout.is_done());
        assert!(layout.step());
        assert_eq!(bits(layout.positions()), before);
    }

    #[test]
    fn step_after_done_changes_nothing() {
        let mut layout = ForceLayout::new(30, &clique(0..30), LayoutSettings::default());
        let iterations = layout.run();
        let settled = bits(layout.positions());
        assert!(layout.step());
        assert_eq!(layout.iteration(), iterations);
        assert_eq!(bits(layout.positions()), settled);
    }

    #[test]
    fn barnes_hut_matches_exact_repulsion() {
        let mut state = 5;
        let mut unit = || (test_rng(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        let positions: Vec<[f64; 2]> = (0..400).map(|_| [unit() * 100.0, unit() * 100.0]).collect();
        let masses: Vec<f64> = (0..400).map(|_| 1.0 + (unit() * 5.0).floor()).collect();
        let mut exact = vec![[0.0; 2]; positions.len()];
        for i in 0..positions.len() {
            for j in 0..positions.len() {
                if i != j {
                    let strength = 2.0 * masses[i] * masses[j];
                    add_repulsion(&mut exact[i], &positions[i], &positions[j], strength);
                }
            }
        }

        let mut tree = Tree::<2>::new();
        tree.build(&positions, &masses);
        assert_eq!(tree.order.len(), positions.len());
        for (theta, tolerance) in [(0.0, 1e-9), (0.5, 0.02), (1.2, 0.1)] {
            let mut error = 0.0;
            let mut magnitude = 0.0;
            for (i, expected) in exact.iter().enumerate() {
                let force = tree.repulsion_on(i as u32, &positions, &masses, 2.0, theta * theta);
                error += norm(&[force[0] - expected[0], force[1] - expected[1]]);
                magnitude += norm(expected);
            }
            let relative = error / magnitude;
            assert!(
                relative < tolerance,
                "theta {theta}: relative error {relative}"
            );
        }
    }

    #[test]
    fn cell_containing_node_is_opened() {
        // With theta 1.2 the root cell would pass the opening test for node 0, whose mass would
        // then be counted in the cell that repels it.
        let positions = vec![[0.0, 0.0], [1.0, 1.0], [1.0, 0.999], [0.999, 1.0]];
        let masses = vec![1.0; 4];
        let mut exact = [0.0; 2];
        for q in &positions[1..] {
            add_repulsion(&mut exact, &positions[0], q, 2.0);
        }
        let mut tree = Tree::<2>::new();
        tree.build(&positions, &masses);
        let force = tree.repulsion_on(0, &positions, &masses, 2.0, 1.44);
        let error = norm(&[force[0] - exact[0], force[1] - exact[1]]) / norm(&exact);
        assert!(error < 0.05, "relative error {error}");
    }

    #[test]
    fn extreme_settings_stay_finite() {
        let mut edges = clique(0..10);
        edges.push((10, 11, 1e150));
        let settings = LayoutSettings {
            scaling: 1e300,
            gravity: 1e300,
            max_iterations: 100,
            ..LayoutSettings::default()
        };
        let mut layout = ForceLayout::new(12, &edges, settings);
        for _ in 0..100 {
            layout.step();
            assert_all_finite(layout.positions());
        }
    }

    #[test]
    fn close_pair_moves_at_most_the_cap() {
        // A 10 x 10 grid with spacing 10, plus node 100 almost on top of node 0.
        let mut given: Vec<f32> = (0..100)
            .flat_map(|i| [(i % 10) as f32 * 10.0, (i / 10) as f32 * 10.0])
            .collect();
        given.extend([1e-4, 0.0]);
        let settings = LayoutSettings::default();
        let cap = MAX_NODE_DISPLACEMENT * settings.scaling.sqrt();
        let mut layout = ForceLayout::with_positions(101, &[], settings, &given);
        layout.step();
        let mut largest = 0.0f64;
        for (before, after) in given.chunks(2).zip(layout.positions().chunks(2)) {
            let moved = (f64::from(after[0]) - f64::from(before[0]))
                .hypot(f64::from(after[1]) - f64::from(before[1]));
            largest = largest.max(moved);
        }
        // f32 rounding of the output can add a little to the exact cap.
        assert!(
            largest <= cap * (1.0 + 1e-6),
            "a node moved {largest}, cap {cap}"
        );
        assert!(
            largest > cap * 0.5,
            "the close pair should be pushed hard, moved {largest}"
        );
    }

    #[test]
    fn non_finite_force_leaves_node_in_place() {
        let settings = LayoutSettings::default();
        let mut engine =
            Engine::<2>::new(3, Vec::new(), &settings, &[0.0, 0.0, 5.0, 5.0, 9.0, 1.0]);
        engine.forces = vec![[1.0, 0.0], [f64::NAN, 1.0], [f64::INFINITY, 0.0]];
        engine.adjust_speed();
        engine.move_nodes();
        assert_eq!(engine.positions[1], [5.0, 5.0]);
        assert_eq!(engine.positions[2], [9.0, 1.0]);
        assert!(engine.positions[0][0] > 0.0);
        assert!(engine.speed.is_finite());
    }

    #[test]
    fn tree_depth_is_capped_for_coincident_nodes() {
        let mut positions = vec![[1.0, 2.0, 3.0]; 1000];
        positions.push([50.0, 2.0, 3.0]);
        let masses = vec![1.0; positions.len()];
        let mut tree = Tree::<3>::new();
        tree.build(&positions, &masses);
        assert!(tree.cells.len() <= 1 + 8 * MAX_TREE_DEPTH as usize);
        assert_eq!(tree.order.len(), positions.len());

        let together = tree.repulsion_on(0, &positions, &masses, 2.0, 1.44);
        let apart = tree.repulsion_on(1000, &positions, &masses, 2.0, 1.44);
        // The coincident nodes only feel the lone node, and the lone node feels all of them.
        assert!(together[0] < 0.0);
        assert!(apart[0] > 0.0);
        assert!(together.iter().chain(&apart).all(|x| x.is_finite()));
    }

    #[test]
    #[ignore = "timing benchmark; run in release with --ignored --nocapture"]
    fn step_time_10k_nodes_100k_edges() {
        let edges = random_edges(10_000, 100_000, 42);
        for dimensions in [Dimensions::Two, Dimensions::Three] {
            let settings = LayoutSettings {
                dimensions,
                convergence: 0.0,
                ..LayoutSettings::default()
            };
            let start = std::time::Instant::now();
            let mut layout = ForceLayout::new(10_000, &edges, settings);
            let setup = start.elapsed();
            let steps = 50;
            let start = std::time::Instant::now();
            for _ in 0..steps {
                layout.step();
            }
            let per_step = start.elapsed() / steps;
            println!("{dimensions:?}: setup {setup:?}, {per_step:?} per step over {steps} steps");
            assert_all_finite(layout.positions());
        }
    }
}
