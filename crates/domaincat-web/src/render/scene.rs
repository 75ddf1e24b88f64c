//! Turns the graph, its positions and the interaction state into the flat vertex data
//! the GPU programs draw. Pure Rust, so it is tested natively.

use domaincat_core::colors::risk_color;
use domaincat_core::scoring::MAX_EDGE_WEIGHT;

use super::edges::FLOATS_PER_VERTEX;
use super::nodes::FLOATS_PER_NODE;

/// Radius of a node disc in CSS pixels.
pub const NODE_RADIUS: f32 = 5.5;
const SELECTED_RADIUS: f32 = 7.0;
const HOVERED_RADIUS: f32 = 8.0;

const EDGE_COLOR: [f32; 3] = [0.72, 0.77, 0.85];
const SELECTED_EDGE_COLOR: [f32; 3] = [0.55, 0.78, 1.0];
const HOVERED_EDGE_COLOR: [f32; 3] = [1.0, 0.85, 0.3];

/// Opacity of nodes outside a non-empty selection.
const DIMMED_ALPHA: f32 = 0.22;

/// Node positions: `dims` floats (2 or 3) per node, in node order.
#[derive(Clone, Copy, Debug)]
pub struct Positions<'a> {
    pub flat: &'a [f32],
    pub dims: usize,
}

impl Positions<'_> {
    pub fn len(&self) -> usize {
        self.flat.len() / self.dims.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the node's position, with z = 0 in 2D.
    pub fn xyz(&self, node: usize) -> [f32; 3] {
        let base = node * self.dims;
        let z = if self.dims > 2 {
            self.flat[base + 2]
        } else {
            0.0
        };
        [self.flat[base], self.flat[base + 1], z]
    }
}

/// Highlight state drawn over the graph: the selection and the hovered node.
#[derive(Clone, Copy, Debug, Default)]
pub struct Highlight<'a> {
    /// One flag per node; empty when nothing is selected.
    pub selected: &'a [bool],
    pub hovered: Option<usize>,
}

impl Highlight<'_> {
    fn has_selection(&self) -> bool {
        self.selected.iter().any(|&s| s)
    }

    fn is_selected(&self, node: usize) -> bool {
        self.selected.get(node).copied().unwrap_or(false)
    }
}

/// Opacity of an edge of weight `weight` when nothing is highlighted: weak pivots fade,
/// strong ones stand out.
pub fn edge_alpha(weight: f32) -> f32 {
    let strength = (weight / MAX_EDGE_WEIGHT as f32).clamp(0.0, 1.0);
    0.06 + 0.6 * strength.sqrt()
}

/// Fills `out` with node instances (see [`FLOATS_PER_NODE`]), drawing selected nodes
/// over the others and the hovered node last.
pub fn node_instances(
    positions: Positions<'_>,
    risks: &[Option<f64>],
    radii: Option<&[f32]>,
    highlight: Highlight<'_>,
    out: &mut Vec<f32>,
) {
    out.clear();
    let count = positions.len();
    out.reserve(count * FLOATS_PER_NODE);
    let dim = highlight.has_selection();
    let mut push = |node: usize, radius: f32, alpha: f32| {
        // Nodes with a size of their own keep it, grown by the same highlight margin.
        let radius = match radii.and_then(|r| r.get(node)) {
            Some(&own) => own + (radius - NODE_RADIUS),
            None => radius,
        };
        let [r, g, b] = risk_color(risks.get(node).copied().flatten());
        let [x, y, z] = positions.xyz(node);
        out.extend_from_slice(&[x, y, z, r, g, b, alpha, radius]);
    };
    for node in 0..count {
        if !highlight.is_selected(node) && highlight.hovered != Some(node) {
            push(node, NODE_RADIUS, if dim { DIMMED_ALPHA } else { 1.0 });
        }
    }
    for node in 0..count {
        if highlight.is_selected(node) && highlight.hovered != Some(node) {
            push(node, SELECTED_RADIUS, 1.0);
        }
    }
    if let Some(node) = highlight.hovered.filter(|&n| n < count) {
        push(node, HOVERED_RADIUS, 1.0);
    }
}

/// The edges a view draws: indices into its edge list, chosen within a budget.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeBudget {
    /// Edge indices, in edge-list order.
    pub drawn: Vec<u32>,
    /// Whether edges with an end in view were left out for the budget.
    pub truncated: bool,
}

