//! Entry point of the page's main thread.

fn main() {
    domaincat_web::app::start();
}
