//! The fix of `template-injection`: move an expression out of a `run:` script into the step's
//! `env:` and let the shell read the variable, which it treats as data.
//!
//! Each occurrence of the expression in the script is replaced according to where it sits:
//! in a plain word `"$NAME"`, inside double quotes `${NAME}`, inside single quotes
//! `'"$NAME"'` (unsafe), in an unquoted here-document `${NAME}` (unsafe); PowerShell reads
//! `$env:NAME`. `cmd` gets no fix: it expands `%NAME%` before it parses the line, so the value
//! would still run as code.

use plimsoll_actions::{Job, Step, Workflow};
use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::{Node, ScalarStyle};

use super::common::defaults_shell;
use crate::fix::{append_to_mapping, Applicability, Edit, Fix};

/// The shell language a `run:` script is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    /// `bash`, `sh` and the default on Linux and macOS runners.
    Posix,
    /// `pwsh`, `powershell` and the default on Windows runners.
    PowerShell,
}

/// The language of the script a fix rewrites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Language {
    /// A `run:` script, in the step's shell.
    Shell,
    /// The `script:` of `actions/github-script`.
    JavaScript,
}

/// Where an expression sits in a JavaScript script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsQuoting {
    /// In code: the expression was pasted as code (a number, an object literal…).
    Code,
    /// In a `'…'` or `"…"` string: the quote character.
    String(char),
    /// In a `` `…` `` template literal's text.
    Template,
    /// In a comment.
    Comment,
}

