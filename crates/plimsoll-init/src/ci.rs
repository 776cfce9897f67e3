//! The Rust CI workflow: format, clippy with warnings denied, tests on Linux, macOS and
//! Windows, the MSRV, docs, a dependency audit, each job cached, bounded and read-only.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::pins::Pins;
use crate::project::RustProject;
use crate::{InitError, Rendered};

/// Where the workflow is written.
pub const PATH: &str = ".github/workflows/ci.yml";

/// The runners the tests run on: one per operating system, each a fixed image rather than
/// `-latest`, so an image upgrade is a reviewed change to this file.
const TEST_RUNNERS: [&str; 3] = ["ubuntu-24.04", "macos-15", "windows-2025"];
pub(crate) const LINUX: &str = "ubuntu-24.04";

/// The workflow's text and the facts it was generated from.
pub fn generate(rust: &RustProject, pins: &Pins) -> Result<Rendered, InitError> {
    let checkout = pins.uses("actions/checkout")?;
    let cache = pins.uses("Swatinem/rust-cache")?;
    let features = if rust.has_features() {
        " --all-features"
    } else {
        ""
    };
    let mut inputs = BTreeMap::new();
    let mut out = String::new();

    out.push_str(&preamble("CI", &describe_crates(rust)));
    inputs.insert("crates".to_string(), crate_summary(rust));
    out.push_str(
        "\n\
         env:\n  CARGO_TERM_COLOR: always\n\
         \x20 # Incremental compilation only costs time in a build that starts from scratch.\n\
         \x20 CARGO_INCREMENTAL: 0\n",
    );
    let install = match &rust.toolchain {
        Some(toolchain) => {
            let channel = toolchain.channel.as_deref().unwrap_or("its channel");
            inputs.insert(
                "toolchain".to_string(),
                format!("{} ({channel})", toolchain.file),
            );
            Install::FromFile {
                file: toolchain.file.clone(),
                channel: channel.to_string(),
            }
        }
        None => {
            inputs.insert(
                "toolchain".to_string(),
                format!("none: {}", pins.rust_stable),
            );
            let _ = write!(
                out,
                "  # No rust-toolchain.toml: CI pins Rust {0}, so a new release cannot turn CI red\n\
                 \x20 # without a change here. Bump it deliberately, or add a rust-toolchain.toml.\n\
                 \x20 RUSTUP_TOOLCHAIN: {0}\n",
                pins.rust_stable
            );
            Install::Pinned(pins.rust_stable.clone())
        }
    };
    if !features.is_empty() {
        inputs.insert("features".to_string(), "yes".to_string());
    }
    out.push_str("\njobs:\n");

    // Format.
    job_header(&mut out, "fmt", "Format", LINUX, 10);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    install.step(&mut out, &["rustfmt"]);
    out.push_str("      - run: cargo fmt --all -- --check\n");

    // Clippy.
    out.push('\n');
    job_header(&mut out, "clippy", "Clippy", LINUX, 20);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    install.step(&mut out, &["clippy"]);
    cache_step(&mut out, &cache);
    if !features.is_empty() {
        out.push_str(
            "      # The crates declare features: --all-features lints the code behind them too.\n",
        );
    }
    let _ = writeln!(
        out,
        "      - run: cargo clippy --workspace --all-targets{features} -- -D warnings"
    );

    // Tests.
    out.push('\n');
    out.push_str("  test:\n    name: Test (${{ matrix.os }})\n    runs-on: ${{ matrix.os }}\n    timeout-minutes: 30\n");
    out.push_str(
        "    strategy:\n\
         \x20     # One failing operating system does not cancel the others: each result is news.\n\
         \x20     fail-fast: false\n\
         \x20     matrix:\n\
         \x20       os:\n",
    );
    for runner in TEST_RUNNERS {
        let _ = writeln!(out, "          - {runner}");
    }
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    install.step(&mut out, &[]);
    cache_step(&mut out, &cache);
    let _ = writeln!(out, "      - run: cargo test --workspace{features}");

    // MSRV.
    out.push('\n');
    match &rust.rust_version {
        Some(msrv) => {
            inputs.insert("rust-version".to_string(), msrv.clone());
            let _ = write!(
                out,
                "  # Cargo.toml promises Rust {msrv} (`rust-version`): build with exactly that release.\n\
                 \x20 msrv:\n    name: MSRV ({msrv})\n    runs-on: {LINUX}\n    timeout-minutes: 20\n    steps:\n"
            );
            checkout_step(&mut out, &checkout);
            let _ = writeln!(
                out,
                "      - run: rustup toolchain install {msrv} --profile minimal"
            );
            cache_step(&mut out, &cache);
            let _ = writeln!(
                out,
                "      - run: cargo +{msrv} check --workspace{features}"
            );
        }
        None => {
            out.push_str(
                "  # No MSRV job: no Cargo.toml sets `rust-version`. Set it to get one.\n",
            );
        }
    }

    // Cross targets from rust-toolchain.toml.
    let targets = rust
        .toolchain
        .as_ref()
        .map(|t| t.targets.clone())
        .unwrap_or_default();
    if !targets.is_empty() {
        inputs.insert("targets".to_string(), targets.join(","));
        out.push('\n');
        out.push_str(
            "  # rust-toolchain.toml installs these targets: the code must keep building for them.\n\
             \x20 targets:\n    name: Check (${{ matrix.target }})\n",
        );
        let _ = writeln!(out, "    runs-on: {LINUX}\n    timeout-minutes: 20");
        out.push_str("    strategy:\n      fail-fast: false\n      matrix:\n        target:\n");
        for target in &targets {
            let _ = writeln!(out, "          - {target}");
        }
        out.push_str("    steps:\n");
        checkout_step(&mut out, &checkout);
        install.step(&mut out, &[]);
        // The target reaches the scripts through the environment, never expanded into them.
        out.push_str("      - run: rustup target add \"$TARGET\"\n        env:\n          TARGET: ${{ matrix.target }}\n");
        cache_step(&mut out, &cache);
        let _ = writeln!(
            out,
            "      - run: cargo check --workspace --target \"$TARGET\"{features}\n        env:\n          TARGET: ${{{{ matrix.target }}}}"
        );
    }

    // Docs.
    out.push('\n');
    if rust.has_library() {
        out.push_str(
            "  # The libraries' documentation builds, and a broken intra-doc link fails it.\n",
        );
        job_header(&mut out, "docs", "Docs", LINUX, 15);
        out.push_str("    env:\n      RUSTDOCFLAGS: -D warnings\n    steps:\n");
        checkout_step(&mut out, &checkout);
        install.step(&mut out, &[]);
        cache_step(&mut out, &cache);
        let _ = writeln!(
            out,
            "      - run: cargo doc --workspace --no-deps{features}"
        );
    } else {
        out.push_str("  # No docs job: the workspace has no library, so no API to document.\n");
    }

    // Audit.
    out.push('\n');
    job_header(&mut out, "audit", "Dependency audit", LINUX, 15);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    // The tool is built with the pinned release, not the project's toolchain, which may be
    // older than the tool supports.
    let (tool, run) = if rust.deny_toml {
        inputs.insert("audit".to_string(), "cargo-deny (deny.toml)".to_string());
        ("cargo-deny", "cargo deny check")
    } else {
        inputs.insert("audit".to_string(), "cargo-audit".to_string());
        ("cargo-audit", "cargo audit")
    };
    let version = pins.tool(tool)?;
    let stable = &pins.rust_stable;
    if rust.deny_toml {
        out.push_str(
            "      # deny.toml exists: cargo-deny checks advisories, licenses, bans and sources as it says.\n",
        );
    } else {
        out.push_str(
            "      # Known vulnerabilities (RustSec advisories) in Cargo.lock fail the build.\n",
        );
    }
    let _ = write!(
        out,
        "      - run: rustup toolchain install {stable} --profile minimal\n\
         \x20     - run: cargo +{stable} install {tool} --locked --version {version}\n\
         \x20     - run: {run}\n"
    );
    inputs.insert(
        "pins".to_string(),
        format!("{checkout}; {cache}; {tool} {version}"),
    );
    Ok((out, inputs))
}

