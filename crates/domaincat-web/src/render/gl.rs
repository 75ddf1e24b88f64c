//! Small WebGL2 helpers: shader compilation and buffer uploads.

use wasm_bindgen::JsValue;
use web_sys::{WebGl2RenderingContext as Gl, WebGlBuffer, WebGlProgram, WebGlShader};

/// Compiles and links a program from GLSL ES 3.00 sources.
pub fn program(gl: &Gl, vertex: &str, fragment: &str) -> Result<WebGlProgram, String> {
    let vs = shader(gl, Gl::VERTEX_SHADER, vertex)?;
    let fs = shader(gl, Gl::FRAGMENT_SHADER, fragment)?;
    let program = gl
        .create_program()
        .ok_or("could not create a WebGL program")?;
    gl.attach_shader(&program, &vs);
    gl.attach_shader(&program, &fs);
    gl.link_program(&program);
    gl.delete_shader(Some(&vs));
    gl.delete_shader(Some(&fs));
    let linked = gl
        .get_program_parameter(&program, Gl::LINK_STATUS)
        .as_bool()
        .unwrap_or(false);
    if linked {
        Ok(program)
    } else {
        let log = gl.get_program_info_log(&program).unwrap_or_default();
        gl.delete_program(Some(&program));
        Err(format!("shader program failed to link: {log}"))
    }
}

fn shader(gl: &Gl, kind: u32, source: &str) -> Result<WebGlShader, String> {
    let shader = gl
        .create_shader(kind)
        .ok_or("could not create a WebGL shader")?;
    gl.shader_source(&shader, source);
    gl.compile_shader(&shader);
    let compiled = gl
        .get_shader_parameter(&shader, Gl::COMPILE_STATUS)
        .as_bool()
        .unwrap_or(false);
    if compiled {
        Ok(shader)
    } else {
        let log = gl.get_shader_info_log(&shader).unwrap_or_default();
        gl.delete_shader(Some(&shader));
        Err(format!("shader failed to compile: {log}"))
    }
}

/// Creates an empty array buffer.
pub fn buffer(gl: &Gl) -> Result<WebGlBuffer, String> {
    gl.create_buffer()
        .ok_or_else(|| "could not create a WebGL buffer".to_string())
}

/// Uploads `data` into `buffer` as dynamic array data.
pub fn upload(gl: &Gl, buffer: &WebGlBuffer, data: &[f32]) {
    gl.bind_buffer(Gl::ARRAY_BUFFER, Some(buffer));
    let array = js_sys::Float32Array::from(data);
    gl.buffer_data_with_array_buffer_view(Gl::ARRAY_BUFFER, &array, Gl::DYNAMIC_DRAW);
}

/// Looks up an attribute's location, failing when the shader optimised it away.
pub fn attribute(gl: &Gl, program: &WebGlProgram, name: &str) -> Result<u32, String> {
    let location = gl.get_attrib_location(program, name);
    u32::try_from(location).map_err(|_| format!("shader attribute `{name}` not found"))
}

/// Turns a JS error into text for messages.
pub fn js_error(err: &JsValue) -> String {
    err.as_string().unwrap_or_else(|| format!("{err:?}"))
}
