//! Ranking rules that hold across ecosystems: the failing step of a log cut before its exit
//! marker, the first line of a block of errors, and summary lines that only point upwards.

use plimsoll_diagnose::{diagnose, LogSource, Signatures, Verdict};

fn analyse(text: &str) -> plimsoll_diagnose::Analysis {
    let source = LogSource::Bytes("test.log".into(), text.as_bytes().to_vec());
    diagnose(&source, None, Signatures::builtin()).unwrap()
}

#[test]
fn a_github_log_cut_before_its_exit_marker_names_the_step_holding_the_best_line() {
    let log = "\
2024-05-01T10:00:00.0000000Z ##[group]Run actions/checkout@v4
2024-05-01T10:00:00.1000000Z with:
2024-05-01T10:00:00.2000000Z ##[endgroup]
2024-05-01T10:00:01.0000000Z Syncing repository: octo/app
2024-05-01T10:00:02.0000000Z ##[group]Run pip install .
2024-05-01T10:00:02.1000000Z pip install .
2024-05-01T10:00:02.2000000Z ##[endgroup]
2024-05-01T10:00:03.0000000Z Building wheels for collected packages: app
2024-05-01T10:00:04.0000000Z   ERROR: Failed building wheel for app
2024-05-01T10:00:04.1000000Z Failed to build app
";
    let analysis = analyse(log);
    assert_eq!(analysis.verdict, Verdict::Failed);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!(step.name, "Run pip install .");
    assert_eq!(analysis.best().map(|c| c.line.line), Some(9));
}

#[test]
fn the_first_line_of_a_block_of_errors_wins_over_the_lines_that_follow_it() {
    let log = "\
$ go test ./...
--- FAIL: TestParse (0.00s)
    parse_test.go:12: got 1, want 2
--- FAIL: TestFormat (0.00s)
    format_test.go:30: got \"a\", want \"b\"
FAIL
The command \"go test ./...\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(2));
}

#[test]
fn summaries_that_point_above_rank_below_the_error_they_point_at() {
    let log = "\
$ npm test
> app@1.0.0 test /home/travis/build/octo/app
> mocha
npm WARN eslint-plugin-node@8.0.1 requires a peer of eslint@>=4.19.1 but none is installed.
  1) parser handles empty input:
     AssertionError: expected 0 to equal 1
npm ERR! Test failed.  See above for more details.
The command \"npm test\" exited with 1.
";
    let analysis = analyse(log);
    let best = analysis.best().expect("a best line");
    assert!(best.line.line == 5 || best.line.line == 6, "{best:?}");
    let ranked: Vec<usize> = analysis.candidates.iter().map(|c| c.line.line).collect();
    assert!(
        !ranked.iter().take(2).any(|&l| l == 4 || l == 7),
        "{ranked:?}"
    );
}
