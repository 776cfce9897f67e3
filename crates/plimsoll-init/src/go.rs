//! A Go module's CI workflow and Dockerfile: gofmt, `go vet` and the race-enabled tests with
//! the Go release go.mod names; a static binary in a distroless, non-root image.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ci::{checkout_step, job_header, preamble, LINUX};
use crate::pins::Pins;
use crate::project::GoProject;
use crate::GENERATED_HEADER;
use crate::{InitError, Rendered};

/// Where the workflow is written.
pub const PATH: &str = ".github/workflows/go.yml";

/// The final stage's base: distroless with nothing but CA certificates and time zones, for a
/// static binary, run as its `nonroot` user.
const RUNTIME_IMAGE: &str = "gcr.io/distroless/static-debian12:nonroot";

/// The CI workflow.
pub fn ci(
    go: &GoProject,
    pins: &Pins,
) -> Result<Result<(&'static str, Rendered), String>, InitError> {
    let checkout = pins.uses("actions/checkout")?;
    let setup = pins.uses("actions/setup-go")?;
    let mut out = preamble("Go CI", &format!("The Go module {}.", go.module));
    out.push_str("\njobs:\n");
    job_header(&mut out, "test", "Format, vet and test", LINUX, 15);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    let cache = if go.go_sum {
        " The module and build caches are keyed on go.sum."
    } else {
        ""
    };
    out.push_str(&crate::ci::comment_lines(
        &format!("The Go release go.mod's `go` directive names.{cache}"),
        "      ",
    ));
    let _ = write!(
        out,
        "      - uses: {setup}\n\
         \x20       with:\n\
         \x20         go-version-file: go.mod\n\
         \x20     # gofmt lists the files it would change: any is a failure.\n\
         \x20     - name: gofmt\n\
         \x20       run: |\n\
         \x20         unformatted=\"$(gofmt -l .)\"\n\
         \x20         if [ -n \"$unformatted\" ]; then\n\
         \x20           echo \"not formatted with gofmt:\"\n\
         \x20           echo \"$unformatted\"\n\
         \x20           exit 1\n\
         \x20         fi\n\
         \x20     - run: go vet ./...\n\
         \x20     # The race detector finds data races the tests exercise.\n\
         \x20     - run: go test -race ./...\n"
    );
    let mut inputs = BTreeMap::new();
    inputs.insert("module".to_string(), go.module.clone());
    inputs.insert("pins".to_string(), format!("{checkout}; {setup}"));
    Ok(Ok((PATH, (out, inputs))))
}

/// The name `go build` gives the binary of main package `main`: its folder's, or the module
/// path's last element for the root package.
fn binary_name(go: &GoProject, main: &str) -> String {
    let path = if main == "." { &go.module } else { main };
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The Dockerfile, or why there is none.
pub fn dockerfile(go: &GoProject, pins: &Pins) -> Result<Rendered, String> {
    if go.mains.is_empty() {
        return Err("no main package (main.go at the root or cmd/NAME/)".to_string());
    }
    let (release, why) = match &go.go {
        Some(release) => (release.clone(), "the release go.mod's `go` directive names"),
        None => (
            pins.runtime("go")
                .map_err(|err| err.to_string())?
                .to_string(),
            "go.mod has no `go` directive: the pinned release",
        ),
    };
    let manifests = if go.go_sum { "go.mod go.sum" } else { "go.mod" };
    let packages: Vec<String> = go
        .mains
        .iter()
        .map(|main| {
            if main == "." {
                ".".to_string()
            } else {
                format!("./{main}")
            }
        })
        .collect();
    let binaries: Vec<String> = go.mains.iter().map(|m| binary_name(go, m)).collect();
    let entry = binaries.first().cloned().unwrap_or_default();
    let copied: Vec<String> = binaries.iter().map(|b| format!("/out/{b}")).collect();
    let mut out = format!(
        "{GENERATED_HEADER}\
         \n\
         # Build stage: Go {release}, {why}.\n\
         FROM golang:{release}-bookworm AS build\n\
         WORKDIR /src\n\
         \n\
         # Dependencies first: the module files alone, so the download layer is rebuilt only when\n\
         # they change.\n\
         COPY {manifests} ./\n\
         RUN go mod download\n\
         \n\
         # Then the sources (.dockerignore keeps .git and secrets out). CGO off: a static binary\n\
         # that needs no C library in the final image.\n\
         COPY . .\n"
    );
    let _ = writeln!(
        out,
        "RUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/ {}\n",
        packages.join(" "),
    );
    out.push_str(&crate::distroless::distroless_stage(
        RUNTIME_IMAGE,
        &copied,
        &entry,
    ));
    let mut inputs = BTreeMap::new();
    inputs.insert("go".to_string(), release);
    inputs.insert("binaries".to_string(), binaries.join(","));
    Ok((out, inputs))
}
