//! The report as one self-contained HTML page (`--html`): tables and inline SVG charts, no
//! script, no style sheet, font or image fetched, so it opens offline and anywhere.
//!
//! Each chart point is an SVG `circle` with `data-series`, `data-week` and `data-value`
//! attributes, so a test (or a curious reader) can check what the chart holds.

use std::fmt::Write as _;

use crate::analysis::{Report, Week};
use crate::figures::duration;
use crate::tables::{self, percent, Medium, Table};

/// Text as HTML content or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Line colours, one per series, told apart in print too by their legend.
const PALETTE: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
];

/// One line of a chart: its name and a value per week (`None`: no run that week).
struct Series<'a> {
    name: &'a str,
    values: Vec<Option<f64>>,
}

/// A chart's captioned figure and its `svg` element opened, `title` also naming the image for
/// screen readers.
fn figure_opening(id: &str, title: &str, width: f64, height: f64) -> String {
    format!(
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">",
        escape(title),
        escape(title)
    )
}

/// A line per workflow of one figure of its weeks.
fn weekly_series(report: &Report, figure: impl Fn(&Week) -> Option<f64>) -> Vec<Series<'_>> {
    report
        .workflows
        .iter()
        .map(|w| Series {
            name: &w.name,
            values: w.weekly.iter().map(&figure).collect(),
        })
        .collect()
}

/// A line chart of `series` over `weeks`, scaled from 0 to the largest value (or `y_max`).
fn line_chart(
    id: &str,
    title: &str,
    weeks: &[&str],
    series: &[Series<'_>],
    y_max: Option<f64>,
    label: &dyn Fn(f64) -> String,
) -> String {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 240.0;
    const LEFT: f64 = 64.0;
    // Room for the last week's label, centred on the right edge.
    const RIGHT: f64 = 48.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 40.0;
    let largest = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max);
    let top = y_max.unwrap_or(largest).max(f64::EPSILON);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x = |index: usize| {
        if weeks.len() <= 1 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * index as f64 / (weeks.len() - 1) as f64
        }
    };
    let y = |value: f64| TOP + plot_height * (1.0 - value / top);
    let mut svg = figure_opening(id, title, WIDTH, HEIGHT);
    // Axes, with the scale's top and zero.
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{}\" stroke=\"#888\"/>\
         <line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#888\"/>\
         <text x=\"{2}\" y=\"{3}\" text-anchor=\"end\" font-size=\"11\">{4}</text>\
         <text x=\"{2}\" y=\"{0}\" text-anchor=\"end\" font-size=\"11\">{5}</text>",
        HEIGHT - BOTTOM,
        WIDTH - RIGHT,
        LEFT - 6.0,
        TOP + 4.0,
        escape(&label(top)),
        escape(&label(0.0)),
    );
    for (index, week) in weeks.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            x(index),
            HEIGHT - BOTTOM + 16.0,
            escape(week)
        );
    }
    for (number, line) in series.iter().enumerate() {
        let colour = PALETTE[number % PALETTE.len()];
        // A week without runs breaks the line.
        let mut segment: Vec<String> = Vec::new();
        let mut segments: Vec<Vec<String>> = Vec::new();
        for (index, value) in line.values.iter().enumerate() {
            match value {
                Some(value) => segment.push(format!("{:.1},{:.1}", x(index), y(*value))),
                None => segments.push(std::mem::take(&mut segment)),
            }
        }
        segments.push(segment);
        for points in segments.iter().filter(|points| points.len() > 1) {
            let _ = write!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                points.join(" ")
            );
        }
        for (index, value) in line.values.iter().enumerate() {
            if let Some(value) = value {
                let _ = write!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\" \
                     data-series=\"{}\" data-week=\"{}\" data-value=\"{value}\">\
                     <title>{}: {} (week of {})</title></circle>",
                    x(index),
                    y(*value),
                    escape(line.name),
                    escape(weeks[index]),
                    escape(line.name),
                    escape(&label(*value)),
                    escape(weeks[index]),
                );
            }
        }
    }
    svg.push_str("</svg><p class=\"legend\">");
    for (number, line) in series.iter().enumerate() {
        let _ = write!(
            svg,
            "<span style=\"color:{}\">&#9632;</span> {} ",
            PALETTE[number % PALETTE.len()],
            escape(line.name)
        );
    }
    svg.push_str("</p></figure>");
    svg
}

