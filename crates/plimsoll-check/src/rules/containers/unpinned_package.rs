use plimsoll_syntax::shell::Word;
use plimsoll_syntax::Span;

use super::common::verb;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags packages installed without a version in a `RUN`:
    /// `apt-get install curl` (pin `curl=8.5.0-2`), `apk add curl` (`curl=8.9.1-r0`),
    /// `pip install flask` (`flask==3.0.3`; a lower bound pins nothing) and
    /// `npm install -g typescript` (`typescript@5.6.3`) (hadolint DL3008, DL3018, DL3013,
    /// DL3016). Installing from a requirements file or a lockfile (`pip install -r`, `npm ci`),
    /// from a local path, a URL or a `.deb` is not flagged.
    ///
    /// ## Why is this bad?
    /// The image gets whatever version the mirror has on the day it is built: two builds of
    /// the same commit differ, and a release that breaks the image arrives without a change
    /// to review.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask==3.0.3
    /// ```
    pub struct UnpinnedPackage {
        id: "DKR025",
        name: "unpinned-package",
        severity: Note,
        domain: Containers,
        summary: "A package is installed without a version",
        help: "pin the version (`curl=8.5.0-2`, `flask==3.0.3`, `typescript@5.6.3`), or install from a lockfile",
        strict_only: true,
    }
}

impl Rule for UnpinnedPackage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            for command in &run.commands {
                let argv = command.argv();
                let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
                let Some((manager, unpinned)) = unpinned_packages(argv, &words) else {
                    continue;
                };
                let Some((span, message)) =
                    unpinned_install_finding(&manager, &unpinned, "a version", "build")
                else {
                    continue;
                };
                out.report(&Self::META, span, message);
            }
        }
    }
}

/// Where an install of unpinned packages is reported (from the first package to the last) and
/// its message, shared with `adhoc-package-install` so both rules word the finding alike.
/// `missing` names what the packages lack and `each` what gets a new version every time; `None`
/// when no package is unpinned.
pub(crate) fn unpinned_install_finding(
    manager: &str,
    unpinned: &[&Word],
    missing: &str,
    each: &str,
) -> Option<(Span, String)> {
    let (first, last) = (unpinned.first()?, unpinned.last()?);
    let names = unpinned
        .iter()
        .map(|word| format!("`{}`", word.text))
        .collect::<Vec<_>>()
        .join(", ");
    Some((
        first.span.cover(last.span),
        format!(
            "`{manager}` installs {names} without {missing}: each {each} gets whatever is newest"
        ),
    ))
}

/// How a package manager's install command reads: its name for messages, the position of its
/// verb, the options that take a value, and whether a package word pins a version.
type Installer = (String, usize, &'static [&'static str], fn(&str) -> bool);

/// The package manager and the package words it installs without a version, when the command
/// installs named packages.
pub(crate) fn unpinned_packages<'w>(
    argv: &'w [Word],
    words: &[&str],
) -> Option<(String, Vec<&'w Word>)> {
    let program = plimsoll_syntax::shell::program_name(words.first()?);
    let (manager, verb_at, takes_value, pinned): Installer = match program {
        "apt-get" | "apt" if verb(words) == Some("install") => (
            format!("{program} install"),
            position(words, "install")?,
            &[
                "-o",
                "-c",
                "-t",
                "--target-release",
                "--option",
                "--config-file",
            ],
            |w| w.contains('=') || w.contains('/') || w.ends_with(".deb"),
        ),
        "apk" if verb(words) == Some("add") => (
            "apk add".to_string(),
            position(words, "add")?,
            &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
            ],
            |w| w.contains(['=', '<', '>', '~']) || w.ends_with(".apk"),
        ),
        "pip" | "pip3" if words.get(1) == Some(&"install") => {
            ("pip install".to_string(), 1, PIP_VALUE_FLAGS, pip_pinned)
        }
        "python" | "python3" if words.get(1..4) == Some(&["-m", "pip", "install"]) => {
            ("pip install".to_string(), 3, PIP_VALUE_FLAGS, pip_pinned)
        }
        "npm" if matches!(words.get(1), Some(&"install" | &"i" | &"add")) => (
            "npm install".to_string(),
            1,
            &[
                "--prefix",
                "--registry",
                "--cache",
                "-C",
                "--workspace",
                "-w",
            ],
            npm_pinned,
        ),
        "yarn" | "pnpm"
            if words.get(1) == Some(&"add")
                || (words.get(1) == Some(&"global") && words.get(2) == Some(&"add")) =>
        {
            let at = position(words, "add")?;
            (
                format!("{program} add"),
                at,
                &["--cwd", "--prefix"],
                npm_pinned,
            )
        }
        _ => return None,
    };
    let mut unpinned = Vec::new();
    let mut skip_value = false;
    for (word, text) in argv.iter().zip(words).skip(verb_at + 1) {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if text.starts_with('-') {
            skip_value = takes_value.contains(text);
            continue;
        }
        let reference = text.starts_with('$')
            || text.contains("://")
            || text.starts_with('.')
            || text.starts_with('/')
            || text.starts_with('~');
        if !reference && !pinned(text) {
            unpinned.push(word);
        }
    }
    Some((manager, unpinned))
}

fn position(words: &[&str], verb: &str) -> Option<usize> {
    words.iter().position(|w| *w == verb)
}

/// pip options whose value is the next word (`-r requirements.txt`): none is a package, and
/// `-r`/`-c` install what a file pins.
const PIP_VALUE_FLAGS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--trusted-host",
    "--cache-dir",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--report",
    "--config-settings",
    "-C",
    "--global-option",
    "--no-binary",
    "--only-binary",
];

/// `flask==3.0.3`, `flask===3.0.3`, `flask~=3.0.3`, `pkg @ https://…` and wheel or archive
/// files pin; a bare name or a lower bound (`flask>=3`) does not.
fn pip_pinned(word: &str) -> bool {
    word.contains("==")
        || word.contains("~=")
        || word.contains('@')
        || word.ends_with(".whl")
        || word.ends_with(".tar.gz")
        || word.ends_with(".zip")
        || word.contains('/')
}

/// `typescript@5.6.3`, `@types/node@22.7.4`, a path, a tarball or a git reference pin; a bare
/// name, `@latest` or `@next` does not.
fn npm_pinned(word: &str) -> bool {
    let name_end = if word.starts_with('@') { 1 } else { 0 };
    match word[name_end..].find('@') {
        Some(at) => {
            let version = &word[name_end + at + 1..];
            !version.is_empty() && !matches!(version, "latest" | "next" | "*")
        }
        None => {
            word.contains(':')
                || word.ends_with(".tgz")
                || word.contains('/') && !word.starts_with('@')
        }
    }
}
