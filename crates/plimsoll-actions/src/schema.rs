//! What GitHub Actions accepts, as data (from GitHub's workflow syntax and events documentation).

/// Keys allowed at the top of a workflow.
pub const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
    "description",
];

/// Keys allowed in a job that runs steps.
pub const JOB_KEYS: &[&str] = &[
    "name",
    "permissions",
    "needs",
    "if",
    "runs-on",
    "snapshot",
    "environment",
    "concurrency",
    "outputs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
    "cancel-timeout-minutes",
];

/// Keys allowed in a job that calls a reusable workflow.
pub const REUSABLE_JOB_KEYS: &[&str] = &[
    "name",
    "uses",
    "with",
    "secrets",
    "needs",
    "if",
    "permissions",
    "strategy",
    "concurrency",
];

/// Keys allowed in a step.
pub const STEP_KEYS: &[&str] = &[
    "id",
    "if",
    "name",
    "uses",
    "run",
    "working-directory",
    "shell",
    "with",
    "env",
    "continue-on-error",
    "timeout-minutes",
];

/// Keys of background steps (`background: true` on a step, and the `wait`, `wait-all` and
/// `cancel` steps that join or stop them).
pub const STEP_BACKGROUND_KEYS: &[&str] = &["background", "wait", "wait-all", "cancel"];

/// Keys allowed under `strategy`.
pub const STRATEGY_KEYS: &[&str] = &["matrix", "fail-fast", "max-parallel"];

/// Keys allowed under `container` and each of `services`.
pub const CONTAINER_KEYS: &[&str] = &["image", "credentials", "env", "ports", "volumes", "options"];

/// Keys allowed under `concurrency`.
pub const CONCURRENCY_KEYS: &[&str] = &["group", "cancel-in-progress", "queue"];

/// Keys allowed under `defaults`, and under `defaults.run`.
pub const DEFAULTS_KEYS: &[&str] = &["run"];
/// Keys allowed under `defaults.run`.
pub const DEFAULTS_RUN_KEYS: &[&str] = &["shell", "working-directory"];

/// Keys allowed under a job's `environment`.
pub const ENVIRONMENT_KEYS: &[&str] = &["name", "url", "deployment"];

/// Keys allowed at the top of an action's metadata (`action.yml`).
pub const ACTION_KEYS: &[&str] = &[
    "name",
    "author",
    "description",
    "inputs",
    "outputs",
    "runs",
    "branding",
];

/// Keys allowed under `runs` of an action.
pub const ACTION_RUNS_KEYS: &[&str] = &[
    "using",
    "steps",
    "main",
    "pre",
    "pre-if",
    "post",
    "post-if",
    "image",
    "env",
    "args",
    "entrypoint",
    "pre-entrypoint",
    "post-entrypoint",
];

/// Keys allowed under each of a job's `services` (a container, plus command overrides).
pub const SERVICE_KEYS: &[&str] = &[
    "image",
    "credentials",
    "env",
    "ports",
    "volumes",
    "options",
    "command",
    "entrypoint",
];

/// Keys allowed under `credentials` of a container or service.
pub const CREDENTIALS_KEYS: &[&str] = &["username", "password"];

/// Keys allowed under `runs-on` when it is a mapping.
pub const RUNS_ON_KEYS: &[&str] = &["group", "labels"];

/// Filter keys an event configuration (`on.<event>`) may hold.
pub const EVENT_FILTER_KEYS: &[&str] = &[
    "branches",
    "branches-ignore",
    "paths",
    "paths-ignore",
    "tags",
    "tags-ignore",
    "types",
    "workflows",
    "inputs",
    "outputs",
    "secrets",
];

/// Keys allowed under `on.workflow_dispatch`.
pub const WORKFLOW_DISPATCH_KEYS: &[&str] = &["inputs"];

/// Keys allowed under `on.workflow_call`.
pub const WORKFLOW_CALL_KEYS: &[&str] = &["inputs", "outputs", "secrets"];

/// Keys allowed under a job's `snapshot`, when it is a mapping.
pub const SNAPSHOT_KEYS: &[&str] = &["image-name", "if", "version"];

