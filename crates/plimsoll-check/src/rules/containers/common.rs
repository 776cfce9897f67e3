//! What the container rules share: stage and base-image resolution, and the commands of the
//! common ecosystems that fetch dependencies or need a build toolchain.

use std::collections::HashMap;

use plimsoll_syntax::dockerfile::{self, Dockerfile, Instruction, Located, Stage};
use plimsoll_syntax::shell::{self, Command};

use crate::fix::Edit;

/// What a stage is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// `FROM scratch`.
    Scratch,
    /// An earlier stage, by its index.
    Stage(usize),
    /// An image reference, build arguments substituted.
    Image(String),
    /// A reference built from build arguments that have no default.
    Unresolved(Vec<String>),
}

/// The base of each stage, in order, with the image word as written.
pub(crate) fn bases(file: &Dockerfile) -> Vec<(Base, Option<Located>)> {
    let args = file.global_args();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut bases = Vec::new();
    for stage in file.stages() {
        let image = stage.image();
        let base = match &image {
            Some(word) => resolve(&word.text, &args, &names),
            None => Base::Unresolved(Vec::new()),
        };
        bases.push((base, image));
        if let Some(name) = stage.name() {
            names.insert(name.text.to_ascii_lowercase(), stage.index);
        }
    }
    bases
}

fn resolve(
    written: &str,
    args: &HashMap<String, Option<String>>,
    names: &HashMap<String, usize>,
) -> Base {
    let (reference, missing) = dockerfile::substitute(written, args);
    if !missing.is_empty() {
        return Base::Unresolved(missing);
    }
    let lower = reference.to_ascii_lowercase();
    if lower == "scratch" {
        Base::Scratch
    } else if let Some(&index) = names.get(&lower) {
        Base::Stage(index)
    } else {
        Base::Image(reference)
    }
}

/// The last stage: the image that ships (unless a build picks another `--target`).
pub(crate) fn final_stage(file: &Dockerfile) -> Option<Stage<'_>> {
    file.stages().pop()
}

/// A command's words from the program on, as text.
pub(crate) fn argv(command: &Command) -> Vec<&str> {
    command.argv().iter().map(|w| w.text.as_str()).collect()
}

/// The ecosystem whose dependencies `words` install or fetch (`npm ci`, `cargo build`), if any.
pub(crate) fn dependency_step(words: &[&str]) -> Option<&'static str> {
    let program = shell::program_name(words.first()?);
    let sub = words.get(1).copied().unwrap_or("");
    let has = |flag: &str| words.contains(&flag);
    match program {
        "cargo" if matches!(sub, "fetch" | "build" | "install" | "vendor") => Some("cargo"),
        "cargo" if sub == "chef" && words.get(2) == Some(&"cook") => Some("cargo"),
        "npm" if matches!(sub, "ci" | "install" | "i") => Some("npm"),
        "yarn" if matches!(sub, "" | "install") || sub.starts_with("--") => Some("yarn"),
        "pnpm" if matches!(sub, "install" | "i") => Some("pnpm"),
        "pip" | "pip3" if sub == "install" && (has("-r") || has(".") || has("-e")) => Some("pip"),
        "python" | "python3" if sub == "-m" && words.get(2) == Some(&"pip") && has("-r") => {
            Some("pip")
        }
        "poetry" if sub == "install" => Some("poetry"),
        "uv" if sub == "sync" || (sub == "pip" && has("-r")) => Some("uv"),
        "pipenv" if sub == "install" => Some("pipenv"),
        "go" if (sub == "mod" && words.get(2) == Some(&"download")) || sub == "build" => Some("go"),
        "mvn" | "mvnw" => Some("maven"),
        "gradle" | "gradlew" => Some("gradle"),
        "bundle" | "bundler" if matches!(sub, "install" | "") => Some("bundler"),
        "composer" if sub == "install" => Some("composer"),
        "dotnet" if matches!(sub, "restore" | "build" | "publish") => Some("dotnet"),
        _ => None,
    }
}

/// Packages that are a build toolchain in the image that ships.
const TOOLCHAIN_PACKAGES: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "clang",
    "make",
    "cmake",
    "musl-dev",
    "golang",
    "rustc",
    "cargo",
    "maven",
    "gradle",
    "gcc-c++",
];

