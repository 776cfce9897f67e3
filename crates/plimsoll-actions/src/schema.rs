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
    "attestations",
    "checks",
    "contents",
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

/// Event data an outside contributor controls: expanding it into a script lets them inject code.
/// A path matches when it equals an entry or continues it (`github.event.issue.title`).
pub const UNTRUSTED_CONTEXTS: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.display_title",
    "github.head_ref",
];

/// Whether the context `path` is data an outside contributor controls.
pub fn is_untrusted_context(path: &str) -> bool {
    UNTRUSTED_CONTEXTS.iter().any(|untrusted| {
        path == *untrusted
            || path
                .strip_prefix(untrusted)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}
