//! A `log` backend that writes to the browser console, with the level mapped to the
//! console method so the developer tools can filter it.

use log::{Level, LevelFilter, Log, Metadata, Record};
use wasm_bindgen::JsValue;

struct ConsoleLogger;

static LOGGER: ConsoleLogger = ConsoleLogger;

impl Log for ConsoleLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = JsValue::from_str(&format!("[domaincat] {}", record.args()));
        match record.level() {
            Level::Error => web_sys::console::error_1(&text),
            Level::Warn => web_sys::console::warn_1(&text),
            Level::Info => web_sys::console::info_1(&text),
            Level::Debug | Level::Trace => web_sys::console::debug_1(&text),
        }
    }

    fn flush(&self) {}
}

/// Installs the console logger (info level) and a panic hook that logs panics to the
/// console. Safe to call more than once.
pub fn init() {
    console_error_panic_hook::set_once();
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(LevelFilter::Info);
    }
}