/// What in `words` builds software (a compiler run, a build command, a toolchain package
/// installed), if anything.
pub(crate) fn build_toolchain_use(words: &[&str]) -> Option<String> {
    let program = shell::program_name(words.first()?);
    let sub = words.get(1).copied().unwrap_or("");
    let run_script = words.get(2).copied().unwrap_or("");
    let building = match program {
        "cargo" => matches!(sub, "build" | "install"),
        "go" => matches!(sub, "build" | "install"),
        "npm" | "pnpm" => sub == "run" && run_script == "build" || sub == "build",
        "yarn" => sub == "build" || (sub == "run" && run_script == "build"),
        "mvn" | "mvnw" => words
            .iter()
            .any(|w| matches!(*w, "package" | "install" | "verify")),
        "gradle" | "gradlew" => words
            .iter()
            .any(|w| matches!(*w, "build" | "assemble" | "jar")),
        "dotnet" => matches!(sub, "build" | "publish"),
        "gcc" | "g++" | "cc" | "c++" | "clang" | "rustc" | "javac" | "tsc" => true,
        "make" => true,
        _ => false,
    };
    if building {
        return Some(words.iter().take(3).copied().collect::<Vec<_>>().join(" "));
    }
    if let Some(packages) = installed_packages(words) {
        if let Some(package) = packages.iter().find(|p| TOOLCHAIN_PACKAGES.contains(p)) {
            return Some(format!("{program} install {package}"));
        }
    }
    None
}

/// The packages a system package manager command installs (`apt-get install -y curl`).
pub(crate) fn installed_packages<'a>(words: &[&'a str]) -> Option<Vec<&'a str>> {
    let program = shell::program_name(words.first()?);
    let verb = match program {
        "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper" => "install",
        "apk" => "add",
        _ => return None,
    };
    let position = words
        .iter()
        .position(|w| *w == verb || (program == "zypper" && *w == "in"))?;
    Some(
        words[position + 1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with('-'))
            .map(|w| w.split(['=', '>', '<']).next().unwrap_or(w))
            .collect(),
    )
}

/// Whether a `RUN` installs system packages and removes them again before it ends
/// (`apk add --virtual .build-deps … && … && apk del .build-deps`, `apt-get install … &&
/// apt-get purge -y --auto-remove`): what it installed for the build is not in the layer.
pub(crate) fn purges_its_installs(run: &crate::rule::RunScript<'_>) -> bool {
    let mut installed: Vec<&str> = Vec::new();
    for command in &run.commands {
        let words = argv(command);
        if let Some(packages) = installed_packages(&words) {
            installed.extend(packages);
        } else if !installed.is_empty() && removes_any(&words, &installed) {
            return true;
        }
    }
    false
}

/// Whether a package manager command removes one of `installed` (by name, by the `--virtual`
/// group name, or by the same variable), or removes whatever was installed automatically
/// (`apt-get purge --auto-remove`, `apt-get autoremove`).
fn removes_any(words: &[&str], installed: &[&str]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let removal_verbs: &[&str] = match shell::program_name(first) {
        "apk" => &["del"],
        "apt-get" | "apt" => &["purge", "remove", "autoremove"],
        "yum" | "dnf" | "microdnf" => &["remove", "erase", "autoremove"],
        _ => return false,
    };
    let Some(position) = words.iter().position(|w| removal_verbs.contains(w)) else {
        return false;
    };
    let after = &words[position + 1..];
    words[position] == "autoremove"
        || after.contains(&"--auto-remove")
        || after
            .iter()
            .any(|w| !w.starts_with('-') && installed.contains(w))
}

/// Whether a `RUN` keeps a package cache in a cache mount (`--mount=type=cache`), which
/// never lands in a layer.
pub(crate) fn has_cache_mount(run: &crate::rule::RunScript<'_>) -> bool {
    run.instruction
        .flags
        .iter()
        .any(|f| f.name == "mount" && f.value.as_deref().is_some_and(|v| v.contains("type=cache")))
}

/// Whether a short-flag cluster or long flag in `words` (after the program) is one of `flags`
/// (`-qy` holds `-y`).
pub(crate) fn has_flag(words: &[&str], short: char, long: &[&str]) -> bool {
    words.iter().skip(1).any(|w| {
        long.contains(w) || (w.starts_with('-') && !w.starts_with("--") && w[1..].contains(short))
    })
}

/// The first word after the program that is not a flag (`install` in `apt-get -q install`).
/// The edit that adds `flag` right after the first argument of `command` that is `verb`
/// (`apk add` → `apk add --no-cache`), where options of the verb may go.
pub(crate) fn insert_flag_after_verb(command: &Command, verb: &str, flag: &str) -> Option<Edit> {
    let word = command.argv().iter().skip(1).find(|w| w.text == verb)?;
    Some(Edit::insert(word.span.end, format!(" {flag}")))
}

pub(crate) fn verb<'a>(words: &[&'a str]) -> Option<&'a str> {
    words.iter().skip(1).find(|w| !w.starts_with('-')).copied()
}

/// Whether the `RUN` removes something under `prefix` (`rm -rf /var/lib/apt/lists/*`) after
/// its command number `after`: a clean that runs before the install leaves the install's files.
pub(crate) fn removes_after(run: &crate::rule::RunScript<'_>, prefix: &str, after: usize) -> bool {
    run.commands.iter().skip(after + 1).any(|command| {
        command.program() == Some("rm") && command.argv().iter().any(|w| w.text.starts_with(prefix))
    })
}

