use plimsoll_syntax::dockerfile::{Instruction, Located, Stage};
use plimsoll_syntax::image::ImageRef;

use super::common::{bases, Base};
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Dockerfile whose final stage runs as root: it has no `USER` (nor inherits one
    /// from the stage it is built on, nor from a base image that is itself non-root, such as
    /// `gcr.io/distroless/static:nonroot`, a .NET chiseled image, or an image listed in
    /// `crates/plimsoll-check/data/non-root-images.txt` such as `nginxinc/nginx-unprivileged`
    /// and `cimg/*`, each with the documentation that says so), or its last `USER` is
    /// `root`, `0` or `0:0`.
    /// A base image that the repository builds itself (a Compose service's `image:` next to
    /// `build:`, a workflow's `docker build -t`) passes on the last `USER` of its Dockerfile's
    /// final stage: a non-root one there is not reported here.
    /// A final stage with no `USER` that names no program of its own — no `CMD`, `ENTRYPOINT`
    /// or `EXPOSE` in it or the stages it is built on, over an image whose default command is
    /// a shell or an interpreter prompt (`debian`, `python`, the .NET images; the list is
    /// `crates/plimsoll-check/data/shell-command-images.txt`) — is a note: a base or
    /// build-environment image, whose user is picked with its program, by the images built on
    /// it or the pods and jobs that run it. Docker's best practices ask a non-root `USER` of
    /// services. An explicit `USER root` stays an error.
    ///
    /// ## Why is this bad?
    /// A process running as root inside the container turns any remote-code-execution bug into
    /// root on the container, and one kernel or runtime escape away from root on the host.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY app /usr/local/bin/app
    /// CMD ["app"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN useradd --system --uid 10001 app
    /// COPY app /usr/local/bin/app
    /// USER 10001
    /// CMD ["app"]
    /// ```
    pub struct RunsAsRoot {
        id: "DKR003",
        name: "runs-as-root",
        severity: Error,
        domain: Containers,
        summary: "The final stage runs as root",
        help: "create an unprivileged user and switch to it with `USER <name or uid>` in the final stage",
    }
}

/// Who a stage runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunsAs<'a> {
    Root(Option<&'a Instruction>),
    NonRoot,
    Unknown,
}

/// Whether a `USER` value names root.
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    matches!(name, "root" | "0" | "ContainerAdministrator")
}

/// Base images that do not run as root without a `USER`.
fn non_root_image(reference: &str) -> bool {
    let image = ImageRef::parse(reference);
    let tag = image.tag.unwrap_or("");
    tag.contains("nonroot")
        || tag.contains("non-root")
        || image.name.ends_with("-nonroot")
        || (image.name.starts_with("cgr.dev/chainguard/") && !tag.contains("dev"))
        || image.name.contains("/nanoserver")
        || dotnet_chiseled(&image)
        || listed_non_root(image.name)
}

