//! Inline suppressions: `# plimsoll: ignore[rule-name, other-rule] reason` on the offending line
//! or on the line above it. The comment may also start with `//`, `/*`, `--`, `;` or `<!--`, so
//! that a secret in source code or configuration of any language can be suppressed too.

use plimsoll_syntax::{SourceFile, Span};

const MARKER: &str = "plimsoll: ignore[";

/// One suppression comment naming one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The rule name or id as written.
    pub rule: String,
    /// 0-based line of the comment.
    pub line: usize,
    /// Whether the comment stands alone on its line (then it covers the next line).
    pub own_line: bool,
    /// Span of the rule name in the comment.
    pub span: Span,
    /// Whether it suppressed something.
    pub used: bool,
}

/// Every suppression in `source`.
pub fn parse(source: &SourceFile) -> Vec<Suppression> {
    let text = source.text();
    let mut found = Vec::new();
    // Most files hold no suppression: a vectorised search says so faster than `str::contains`.
    if memchr::memmem::find(text.as_bytes(), MARKER.as_bytes()).is_none() {
        return found;
    }
    for (start, _) in text.match_indices(MARKER) {
        let line = source.lines().line_of(start);
        let line_start = source.lines().line_start(line);
        let before = &text[line_start..start];
        let openers = ["#", "//", "/*", "--", ";", "<!--"];
        let positions: Vec<usize> = openers.iter().filter_map(|o| before.rfind(o)).collect();
        if positions.is_empty() {
            continue;
        }
        // `<!--` also holds `--`: the comment stands alone if any opener starts the line.
        let own_line = positions.iter().any(|&p| before[..p].trim().is_empty());
        let names_start = start + MARKER.len();
        let Some(close) = text[names_start..].find(']') else {
            continue;
        };
        let names = &text[names_start..names_start + close];
        if names.contains('\n') {
            continue;
        }
        let mut offset = names_start;
        for name in names.split(',') {
            let trimmed = name.trim();
            let lead = name.len() - name.trim_start().len();
            if !trimmed.is_empty() {
                found.push(Suppression {
                    rule: trimmed.to_string(),
                    line,
                    own_line,
                    span: Span::new(offset + lead, offset + lead + trimmed.len()),
                    used: false,
                });
            }
            offset += name.len() + 1;
        }
    }
    found
}

/// Mark and report whether a finding of `rule` (`name` or `id`) starting on 0-based `line` is
/// suppressed.
pub fn suppress(suppressions: &mut [Suppression], name: &str, id: &str, line: usize) -> bool {
    let mut hit = false;
    for s in suppressions.iter_mut() {
        let covers = s.line == line || (s.own_line && s.line + 1 == line);
        if covers && (s.rule == name || s.rule == id) {
            s.used = true;
            hit = true;
        }
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_spans_and_placement() {
        let src = SourceFile::new(
            "w.yml",
            "a: 1 # plimsoll: ignore[missing-timeout, GHA001] legacy job\n  # plimsoll: ignore[x]\nb: 2\n",
        );
        let mut found = parse(&src);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].rule, "missing-timeout");
        assert_eq!(src.slice(found[1].span), "GHA001");
        assert!(!found[0].own_line);
        assert!(found[2].own_line);
        assert!(suppress(&mut found, "x", "X1", 2));
        assert!(!suppress(&mut found, "missing-timeout", "GHA010", 1));
        assert!(suppress(&mut found, "missing-timeout", "GHA010", 0));
    }

    #[test]
    fn comments_of_other_languages() {
        let src = SourceFile::new(
            "a.js",
            // Assembled, so that this file holds no suppression of a rule that reads it.
            format!(
                "const k = 1; // plimsoll: ignore[{}]\n-- plimsoll: ignore[x]\nplimsoll: ignore[y]\n",
                "hardcoded-secret"
            ),
        );
        let found = parse(&src);
        let rules: Vec<&str> = found.iter().map(|s| s.rule.as_str()).collect();
        assert_eq!(rules, ["hardcoded-secret", "x"]);
        assert!(!found[0].own_line);
        assert!(found[1].own_line);
    }
}