/// Whether the `RUN` mounts a cache or a tmpfs over `dir` (at `dir` or a folder holding it,
/// `--mount=type=cache,target=/var/lib/apt`) or over a folder inside it: what is written
/// there never lands in the layer.
pub(crate) fn mounts_over(run: &crate::rule::RunScript<'_>, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    run.instruction
        .flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_deref())
        .any(|value| {
            let options: Vec<(&str, &str)> = value
                .split(',')
                .filter_map(|option| option.split_once('='))
                .collect();
            let kind = options.iter().find(|(k, _)| *k == "type").map(|(_, v)| *v);
            let target = options
                .iter()
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                .map(|(_, v)| v.trim_end_matches('/'));
            matches!(kind, Some("cache" | "tmpfs"))
                && target.is_some_and(|target| {
                    !target.is_empty()
                        && (dir.starts_with(target) || target.starts_with(dir))
                        && (dir.len() == target.len()
                            || dir.as_bytes().get(target.len()) == Some(&b'/')
                            || target.as_bytes().get(dir.len()) == Some(&b'/'))
                })
        })
}

/// The stage a `COPY --from` or `RUN --mount=from=` value names among `stages`: a stage name
/// (case-insensitive) or a stage index (`--from=0`). `None` for an image.
pub(crate) fn named_stage(stages: &[Stage<'_>], value: &str) -> Option<usize> {
    if let Ok(index) = value.parse::<usize>() {
        // Docker refuses names made of digits only, so a number is always an index.
        return (index < stages.len()).then_some(index);
    }
    stages.iter().position(|stage| {
        stage
            .name()
            .is_some_and(|name| name.text.eq_ignore_ascii_case(value))
    })
}

/// For each stage, whether its filesystem ends up in the image that ships: the final stage,
/// the stages it is built `FROM` (transitively), and stages copied into one of those whole
/// (`COPY --from=builder / /`). Copying a few paths out of a builder does not ship its
/// package lists or caches.
pub(crate) fn shipping_stages(file: &Dockerfile) -> Vec<bool> {
    let stages = file.stages();
    let bases = bases(file);
    let mut ships = vec![false; stages.len()];
    let mut pending: Vec<usize> = stages.len().checked_sub(1).into_iter().collect();
    while let Some(index) = pending.pop() {
        if std::mem::replace(&mut ships[index], true) {
            continue;
        }
        if let Some((Base::Stage(parent), _)) = bases.get(index) {
            pending.push(*parent);
        }
        for copy in stages[index].body.iter().filter(|i| i.keyword == "COPY") {
            let Some(from) = copy.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            let words = copy.words();
            let copies_root = words
                .split_last()
                .is_some_and(|(_, sources)| sources.iter().any(|w| w.text == "/"));
            if let (true, Some(source)) = (copies_root, named_stage(&stages, from)) {
                pending.push(source);
            }
        }
    }
    ships
}

/// Walk the instructions of every stage in order, carrying a state through each stage: a stage
/// built `FROM` an earlier one starts from that stage's state at its end (what `ENV`, `SHELL`
/// and `WORKDIR` leave there is inherited), any other from `initial(base)`. `visit` sees each
/// instruction of a stage's body with the state before it and may change it.
pub(crate) fn walk_stages<T: Clone>(
    file: &Dockerfile,
    initial: impl Fn(&Base) -> T,
    mut visit: impl FnMut(&Instruction, &mut T),
) {
    let mut at_end: Vec<T> = Vec::new();
    for ((base, _), stage) in bases(file).into_iter().zip(file.stages()) {
        let mut state = match base {
            Base::Stage(parent) => at_end
                .get(parent)
                .cloned()
                .unwrap_or_else(|| initial(&base)),
            _ => initial(&base),
        };
        for instruction in stage.body {
            visit(instruction, &mut state);
        }
        at_end.push(state);
    }
}

/// The `COPY` and `ADD` instructions (by their start in the file) that copy to a relative
/// destination before any `WORKDIR` is set, in their stage or a stage it is built from, with
/// their keyword (upper-case) and that destination: the files land relative to the base
/// image's working directory. A `scratch` stage works in `/`: its copies count only unless
/// `scratch_is_set` (hadolint's DL3045 counts them).
pub(crate) fn copies_before_workdir(
    file: &Dockerfile,
    scratch_is_set: bool,
) -> Vec<(usize, String, Located)> {
    let mut copies = Vec::new();
    walk_stages(
        file,
        |base| scratch_is_set && *base == Base::Scratch,
        |instruction, workdir| match instruction.keyword.as_str() {
            "WORKDIR" => *workdir = true,
            "COPY" | "ADD" if !*workdir && instruction.heredocs.is_empty() => {
                let words = instruction.words();
                let Some(destination) = words.last().filter(|_| words.len() >= 2) else {
                    return;
                };
                let text = destination.text.as_str();
                let absolute =
                    text.starts_with('/') || text.starts_with('$') || text.get(1..2) == Some(":");
                if !absolute {
                    copies.push((
                        instruction.span.start,
                        instruction.keyword.clone(),
                        destination.clone(),
                    ));
                }
            }
            _ => {}
        },
    );
    copies
}
