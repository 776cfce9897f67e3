use super::common::{argv, mounts_over, removes_after, verb};
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
        for run in cx.runs.iter().filter(|r| !mounts_over(r, "/var/cache")) {
            let mut installs = Vec::new();
            // What a clean command cleans, and where it runs: a clean before the install
            // leaves the install's cache.
            let mut cleaned: Vec<(&str, usize)> = Vec::new();
            for (index, command) in run.commands.iter().enumerate() {
                let words = argv(command);
                let program = command.program().unwrap_or("");
                if !matches!(program, "yum" | "dnf" | "microdnf" | "zypper") {
                    continue;
                }
                match verb(&words) {
                    Some("install" | "in" | "update" | "upgrade" | "groupinstall") => {
                        installs.push((program, command.span(), index));
                    }
                    Some("clean" | "cc") => cleaned.push((program, index)),
                    _ => {}
                }
                if words.iter().any(|w| w.starts_with("/var/cache/")) {
                    cleaned.push((program, index));
                }
            }
            for (program, span, index) in installs {
                let clean_after = cleaned.iter().any(|(p, at)| *p == program && *at > index)
                    || removes_after(run, "/var/cache/", index);
                if !clean_after {
                    out.report(
                        &Self::META,
                        span,
                        format!("`{program}` installs packages but this `RUN` does not run `{program} clean` after it"),
                    );
                }
            }
        }
    }
}
