use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags a root module — a folder with a `provider` block and resources — that has no
    /// `backend` or `cloud` block in its `terraform` settings: its state is kept in a local
    /// `terraform.tfstate`. Folders matching `terraform.backend-exempt` in `plimsoll.toml`
    /// (by default `example(s)`, `sample(s)`, `quickstart(s)`, `demo(s)`, `test(s)`, `testdata`,
    /// `testing`, `fixtures` and everything inside them) are exempt. A folder inside a `modules`
    /// folder is a child module by Terraform's standard module structure (a backend there is
    /// ignored; the caller's state holds its resources): it is reported as a note, for the
    /// provider blocks that make it applicable on its own.
    ///
    /// ## Why is this bad?
    /// Local state lives on one laptop or CI runner: it is lost with it, cannot be locked
    /// against concurrent applies, and often ends up committed with secrets inside.
    ///
    /// ## Example
    /// ```hcl
    /// provider "aws" { region = "eu-west-1" }
    /// resource "aws_s3_bucket" "logs" { bucket = "acme-logs" }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// terraform {
    ///   backend "s3" {
    ///     bucket         = "acme-terraform-state"
    ///     key            = "prod/logs.tfstate"
    ///     region         = "eu-west-1"
    ///     dynamodb_table = "terraform-locks"
    ///   }
    /// }
    /// ```
    pub struct LocalState {
        id: "TF001",
        name: "local-state",
        severity: Error,
        domain: Terraform,
        summary: "A root module keeps its state locally (no `backend` or `cloud` block)",
        help: "add a remote `backend` (S3 with a DynamoDB lock, GCS, azurerm) or a `cloud` block",
    }
}

impl Rule for LocalState {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        if !module.configures_providers()
            || !module.has_resources()
            || module.backend().is_some()
            || module.settings.is_backend_exempt(&module.dir)
        {
            return;
        }
        let Some((index, provider)) = module.blocks("provider").next() else {
            return;
        };
        let Some(sink) = out.get_mut(index) else {
            return;
        };
        if is_child_module_folder(module) {
            sink.report(
                &Self::META,
                super::header(provider),
                format!(
                    "folder `{}` is inside `modules`, where child modules live, but configures providers: applied on its own, its state would be local",
                    folder_name(&module.dir)
                ),
            )
            .help("keep provider blocks in the root modules that call it; if it is applied on its own, give it a remote `backend`")
            .severity(Severity::Note);
            return;
        }
        sink.report(
            &Self::META,
            super::header(provider),
            format!(
                "folder `{}` configures providers and creates resources but has no `backend` or `cloud` block: its state is local",
                folder_name(&module.dir)
            ),
        );
    }
}

/// Whether the module's folder is below a `modules` folder: where Terraform's standard module
/// structure puts the child modules a root module calls. Folders are judged relative to the
/// run's root, like `backend-exempt`.
fn is_child_module_folder(module: &Module<'_>) -> bool {
    module
        .settings
        .relative(&module.dir)
        .parent()
        .is_some_and(|parent| parent.components().any(|c| c.as_os_str() == "modules"))
}

/// A folder as messages name it: its last two components (`envs/prod`), which stay readable
/// and stable wherever the run started.
pub(super) fn display_dir(dir: &std::path::Path) -> String {
    let parts: Vec<String> = dir
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.len() {
        0 => ".".into(),
        n => parts[n.saturating_sub(2)..].join("/"),
    }
}

/// The folder's own name, for messages about the file's own folder.
pub(super) fn folder_name(dir: &std::path::Path) -> String {
    dir.file_name()
        .map_or_else(|| ".".into(), |n| n.to_string_lossy().into_owned())
}
