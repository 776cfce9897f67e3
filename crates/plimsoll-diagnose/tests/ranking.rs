//! Ranking rules that hold across ecosystems: the failing step of a log cut before its exit
//! marker, the first line of a block of errors, and summary lines that only point upwards.

use plimsoll_diagnose::{diagnose, LogSource, Signatures, Verdict};

fn analyse(text: &str) -> plimsoll_diagnose::Analysis {
    let source = LogSource::Bytes("test.log".into(), text.as_bytes().to_vec());
    diagnose(&source, None, Signatures::builtin()).unwrap()
}

/// The line numbers of the ranked candidates, best first.
fn ranked_lines(analysis: &plimsoll_diagnose::Analysis) -> Vec<usize> {
    analysis.candidates.iter().map(|c| c.line.line).collect()
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
    let ranked = ranked_lines(&analysis);
    assert!(
        !ranked.iter().take(2).any(|&l| l == 4 || l == 7),
        "{ranked:?}"
    );
}

#[test]
fn a_failing_commands_last_words_explain_it_when_no_signature_knows_them() {
    let log = "\
$ ./scripts/check-generated.sh
Generating client from openapi.yaml
Done in 4.12s.
 M src/generated/client.ts
Generated code is out of date: run `make generate` and commit the result.
travis_time:end:0e148238:start=1566244386251340803,finish=1566244395845680692,duration=9594339889
The command \"./scripts/check-generated.sh\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.verdict, Verdict::Failed);
    let best = analysis.best().expect("a best line");
    assert_eq!(best.line.line, 5);
    // It is reported with its context like any other line.
    let before: Vec<usize> = best.before.iter().map(|l| l.line).collect();
    let after: Vec<usize> = best.after.iter().map(|l| l.line).collect();
    assert_eq!(before, vec![2, 3, 4]);
    assert_eq!(after, vec![6, 7]);
}

