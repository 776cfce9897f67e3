//! `.dockerignore` files, with Docker's own pattern semantics.
//!
//! As in moby's `patternmatcher`: each line is a pattern (`#` starts a comment line); leading
//! and trailing whitespace is trimmed; a leading `!` makes an exception; patterns are cleaned
//! (`./a/../b` → `b`, a leading `/` dropped) and anchored at the context root, unlike
//! `.gitignore` (`target` is only the root `target`; `**/target` is any); `*` and `?` stay
//! within one path segment, `**` spans any number of segments; a pattern that matches a folder
//! excludes everything inside it; the last matching pattern wins.

/// A parsed `.dockerignore`.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug)]
struct Pattern {
    text: String,
    exception: bool,
}

impl DockerIgnore {
    /// Parse the text of a `.dockerignore`.
    pub fn parse(text: &str) -> Self {
        let patterns = text
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    return None;
                }
                let (exception, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let text = clean(pattern);
                (!text.is_empty()).then_some(Pattern { text, exception })
            })
            .collect();
        DockerIgnore { patterns }
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let mut excluded = false;
        for pattern in &self.patterns {
            let matched = prefixes(&path).any(|candidate| glob_match(&pattern.text, candidate));
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
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches_from(&p, &t)
}

fn matches_from(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            // `**/` also matches no folder at all.
            let rest = &p[2..];
            let rest_after_slash = rest.strip_prefix(&['/']).unwrap_or(rest);
            (0..=t.len()).any(|i| matches_from(rest, &t[i..]))
                || (rest.len() != rest_after_slash.len() && matches_from(rest_after_slash, t))
        }
        Some('*') => {
            let rest = &p[1..];
            let mut i = 0;
            loop {
                if matches_from(rest, &t[i..]) {
                    return true;
                }
                if i >= t.len() || t[i] == '/' {
                    return false;
                }
                i += 1;
            }
        }
        Some('?') => t.first().is_some_and(|c| *c != '/') && matches_from(&p[1..], &t[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                return t.first() == Some(&'[') && matches_from(&p[1..], &t[1..]);
            };
            let Some(&c) = t.first() else {
                return false;
            };
            let class = &p[1..close];
            let (negated, class) = match class.first() {
                Some('^' | '!') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if class.get(i + 1) == Some(&'-') && i + 2 < class.len() {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negated && c != '/' && matches_from(&p[close + 1..], &t[1..])
        }
        Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && matches_from(&p[2..], &t[1..]),
        Some(&c) => t.first() == Some(&c) && matches_from(&p[1..], &t[1..]),
    }
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
}
