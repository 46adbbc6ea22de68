//! A QR code as an SVG image, rendered on the server (BankID's animated QR
//! code changes every second, so the page and the decoupled client fetch it).

use qrcode::QrCode;
use qrcode::render::svg;

/// The SVG of `data`, or an empty string if it cannot be encoded.
pub fn svg(data: &str) -> String {
    match QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        Err(e) => {
            tracing::error!(error = %e, "QR code");
            String::new()
        }
    }
}

/// The SVG element alone, to put inside a page.
pub fn inline_svg(data: &str) -> String {
    let s = svg(data);
    match s.find("<svg") {
        Some(i) => s[i..].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bankid_string_renders_as_an_svg_image() {
        let svg = super::svg(
            "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8",
        );
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"),
            "{svg:.200}"
        );
    }
}
