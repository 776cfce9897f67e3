use super::common::{argv, has_cache_mount};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `pip install` without `--no-cache-dir`, unless `PIP_NO_CACHE_DIR` is set in the
    /// stage or the `RUN` uses a cache mount.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`, inside the layer: often hundreds of
    /// megabytes the image never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    pub struct PipInstallWithCache {
        id: "DKR012",
        name: "pip-install-with-cache",
        severity: Note,
        domain: Containers,
        summary: "`pip install` keeps its cache in the layer",
        help: "use `pip install --no-cache-dir …` (or set `ENV PIP_NO_CACHE_DIR=1`)",
    }
}

impl Rule for PipInstallWithCache {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        // Per stage once: asking per `RUN` scans the stage's body each time.
        let no_cache_stages: Vec<bool> = cx
            .dockerfile
            .stages()
            .iter()
            .map(|stage| {
                stage.body.iter().any(|i| {
                    matches!(i.keyword.as_str(), "ENV" | "ARG")
                        && i.key_values()
                            .iter()
                            .any(|(k, _)| k.text == "PIP_NO_CACHE_DIR")
                })
            })
            .collect();
        let no_cache_env =
            |stage: Option<usize>| stage.and_then(|s| no_cache_stages.get(s)) == Some(&true);
        for run in cx
            .runs
            .iter()
            .filter(|r| !has_cache_mount(r) && !no_cache_env(r.stage))
        {
            for command in &run.commands {
                let words = argv(command);
                let install = match command.program().unwrap_or("") {
                    "pip" | "pip3" => words.get(1) == Some(&"install"),
                    "python" | "python3" => words.get(1..4) == Some(&["-m", "pip", "install"]),
                    _ => false,
                };
                if install && !words.contains(&"--no-cache-dir") {
                    out.report(
                        &Self::META,
                        command.span(),
                        "`pip install` without `--no-cache-dir` leaves its cache in the layer"
                            .to_string(),
                    );
                }
            }
        }
    }
}
