use plimsoll_syntax::yaml::Node;

use super::common::{command_words, is_action_slug};
use super::taint::{env_value, Place};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a package published with a long-lived token to a registry that accepts GitHub's
    /// OpenID Connect tokens instead ("trusted publishing"): `pypa/gh-action-pypi-publish`
    /// given a `password`, or `cargo publish`, `npm publish`, `twine upload`, `uv publish`,
    /// `poetry publish` and `gem push` given a token through their variable
    /// (`CARGO_REGISTRY_TOKEN`, `NODE_AUTH_TOKEN`, `TWINE_PASSWORD`, …) or a `--token` option.
    ///
    /// ## Why is this bad?
    /// A registry token lives until someone revokes it, works from anywhere, and is usually
    /// scoped to every package of its owner. Every step of the job can read it, and a leak
    /// lets anyone publish a release. Trusted publishing mints a token for this workflow run
    /// only, bound to the repository and workflow, that expires in minutes.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo publish
    ///   env:
    ///     CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES_IO_TOKEN }}
    /// ```
    ///
    /// ## Use instead
    /// Configure the workflow as a trusted publisher on the registry, then:
    /// ```yaml
    /// permissions:
    ///   id-token: write
    /// steps:
    ///   - uses: rust-lang/crates-io-auth-action@v1
    ///     id: auth
    ///   - run: cargo publish
    ///     env:
    ///       CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}
    /// ```
    pub struct UseTrustedPublishing {
        id: "GHA051",
        name: "use-trusted-publishing",
        severity: Note,
        domain: GithubActions,
        summary: "A package is published with a long-lived token where trusted publishing works",
        help: "configure trusted publishing on the registry and drop the token (`id-token: write` and the registry's auth action)",
        // Its findings point at a publish command or input, never at a token's text.
        sensitive: false,
    }
}

/// Publish commands (leading words), the registry, and the variables that carry its token.
const TOKEN_PUBLISHERS: &[(&[&str], &str, &[&str])] = &[
    (
        &["cargo", "publish"],
        "crates.io",
        &["CARGO_REGISTRY_TOKEN"],
    ),
    (
        &["npm", "publish"],
        "npm",
        &["NODE_AUTH_TOKEN", "NPM_TOKEN"],
    ),
    (&["twine", "upload"], "PyPI", &["TWINE_PASSWORD"]),
    (
        &["uv", "publish"],
        "PyPI",
        &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"],
    ),
    (&["poetry", "publish"], "PyPI", &["POETRY_PYPI_TOKEN_PYPI"]),
    (&["gem", "push"], "RubyGems", &["GEM_HOST_API_KEY"]),
];

/// The last words of [`TOKEN_PUBLISHERS`]' commands, each once: a script holding none of them
/// runs none of the commands.
static TOKEN_PUBLISHER_VERBS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| {
        let mut verbs: Vec<&str> = TOKEN_PUBLISHERS
            .iter()
            .filter_map(|(words, _, _)| words.last().copied())
            .collect();
        verbs.sort_unstable();
        verbs.dedup();
        verbs
    });

/// Whether an `env:` value reads a secret (not a step output, which a trusted-publishing auth
/// action produces).
fn from_secret(value: &Node) -> bool {
    value.as_str().is_some_and(|v| v.contains("secrets."))
}

impl Rule for UseTrustedPublishing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        if let Some(uses) = scope.step.uses_node().and_then(Node::as_str) {
            if is_action_slug(uses, "pypa/gh-action-pypi-publish") {
                if let Some(entry) = scope
                    .step
                    .node
                    .get("with")
                    .and_then(|with| with.entry("password"))
                {
                    out.report(
                        &UseTrustedPublishing::META,
                        entry.key.span.cover(entry.value.span),
                        "PyPI accepts this workflow's OpenID Connect token (trusted publishing): the long-lived `password` is not needed",
                    );
                }
            }
            return;
        }
        // Most scripts publish nothing: look at their commands only when a verb is there.
        let Some(text) = scope.step.run().and_then(Node::as_str) else {
            return;
        };
        if !TOKEN_PUBLISHER_VERBS.iter().any(|verb| text.contains(verb)) {
            return;
        }
        let Some(script) = scope.script() else {
            return;
        };
        let place = Place {
            step: Some(scope.step.node),
            job: scope.job,
            workflow: scope.workflow,
            steps: &[],
        };
        for command in script.commands.iter() {
            let words = command_words(command);
            let Some((publish, registry, variables)) =
                TOKEN_PUBLISHERS.iter().find(|(publish, _, _)| {
                    words.len() >= publish.len()
                        && words.iter().zip(publish.iter()).all(|(w, p)| w == p)
                })
            else {
                continue;
            };
            let option = words
                .iter()
                .any(|w| *w == "--token" || w.starts_with("--token=") || *w == "--password");
            let variable = variables
                .iter()
                .find(|name| env_value(&place, name).is_some_and(from_secret));
            let how = match (option, variable) {
                (true, _) => "a `--token` option".to_string(),
                (false, Some(name)) => format!("`{name}` from a secret"),
                (false, None) => continue,
            };
            out.report(
                &UseTrustedPublishing::META,
                script.command_span(cx.text(), command),
                format!(
                    "`{}` publishes to {registry} with {how}: {registry} accepts this workflow's OpenID Connect token instead (trusted publishing)",
                    publish.join(" ")
                ),
            );
        }
    }
}
