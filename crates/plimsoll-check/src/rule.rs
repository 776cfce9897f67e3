use std::path::{Path, PathBuf};

use plimsoll_actions::{Action, Workflow};
use plimsoll_syntax::dockerfile::{Dockerfile, Instruction};
use plimsoll_syntax::shell::Command;
use plimsoll_syntax::yaml::{Document, Node};
use plimsoll_syntax::{SourceFile, Span};

use crate::compose::Compose;

use crate::expressions::{ExpressionScalar, ExpressionScalars};
use crate::finding::{Diagnostic, RuleMeta, Sink};
use crate::kubernetes::{Cluster, Container, Object};
use crate::repository::Repository;
pub use crate::scope::StepScope;
use crate::script::Scripts;
use crate::settings::Settings;
use crate::terraform::{Module, ModuleSummary};

/// What a rule sees of the file being checked.
pub struct Context<'a> {
    /// The file's text and line index.
    pub source: &'a SourceFile,
    /// The parsed YAML document.
    pub document: &'a Document,
    /// Effective settings.
    pub settings: &'a Settings,
    /// The `run:` scripts of `document`, lexed once for all rules.
    pub(crate) scripts: Scripts,
    /// The scalars of `document` holding expressions, listed once for all rules.
    pub(crate) expression_scalars: ExpressionScalars<'a>,
}

impl<'a> Context<'a> {
    /// The file's text.
    pub fn text(&self) -> &str {
        self.source.text()
    }

    /// The scalars of the document that hold `${{`, or are the value of an `if:`, in document
    /// order.
    pub(crate) fn expression_scalars(&self) -> &[ExpressionScalar<'a>] {
        self.expression_scalars.of(self.document)
    }
}

/// What a Dockerfile rule sees.
pub struct DockerfileContext<'a> {
    /// The file's text and line index.
    pub source: &'a SourceFile,
    /// The parsed Dockerfile.
    pub dockerfile: &'a Dockerfile,
    /// Every `RUN` (triggers included) with its shell commands, lexed once for all rules.
    pub runs: &'a [RunScript<'a>],
    /// Effective settings.
    pub settings: &'a Settings,
}

/// A `RUN` instruction's shell commands, with word spans in the file.
pub struct RunScript<'a> {
    /// The instruction (an `ONBUILD` trigger when `onbuild`).
    pub instruction: &'a Instruction,
    /// The stage it belongs to (its index), if any.
    pub stage: Option<usize>,
    /// Whether it runs only when a child image is built (`ONBUILD RUN`).
    pub onbuild: bool,
    /// The commands; each word's span is in the file.
    pub commands: Vec<Command>,
}

/// A repository-level finding: a file (and a span in it, if any) and what is wrong.
#[derive(Clone, Debug)]
pub struct RepositoryDiagnostic {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// The file it is about.
    pub path: PathBuf,
    /// Where in that file, if it points at text.
    pub span: Option<Span>,
    /// What is wrong.
    pub message: String,
}

/// Where rules that look at several files of a run (cross-object Kubernetes rules, Terraform
/// state) put what they find: each diagnostic names its file.
#[derive(Debug, Default)]
pub struct RunSink {
    pub(crate) diagnostics: Vec<(PathBuf, Diagnostic)>,
}

impl RunSink {
    /// Report `message` for `rule` at `span` of `path`; chain [`Diagnostic::help`] to refine it.
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        path: &Path,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let mut sink = Sink::default();
        sink.report(rule, span, message);
        let diagnostic = sink.diagnostics.remove(0);
        self.diagnostics.push((path.to_path_buf(), diagnostic));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last].1
    }

    /// The diagnostics reported so far, with their files.
    pub fn diagnostics(&self) -> &[(PathBuf, Diagnostic)] {
        &self.diagnostics
    }
}