/// Keys allowed under `on.image_version`.
pub const IMAGE_VERSION_KEYS: &[&str] = &["names", "versions"];

/// Keys allowed under `on.repository_dispatch`.
pub const REPOSITORY_DISPATCH_KEYS: &[&str] = &["types"];

/// Keys allowed in each input of `on.workflow_dispatch.inputs`.
pub const WORKFLOW_DISPATCH_INPUT_KEYS: &[&str] =
    &["description", "required", "default", "type", "options"];

/// Keys allowed in each input of `on.workflow_call.inputs`.
pub const WORKFLOW_CALL_INPUT_KEYS: &[&str] = &["description", "required", "default", "type"];

/// Keys allowed in each output of `on.workflow_call.outputs`.
pub const WORKFLOW_CALL_OUTPUT_KEYS: &[&str] = &["description", "value"];

/// Keys allowed in each secret of `on.workflow_call.secrets`.
pub const WORKFLOW_CALL_SECRET_KEYS: &[&str] = &["description", "required"];

/// Keys allowed in each entry of `on.schedule`.
pub const SCHEDULE_KEYS: &[&str] = &["cron", "timezone"];

/// Keys allowed in each output of an action's metadata.
pub const ACTION_OUTPUT_KEYS: &[&str] = &["description", "value"];

/// Keys allowed under an action's `branding`.
pub const BRANDING_KEYS: &[&str] = &["icon", "color"];

/// Permission scopes that `permissions:` accepts.
pub const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "artifact-metadata",
    "attestations",
    "checks",
    "contents",
    "copilot-requests",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

/// Events that trigger workflows.
pub const EVENTS: &[&str] = &[
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_call",
    "workflow_dispatch",
    "workflow_run",
];

/// Event data an outside contributor controls, with who controls it and the events whose
/// payload carries it: expanding it into a script lets them inject code. A path matches when it
/// equals an entry or continues it (`github.event.commits.*.author.name.x`); `*` stands for any
/// index, as in [`plimsoll_syntax::expr::ContextPath`].
pub struct UntrustedContext {
    /// The context path (`github.event.issue.title`).
    pub path: &'static str,
    /// Who writes it, for messages ("whoever opens or edits the issue").
    pub author: &'static str,
    /// Events whose payload holds it.
    pub events: &'static [&'static str],
}

const ISSUE_EVENTS: &[&str] = &["issues", "issue_comment"];
const PULL_REQUEST_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];
const COMMENT_EVENTS: &[&str] = &[
    "issue_comment",
    "pull_request_review_comment",
    "commit_comment",
    "discussion_comment",
];
const DISCUSSION_EVENTS: &[&str] = &["discussion", "discussion_comment"];
const PUSH_EVENTS: &[&str] = &["push"];
const MERGE_GROUP_EVENTS: &[&str] = &["merge_group"];
const WORKFLOW_RUN_EVENTS: &[&str] = &["workflow_run"];

macro_rules! untrusted {
    ($($path:literal by $author:literal on $events:expr;)*) => {
        &[$(UntrustedContext { path: $path, author: $author, events: $events }),*]
    };
}

