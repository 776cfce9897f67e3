//! Checking one file whose text is held in memory, such as an editor's unsaved buffer, with
//! the same classification, rules, configuration, suppressions and redaction as a run over the
//! folder that holds it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use plimsoll_syntax::SourceFile;

use super::{
    check_alone, lower_non_production, mask_report_paths, not_searched, parse_error, CheckReport,
};
use crate::discovery;
use crate::settings::Settings;

/// Check `text` as the content of `path`, a file inside `root` (the folder a run would be
/// named on: an editor's workspace), without reading the file or writing anything.
///
/// The file is classified as a walk of `root` would classify it, and excluded when the
/// configuration excludes it there (the report is then empty). Only the rules that look at the
/// file itself run: the repository-level rules (a CI gate missing from every workflow, a base
/// image built by another file) need the other files of the repository, which are on disk,
/// not in this text. Multi-file Kubernetes and Terraform rules see this file alone.
pub fn check_buffer(path: &Path, text: &str, root: &Path, settings: &Settings) -> CheckReport {
    crate::rules::github_actions::forget_run_caches();
    let mut report = CheckReport::default();
    let exclusions = settings.exclusions_under(root);
    if settings.is_excluded_under(path, &exclusions) {
        return report;
    }
    let candidate = discovery::in_tree(path);
    let size = text.len() as u64;
    if size > settings.max_file_size {
        // The limit bounds the time a check takes; it applies to a buffer as to a file read.
        let finding = if candidate.text_only {
            not_searched(&candidate.path, size, settings)
        } else {
            Some(parse_error(
                &candidate.path,
                None,
                None,
                format!(
                    "{size} bytes, over the {}-byte limit (set `max-file-size` to raise it)",
                    settings.max_file_size
                ),
            ))
        };
        report.findings.extend(finding);
        return report;
    }
    let source = Arc::new(SourceFile::new(candidate.path.clone(), text));
    let mut checked = check_alone(&candidate, source.clone(), settings);
    report.files_checked = usize::from(checked.checked);
    report.findings.append(&mut checked.findings);
    let fuzzing_images: HashSet<_> = checked
        .fuzzing_image
        .then(|| candidate.path.clone())
        .into_iter()
        .collect();
    let all_sources = HashMap::from([(candidate.path.clone(), source.clone())]);
    lower_non_production(
        &mut report.findings,
        settings,
        &[root.to_path_buf()],
        &fuzzing_images,
    );
    if !report.findings.is_empty() {
        report.sources.insert(candidate.path.clone(), source);
    }
    report.secrets = checked
        .secrets
        .apply(&mut report.findings, &all_sources, &report.sources);
    mask_report_paths(&mut report);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    \
                            continue-on-error: true\n    steps:\n      - run: make\n";

    #[test]
    fn a_workflow_buffer_is_checked_by_its_place_without_reading_the_disk() {
        let root = Path::new("/nonexistent-workspace");
        let path = root.join(".github/workflows/ci.yml");
        let report = check_buffer(&path, WORKFLOW, root, &Settings::default());
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.name).collect();
        assert!(rules.contains(&"continue-on-error"), "{rules:?}");
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule.name == "continue-on-error")
            .map(|f| (f.location.start.line, f.location.start.column));
        assert_eq!(finding, Some((5, 5)));
    }

    #[test]
    fn the_same_text_elsewhere_is_not_a_workflow() {
        let root = Path::new("/nonexistent-workspace");
        let report = check_buffer(
            &root.join("notes/ci.txt"),
            WORKFLOW,
            root,
            &Settings::default(),
        );
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }

    #[test]
    fn a_buffer_over_the_size_limit_is_reported_not_checked() {
        let root = Path::new("/nonexistent-workspace");
        let settings = Settings {
            max_file_size: 10,
            ..Settings::default()
        };
        let report = check_buffer(&root.join("Dockerfile"), "FROM alpine\n", root, &settings);
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.name).collect();
        assert_eq!(rules, ["parse-error"]);
    }
}
