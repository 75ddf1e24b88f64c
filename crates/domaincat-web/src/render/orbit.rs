//! The 3D camera: orbits a target point at a distance, with a perspective projection.
//!
//! Screen coordinates are CSS pixels from the canvas's top-left corner, y downwards, as
//! for the 2D camera. Matrices are column-major, as WebGL expects.

use std::f64::consts::FRAC_PI_2;

/// Vertical field of view in radians.
const FIELD_OF_VIEW: f64 = 0.8;

/// Pitch stays just short of straight up or down, where the view would flip.
const MAX_PITCH: f64 = FRAC_PI_2 - 0.01;

/// Radians of orbit per CSS pixel of drag.
const ORBIT_RATE: f64 = 0.008;

pub type Mat4 = [f64; 16];

#[derive(Clone, Debug, PartialEq)]
pub struct OrbitCamera {
    pub target: [f64; 3],
    pub distance: f64,
    /// Rotation about the vertical axis, radians.
    pub yaw: f64,
    /// Elevation above the horizontal plane, radians.
    pub pitch: f64,
    /// Viewport size in CSS pixels.
    pub viewport: [f64; 2],
    /// Radius of the scene around the target, which sets the depth range.
    pub scene_radius: f64,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        OrbitCamera {
            target: [0.0; 3],
            distance: 10.0,
            yaw: 0.6,
            pitch: 0.35,
            viewport: [1.0, 1.0],
            scene_radius: 5.0,
        }
    }
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn normalize(a: [f64; 3]) -> [f64; 3] {
    let length = dot(a, a).sqrt();
    if length > 0.0 {
        [a[0] / length, a[1] / length, a[2] / length]
    } else {
        a
    }
}

/// Product of two column-major matrices, `a · b`.
pub fn multiply(a: &Mat4, b: &Mat4) -> Mat4 {
    let mut out = [0.0; 16];
    for column in 0..4 {
        for row in 0..4 {
            out[column * 4 + row] = (0..4).map(|k| a[k * 4 + row] * b[column * 4 + k]).sum();
        }
    }
    out
}

impl OrbitCamera {
    /// Position of the eye in world coordinates.
    pub fn eye(&self) -> [f64; 3] {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        [
            self.target[0] + self.distance * cp * sy,
            self.target[1] + self.distance * sp,
            self.target[2] + self.distance * cp * cy,
        ]
    }

    /// The camera's right and up directions in world coordinates.
    fn basis(&self) -> ([f64; 3], [f64; 3], [f64; 3]) {
        let forward = normalize(sub(self.target, self.eye()));
        let right = normalize(cross(forward, [0.0, 1.0, 0.0]));
        let up = cross(right, forward);
        (right, up, forward)
    }

    fn view(&self) -> Mat4 {
        let eye = self.eye();
        let (right, up, forward) = self.basis();
        [
            right[0],
            up[0],
            -forward[0],
            0.0,
            right[1],
            up[1],
            -forward[1],
            0.0,
            right[2],
            up[2],
            -forward[2],
            0.0,
            -dot(right, eye),
            -dot(up, eye),
            dot(forward, eye),
            1.0,
        ]
    }

    /// Near and far clipping distances around the scene.
    pub fn depth_range(&self) -> (f64, f64) {
        let near = (self.distance - 2.0 * self.scene_radius).max(self.distance * 0.01);
        let far = self.distance + 2.0 * self.scene_radius;
        (near, far)
    }

    fn projection(&self) -> Mat4 {
        let aspect = self.viewport[0] / self.viewport[1].max(1.0);
        let f = 1.0 / (FIELD_OF_VIEW / 2.0).tan();
        let (near, far) = self.depth_range();
        let depth = near - far;
        [
            f / aspect,
            0.0,
            0.0,
            0.0,
            0.0,
            f,
            0.0,
            0.0,
            0.0,
            0.0,
            (far + near) / depth,
            -1.0,
            0.0,
            0.0,
            2.0 * far * near / depth,
            0.0,
        ]
    }

    /// World to clip coordinates.
    pub fn matrix(&self) -> Mat4 {
        multiply(&self.projection(), &self.view())
    }

    /// Projects a world point to screen CSS pixels and its distance along the view
    /// direction; `None` behind the eye.
    pub fn project(&self, world: [f64; 3]) -> Option<([f64; 2], f64)> {
        let m = self.matrix();
        let clip: Vec<f64> = (0..4)
            .map(|row| {
                m[row] * world[0] + m[4 + row] * world[1] + m[8 + row] * world[2] + m[12 + row]
            })
            .collect();
        let w = clip[3];
        if w <= 1e-9 {
            return None;
        }
        let screen = [
            (clip[0] / w + 1.0) / 2.0 * self.viewport[0],
            (1.0 - clip[1] / w) / 2.0 * self.viewport[1],
        ];
        Some((screen, w))
    }

