//! A server-rendered SVG bar chart of calls per hour, with the refused share
//! drawn on top. Presentation attributes only: the CSP allows no inline style.

use std::fmt::Write;

use crate::services::usage::UsageReport;

// Narrow enough that the 13-unit labels stay readable on a 390 px phone.
const W: i64 = 400;
const H: i64 = 200;
const PAD: i64 = 24;

pub fn calls_per_hour(report: &UsageReport) -> String {
    let max = report.hours.iter().map(|h| h.1).max().unwrap_or(0).max(1);
    let slot = (W - 2 * PAD) / report.hours.len().max(1) as i64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        svg,
        r#"<title id="chart-title">Sandbox calls per hour, last 24 hours</title><desc id="chart-desc">{} calls, {} refused with 429. The table below has the numbers.</desc>"#,
        report.total, report.throttled
    );
    let _ = write!(
        svg,
        r##"<line x1="{PAD}" y1="{}" x2="{}" y2="{}" stroke="#8c8c8c"/>"##,
        H - PAD,
        W - PAD,
        H - PAD
    );
    let _ = write!(
        svg,
        r##"<text x="{PAD}" y="14" font-size="13" fill="#5c5c5c">max {max} calls/hour · hours in UTC</text>"##
    );
    for (i, (start, calls, throttled)) in report.hours.iter().enumerate() {
        let x = PAD + i as i64 * slot + 2;
        let bar = (H - 2 * PAD) * calls / max;
        let refused = (H - 2 * PAD) * throttled / max;
        let y = H - PAD - bar;
        if *calls > 0 {
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{}" height="{bar}" fill="#2b5fad"/>"##,
                slot - 4
            );
        }
        if *throttled > 0 {
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{}" height="{refused}" fill="#b3001b"/>"##,
                slot - 4
            );
        }
        if i % 6 == 0 {
            let hour = (start.rem_euclid(86_400)) / 3600;
            let _ = write!(
                svg,
                r##"<text x="{x}" y="{}" font-size="13" fill="#5c5c5c">{hour:02}:00</text>"##,
                H - PAD + 14
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_busiest_hour_and_refusals_are_drawn() {
        let mut hours: Vec<(i64, i64, i64)> = (0..24).map(|h| (h * 3600, 0, 0)).collect();
        hours[3] = (3 * 3600, 10, 2);
        hours[4] = (4 * 3600, 5, 0);
        let svg = calls_per_hour(&UsageReport {
            hours,
            total: 15,
            throttled: 2,
            evenness: Some(3),
        });
        assert!(svg.contains("max 10 calls/hour"));
        assert_eq!(svg.matches("fill=\"#2b5fad\"").count(), 2);
        assert_eq!(svg.matches("fill=\"#b3001b\"").count(), 1);
        assert!(!svg.contains("style="));
    }
}
