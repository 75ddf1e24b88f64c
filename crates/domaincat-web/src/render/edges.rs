//! Edges: one line per edge, with an opacity per vertex so stronger edges read darker.
//!
//! Vertices are in world coordinates, so panning, zooming and orbiting only change the
//! view matrix: the buffer is rebuilt when positions, the drawn edges or the highlight
//! change. A draw may stop after the first edges of the buffer, which the page orders
//! heaviest first, so that a slow GPU keeps its frame rate while the view moves.

use web_sys::{WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlVertexArrayObject};

use super::gl;
use super::view::{Uniforms, View};

const VERTEX: &str = r#"#version 300 es
in vec3 a_position;
in vec4 a_color;
uniform mat4 u_matrix;
uniform vec2 u_fog;
out vec4 v_color;
void main() {
  vec4 clip = u_matrix * vec4(a_position, 1.0);
  gl_Position = clip;
  float fog = u_fog.y > u_fog.x ? clamp((clip.w - u_fog.x) / (u_fog.y - u_fog.x), 0.0, 1.0) : 0.0;
  v_color = vec4(a_color.rgb, a_color.a * (1.0 - 0.85 * fog));
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

/// Floats per line vertex: position (3), colour RGBA (4); two vertices per edge.
pub const FLOATS_PER_VERTEX: usize = 7;

pub struct EdgeProgram {
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    vertices: WebGlBuffer,
    uniforms: Uniforms,
    /// Edges in the buffer, the last one `extra` being drawn always.
    count: usize,
    /// Edges at the end of the buffer drawn whatever the limit (the hovered edge).
    extra: usize,
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
        for (name, size, offset) in [("a_position", 3, 0), ("a_color", 4, 3)] {
            let location = gl::attribute(gl, &program, name)?;
            gl.enable_vertex_attrib_array(location);
            gl.vertex_attrib_pointer_with_i32(location, size, Gl::FLOAT, false, stride, offset * 4);
        }
        gl.bind_vertex_array(None);
        Ok(EdgeProgram {
            uniforms: Uniforms::find(gl, &program),
            program,
            vao,
            vertices,
            count: 0,
            extra: 0,
        })
    }

    /// Replaces the line vertices ([`FLOATS_PER_VERTEX`] floats per vertex, two per
    /// edge); the last `extra` edges are drawn whatever the limit given to `draw`.
    pub fn set_vertices(&mut self, gl: &Gl, data: &[f32], extra: usize) {
        gl::upload(gl, &self.vertices, data);
        self.count = data.len() / (2 * FLOATS_PER_VERTEX);
        self.extra = extra.min(self.count);
    }

    /// Draws the first `limit` edges, then the extra ones.
    pub fn draw(&self, gl: &Gl, view: &View, limit: usize) {
        if self.count == 0 {
            return;
        }
        gl.use_program(Some(&self.program));
        self.uniforms.set(gl, view);
        gl.bind_vertex_array(Some(&self.vao));
        let main = self.count - self.extra;
        let drawn = limit.min(main);
        if drawn > 0 {
            gl.draw_arrays(Gl::LINES, 0, (2 * drawn) as i32);
        }
        if self.extra > 0 {
            gl.draw_arrays(Gl::LINES, (2 * main) as i32, (2 * self.extra) as i32);
        }
        gl.bind_vertex_array(None);
    }
}