/// Chooses up to `budget` edges to draw, in list order (the page's edge list is
/// heaviest first), keeping only edges with an end inside `visible` when given
/// (`[min_x, min_y, max_x, max_y]` in world units). Edges with an unknown end are
/// skipped.
pub fn choose_edges(
    positions: Positions<'_>,
    edge_ends: &[u32],
    visible: Option<[f32; 4]>,
    budget: usize,
    out: &mut EdgeBudget,
) {
    out.drawn.clear();
    out.truncated = false;
    let node_count = positions.len();
    let inside = |node: usize| match visible {
        None => true,
        Some([x0, y0, x1, y1]) => {
            let [x, y, _] = positions.xyz(node);
            x >= x0 && x <= x1 && y >= y0 && y <= y1
        }
    };
    for (index, ends) in edge_ends.chunks_exact(2).enumerate() {
        let (a, b) = (ends[0] as usize, ends[1] as usize);
        if a >= node_count || b >= node_count || !(inside(a) || inside(b)) {
            continue;
        }
        if out.drawn.len() == budget {
            out.truncated = true;
            return;
        }
        out.drawn.push(index as u32);
    }
}

/// Fills `out` with line vertices (see [`FLOATS_PER_VERTEX`]) for the `drawn` edges in
/// their order, then the hovered edge once more, bright, to draw over the others. Returns
/// the number of such extra edges (0 or 1).
pub fn edge_vertices(
    positions: Positions<'_>,
    edge_ends: &[u32],
    weights: &[f32],
    drawn: &[u32],
    highlight: Highlight<'_>,
    hovered_edge: Option<(u32, u32)>,
    out: &mut Vec<f32>,
) -> usize {
    out.clear();
    out.reserve((drawn.len() + 1) * 2 * FLOATS_PER_VERTEX);
    let dim = highlight.has_selection();
    let node_count = positions.len();
    let mut push = |a: usize, b: usize, color: [f32; 3], alpha: f32| {
        for node in [a, b] {
            let [x, y, z] = positions.xyz(node);
            out.extend_from_slice(&[x, y, z, color[0], color[1], color[2], alpha]);
        }
    };
    for &index in drawn {
        let index = index as usize;
        let (Some(ends), Some(&weight)) =
            (edge_ends.get(2 * index..2 * index + 2), weights.get(index))
        else {
            continue;
        };
        let (a, b) = (ends[0] as usize, ends[1] as usize);
        if a >= node_count || b >= node_count {
            continue;
        }
        let both = highlight.is_selected(a) && highlight.is_selected(b);
        let touches_hover = highlight.hovered.is_some_and(|h| h == a || h == b);
        let base = edge_alpha(weight);
        if both || touches_hover {
            push(a, b, SELECTED_EDGE_COLOR, (base * 1.5).min(0.95));
        } else if dim {
            push(a, b, EDGE_COLOR, base * 0.25);
        } else {
            push(a, b, EDGE_COLOR, base);
        }
    }
    match hovered_edge {
        Some((a, b)) if (a as usize) < node_count && (b as usize) < node_count => {
            push(a as usize, b as usize, HOVERED_EDGE_COLOR, 1.0);
            1
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(positions: &[f32]) -> Positions<'_> {
        Positions {
            flat: positions,
            dims: 2,
        }
    }

    #[test]
    fn alpha_grows_with_weight() {
        assert!(edge_alpha(0.2) < edge_alpha(1.0));
        assert!(edge_alpha(1.0) < edge_alpha(5.0));
        assert!(edge_alpha(50.0) <= 0.66 + 1e-6);
    }

    #[test]
    fn hovered_node_is_drawn_last_and_larger() {
        let positions = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        let risks = [Some(10.0), None, Some(99.0)];
        let mut out = Vec::new();
        let highlight = Highlight {
            selected: &[],
            hovered: Some(0),
        };
        node_instances(flat(&positions), &risks, None, highlight, &mut out);
        assert_eq!(out.len(), 3 * FLOATS_PER_NODE);
        let last = &out[2 * FLOATS_PER_NODE..];
        assert_eq!(&last[..3], &[0.0, 0.0, 0.0]);
        assert_eq!(last[7], HOVERED_RADIUS);
    }

    #[test]
    fn selection_dims_the_rest() {
        let positions = [0.0, 0.0, 1.0, 1.0];
        let mut out = Vec::new();
        let highlight = Highlight {
            selected: &[false, true],
            hovered: None,
        };
        node_instances(flat(&positions), &[None, None], None, highlight, &mut out);
        assert_eq!(out[6], DIMMED_ALPHA);
        assert_eq!(out[FLOATS_PER_NODE + 6], 1.0);
    }

    #[test]
    fn own_radii_are_kept() {
        let positions = [0.0, 0.0];
        let mut out = Vec::new();
        node_instances(
            flat(&positions),
            &[None],
            Some(&[12.0]),
            Highlight::default(),
            &mut out,
        );
        assert_eq!(out[7], 12.0);
    }

    #[test]
    fn edges_skip_bad_indices() {
        let positions = [0.0, 0.0, 1.0, 1.0];
        let mut budget = EdgeBudget::default();
        choose_edges(flat(&positions), &[0, 1, 0, 7], None, 10, &mut budget);
        assert_eq!(budget.drawn, vec![0]);
        assert!(!budget.truncated);
    }

    #[test]
    fn budget_keeps_the_first_edges_and_says_so() {
        let positions = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        let ends = [0, 1, 1, 2, 0, 2];
        let mut budget = EdgeBudget::default();
        choose_edges(flat(&positions), &ends, None, 2, &mut budget);
        assert_eq!(budget.drawn, vec![0, 1]);
        assert!(budget.truncated);
        choose_edges(flat(&positions), &ends, None, 3, &mut budget);
        assert_eq!(budget.drawn, vec![0, 1, 2]);
        assert!(!budget.truncated);
    }

    #[test]
    fn zooming_in_spends_the_budget_on_visible_edges() {
        // Nodes 0 and 1 far left, 2 and 3 far right; edge 0 is the heaviest.
        let positions = [-100.0, 0.0, -99.0, 0.0, 100.0, 0.0, 101.0, 0.0];
        let ends = [0, 1, 2, 3, 1, 2];
        let mut budget = EdgeBudget::default();
        let right = Some([50.0, -10.0, 150.0, 10.0]);
        choose_edges(flat(&positions), &ends, right, 1, &mut budget);
        assert_eq!(budget.drawn, vec![1]);
        assert!(budget.truncated, "edge 2 also has an end in view");
        choose_edges(flat(&positions), &ends, right, 5, &mut budget);
        assert_eq!(budget.drawn, vec![1, 2]);
        assert!(!budget.truncated);
    }

    #[test]
    fn vertices_in_drawn_order_hovered_last() {
        let positions = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        let ends = [0, 1, 1, 2];
        let weights = [5.0, 0.5];
        let mut out = Vec::new();
        let highlight = Highlight {
            selected: &[true, true, false],
            hovered: None,
        };
        let extra = edge_vertices(
            flat(&positions),
            &ends,
            &weights,
            &[1, 0],
            highlight,
            Some((1, 2)),
            &mut out,
        );
        assert_eq!(extra, 1);
        assert_eq!(out.len(), 3 * 2 * FLOATS_PER_VERTEX);
        let vertex = |i: usize| &out[i * FLOATS_PER_VERTEX..(i + 1) * FLOATS_PER_VERTEX];
        // Edge 1 first: dimmed, since only one end is selected.
        assert_eq!(&vertex(0)[..2], &[1.0, 1.0]);
        assert_eq!(vertex(0)[6], edge_alpha(0.5) * 0.25);
        // Edge 0: both ends selected.
        assert_eq!(&vertex(2)[3..6], &SELECTED_EDGE_COLOR);
        // The hovered edge, opaque.
        assert_eq!(&vertex(4)[3..7], &[1.0, 0.85, 0.3, 1.0]);
    }

    #[test]
    fn three_dimensions_keep_z() {
        let positions = [1.0, 2.0, 3.0];
        let positions = Positions {
            flat: &positions,
            dims: 3,
        };
        let mut out = Vec::new();
        node_instances(positions, &[None], None, Highlight::default(), &mut out);
        assert_eq!(&out[..3], &[1.0, 2.0, 3.0]);
    }
}
