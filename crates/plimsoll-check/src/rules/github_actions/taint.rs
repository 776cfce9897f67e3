//! Where the value of a context path comes from, for template injection: attacker text read
//! directly (`github.event.issue.title`), through an environment variable, through a step's
//! output (`steps.x.outputs.y`, written by its script to `$GITHUB_OUTPUT` or by an action whose
//! outputs carry attacker text) or a job's output (`needs.j.outputs.y`), or an input that
//! callers fill.

use plimsoll_actions::advisories::Version;
use plimsoll_actions::schema::{
    tainted_action_output, untrusted_context, OutputTaint, UntrustedContext,
};
use plimsoll_actions::{Job, Step, Workflow};
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, expression_paths, PathUse};

/// How far outputs are followed (`needs` of `needs` of …): real chains are one or two long.
const MAX_DEPTH: usize = 6;

/// What an expression path can expand to.
pub(crate) enum Taint {
    /// Attacker text, from `context` (the path read in the end: `github.event.issue.title`),
    /// through the paths in `via` (outermost first: `steps.meta.outputs.title`).
    Context {
        context: &'static UntrustedContext,
        source: String,
        via: Vec<String>,
    },
    /// Attacker text an action writes to its output (`tj-actions/changed-files`' file names).
    ActionOutput {
        /// What the output holds, for messages.
        what: &'static str,
        via: Vec<String>,
    },
    /// An input: whatever the caller passes (`inputs.x` of a composite action, or a string
    /// input of `workflow_dispatch` / `workflow_call`).
    Input { source: String, via: Vec<String> },
    /// Output of a step that reads attacker text but writes the output in a way that cannot be
    /// followed (a file, a program's output): maybe attacker text.
    Possible { producer: String, via: Vec<String> },
}

impl Taint {
    /// Whether the value is attacker text for sure (an error), rather than possibly (a note).
    pub fn is_certain(&self) -> bool {
        matches!(self, Taint::Context { .. } | Taint::ActionOutput { .. })
    }

    fn via_mut(&mut self) -> &mut Vec<String> {
        match self {
            Taint::Context { via, .. }
            | Taint::ActionOutput { via, .. }
            | Taint::Input { via, .. }
            | Taint::Possible { via, .. } => via,
        }
    }

    fn through(mut self, path: &str) -> Self {
        self.via_mut().insert(0, path.to_string());
        self
    }
}

/// The steps, job and workflow a path is read in.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    /// The reading step's mapping (its `env:`), if a step reads it.
    pub step: Option<&'a Node>,
    /// The job, in a workflow.
    pub job: Option<Job<'a>>,
    /// The workflow, if any (none in a composite action).
    pub workflow: Option<Workflow<'a>>,
    /// The steps `steps.x` names: the job's, or the composite action's.
    pub steps: &'a [Step<'a>],
}

/// The value of environment variable `name` as a step sees it: step, then job, then workflow
/// `env:` (the innermost definition wins). Names are compared without case, as expressions do.
pub(crate) fn env_value<'a>(place: &Place<'a>, name: &str) -> Option<&'a Node> {
    let levels = [
        place.step,
        place.job.map(|job| job.node),
        place.workflow.map(|workflow| workflow.root),
    ];
    levels.into_iter().flatten().find_map(|node| {
        node.get("env")?
            .as_mapping()?
            .iter()
            .find(|entry| {
                entry
                    .key
                    .as_str()
                    .is_some_and(|key| key.eq_ignore_ascii_case(name))
            })
            .map(|entry| &entry.value)
    })
}

fn strip_prefix_ci<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &path[prefix.len()..])
}

/// `x.outputs.y` split as `(x, y)`.
fn output_of(rest: &str) -> Option<(&str, &str)> {
    let (owner, rest) = rest.split_once('.')?;
    let name = strip_prefix_ci(rest, "outputs.")?;
    (!name.is_empty() && !name.contains('.')).then_some((owner, name))
}

