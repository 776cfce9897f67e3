//! Which operating system a job ran on, from its `runs-on` labels, and what GitHub bills a
//! minute of it.
//!
//! GitHub bills jobs on its hosted runners per minute, each job rounded up to a whole minute,
//! and counts a minute against the included quota by the runner's operating system with these
//! multipliers: Linux 1, Windows 2, macOS 10 ("Minute multipliers", About billing for GitHub
//! Actions: <https://docs.github.com/en/billing/managing-billing-for-github-actions/about-billing-for-github-actions#minute-multipliers>).
//! Self-hosted runners are not billed; larger runners are billed at per-size rates the
//! labels do not tell, so their cost is left out rather than guessed.

use serde::Serialize;

/// A runner's operating system as the labels tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunnerOs {
    Linux,
    Windows,
    Macos,
    Unknown,
}

impl RunnerOs {
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerOs::Linux => "linux",
            RunnerOs::Windows => "windows",
            RunnerOs::Macos => "macos",
            RunnerOs::Unknown => "unknown",
        }
    }

    /// GitHub's minute multiplier for its standard hosted runners of this system.
    pub fn minute_multiplier(self) -> Option<u32> {
        match self {
            RunnerOs::Linux => Some(1),
            RunnerOs::Windows => Some(2),
            RunnerOs::Macos => Some(10),
            RunnerOs::Unknown => None,
        }
    }
}

/// How a job's runner is billed: its system, and whether GitHub hosts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunnerKind {
    pub os: RunnerOs,
    pub self_hosted: bool,
}

impl RunnerKind {
    /// The multiplier for billed minutes: 0 for a self-hosted runner, `None` when unknown.
    pub fn multiplier(self) -> Option<u32> {
        if self.self_hosted {
            Some(0)
        } else {
            self.os.minute_multiplier()
        }
    }
}

/// The runner kind of a job with `labels`: GitHub's image labels (`ubuntu-24.04`,
/// `windows-latest`, `macos-14-arm64`) and the self-hosted system labels (`linux`, `windows`,
/// `macos`, `macOS`).
pub fn runner_kind(labels: &[String]) -> RunnerKind {
    let mut os = RunnerOs::Unknown;
    let mut self_hosted = false;
    for label in labels {
        let label = label.to_ascii_lowercase();
        if label == "self-hosted" {
            self_hosted = true;
        } else if label == "linux" || label.starts_with("ubuntu") {
            os = RunnerOs::Linux;
        } else if label == "windows" || label.starts_with("windows-") {
            os = RunnerOs::Windows;
        } else if label == "macos" || label.starts_with("macos-") {
            os = RunnerOs::Macos;
        }
    }
    RunnerKind { os, self_hosted }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(labels: &[&str]) -> RunnerKind {
        runner_kind(&labels.iter().map(|l| l.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn hosted_labels_name_the_system_and_its_multiplier() {
        assert_eq!(kind(&["ubuntu-latest"]).multiplier(), Some(1));
        assert_eq!(kind(&["windows-2022"]).multiplier(), Some(2));
        assert_eq!(kind(&["macos-14"]).multiplier(), Some(10));
        assert_eq!(kind(&["self-hosted", "linux", "x64"]).multiplier(), Some(0));
        assert_eq!(kind(&["self-hosted", "macOS"]).os, RunnerOs::Macos);
        assert_eq!(kind(&["gpu-large"]).multiplier(), None);
    }
}
