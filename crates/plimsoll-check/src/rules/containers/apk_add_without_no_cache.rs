use super::common::{argv, insert_flag_after_verb, mounts_over, removes_after, verb};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::Fix;
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `apk add` without `--no-cache` in a `RUN` that neither removes `/var/cache/apk`
    /// nor uses a cache mount. `apk add --no-network` is silent: it installs from local files or
    /// an already present index and downloads nothing, so there is no cache to leave.
    ///
    /// ## Why is this bad?
    /// The package index and downloaded packages stay in the layer: a larger image for nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk update && apk add curl
    /// ```
    ///
    /// ## Fix
    /// Safe: adds `--no-cache`, which installs the same packages without keeping the index.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    pub struct ApkAddWithoutNoCache {
        id: "DKR011",
        name: "apk-add-without-no-cache",
        severity: Note,
        domain: Containers,
        summary: "`apk add` keeps its cache in the layer",
        help: "use `apk add --no-cache …`",
        fix: Safe,
    }
}

impl Rule for ApkAddWithoutNoCache {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs.iter().filter(|r| !mounts_over(r, "/var/cache/apk")) {
            for (index, command) in run.commands.iter().enumerate() {
                let words = argv(command);
                let is_add = command.program() == Some("apk") && verb(&words) == Some("add");
                if is_add
                    && !words.contains(&"--no-cache")
                    && !words.contains(&"--no-network")
                    && !removes_after(run, "/var/cache/apk", index)
                {
                    let diagnostic = out.report(
                        &Self::META,
                        command.span(),
                        "`apk add` without `--no-cache` leaves the package cache in the layer"
                            .to_string(),
                    );
                    // The same packages from the same index: only the cache is not kept.
                    if let Some(edit) = insert_flag_after_verb(command, "add", "--no-cache") {
                        diagnostic.fix(Fix::safe("add `--no-cache`", vec![edit]));
                    }
                }
            }
        }
    }
}
