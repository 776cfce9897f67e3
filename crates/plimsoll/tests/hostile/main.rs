//! Hostile input: what an attacker can put in a repository, a log or a command line, and what
//! plimsoll must still promise. Every input is generated at test time in a temporary folder; each
//! run of the real binary is bounded in time and memory ([`run`]), and each test asserts the
//! outcome: no secret in any output or written file, no command of the repository's run, a clear
//! error, bounded time and memory.

#[path = "../common/mod.rs"]
mod common;

mod harness;
mod limits;
mod secrets;

use harness::*;

#[test]
fn the_harness_reports_the_exit_code_and_output() {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "Dockerfile", "FROM alpine:latest\n");
    let out = run(dir.path(), &["check", "."], Limits::default());
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stdout.contains("Dockerfile:1:"), "{out:?}");
    assert!(!out.timed_out);
}

mod repository;
