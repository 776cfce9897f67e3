//! Whether a GitHub Actions log without a failure marker failed: its last step stopping on
//! error output right before the job's cleanup says it did; errors earlier in a job that ends
//! cleanly do not.

use plimsoll_diagnose::{diagnose, LogSource, Signatures, Verdict};

fn analyse(text: &str) -> plimsoll_diagnose::Analysis {
    let source = LogSource::Bytes("test.log".into(), text.as_bytes().to_vec());
    diagnose(&source, None, Signatures::builtin()).unwrap()
}

/// A job whose steps are `middle` then `last`, ending with GitHub's post-job cleanup.
fn job(middle: &str, last: &str) -> String {
    format!(
        "\
2022-05-07T08:49:03.7745713Z ##[group]Run actions/checkout@v2
2022-05-07T08:49:03.7748706Z ##[endgroup]
2022-05-07T08:49:04.0781670Z Syncing repository: octo/cv
2022-05-07T08:49:05.4397942Z ##[group]Run ./configure
2022-05-07T08:49:05.4402508Z ##[endgroup]
{middle}2022-05-07T08:49:30.4397942Z ##[group]Run xu-cheng/latex-action@v2
2022-05-07T08:49:30.4402508Z ##[endgroup]
2022-05-07T08:49:38.2830278Z Working on  cv.tex
{last}2022-05-07T08:49:38.4791528Z Post job cleanup.
2022-05-07T08:49:38.6021294Z [command]/usr/bin/git version
2022-05-07T08:49:38.6069685Z git version 2.36.0
2022-05-07T08:49:38.7057201Z Cleaning up orphan processes
"
    )
}

#[test]
fn a_last_step_that_stops_on_errors_before_cleanup_failed_even_without_a_marker() {
    let log = job(
        "2022-05-07T08:49:06.0000000Z checking for gcc... gcc\n",
        "2022-05-07T08:49:38.2847211Z fatal: unsafe repository ('/github/workspace' is owned by someone else)\n\
         2022-05-07T08:49:38.2874963Z tar: This does not look like a tar archive\n\
         2022-05-07T08:49:38.2875363Z tar: Exiting with failure status due to previous errors\n",
    );
    let analysis = analyse(&log);
    assert_eq!(analysis.verdict, Verdict::Failed);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!(step.name, "Run xu-cheng/latex-action@v2");
    assert!(analysis
        .notes
        .iter()
        .any(|n| n.contains("no failure marker")));
}

#[test]
fn errors_earlier_in_a_job_whose_last_step_ends_cleanly_do_not_make_it_fail() {
    let log = job(
        "2022-05-07T08:49:06.0000000Z conftest.c:1:10: fatal error: ac_nonexistent.h: No such file or directory\n",
        "2022-05-07T08:49:38.2847211Z Output written on cv.pdf (2 pages).\n",
    );
    let analysis = analyse(&log);
    assert_eq!(analysis.verdict, Verdict::Succeeded);
    assert!(analysis.failing_step().is_none());
}
