//! Hit tests for box and lasso selection, in screen coordinates.

/// Returns whether `point` lies in the rectangle spanned by two corners (in any order).
pub fn in_rect(point: [f64; 2], a: [f64; 2], b: [f64; 2]) -> bool {
    let (x0, x1) = (a[0].min(b[0]), a[0].max(b[0]));
    let (y0, y1) = (a[1].min(b[1]), a[1].max(b[1]));
    point[0] >= x0 && point[0] <= x1 && point[1] >= y0 && point[1] <= y1
}

/// Returns whether `point` lies inside the closed polygon `vertices` (even-odd rule, so a
/// self-crossing lasso selects the areas it visibly encloses).
///
/// Complexity: O(vertices).
pub fn in_polygon(point: [f64; 2], vertices: &[[f64; 2]]) -> bool {
    if vertices.len() < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = vertices.len() - 1;
    for i in 0..vertices.len() {
        let (a, b) = (vertices[i], vertices[j]);
        if (a[1] > point[1]) != (b[1] > point[1]) {
            let x = a[0] + (point[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if point[0] < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Distance from `point` to the segment from `a` to `b`.
pub fn segment_distance(point: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length = dx * dx + dy * dy;
    let t = if length > 0.0 {
        (((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / length).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (point[0] - (a[0] + t * dx)).hypot(point[1] - (a[1] + t * dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_accepts_reversed_corners() {
        assert!(in_rect([5.0, 5.0], [10.0, 10.0], [0.0, 0.0]));
        assert!(!in_rect([11.0, 5.0], [10.0, 10.0], [0.0, 0.0]));
    }

    #[test]
    fn polygon_inside_and_outside() {
        let square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        assert!(in_polygon([5.0, 5.0], &square));
        assert!(!in_polygon([15.0, 5.0], &square));
        let concave = [
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [5.0, 2.0],
            [0.0, 10.0],
        ];
        assert!(!in_polygon([5.0, 8.0], &concave));
        assert!(in_polygon([2.0, 1.0], &concave));
    }

    #[test]
    fn segment_distance_cases() {
        assert_eq!(segment_distance([5.0, 3.0], [0.0, 0.0], [10.0, 0.0]), 3.0);
        assert_eq!(segment_distance([-4.0, 3.0], [0.0, 0.0], [10.0, 0.0]), 5.0);
        assert_eq!(segment_distance([3.0, 4.0], [0.0, 0.0], [0.0, 0.0]), 5.0);
    }

    #[test]
    fn degenerate_polygon_selects_nothing() {
        assert!(!in_polygon([0.0, 0.0], &[[0.0, 0.0], [1.0, 1.0]]));
    }
}
