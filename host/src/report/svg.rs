//! Inline SVG charts of the HTML report's performance and canary sections:
//! made here, without script or external assets, with coordinates printed
//! to one decimal so the same verdict gives the same bytes.

use super::escape::html;
use std::fmt::Write;

const RED: &str = "#cf222e";
const GREEN: &str = "#1a7f37";
const GREY: &str = "#8c959f";
const AMBER: &str = "#bf8700";

/// One row of a [`pairs`] chart: the current value as a coloured bar, the
/// baseline (when there is one) as a grey bar above it, and a marker line
/// at the limit (when there is one). Each row has its own scale, so rows
/// of different units share a chart.
pub struct Pair {
    pub label: String,
    /// The baseline's value and how to read it (`0.1 s`).
    pub baseline: Option<(f64, String)>,
    pub current: (f64, String),
    /// The limit and how to read it (`<= 110 ms`).
    pub marker: Option<(f64, String)>,
    /// How the current value came out: its bar's colour.
    pub tone: Tone,
    /// Shown right of the bars (`+15.00%`, `FAIL`).
    pub note: String,
}

/// A failure (red), something noted but not failing (amber), or fine
/// (green).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Bad,
    Note,
    Good,
}

const LABEL_CHARS: usize = 34;
const X0: f64 = 230.0;
const WIDTH: f64 = 300.0;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// A chart of `rows` (see [`Pair`]) in a `<figure>` captioned `title`.
/// Values that are not finite or negative are left out of the bars (their
/// text still shows).
pub fn pairs(id: &str, title: &str, rows: &[Pair]) -> String {
    let has_baseline = rows.iter().any(|r| r.baseline.is_some());
    let row_h = if has_baseline { 34.0 } else { 24.0 };
    let height = rows.len().max(1) as f64 * row_h + 8.0;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 900 {height:.1}\" width=\"900\" height=\"{height:.1}\" role=\"img\">",
        html(title)
    );
    if rows.is_empty() {
        svg.push_str("<text x=\"4\" y=\"20\">nothing to chart</text>");
    }
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    for (i, r) in rows.iter().enumerate() {
        let top = i as f64 * row_h + 4.0;
        let scale = [
            Some(r.current.0),
            r.baseline.as_ref().map(|b| b.0),
            r.marker.as_ref().map(|m| m.0),
        ]
        .into_iter()
        .flatten()
        .filter(|v| ok(*v))
        .fold(0.0f64, f64::max)
            * 1.15;
        let w = |v: f64| {
            if scale > 0.0 && ok(v) {
                v / scale * WIDTH
            } else {
                0.0
            }
        };
        let mut tip = format!("{}: {}", r.label, r.current.1);
        let _ = write!(
            svg,
            "<g class=\"pair\"><text x=\"0\" y=\"{:.1}\" class=\"label\">{}</text>",
            top + if has_baseline { 20.0 } else { 13.0 },
            html(&short(&r.label))
        );
        let mut y = top;
        if let Some((b, text)) = &r.baseline {
            let _ = write!(
                svg,
                "<rect class=\"baseline\" x=\"{X0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{GREY}\"><title>baseline {}</title></rect>",
                w(*b),
                html(text)
            );
            let _ = write!(tip, " (baseline {text})");
            y += 14.0;
        }
        let fill = match r.tone {
            Tone::Bad => RED,
            Tone::Note => AMBER,
            Tone::Good => GREEN,
        };
        let cw = w(r.current.0);
        let _ = write!(
            svg,
            "<rect class=\"current\" x=\"{X0:.1}\" y=\"{y:.1}\" width=\"{cw:.1}\" height=\"14\" fill=\"{fill}\"><title>{}</title></rect>",
            html(&tip)
        );
        let bottom = y + 14.0;
        if let Some((m, text)) = &r.marker
            && ok(*m)
        {
            let x = X0 + w(*m);
            let _ = write!(
                svg,
                "<line class=\"limit\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#1f2328\" stroke-width=\"2\" stroke-dasharray=\"3 2\"><title>limit {}</title></line>",
                top - 2.0,
                bottom + 2.0,
                html(text)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"value\" font-size=\"12\">{}</text></g>",
            X0 + WIDTH + 14.0,
            bottom - 2.0,
            html(format!("{} {}", r.current.1, r.note).trim_end())
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_per_row_and_mark_the_limit() {
        let svg = pairs(
            "c",
            "t",
            &[Pair {
                label: "parse <mean>".into(),
                baseline: Some((100.0, "100 ms".into())),
                current: (115.0, "115 ms".into()),
                marker: Some((110.0, "<= 110 ms".into())),
                tone: Tone::Bad,
                note: "+15.00%".into(),
            }],
        );
        // 115 of 115 × 1.15 is 300 / 1.15 px.
        assert!(
            svg.contains("width=\"260.9\" height=\"14\" fill=\"#cf222e\""),
            "{svg}"
        );
        assert!(svg.contains("parse &lt;mean&gt;"), "{svg}");
        assert!(svg.contains("<title>limit &lt;= 110 ms</title>"), "{svg}");
    }
}