/// Every attacker-controlled context, as data. Sources: GitHub's webhook payloads and its
/// "Security hardening for GitHub Actions" list of untrusted input; branch names, labels and
/// e-mail addresses may hold `$(…)`, backticks and quotes.
pub const UNTRUSTED_CONTEXTS: &[UntrustedContext] = untrusted! {
    "github.event.issue.title" by "whoever opens or edits the issue" on ISSUE_EVENTS;
    "github.event.issue.body" by "whoever opens or edits the issue" on ISSUE_EVENTS;
    "github.event.pull_request.title" by "whoever opens or edits the pull request" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.body" by "whoever opens or edits the pull request" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.head.ref" by "the pull request's author (the branch name)" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.head.label" by "the pull request's author (`owner:branch`)" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.head.repo.default_branch" by "the fork's owner" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.head.repo.description" by "the fork's owner" on PULL_REQUEST_EVENTS;
    "github.event.pull_request.head.repo.homepage" by "the fork's owner" on PULL_REQUEST_EVENTS;
    "github.head_ref" by "the pull request's author (the branch name)" on &["pull_request", "pull_request_target"];
    "github.event.comment.body" by "whoever writes the comment" on COMMENT_EVENTS;
    "github.event.review.body" by "whoever writes the review" on &["pull_request_review"];
    "github.event.review_comment.body" by "whoever writes the review comment" on &["pull_request_review_comment"];
    "github.event.discussion.title" by "whoever opens or edits the discussion" on DISCUSSION_EVENTS;
    "github.event.discussion.body" by "whoever opens or edits the discussion" on DISCUSSION_EVENTS;
    "github.event.pages.*.page_name" by "whoever edits the wiki" on &["gollum"];
    "github.event.pages.*.title" by "whoever edits the wiki" on &["gollum"];
    "github.event.commits.*.message" by "the commits' author" on PUSH_EVENTS;
    "github.event.commits.*.author.email" by "the commits' author" on PUSH_EVENTS;
    "github.event.commits.*.author.name" by "the commits' author" on PUSH_EVENTS;
    "github.event.commits.*.committer.email" by "the commits' committer" on PUSH_EVENTS;
    "github.event.commits.*.committer.name" by "the commits' committer" on PUSH_EVENTS;
    "github.event.head_commit.message" by "the commit's author" on PUSH_EVENTS;
    "github.event.head_commit.author.email" by "the commit's author" on PUSH_EVENTS;
    "github.event.head_commit.author.name" by "the commit's author" on PUSH_EVENTS;
    "github.event.head_commit.committer.email" by "the commit's committer" on PUSH_EVENTS;
    "github.event.head_commit.committer.name" by "the commit's committer" on PUSH_EVENTS;
    "github.event.merge_group.head_commit.message" by "the merged commits' author" on MERGE_GROUP_EVENTS;
    "github.event.merge_group.head_commit.author.email" by "the merged commits' author" on MERGE_GROUP_EVENTS;
    "github.event.merge_group.head_commit.author.name" by "the merged commits' author" on MERGE_GROUP_EVENTS;
    "github.event.workflow_run.head_branch" by "the triggering run's author (a fork's branch name)" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_commit.message" by "the triggering run's commit author" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_commit.author.email" by "the triggering run's commit author" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_commit.author.name" by "the triggering run's commit author" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_commit.committer.email" by "the triggering run's committer" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_commit.committer.name" by "the triggering run's committer" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.display_title" by "the triggering run's author (a pull request title or commit message)" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.head_repository.description" by "the fork's owner" on WORKFLOW_RUN_EVENTS;
    "github.event.workflow_run.pull_requests.*.head.ref" by "the pull request's author (the branch name)" on WORKFLOW_RUN_EVENTS;
    // `edited` events carry the text before the edit: `changes.title.from`, `changes.body.from`.
    "github.event.changes.*.from" by "whoever edited the text (its previous version)" on EDITED_EVENTS;
};

/// Events whose `edited` activity carries `changes.<field>.from`, the text before the edit.
const EDITED_EVENTS: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "discussion",
    "discussion_comment",
];

/// The attacker-controlled context `path` reads, if any (compared without case, as GitHub does).
/// A `*` segment of an entry matches any one segment (`changes.title.from`, `pages.*.title`).
pub fn untrusted_context(path: &str) -> Option<&'static UntrustedContext> {
    // Every entry reads the `github` context: most paths (`matrix.os`, `steps.x.outputs.y`)
    // are ruled out without going through the list.
    if !path
        .get(..UNTRUSTED_ROOT.len())
        .is_some_and(|root| root.eq_ignore_ascii_case(UNTRUSTED_ROOT))
    {
        return None;
    }
    UNTRUSTED_CONTEXTS
        .iter()
        .find(|untrusted| continues(path.as_bytes(), untrusted.path.as_bytes()))
}

