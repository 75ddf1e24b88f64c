// Starts the scoring Web Worker: loads wasm-bindgen's no-modules glue, then its
// WebAssembly. Trunk names worker files after the Cargo binary, without a content hash.
// Trunk's own loader (data-loader-shim) passes the WebAssembly URL as a bare string,
// which wasm-bindgen 0.2.130 accepts with a deprecation warning on every load.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
