//! A literal gate in front of the signature regexes.
//!
//! Running all signatures as one `RegexSet` over every line made its lazy DFA build a new state
//! for nearly every distinct line (the product of ~100 unanchored patterns): half the time of a
//! 3 MB log went to determinisation. Most signatures cannot match unless the line contains one
//! of a few literals (`error[E`, `panicked at `, `npm ERR!`), so one Aho-Corasick pass over the
//! line finds which signatures are possible at all, and only those run their own (small, cheap
//! to determinise) regex. Signatures without a usable literal go into one residual set that
//! still sees every line.
//!
//! The literals are derived from the parsed pattern ([`regex_syntax::hir::Hir`]), so the gate
//! is sound by construction: every match of a pattern contains one of its literals, compared
//! ASCII-case-insensitively (which is what lets `(?i)` patterns and `[Ee]rror` classes keep a
//! literal). The test suite also checks the gate against the plain `RegexSet` on real logs.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a literal set may hold before it is given up (cross products grow fast).
const MAX_LITERALS: usize = 96;
/// Most members of a character class expanded into literals.
const MAX_CLASS_MEMBERS: usize = 8;
/// Shortest literal worth gating on: shorter ones occur on nearly every line anyway.
pub const MIN_GATE_LEN: usize = 3;

/// A set of lowercase byte strings.
type Literals = Vec<Vec<u8>>;

/// What is known about the strings a sub-expression matches.
struct Facts {
    /// Every match is exactly one of these strings (lowercased).
    exact: Option<Literals>,
    /// Every match contains one of these strings (lowercased).
    required: Option<Literals>,
}

impl Facts {
    fn none() -> Self {
        Facts {
            exact: None,
            required: None,
        }
    }

    fn exact(literals: Literals) -> Self {
        Facts {
            required: Some(literals.clone()),
            exact: Some(literals),
        }
    }

    /// The most selective set that every match contains.
    fn best(self) -> Option<Literals> {
        better(self.exact, self.required)
    }
}

/// The shortest member's length: a gate is as weak as its shortest literal.
fn strength(literals: &Literals) -> usize {
    literals.iter().map(Vec::len).min().unwrap_or(0)
}

fn better(a: Option<Literals>, b: Option<Literals>) -> Option<Literals> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (sa, sb) = (strength(&a), strength(&b));
            if sb > sa || (sb == sa && b.len() < a.len()) {
                Some(b)
            } else {
                Some(a)
            }
        }
        (a, None) => a,
        (None, b) => b,
    }
}

fn normalise(mut literals: Literals) -> Literals {
    for literal in &mut literals {
        literal.make_ascii_lowercase();
    }
    literals.sort();
    literals.dedup();
    literals
}

fn cross(left: &Literals, right: &Literals) -> Option<Literals> {
    if left.len().saturating_mul(right.len()) > MAX_LITERALS {
        return None;
    }
    let mut out = Vec::with_capacity(left.len() * right.len());
    for a in left {
        for b in right {
            let mut joined = a.clone();
            joined.extend_from_slice(b);
            out.push(joined);
        }
    }
    Some(normalise(out))
}

/// The most selective concatenation of a contiguous window of `run` that stays small: the
/// whole run may be too many combinations (`(?:^|\s)(?:gcc|cc|ld)\s`) where a part is not.
fn best_window(run: &[Literals]) -> Option<Literals> {
    let mut best = None;
    for start in 0..run.len() {
        let mut joined = run[start].clone();
        best = better(best, Some(joined.clone()));
        for next in &run[start + 1..] {
            match cross(&joined, next) {
                Some(longer) => {
                    joined = longer;
                    best = better(best, Some(joined.clone()));
                }
                None => break,
            }
        }
    }
    best
}

fn class_members(class: &Class) -> Option<Literals> {
    let mut members = Vec::new();
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.ranges() {
                for byte in range.start()..=range.end() {
                    members.push(vec![byte]);
                    if members.len() > 2 * MAX_CLASS_MEMBERS {
                        return None;
                    }
                }
            }
        }
        Class::Unicode(chars) => {
            for range in chars.ranges() {
                for c in range.start()..=range.end() {
                    members.push(c.to_string().into_bytes());
                    if members.len() > 2 * MAX_CLASS_MEMBERS {
                        return None;
                    }
                }
            }
        }
    }
    // Lowercasing folds `[Ee]` into one member: the gate compares case-insensitively.
    let members = normalise(members);
    (members.len() <= MAX_CLASS_MEMBERS).then_some(members)
}

