//! Edges: one instanced line per edge. Each instance holds the two node indices and a
//! style; the vertex shader reads node positions from a float texture, so a layout step
//! uploads one texel per node and the edge buffer changes only with the drawn edges or
//! the highlight.

use web_sys::{
    WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlTexture, WebGlUniformLocation,
    WebGlVertexArrayObject,
};

use super::gl;
use super::view::{Uniforms, View};

const VERTEX: &str = r#"#version 300 es
precision highp float;
precision highp int;
in uvec2 a_ends;
in vec2 a_style;
uniform highp sampler2D u_positions;
uniform mat4 u_matrix;
uniform vec2 u_fog;
out vec4 v_color;
const vec3 EDGE = vec3(0.72, 0.77, 0.85);
const vec3 SELECTED = vec3(0.55, 0.78, 1.0);
const vec3 HOVERED = vec3(1.0, 0.85, 0.3);
void main() {
  uint node = gl_VertexID == 0 ? a_ends.x : a_ends.y;
  int width = textureSize(u_positions, 0).x;
  ivec2 texel = ivec2(int(node) % width, int(node) / width);
  vec3 position = texelFetch(u_positions, texel, 0).xyz;
  vec4 clip = u_matrix * vec4(position, 1.0);
  gl_Position = clip;
  float fog = u_fog.y > u_fog.x ? clamp((clip.w - u_fog.x) / (u_fog.y - u_fog.x), 0.0, 1.0) : 0.0;
  vec3 color = a_style.y > 1.5 ? HOVERED : (a_style.y > 0.5 ? SELECTED : EDGE);
  v_color = vec4(color, a_style.x * (1.0 - 0.85 * fog));
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

/// 32-bit words per edge instance: node a, node b, opacity (f32 bits), style (f32 bits).
pub const WORDS_PER_EDGE: usize = 4;

/// Style of an edge instance, read by the vertex shader.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EdgeStyle {
    Plain = 0,
    Selected = 1,
    Hovered = 2,
}

/// Width of the position texture in texels; WebGL2 guarantees at least 2048.
const TEXTURE_WIDTH: usize = 2048;

pub struct EdgeProgram {
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    instances: WebGlBuffer,
    positions: WebGlTexture,
    positions_uniform: Option<WebGlUniformLocation>,
    uniforms: Uniforms,
    count: i32,
    /// Texels of the position texture, RGBA per node, reused between uploads.
    texels: Vec<f32>,
    texture_size: (usize, usize),
}

impl EdgeProgram {
    pub fn new(gl: &Gl) -> Result<Self, String> {
        let program = gl::program(gl, VERTEX, FRAGMENT)?;
        let vao = gl
            .create_vertex_array()
            .ok_or("could not create a vertex array")?;
        gl.bind_vertex_array(Some(&vao));
        let instances = gl::buffer(gl)?;
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&instances));
        let stride = (WORDS_PER_EDGE * 4) as i32;
        let ends = gl::attribute(gl, &program, "a_ends")?;
        gl.enable_vertex_attrib_array(ends);
        gl.vertex_attrib_i_pointer_with_i32(ends, 2, Gl::UNSIGNED_INT, stride, 0);
        gl.vertex_attrib_divisor(ends, 1);
        let style = gl::attribute(gl, &program, "a_style")?;
        gl.enable_vertex_attrib_array(style);
        gl.vertex_attrib_pointer_with_i32(style, 2, Gl::FLOAT, false, stride, 8);
        gl.vertex_attrib_divisor(style, 1);
        gl.bind_vertex_array(None);

        let positions = gl
            .create_texture()
            .ok_or("could not create a WebGL texture")?;
        gl.bind_texture(Gl::TEXTURE_2D, Some(&positions));
        for (parameter, value) in [
            (Gl::TEXTURE_MIN_FILTER, Gl::NEAREST),
            (Gl::TEXTURE_MAG_FILTER, Gl::NEAREST),
            (Gl::TEXTURE_WRAP_S, Gl::CLAMP_TO_EDGE),
            (Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE),
        ] {
            gl.tex_parameteri(Gl::TEXTURE_2D, parameter, value as i32);
        }
        gl.bind_texture(Gl::TEXTURE_2D, None);
        Ok(EdgeProgram {
            uniforms: Uniforms::find(gl, &program),
            positions_uniform: gl.get_uniform_location(&program, "u_positions"),
            program,
            vao,
            instances,
            positions,
            count: 0,
            texels: Vec::new(),
            texture_size: (0, 0),
        })
    }

    /// Replaces the edge instances: [`WORDS_PER_EDGE`] words per edge.
    pub fn set_instances(&mut self, gl: &Gl, words: &[u32]) {
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&self.instances));
        let array = js_sys::Uint32Array::from(words);
        gl.buffer_data_with_array_buffer_view(Gl::ARRAY_BUFFER, &array, Gl::DYNAMIC_DRAW);
        self.count = (words.len() / WORDS_PER_EDGE) as i32;
    }

    /// Uploads node positions (`dims` floats per node) to the position texture.
    pub fn set_positions(&mut self, gl: &Gl, flat: &[f32], dims: usize) {
        let dims = dims.max(1);
        let nodes = flat.len() / dims;
        let width = nodes.clamp(1, TEXTURE_WIDTH);
        let height = nodes.div_ceil(width).max(1);
        self.texels.clear();
        self.texels.resize(width * height * 4, 0.0);
        for (node, position) in flat.chunks_exact(dims).enumerate() {
            let texel = &mut self.texels[node * 4..node * 4 + 3];
            texel[..dims.min(3)].copy_from_slice(&position[..dims.min(3)]);
        }
        gl.bind_texture(Gl::TEXTURE_2D, Some(&self.positions));
        let array = js_sys::Float32Array::from(self.texels.as_slice());
        let result = if self.texture_size == (width, height) {
            gl.tex_sub_image_2d_with_i32_and_i32_and_u32_and_type_and_opt_array_buffer_view(
                Gl::TEXTURE_2D,
                0,
                0,
                0,
                width as i32,
                height as i32,
                Gl::RGBA,
                Gl::FLOAT,
                Some(&array),
            )
        } else {
            self.texture_size = (width, height);
            gl.tex_image_2d_with_i32_and_i32_and_i32_and_format_and_type_and_opt_array_buffer_view(
                Gl::TEXTURE_2D,
                0,
                Gl::RGBA32F as i32,
                width as i32,
                height as i32,
                0,
                Gl::RGBA,
                Gl::FLOAT,
                Some(&array),
            )
        };
        if let Err(err) = result {
            log::error!("uploading node positions failed: {}", gl::js_error(&err));
        }
        gl.bind_texture(Gl::TEXTURE_2D, None);
    }

    pub fn draw(&self, gl: &Gl, view: &View) {
        if self.count == 0 || self.texture_size == (0, 0) {
            return;
        }
        gl.use_program(Some(&self.program));
        self.uniforms.set(gl, view);
        gl.active_texture(Gl::TEXTURE0);
        gl.bind_texture(Gl::TEXTURE_2D, Some(&self.positions));
        gl.uniform1i(self.positions_uniform.as_ref(), 0);
        gl.bind_vertex_array(Some(&self.vao));
        gl.draw_arrays_instanced(Gl::LINES, 0, 2, self.count);
        gl.bind_vertex_array(None);
        gl.bind_texture(Gl::TEXTURE_2D, None);
    }
}
