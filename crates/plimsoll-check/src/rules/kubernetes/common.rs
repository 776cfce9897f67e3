//! What the Kubernetes rules share.

use plimsoll_syntax::yaml::Node;

use crate::finding::{RuleMeta, Sink};
use crate::fix::{append_to_mapping, Edit, Fix};
use crate::kubernetes::Container;

/// A boolean `securityContext` setting a container must have, and how to word its absence.
pub(super) struct SecurityFlag {
    /// The key (`readOnlyRootFilesystem`).
    pub key: &'static str,
    /// The value it must have.
    pub expected: bool,
    /// Appended to the message when it is missing (`" (nor does its pod)"`).
    pub missing_note: &'static str,
    /// Appended to every message (`": it may run as root"`).
    pub consequence: &'static str,
}

impl SecurityFlag {
    /// Report `container` unless the setting (`value`, as found) is as expected: at the value
    /// when it is set otherwise, at the container's `securityContext` when it is missing.
    pub(super) fn check(
        &self,
        meta: &'static RuleMeta,
        text: &str,
        container: &Container<'_>,
        value: Option<&Node>,
        out: &mut Sink,
    ) {
        let setting = format!("{}: {}", self.key, self.expected);
        let SecurityFlag {
            key,
            expected,
            missing_note,
            consequence,
        } = self;
        match value {
            Some(value) if value.as_bool() == Some(*expected) => {}
            Some(value) => {
                let diagnostic = out.report(
                    meta,
                    value.span,
                    format!(
                        "{} sets `{key}` to `{}`{consequence}",
                        container.describe(),
                        value.as_str().unwrap_or("?")
                    ),
                );
                diagnostic.fix(Fix::unsafe_edits(
                    format!("set `{setting}`"),
                    vec![Edit::replace(value.span, expected.to_string())],
                ));
            }
            None => {
                let diagnostic = out.report(
                    meta,
                    container.security_anchor(),
                    format!(
                        "{} does not set `{key}: {expected}`{missing_note}{consequence}",
                        container.describe()
                    ),
                );
                let edit = match container.node.get("securityContext") {
                    Some(context) => {
                        append_to_mapping(text, context, std::slice::from_ref(&setting))
                    }
                    None => append_to_mapping(
                        text,
                        container.node,
                        &["securityContext:".to_string(), format!("  {setting}")],
                    ),
                };
                if let Some(edit) = edit {
                    diagnostic.fix(Fix::unsafe_edits(format!("set `{setting}`"), vec![edit]));
                }
            }
        }
    }
}