fn facts(hir: &Hir) -> Facts {
    match hir.kind() {
        // Zero-width: adjacent literals stay adjacent across `^`, `\b`, `(?:)`.
        HirKind::Empty | HirKind::Look(_) => Facts::exact(vec![Vec::new()]),
        HirKind::Literal(literal) => Facts::exact(normalise(vec![literal.0.to_vec()])),
        HirKind::Class(class) => match class_members(class) {
            Some(members) => Facts::exact(members),
            None => Facts::none(),
        },
        HirKind::Capture(capture) => facts(&capture.sub),
        HirKind::Repetition(repetition) => {
            let sub = facts(&repetition.sub);
            match (repetition.min, repetition.max) {
                // `s?`: the sub-expression or nothing.
                (0, Some(1)) => match sub.exact {
                    Some(mut exact) if exact.len() < MAX_LITERALS => {
                        exact.push(Vec::new());
                        Facts::exact(normalise(exact))
                    }
                    _ => Facts::none(),
                },
                (0, _) => Facts::none(),
                (1, Some(1)) => sub,
                _ => Facts {
                    exact: None,
                    required: sub.best(),
                },
            }
        }
        HirKind::Concat(children) => {
            let mut exact_all: Option<Literals> = Some(vec![Vec::new()]);
            // Consecutive children with exact sets: their concatenations are literals too.
            let mut run: Vec<Literals> = Vec::new();
            let mut required: Option<Literals> = None;
            for child in children {
                let child = facts(child);
                exact_all = match (&exact_all, &child.exact) {
                    (Some(all), Some(part)) => cross(all, part),
                    _ => None,
                };
                match child.exact {
                    Some(part) => run.push(part),
                    None => {
                        required = better(required, best_window(&run));
                        run.clear();
                        required = better(required, child.required);
                    }
                }
            }
            required = better(required, best_window(&run));
            Facts {
                required: better(required, exact_all.clone()),
                exact: exact_all,
            }
        }
        HirKind::Alternation(children) => {
            let mut exact: Option<Literals> = Some(Vec::new());
            let mut required: Option<Literals> = Some(Vec::new());
            for child in children {
                let child = facts(child);
                exact = match (exact, &child.exact) {
                    (Some(mut all), Some(part)) if all.len() + part.len() <= MAX_LITERALS => {
                        all.extend(part.iter().cloned());
                        Some(all)
                    }
                    _ => None,
                };
                required = match (required, child.best()) {
                    (Some(mut all), Some(part)) if strength(&part) > 0 => {
                        all.extend(part);
                        Some(all)
                    }
                    _ => None,
                };
            }
            Facts {
                exact: exact.map(normalise),
                required: required.map(normalise),
            }
        }
    }
}

/// Literals one of which every match of `hir` contains (ASCII case aside), or `None` when no
/// set of literals of at least [`MIN_GATE_LEN`] bytes is implied.
pub fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let literals = facts(hir).best()?;
    if strength(&literals) < MIN_GATE_LEN {
        return None;
    }
    // A literal containing another is redundant: containing the longer implies the shorter.
    let mut kept: Literals = Vec::new();
    let mut by_length = literals;
    by_length.sort_by_key(Vec::len);
    for literal in by_length {
        let covered = kept
            .iter()
            .any(|short| literal.windows(short.len()).any(|w| w == short.as_slice()));
        if !covered {
            kept.push(literal);
        }
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        required_literals(&hir).map(|set| {
            let mut set: Vec<String> = set
                .into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect();
            set.sort();
            set
        })
    }

    #[test]
    fn finds_the_literals_every_match_must_contain() {
        assert_eq!(
            literals("^error(?:\\[E\\d{4}\\])?: "),
            Some(vec!["error".into()])
        );
        assert_eq!(
            literals("panicked at |^thread '.*' panicked"),
            Some(vec!["' panicked".into(), "panicked at ".into()])
        );
        assert_eq!(
            literals("(?i)API rate limit exceeded|secondary rate limit"),
            Some(vec![
                "api rate limit exceeded".into(),
                "secondary rate limit".into()
            ])
        );
        assert_eq!(
            literals("\\b[Ee]rrors?\\b|[Ff]ail(?:ed|ure)?"),
            Some(vec!["error".into(), "fail".into()])
        );
        assert_eq!(literals("^\\s*● "), Some(vec!["● ".into()]));
    }

    #[test]
    fn gives_up_where_a_branch_needs_no_literal() {
        assert_eq!(literals("error|\\d+"), None);
        assert_eq!(literals("^[-+] .{3,}"), None);
        assert_eq!(literals("a?b?"), None);
    }
}
