//! The confidence of a classification, calibrated: the share of the evidence that agrees with
//! the class is mapped to the accuracy measured for such shares (`calibration.toml`, fitted by
//! `bench/diagnose_eval.py` on the training split of the labelled logs), so that a confidence
//! of about p means about p of such answers are right.

use std::sync::OnceLock;

use serde::Deserialize;

/// The calibration file, embedded.
pub const CALIBRATION_TOML: &str = include_str!("../calibration.toml");

/// Raw-confidence bins and the accuracy measured in each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// The lower edge of each bin, ascending.
    pub edges: Vec<f32>,
    /// The accuracy of each bin.
    pub accuracy: Vec<f32>,
}

impl Calibration {
    /// Parse a calibration file; `None` when it does not parse or its lists do not pair up.
    pub fn parse(text: &str) -> Option<Self> {
        let calibration: Calibration = toml::from_str(text).ok()?;
        let sorted = calibration.edges.windows(2).all(|w| w[0] < w[1]);
        (sorted
            && !calibration.edges.is_empty()
            && calibration.edges.len() == calibration.accuracy.len())
        .then_some(calibration)
    }

    /// The calibrated confidence of a raw share.
    pub fn apply(&self, raw: f32) -> f32 {
        let bin = self
            .edges
            .iter()
            .rposition(|&edge| raw >= edge)
            .unwrap_or(0);
        self.accuracy.get(bin).copied().unwrap_or(raw)
    }
}

/// The built-in calibration applied to `raw` (unchanged when the embedded file is unusable,
/// which the test suite rules out).
pub fn calibrated(raw: f32) -> f32 {
    static BUILTIN: OnceLock<Option<Calibration>> = OnceLock::new();
    match BUILTIN.get_or_init(|| Calibration::parse(CALIBRATION_TOML)) {
        Some(calibration) => calibration.apply(raw),
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_calibration_loads_and_is_monotone_enough_to_read() {
        let calibration = Calibration::parse(CALIBRATION_TOML).unwrap();
        for value in &calibration.accuracy {
            assert!((0.0..=1.0).contains(value), "{value}");
        }
        assert_eq!(calibration.apply(0.0), calibration.accuracy[0]);
        assert_eq!(
            calibration.apply(1.0),
            *calibration.accuracy.last().unwrap()
        );
    }

    #[test]
    fn lists_that_do_not_pair_up_are_refused() {
        assert!(Calibration::parse("edges = [0.0, 0.5]\naccuracy = [0.2]\n").is_none());
        assert!(Calibration::parse("edges = [0.5, 0.0]\naccuracy = [0.2, 0.3]\n").is_none());
        assert!(Calibration::parse("edges = []\naccuracy = []\n").is_none());
    }
}