/// Where `path` (analysed: lowercased, indexes as `*`) read at `place` comes from, if it can
/// carry attacker text.
fn taint_at(place: &Place<'_>, path: &str, depth: usize) -> Option<Taint> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(context) = untrusted_context(path) {
        return Some(Taint::Context {
            context,
            source: path.to_string(),
            via: Vec::new(),
        });
    }
    if let Some(name) = strip_prefix_ci(path, "env.") {
        let value = env_value(place, name)?;
        return taint_of_value(place, value, depth + 1).map(|t| t.through(path));
    }
    if let Some(rest) = strip_prefix_ci(path, "steps.") {
        let (id, output) = output_of(rest)?;
        let producer = place
            .steps
            .iter()
            .find(|s| s.id().is_some_and(|i| i.eq_ignore_ascii_case(id)))?;
        return step_output_taint(place, producer, output, depth + 1).map(|t| t.through(path));
    }
    if let Some(rest) = strip_prefix_ci(path, "needs.") {
        let (job_id, output) = output_of(rest)?;
        let workflow = place.workflow?;
        let job = workflow
            .jobs()
            .into_iter()
            .find(|j| j.id.eq_ignore_ascii_case(job_id))?;
        let value = job
            .node
            .get("outputs")?
            .as_mapping()?
            .iter()
            .find(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case(output))
            })
            .map(|e| &e.value)?;
        let steps = job.steps();
        let there = Place {
            step: None,
            job: Some(job),
            workflow: Some(workflow),
            steps: &steps,
        };
        return taint_of_value(&there, value, depth + 1).map(|t| t.through(path));
    }
    if let Some(name) =
        strip_prefix_ci(path, "inputs.").or_else(|| strip_prefix_ci(path, "github.event.inputs."))
    {
        return input_taint(place, name, path);
    }
    None
}

