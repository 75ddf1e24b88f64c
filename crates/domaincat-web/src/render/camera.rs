//! The 2D camera: the one place that converts between world coordinates (layout units),
//! CSS pixels and device pixels.
//!
//! Screen coordinates are CSS pixels from the canvas's top-left corner, y downwards.

/// Zoom limits, in CSS pixels per world unit, relative to the fitted scale.
const MIN_ZOOM: f64 = 0.02;
const MAX_ZOOM: f64 = 200.0;

/// Share of the viewport that a fitted graph fills.
const FIT_MARGIN: f64 = 0.9;

#[derive(Clone, Debug, PartialEq)]
pub struct Camera {
    /// World point at the viewport's centre.
    pub center: [f64; 2],
    /// CSS pixels per world unit.
    pub scale: f64,
    /// Viewport size in CSS pixels.
    pub viewport: [f64; 2],
    /// Device pixels per CSS pixel.
    pub pixel_ratio: f64,
    /// Scale of the last fit, the reference for zoom limits.
    fitted_scale: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            center: [0.0, 0.0],
            scale: 1.0,
            viewport: [1.0, 1.0],
            pixel_ratio: 1.0,
            fitted_scale: 1.0,
        }
    }
}

impl Camera {
    /// Converts a world point to screen CSS pixels.
    pub fn world_to_screen(&self, world: [f64; 2]) -> [f64; 2] {
        [
            self.viewport[0] / 2.0 + (world[0] - self.center[0]) * self.scale,
            self.viewport[1] / 2.0 + (world[1] - self.center[1]) * self.scale,
        ]
    }

    /// Converts screen CSS pixels to a world point.
    pub fn screen_to_world(&self, screen: [f64; 2]) -> [f64; 2] {
        [
            self.center[0] + (screen[0] - self.viewport[0] / 2.0) / self.scale,
            self.center[1] + (screen[1] - self.viewport[1] / 2.0) / self.scale,
        ]
    }

    /// Size of the drawing buffer in device pixels for the current viewport.
    pub fn device_size(&self) -> [u32; 2] {
        [
            (self.viewport[0] * self.pixel_ratio).round().max(1.0) as u32,
            (self.viewport[1] * self.pixel_ratio).round().max(1.0) as u32,
        ]
    }

    /// Multiplies the scale by `factor` keeping the world point under `anchor` (screen
    /// CSS pixels) in place.
    pub fn zoom_at(&mut self, anchor: [f64; 2], factor: f64) {
        let fixed = self.screen_to_world(anchor);
        let min = self.fitted_scale * MIN_ZOOM;
        let max = self.fitted_scale * MAX_ZOOM;
        self.scale = (self.scale * factor).clamp(min, max);
        self.center = [
            fixed[0] - (anchor[0] - self.viewport[0] / 2.0) / self.scale,
            fixed[1] - (anchor[1] - self.viewport[1] / 2.0) / self.scale,
        ];
    }

    /// Moves the view by a screen offset in CSS pixels (a drag).
    pub fn pan_by(&mut self, delta: [f64; 2]) {
        self.center[0] -= delta[0] / self.scale;
        self.center[1] -= delta[1] / self.scale;
    }

    /// Centres and scales the view on the bounding box of `positions` (2 floats per
    /// point), leaving `padding` CSS pixels free around it for node discs.
    pub fn fit(&mut self, positions: &[f32], padding: f64) {
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for point in positions.chunks_exact(2) {
            for axis in 0..2 {
                let v = f64::from(point[axis]);
                if v.is_finite() {
                    min[axis] = min[axis].min(v);
                    max[axis] = max[axis].max(v);
                }
            }
        }
        if !(min[0].is_finite() && min[1].is_finite()) {
            return;
        }
        self.center = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
        let span = [(max[0] - min[0]).max(1e-9), (max[1] - min[1]).max(1e-9)];
        let room = [
            (self.viewport[0] * FIT_MARGIN - 2.0 * padding).max(1.0),
            (self.viewport[1] * FIT_MARGIN - 2.0 * padding).max(1.0),
        ];
        let scale = (room[0] / span[0]).min(room[1] / span[1]);
        // A single node (zero span) gets an arbitrary but finite scale.
        self.scale = if scale.is_finite() {
            scale.min(1e6)
        } else {
            1.0
        };
        self.fitted_scale = self.scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> Camera {
        Camera {
            viewport: [800.0, 600.0],
            ..Camera::default()
        }
    }

    #[test]
    fn screen_round_trip() {
        let mut camera = camera();
        camera.center = [3.0, -2.0];
        camera.scale = 12.5;
        let screen = camera.world_to_screen([10.0, 4.0]);
        let world = camera.screen_to_world(screen);
        assert!((world[0] - 10.0).abs() < 1e-9);
        assert!((world[1] - 4.0).abs() < 1e-9);
    }

    #[test]
    fn zoom_keeps_anchor_fixed() {
        let mut camera = camera();
        let anchor = [120.0, 470.0];
        let before = camera.screen_to_world(anchor);
        camera.zoom_at(anchor, 3.0);
        let after = camera.screen_to_world(anchor);
        assert!((before[0] - after[0]).abs() < 1e-9);
        assert!((before[1] - after[1]).abs() < 1e-9);
        assert_eq!(camera.scale, 3.0);
    }

    #[test]
    fn fit_contains_every_point() {
        let mut camera = camera();
        let positions = [-5.0, 2.0, 40.0, -7.0, 11.0, 30.0];
        camera.fit(&positions, 10.0);
        for point in positions.chunks_exact(2) {
            let s = camera.world_to_screen([f64::from(point[0]), f64::from(point[1])]);
            assert!(s[0] >= 10.0, "{s:?}");
            assert!(s[0] <= 790.0, "{s:?}");
            assert!(s[1] >= 10.0, "{s:?}");
            assert!(s[1] <= 590.0, "{s:?}");
        }
    }

    #[test]
    fn fit_single_point_is_finite() {
        let mut camera = camera();
        camera.fit(&[1.0, 1.0], 10.0);
        assert!(camera.scale.is_finite());
        assert_eq!(camera.world_to_screen([1.0, 1.0]), [400.0, 300.0]);
    }

    #[test]
    fn device_size_follows_ratio() {
        let mut camera = camera();
        camera.pixel_ratio = 2.0;
        assert_eq!(camera.device_size(), [1600, 1200]);
    }
}