/// The attacker-controlled contexts an object at `path` holds (`github.event` holds
/// `github.event.issue.title`, …): what `toJSON(path)` serialises into its result. Empty for a
/// path that is itself an entry or reads inside one, which [`untrusted_context`] answers.
pub fn untrusted_contexts_within(
    path: &str,
) -> impl Iterator<Item = &'static UntrustedContext> + '_ {
    UNTRUSTED_CONTEXTS.iter().filter(move |untrusted| {
        untrusted.path.len() > path.len() && continues(untrusted.path.as_bytes(), path.as_bytes())
    })
}

/// What every entry of [`UNTRUSTED_CONTEXTS`] starts with (a test checks it).
const UNTRUSTED_ROOT: &str = "github.";

/// Whether the segments of `path` start with those of `pattern`, `*` standing for any one
/// segment. Compared byte by byte rather than through `split` iterators: taint tracking asks
/// this of every entry of [`UNTRUSTED_CONTEXTS`] for each context path it meets.
fn continues(path: &[u8], pattern: &[u8]) -> bool {
    let mut at = 0;
    for part in pattern.split(|&b| b == b'.') {
        // Past the end: `path` has fewer segments than `pattern`.
        let Some(rest) = path.get(at..) else {
            return false;
        };
        let len = rest.iter().position(|&b| b == b'.').unwrap_or(rest.len());
        if part != b"*" && !rest[..len].eq_ignore_ascii_case(part) {
            return false;
        }
        at += len + 1;
    }
    true
}

