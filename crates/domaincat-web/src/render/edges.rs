//! Edges: one line per edge, with an opacity per vertex so stronger edges read darker.

use web_sys::{
    WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlUniformLocation,
    WebGlVertexArrayObject,
};

use super::camera::Camera;
use super::gl;

const VERTEX: &str = r#"#version 300 es
in vec2 a_position;
in vec4 a_color;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_viewport;
out vec4 v_color;
void main() {
  vec2 screen = u_viewport * 0.5 + (a_position - u_center) * u_scale;
  gl_Position = vec4(screen.x / u_viewport.x * 2.0 - 1.0, 1.0 - screen.y / u_viewport.y * 2.0, 0.0, 1.0);
  v_color = a_color;
}
"#;

const FRAGMENT: &str = r#"#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 out_color;
void main() {
  out_color = vec4(v_color.rgb * v_color.a, v_color.a);
}
"#;

/// Floats per line vertex: position (2), colour RGBA (4); two vertices per edge.
pub const FLOATS_PER_VERTEX: usize = 6;

pub struct EdgeProgram {
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    vertices: WebGlBuffer,
    u_center: Option<WebGlUniformLocation>,
    u_scale: Option<WebGlUniformLocation>,
    u_viewport: Option<WebGlUniformLocation>,
    count: i32,
}

impl EdgeProgram {
    pub fn new(gl: &Gl) -> Result<Self, String> {
        let program = gl::program(gl, VERTEX, FRAGMENT)?;
        let vao = gl
            .create_vertex_array()
            .ok_or("could not create a vertex array")?;
        gl.bind_vertex_array(Some(&vao));
        let vertices = gl::buffer(gl)?;
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&vertices));
        let stride = (FLOATS_PER_VERTEX * 4) as i32;
        for (name, size, offset) in [("a_position", 2, 0), ("a_color", 4, 2)] {
            let location = gl::attribute(gl, &program, name)?;
            gl.enable_vertex_attrib_array(location);
            gl.vertex_attrib_pointer_with_i32(location, size, Gl::FLOAT, false, stride, offset * 4);
        }
        gl.bind_vertex_array(None);
        Ok(EdgeProgram {
            u_center: gl.get_uniform_location(&program, "u_center"),
            u_scale: gl.get_uniform_location(&program, "u_scale"),
            u_viewport: gl.get_uniform_location(&program, "u_viewport"),
            program,
            vao,
            vertices,
            count: 0,
        })
    }

    /// Replaces the line vertices: [`FLOATS_PER_VERTEX`] floats per vertex.
    pub fn set_vertices(&mut self, gl: &Gl, data: &[f32]) {
        gl::upload(gl, &self.vertices, data);
        self.count = (data.len() / FLOATS_PER_VERTEX) as i32;
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
        gl.bind_vertex_array(Some(&self.vao));
        gl.draw_arrays(Gl::LINES, 0, self.count);
        gl.bind_vertex_array(None);
    }
}
