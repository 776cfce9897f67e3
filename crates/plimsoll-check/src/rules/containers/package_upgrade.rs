use super::common::{argv, verb};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that upgrades the whole distribution: `apt-get dist-upgrade` (or
    /// `full-upgrade`), `dnf upgrade`, `yum update` or `dnf distro-sync` without package names,
    /// and `zypper dist-upgrade` (trivy DS-0024).
    ///
    /// ## Why is this bad?
    /// The base image's packages are replaced by whatever the mirror holds on build day, across
    /// versions the base image's maintainers never tested together: the image no longer is the
    /// one its tag names, and two builds of the same commit differ. A newer base image brings
    /// the same fixes, tested.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf -y upgrade && dnf -y install httpd && dnf clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM rockylinux:9.3.20231119
    /// RUN dnf -y install httpd && dnf clean all
    /// ```
    pub struct PackageUpgrade {
        id: "DKR026",
        name: "package-upgrade",
        severity: Note,
        domain: Containers,
        summary: "A `RUN` upgrades every package of the base image",
        help: "use a newer base image instead, or upgrade only the packages that need it (`dnf upgrade openssl`)",
    }
}

impl Rule for PackageUpgrade {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            for command in &run.commands {
                let words = argv(command);
                let program = command.program().unwrap_or("");
                let Some(verb) = verb(&words) else {
                    continue;
                };
                let names_packages = || {
                    words
                        .iter()
                        .skip_while(|w| **w != verb)
                        .skip(1)
                        .any(|w| !w.starts_with('-'))
                };
                let upgrades_all = match program {
                    "apt-get" | "apt" => matches!(verb, "dist-upgrade" | "full-upgrade"),
                    "dnf" | "yum" | "microdnf" | "dnf5" => {
                        matches!(
                            verb,
                            "upgrade" | "update" | "distro-sync" | "upgrade-minimal"
                        ) && !names_packages()
                    }
                    "zypper" => matches!(verb, "dup" | "dist-upgrade"),
                    _ => false,
                };
                if upgrades_all {
                    out.report(
                        &Self::META,
                        command.span(),
                        format!("`{program} {verb}` replaces the base image's packages with whatever is newest on build day"),
                    );
                }
            }
        }
    }
}