/// When an action's output holds attacker text unescaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputTaint {
    /// Always.
    Always,
    /// When input `.0` is one of `.1` (`dorny/paths-filter` `list-files: csv`; its `json`,
    /// `shell` and `escape` formats are escaped).
    WhenInput(&'static str, &'static [&'static str]),
    /// When input `.0` is `false`, or at a version ref below major `.1` (before which the
    /// output was not escaped): `tj-actions/changed-files` `safe_output`, on since v41.
    EscapedUnlessOff(&'static str, u64),
}

/// Outputs of well-known actions that hold attacker text: `(action, output, what it holds,
/// when)`, actions lowercased; an output written `*_files` matches every output ending in
/// `_files`. From the actions' documented outputs: file names and branch names come from the
/// pull request, comment bodies from whoever comments.
pub const TAINTED_ACTION_OUTPUTS: &[(&str, &str, &str, OutputTaint)] = &[
    (
        "tj-actions/changed-files",
        "*_files",
        "file names from the pull request",
        OutputTaint::EscapedUnlessOff("safe_output", 41),
    ),
    (
        "tj-actions/branch-names",
        "current_branch",
        "the pull request's branch name",
        OutputTaint::Always,
    ),
    (
        "tj-actions/branch-names",
        "head_ref_branch",
        "the pull request's branch name",
        OutputTaint::Always,
    ),
    (
        "peter-evans/find-comment",
        "comment-body",
        "the comment's body",
        OutputTaint::Always,
    ),
    (
        "xt0rted/pull-request-comment-branch",
        "head_ref",
        "the pull request's branch name",
        OutputTaint::Always,
    ),
    (
        "dorny/paths-filter",
        "*_files",
        "file names from the pull request",
        OutputTaint::WhenInput("list-files", &["csv"]),
    ),
];

/// What output `output` of `action` (a `uses:` slug, lowercased) holds and when it is
/// attacker text.
pub fn tainted_action_output(action: &str, output: &str) -> Option<(&'static str, OutputTaint)> {
    TAINTED_ACTION_OUTPUTS
        .iter()
        .find(|(a, o, _, _)| {
            *a == action
                && match o.strip_prefix('*') {
                    Some(suffix) => {
                        output.len() > suffix.len() && output.to_ascii_lowercase().ends_with(suffix)
                    }
                    None => o.eq_ignore_ascii_case(output),
                }
        })
        .map(|(_, _, what, when)| (*what, *when))
}

/// Inputs of well-known actions that run their value as code: `(action, input, language)`,
/// actions lowercased. Expanding untrusted data into them is template injection as in `run:`.
pub const SCRIPT_INPUTS: &[(&str, &str, &str)] = &[
    ("actions/github-script", "script", "a JavaScript script"),
    ("azure/cli", "inlinescript", "an Azure CLI shell script"),
    ("azure/powershell", "inlinescript", "a PowerShell script"),
    ("amadevus/pwsh-script", "script", "a PowerShell script"),
    ("mikefarah/yq", "cmd", "a yq shell command"),
    (
        "appleboy/ssh-action",
        "script",
        "a shell script run over SSH",
    ),
    (
        "garygrossgarten/github-action-ssh",
        "command",
        "a shell command run over SSH",
    ),
    ("nick-fields/retry", "command", "a retried shell command"),
    (
        "wandalen/wretry.action",
        "command",
        "a retried shell command",
    ),
    (
        "jannekem/run-python-script-action",
        "script",
        "a Python script",
    ),
    (
        "addnab/docker-run-action",
        "run",
        "a shell script run in a container",
    ),
    (
        "kohlerdominik/docker-run-action",
        "run",
        "a shell script run in a container",
    ),
    ("mathiasvr/command-output", "run", "a shell script"),
    (
        "cardinalby/js-eval-action",
        "expression",
        "a JavaScript expression",
    ),
];

/// The language of `input` of `action` (a `uses:` slug, lowercased), when it runs its value.
pub fn script_input(action: &str, input: &str) -> Option<&'static str> {
    SCRIPT_INPUTS
        .iter()
        .find(|(a, i, _)| *a == action && i.eq_ignore_ascii_case(input))
        .map(|(_, _, language)| *language)
}

/// When an action restores a cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheRestore {
    /// Whenever it runs (`actions/cache`, `Swatinem/rust-cache`).
    Always,
    /// When input `.0` is set to anything but `false` or empty (`actions/setup-node` `cache:`).
    WhenSet(&'static str),
    /// Unless input `.0` is `false`, from major version `.1` on (`actions/setup-go` `cache:`,
    /// on by default since v4); before it, as [`CacheRestore::WhenSet`].
    UnlessOff(&'static str, u64),
}

/// Actions that restore a cache, lowercased, from their documented inputs. `actions/cache/save`
/// only saves, so it is not here.
pub const CACHE_RESTORERS: &[(&str, CacheRestore)] = &[
    ("actions/cache", CacheRestore::Always),
    ("actions/cache/restore", CacheRestore::Always),
    ("swatinem/rust-cache", CacheRestore::Always),
    ("leafwing-studios/cargo-cache", CacheRestore::Always),
    ("mozilla-actions/sccache-action", CacheRestore::Always),
    ("hendrikmuhs/ccache-action", CacheRestore::Always),
    (
        "determinatesystems/magic-nix-cache-action",
        CacheRestore::Always,
    ),
    (
        "gradle/actions/setup-gradle",
        CacheRestore::UnlessOff("cache-disabled", 0),
    ),
    (
        "gradle/gradle-build-action",
        CacheRestore::UnlessOff("cache-disabled", 0),
    ),
    ("actions/setup-node", CacheRestore::WhenSet("cache")),
    ("actions/setup-python", CacheRestore::WhenSet("cache")),
    ("actions/setup-java", CacheRestore::WhenSet("cache")),
    ("actions/setup-dotnet", CacheRestore::WhenSet("cache")),
    ("actions/setup-go", CacheRestore::UnlessOff("cache", 4)),
    ("ruby/setup-ruby", CacheRestore::WhenSet("bundler-cache")),
    // `enable-cache` defaults to `auto` since v5.0.0: on for GitHub-hosted runners.
    (
        "astral-sh/setup-uv",
        CacheRestore::UnlessOff("enable-cache", 5),
    ),
    ("jdx/mise-action", CacheRestore::UnlessOff("cache", 0)),
    (
        "actions-rust-lang/setup-rust-toolchain",
        CacheRestore::UnlessOff("cache", 0),
    ),
];

/// How `action` (a `uses:` slug, lowercased) restores a cache, if it does.
pub fn cache_restorer(action: &str) -> Option<CacheRestore> {
    CACHE_RESTORERS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, restore)| *restore)
}

