use super::common::{argv, build_toolchain_use, purges_its_installs};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a single-stage Dockerfile that builds software in the image that ships: it runs a
    /// build (`cargo build`, `go build`, `npm run build`, `mvn package`, a compiler) or installs
    /// a build toolchain (`build-essential`, `gcc`, `build-base`). A `RUN` that removes the
    /// packages it installed before it ends (`apk del .build-deps`, `apt-get purge -y
    /// --auto-remove`) is silent: its build dependencies are not in the layer.
    ///
    /// ## Why is this bad?
    /// Compilers, headers, caches and sources ship to production: the image is several times
    /// larger, slower to pull, and carries far more packages with vulnerabilities to patch.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM rust:1.82
    /// COPY . .
    /// RUN cargo build --release
    /// CMD ["./target/release/app"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM rust:1.82 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN cargo build --release --locked
    ///
    /// FROM gcr.io/distroless/cc-debian12:nonroot
    /// COPY --from=build /src/target/release/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    pub struct MissingMultiStageBuild {
        id: "DKR004",
        name: "missing-multi-stage-build",
        severity: Warning,
        domain: Containers,
        summary: "A single-stage build ships its build toolchain",
        help: "build in a first stage and copy only the artifacts into a slim final stage (`COPY --from=build`)",
    }
}

impl Rule for MissingMultiStageBuild {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        if cx.dockerfile.stages().len() != 1 {
            return;
        }
        for run in cx
            .runs
            .iter()
            .filter(|r| !r.onbuild && !purges_its_installs(r))
        {
            for command in &run.commands {
                if let Some(what) = build_toolchain_use(&argv(command)) {
                    out.report(
                        &Self::META,
                        command.span(),
                        format!("`{what}` runs in the only stage, so the build toolchain ships in the image"),
                    );
                    return;
                }
            }
        }
    }
}