#[test]
fn a_github_steps_last_words_explain_it_and_name_the_step() {
    let log = "\
2024-05-01T10:00:00.0000000Z ##[group]Run ./scripts/check-generated.sh
2024-05-01T10:00:00.1000000Z ./scripts/check-generated.sh
2024-05-01T10:00:00.2000000Z ##[endgroup]
2024-05-01T10:00:01.0000000Z  M src/generated/schema.rs
2024-05-01T10:00:01.1000000Z Generated code is out of date: run `cargo xtask codegen` and commit the result.
2024-05-01T10:00:01.2000000Z ##[error]Process completed with exit code 1.
";
    let analysis = analyse(log);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!(step.name, "Run ./scripts/check-generated.sh");
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn a_weak_line_above_a_stated_error_does_not_make_it_a_follower() {
    // `not ok 6 no errors` is a test title that says "no errors": too weak to head the block,
    // so the assertion under it keeps its full weight against the later failure's stack.
    let log = "\
$ npm test
ok 5 no warnings
not ok 6 no errors
  ---
    operator: notOk
    expected: false
    actual:   1
    at: Test.<anonymous> (/home/travis/build/octo/lint-config/test/test-order.js:57:7)
  ...
not ok 7 no messages in results
  ---
    expected: []
    actual: [ { ruleId: 'no-multiple-empty-lines', severity: 2 } ]
    stack: |-
      Error: no messages in results
        at Test.assert [as _assert] (/home/travis/build/octo/lint-config/node_modules/tape/lib/test.js:225:54)
  ...
# tests 9
# pass  7
# fail  2
The command \"npm test\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn debug_log_records_of_a_passing_test_rank_below_the_failing_test() {
    let log = "\
$ go test -v ./...
=== RUN   TestBadServer
Apr 12 14:40:23.107 - 0m0s DEBUG chained: chained_test.go:61 Error: Error reading CONNECT response: unexpected EOF
--- PASS: TestBadServer (0.00s)
=== RUN   TestParallelPreferChained
--- FAIL: TestParallelPreferChained (2.62s)
    proxied_test.go:126: Should be true
FAIL
FAIL	github.com/octo/proxy	7.831s
The command \"go test -v ./...\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(6));
}

#[test]
fn passing_tests_named_after_errors_are_not_failures() {
    let log = "\
$ xcodebuild test -scheme App | xcpretty
All tests
    ✓ testAccessDeniedOnTemporaryFile (0.045 seconds)
    ✓ testRealmFileAccessFileIsDirectory (0.030 seconds)
    ✗ testCompactOnLaunch, ((sizeBefore) equal to (sizeAfter)) failed: (\"12288\") is not equal to (\"16384\")
Executed 120 tests, with 1 failure (0 unexpected) in 31.322 (32.473) seconds
The command \"xcodebuild test -scheme App | xcpretty\" exited with 65.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn compiler_warnings_of_a_build_that_succeeded_rank_below_a_failing_test() {
    let log = "\
$ ./build.sh
Unit/AfterPipelineFixture.cs(30,13): warning xUnit2013: Do not use Assert.Equal() to check for collection size. [/home/travis/build/octo/app/test/App.Tests.csproj]
Unit/ModelFixture.cs(64,63): warning xUnit1026: Theory method 'Should_convert' does not use parameter 'expected'. [/home/travis/build/octo/app/test/App.Tests.csproj]
Build succeeded.
Starting: App.Testing.Tests
App.Testing.Tests.BrowserFixture.Should_return_JSON_serialized_form [FAIL]
Assert.Equal() Failure
Expected: 1
Actual:   0
App.Testing.Tests Total: 151, Errors: 0, Failed: 1, Skipped: 0, Time: 3.969s
Error: One or more errors occurred.
The command \"./build.sh\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(6));
}

#[test]
fn an_optional_package_cmake_did_not_find_is_status_not_the_error() {
    let log = "\
$ ./scripts/travis/configure.sh
-- Found PythonInterp: /usr/bin/python2.7 (found suitable version \"2.7.6\")
-- Could NOT find Doxygen (missing:  DOXYGEN_EXECUTABLE) 
CMake Error at /usr/share/cmake-3.2/Modules/FindPackageHandleStandardArgs.cmake:138 (message):
  Could NOT find Protobuf (missing: PROTOBUF_LIBRARY PROTOBUF_INCLUDE_DIR)
-- Configuring incomplete, errors occurred!
The command \"./scripts/travis/configure.sh\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(4));
}

#[test]
fn travis_retry_messages_stay_inside_the_retried_command() {
    let log = "\
$ travis_retry ./sbt test
[info] ParserSpec:
[info] - parses an empty file *** FAILED ***
[info]   0 did not equal 1 (ParserSpec.scala:12)
The command \"./sbt test\" failed. Retrying, 2 of 3.
[info] ParserSpec:
[info] - parses an empty file *** FAILED ***
[info]   0 did not equal 1 (ParserSpec.scala:12)
[error] Failed: Total 12, Failed 1, Errors 0, Passed 11
The command \"./sbt test\" failed 3 times.
The command \"travis_retry ./sbt test\" exited with 1.
";
    let analysis = analyse(log);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!(step.name, "$ travis_retry ./sbt test");
    assert_eq!(step.first_line, 1);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(3));
}

#[test]
fn a_tool_reporting_its_own_exit_marks_where_a_plain_log_failed() {
    // No CI exit marker (the log ends with the build's summary only): yarn's own
    // "Command failed" makes its part of the log the failing one, and the file list the
    // formatter printed just before it is what failed.
    let log = "\
EXECUTE > prettier
yarn run v1.3.2
(node:11491) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues. Please use the Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.
$ /home/travis/build/octo/app/node_modules/.bin/prettier --list-different 'app/**/*.js'
app/assets/javascripts/routes/about.js
error Command failed with exit code 1.
info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.
EXECUTE > eslint
$ /home/travis/build/octo/app/node_modules/.bin/eslint app
Done in 43.69s.
";
    let analysis = analyse(log);
    assert_eq!(analysis.verdict, Verdict::Failed);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn deprecation_notices_and_browser_console_logs_rank_below_a_failing_spec() {
    let log = "\
$ ./scripts/ci/test.sh
(node:19035) [DEP0022] DeprecationWarning: os.tmpDir() is deprecated. Use os.tmpdir() instead.
Chrome 67.0.3396 (Windows 7.0.0) LOG: 'Attempting to configure '__esModule' on object 'undefined' and got error, giving up: TypeError: Object.defineProperty called on non-object'
................................................................................
Firefox 60.0.0 (Windows 7.0.0) upgrade injectorFactory should throw if the injector value has not been set yet FAILED
	Expected function to throw an Error.
................................................................................
Executed 2410 of 2410 (1 FAILED) (42.1 secs / 38.2 secs)
The command \"./scripts/ci/test.sh\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn a_failing_test_outranks_an_exception_a_passing_test_logged_and_the_run_summary() {
    let log = "\
$ mvn test -B
Running retrofit2.adapter.rxjava2.FlowableTest
java.lang.IllegalArgumentException: n > 0 required but it was 0
\tat io.reactivex.internal.subscriptions.SubscriptionHelper.validate(SubscriptionHelper.java:80)
Tests run: 10, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 1.507 sec
Running retrofit2.converter.moshi.MoshiConverterFactoryTest
Tests run: 9, Failures: 0, Errors: 9, Skipped: 0, Time elapsed: 0.997 sec <<< FAILURE!
requireFullResponseDocumentConsumption(retrofit2.converter.moshi.MoshiConverterFactoryTest)  Time elapsed: 0.228 sec  <<< ERROR!
java.lang.NoSuchMethodError: okio.BufferedSource.getBuffer()Lokio/Buffer;
\tat com.squareup.moshi.JsonUtf8Reader.<init>(JsonUtf8Reader.java:97)

Results :

Tests in error: 
  requireFullResponseDocumentConsumption(retrofit2.converter.moshi.MoshiConverterFactoryTest): okio.BufferedSource.getBuffer()Lokio/Buffer;

Tests run: 9, Failures: 0, Errors: 9, Skipped: 0

The command \"mvn test -B\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(8));
}

#[test]
fn an_error_level_line_outranks_an_info_level_line_that_mentions_a_problem() {
    let log = "\
$ sbt mimaReportBinaryIssues
[info] Compiling 12 Java sources to /home/travis/build/octo/lib/core/target/classes ...
[info] Note: /home/travis/build/octo/lib/core/src/main/java/octo/Scheduler.java uses or overrides a deprecated API.
[info] Done compiling.
[error] octo-cluster: Failed binary compatibility check against octo-cluster_2.12:2.5.0! Found 1 potential problems
[error]  * class octo.cluster.msg.Messages#IncompatibleConfig does not have a correspondent in current version
[error]    filter with: ProblemFilters.exclude[MissingClassProblem](\"octo.cluster.msg.Messages$IncompatibleConfig\")
[error] Total time: 292 s, completed Jul 25, 2019 7:45:58 AM
The command \"sbt mimaReportBinaryIssues\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn the_top_three_reach_past_one_block_to_a_stated_error_elsewhere() {
    // The best line's block repeats one failure three times; the error of the command before
    // (a module npm could not load) is another story and earns a top-three place over the
    // third repeat. The line right under the best one stays: it is the same failure's message.
    let log = "\
$ npm install
Error: Cannot find module 'fast-deep-equal'
    at Function.Module._resolveFilename (module.js:325:15)
    at Function.Module._load (module.js:276:25)
added 1024 packages in 31.2s
The command \"npm install\" exited with 0.
$ sudo apt-get update
Hit http://archive.ubuntu.com trusty Release
E: Failed to fetch http://dl.hhvm.com/ubuntu/dists/trusty/main/binary-amd64/Packages  404  Not Found
E: Failed to fetch http://dl.hhvm.com/ubuntu/dists/trusty/main/binary-i386/Packages  404  Not Found
E: Failed to fetch http://dl.hhvm.com/ubuntu/dists/trusty/main/source/Sources  404  Not Found
E: Some index files failed to download. They have been ignored, or old ones used instead.
The command \"sudo apt-get update\" exited with 100.
";
    let analysis = analyse(log);
    let ranked = ranked_lines(&analysis);
    assert_eq!(ranked.first(), Some(&9), "{ranked:?}");
    assert_eq!(ranked.get(1), Some(&10), "{ranked:?}");
    assert_eq!(ranked.get(2), Some(&2), "{ranked:?}");
}

#[test]
fn a_travis_command_echoed_over_several_lines_still_marks_its_part_as_failed() {
    // Travis echoes a multi-line script command whole, so its "exited" line spans lines:
    // `The command "bash -c "` … `" exited with 1.`. The echo is the CI's, and the part it
    // closes is the one that failed.
    let log = "\
$ curl -sSfL https://example.org/setup.sh | bash
curl: (22) The requested URL returned error: 404 Not Found
Setup skipped
$ bash -c \"
  npm run lint &&
  npm test
\"
> app@1.0.0 test /home/travis/build/octo/app
  1) parser handles empty input:
     AssertionError: expected 0 to equal 1
The command \"bash -c \"
  npm run lint &&
  npm test
\"
\" exited with 1.
store build cache
Done. Your build exited with 1.
";
    let analysis = analyse(log);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!((step.first_line, step.last_line), (4, 15));
    assert_eq!(
        step.failure,
        Some(plimsoll_diagnose::analyzer::Failure::ExitCode { code: 1 })
    );
    let ranked = ranked_lines(&analysis);
    assert_eq!(ranked.first(), Some(&9), "{ranked:?}");
    assert!(!ranked.contains(&12) && !ranked.contains(&13), "{ranked:?}");
}

#[test]
fn errors_a_passing_test_run_logged_rank_below_the_run_that_failed() {
    // One command runs several test files; the first run's tests print a resolver error on
    // purpose and the run still reports no failures. The failure is the second run's.
    let log = "\
$ bundle exec rake test
Run options: --seed 20272
# Running:
.....
Bundler could not find compatible versions for gem \"activemodel\":
  In Gemfile:
    rails was resolved to 5.1.7, which depends on
      activemodel (= 5.1.7)
.....
Finished in 23.056336s, 4.2505 runs/s, 26.8907 assertions/s.
98 runs, 620 assertions, 0 failures, 0 errors, 0 skips
Run options: --seed 56165
# Running:
F
Failure:
ApplicationTests::DBConsoleTest#test_use_value_defined_in_environment_file [test/application/dbconsole_test.rb:40]
Expected \"\" to include \"sqlite>\".
bin/rails test test/application/dbconsole_test.rb:21
Finished in 4.177157s, 0.4788 runs/s, 0.4788 assertions/s.
1 runs, 1 assertions, 1 failures, 0 errors, 0 skips
The command \"bundle exec rake test\" exited with 1.
";
    let analysis = analyse(log);
    let best = analysis.best().expect("a best line");
    assert!((15..=17).contains(&best.line.line), "{best:?}");
    let ranked = ranked_lines(&analysis);
    let resolver = ranked.iter().position(|&l| l == 5);
    let verdict = ranked.iter().position(|&l| (15..=17).contains(&l));
    assert!(resolver.is_none() || resolver > verdict, "{ranked:?}");
}

#[test]
fn tests_rspec_lists_as_pending_are_not_failures() {
    // RSpec numbers the tests it skipped on purpose like failures, under `Pending:`; the
    // failure is under `Failures:`.
    let log = "\
$ bundle exec rspec
..........
Pending: (Failures listed here are expected and do not affect your suite's status)

  1) Theme #transform_ids works with nil values
     # Temporarily skipped with xit
     # ./spec/models/theme_spec.rb:70

Failures:

  1) DistributedMutex executions should not allow critical sections to overlap
     Failure/Error: yield

     LocalJumpError:
       no block given (yield)

Finished in 9 minutes 48 seconds (files took 7.2 seconds to load)
8771 examples, 1 failure, 1 pending
The command \"bundle exec rspec\" exited with 1.
";
    let analysis = analyse(log);
    let best = analysis.best().expect("a best line");
    assert!((11..=15).contains(&best.line.line), "{best:?}");
    let ranked = ranked_lines(&analysis);
    assert!(!ranked.contains(&5), "{ranked:?}");
}

#[test]
fn a_part_that_failed_before_the_failing_command_weighs_as_much_as_it() {
    // npm reports its own failure and the CI carries on; the command that then fails the
    // build trips over what was left broken. The first failure is the one to explain.
    let log = "\
$ npm install
> dugite@1.49.0 postinstall /home/travis/build/octo/app/node_modules/dugite
> node ./script/download-git.js
Error: Cannot find module 'fast-deep-equal'
    at Function.Module._resolveFilename (module.js:325:15)
    at Function.Module._load (module.js:276:25)
npm ERR! code ELIFECYCLE
npm ERR! dugite@1.49.0 postinstall: `node ./script/download-git.js`
$ ./script/cibuild
Reading package lists...
E: Failed to fetch http://dl.hhvm.com/ubuntu/dists/trusty/main/binary-i386/Packages  404  Not Found
E: Some index files failed to download. They have been ignored, or old ones used instead.
subprocess.CalledProcessError: Command '['sudo', 'apt-get', 'update']' returned non-zero exit status 100
The command \"./script/cibuild\" exited with 1.
";
    let analysis = analyse(log);
    let step = analysis.failing_step().expect("a failing step");
    assert_eq!(step.name, "$ ./script/cibuild");
    assert_eq!(analysis.best().map(|c| c.line.line), Some(4));
}

#[test]
fn r_cmd_check_names_the_test_file_that_failed_above_its_generic_tail() {
    // The shape of `R CMD check` output from rstudio/shiny's Travis logs.
    let log = "\
$ R CMD check shiny_1.3.2.9001.tar.gz --as-cran
* checking tests ...
  Running ‘test-all.R’ [9s/15s]
 ERROR
Running the tests in ‘tests/test-all.R’ failed.
Last 13 lines of output:
  ── 1. Failure: reactiveVal works (@test-reactivity.R#102)  ──
  Error: testthat unit tests failed
  Execution halted
* checking PDF version of manual ... OK
* DONE
Status: 1 ERROR
The command \"R CMD check shiny_1.3.2.9001.tar.gz --as-cran\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(5));
}

#[test]
fn a_tool_announcing_the_errors_it_will_tolerate_is_not_the_failure() {
    // awesome_bot's banner, then the broken links it found (vsouza/awesome-ios).
    let log = "\
$ awesome_bot README.md --allow-ssl
> Checking links in README.md
> Will allow SSL errors
Links to check: 2670, 41 white listed
  0001. https://github.com/vsouza/awesome-ios/blob/master/header.png
  0002. https://swift.sandbox.bluemix.net Failed to open TCP connection to swift.sandbox.bluemix.net:443 (getaddrinfo: Name or service not known)
Issues :-(
> Links
  01. [L1623] 404 https://www.goprimer.com
Wrote results to ab-results-README.md.json
The command \"awesome_bot README.md --allow-ssl\" exited with 1.
";
    let analysis = analyse(log);
    let ranked = ranked_lines(&analysis);
    assert!(!ranked.contains(&3), "the banner ranked: {ranked:?}");
    assert_eq!(analysis.best().map(|c| c.line.line), Some(6));
}

#[test]
fn qunit_names_the_module_test_and_assertion_that_failed() {
    // testem's console output from discourse/discourse's Travis logs.
    let log = "\
$ bundle exec rake qunit:test['1200000']
ok 3101 Chrome 75.0 - Acceptance: User::Invalid usernames
Module Failed: date-time-input-range
  Test Failed: prevents toDate to be before fromDate
    Assertion Failed: failed, expected argument to be falsy, was: true
Time: 301865ms, Total: 3105, Passed: 3103, Failed: 2
The command \"bundle exec rake qunit:test['1200000']\" exited with 1.
";
    let analysis = analyse(log);
    let best = analysis.best().expect("a best line");
    assert_eq!(best.line.line, 3);
    assert!(best.signatures.iter().any(|s| s == "js.qunit-failure"));
}

#[test]
fn a_later_pytest_assertion_trailer_does_not_push_the_first_failure_out_of_the_top_three() {
    // pytest's FAILURES section from jwilder/nginx-proxy's Travis logs: the first test died on
    // a connection error, a later one on an assertion. The bare `file:line: AssertionError`
    // trailer is Python's, not a JavaScript runner's line, so it earns no second signature.
    let log = "\
$ make test
=================================== FAILURES ===================================
__________________________ test_unknown_virtual_host ___________________________
docker_compose = <docker.client.DockerClient object at 0x7f12aa979a90>
>           raise ConnectionError(e, request=request)
E           ConnectionError: HTTPConnectionPool(host='nginx-proxy', port=80): Max retries exceeded with url: /port (Caused by NewConnectionError('<requests.packages.urllib3.connection.HTTPConnection object at 0x7f12aa6c3dd0>: Failed to establish a new connection: [Errno -2] Name does not resolve',))

/usr/local/lib/python2.7/site-packages/requests/adapters.py:487: ConnectionError
_______________________ test_unknown_virtual_host_is_503 _______________________
>       assert r.status_code == 503
E       assert 200 == 503
E        +  where 200 = <Response [200]>.status_code

test_dockergen/test_dockergen_v2.py:31: AssertionError
==================== 2 failed, 40 passed in 120.31 seconds =====================
The command \"make test\" exited with 2.
";
    let analysis = analyse(log);
    let top = &ranked_lines(&analysis)[..3];
    assert!(top.contains(&6), "top three: {top:?}");
}

#[test]
fn javascript_assertion_errors_match_and_pythons_trailer_does_not() {
    let signatures = Signatures::builtin();
    let ids = |line: &str| {
        let mut matched = Vec::new();
        signatures.matches(line, &mut matched);
        matched
            .iter()
            .map(|&i| signatures.list[i].id.clone())
            .collect::<Vec<_>>()
    };
    let js = "js.test-failure".to_string();
    assert!(ids("AssertionError [ERR_ASSERTION]: 1 == 2").contains(&js));
    assert!(ids("     AssertionError: expected 0 to equal 1").contains(&js));
    assert!(!ids("test_dockergen/test_dockergen_v2.py:31: AssertionError").contains(&js));
}

#[test]
fn composers_problem_lines_rank_next_to_its_verdict_above_phpinfo_settings() {
    // symfony/symfony's Travis log: `php -i` output earlier, then composer's verdict and the
    // problem that explains it.
    let log = "\
$ php -i
zend.assertions => 1 => 1
$ composer update --prefer-lowest
Loading composer repositories with package information
Your requirements could not be resolved to an installable set of packages.

  Problem 1
    - The requested package symfony/phpunit-bridge 4.4@dev exists as symfony/phpunit-bridge[2.7.x-dev, 3.4.x-dev] but these are rejected by your constraint.
The command \"composer update --prefer-lowest\" exited with 2.
";
    let analysis = analyse(log);
    let top = &ranked_lines(&analysis)[..2];
    assert_eq!(top, [5, 8]);
    let problem = &analysis.candidates[1];
    assert!(problem.signatures.iter().any(|s| s == "composer.problem"));
}

#[test]
fn a_tool_refusing_an_option_is_the_failure_not_the_usage_text_after_it() {
    // php-src's run-tests.php given a flag it does not know, then its help text.
    let log = "\
$ sapi/cli/php run-tests.php -j2
Illegal switch 'j' specified!
Synopsis:
    php run-tests.php [options] [files] [directories]
    -w <file>   Write a list of all failed tests to <file>.
The command \"sapi/cli/php run-tests.php -j2\" exited with 1.
";
    let analysis = analyse(log);
    assert_eq!(analysis.best().map(|c| c.line.line), Some(2));
}
