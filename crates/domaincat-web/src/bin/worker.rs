//! Entry point of the scoring worker.

fn main() {
    domaincat_web::worker::start();
}