/// An input read as `inputs.name`: a composite action's (any), or a workflow's string input.
fn input_taint(place: &Place<'_>, name: &str, path: &str) -> Option<Taint> {
    let source = path.to_string();
    let Some(workflow) = place.workflow else {
        return Some(Taint::Input {
            source,
            via: Vec::new(),
        });
    };
    let string_input = workflow.triggers().iter().any(|trigger| {
        if !matches!(trigger.event, "workflow_dispatch" | "workflow_call") {
            return false;
        }
        let Some(input) = trigger
            .config
            .and_then(|c| c.get("inputs"))
            .and_then(Node::as_mapping)
            .unwrap_or_default()
            .iter()
            .find(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        else {
            return false;
        };
        // Without `type:`, a `workflow_dispatch` input is a string; `workflow_call` requires
        // one, but a missing one is read as a string too.
        matches!(input.value.get_str("type").unwrap_or("string"), "string")
    });
    string_input.then_some(Taint::Input {
        source,
        via: Vec::new(),
    })
}

/// The first taint of the expressions in a scalar `value` (an `env:` or `outputs:` value).
pub(crate) fn taint_of_value(place: &Place<'_>, value: &Node, depth: usize) -> Option<Taint> {
    let text = value.as_str()?;
    first_taint(place, text, depth)
}

/// Where the value of `used`, read in `text` at `place`, comes from: its path's taint, or, for
/// `toJSON(object)` of an object that holds attacker text (`toJSON(github.event)`), the
/// attacker-controlled context in it that the workflow's events carry. The JSON quoting does
/// not protect a script: the text keeps its quotes, `$(…)` and backticks for the shell.
pub(crate) fn taint_of_use(place: &Place<'_>, text: &str, used: &PathUse<'_>) -> Option<Taint> {
    taint_of_use_at(place, text, used, 0)
}

fn taint_of_use_at(
    place: &Place<'_>,
    text: &str,
    used: &PathUse<'_>,
    depth: usize,
) -> Option<Taint> {
    if let Some(taint) = taint_at(place, &used.path, depth) {
        return Some(taint);
    }
    if !serialised_whole(text, &used.range) {
        return None;
    }
    let triggers: Vec<&str> = place
        .workflow
        .map(|w| w.triggers().iter().map(|t| t.event).collect())
        .unwrap_or_default();
    let mut within = plimsoll_actions::schema::untrusted_contexts_within(&used.path);
    let first = within.next()?;
    let context = std::iter::once(first)
        .chain(within)
        .find(|c| c.events.iter().any(|e| triggers.contains(e)))
        .unwrap_or(first);
    Some(Taint::Context {
        context,
        source: context.path.to_string(),
        via: vec![used.path.clone()],
    })
}

/// Whether the path at `range` of `text` is the whole argument of `toJSON(…)` (any case, as
/// GitHub's function names are).
fn serialised_whole(text: &str, range: &std::ops::Range<usize>) -> bool {
    let (Some(before), Some(after)) = (text.get(..range.start), text.get(range.end..)) else {
        return false;
    };
    let before = before.trim_end();
    let Some(before) = before.strip_suffix('(') else {
        return false;
    };
    let before = before.trim_end();
    before.len() >= 6
        && before
            .get(before.len() - 6..)
            .is_some_and(|name| name.eq_ignore_ascii_case("tojson"))
        && after.trim_start().starts_with(')')
}

fn first_taint(place: &Place<'_>, text: &str, depth: usize) -> Option<Taint> {
    let mut possible = None;
    for used in expression_paths(text) {
        match taint_of_use_at(place, text, &used, depth) {
            Some(taint) if taint.is_certain() => return Some(taint),
            Some(taint) => {
                possible.get_or_insert(taint);
            }
            None => {}
        }
    }
    possible
}

/// What output `name` of step `producer` can hold.
fn step_output_taint(
    place: &Place<'_>,
    producer: &Step<'_>,
    name: &str,
    depth: usize,
) -> Option<Taint> {
    let here = Place {
        step: Some(producer.node),
        ..*place
    };
    if let Some(uses) = producer.uses_node().and_then(Node::as_str) {
        let (what, when) = tainted_action_output(&action_slug(uses), name)?;
        let input = |key: &str| {
            producer.with(key).and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_bool().map(|b| b.to_string()))
            })
        };
        let tainted = match when {
            OutputTaint::Always => true,
            OutputTaint::WhenInput(key, values) => {
                input(key).is_some_and(|v| values.contains(&v.trim()))
            }
            OutputTaint::EscapedUnlessOff(key, since) => {
                let off = input(key).is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
                let before = uses
                    .split_once('@')
                    .and_then(|(_, r)| Version::parse(r))
                    .is_some_and(|v| v.major() < since);
                off || before
            }
        };
        return tainted.then(|| Taint::ActionOutput {
            what,
            via: Vec::new(),
        });
    }
    let script = producer.run()?.as_str()?;
    let writes = output_writes(script, name);
    let mut undecided = writes.is_empty();
    let mut possible = None;
    for value in writes {
        if let Some(taint) = first_taint(&here, value, depth) {
            if taint.is_certain() {
                return Some(taint);
            }
            possible.get_or_insert(taint);
            continue;
        }
        match shell_variable_taint(&here, value, depth) {
            Some(taint) if taint.is_certain() => return Some(taint),
            Some(taint) => {
                possible.get_or_insert(taint);
            }
            None => undecided |= value.contains("$(") || value.contains('`') || value.contains('$'),
        }
    }
    if possible.is_some() {
        return possible;
    }
    (undecided && reads_attacker_text(&here, script)).then(|| Taint::Possible {
        producer: producer.label(),
        via: Vec::new(),
    })
}

/// Whether a step's script or environment reads attacker text: the event payload file, or an
/// attacker-controlled context.
fn reads_attacker_text(place: &Place<'_>, script: &str) -> bool {
    if script.contains("GITHUB_EVENT_PATH") || script.contains("GITHUB_HEAD_REF") {
        return true;
    }
    let in_script = expression_paths(script)
        .iter()
        .any(|used| untrusted_context(&used.path).is_some());
    let in_env = place
        .step
        .and_then(|s| s.get("env"))
        .and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.value.as_str())
        .any(|v| {
            expression_paths(v)
                .iter()
                .any(|used| untrusted_context(&used.path).is_some())
        });
    in_script || in_env
}

