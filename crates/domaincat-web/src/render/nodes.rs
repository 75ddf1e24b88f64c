//! Node discs: one instanced quad per node, shaded into an anti-aliased disc with a
//! dark rim in the fragment shader.

use web_sys::{
    WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlUniformLocation,
    WebGlVertexArrayObject,
};

use super::camera::Camera;
use super::gl;

const VERTEX: &str = r#"#version 300 es
in vec2 a_corner;
in vec2 a_center;
in vec4 a_color;
in float a_radius;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_viewport;
out vec2 v_corner;
out vec4 v_color;
out float v_radius;
void main() {
  vec2 screen = u_viewport * 0.5 + (a_center - u_center) * u_scale + a_corner * a_radius;
  gl_Position = vec4(screen.x / u_viewport.x * 2.0 - 1.0, 1.0 - screen.y / u_viewport.y * 2.0, 0.0, 1.0);
  v_corner = a_corner;
  v_color = a_color;
  v_radius = a_radius;
}
"#;

const FRAGMENT: &str = r#"#version 300 es
precision mediump float;
in vec2 v_corner;
in vec4 v_color;
in float v_radius;
uniform float u_pixel_ratio;
out vec4 out_color;
void main() {
  float d = length(v_corner);
  float pixel = 1.0 / max(v_radius * u_pixel_ratio, 1.0);
  float alpha = 1.0 - smoothstep(1.0 - pixel, 1.0, d);
  if (alpha <= 0.0) discard;
  float rim = smoothstep(1.0 - 2.5 * pixel, 1.0 - 1.5 * pixel, d);
  vec3 color = mix(v_color.rgb, v_color.rgb * 0.35, rim);
  out_color = vec4(color * v_color.a * alpha, v_color.a * alpha);
}
"#;

/// Floats per node instance: centre (2), colour RGBA (4), radius in CSS pixels (1).
pub const FLOATS_PER_NODE: usize = 7;

pub struct NodeProgram {
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    instances: WebGlBuffer,
    u_center: Option<WebGlUniformLocation>,
    u_scale: Option<WebGlUniformLocation>,
    u_viewport: Option<WebGlUniformLocation>,
    u_pixel_ratio: Option<WebGlUniformLocation>,
    count: i32,
}

impl NodeProgram {
    pub fn new(gl: &Gl) -> Result<Self, String> {
        let program = gl::program(gl, VERTEX, FRAGMENT)?;
        let vao = gl
            .create_vertex_array()
            .ok_or("could not create a vertex array")?;
        gl.bind_vertex_array(Some(&vao));

        let corners = gl::buffer(gl)?;
        gl::upload(gl, &corners, &[-1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0]);
        let a_corner = gl::attribute(gl, &program, "a_corner")?;
        gl.enable_vertex_attrib_array(a_corner);
        gl.vertex_attrib_pointer_with_i32(a_corner, 2, Gl::FLOAT, false, 0, 0);

        let instances = gl::buffer(gl)?;
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&instances));
        let stride = (FLOATS_PER_NODE * 4) as i32;
        for (name, size, offset) in [("a_center", 2, 0), ("a_color", 4, 2), ("a_radius", 1, 6)] {
            let location = gl::attribute(gl, &program, name)?;
            gl.enable_vertex_attrib_array(location);
            gl.vertex_attrib_pointer_with_i32(location, size, Gl::FLOAT, false, stride, offset * 4);
            gl.vertex_attrib_divisor(location, 1);
        }
        gl.bind_vertex_array(None);

        Ok(NodeProgram {
            u_center: gl.get_uniform_location(&program, "u_center"),
            u_scale: gl.get_uniform_location(&program, "u_scale"),
            u_viewport: gl.get_uniform_location(&program, "u_viewport"),
            u_pixel_ratio: gl.get_uniform_location(&program, "u_pixel_ratio"),
            program,
            vao,
            instances,
            count: 0,
        })
    }

    /// Replaces the instance data: [`FLOATS_PER_NODE`] floats per node.
    pub fn set_instances(&mut self, gl: &Gl, data: &[f32]) {
        gl::upload(gl, &self.instances, data);
        self.count = (data.len() / FLOATS_PER_NODE) as i32;
    }

    pub fn draw(&self, gl: &Gl, camera: &Camera) {
        if self.count == 0 {
            return;
        }
        gl.use_program(Some(&self.program));
        gl.uniform2f(
            self.u_center.as_ref(),
            camera.center[0] as f32,
            camera.center[1] as f32,
        );
        gl.uniform1f(self.u_scale.as_ref(), camera.scale as f32);
        gl.uniform2f(
            self.u_viewport.as_ref(),
            camera.viewport[0] as f32,
            camera.viewport[1] as f32,
        );
        gl.uniform1f(self.u_pixel_ratio.as_ref(), camera.pixel_ratio as f32);
        gl.bind_vertex_array(Some(&self.vao));
        gl.draw_arrays_instanced(Gl::TRIANGLE_STRIP, 0, 4, self.count);
        gl.bind_vertex_array(None);
    }
}
