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
use nodes::NodeProgram;
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
        let _ = js_sys::Reflect::set(&options, &"antialias".into(), &true.into());
        let _ = js_sys::Reflect::set(&options, &"premultipliedAlpha".into(), &true.into());
        // Lets screenshots and pixel reads see the last frame.
        let _ = js_sys::Reflect::set(&options, &"preserveDrawingBuffer".into(), &true.into());
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &options)
            .map_err(|err| RenderError::Setup(gl::js_error(&err)))?
            .ok_or(RenderError::NoWebGl2)?
            .dyn_into()
            .map_err(|_| RenderError::NoWebGl2)?;
        let nodes = NodeProgram::new(&gl).map_err(RenderError::Setup)?;
        let edges = EdgeProgram::new(&gl).map_err(RenderError::Setup)?;
        Ok(Renderer {
            gl,
            canvas: canvas.clone(),
            nodes,
            edges,
        })
    }

    /// Uploads new node instances and node positions (`dims` floats per node) for the
    /// edges.
    pub fn set_nodes(&mut self, node_instances: &[f32], positions: &[f32], dims: usize) {
        self.nodes.set_instances(&self.gl, node_instances);
        self.edges.set_positions(&self.gl, positions, dims);
    }

    /// Uploads new edge instances ([`edges::WORDS_PER_EDGE`] words per edge).
    pub fn set_edges(&mut self, edge_instances: &[u32]) {
        self.edges.set_instances(&self.gl, edge_instances);
    }

    /// Draws the scene through `view`, resizing the drawing buffer to the viewport
    /// first.
    pub fn draw(&self, view: &View) {
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
            self.edges.draw(gl, view);
            gl.depth_mask(true);
            self.nodes.draw(gl, view);
        } else {
            gl.disable(Gl::DEPTH_TEST);
            self.edges.draw(gl, view);
            self.nodes.draw(gl, view);
        }
    }
}
