//! Node discs: one instanced quad per node, or one point sprite per node on CPU
//! rasterisers (where quads cost about five times as much), shaded into an anti-aliased
//! disc with a dark rim in the fragment shader.

use web_sys::{
    WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlUniformLocation,
    WebGlVertexArrayObject,
};

use wasm_bindgen::JsCast;

use super::gl;
use super::view::{Uniforms, View};

/// Vertex shader of both shapes, after a `#version` line and, for point sprites,
/// `#define POINTS` (see [`NodeShape`]).
const VERTEX: &str = r#"
in vec3 a_center;
in vec4 a_color;
in float a_radius;
uniform mat4 u_matrix;
// Reference depth at which discs have their nominal size; 0 keeps a fixed size (2D).
uniform float u_depth_scale;
// Depth where fog starts and where it is thickest; no fog when y <= x.
uniform vec2 u_fog;
uniform vec3 u_background;
#ifdef POINTS
// Declared as in the fragment shader, which shares it.
uniform mediump float u_pixel_ratio;
uniform float u_max_point;
#else
in vec2 a_corner;
uniform vec2 u_viewport;
out vec2 v_corner;
#endif
out vec4 v_color;
out float v_radius;
void main() {
  vec4 clip = u_matrix * vec4(a_center, 1.0);
  float radius = a_radius;
  if (u_depth_scale > 0.0) {
    radius *= clamp(u_depth_scale / clip.w, 0.35, 3.0);
  }
#ifdef POINTS
  gl_PointSize = min(2.0 * radius * u_pixel_ratio, u_max_point);
#else
  clip.xy += a_corner * radius * 2.0 / u_viewport * clip.w;
  v_corner = a_corner;
#endif
  gl_Position = clip;
  float fog = u_fog.y > u_fog.x ? 0.8 * clamp((clip.w - u_fog.x) / (u_fog.y - u_fog.x), 0.0, 1.0) : 0.0;
  v_color = vec4(mix(a_color.rgb, u_background, fog), a_color.a);
  v_radius = radius;
}
"#;

/// Fragment shader of both shapes: the disc, from the position within the quad or the
/// point (-1 to 1 on both axes).
const FRAGMENT: &str = r#"
precision mediump float;
#ifndef POINTS
in vec2 v_corner;
#endif
in vec4 v_color;
in float v_radius;
uniform float u_pixel_ratio;
out vec4 out_color;
void main() {
#ifdef POINTS
  vec2 corner = gl_PointCoord * 2.0 - 1.0;
#else
  vec2 corner = v_corner;
#endif
  float d = length(corner);
  float pixel = 1.0 / max(v_radius * u_pixel_ratio, 1.0);
  float alpha = 1.0 - smoothstep(1.0 - pixel, 1.0, d);
  if (alpha <= 0.0) discard;
  float rim = smoothstep(1.0 - 2.5 * pixel, 1.0 - 1.5 * pixel, d);
  vec3 color = mix(v_color.rgb, v_color.rgb * 0.35, rim);
  out_color = vec4(color * v_color.a * alpha, v_color.a * alpha);
}
"#;

/// Floats per node instance: centre (3), colour RGBA (4), radius in CSS pixels (1).
pub const FLOATS_PER_NODE: usize = 8;

/// Primitive that draws a node disc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeShape {
    /// An instanced quad: any size, clipped at the edges of the view like any triangle.
    Quad,
    /// A point sprite: far cheaper on CPU rasterisers, limited to the largest point
    /// size, and dropped whole once its centre leaves the view.
    Point,
}

pub struct NodeProgram {
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    instances: WebGlBuffer,
    uniforms: Uniforms,
    u_pixel_ratio: Option<WebGlUniformLocation>,
    u_max_point: Option<WebGlUniformLocation>,
    shape: NodeShape,
    /// Largest point size in device pixels.
    max_point: f32,
    count: i32,
}

impl NodeProgram {
    pub fn new(gl: &Gl, shape: NodeShape) -> Result<Self, String> {
        let header = match shape {
            NodeShape::Quad => "#version 300 es",
            NodeShape::Point => "#version 300 es\n#define POINTS",
        };
        let program = gl::program(
            gl,
            &format!("{header}{VERTEX}"),
            &format!("{header}{FRAGMENT}"),
        )?;
        let vao = gl
            .create_vertex_array()
            .ok_or("could not create a vertex array")?;
        gl.bind_vertex_array(Some(&vao));

        if shape == NodeShape::Quad {
            let corners = gl::buffer(gl)?;
            gl::upload(gl, &corners, &[-1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0]);
            let a_corner = gl::attribute(gl, &program, "a_corner")?;
            gl.enable_vertex_attrib_array(a_corner);
            gl.vertex_attrib_pointer_with_i32(a_corner, 2, Gl::FLOAT, false, 0, 0);
        }

        let instances = gl::buffer(gl)?;
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&instances));
        let stride = (FLOATS_PER_NODE * 4) as i32;
        for (name, size, offset) in [("a_center", 3, 0), ("a_color", 4, 3), ("a_radius", 1, 7)] {
            let location = gl::attribute(gl, &program, name)?;
            gl.enable_vertex_attrib_array(location);
            gl.vertex_attrib_pointer_with_i32(location, size, Gl::FLOAT, false, stride, offset * 4);
            if shape == NodeShape::Quad {
                gl.vertex_attrib_divisor(location, 1);
            }
        }
        gl.bind_vertex_array(None);
        let max_point = gl
            .get_parameter(Gl::ALIASED_POINT_SIZE_RANGE)
            .ok()
            .and_then(|range| range.dyn_into::<js_sys::Float32Array>().ok())
            .map_or(1.0, |range| range.get_index(1));

        Ok(NodeProgram {
            uniforms: Uniforms::find(gl, &program),
            u_pixel_ratio: gl.get_uniform_location(&program, "u_pixel_ratio"),
            u_max_point: gl.get_uniform_location(&program, "u_max_point"),
            shape,
            max_point,
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

    pub fn draw(&self, gl: &Gl, view: &View) {
        if self.count == 0 {
            return;
        }
        gl.use_program(Some(&self.program));
        self.uniforms.set(gl, view);
        gl.uniform1f(self.u_pixel_ratio.as_ref(), view.pixel_ratio as f32);
        gl.uniform1f(self.u_max_point.as_ref(), self.max_point);
        gl.bind_vertex_array(Some(&self.vao));
        match self.shape {
            NodeShape::Quad => gl.draw_arrays_instanced(Gl::TRIANGLE_STRIP, 0, 4, self.count),
            NodeShape::Point => gl.draw_arrays(Gl::POINTS, 0, self.count),
        }
        gl.bind_vertex_array(None);
    }
}
