//! WebGL2 drawing of the domain graph: one module per GPU program, a camera that owns
//! the coordinate conversions, and the scene builder that feeds them.

pub mod camera;
pub mod edges;
mod gl;
pub mod nodes;
pub mod orbit;
pub mod scene;
pub mod view;

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, WebGl2RenderingContext as Gl};

use edges::EdgeProgram;
use nodes::{NodeProgram, NodeShape};
use view::{View, BACKGROUND};

/// Error that keeps the renderer from starting.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("this browser has no WebGL2 support, which the graph view needs")]
    NoWebGl2,
    #[error("WebGL setup failed: {0}")]
    Setup(String),
}

/// The GPU side of the graph view.
pub struct Renderer {
    gl: Gl,
    canvas: HtmlCanvasElement,
    nodes: NodeProgram,
    edges: EdgeProgram,
}

impl Renderer {
    pub fn new(canvas: &HtmlCanvasElement) -> Result<Self, RenderError> {
        let options = js_sys::Object::new();
        // Multisampling makes a CPU rasteriser about four times slower per frame.
        let software = software_renderer(canvas);
        let antialias = !software;
        let _ = js_sys::Reflect::set(&options, &"antialias".into(), &antialias.into());
        let _ = js_sys::Reflect::set(&options, &"premultipliedAlpha".into(), &true.into());
        // Lets screenshots and pixel reads see the last frame.
        let _ = js_sys::Reflect::set(&options, &"preserveDrawingBuffer".into(), &true.into());
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &options)
            .map_err(|err| RenderError::Setup(gl::js_error(&err)))?
            .ok_or(RenderError::NoWebGl2)?
            .dyn_into()
            .map_err(|_| RenderError::NoWebGl2)?;
        let shape = if software {
            NodeShape::Point
        } else {
            NodeShape::Quad
        };
        let nodes = NodeProgram::new(&gl, shape).map_err(RenderError::Setup)?;
        let edges = EdgeProgram::new(&gl).map_err(RenderError::Setup)?;
        Ok(Renderer {
            gl,
            canvas: canvas.clone(),
            nodes,
            edges,
        })
    }

    /// Uploads new node instances.
    pub fn set_nodes(&mut self, node_instances: &[f32]) {
        self.nodes.set_instances(&self.gl, node_instances);
    }

    /// Uploads new edge vertices; the last `extra` edges are drawn whatever the limit.
    pub fn set_edges(&mut self, edge_vertices: &[f32], extra: usize) {
        self.edges.set_vertices(&self.gl, edge_vertices, extra);
    }

    /// Draws the scene through `view`, at most `edge_limit` edges plus the hovered one,
    /// resizing the drawing buffer to the viewport first.
    pub fn draw(&self, view: &View, edge_limit: usize) {
        let width = (f64::from(view.viewport[0]) * view.pixel_ratio)
            .round()
            .max(1.0) as u32;
        let height = (f64::from(view.viewport[1]) * view.pixel_ratio)
            .round()
            .max(1.0) as u32;
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        let gl = &self.gl;
        gl.viewport(0, 0, width as i32, height as i32);
        gl.clear_color(BACKGROUND[0], BACKGROUND[1], BACKGROUND[2], 1.0);
        gl.clear_depth(1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT | Gl::DEPTH_BUFFER_BIT);
        gl.enable(Gl::BLEND);
        gl.blend_func(Gl::ONE, Gl::ONE_MINUS_SRC_ALPHA);
        if view.depth_test {
            // Edges are faint and drawn first; only node discs hide what is behind them.
            gl.enable(Gl::DEPTH_TEST);
            gl.depth_func(Gl::LEQUAL);
            gl.depth_mask(false);
            self.edges.draw(gl, view, edge_limit);
            gl.depth_mask(true);
            self.nodes.draw(gl, view);
        } else {
            gl.disable(Gl::DEPTH_TEST);
            self.edges.draw(gl, view, edge_limit);
            self.nodes.draw(gl, view);
        }
    }
}

/// Returns whether WebGL2 runs on a CPU rasteriser (SwiftShader, llvmpipe, …), judged
/// from the renderer name of a throwaway context. Returns `false` when the browser hides
/// that name.
fn software_renderer(canvas: &HtmlCanvasElement) -> bool {
    /// `UNMASKED_RENDERER_WEBGL` of the `WEBGL_debug_renderer_info` extension.
    const UNMASKED_RENDERER: u32 = 0x9246;
    let Some(probe) = canvas
        .owner_document()
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return false;
    };
    let Some(gl) = probe
        .get_context("webgl2")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<Gl>().ok())
    else {
        return false;
    };
    let name = match gl.get_extension("WEBGL_debug_renderer_info") {
        Ok(Some(_)) => gl
            .get_parameter(UNMASKED_RENDERER)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    // Frees the probe's context now rather than at garbage collection.
    if let Ok(Some(lose)) = gl.get_extension("WEBGL_lose_context") {
        let _ = js_sys::Reflect::get(&lose, &"loseContext".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .map(|f| f.call0(&lose));
    }
    let name = name.to_lowercase();
    let software = ["swiftshader", "llvmpipe", "softpipe", "software"]
        .iter()
        .any(|s| name.contains(s));
    if software {
        log::info!("WebGL2 renders on the CPU ({name}): no multisampling, nodes as point sprites");
    }
    software
}
