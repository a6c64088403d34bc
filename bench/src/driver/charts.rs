//! SVG charts with plotters. Its SVG backend writes `<text>` elements and estimates their extent
//! itself, so no system fonts are needed to draw them.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub struct Bars<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

/// One horizontal bar per label and series, grouped by label.
pub fn bars(area: &Area, title: &str, unit: &str, labels: &[String], series: &[Bars]) -> Result<(), String> {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0, f64::max);
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(150)
        .build_cartesian_2d(
            0.0..(max * if series.len() > 1 { 1.35 } else { 1.12 }).max(1e-9),
            (0..n.saturating_sub(1)).into_segmented(),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_label_formatter(&|v| short(*v))
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            // Top to bottom in the order given.
            SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - *i].clone(),
            _ => String::new(),
        })
        .x_desc(unit)
        .draw()
        .map_err(err)?;
    let height = chart.plotting_area().dim_in_pixel().1 as f64 / n.max(1) as f64;
    let pad = (height * 0.15).round();
    let thick = ((height - 2.0 * pad) / series.len().max(1) as f64)
        .floor()
        .max(1.0);
    for (j, s) in series.iter().enumerate() {
        let color = Palette99::pick(j).to_rgba();
        let top = (pad + j as f64 * thick) as u32;
        let bottom = (height - pad - (j + 1) as f64 * thick).max(0.0) as u32;
        let bars = s.values.iter().enumerate().filter_map(|(i, v)| {
            let row = n - 1 - i;
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    ((*v)?, SegmentValue::Exact(row + 1)),
                ],
                color.filled(),
            );
            bar.set_margin(top, bottom, 0, 0);
            Some(bar)
        });
        let drawn = chart.draw_series(bars).map_err(err)?;
        if series.len() > 1 {
            drawn
                .label(s.name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        }
        // The value just right of each bar's end, centred on the bar.
        let dy = (top as f64 + thick / 2.0 - 6.0) as i32;
        chart
            .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                let v = (*v)?;
                let at = EmptyElement::at((v, SegmentValue::Exact(n - i)));
                Some(at + Text::new(short(v), (4, dy), ("sans-serif", 11)))
            }))
            .map_err(err)?;
    }
    if series.len() > 1 {
        // In the corner beside the shorter bars: the top three rows or the bottom three.
        let longest = |rows: std::ops::Range<usize>| {
            rows.flat_map(|i| series.iter().filter_map(move |s| s.values[i]))
                .fold(0.0, f64::max)
        };
        let corner = if longest(0..n.min(3)) <= longest(n.saturating_sub(3)..n) {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::LowerRight
        };
        legend(&mut chart, corner)?;
    }
    Ok(())
}

/// One row per label and a marker per series at its value, over a logarithmic x axis with a rule
/// at 1: ratios to a baseline row, where 2× worse and 2× better are as far from the rule.
pub fn dots(
    area: &Area,
    title: &str,
    x_desc: &str,
    labels: &[String],
    series: &[Bars],
) -> Result<(), String> {
    let values = || {
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .copied()
            .filter(|v| *v > 0.0)
    };
    let lo = values().fold(1.0, f64::min) / 1.25;
    // Room on the right for the legend.
    let hi = values().fold(1.0, f64::max) * 4.0;
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(150)
        .build_cartesian_2d((lo..hi).log_scale(), (0..n.saturating_sub(1)).into_segmented())
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_labels(12)
        .x_label_formatter(&|v| short(*v))
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - *i].clone(),
            _ => String::new(),
        })
        .x_desc(x_desc)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            [(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))],
            BLACK.mix(0.6).stroke_width(1),
        ))
        .map_err(err)?;
    for (j, s) in series.iter().enumerate() {
        let color = Palette99::pick(j).to_rgba();
        chart
            .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                Some(Circle::new(
                    ((*v)?, SegmentValue::CenterOf(n - 1 - i)),
                    4,
                    color.filled(),
                ))
            }))
            .map_err(err)?
            .label(s.name)
            .legend(move |(x, y)| Circle::new((x + 5, y), 4, color.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// Lines over a logarithmic x axis (connections), one per series.
pub fn lines(
    area: &Area,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<(), String> {
    let points = || series.iter().flat_map(|(_, p)| p.iter());
    let x_max = points().map(|p| p.0).fold(1.0, f64::max);
    let y_max = points().map(|p| p.1).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d((1.0..x_max * 1.2).log_scale(), 0.0..(y_max * 1.1).max(1e-9))
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .draw()
        .map_err(err)?;
    for (j, (name, points)) in series.iter().enumerate() {
        let color = Palette99::pick(j).to_rgba();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], color.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(err)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// The series' names in a box at `position`.
fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(err)
}

/// Draws `panels` side by side into one SVG file.
pub fn file(
    path: &Path,
    panels: usize,
    draw: impl FnOnce(&[Area]) -> Result<(), String>,
) -> Result<(), String> {
    file_sized(path, (620 * panels as u32, 420), panels, draw)
}

/// As `file`, `size` pixels in all.
pub fn file_sized(
    path: &Path,
    size: (u32, u32),
    panels: usize,
    draw: impl FnOnce(&[Area]) -> Result<(), String>,
) -> Result<(), String> {
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let areas = root.split_evenly((1, panels));
    draw(&areas)?;
    root.present().map_err(err)
}

/// A figure with three significant digits, thousands as `k`.
pub fn short(v: f64) -> String {
    match v.abs() {
        a if a >= 10_000.0 => format!("{:.0}k", v / 1000.0),
        a if a >= 1_000.0 => format!("{:.1}k", v / 1000.0),
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        a if a == a.round() => format!("{v:.0}"),
        _ => format!("{v:.2}"),
    }
}

fn err(e: impl std::fmt::Display) -> String {
    format!("drawing a chart: {e}")
}