/// The start of a CI workflow `name` for `project` (described in a comment): the header, the
/// triggers, read-only permissions and the concurrency group; `jobs:` is the caller's.
pub(crate) fn preamble(name: &str, project: &str) -> String {
    let mut out = String::from(
        "# Generated by `plimsoll init`. Edit freely: `plimsoll init` regenerates it with a\n\
         # three-way merge that keeps your edits (.github/plimsoll-init.lock holds what it last\n\
         # generated), and `plimsoll init --check` fails when it is out of date.\n#\n",
    );
    out.push_str(&comment_lines(project, ""));
    let _ = write!(
        out,
        "name: {name}\n\
         \n\
         on:\n  push:\n    branches: [main]\n  pull_request:\n\
         \n\
         # Least privilege: no job needs more than to read the repository.\n\
         permissions:\n  contents: read\n\
         \n\
         # A new push to a branch or pull request cancels the run it supersedes.\n\
         concurrency:\n  group: ${{{{ github.workflow }}}}-${{{{ github.ref }}}}\n  cancel-in-progress: true\n"
    );
    out
}

/// How a job gets its Rust toolchain.
enum Install {
    /// From rust-toolchain.toml.
    FromFile { file: String, channel: String },
    /// The release the workflow's `RUSTUP_TOOLCHAIN` names.
    Pinned(String),
}