/// A bar chart of one value per name, from 0 to 100%.
fn rate_bars(id: &str, title: &str, bars: &[(String, f64)]) -> String {
    let height = 28.0 * bars.len() as f64 + 8.0;
    let mut svg = figure_opening(id, title, 640.0, height);
    for (index, (name, rate)) in bars.iter().enumerate() {
        let top = 8.0 + 28.0 * index as f64;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\">{}</text>\
             <rect x=\"240\" y=\"{top:.1}\" width=\"{:.1}\" height=\"18\" fill=\"{}\" \
             data-series=\"{}\" data-value=\"{rate}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            top + 13.0,
            escape(name),
            rate * 320.0,
            PALETTE[0],
            escape(name),
            escape(name),
            percent(Some(*rate)),
            246.0 + rate * 320.0,
            top + 13.0,
            percent(Some(*rate)),
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

/// The table's title as a heading and the table, its cells escaped.
fn table(out: &mut String, table: &Table) {
    let _ = write!(out, "<h2>{}</h2>", escape(&table.title));
    table_without_title(out, table);
}

fn table_without_title(out: &mut String, Table { header, rows, .. }: &Table) {
    out.push_str("<table><thead><tr>");
    for cell in header {
        let _ = write!(out, "<th>{}</th>", escape(cell));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// The report as a self-contained HTML page.
pub fn html(report: &Report) -> String {
    let mut page = String::new();
    let title = format!("CI health of {}", report.repo);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>\
         body{{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}}\
         table{{border-collapse:collapse;margin:0.5rem 0 1.5rem}}\
         th,td{{border-bottom:1px solid #ddd;padding:0.25rem 0.75rem;text-align:left}}\
         figure{{margin:1rem 0}}figcaption{{font-weight:600}}.legend{{font-size:0.9rem}}\
         .note{{color:#555;font-size:0.9rem}}\
         </style></head><body><h1>{}</h1><p>Runs created since {} (default branch {}).</p>",
        escape(&title),
        escape(&title),
        escape(&report.since),
        escape(&report.default_branch)
    );

    let weeks: Vec<&str> = report
        .workflows
        .first()
        .map(|w| w.weekly.iter().map(|week| week.start.as_str()).collect())
        .unwrap_or_default();
    if report.workflows.is_empty() {
        page.push_str("<p>No runs in the window.</p>");
    } else {
        table(&mut page, &tables::workflows(report, Medium::Html));
        let durations = weekly_series(report, |week| week.duration_p50.map(|d| d as f64));
        page.push_str(&line_chart(
            "duration",
            "Run duration p50 by week",
            &weeks,
            &durations,
            None,
            &|seconds| duration(Some(seconds.round() as i64)),
        ));
        let failures = weekly_series(report, |week| week.outcomes.failure_rate);
        page.push_str(&line_chart(
            "failure-rate",
            "Failure rate by week (cancelled and skipped excluded)",
            &weeks,
            &failures,
            Some(1.0),
            &|rate| percent(Some(rate)),
        ));

        table(&mut page, &tables::jobs(report, Medium::Html));
    }

    // The id lets a link point at the flaky jobs, so this heading is written here.
    let flaky = tables::flaky_jobs(report, Medium::Html);
    let _ = write!(page, "<h2 id=\"flaky\">{}</h2>", escape(&flaky.title));
    if flaky.rows.is_empty() {
        page.push_str("<p>None: no commit where a job both failed and passed.</p>");
    } else {
        table_without_title(&mut page, &flaky);
    }

    page.push_str("<h2>Cache hit rate</h2>");
    let bars: Vec<(String, f64)> = report
        .workflows
        .iter()
        .flat_map(|w| {
            w.jobs.iter().filter_map(move |job| {
                job.cache
                    .hit_rate
                    .map(|rate| (format!("{} / {}", w.name, job.name), rate))
            })
        })
        .collect();
    if bars.is_empty() {
        page.push_str("<p>No job logs read: sync with <code>--logs</code>.</p>");
    } else {
        page.push_str(&rate_bars("cache-hit-rate", "Cache hit rate by job", &bars));
    }

    table(&mut page, &tables::slowest_steps(report, Medium::Html));

    // The id lets a link point at the flaky tests, as at the flaky jobs.
    let flaky_tests = tables::flaky_tests(report, Medium::Html);
    let _ = write!(
        page,
        "<h2 id=\"flaky-tests\">{}</h2>",
        escape(&flaky_tests.title)
    );
    if report.tests.results == 0 {
        page.push_str("<p>No JUnit reports read: sync with <code>--junit</code>.</p>");
    } else if flaky_tests.rows.is_empty() {
        page.push_str("<p>None: no commit where a test both failed and passed.</p>");
    } else {
        table_without_title(&mut page, &flaky_tests);
    }
    let test_time = tables::test_time(report, Medium::Html);
    if !test_time.rows.is_empty() {
        table(&mut page, &test_time);
    }
    let slowest_tests = tables::slowest_tests(report, Medium::Html);
    if !slowest_tests.rows.is_empty() {
        table(&mut page, &slowest_tests);
    }
    table(&mut page, &tables::runner_minutes(report, Medium::Html));
    let _ = write!(
        page,
        "<p>Total: {} minutes, {} billable.</p><h2>Notes</h2><ul class=\"note\">",
        report.total_minutes, report.total_billable_minutes
    );
    for note in &report.notes {
        let _ = write!(page, "<li>{}</li>", escape(note));
    }
    page.push_str("</ul></body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_api_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}b"), "a\\u{1b}b");
    }
}
