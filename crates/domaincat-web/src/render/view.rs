//! What every GPU program needs to know about the camera for one frame, and the uniform
//! locations that receive it. Both the 2D and the 3D camera produce a [`View`].

use web_sys::{WebGl2RenderingContext as Gl, WebGlProgram, WebGlUniformLocation};

use super::camera::Camera;
use super::orbit::OrbitCamera;

/// Background colour of the graph area (matches the page's `--bg`); fog fades to it.
pub const BACKGROUND: [f32; 3] = [0.078, 0.090, 0.110];

#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// World to clip coordinates, column-major.
    pub matrix: [f32; 16],
    /// Viewport in CSS pixels.
    pub viewport: [f32; 2],
    /// Device pixels per CSS pixel.
    pub pixel_ratio: f64,
    /// Depth at which node discs have their nominal size; 0 for a fixed size.
    pub depth_scale: f32,
    /// Depth range over which fog thickens; none when the end is not past the start.
    pub fog: [f32; 2],
    /// Whether nodes hide what is behind them (3D).
    pub depth_test: bool,
}

impl View {
    /// The view of the 2D camera: orthographic, fixed node size, no fog.
    pub fn flat(camera: &Camera) -> Self {
        let [w, h] = camera.viewport;
        let s = camera.scale;
        let [cx, cy] = camera.center;
        // Screen y grows downwards, clip y upwards.
        let matrix = [
            2.0 * s / w,
            0.0,
            0.0,
            0.0,
            0.0,
            -2.0 * s / h,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            0.0,
            -2.0 * s * cx / w,
            2.0 * s * cy / h,
            0.0,
            1.0,
        ];
        View {
            matrix: matrix.map(|v| v as f32),
            viewport: [w as f32, h as f32],
            pixel_ratio: camera.pixel_ratio,
            depth_scale: 0.0,
            fog: [0.0, 0.0],
            depth_test: false,
        }
    }

    /// The view of the orbit camera: perspective, discs shrink and fade with depth.
    pub fn orbit(camera: &OrbitCamera, pixel_ratio: f64) -> Self {
        let (near, far) = camera.depth_range();
        let fog_start = camera.distance - camera.scene_radius * 0.5;
        let fog_end = (camera.distance + camera.scene_radius * 1.5).min(far);
        View {
            matrix: camera.matrix().map(|v| v as f32),
            viewport: [camera.viewport[0] as f32, camera.viewport[1] as f32],
            pixel_ratio,
            depth_scale: camera.distance as f32,
            fog: [fog_start.max(near) as f32, fog_end as f32],
            depth_test: true,
        }
    }
}

/// Uniform locations shared by the node and edge programs.
pub struct Uniforms {
    matrix: Option<WebGlUniformLocation>,
    viewport: Option<WebGlUniformLocation>,
    depth_scale: Option<WebGlUniformLocation>,
    fog: Option<WebGlUniformLocation>,
    background: Option<WebGlUniformLocation>,
}

impl Uniforms {
    pub fn find(gl: &Gl, program: &WebGlProgram) -> Self {
        Uniforms {
            matrix: gl.get_uniform_location(program, "u_matrix"),
            viewport: gl.get_uniform_location(program, "u_viewport"),
            depth_scale: gl.get_uniform_location(program, "u_depth_scale"),
            fog: gl.get_uniform_location(program, "u_fog"),
            background: gl.get_uniform_location(program, "u_background"),
        }
    }

    /// Sets the uniforms of the program in use.
    pub fn set(&self, gl: &Gl, view: &View) {
        gl.uniform_matrix4fv_with_f32_array(self.matrix.as_ref(), false, &view.matrix);
        gl.uniform2f(self.viewport.as_ref(), view.viewport[0], view.viewport[1]);
        gl.uniform1f(self.depth_scale.as_ref(), view.depth_scale);
        gl.uniform2f(self.fog.as_ref(), view.fog[0], view.fog[1]);
        let [r, g, b] = BACKGROUND;
        gl.uniform3f(self.background.as_ref(), r, g, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a column-major matrix to a point with w = 1.
    fn transform(m: &[f32; 16], p: [f32; 3]) -> [f32; 4] {
        let mut out = [0.0; 4];
        for (row, value) in out.iter_mut().enumerate() {
            *value = m[row] * p[0] + m[4 + row] * p[1] + m[8 + row] * p[2] + m[12 + row];
        }
        out
    }

    #[test]
    fn flat_matrix_agrees_with_camera() {
        let mut camera = Camera::default();
        camera.center = [3.0, -1.0];
        camera.scale = 20.0;
        camera.viewport = [800.0, 600.0];
        let view = View::flat(&camera);
        let world = [7.0, 2.5];
        let screen = camera.world_to_screen(world);
        let clip = transform(&view.matrix, [world[0] as f32, world[1] as f32, 0.0]);
        let expected_x = screen[0] / 800.0 * 2.0 - 1.0;
        let expected_y = 1.0 - screen[1] / 600.0 * 2.0;
        assert!((f64::from(clip[0]) - expected_x).abs() < 1e-5);
        assert!((f64::from(clip[1]) - expected_y).abs() < 1e-5);
        assert_eq!(clip[3], 1.0);
    }
}
