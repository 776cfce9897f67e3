//! `.dockerignore` files, with Docker's own pattern semantics.
//!
//! As in moby's `patternmatcher`: each line is a pattern (`#` starts a comment line); leading
//! and trailing whitespace is trimmed; a leading `!` makes an exception; patterns are cleaned
//! (`./a/../b` → `b`, a leading `/` dropped) and anchored at the context root, unlike
//! `.gitignore` (`target` is only the root `target`; `**/target` is any); `*` and `?` stay
//! within one path segment, `**` spans any number of segments; a pattern that matches a folder
//! excludes everything inside it; the last matching pattern wins.

/// A parsed `.dockerignore`.
///
/// The cleaned patterns live in one string, each a range of it: a file of millions of
/// one-character lines costs a few bytes per pattern, not a string and its allocation each.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    text: String,
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug)]
struct Pattern {
    start: u32,
    end: u32,
    exception: bool,
}

impl DockerIgnore {
    /// Parse the text of a `.dockerignore`.
    pub fn parse(text: &str) -> Self {
        let mut ignore = DockerIgnore::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(pattern);
            let start = ignore.text.len();
            ignore.text.push_str(&cleaned);
            // Offsets past 4 GiB cannot come from a file under any sane size limit.
            let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(ignore.text.len()))
            else {
                break;
            };
            if start < end {
                ignore.patterns.push(Pattern {
                    start,
                    end,
                    exception,
                });
            }
        }
        ignore
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let mut excluded = false;
        for pattern in &self.patterns {
            let glob = &self.text[pattern.start as usize..pattern.end as usize];
            let matched = prefixes(&path).any(|candidate| glob_match(glob, candidate));
            if matched {
                excluded = !pattern.exception;
            }
        }
        excluded
    }
}

/// `a`, `a/b`, `a/b/c` for `a/b/c`: a pattern matching a parent excludes the children.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .map(move |(i, _)| &path[..i])
        .chain(std::iter::once(path))
}

/// Go's `filepath.Clean` for `/`-separated relative patterns.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.trim_start_matches('/').split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Match `text` against a glob where `*`/`?` do not cross `/` and `**` does.
///
/// Dynamic programming over (pattern position, text position), so hostile patterns such as
/// `*a*a*a*a*b` cost O(pattern × text), never exponential time.
fn glob_match(pattern: &str, text: &str) -> bool {
    let tokens = tokenize(pattern);
    let t: Vec<char> = text.chars().collect();
    // `reachable[j]`: the tokens so far can match exactly `t[..j]`.
    let mut reachable = vec![false; t.len() + 1];
    reachable[0] = true;
    for token in &tokens {
        let mut next = vec![false; t.len() + 1];
        match token {
            Token::AnyPath => {
                // Any run of characters, slashes included, or none.
                let mut open = false;
                for j in 0..=t.len() {
                    open |= reachable[j];
                    next[j] = open;
                }
            }
            Token::AnySegment => {
                let mut open = false;
                for j in 0..=t.len() {
                    open |= reachable[j];
                    next[j] = open;
                    if j < t.len() && t[j] == '/' {
                        open = false;
                    }
                }
            }
            Token::One(matcher) => {
                for j in 0..t.len() {
                    if reachable[j] && matcher.matches(t[j]) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reachable = next;
        if !reachable.iter().any(|r| *r) {
            return false;
        }
    }
    reachable[t.len()]
}

enum Token {
    /// `**` (with its `/` when one follows): any characters, slashes included, or none.
    AnyPath,
    /// `*`: any characters within one segment.
    AnySegment,
    /// One character matched by a literal, `?` or a class.
    One(CharMatcher),
}

enum CharMatcher {
    Literal(char),
    AnyButSlash,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl CharMatcher {
    fn matches(&self, c: char) -> bool {
        match self {
            CharMatcher::Literal(l) => *l == c,
            CharMatcher::AnyButSlash => c != '/',
            CharMatcher::Class { negated, ranges } => {
                c != '/' && ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
        }
    }
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let p: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' if p.get(i + 1) == Some(&'*') => {
                i += 2;
                while p.get(i) == Some(&'*') {
                    i += 1;
                }
                // `**/x` also matches `x`: the slash is part of the any-path run.
                if p.get(i) == Some(&'/') {
                    i += 1;
                }
                tokens.push(Token::AnyPath);
            }
            '*' => {
                tokens.push(Token::AnySegment);
                i += 1;
            }
            '?' => {
                tokens.push(Token::One(CharMatcher::AnyButSlash));
                i += 1;
            }
            '[' => match p[i + 1..].iter().position(|c| *c == ']') {
                Some(offset) => {
                    let class = &p[i + 1..i + 1 + offset];
                    let (negated, class) = match class.first() {
                        Some('^' | '!') => (true, &class[1..]),
                        _ => (false, class),
                    };
                    let mut ranges = Vec::new();
                    let mut k = 0;
                    while k < class.len() {
                        if class.get(k + 1) == Some(&'-') && k + 2 < class.len() {
                            ranges.push((class[k], class[k + 2]));
                            k += 3;
                        } else {
                            ranges.push((class[k], class[k]));
                            k += 1;
                        }
                    }
                    tokens.push(Token::One(CharMatcher::Class { negated, ranges }));
                    i += offset + 2;
                }
                None => {
                    tokens.push(Token::One(CharMatcher::Literal('[')));
                    i += 1;
                }
            },
            '\\' if i + 1 < p.len() => {
                tokens.push(Token::One(CharMatcher::Literal(p[i + 1])));
                i += 2;
            }
            c => {
                tokens.push(Token::One(CharMatcher::Literal(c)));
                i += 1;
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_semantics() {
        let ignore = DockerIgnore::parse(
            "# comment\n.git\n/target/\n**/node_modules\n*.md\n!README.md\n.env*\n!.env.example\n",
        );
        assert!(ignore.excludes(".git"));
        assert!(ignore.excludes(".git/config"));
        assert!(ignore.excludes("target"));
        assert!(ignore.excludes("target/release/app"));
        assert!(!ignore.excludes("crates/x/target"), "anchored at the root");
        assert!(ignore.excludes("node_modules"));
        assert!(ignore.excludes("web/node_modules/x"));
        assert!(ignore.excludes("CHANGELOG.md"));
        assert!(
            !ignore.excludes("docs/guide.md"),
            "`*` stays in one segment"
        );
        assert!(!ignore.excludes("README.md"), "the last match wins");
        assert!(ignore.excludes(".env"));
        assert!(ignore.excludes(".env.local"));
        assert!(!ignore.excludes(".env.example"));
        assert!(!ignore.excludes("src/main.rs"));
    }

    #[test]
    fn wildcards_classes_and_cleaning() {
        let ignore = DockerIgnore::parse("./build/../dist\n[Tt]mp?\n**\n!src\n");
        assert!(ignore.excludes("dist"));
        assert!(!ignore.excludes("src"));
        assert!(ignore.excludes("Tmp1"));
        let everything = DockerIgnore::parse("*\n");
        assert!(everything.excludes(".git"));
        assert!(!DockerIgnore::parse("").excludes(".git"));
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        let pattern = "*a".repeat(200) + "b";
        let ignore = DockerIgnore::parse(&pattern);
        assert!(!ignore.excludes(&"a".repeat(5_000)));
        let stars = "**/".repeat(100) + "x";
        let deep = "d/".repeat(500) + "x";
        assert!(DockerIgnore::parse(&stars).excludes(&deep));
    }
}
