use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

use super::common::{contains_ignore_ascii_case, job_and_step_rule, Owner};
use crate::declare_rule;
use crate::finding::Sink;

declare_rule! {
    /// ## What it does
    /// Flags an `if:` that trusts a bot by comparing `github.actor` (or
    /// `github.triggering_actor`) with a `[bot]` account, as in
    /// `github.actor == 'dependabot[bot]'`.
    ///
    /// ## Why is this bad?
    /// The actor is whoever caused the latest event, not who wrote the code being run. When a
    /// bot acts on someone else's pull request (Dependabot asked to rebase or recreate it, a
    /// bot that merges or updates branches), the run's actor is the bot while the code is the
    /// attacker's: the condition meant for the bot's own updates (auto-merge, secrets, write
    /// tokens) lets them through.
    ///
    /// ## Example
    /// ```yaml
    /// - name: Auto-merge
    ///   if: github.actor == 'dependabot[bot]'
    ///   run: gh pr merge --auto --squash "$PR_URL"
    /// ```
    ///
    /// ## Use instead
    /// Check who opened the pull request:
    /// ```yaml
    /// - name: Auto-merge
    ///   if: github.event.pull_request.user.login == 'dependabot[bot]'
    ///   run: gh pr merge --auto --squash "$PR_URL"
    /// ```
    pub struct SpoofableBotCondition {
        id: "GHA036",
        name: "spoofable-bot-condition",
        severity: Warning,
        domain: GithubActions,
        summary: "An `if:` trusts `github.actor` to be a bot",
        help: "compare `github.event.pull_request.user.login` (who opened the pull request), not `github.actor`",
    }
}

/// The actor contexts an `if:` may compare, as they read once normalized.
const ACTORS: &[&str] = &["github.actor", "github.triggering_actor"];

/// `text` lowercased with white space outside string literals removed, and property indexes
/// written as dereferences (`github['actor']` is `github.actor`, GitHub's two syntaxes for one
/// property), so that comparisons read one way (`github.actor=='dependabot[bot]'`).
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    for c in text.chars() {
        if c == '\'' {
            in_string = !in_string;
        }
        if in_string || !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    dereference_indexes(&out)
}

/// `x['name']` rewritten as `x.name` where `name` is a property name (letters, digits, `_`,
/// `-`); other indexes (`x[0]`, `x[y]`) are kept.
fn dereference_indexes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("['") {
        let after = &rest[at + 2..];
        let name_len = after
            .find('\'')
            .filter(|&end| {
                end > 0
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            })
            .filter(|&end| after[end + 1..].starts_with(']'));
        let follows_a_name =
            rest[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ']'));
        match name_len {
            Some(end) if follows_a_name => {
                out.push_str(&rest[..at]);
                out.push('.');
                out.push_str(&after[..end]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The bot compared with an actor context by `==` in the normalized expression `text`.
fn trusted_bot(text: &str) -> Option<(&'static str, String)> {
    for actor in ACTORS {
        // `github.actor == 'x[bot]'`
        let forward = format!("{actor}=='");
        let mut rest = text;
        while let Some(at) = rest.find(&forward) {
            let literal = &rest[at + forward.len()..];
            let boundary = at == 0
                || !rest[..at]
                    .ends_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if let Some(end) = literal.find('\'') {
                if boundary && literal[..end].ends_with("[bot]") {
                    return Some((actor, literal[..end].to_string()));
                }
            }
            rest = &rest[at + forward.len()..];
        }
        // `'x[bot]' == github.actor`
        let backward = format!("[bot]'=={actor}");
        if let Some(at) = text.find(&backward) {
            let after = &text[at + backward.len()..];
            if !after
                .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                if let Some(start) = text[..at].rfind('\'') {
                    return Some((actor, format!("{}[bot]", &text[start + 1..at])));
                }
            }
        }
    }
    None
}

fn check(owner: Owner<'_>, node: &Node, out: &mut Sink) {
    let Some(entry) = node.entry("if") else {
        return;
    };
    let Some(text) = entry.value.as_str() else {
        return;
    };
    // Both forms [`trusted_bot`] reads compare with a `'…[bot]'` literal, which normalizing
    // leaves as written but for its case: most conditions name no bot.
    if !contains_ignore_ascii_case(text, "[bot]") {
        return;
    }
    let occurrences = expr::find(text);
    let expressions: Vec<&str> = if occurrences.is_empty() {
        vec![text]
    } else {
        occurrences
            .iter()
            .map(|o| &text[o.inner.start..o.inner.end])
            .collect()
    };
    for expression in expressions {
        if let Some((actor, bot)) = trusted_bot(&normalize(expression)) {
            out.report(
                &SpoofableBotCondition::META,
                entry.key.span.cover(entry.value.span),
                format!("{owner} trusts `{actor} == '{bot}'`: the actor is whoever caused the latest event, so a pull request the bot merely touched (a rebase, an update) passes with someone else's code"),
            );
            return;
        }
    }
}

job_and_step_rule!(SpoofableBotCondition, check);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_comparison_either_way() {
        let bot = |text: &str| trusted_bot(&normalize(text)).map(|(_, bot)| bot);
        assert_eq!(
            bot("github.actor == 'dependabot[bot]'"),
            Some("dependabot[bot]".into())
        );
        assert_eq!(
            bot("'renovate[bot]' == github.triggering_actor && x"),
            Some("renovate[bot]".into())
        );
        assert_eq!(bot("github.actor_id == 'dependabot[bot]'"), None);
        assert_eq!(bot("github.actor != 'dependabot[bot]'"), None);
        assert_eq!(bot("github.actor == 'octocat'"), None);
        assert_eq!(
            bot("github['actor'] == 'dependabot[bot]'"),
            Some("dependabot[bot]".into())
        );
        assert_eq!(
            bot("github['event']['sender']['login'] == 'dependabot[bot]'"),
            None
        );
        assert_eq!(
            bot("github.event.pull_request.user.login == 'dependabot[bot]'"),
            None
        );
    }
}
