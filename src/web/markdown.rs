//! Markdown to HTML for API documentation. Raw HTML in the source is shown as
//! text, never passed through, so documentation cannot inject markup.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use pulldown_cmark::{Event, Options, Parser, html};

/// An API's documentation as HTML, rendered once per process: it is part of
/// the release (the catalogue), so it never changes under the same `key`.
pub fn rendered_once(key: &str, markdown: &str) -> Arc<str> {
    static RENDERED: LazyLock<RwLock<HashMap<String, Arc<str>>>> = LazyLock::new(RwLock::default);
    if let Some(html) = RENDERED.read().ok().and_then(|m| m.get(key).cloned()) {
        return html;
    }
    let html: Arc<str> = to_html(markdown).into();
    if let Ok(mut m) = RENDERED.write() {
        m.insert(key.to_string(), html.clone());
    }
    html
}

pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render_and_raw_html_is_escaped() {
        let out = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>");
        assert!(out.contains("<table>"));
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;"));
    }
}
