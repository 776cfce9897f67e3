use plimsoll_actions::{Job, Workflow};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags the `pull_request_target` and `workflow_run` triggers, wherever a workflow uses
    /// them (`untrusted-checkout` covers the worst case: checking out the pull request's code
    /// under them), and `issue_comment` unless every job runs only for comments of the
    /// repository's owners, members or collaborators (`github.event.comment.author_association`).
    ///
    /// ## Why is this bad?
    /// All three run in the base repository's context, with its secrets, caches and token (with
    /// the workflow's permissions, not a fork's read-only ones), for events an outsider causes:
    /// a fork's pull request, or, for `issue_comment`, a comment anyone can write on a public
    /// repository's issues and pull requests. Anything the workflow takes from them (the pull
    /// request's code, an artifact it built, a branch name, a cache it filled, the comment's
    /// text) runs or is read with those privileges; almost every published "pwn request" went
    /// through one of them. They are rarely needed: labelling and commenting work from
    /// `pull_request` with `permissions:`, or from a separate workflow that reads no pull
    /// request data, and a comment command can check who wrote it before doing anything.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on: pull_request
    /// permissions:
    ///   contents: read
    ///   pull-requests: write
    /// ```
    ///
    /// A comment command that only maintainers may run:
    /// ```yaml
    /// on: issue_comment
    /// jobs:
    ///   backport:
    ///     if: contains(fromJSON('["OWNER", "MEMBER", "COLLABORATOR"]'), github.event.comment.author_association)
    /// ```
    pub struct DangerousTrigger {
        id: "GHA041",
        name: "dangerous-trigger",
        severity: Note,
        domain: GithubActions,
        summary: "`pull_request_target`, `workflow_run` or an unguarded `issue_comment` runs privileged for outsiders' events",
        help: "use `pull_request` with explicit `permissions:`; if the trigger is needed, read no code, artifact or text from the pull request, and run comment commands only for `OWNER`, `MEMBER` or `COLLABORATOR` comments",
    }
}

/// `author_association` values of people GitHub lets change the repository (its owner, the
/// organisation's members, invited collaborators); the others (`CONTRIBUTOR`,
/// `FIRST_TIME_CONTRIBUTOR`, `FIRST_TIMER`, `MANNEQUIN`, `NONE`) are anyone with a GitHub account.
const TRUSTED_ASSOCIATIONS: &[&str] = &["OWNER", "MEMBER", "COLLABORATOR"];

/// Whether every job's `if:` admits only comments whose author is trusted: it reads
/// `author_association`, every association it names is a trusted one, and no `||` offers
/// another way in. A job without such an `if:` (or naming `CONTRIBUTOR`, `NONE`, …, as in
/// `!= 'NONE'`, or `trusted || labelled`) runs for anyone's comment.
fn every_job_trusts_commenters(workflow: &Workflow<'_>) -> bool {
    let jobs = workflow.jobs();
    !jobs.is_empty() && jobs.iter().all(trusts_commenters)
}

fn trusts_commenters(job: &Job<'_>) -> bool {
    let Some(condition) = job.node.get_str("if") else {
        return false;
    };
    if !condition.contains("author_association") || condition.contains("||") {
        return false;
    }
    // Associations are written in capitals (`'OWNER'`, `"MEMBER"` in a `fromJSON` list);
    // contexts and functions are not.
    let mut named = condition
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.len() > 3 && word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .peekable();
    named.peek().is_some() && named.all(|word| TRUSTED_ASSOCIATIONS.contains(&word))
}

impl Rule for DangerousTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for trigger in workflow.triggers() {
            let why = match trigger.event {
                "pull_request_target" => "runs with the base repository's secrets and token (not a fork's read-only one) for pull requests from forks",
                "workflow_run" => "runs with the repository's secrets and token after a run that a fork's pull request may have started, often reading what that run left (artifacts, branch names)",
                "issue_comment" if !every_job_trusts_commenters(&workflow) => "runs with the repository's secrets and token for a comment anyone can write on its issues and pull requests; no job checks that the commenter is an owner, member or collaborator",
                _ => continue,
            };
            out.report(
                &DangerousTrigger::META,
                trigger.span,
                format!("`{}` {why}", trigger.event),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_syntax::{yaml, LineIndex};

    fn guarded(condition: &str) -> bool {
        let text = format!("on: issue_comment\njobs:\n  a:\n    if: {condition}\n    runs-on: x\n");
        let lines = LineIndex::new(&text);
        let Ok(document) = yaml::parse(&text, &lines).into_single() else {
            return false;
        };
        Workflow::new(&document.root).is_some_and(|w| every_job_trusts_commenters(&w))
    }

    #[test]
    fn reads_who_may_run_a_comment_command() {
        assert!(guarded(
            "github.event.comment.author_association == 'OWNER'"
        ));
        assert!(guarded(
            "contains(fromJSON('[\"OWNER\", \"MEMBER\", \"COLLABORATOR\"]'), github.event.comment.author_association)"
        ));
        assert!(!guarded(
            "github.event.comment.author_association == 'CONTRIBUTOR'"
        ));
        assert!(!guarded(
            "github.event.comment.author_association != 'NONE'"
        ));
        assert!(!guarded(
            "github.event.comment.author_association == 'OWNER' || contains(github.event.issue.labels.*.name, 'help wanted')"
        ));
        assert!(!guarded("startsWith(github.event.comment.body, '/retest')"));
    }
}