/// An audit. Each rule implements the hooks for the files it looks at; the engine calls them.
pub trait Rule: Send + Sync {
    /// The rule's identity and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Look at a whole workflow.
    fn check_workflow(&self, _cx: &Context<'_>, _workflow: Workflow<'_>, _out: &mut Sink) {}

    /// Look at one step of a job or of a composite action.
    fn check_step(&self, _cx: &Context<'_>, _scope: &StepScope<'_>, _out: &mut Sink) {}

    /// Look at one `uses:` value: a step's action or a job's reusable workflow.
    fn check_uses(&self, _cx: &Context<'_>, _uses: &Node, _out: &mut Sink) {}

    /// Look at action metadata (`action.yml`).
    fn check_action(&self, _cx: &Context<'_>, _action: Action<'_>, _out: &mut Sink) {}

    /// Look at a Dockerfile.
    fn check_dockerfile(&self, _cx: &DockerfileContext<'_>, _out: &mut Sink) {}

    /// Look at a Compose file.
    fn check_compose(&self, _cx: &Context<'_>, _compose: Compose<'_>, _out: &mut Sink) {}
    /// Look at the raw text of any text file discovery finds, whatever its kind (source code,
    /// configuration, `.env`, scripts): the secrets pass.
    fn check_text(&self, _source: &SourceFile, _out: &mut Sink) {}

    /// Look at the set of files of a repository.
    fn check_repository(&self, _repo: &Repository, _out: &mut Vec<RepositoryDiagnostic>) {}

    /// Look at one Kubernetes object (each item of a `List`).
    fn check_k8s_object(&self, _cx: &Context<'_>, _object: &Object<'_>, _out: &mut Sink) {}

    /// Look at one container of a workload's pod spec (init and ephemeral ones included).
    fn check_k8s_container(&self, _cx: &Context<'_>, _container: &Container<'_>, _out: &mut Sink) {}

    /// Look at every Kubernetes object of the run together.
    fn check_k8s_cluster(&self, _cluster: &Cluster, _out: &mut RunSink) {}

    /// Look at a Terraform module (the `.tf` and `.tfvars` files of one folder); `out[i]` takes
    /// the findings in `module.files[i]`.
    fn check_terraform_module(&self, _module: &Module<'_>, _out: &mut [Sink]) {}

    /// Look at every Terraform module of the run together.
    fn check_terraform_run(&self, _modules: &[ModuleSummary], _out: &mut RunSink) {}
}

/// Declare a rule type whose doc comment is its documentation.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// …
///     pub struct ContinueOnError {
///         id: "GHA001", name: "continue-on-error", severity: Error, domain: GithubActions,
///         summary: "…", help: "…",
///         // optional: strict_only: true, sensitive: true (default: the name mentions a
///         // secret, credential, password or token), fix: Safe | Unsafe | Sometimes (the
///         // fixes its findings carry; default: None)
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            name: $rule_name:literal,
            severity: $severity:ident,
            domain: $domain:ident,
            summary: $summary:literal,
            help: $help:literal
            $(, strict_only: $strict:literal)?
            $(, sensitive: $sensitive:literal)?
            $(, fix: $fix:ident)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        $vis struct $name;

        impl $name {
            /// The rule's identity and documentation.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                name: $rule_name,
                severity: $crate::Severity::$severity,
                domain: $crate::Domain::$domain,
                summary: $summary,
                help: $help,
                strict_only: $crate::__strict_default!($($strict)?),
                sensitive: $crate::__sensitive_default!($rule_name $(, $sensitive)?),
                doc: concat!($($doc, "\n"),*),
                fix: $crate::__fix_default!($($fix)?),
            };
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __strict_default {
    () => {
        false
    };
    ($strict:literal) => {
        $strict
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __fix_default {
    () => {
        $crate::fix::FixAvailability::None
    };
    ($fix:ident) => {
        $crate::fix::FixAvailability::$fix
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __sensitive_default {
    ($name:literal) => {
        $crate::name_mentions_secret($name)
    };
    ($name:literal, $sensitive:literal) => {
        $sensitive
    };
}
