//! The dashboard's files (`dashboard/dist`, built by `make run` with Vite) at `/`.
//!
//! Every answer carries headers that keep the page to itself: no framing by another site
//! (the page has a halt button), no content sniffing, and a content security policy that
//! allows only this origin (scripts, styles, the `/rl/ws` WebSocket). When the directory is
//! missing, `/` says how to build it (503) instead of a bare 404.

use std::path::{Path, PathBuf};

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

/// The policy: this origin only; inline styles for the chart library's canvases.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The headers every answer carries.
pub fn headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CSP))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

async fn not_built(dir: web::Data<PathBuf>) -> HttpResponse {
    let body = format!(
        "<!doctype html><title>kalshi-actor</title><p>The dashboard is not built: no {}.</p>\
         <p>Run <code>make dashboard</code> (or <code>make run</code>, which builds it).</p>",
        dir.join("index.html").display()
    );
    HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).content_type("text/html; charset=utf-8").body(body)
}

/// Mounts the files of `dir` at `/` (after every other route), or the "not built" page.
pub fn configure(cfg: &mut web::ServiceConfig, dir: Option<&Path>) {
    let Some(dir) = dir else { return };
    if dir.join("index.html").is_file() {
        cfg.service(
            actix_files::Files::new("/", dir)
                .index_file("index.html")
                .prefer_utf8(true)
                .default_handler(web::to(super::not_found)),
        );
    } else {
        tracing::warn!(dir = %dir.display(), "dashboard not built; `make dashboard` builds it");
        cfg.app_data(web::Data::new(dir.to_path_buf())).route("/", web::get().to(not_built));
    }
}
