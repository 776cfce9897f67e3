//! The log reader of `plimsoll diagnose` on arbitrary bytes (job logs, `gh` output, plain logs,
//! and run-log zips when the bytes start with `PK\x03\x04`): no panic, an analysis whose jobs,
//! steps and candidate lines point inside what was read, and both renderings; then the same
//! analysis planned against the bytes read as a workflow (which rarely parses) and against a
//! workflow whose job names are templated over a matrix (the log's job names are the fuzzer's);
//! then the log compared with itself as a passing run (gzip when the bytes are).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_diagnose::render::{self, Report};
use plimsoll_diagnose::{diagnose, diagnose_with, workflow, LogSource, PassingRun, Signatures};

/// Job and step names templated over a matrix and over values known only at run time.
const TEMPLATED: &str = "on: push
jobs:
  build:
    name: JDK ${{ matrix.java }} on ${{ github.ref }}
    runs-on: ubuntu-latest
    strategy:
      matrix:
        java: [8, 11]
        include:
          - java: 17
            cfg: {name: x}
    steps:
      - name: Test ${{ matrix.cfg.name }} ${{ matrix['java'] }}
        run: mvn -B verify -Djava=${{ matrix.java }}
  test:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test
";

fuzz_target!(|data: &[u8]| {
    let signatures = Signatures::builtin();
    let source = LogSource::Bytes("fuzz.log".into(), data.to_vec());
    let Ok(analysis) = diagnose(&source, None, signatures) else {
        return;
    };
    assert!(analysis.lines > 0);
    if let Some(job) = analysis.job {
        assert!(job < analysis.jobs.len());
        if let Some(step) = analysis.step {
            assert!(step < analysis.jobs[job].steps.len());
        }
    }
    for job in &analysis.jobs {
        for step in &job.steps {
            assert!(step.first_line <= step.last_line, "{step:?}");
        }
    }
    for candidate in &analysis.candidates {
        assert!(candidate.line.line >= 1 && candidate.line.line <= analysis.lines);
        assert!(candidate.job < analysis.jobs.len());
        assert!(candidate.step < analysis.jobs[candidate.job].steps.len());
        assert!(candidate.score.is_finite());
    }
    assert!((0.0..=1.0).contains(&analysis.classification.confidence));
    let text = String::from_utf8_lossy(data);
    let plan = workflow::plan(&analysis, "ci.yml", &text, signatures);
    let reports = [Report {
        analysis: &analysis,
        plan: Some(&plan),
    }];
    let _ = render::markdown(&reports, None);
    assert!(render::json(&reports, None).is_ok());
    let _ = workflow::plan(&analysis, "ci.yml", TEMPLATED, signatures);

    let mut passing = PassingRun::new();
    if passing.read(&source).is_ok() {
        let compared = diagnose_with(&source, None, signatures, Some(&passing), &[])
            .expect("a log read once reads again");
        assert_eq!(compared.lines, analysis.lines);
        assert!(compared.candidates.iter().all(|c| c.score.is_finite()));
    }
});