/// Commands that publish a package, an image or a release (their leading words).
pub const PUBLISH_COMMANDS: &[&[&str]] = &[
    &["cargo", "publish"],
    &["npm", "publish"],
    &["pnpm", "publish"],
    &["yarn", "publish"],
    &["yarn", "npm", "publish"],
    &["bun", "publish"],
    &["twine", "upload"],
    &["poetry", "publish"],
    &["uv", "publish"],
    &["flit", "publish"],
    &["hatch", "publish"],
    &["gem", "push"],
    &["docker", "push"],
    &["podman", "push"],
    &["helm", "push"],
    &["gh", "release", "create"],
    &["gh", "release", "upload"],
    &["goreleaser", "release"],
    &["mvn", "deploy"],
    &["dotnet", "nuget", "push"],
    &["nuget", "push"],
    &["vsce", "publish"],
];

/// An action that publishes, lowercased: the input that must be `true` for it to (if any), and
/// inputs whose value, when it contains the text given, means it does not (a build-only run,
/// an image pushed to the job's own local registry).
pub struct PublishAction {
    /// `owner/repo`.
    pub action: &'static str,
    /// The input that must be `true`.
    pub when_true: Option<&'static str>,
    /// `(input, text)`: no publication when the input's value contains the text.
    pub unless: &'static [(&'static str, &'static str)],
}

macro_rules! publishers {
    ($($action:literal $(when $input:literal)? $(unless [$(($key:literal, $text:literal)),*])?;)*) => {
        &[$(PublishAction {
            action: $action,
            when_true: publishers!(@when $($input)?),
            unless: &[$($(($key, $text)),*)?],
        }),*]
    };
    (@when) => { None };
    (@when $input:literal) => { Some($input) };
}

/// Actions that publish, from their documented inputs.
pub const PUBLISH_ACTIONS: &[PublishAction] = publishers! {
    "docker/build-push-action" when "push" unless [("tags", "localhost:"), ("tags", "127.0.0.1:")];
    "softprops/action-gh-release";
    "pypa/gh-action-pypi-publish";
    "goreleaser/goreleaser-action" unless [("install-only", "true"), ("args", "--snapshot"), ("args", "check"), ("args", "build")];
    "ncipollo/release-action";
    "actions/create-release";
    "svenstaro/upload-release-action";
    "js-devtools/npm-publish";
    "rubygems/release-gem";
    "katyo/publish-crates";
};

/// How `action` (a `uses:` slug, lowercased) publishes, if it does.
pub fn publish_action(action: &str) -> Option<&'static PublishAction> {
    PUBLISH_ACTIONS.iter().find(|p| p.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_untrusted_context_is_under_the_github_context() {
        for untrusted in UNTRUSTED_CONTEXTS {
            assert!(
                untrusted.path.starts_with(UNTRUSTED_ROOT),
                "{}",
                untrusted.path
            );
        }
    }

    #[test]
    fn untrusted_paths_match_by_segment_in_any_case() {
        let author = |path: &str| untrusted_context(path).map(|u| u.path);
        assert_eq!(
            author("github.event.issue.title"),
            Some("github.event.issue.title")
        );
        assert_eq!(
            author("GitHub.Event.Issue.Title.x"),
            Some("github.event.issue.title")
        );
        assert_eq!(
            author("github.event.pages.*.title"),
            Some("github.event.pages.*.title")
        );
        assert_eq!(
            author("github.event.changes.body.from"),
            Some("github.event.changes.*.from")
        );
        assert_eq!(
            author("github.event.commits.0.author.name"),
            Some("github.event.commits.*.author.name")
        );
        for path in [
            "github.event.issue",
            "github.event.issue.",
            "github.event.issue.titles",
            "github.event.issue_title",
            "github.head_refs",
            "github",
            "",
        ] {
            assert_eq!(author(path), None, "{path}");
        }
        assert_eq!(
            author("github.event.changes..from"),
            Some("github.event.changes.*.from")
        );
    }
}
