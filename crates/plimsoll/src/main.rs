//! The `plimsoll` command line: argument parsing and wiring only; the work lives in the
//! `plimsoll-check` and `plimsoll-report` crates.

mod cli;
mod diagnose;
mod guard;
mod history;
mod output;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("plimsoll: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .init();
}