    /// Rotates the view by a drag of `delta` CSS pixels.
    pub fn orbit(&mut self, delta: [f64; 2]) {
        self.yaw -= delta[0] * ORBIT_RATE;
        self.pitch = (self.pitch + delta[1] * ORBIT_RATE).clamp(-MAX_PITCH, MAX_PITCH);
    }

    /// Moves the target in the view plane by a drag of `delta` CSS pixels.
    pub fn pan_by(&mut self, delta: [f64; 2]) {
        let (right, up, _) = self.basis();
        let pixels_per_unit =
            self.viewport[1] / (2.0 * self.distance * (FIELD_OF_VIEW / 2.0).tan());
        let (dx, dy) = (delta[0] / pixels_per_unit, delta[1] / pixels_per_unit);
        for axis in 0..3 {
            self.target[axis] += -right[axis] * dx + up[axis] * dy;
        }
    }

    /// Moves the eye towards the target by `factor` (> 1 zooms in).
    pub fn zoom(&mut self, factor: f64) {
        let min = self.scene_radius * 0.02;
        let max = self.scene_radius * 40.0;
        self.distance = (self.distance / factor).clamp(min.max(1e-6), max.max(1e-6));
    }

    /// Frames `positions` (3 floats per point): targets their centre and backs off until
    /// the bounding sphere fits the view.
    pub fn fit(&mut self, positions: &[f32]) {
        let count = positions.len() / 3;
        if count == 0 {
            return;
        }
        let mut centre = [0.0; 3];
        for point in positions.chunks_exact(3) {
            for axis in 0..3 {
                centre[axis] += f64::from(point[axis]) / count as f64;
            }
        }
        let radius = positions
            .chunks_exact(3)
            .map(|p| {
                let d = sub([f64::from(p[0]), f64::from(p[1]), f64::from(p[2])], centre);
                dot(d, d).sqrt()
            })
            .fold(0.0, f64::max)
            .max(1e-3);
        let aspect = (self.viewport[0] / self.viewport[1].max(1.0)).min(1.0);
        self.target = centre;
        self.scene_radius = radius;
        self.distance = radius / ((FIELD_OF_VIEW / 2.0).tan() * aspect) * 1.15;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> OrbitCamera {
        OrbitCamera {
            viewport: [800.0, 600.0],
            ..OrbitCamera::default()
        }
    }

    #[test]
    fn target_projects_to_centre() {
        let camera = camera();
        let (screen, depth) = camera.project(camera.target).expect("target is visible");
        assert!((screen[0] - 400.0).abs() < 1e-6);
        assert!((screen[1] - 300.0).abs() < 1e-6);
        assert!((depth - camera.distance).abs() < 1e-6);
    }

    #[test]
    fn fit_keeps_points_on_screen() {
        let mut camera = camera();
        let points = [-4.0, 1.0, 2.0, 6.0, -3.0, 0.5, 1.0, 7.0, -5.0];
        camera.fit(&points);
        for _ in 0..8 {
            camera.orbit([37.0, 11.0]);
            for p in points.chunks_exact(3) {
                let world = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2])];
                let (screen, _) = camera.project(world).expect("in front of the eye");
                assert!(screen[0] > 0.0 && screen[0] < 800.0, "{screen:?}");
                assert!(screen[1] > 0.0 && screen[1] < 600.0, "{screen:?}");
            }
        }
    }

    #[test]
    fn pan_moves_points_with_the_cursor() {
        let mut camera = camera();
        let point = [1.0, 2.0, 0.5];
        let (before, _) = camera.project(point).expect("visible");
        camera.pan_by([30.0, -20.0]);
        let (after, _) = camera.project(point).expect("visible");
        // Points at the target's depth follow the cursor exactly; this one is close.
        assert!(
            (after[0] - before[0] - 30.0).abs() < 6.0,
            "{before:?} {after:?}"
        );
        assert!(
            (after[1] - before[1] + 20.0).abs() < 6.0,
            "{before:?} {after:?}"
        );
    }

    #[test]
    fn orbit_changes_projection_and_clamps_pitch() {
        let mut camera = camera();
        let point = [3.0, 0.0, 0.0];
        let (before, _) = camera.project(point).expect("visible");
        camera.orbit([50.0, 0.0]);
        let (after, _) = camera.project(point).expect("visible");
        assert!((after[0] - before[0]).abs() > 1.0);
        camera.orbit([0.0, 1e6]);
        assert!(camera.pitch <= MAX_PITCH);
    }

    #[test]
    fn zoom_is_bounded() {
        let mut camera = camera();
        camera.zoom(1e9);
        assert!(camera.distance > 0.0);
        camera.zoom(1e-9);
        assert!(camera.distance.is_finite());
    }
}