/// How a JavaScript `script` (expressions masked) quotes byte `at`: strings, template literals
/// and their `${ }` substitutions, comments.
fn js_quoting_at(script: &str, at: usize) -> JsQuoting {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        String(u8),
        Template,
    }
    let bytes = script.as_bytes();
    let mut stack = vec![State::Code];
    let mut i = 0;
    while i < bytes.len() && i < at {
        let state = *stack.last().unwrap_or(&State::Code);
        let byte = bytes[i];
        match state {
            State::String(quote) => {
                if byte == b'\\' {
                    i += 1;
                } else if byte == quote || byte == b'\n' {
                    stack.pop();
                }
            }
            State::Template => {
                if byte == b'\\' {
                    i += 1;
                } else if byte == b'`' {
                    stack.pop();
                } else if byte == b'$' && bytes.get(i + 1) == Some(&b'{') {
                    stack.push(State::Code);
                    i += 1;
                }
            }
            State::Code => {
                if byte == b'\'' || byte == b'"' {
                    stack.push(State::String(byte));
                } else if byte == b'`' {
                    stack.push(State::Template);
                } else if byte == b'{' {
                    stack.push(State::Code);
                } else if byte == b'}' && stack.len() > 1 {
                    stack.pop();
                } else if byte == b'/' && bytes.get(i + 1) == Some(&b'/') {
                    let end = script[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    if (i..end).contains(&at) {
                        return JsQuoting::Comment;
                    }
                    i = end;
                    continue;
                } else if byte == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    let end = script[i + 2..]
                        .find("*/")
                        .map_or(bytes.len(), |n| i + 2 + n + 2);
                    if (i..end).contains(&at) {
                        return JsQuoting::Comment;
                    }
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    match stack.last() {
        Some(State::String(quote)) => JsQuoting::String(char::from(*quote)),
        Some(State::Template) => JsQuoting::Template,
        _ => JsQuoting::Code,
    }
}

/// How a JavaScript script reads the variable `name` at a place quoted as `quoting`.
fn js_reference(name: &str, quoting: JsQuoting) -> (String, Applicability) {
    match quoting {
        JsQuoting::String(quote) => (
            format!("{quote} + process.env.{name} + {quote}"),
            Applicability::Safe,
        ),
        JsQuoting::Template => (format!("${{process.env.{name}}}"), Applicability::Safe),
        JsQuoting::Comment => (format!("process.env.{name}"), Applicability::Safe),
        // Pasted as code, the value was a number or an object; the variable is a string.
        JsQuoting::Code => (format!("process.env.{name}"), Applicability::Unsafe),
    }
}

/// The `shell:` that runs the step: its own, the job's default, the workflow's default, or
/// the runner's (PowerShell on Windows, bash elsewhere); `Err` when that cannot be told or the
/// shell has no safe way to read a variable.
fn dialect(
    step: &Step<'_>,
    job: Option<&Job<'_>>,
    workflow: Option<Workflow<'_>>,
) -> Result<Dialect, String> {
    let explicit = step
        .node
        .get("shell")
        .or_else(|| job.and_then(|job| defaults_shell(job.node)))
        .or_else(|| workflow.and_then(|workflow| defaults_shell(workflow.root)));
    if let Some(shell) = explicit {
        let shell = shell.as_str().unwrap_or("");
        let program = shell.split_whitespace().next().unwrap_or("");
        return match plimsoll_syntax::shell::program_name(program) {
            "bash" | "sh" => Ok(Dialect::Posix),
            "pwsh" | "powershell" => Ok(Dialect::PowerShell),
            "cmd" => Err("`cmd` expands `%NAME%` before it parses the line, so the value would still run as code".to_string()),
            other => Err(format!("the step runs with `{other}`, whose variables the fix does not write")),
        };
    }
    let Some(job) = job else {
        return Err("a composite action's step without `shell:`".to_string());
    };
    let runs_on = job
        .runs_on()
        .map(|runs_on| scalar_texts(runs_on.value))
        .unwrap_or_default();
    let lower = runs_on.to_ascii_lowercase();
    if lower.contains("windows") {
        return Ok(Dialect::PowerShell);
    }
    if lower.contains("${{") {
        // `runs-on: ${{ matrix.os }}`: Windows when the matrix names it.
        let strategy = job
            .node
            .get("strategy")
            .map(scalar_texts)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if strategy.contains("windows")
            || !strategy.contains("ubuntu") && !strategy.contains("macos")
        {
            return Err(
                "the runner, hence the default shell, is chosen by an expression".to_string(),
            );
        }
    }
    Ok(Dialect::Posix)
}

/// Every scalar under `node`, joined by newlines.
fn scalar_texts(node: &Node) -> String {
    if let Some(text) = node.as_str() {
        return text.to_string();
    }
    let children: Vec<&Node> = match (node.as_mapping(), node.as_sequence()) {
        (Some(entries), _) => entries.iter().map(|entry| &entry.value).collect(),
        (_, Some(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    children
        .into_iter()
        .map(scalar_texts)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where an expression sits in a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    /// Outside quotes; `whole_word` when nothing but separators surrounds it.
    Plain { whole_word: bool },
    /// Inside double quotes.
    Double,
    /// Inside single quotes, where the shell expands nothing.
    Single,
    /// In a here-document's body; `quoted` when its delimiter is quoted (nothing is expanded).
    HereDocument { quoted: bool },
}

/// How the script quotes byte `at` (the start of an expression of `len` bytes): a small scan
/// of quotes, escapes, `$( )`, backticks, comments and here-documents. `script` has its
/// expressions masked so that their text is opaque.
fn quoting_at(script: &str, at: usize, len: usize, dialect: Dialect) -> Quoting {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Plain,
        Double,
        Single,
        Backtick,
    }
    let bytes = script.as_bytes();
    let escape = match dialect {
        Dialect::Posix => b'\\',
        Dialect::PowerShell => b'`',
    };
    let mut stack = vec![State::Plain];
    let mut heredocs: Vec<(String, bool, bool)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let state = *stack.last().unwrap_or(&State::Plain);
        if i == at {
            return match state {
                State::Plain | State::Backtick => Quoting::Plain {
                    whole_word: is_separator(bytes, at.checked_sub(1))
                        && is_separator(bytes, Some(at + len)),
                },
                State::Double => Quoting::Double,
                State::Single => Quoting::Single,
            };
        }
        let byte = bytes[i];
        match state {
            State::Single => {
                if byte == b'\'' {
                    stack.pop();
                }
            }
            State::Double => {
                if byte == escape {
                    i += 1;
                } else if byte == b'"' {
                    stack.pop();
                } else if byte == b'$' && bytes.get(i + 1) == Some(&b'(') {
                    stack.push(State::Plain);
                    i += 1;
                } else if byte == b'`' && dialect == Dialect::Posix {
                    stack.push(State::Backtick);
                }
            }
            State::Plain | State::Backtick => {
                if byte == escape {
                    i += 1;
                } else if byte == b'\'' {
                    stack.push(State::Single);
                } else if byte == b'"' {
                    stack.push(State::Double);
                } else if byte == b'`' && dialect == Dialect::Posix {
                    if state == State::Backtick {
                        stack.pop();
                    } else {
                        stack.push(State::Backtick);
                    }
                } else if byte == b'(' {
                    // `$(`, a subshell or a PowerShell group: quotes start afresh inside.
                    stack.push(State::Plain);
                } else if byte == b')' && stack.len() > 1 {
                    stack.pop();
                } else if byte == b'#' && is_separator(bytes, i.checked_sub(1)) {
                    let end = script[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    if (i..end).contains(&at) {
                        return Quoting::Plain { whole_word: false };
                    }
                    i = end;
                    continue;
                } else if dialect == Dialect::Posix
                    && byte == b'<'
                    && bytes.get(i + 1) == Some(&b'<')
                    && bytes.get(i + 2) == Some(&b'<')
                {
                    // `<<<`, a here-string: its word is quoted as any other.
                    i += 3;
                    continue;
                } else if dialect == Dialect::Posix
                    && byte == b'<'
                    && bytes.get(i + 1) == Some(&b'<')
                {
                    if let Some((delimiter, quoted, strip, next)) = heredoc_opening(script, i + 2) {
                        heredocs.push((delimiter, quoted, strip));
                        i = next;
                        continue;
                    }
                } else if byte == b'\n' && !heredocs.is_empty() {
                    // The bodies start on the next line, one after the other.
                    let mut line_start = i + 1;
                    for (delimiter, quoted, strip) in std::mem::take(&mut heredocs) {
                        loop {
                            if line_start >= bytes.len() {
                                break;
                            }
                            let line_end = script[line_start..]
                                .find('\n')
                                .map_or(bytes.len(), |n| line_start + n);
                            let line = &script[line_start..line_end];
                            let line = if strip {
                                line.trim_start_matches('\t')
                            } else {
                                line
                            };
                            let done = line == delimiter;
                            if !done && (line_start..line_end).contains(&at) {
                                return Quoting::HereDocument { quoted };
                            }
                            line_start = line_end + 1;
                            if done {
                                break;
                            }
                        }
                    }
                    i = line_start;
                    continue;
                }
            }
        }
        i += 1;
    }
    Quoting::Plain { whole_word: false }
}

/// The delimiter of a here-document whose `<<` ends just before `from`: its word, whether it
/// is quoted (`'EOF'`, `"EOF"`, `\EOF`: the body is then not expanded), whether `<<-` strips
/// tabs, and where the scan goes on.
fn heredoc_opening(script: &str, from: usize) -> Option<(String, bool, bool, usize)> {
    let bytes = script.as_bytes();
    let mut i = from;
    let strip = bytes.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    let mut quoted = false;
    let quote = match bytes.get(i) {
        Some(b'\'') => Some(b'\''),
        Some(b'"') => Some(b'"'),
        Some(b'\\') => {
            quoted = true;
            i += 1;
            None
        }
        _ => None,
    };
    if quote.is_some() {
        quoted = true;
        i += 1;
    }
    let start = i;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        i += 1;
    }
    let word = script.get(start..i)?.to_string();
    if word.is_empty() {
        return None;
    }
    if quote.is_some() && bytes.get(i).copied() == quote {
        i += 1;
    }
    Some((word, quoted, strip, i))
}

/// Whether the byte at `at` separates words (or `at` is outside the script).
fn is_separator(bytes: &[u8], at: Option<usize>) -> bool {
    match at.and_then(|at| bytes.get(at)) {
        None => true,
        Some(byte) => matches!(
            byte,
            b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'(' | b')'
        ),
    }
}

/// How many expressions a script may hold for the fix to rewrite it.
const MAX_EXPRESSIONS: usize = 200;

/// The name of the environment variable that holds `expression`: its first context path's
/// last two meaningful parts, upper-cased (`github.event.pull_request.title` →
/// `PULL_REQUEST_TITLE`, `github.head_ref` → `HEAD_REF`, `steps.meta.outputs.tag` →
/// `META_TAG`). `GITHUB_` and `RUNNER_` names are the runner's own and are never produced.
fn variable_name(path: &str) -> String {
    let parts: Vec<&str> = path
        .strip_prefix("github.event.")
        .or_else(|| path.strip_prefix("github."))
        .unwrap_or(path)
        .split('.')
        .filter(|part| {
            !matches!(
                *part,
                "*" | "outputs" | "steps" | "needs" | "inputs" | "env"
            )
        })
        .collect();
    let tail = &parts[parts.len().saturating_sub(2)..];
    let mut name: String = tail
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "VALUE_");
    }
    if name.starts_with("GITHUB_") || name.starts_with("RUNNER_") {
        name.insert_str(0, "EVENT_");
    }
    name
}

/// Whether `path` names a value that cannot hold blanks: a Git ref or branch name
/// (`git check-ref-format` forbids spaces), a `user:branch` label, a commit SHA. Split into
/// words or not, it reads the same.
fn holds_no_blanks(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(
        last,
        "head_ref" | "base_ref" | "ref" | "ref_name" | "label" | "head_branch" | "sha" | "head_sha"
    )
}

/// `value` as a YAML scalar on one line: plain when that reads back the same, double-quoted
/// otherwise.
fn yaml_scalar(value: &str) -> String {
    let plain = !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.starts_with(|c: char| "!&*?|>'\"%@`#,[]{}-".contains(c) && c != '-');
    if plain {
        return value.to_string();
    }
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `replacement` written into the source of a scalar of `style`: escaped inside YAML quotes.
fn in_yaml(replacement: &str, style: ScalarStyle) -> String {
    match style {
        ScalarStyle::DoubleQuoted => replacement.replace('\\', "\\\\").replace('"', "\\\""),
        ScalarStyle::SingleQuoted => replacement.replace('\'', "''"),
        _ => replacement.to_string(),
    }
}

/// Where the step's script reads a variable, with its applicability; `Err` when the fix cannot
/// keep the script's meaning there. `braced` when a name character follows, which `$NAME`
/// would swallow; `glued` when anything but a separator follows.
fn reference(
    name: &str,
    quoting: Quoting,
    dialect: Dialect,
    no_blanks: bool,
    braced: bool,
    glued: bool,
) -> Result<(String, Applicability), String> {
    use Applicability::{Safe, Unsafe};
    match (dialect, quoting) {
        (Dialect::Posix, Quoting::Plain { .. }) => {
            // Unquoted, the pasted value was split into words and globbed; quoted, it is not:
            // the same for a value without blanks, a change for a title.
            let applicability = if no_blanks { Safe } else { Unsafe };
            Ok((format!("\"${name}\""), applicability))
        }
        (Dialect::Posix, Quoting::Double) if braced => Ok((format!("${{{name}}}"), Safe)),
        (Dialect::Posix, Quoting::Double) => Ok((format!("${name}"), Safe)),
        (Dialect::Posix, Quoting::Single) => Ok((format!("'\"${name}\"'"), Unsafe)),
        (Dialect::Posix, Quoting::HereDocument { quoted: false }) => {
            Ok((format!("${{{name}}}"), Unsafe))
        }
        (Dialect::Posix, Quoting::HereDocument { quoted: true }) => Err(
            "the expression is in a quoted here-document, which expands no variable".to_string(),
        ),
        (Dialect::PowerShell, Quoting::Plain { .. }) if glued => Err(
            "in PowerShell, what follows the expression (`.tar.gz`) would be read as a property of the variable".to_string(),
        ),
        (Dialect::PowerShell, Quoting::Plain { .. }) => {
            let applicability = if no_blanks { Safe } else { Unsafe };
            Ok((format!("$env:{name}"), applicability))
        }
        (Dialect::PowerShell, Quoting::Double) => Ok((format!("${{env:{name}}}"), Safe)),
        (Dialect::PowerShell, _) => Err(
            "the expression is in a single-quoted PowerShell string, which expands no variable"
                .to_string(),
        ),
    }
}

/// The fix that moves `expression` (the text between `${{` and `}}`, trimmed; its first
/// context path `path`) out of `script` (the `run:` of `step`, or the `script:` of
/// `actions/github-script`, as `language` says) into the step's `env:`; or why there is none.
#[allow(clippy::too_many_arguments)]
pub(crate) fn move_to_env(
    text: &str,
    step: &Step<'_>,
    job: Option<&Job<'_>>,
    workflow: Option<Workflow<'_>>,
    script: &Node,
    language: Language,
    expression: &str,
    path: &str,
) -> Result<Fix, String> {
    let dialect = match language {
        Language::Shell => dialect(step, job, workflow)?,
        Language::JavaScript => Dialect::Posix,
    };
    let value = script.as_str().ok_or("the script is not a string")?;
    // Each occurrence is located by a scan of the script: a generated script of thousands of
    // expressions is left to rewrite by hand rather than scanned thousands of times.
    if expr::find(value).len() > MAX_EXPRESSIONS {
        return Err(format!(
            "the script holds more than {MAX_EXPRESSIONS} expressions"
        ));
    }
    let style = script.scalar_style().ok_or("the script is not a string")?;
    let env = step.node.get("env");
    let entries = env.and_then(Node::as_mapping).unwrap_or_default();
    if env.is_some_and(|env| env.as_mapping().is_none() && !env.is_null()) {
        return Err("the step's `env:` is not a mapping".to_string());
    }
    // `${{ env.NAME }}` is already in the environment.
    let env_name = path
        .strip_prefix("env.")
        .filter(|name| expression.eq_ignore_ascii_case(&format!("env.{name}")))
        .and_then(|_| expression.get(4..))
        .filter(|name| is_shell_name(name));
    let wanted = format!("${{{{ {expression} }}}}");
    let (name, new_entry) = match env_name {
        Some(name) => (name.to_string(), false),
        None => {
            let existing = entries.iter().find(|entry| {
                entry
                    .value
                    .as_str()
                    .is_some_and(|v| v.trim() == wanted || expr_inner(v) == Some(expression))
            });
            match existing
                .and_then(|entry| entry.key.as_str())
                .filter(|k| is_shell_name(k))
            {
                Some(key) => (key.to_string(), false),
                None => (unique_name(&variable_name(path), entries, value), true),
            }
        }
    };
    let masked = expr::mask(value);
    let no_blanks = holds_no_blanks(path);
    let mut edits = Vec::new();
    let mut applicability = Applicability::Safe;
    for occurrence in expr::find(value) {
        let inner = value
            .get(occurrence.inner.start..occurrence.inner.end)
            .unwrap_or("")
            .trim();
        if inner != expression || !occurrence.terminated {
            continue;
        }
        let mut range = occurrence.span.start..occurrence.span.end;
        // A string that is nothing but the expression (`'${{ x }}'`) loses its quotes.
        let lone_in = |quote: char| {
            value[..range.start].ends_with(quote) && value[range.end..].starts_with(quote)
        };
        let (replacement, safety) = match language {
            Language::Shell => {
                let quoting = quoting_at(&masked, range.start, range.len(), dialect);
                let braced =
                    value[range.end..].starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric());
                let glued = !is_separator(masked.as_bytes(), Some(range.end));
                let reference = reference(&name, quoting, dialect, no_blanks, braced, glued)?;
                if quoting == Quoting::Single && dialect == Dialect::Posix && lone_in('\'') {
                    range = range.start - 1..range.end + 1;
                    (format!("\"${name}\""), reference.1)
                } else {
                    reference
                }
            }
            Language::JavaScript => match js_quoting_at(&masked, range.start) {
                JsQuoting::String(quote) if lone_in(quote) => {
                    range = range.start - 1..range.end + 1;
                    (format!("process.env.{name}"), Applicability::Safe)
                }
                quoting => js_reference(&name, quoting),
            },
        };
        applicability = applicability.min(safety);
        let span = script.locate(text, range.clone());
        if text.get(span.start..span.end) != value.get(range.clone()) {
            return Err("the expression is written across lines or with escapes".to_string());
        }
        if span.start == script.span.start && style == ScalarStyle::Plain {
            return Err("the script starts with the expression".to_string());
        }
        edits.push(Edit::replace(span, in_yaml(&replacement, style)));
    }
    if edits.is_empty() {
        return Err("the expression could not be found in the script".to_string());
    }
    if new_entry {
        let line = format!("{name}: {}", yaml_scalar(&wanted));
        let insertion = match env.filter(|env| !env.is_null()) {
            Some(env) => append_to_mapping(text, env, &[line]),
            None if env.is_none() => {
                append_to_mapping(text, step.node, &["env:".to_string(), format!("  {line}")])
            }
            None => None,
        };
        edits
            .push(insertion.ok_or("the step's `env:` is written in a form the fix cannot extend")?);
    }
    let reads = match (language, dialect) {
        (Language::JavaScript, _) => format!("process.env.{name}"),
        (Language::Shell, Dialect::Posix) => format!("\"${name}\""),
        (Language::Shell, Dialect::PowerShell) => format!("$env:{name}"),
    };
    let message = if new_entry {
        format!(
            "move `${{{{ {expression} }}}}` into `env: {name}` and read `{reads}` in the script"
        )
    } else {
        format!("read `{reads}` (already in the environment) instead of `${{{{ {expression} }}}}`")
    };
    Ok(Fix::new(applicability, message, edits))
}

/// The text between `${{` and `}}` of a value that is one expression, trimmed.
fn expr_inner(value: &str) -> Option<&str> {
    let value = value.trim();
    Some(value.strip_prefix("${{")?.strip_suffix("}}")?.trim())
}

/// Whether `name` can be read as `$name` by a shell.
fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `base`, or `base_2`, `base_3`…: the first that is neither a key of the step's `env:` nor
/// read in the script already.
fn unique_name(base: &str, entries: &[plimsoll_syntax::yaml::Entry], script: &str) -> String {
    let taken = |name: &str| {
        entries.iter().any(|entry| {
            entry
                .key
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case(name))
        }) || script.contains(&format!("${name}"))
            || script.contains(&format!("${{{name}}}"))
            || script.contains(&format!("env:{name}"))
    };
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoting(script: &str) -> Quoting {
        let at = script.find("${{").unwrap();
        let len = script[at..].find("}}").unwrap() + 2;
        quoting_at(&expr::mask(script), at, len, Dialect::Posix)
    }

    #[test]
    fn tells_where_an_expression_sits() {
        assert_eq!(
            quoting("echo ${{ x }}"),
            Quoting::Plain { whole_word: true }
        );
        assert_eq!(
            quoting("echo a${{ x }}"),
            Quoting::Plain { whole_word: false }
        );
        assert_eq!(quoting("echo \"t: ${{ x }}\""), Quoting::Double);
        assert_eq!(quoting("echo 'it''s ${{ x }}'"), Quoting::Single);
        assert_eq!(
            quoting("echo \"$(printf '%s' ${{ x }})\""),
            Quoting::Plain { whole_word: true }
        );
        assert_eq!(quoting("echo \"it's ${{ x }}\""), Quoting::Double);
        assert_eq!(
            quoting("cat <<EOF\nbody ${{ x }}\nEOF\n"),
            Quoting::HereDocument { quoted: false }
        );
        assert_eq!(
            quoting("cat <<-'EOF' > f\n\tbody ${{ x }}\n\tEOF\n"),
            Quoting::HereDocument { quoted: true }
        );
        assert_eq!(
            quoting("cat <<EOF\nbody\nEOF\necho \"${{ x }}\""),
            Quoting::Double
        );
        assert_eq!(quoting("read -ra FILES <<< \"${{ x }}\""), Quoting::Double);
    }

    #[test]
    fn tells_where_an_expression_sits_in_javascript() {
        let quoting = |script: &str| {
            let at = script.find("${{").unwrap();
            js_quoting_at(&expr::mask(script), at)
        };
        assert_eq!(quoting("core.info('t: ${{ x }}')"), JsQuoting::String('\''));
        assert_eq!(quoting("core.info(\"${{ x }}\")"), JsQuoting::String('"'));
        assert_eq!(quoting("core.info(`a ${b} ${{ x }}`)"), JsQuoting::Template);
        assert_eq!(quoting("const n = ${{ x }};"), JsQuoting::Code);
        assert_eq!(quoting("// it's ${{ x }}"), JsQuoting::Comment);
        assert_eq!(
            quoting("if (a) { f('}') }\nconst t = '${{ x }}'"),
            JsQuoting::String('\'')
        );
    }

    #[test]
    fn names_variables_after_the_expression() {
        assert_eq!(
            variable_name("github.event.pull_request.title"),
            "PULL_REQUEST_TITLE"
        );
        assert_eq!(variable_name("github.head_ref"), "HEAD_REF");
        assert_eq!(variable_name("steps.meta.outputs.tag"), "META_TAG");
        assert_eq!(
            variable_name("github.event.commits.*.message"),
            "COMMITS_MESSAGE"
        );
        assert_eq!(variable_name("inputs.name"), "NAME");
    }
}
