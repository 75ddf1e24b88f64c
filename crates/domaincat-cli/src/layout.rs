//! The force layout of a scored graph, as `graph --layout` and `bench` run it.

use domaincat_core::layout::{ForceLayout, LayoutSettings};
use domaincat_core::scoring::Scoring;

/// Lays out the graph of `scoring` with `settings` until the layout settles or reaches
/// its maximum number of iterations.
///
/// With an `edge_weight_influence` of 1 (the default), only the edges that
/// [`Scoring::layout_edges`] keeps are copied, and the positions are those of a layout
/// given every edge. Other exponents can change which edges a node keeps, so the layout
/// then gets every edge and selects them itself.
pub fn run(scoring: &Scoring, settings: LayoutSettings) -> ForceLayout {
    let per_node = if settings.edge_weight_influence == 1.0 {
        settings.max_edges_per_node
    } else {
        0
    };
    let edges = scoring.layout_edges(per_node);
    let mut layout = ForceLayout::new(scoring.node_count(), &edges, settings);
    drop(edges);
    layout.run();
    layout
}
