use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::{Rule, RunSink};
use crate::terraform::ModuleSummary;

declare_rule! {
    /// ## What it does
    /// Flags root modules whose `backend` blocks point at the same state (same backend type and
    /// the same literal settings: bucket and key, prefix, workspace…) as another folder's.
    ///
    /// ## Why is this bad?
    /// Environments kept in separate folders must not share state: an apply in one overwrites
    /// the other's view of the world, and a `destroy` in staging removes production.
    ///
    /// ## Example
    /// ```hcl
    /// # envs/staging/backend.tf and envs/prod/backend.tf
    /// backend "s3" { bucket = "acme-state", key = "app.tfstate" }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # envs/prod/backend.tf
    /// backend "s3" { bucket = "acme-state", key = "prod/app.tfstate" }
    /// ```
    pub struct SharedState {
        id: "TF008",
        name: "shared-state",
        severity: Note,
        domain: Terraform,
        summary: "Two folders keep their Terraform state in the same place",
        help: "give each environment its own state key (or its own workspace)",
    }
}

impl Rule for SharedState {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_run(&self, modules: &[ModuleSummary], out: &mut RunSink) {
        let backends: Vec<(&ModuleSummary, &crate::terraform::BackendFacts)> = modules
            .iter()
            .filter_map(|m| Some((m, m.backend.as_ref()?)))
            .filter(|(_, b)| !b.settings.is_empty())
            .collect();
        for (position, (module, backend)) in backends.iter().enumerate() {
            let earlier = backends[..position].iter().find(|(_, other)| {
                other.kind == backend.kind && other.settings == backend.settings
            });
            if let Some((other, _)) = earlier {
                out.report(
                    &Self::META,
                    &backend.path,
                    backend.span,
                    format!(
                        "`{}` keeps its state in the same `{}` backend location as `{}`",
                        super::local_state::display_dir(&module.dir),
                        backend.kind,
                        super::local_state::display_dir(&other.dir)
                    ),
                );
            }
        }
    }
}
