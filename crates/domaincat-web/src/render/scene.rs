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

/// Opacity of nodes outside a non-empty selection.
const DIMMED_ALPHA: f32 = 0.22;

const EDGE_COLOR: [f32; 3] = [0.72, 0.77, 0.85];
const SELECTED_EDGE_COLOR: [f32; 3] = [0.55, 0.78, 1.0];

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

/// Fills `out` with line vertices (see [`FLOATS_PER_VERTEX`]), two per edge.
pub fn edge_vertices(
    positions: Positions<'_>,
    edge_ends: &[u32],
    weights: &[f32],
    highlight: Highlight<'_>,
    out: &mut Vec<f32>,
) {
    out.clear();
    out.reserve(weights.len() * 2 * FLOATS_PER_VERTEX);
    let dim = highlight.has_selection();
    let node_count = positions.len();
    for (ends, &weight) in edge_ends.chunks_exact(2).zip(weights) {
        let (a, b) = (ends[0] as usize, ends[1] as usize);
        if a >= node_count || b >= node_count {
            continue;
        }
        let both = highlight.is_selected(a) && highlight.is_selected(b);
        let touches_hover = highlight.hovered.is_some_and(|h| h == a || h == b);
        let base = edge_alpha(weight);
        let (color, alpha) = if both || touches_hover {
            (SELECTED_EDGE_COLOR, (base * 1.5).min(0.95))
        } else if dim {
            (EDGE_COLOR, base * 0.25)
        } else {
            (EDGE_COLOR, base)
        };
        for node in [a, b] {
            let [x, y, z] = positions.xyz(node);
            out.extend_from_slice(&[x, y, z, color[0], color[1], color[2], alpha]);
        }
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
        let mut out = Vec::new();
        let ends = [0, 1, 0, 7];
        edge_vertices(
            flat(&positions),
            &ends,
            &[1.0, 1.0],
            Highlight::default(),
            &mut out,
        );
        assert_eq!(out.len(), 2 * FLOATS_PER_VERTEX);
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
