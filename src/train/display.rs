//! Text pictures of a run in progress: a progress bar, a sparkline of the
//! loss (redrawn in place on a terminal) and a small plot of the whole curve.

/// `[=========>          ]`: `done` of `total`, `width` characters inside the brackets.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(width);
    let head = if filled < width && done > 0 { ">" } else { "" };
    let rest = width - filled - head.len();
    format!("[{}{head}{}]", "=".repeat(filled), " ".repeat(rest))
}

/// `values` averaged into at most `width` consecutive buckets of equal size.
pub fn buckets(values: &[f64], width: usize) -> Vec<f64> {
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    let size = values.len().div_ceil(width);
    values.chunks(size).map(|c| c.iter().sum::<f64>() / c.len() as f64).collect()
}

/// The loss as a row of block characters `▁▂▃▄▅▆▇█`, lowest to highest, at
/// most `width` wide (each a bucket mean).
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let means = buckets(values, width);
    let (low, high) = range(&means);
    means
        .iter()
        .map(|&v| {
            let t = if high > low { (v - low) / (high - low) } else { 0.0 };
            BLOCKS[((t * 7.0).round() as usize).min(7)]
        })
        .collect()
}

/// A plot of `values` (ASCII only): `height` rows of `*` marks over at most
/// `width` columns, the top and bottom rows labelled with the values they
/// stand for, and an axis of steps under it.
pub fn plot(values: &[f64], width: usize, height: usize) -> Vec<String> {
    let means = buckets(values, width);
    if means.is_empty() || height == 0 {
        return Vec::new();
    }
    let (low, high) = range(&means);
    let level =
        |v: f64| if high > low { (((v - low) / (high - low)) * (height - 1) as f64).round() as usize } else { 0 };
    let labels = [format!("{high:.3}"), format!("{low:.3}")];
    let label_width = labels.iter().map(String::len).max().unwrap_or(0);
    let mut lines = Vec::with_capacity(height + 2);
    for row in (0..height).rev() {
        let label = match row {
            r if r == height - 1 => labels[0].as_str(),
            0 => labels[1].as_str(),
            _ => "",
        };
        let marks: String = means.iter().map(|&v| if level(v) == row { '*' } else { ' ' }).collect();
        lines.push(format!("{label:>label_width$} |{}", marks.trim_end()));
    }
    lines.push(format!("{} +{}", " ".repeat(label_width), "-".repeat(means.len())));
    let last = format!("{}", values.len());
    let gap = means.len().saturating_sub(last.len() + 1);
    lines.push(format!("{}  1{}{last}  (step)", " ".repeat(label_width), " ".repeat(gap)));
    lines
}

/// The smallest and largest finite value.
fn range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars() {
        assert_eq!(bar(0, 10, 10), "[          ]");
        assert_eq!(bar(5, 10, 10), "[=====>    ]");
        assert_eq!(bar(10, 10, 10), "[==========]");
        assert_eq!(bar(1, 3, 4), "[=>  ]");
    }

    #[test]
    fn sparklines_fall_with_the_loss() {
        let falling: Vec<f64> = (0..100).map(|i| 2.0 / (1.0 + i as f64)).collect();
        let line = sparkline(&falling, 10);
        assert_eq!(line.chars().count(), 10);
        assert!(line.starts_with('█') && line.ends_with('▁'), "{line}");
        assert_eq!(sparkline(&[1.0, 1.0], 5), "▁▁");
        assert_eq!(sparkline(&[], 5), "");
    }

    #[test]
    fn buckets_average_consecutive_values() {
        assert_eq!(buckets(&[1.0, 3.0, 5.0, 7.0, 9.0], 2), vec![3.0, 8.0]);
        assert_eq!(buckets(&[1.0, 2.0], 10), vec![1.0, 2.0]);
    }

    #[test]
    fn a_plot_of_a_falling_curve() {
        let lines = plot(&[3.0, 2.0, 1.0, 1.0], 10, 3);
        let expected = vec!["3.000 |*", "      | *", "1.000 |  **", "      +----", "       1  4  (step)"];
        assert_eq!(lines, expected);
    }
}