/// Whether the final stage names no program of its own: neither it nor the stages it is built
/// on set `CMD`, `ENTRYPOINT` or `EXPOSE`, and the image at the root of that chain is one whose
/// default command is a shell or an interpreter prompt (`data/shell-command-images.txt`). Such
/// an image is a base or a build environment: whoever picks its program picks its user.
fn names_no_program(stages: &[Stage<'_>], bases: &[(Base, Option<Located>)]) -> bool {
    let mut index = stages.len().saturating_sub(1);
    // Each step goes to an earlier stage, so the chain is at most as long as the file.
    for _ in 0..stages.len() {
        let Some(stage) = stages.get(index) else {
            return false;
        };
        if stage
            .body
            .iter()
            .any(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT" | "EXPOSE"))
        {
            return false;
        }
        match bases.get(index).map(|(base, _)| base) {
            Some(Base::Stage(earlier)) if *earlier < index => index = *earlier,
            Some(Base::Image(reference)) => return shell_command_image(reference),
            _ => return false,
        }
    }
    false
}

/// Whether `reference` is an image whose default command is a shell or an interpreter prompt,
/// from `data/shell-command-images.txt`.
fn shell_command_image(reference: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    const ARCHITECTURES: &[&str] = &[
        "amd64/",
        "arm32v5/",
        "arm32v6/",
        "arm32v7/",
        "arm64v8/",
        "i386/",
        "ppc64le/",
        "riscv64/",
        "s390x/",
        "mips64le/",
        "windows-amd64/",
    ];
    let names =
        NAMES.get_or_init(|| image_names(include_str!("../../../data/shell-command-images.txt")));
    let image = ImageRef::parse(reference);
    let mut name = image.name.to_ascii_lowercase();
    for prefix in ["docker.io/", "library/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_string();
        }
    }
    if let Some(rest) = ARCHITECTURES
        .iter()
        .find_map(|arch| name.strip_prefix(arch))
    {
        name = rest.to_string();
    }
    names.contains(&name.as_str())
}

/// The image names of a data file: the first word of each line, blank lines and `#` comments
/// left out.
fn image_names(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

/// Whether `name` is an image documented to run as a non-root user, from
/// `data/non-root-images.txt` (a name, or a prefix ending in `*`).
fn listed_non_root(name: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names =
        NAMES.get_or_init(|| image_names(include_str!("../../../data/non-root-images.txt")));
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    names.iter().any(|entry| match entry.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *entry,
    })
}

/// Microsoft's .NET chiseled images (`mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled`
/// and the runtime, aspnet and extra variants built on them) are documented to run as the
/// non-root `app` user: their final stage ends in `USER $APP_UID`.
fn dotnet_chiseled(image: &ImageRef<'_>) -> bool {
    image.name.starts_with("mcr.microsoft.com/dotnet/")
        && image.tag.is_some_and(|tag| tag.contains("chiseled"))
}

impl Rule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let stages = cx.dockerfile.stages();
        let bases = bases(cx.dockerfile);
        let mut runs_as: Vec<RunsAs<'_>> = Vec::with_capacity(stages.len());
        for (stage, (base, _)) in stages.iter().zip(&bases) {
            let last_user = stage.body.iter().rev().find(|i| i.keyword == "USER");
            let state = match last_user {
                Some(user) if is_root_user(&user.text()) => RunsAs::Root(Some(user)),
                Some(_) => RunsAs::NonRoot,
                None => match base {
                    Base::Stage(index) => runs_as.get(*index).copied().unwrap_or(RunsAs::Unknown),
                    Base::Image(reference) if non_root_image(reference) => RunsAs::NonRoot,
                    Base::Image(_) | Base::Scratch => RunsAs::Root(None),
                    Base::Unresolved(_) => RunsAs::Unknown,
                },
            };
            runs_as.push(state);
        }
        let (Some(stage), Some(state)) = (stages.last(), runs_as.last()) else {
            return;
        };
        // What the final stage inherits its user from: its base image, or its `FROM`.
        let base_span = stage
            .image()
            .map_or(stage.from.keyword_span, |image| image.span);
        match state {
            RunsAs::Root(Some(user)) if stage.body.iter().any(|i| std::ptr::eq(i, *user)) => {
                out.report(
                    &Self::META,
                    user.arguments_span(),
                    format!(
                        "the final stage switches to `USER {}`: it runs as root",
                        user.text()
                    ),
                );
            }
            RunsAs::Root(Some(user)) => {
                out.report(
                    &Self::META,
                    base_span,
                    format!(
                        "the final stage inherits `USER {}` (line {}): it runs as root",
                        user.text(),
                        cx.source.line_col(user.keyword_span.start).line
                    ),
                );
            }
            RunsAs::Root(None) if names_no_program(&stages, &bases) => {
                out.report(
                    &Self::META,
                    base_span,
                    "the final stage has no `USER` but names no program (no `CMD`, `ENTRYPOINT` or `EXPOSE`; its base starts a shell): a base or build-environment image runs as root unless whoever picks its program picks a user".to_string(),
                )
                .help("give the image a non-root `USER` if it is run as it is; images built on it, and the pods or jobs that run it, should set their own")
                .severity(Severity::Note);
            }
            RunsAs::Root(None) => {
                out.report(
                    &Self::META,
                    base_span,
                    "the final stage has no `USER`: the container runs as root".to_string(),
                );
            }
            RunsAs::NonRoot | RunsAs::Unknown => {}
        }
    }
}
