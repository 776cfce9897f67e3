//! Running the container rules over a Dockerfile or a Compose file.

use std::path::Path;

use plimsoll_syntax::dockerfile::{self, Dockerfile};
use plimsoll_syntax::{shell, SourceFile};

use crate::compose::Compose;
use crate::finding::Sink;
use crate::repository::DockerBuild;
use crate::rule::{Context, DockerfileContext, Rule, RunScript};
use crate::rules::engine::ParseError;
use crate::settings::Settings;

/// Whether a Dockerfile is a template for a generator (`{{ … }}` lines, as in dotnet-docker's
/// `eng/dockerfile-templates`), which Docker cannot build as it stands.
pub(super) fn is_template(source: &SourceFile) -> bool {
    source
        .text()
        .lines()
        .any(|line| line.trim_start().starts_with("{{"))
}

/// Whether a file named on the command line (not as YAML) is a Dockerfile: its first
/// instruction, after comments and blank lines, is `FROM` or `ARG`.
pub(super) fn looks_like_dockerfile(source: &SourceFile) -> bool {
    if crate::discovery::is_yaml(source.path()) {
        return false;
    }
    source
        .text()
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .and_then(|line| line.split_whitespace().next())
        .is_some_and(|word| word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG"))
}

/// Parse a Dockerfile, report what Docker would reject as `parse-error`, and run the rules on
/// what was parsed.
pub(super) fn run_dockerfile_rules(
    source: &SourceFile,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
) -> bool {
    let file = dockerfile::parse(source.text());
    for problem in &file.problems {
        sink.report(&ParseError::META, problem.span, problem.message.clone());
    }
    let runs = run_scripts(&file);
    let cx = DockerfileContext {
        source,
        dockerfile: &file,
        runs: &runs,
        settings,
    };
    for rule in rules {
        rule.check_dockerfile(&cx, sink);
    }
    is_fuzzing_image(&file)
}

/// Whether a stage of `file` is built on OSS-Fuzz's documented builders
/// (`gcr.io/oss-fuzz-base/base-builder`, `base-builder-rust`, …), as the `Dockerfile` of an
/// OSS-Fuzz project or of a ClusterFuzzLite setup is: it builds fuzz targets for the fuzzing
/// infrastructure to run, and is never shipped.
fn is_fuzzing_image(file: &Dockerfile) -> bool {
    file.stages()
        .iter()
        .filter_map(|stage| stage.image())
        .any(|image| image.text.starts_with("gcr.io/oss-fuzz-base/"))
}

/// Every `RUN` with its commands lexed once, word spans mapped to the file.
fn run_scripts(file: &Dockerfile) -> Vec<RunScript<'_>> {
    let mut stage = None;
    let mut runs = Vec::new();
    for instruction in &file.instructions {
        if instruction.keyword == "FROM" {
            stage = Some(stage.map_or(0, |s| s + 1));
        }
        let (run, onbuild) = match instruction.trigger.as_deref() {
            Some(trigger) => (trigger, true),
            None => (instruction, false),
        };
        let Some(script) = run.script() else {
            continue;
        };
        let mut commands = shell::parse(&script.text);
        for command in &mut commands {
            for word in &mut command.words {
                word.span = script.file_span(word.span);
            }
        }
        runs.push(RunScript {
            instruction: run,
            stage,
            onbuild,
            commands,
        });
    }
    runs
}

/// Run the Compose rules and collect the builds the file declares.
pub(super) fn run_compose_rules(
    cx: &Context<'_>,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
) -> Vec<DockerBuild> {
    let Some(compose) = Compose::new(&cx.document.root) else {
        return Vec::new();
    };
    for rule in rules {
        rule.check_compose(cx, compose, sink);
    }
    let base = cx
        .source
        .path()
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    compose
        .services()
        .filter_map(|service| {
            let (context, node) = service.build_context()?;
            Some(DockerBuild {
                base: base.clone(),
                context: context.to_string(),
                dockerfile: service.dockerfile().map(str::to_string),
                declared_in: cx.source.path().to_path_buf(),
                span: node.span,
                // With `build:`, `image:` names the image Compose builds.
                tags: service
                    .image()
                    .and_then(|image| image.as_str())
                    .filter(|image| !image.contains('$'))
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
            })
        })
        .collect()
}
