use plimsoll_syntax::shell::Connector;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{line_ending, line_start, Edit, Fix};
use crate::rule::{DockerfileContext, Rule, RunScript};

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that starts with `cd <dir>` to change the working directory for the
    /// commands after it, or that runs nothing but `cd` (which has no effect at all).
    ///
    /// ## Why is this bad?
    /// The directory change lasts for one `RUN` only, which is easy to forget in the next one;
    /// `WORKDIR` states it once, for every instruction that follows, and creates the folder.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && make
    /// ```
    ///
    /// ## Fix
    /// Unsafe: `RUN cd /abs && cmd` becomes `WORKDIR /abs` and `RUN cmd`, which changes the
    /// working directory of every later instruction of the stage (and of the container), and
    /// creates the folder where `cd` would have failed. Only when the folder is an absolute,
    /// literal path (no variable, quote, glob or `~`), `cd` is joined to the next command by
    /// `&&`, and the `RUN` starts its line and is not an `ONBUILD` trigger.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN make
    /// ```
    pub struct CdInsteadOfWorkdir {
        id: "DKR016",
        name: "cd-instead-of-workdir",
        severity: Note,
        domain: Containers,
        summary: "A `RUN` begins with `cd` instead of using `WORKDIR`",
        help: "set the directory with `WORKDIR /path` before the `RUN`",
        fix: Unsafe,
    }
}

impl Rule for CdInsteadOfWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            let Some(first) = run.commands.first() else {
                continue;
            };
            let words = first.argv();
            let is_cd = words.first().is_some_and(|w| w.text == "cd") && words.len() == 2;
            if !is_cd || first.connector == Connector::Or {
                continue;
            }
            let message = if run.commands.len() == 1 {
                format!(
                    "`cd {}` alone in a `RUN` has no effect: use `WORKDIR`",
                    words[1].text
                )
            } else {
                format!(
                    "`cd {}` lasts for this `RUN` only: use `WORKDIR`",
                    words[1].text
                )
            };
            let diagnostic = out.report(&Self::META, first.span(), message);
            if let Some(edits) = workdir_instead(cx.source.text(), run) {
                diagnostic.fix(Fix::unsafe_edits(
                    format!("use `WORKDIR {}`", words[1].text),
                    edits,
                ));
            }
        }
    }
}

/// The edits that turn `RUN cd /abs && cmd …` into `WORKDIR /abs` on the line before and
/// `RUN cmd …`: the `cd`, its `&&` and any line continuation up to the next command are
/// deleted. `None` when the folder is not an absolute literal path, when anything else lies
/// between `cd /abs` and the next command, or when the `RUN` does not start its line.
fn workdir_instead(text: &str, run: &RunScript<'_>) -> Option<Vec<Edit>> {
    let [first, next, ..] = run.commands.as_slice() else {
        return None;
    };
    if run.onbuild || first.connector != Connector::And || first.words.len() != 2 {
        return None;
    }
    let (cd, dir) = (&first.words[0], &first.words[1]);
    let literal = dir.text.starts_with('/')
        && dir.span.len() == dir.text.len()
        && !dir
            .text
            .contains(|c: char| c.is_whitespace() || "$`'\"*?[]{}~\\".contains(c));
    if !literal || text.get(dir.span.start..dir.span.end)? != dir.text {
        return None;
    }
    let next_start = next.words.first()?.span.start;
    let gap = text.get(dir.span.end..next_start)?;
    let only_joins = gap
        .replace("&&", "")
        .chars()
        .all(|c| c.is_whitespace() || c == '\\');
    if !gap.contains("&&") || !only_joins {
        return None;
    }
    let start = run.instruction.span.start;
    let line = line_start(text, start);
    let indent = text.get(line..start)?;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let eol = line_ending(text);
    Some(vec![
        Edit::insert(line, format!("{indent}WORKDIR {}{eol}", dir.text)),
        Edit::delete(plimsoll_syntax::Span::new(cd.span.start, next_start)),
    ])
}
