//! A step together with the job and workflow around it, as the step rules and the repository
//! facts see it.

use std::cell::OnceCell;

use plimsoll_actions::{Job, Step, Workflow};

use crate::script::{Script, Scripts};

/// A step together with the job and workflow around it (none for composite-action steps).
pub struct StepScope<'a> {
    /// The step.
    pub step: Step<'a>,
    /// The job it belongs to, in a workflow.
    pub job: Option<Job<'a>>,
    /// The workflow, when the step is in one.
    pub workflow: Option<Workflow<'a>>,
    /// Every step of the job or composite action, this one included, listed once for all its
    /// steps: a rule that follows `steps.x.outputs` would otherwise list them again per step,
    /// quadratic in a job of thousands of steps.
    pub siblings: &'a [Step<'a>],
    /// The lexed scripts of the file the step is in.
    scripts: &'a Scripts,
    script: OnceCell<Option<Script<'a>>>,
}

impl<'a> StepScope<'a> {
    /// A scope for `step`, one of `siblings`.
    pub(crate) fn new(
        step: Step<'a>,
        job: Option<Job<'a>>,
        workflow: Option<Workflow<'a>>,
        siblings: &'a [Step<'a>],
        scripts: &'a Scripts,
    ) -> Self {
        StepScope {
            step,
            job,
            workflow,
            siblings,
            scripts,
            script: OnceCell::new(),
        }
    }

    /// The step's `run:` script split into commands, lexed once for all rules.
    pub(crate) fn script(&self) -> Option<&Script<'a>> {
        self.script
            .get_or_init(|| {
                self.step
                    .run()
                    .and_then(|run| Script::of(run, self.scripts))
            })
            .as_ref()
    }
}
