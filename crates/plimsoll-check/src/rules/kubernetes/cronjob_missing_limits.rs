use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::Object;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a CronJob without `startingDeadlineSeconds`, and one without
    /// `concurrencyPolicy` (which defaults to `Allow`). Strict only: a scheduling refinement
    /// the standards do not require.
    ///
    /// ## Why is this bad?
    /// Without a deadline, a controller that was down or a schedule that was suspended starts
    /// missed runs late, at any time (and after 100 missed runs stops scheduling the job at
    /// all); with `Allow`, a run that outlasts its interval overlaps the next one, and both
    /// work on the same data.
    ///
    /// ## Example
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "*/15 * * * *"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "*/15 * * * *"
    ///   startingDeadlineSeconds: 300
    ///   concurrencyPolicy: Forbid
    /// ```
    pub struct CronjobMissingLimits {
        id: "K8S016",
        name: "cronjob-missing-limits",
        severity: Note,
        domain: Kubernetes,
        summary: "A CronJob sets no `startingDeadlineSeconds` or no `concurrencyPolicy`",
        help: "set `startingDeadlineSeconds` (a few minutes) and `concurrencyPolicy: Forbid` (or `Replace`)",
        strict_only: true,
    }
}

impl Rule for CronjobMissingLimits {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_object(&self, _cx: &Context<'_>, object: &Object<'_>, out: &mut Sink) {
        if object.kind != "CronJob" {
            return;
        }
        let spec = object.root.get("spec");
        let anchor = spec
            .and_then(|s| s.entry("schedule"))
            .map_or(object.kind_span(), |e| e.key.span);
        if spec
            .and_then(|s| s.get("startingDeadlineSeconds"))
            .is_none()
        {
            out.report(
                &Self::META,
                anchor,
                format!(
                    "{} sets no `startingDeadlineSeconds`: missed runs start late, at any time",
                    object.describe()
                ),
            );
        }
        if spec.and_then(|s| s.get("concurrencyPolicy")).is_none() {
            out.report(
                &Self::META,
                anchor,
                format!(
                    "{} sets no `concurrencyPolicy`: the default `Allow` lets a slow run overlap the next",
                    object.describe()
                ),
            );
        }
    }
}
