//! Real world: for every workflow of `../shared/corpus/real` (listed in its `MANIFEST.tsv`),
//! guard of the file against itself reports nothing, and against the file with its last job
//! removed reports exactly that job: as lost coverage, or to review when the job only ran
//! actions that check nothing guard knows of and set-up commands (a bot, a publisher).

use std::path::PathBuf;

use plimsoll_guard::{guard_paths, Kind, Severity};
use plimsoll_syntax::LineIndex;

/// The text without its last job (the lines from its key to the end of its value), and that
/// job's id; `None` when the workflow has no block-style jobs to remove.
fn without_last_job(text: &str) -> Option<(String, String)> {
    let lines = LineIndex::new(text);
    let document = plimsoll_syntax::yaml::parse(text, &lines)
        .into_single()
        .ok()?;
    let jobs = document.root.get("jobs")?.as_mapping()?;
    let last = jobs.last()?;
    let id = last.key.as_str()?.to_string();
    let start = lines.line_start(lines.line_of(last.key.span.start));
    let end_line = lines.line_of(last.value.span.end.max(last.key.span.end).saturating_sub(1));
    let end = lines.line_span(text, end_line).end;
    // A flow mapping (`jobs: {a: …}`) shares its lines with other text: not removable by lines.
    if text[start..last.key.span.start].trim() != "" {
        return None;
    }
    let end = (end + 1).min(text.len());
    Some((format!("{}{}", &text[..start], &text[end..]), id))
}

#[test]
fn real_workflows_against_themselves_and_without_their_last_job() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        println!("skipped: ../shared absent");
        return;
    };
    let temp = tempfile::tempdir().expect("temp dir");
    let (mut files, mut identical_clean, mut removed_exact, mut no_jobs) = (0, 0, 0, 0);
    let mut unchecked = 0;
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(&"gha_workflow"), Some(repo), Some(path)) =
            (fields.first(), fields.get(1), fields.get(3))
        else {
            continue;
        };
        let file = corpus.join(repo.replace('/', "__")).join(path);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        files += 1;
        let report = guard_paths(&file, &file).expect("guard runs");
        if report.changes.is_empty() {
            identical_clean += 1;
        } else {
            failures.push(format!(
                "{}: against itself: {:?}",
                file.display(),
                report.changes
            ));
        }
        let Some((shorter, job)) = without_last_job(&text) else {
            no_jobs += 1;
            continue;
        };
        let edited = temp.path().join(file.file_name().expect("a file name"));
        std::fs::write(&edited, &shorter).expect("write");
        let report = guard_paths(&file, &edited).expect("guard runs");
        let only = (report.changes.len() == 1 && report.changes[0].subject == job)
            .then(|| (report.changes[0].kind, report.changes[0].severity));
        if only == Some((Kind::JobRemoved, Severity::Reduction)) {
            removed_exact += 1;
        } else if only == Some((Kind::UncheckedJobRemoved, Severity::Review)) {
            unchecked += 1;
        } else {
            let found: Vec<String> = report
                .changes
                .iter()
                .map(|c| format!("{} {} ({})", c.kind.as_str(), c.subject, c.message))
                .collect();
            failures.push(format!(
                "{}: without job `{job}`: {found:?}",
                file.display()
            ));
        }
    }
    println!(
        "real workflows: {files}; against themselves: {identical_clean} report nothing; \
         last job removed: {removed_exact} report exactly that job lost, {unchecked} list it to \
         review (it checked nothing guard knows of); {no_jobs} have no job to remove"
    );
    // Most removed jobs check something: the review is for bots and publishers only.
    assert!(
        unchecked * 4 < removed_exact,
        "{unchecked} reviews, {removed_exact} losses"
    );
    assert!(files > 0);
    assert!(
        failures.is_empty(),
        "{} of {files} files:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
