//! How figures read in text: durations and weekly sparklines, for the terminal and the page.

/// `1h02m`, `6m40s`, `45s`; `-` for none.
pub fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "-".to_owned(),
        Some(s) if s >= 3600 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        Some(s) if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        Some(s) => format!("{s}s"),
    }
}

/// One character per value on an eight-level scale from 0 to the largest; a gap for none.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let largest = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|value| match value {
            None => ' ',
            Some(_) if largest <= 0.0 => BARS[0],
            Some(value) => {
                let level = (value / largest * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[level]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_largest_and_leave_gaps() {
        assert_eq!(sparkline(&[Some(1.0), Some(8.0), None, Some(4.0)]), "▂█ ▅");
        assert_eq!(sparkline(&[Some(0.0), Some(0.0)]), "▁▁");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn durations_read_as_time() {
        assert_eq!(duration(Some(45)), "45s");
        assert_eq!(duration(Some(400)), "6m40s");
        assert_eq!(duration(Some(3650)), "1h00m");
        assert_eq!(duration(None), "-");
    }
}