impl Install {
    fn step(&self, out: &mut String, components: &[&str]) {
        let component_args = if components.is_empty() {
            String::new()
        } else {
            format!(" --component {}", components.join(","))
        };
        match self {
            Install::FromFile { file, channel } => {
                // Without an argument rustup installs the toolchain the file names, with its
                // components and targets (rustup >= 1.28).
                let _ = writeln!(out, "      # The toolchain comes from {file} ({channel}).");
                out.push_str("      - run: rustup toolchain install\n");
                if !components.is_empty() {
                    let _ = writeln!(
                        out,
                        "      - run: rustup component add {}",
                        components.join(" ")
                    );
                }
            }
            Install::Pinned(version) => {
                let _ = writeln!(
                    out,
                    "      - run: rustup toolchain install {version} --profile minimal{component_args}"
                );
            }
        }
    }
}

pub(crate) fn job_header(out: &mut String, id: &str, name: &str, runner: &str, minutes: u32) {
    let _ = writeln!(
        out,
        "  {id}:\n    name: {name}\n    runs-on: {runner}\n    timeout-minutes: {minutes}"
    );
}

pub(crate) fn checkout_step(out: &mut String, checkout: &str) {
    let _ = writeln!(
        out,
        "      - uses: {checkout}\n        with:\n          # No job pushes: the token is not left in .git/config for later steps to read.\n          persist-credentials: false"
    );
}

fn cache_step(out: &mut String, cache: &str) {
    let _ = writeln!(
        out,
        "      # Caches ~/.cargo and target/, keyed on Cargo.lock, the toolchain and the job.\n      - uses: {cache}"
    );
}

fn crate_summary(rust: &RustProject) -> String {
    rust.crates
        .iter()
        .map(|c| {
            let mut kinds = Vec::new();
            if c.lib {
                kinds.push("lib".to_string());
            }
            kinds.extend(c.bins.iter().map(|b| format!("bin {b}")));
            format!("{} ({})", c.name, kinds.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe_crates(rust: &RustProject) -> String {
    let bins: Vec<&str> = rust
        .crates
        .iter()
        .flat_map(|c| c.bins.iter().map(String::as_str))
        .collect();
    let libs: Vec<&str> = rust
        .crates
        .iter()
        .filter(|c| c.lib)
        .map(|c| c.name.as_str())
        .collect();
    let count = rust.crates.len();
    let mut text = format!(
        "The Cargo {} of {count} crate{}",
        if count > 1 { "workspace" } else { "package" },
        if count == 1 { "" } else { "s" }
    );
    if !bins.is_empty() {
        let _ = write!(text, "; binaries: {}", bins.join(", "));
    }
    if !libs.is_empty() {
        let _ = write!(text, "; libraries: {}", libs.join(", "));
    }
    text.push('.');
    text
}

/// `text` as YAML comment lines of at most 100 columns, each indented by `indent`.
pub(crate) fn comment_lines(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + 2 + line.len() + 1 + word.len() > 100 {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
    out
}
