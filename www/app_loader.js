// Starts the page's WebAssembly module from a file, so that the page runs under a Content
// Security Policy without 'unsafe-inline'. Trunk.toml's pattern_script puts this file in
// place of the inline module script that Trunk injects by default. The attributes data-js
// and data-wasm of that <script> element contain the hashed names of wasm-bindgen's output.

const loader = document.querySelector('script[data-js][data-wasm]');

try {
  if (loader === null) {
    throw new Error('the page has no <script data-js data-wasm> element');
  }
  // Relative names resolve against this file's URL, which is the page's directory.
  const { default: init } = await import(loader.dataset.js);
  await init({ module_or_path: new URL(loader.dataset.wasm, import.meta.url) });
} catch (error) {
  console.error('failed to start the page', error);
  const errorText = document.getElementById('error-text');
  if (errorText !== null) {
    errorText.textContent = `The page failed to start: ${error}. Reload it, or use a current browser with WebAssembly enabled.`;
    document.getElementById('error').hidden = false;
  }
}
