use plimsoll_syntax::shell::{program_name, Command, Word};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};
use crate::rules::containers::unpinned_package::{unpinned_install_finding, unpinned_packages};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a `run:` script that installs a named language package without a
    /// version, outside any lockfile: `pip install black` (pin `black==24.10.0`),
    /// `npm install -g typescript` (`typescript@5.6.3`), `yarn global add`/`pnpm add`,
    /// `gem install bundler` (`-v 2.5.23`) and `go install example.com/tool@latest`. Installs
    /// from a requirements file, a lockfile, a path or a URL are not flagged, nor are the
    /// runner's system packages (`apt-get`, `brew`), whose versions follow the runner image.
    /// Nor is an upgrade of the installer itself (`pip install -U pip setuptools wheel`,
    /// `npm install -g npm@latest`). The same check on a Dockerfile's `RUN` is
    /// `unpinned-package`.
    ///
    /// ## Why is this bad?
    /// The job runs whatever release is newest on the day: a broken or compromised release of
    /// the tool reaches the job (with its token and secrets) without any change in the
    /// repository, and a rerun of an old commit no longer reproduces what it did.
    ///
    /// ## Example
    /// ```yaml
    /// - run: |
    ///     pip install black
    ///     go install golang.org/x/tools/cmd/goimports@latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: |
    ///     pip install black==24.10.0
    ///     go install golang.org/x/tools/cmd/goimports@v0.27.0
    /// ```
    pub struct AdhocPackageInstall {
        id: "GHA070",
        name: "adhoc-package-install",
        severity: Note,
        domain: GithubActions,
        summary: "A script installs a language package without a version, outside a lockfile",
        help: "pin the version (`black==24.10.0`, `typescript@5.6.3`, `-v 2.5.23`, `@v0.27.0`) or install from a lockfile",
        strict_only: true,
    }
}

/// The package managers' own packages, which an upgrade of the installer names.
const INSTALLER_PACKAGES: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "npm",
    "npm@latest",
    "yarn",
    "pnpm",
];

/// `gem install` options whose value is the next word.
const GEM_VALUE_FLAGS: &[&str] = &[
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "-s",
    "--source",
    "-P",
    "--trust-policy",
    "--platform",
    "--document",
    "-g",
    "--file",
];

/// The gems `gem install` names without `-v`/`--version` or a `name:version` pin.
fn unpinned_gems(argv: &[Word]) -> Vec<&Word> {
    let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
    if words.get(1) != Some(&"install")
        || words
            .iter()
            .any(|w| w.starts_with("-v") || w.starts_with("--version"))
    {
        return Vec::new();
    }
    let mut unpinned = Vec::new();
    let mut skip_value = false;
    for word in &argv[2..] {
        let text = word.text.as_str();
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if text.starts_with('-') {
            skip_value = GEM_VALUE_FLAGS.contains(&text);
            continue;
        }
        let file = text.ends_with(".gem") || text.contains('/') || text.starts_with('$');
        if !file && !text.contains(':') {
            unpinned.push(word);
        }
    }
    unpinned
}

/// `go install pkg@latest` (or `@main`, `@master`): a version that moves.
fn floating_go_installs(argv: &[Word]) -> Vec<&Word> {
    if argv.get(1).map(|w| w.text.as_str()) != Some("install") {
        return Vec::new();
    }
    argv.iter()
        .skip(2)
        .filter(|w| {
            w.text
                .rsplit_once('@')
                .is_some_and(|(_, version)| matches!(version, "latest" | "master" | "main"))
        })
        .collect()
}

/// The ad hoc installs of `commands`: the manager, and the package words it leaves unpinned.
fn adhoc_installs(commands: &[Command]) -> Vec<(String, Vec<&Word>)> {
    let mut found = Vec::new();
    for command in commands {
        let argv = command.argv();
        let Some(first) = argv.first() else {
            continue;
        };
        let (manager, unpinned) = match program_name(&first.text) {
            "gem" => ("gem install".to_string(), unpinned_gems(argv)),
            "go" => ("go install".to_string(), floating_go_installs(argv)),
            "apt-get" | "apt" | "apk" => continue,
            _ => {
                let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
                match unpinned_packages(argv, &words) {
                    Some(found) => found,
                    None => continue,
                }
            }
        };
        // The installer upgrading itself (`pip install -U pip setuptools wheel`,
        // `npm install -g npm@latest`) follows the runner image's toolchain, not the project's.
        let unpinned: Vec<&Word> = unpinned
            .into_iter()
            .filter(|word| !INSTALLER_PACKAGES.contains(&word.text.to_ascii_lowercase().as_str()))
            .collect();
        if !unpinned.is_empty() {
            found.push((manager, unpinned));
        }
    }
    found
}

impl Rule for AdhocPackageInstall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        for (manager, unpinned) in adhoc_installs(&script.commands) {
            let Some((span, message)) =
                unpinned_install_finding(&manager, &unpinned, "a fixed version", "run")
            else {
                continue;
            };
            out.report(&Self::META, script.source_span(cx.text(), span), message);
        }
    }
}
