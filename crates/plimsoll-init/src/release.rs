//! The release workflow: on a version tag, build every binary for each target, archive them
//! with SHA-256 checksums, attest their build provenance and publish a GitHub release.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::pins::Pins;
use crate::project::RustProject;
use crate::GENERATED_HEADER;
use crate::{InitError, Rendered};

/// Where the workflow is written.
pub const PATH: &str = ".github/workflows/release.yml";

/// Target → the runner that builds it natively (macOS builds its Intel target on Apple
/// silicon, which rustup's cross target covers without a linker setup).
const TARGETS: [(&str, &str); 5] = [
    ("x86_64-unknown-linux-gnu", "ubuntu-24.04"),
    ("aarch64-unknown-linux-gnu", "ubuntu-24.04-arm"),
    ("x86_64-apple-darwin", "macos-15"),
    ("aarch64-apple-darwin", "macos-15"),
    ("x86_64-pc-windows-msvc", "windows-2025"),
];

/// The workflow's text and its inputs, or `None` when the project has no binary to release.
pub fn generate(
    rust: &RustProject,
    pins: &Pins,
    docs: &[String],
) -> Result<Option<Rendered>, InitError> {
    let bins: Vec<&str> = rust
        .crates
        .iter()
        .flat_map(|c| c.bins.iter().map(String::as_str))
        .collect();
    let Some(first) = bins.first() else {
        return Ok(None);
    };
    let checkout = pins.uses("actions/checkout")?;
    let upload = pins.uses("actions/upload-artifact")?;
    let download = pins.uses("actions/download-artifact")?;
    let attest = pins.uses("actions/attest-build-provenance")?;
    let install = match &rust.toolchain {
        Some(toolchain) => format!(
            "      # The toolchain comes from {}.\n      - run: rustup toolchain install\n",
            toolchain.file
        ),
        None => format!(
            "      # No rust-toolchain.toml: the release is built with a pinned Rust release.\n      \
             - run: rustup default {}\n",
            pins.rust_stable
        ),
    };
    let mut out = String::from(GENERATED_HEADER);
    out.push_str(
        "#\n\
         # Push a tag `vX.Y.Z` to release: every binary is built for each target, archived with\n\
         # a SHA-256 checksum, its build provenance attested, and a GitHub release created.\n\
         name: Release\n\
         \n\
         on:\n  push:\n    tags:\n      - \"v[0-9]+.[0-9]+.[0-9]+*\"\n\
         \n\
         # Nothing by default; each job is granted what it needs.\n\
         permissions: {}\n\
         \n\
         # Two pushes of the same tag never publish at the same time, and a release is never\n\
         # cancelled halfway.\n\
         concurrency:\n  group: release-${{ github.ref }}\n  cancel-in-progress: false\n\
         \n\
         env:\n  CARGO_TERM_COLOR: always\n\
         \n\
         jobs:\n\
         \x20 build:\n\
         \x20   name: Build (${{ matrix.target }})\n\
         \x20   runs-on: ${{ matrix.os }}\n\
         \x20   timeout-minutes: 45\n\
         \x20   permissions:\n      contents: read # check out the code\n\
         \x20   strategy:\n      matrix:\n        include:\n",
    );
    for (target, runner) in TARGETS {
        let _ = writeln!(
            out,
            "          - target: {target}\n            os: {runner}"
        );
    }
    out.push_str("    steps:\n");
    let _ = writeln!(
        out,
        "      - uses: {checkout}\n        with:\n          persist-credentials: false"
    );
    out.push_str(&install);
    out.push_str(
        "      - run: rustup target add \"$TARGET\"\n        env:\n          TARGET: ${{ matrix.target }}\n\
         \x20     # No cache: a release is built from a clean state, never from a cache a pull\n\
         \x20     # request could have written. --locked builds exactly Cargo.lock.\n",
    );
    let _ = writeln!(
        out,
        "      - run: cargo build --release --locked --workspace --bins --target \"$TARGET\"\n        \
         env:\n          TARGET: ${{{{ matrix.target }}}}"
    );
    let mut files: Vec<String> = bins
        .iter()
        .map(|bin| format!("\"target/$TARGET/release/{bin}$EXE\""))
        .collect();
    files.extend(docs.iter().map(|doc| format!("\"{doc}\"")));
    let _ = write!(
        out,
        "      - name: Archive\n\
         \x20       shell: bash\n\
         \x20       env:\n\
         \x20         TARGET: ${{{{ matrix.target }}}}\n\
         \x20       run: |\n\
         \x20         set -euo pipefail\n\
         \x20         EXE=\"\"\n\
         \x20         if [ \"$RUNNER_OS\" = Windows ]; then EXE=.exe; fi\n\
         \x20         name=\"{first}-$GITHUB_REF_NAME-$TARGET\"\n\
         \x20         mkdir -p \"dist/$name\"\n\
         \x20         cp {files} \"dist/$name/\"\n\
         \x20         cd dist\n\
         \x20         if [ \"$RUNNER_OS\" = Windows ]; then\n\
         \x20           archive=\"$name.zip\"\n\
         \x20           7z a \"$archive\" \"$name\"\n\
         \x20         else\n\
         \x20           archive=\"$name.tar.gz\"\n\
         \x20           tar czf \"$archive\" \"$name\"\n\
         \x20         fi\n\
         \x20         rm -r \"$name\"\n\
         \x20         if command -v sha256sum >/dev/null; then\n\
         \x20           sha256sum \"$archive\" > \"$archive.sha256\"\n\
         \x20         else\n\
         \x20           shasum -a 256 \"$archive\" > \"$archive.sha256\"\n\
         \x20         fi\n",
        files = files.join(" ")
    );
    let _ = write!(
        out,
        "      - uses: {upload}\n\
         \x20       with:\n\
         \x20         name: dist-${{{{ matrix.target }}}}\n\
         \x20         path: dist/*\n\
         \x20         if-no-files-found: error\n\
         \n\
         \x20 release:\n\
         \x20   name: Publish\n\
         \x20   needs: build\n\
         \x20   runs-on: ubuntu-24.04\n\
         \x20   timeout-minutes: 15\n\
         \x20   permissions:\n\
         \x20     contents: write # create the release and upload its files\n\
         \x20     id-token: write # sign the provenance attestation with the workflow's identity\n\
         \x20     attestations: write # store the attestation\n\
         \x20   steps:\n\
         \x20     - uses: {download}\n\
         \x20       with:\n\
         \x20         path: dist\n\
         \x20         pattern: dist-*\n\
         \x20         merge-multiple: true\n\
         \x20     - run: sha256sum -- * > SHA256SUMS\n\
         \x20       working-directory: dist\n\
         \x20     # Users can check where and how each archive was built: `gh attestation verify`.\n\
         \x20     - uses: {attest}\n\
         \x20       with:\n\
         \x20         subject-path: dist/*\n\
         \x20     - run: gh release create \"$GITHUB_REF_NAME\" dist/* --verify-tag --generate-notes\n\
         \x20       env:\n\
         \x20         GH_TOKEN: ${{{{ github.token }}}}\n\
         \x20         GH_REPO: ${{{{ github.repository }}}}\n"
    );
    let mut inputs = BTreeMap::new();
    inputs.insert("binaries".to_string(), bins.join(","));
    inputs.insert("docs".to_string(), docs.join(","));
    inputs.insert(
        "targets".to_string(),
        TARGETS
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>()
            .join(","),
    );
    inputs.insert(
        "pins".to_string(),
        format!("{checkout}; {upload}; {download}; {attest}"),
    );
    Ok(Some((out, inputs)))
}
