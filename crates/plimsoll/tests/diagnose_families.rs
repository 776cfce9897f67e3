//! `plimsoll diagnose` through the real binary on real logs of `../shared/ci-logs`: at least one
//! per failure class that the sets hold and one per tool family, each checked for its exact line
//! (number and text) and its class. Every log here is of the evaluation's training split
//! (`bench/diagnose_eval.py` holds 30% of each set's repositories out, by a hash of the name, as
//! a test split whose logs nobody reads); the line each asserts lies in the log's label
//! (LogChunks' hand-labelled chunk, BugSwarm's failed test). BENCHMARKS.md (issue 14, round 7)
//! lists which classes and families have a real-log test here or elsewhere, and which have none
//! because no labelled log of them exists.

mod common;

use std::path::{Path, PathBuf};

use common::plimsoll;
use serde_json::Value;

/// `../shared/ci-logs`, when present.
fn shared_logs() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ci-logs");
    root.is_dir().then_some(root)
}

/// The JSON report of `plimsoll diagnose` on the log at `log` under `root`.
fn report(root: &Path, log: &str) -> Value {
    let output = plimsoll(root)
        .args(["diagnose", log, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{log}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    value["logs"][0].clone()
}

/// One real log: where it is, its tool family, the exact line expected (number and the start of
/// its text) and the class.
struct Case {
    log: &'static str,
    family: &'static str,
    line: u64,
    text: &'static str,
    class: &'static str,
}

const CASES: &[Case] = &[
    // Missing setup: a library CMake's find module did not find, an artifact the Maven
    // repository does not have, a Python module the environment lacks.
    Case {
        log: "logchunks/logs/C++/BVLC@caffe/failed/214074807.log",
        family: "cmake",
        line: 3974,
        text: "CMake Error at /usr/share/cmake-3.2/Modules/FindPackageHandleStandardArgs.cmake:138",
        class: "missing-dependency",
    },
    Case {
        log: "logchunks/logs/Clojure/technomancy@leiningen/failed/239201655.log",
        family: "leiningen (Maven resolver)",
        line: 922,
        text: "Could not find artifact clojure-complete:clojure-complete:jar:0.2.4 in central",
        class: "missing-dependency",
    },
    Case {
        log: "bugswarm-travis/python/78170279-orig.log",
        family: "nose",
        line: 360,
        text: "ImportError: No module named 'six'",
        class: "missing-dependency",
    },
    // Flaky: a test that hit its time-out, a package download that could not connect.
    Case {
        log: "logchunks/logs/Elixir/phoenixframework@phoenix/failed/566184515.log",
        family: "mix (ExUnit)",
        line: 936,
        text: "     ** (ExUnit.TimeoutError) test timed out after 60000ms.",
        class: "flaky",
    },
    Case {
        log: "logchunks/logs/Haskell/koalaman@shellcheck/failed/553130518.log",
        family: "cabal",
        line: 3030,
        text: "cabal.exe: Couldn't establish HTTP connection.",
        class: "flaky",
    },
    // Code: compilers, test runners and linters of each family.
    Case {
        log: "logchunks/logs/C#/NancyFx@Nancy/failed/461393228.log",
        family: "dotnet (csc)",
        line: 2799,
        text: "Extensions/CollectionExtensions.cs(20,40): error CS0103:",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/C#/NancyFx@Nancy/failed/377324945.log",
        family: "dotnet (xunit)",
        // The `[FAIL]` verdict (3070) yields to the assertion xUnit indents under it.
        line: 3071,
        text: "      Assert.Equal() Failure",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Scala/akka@akka/failed/563433903.log",
        family: "sbt (scalac)",
        line: 1553,
        text: "[error] /home/travis/build/akka/akka/akka-persistence-typed/src/main/scala/",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Scala/twitter@finagle/failed/572992106.log",
        family: "sbt (ScalaTest)",
        line: 2749,
        text:
            "[info] - Requests exceeding limit should increase dropped_request count *** FAILED ***",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Java/ReactiveX@RxJava/failed/561008032.log",
        family: "gradle (JUnit)",
        // The test's verdict (519) yields to the assertion Gradle indents under it.
        line: 520,
        text: "    java.lang.AssertionError: 13,928,704 -> 113,907,376",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Java/square@retrofit/failed/403602199.log",
        family: "maven (surefire)",
        line: 1808,
        text: "malformedContentTypeHeaderThrows(retrofit2.RequestFactoryTest)",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/TypeScript/Microsoft@TypeScript/failed/566234931.log",
        family: "mocha",
        line: 1435,
        text: "     AssertionError: expected 1 to equal 2",
        class: "code-bug",
    },
    Case {
        log: "bugswarm-travis/javascript/jest/571351164.log",
        family: "jest",
        line: 1121,
        text: "    expect(received).toBeGreaterThan(expected)",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/JavaScript/airbnb@javascript/failed/563286141.log",
        family: "tape",
        line: 799,
        text: "    operator: notOk",
        class: "code-bug",
    },
    Case {
        log: "bugswarm-travis/python/256802843-orig.log",
        family: "pytest (tox)",
        line: 605,
        text: "E       AssertionError: assert 'Missing clai",
        class: "code-bug",
    },
    Case {
        log: "bugswarm-travis/python/73309390-orig.log",
        family: "unittest",
        line: 1296,
        text: "FAIL: test_non_current (tornado.test.ioloop_test.TestIOLoopCurrent)",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/PHP/bcit-ci@CodeIgniter/failed/476896825.log",
        family: "phpunit",
        line: 594,
        text: "1) Inflector_helper_test::test_plural",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Ruby/discourse@discourse/failed/565656484.log",
        family: "rspec",
        // RSpec's count of failures yields to its first numbered block's `Failure/Error:`.
        line: 11433,
        text: "     Failure/Error: yield",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Ruby/rails@rails/failed/517085282.log",
        family: "minitest (rake)",
        line: 2314,
        text: "Failure:",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Ruby/discourse@discourse/failed/566028969.log",
        family: "eslint",
        line: 4109,
        text: "  3:8  error  'showModal' is defined but never used  no-unused-vars",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/Lua/martanne@vis/failed/243935654.log",
        family: "make (ld)",
        line: 1376,
        text: "map.c:(.text.build_values+0xd): undefined reference to `array_add_ptr'",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/TeX/cplusplus@draft/failed/568620326.log",
        family: "latexmk",
        line: 1264,
        text: "LaTeX Warning: There were undefined references.",
        class: "code-bug",
    },
    Case {
        log: "logchunks/logs/VimL/mhinz@vim-galore/failed/374778890.log",
        family: "markdown linter",
        line: 668,
        text: "README.md:2186:Line longer than 80 characters.",
        class: "code-bug",
    },
];

#[test]
fn each_class_and_tool_family_on_a_real_log_of_the_training_split() {
    let Some(root) = shared_logs() else {
        println!("skipped: ../shared/ci-logs absent");
        return;
    };
    let mut wrong = Vec::new();
    for case in CASES {
        let log = report(&root, case.log);
        let line = log["exact_line"]["line"].as_u64();
        let text = log["exact_line"]["text"].as_str().unwrap_or_default();
        let class = log["classification"]["class"].as_str().unwrap_or_default();
        if line != Some(case.line) || !text.starts_with(case.text) || class != case.class {
            wrong.push(format!(
                "{} ({}): line {line:?} `{text}` class {class}; expected line {} `{}` class {}",
                case.log, case.family, case.line, case.text, case.class
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