/// The taint of the first shell variable (`$NAME`, `${NAME}`) in `value` whose environment
/// value is tainted; `$GITHUB_HEAD_REF` is `github.head_ref`.
fn shell_variable_taint(place: &Place<'_>, value: &str, depth: usize) -> Option<Taint> {
    let mut possible = None;
    for name in shell_variables(value) {
        let taint = if name == "GITHUB_HEAD_REF" {
            taint_at(place, "github.head_ref", depth)
        } else {
            env_value(place, name).and_then(|v| taint_of_value(place, v, depth + 1))
        };
        match taint {
            Some(taint) if taint.is_certain() => return Some(taint),
            Some(taint) => {
                possible.get_or_insert(taint);
            }
            None => {}
        }
    }
    possible
}

/// The names of the shell variables `value` expands (`$NAME`, `${NAME}`, `${NAME:-x}`).
pub(crate) fn shell_variables(value: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let start = if bytes.get(i + 1) == Some(&b'{') {
            i + 2
        } else {
            i + 1
        };
        let end = start
            + value[start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
        if end > start && !bytes[start].is_ascii_digit() {
            names.push(&value[start..end]);
        }
        i = end.max(i + 1);
    }
    names
}

/// The values a `run:` script writes for output `name`: `name=value` on a line that writes
/// `$GITHUB_OUTPUT`, the body of a `name<<EOF` block, or `::set-output name=name::value`.
pub(crate) fn output_writes<'s>(script: &'s str, name: &str) -> Vec<&'s str> {
    let mut values = Vec::new();
    let lines: Vec<&str> = script.lines().collect();
    let writes_output = script.contains("GITHUB_OUTPUT");
    for (index, line) in lines.iter().enumerate() {
        if let Some(at) = line.find("::set-output name=") {
            let rest = &line[at + "::set-output name=".len()..];
            if let Some((key, value)) = rest.split_once("::") {
                if key.trim().eq_ignore_ascii_case(name) {
                    values.push(trim_value(value));
                }
            }
            continue;
        }
        if !writes_output {
            continue;
        }
        let lowered = line.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        for (at, _) in lowered.match_indices(name.as_str()) {
            let before = line[..at].chars().next_back();
            if !matches!(before, None | Some(' ' | '"' | '\'' | '\t')) {
                continue;
            }
            let after = &line[at + name.len()..];
            if let Some(value) = after.strip_prefix('=') {
                let value = value.split(">>").next().unwrap_or(value);
                values.push(trim_value(value));
            } else if let Some(delimiter) = after.strip_prefix("<<") {
                let delimiter = trim_value(delimiter.split(">>").next().unwrap_or(delimiter));
                let body_start = index + 1;
                let body_end = lines[body_start.min(lines.len())..]
                    .iter()
                    .position(|l| !delimiter.is_empty() && l.contains(delimiter))
                    .map_or(lines.len(), |p| body_start + p);
                for body in lines.get(body_start..body_end).unwrap_or_default() {
                    values.push(body);
                }
            }
        }
    }
    values
}

fn trim_value(value: &str) -> &str {
    value
        .trim()
        .trim_end_matches(['"', '\''])
        .trim_start_matches(['"', '\''])
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_values_written_for_an_output() {
        let script = "echo \"title=${{ github.event.issue.title }}\" >> \"$GITHUB_OUTPUT\"\n\
                      echo 'count=3' >> $GITHUB_OUTPUT\n\
                      subtitle=x\n\
                      echo \"body<<EOF\" >> $GITHUB_OUTPUT\n\
                      echo \"$BODY\" >> $GITHUB_OUTPUT\n\
                      echo EOF >> $GITHUB_OUTPUT\n";
        assert_eq!(
            output_writes(script, "title"),
            vec!["${{ github.event.issue.title }}"]
        );
        assert_eq!(output_writes(script, "count"), vec!["3"]);
        assert_eq!(
            output_writes(script, "body"),
            vec!["echo \"$BODY\" >> $GITHUB_OUTPUT"]
        );
        assert!(output_writes(script, "other").is_empty());
        assert_eq!(
            output_writes("echo ::set-output name=ref::$REF", "ref"),
            vec!["$REF"]
        );
        // `subtitle=x` does not write `title`.
        assert_eq!(output_writes(script, "title").len(), 1);
    }

    #[test]
    fn names_shell_variables() {
        assert_eq!(
            shell_variables("a $X ${Y:-z} $1 $$ ${_Z}"),
            vec!["X", "Y", "_Z"]
        );
    }
}
