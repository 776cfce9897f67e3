use super::common::{argv, has_cache_mount, removes, verb};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `yum`, `dnf`, `microdnf` or `zypper` installs in a `RUN` that does not clean the
    /// package manager's cache afterwards (`yum clean all`, `dnf clean all`, `zypper clean`).
    ///
    /// ## Why is this bad?
    /// Repository metadata and downloaded packages stay in the layer, adding tens to hundreds
    /// of megabytes to every pull.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y httpd
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    pub struct PackageCacheNotCleaned {
        id: "DKR013",
        name: "package-cache-not-cleaned",
        severity: Note,
        domain: Containers,
        summary: "A `yum`/`dnf`/`zypper` install leaves its cache in the layer",
        help: "end the same `RUN` with `yum clean all`, `dnf clean all` or `zypper clean --all`",
    }
}

impl Rule for PackageCacheNotCleaned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs.iter().filter(|r| !has_cache_mount(r)) {
            let mut installs = Vec::new();
            let mut cleaned = Vec::new();
            for command in &run.commands {
                let words = argv(command);
                let program = command.program().unwrap_or("");
                if !matches!(program, "yum" | "dnf" | "microdnf" | "zypper") {
                    continue;
                }
                match verb(&words) {
                    Some("install" | "in" | "update" | "upgrade" | "groupinstall") => {
                        installs.push((program, command.span()));
                    }
                    Some("clean" | "cc") => cleaned.push(program),
                    _ => {}
                }
                if words.iter().any(|w| w.starts_with("/var/cache/")) {
                    cleaned.push(program);
                }
            }
            if removes(run, "/var/cache/") {
                cleaned.extend(["yum", "dnf", "microdnf", "zypper"]);
            }
            for (program, span) in installs {
                if !cleaned.contains(&program) {
                    out.report(
                        &Self::META,
                        span,
                        format!("`{program}` installs packages but this `RUN` never runs `{program} clean`"),
                    );
                }
            }
        }
    }
}
