//! The spread of a set of durations: how many, their sum, p50 and p95 (nearest-rank).

use serde::Serialize;

/// p50 and p95 of a set of durations, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    pub sum: i64,
}

/// The nearest-rank `fraction` percentile of sorted `values`.
fn percentile(sorted: &[i64], fraction: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (fraction * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

impl Spread {
    pub(crate) fn of(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        Spread {
            count: values.len(),
            p50: percentile(&values, 0.5),
            p95: percentile(&values, 0.95),
            sum: values.iter().sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4], 0.95), Some(4));
        assert_eq!(percentile(&[7], 0.5), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
