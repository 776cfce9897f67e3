//! Unified diffs for patches made of inserted lines.
//!
//! Every coverage-preserving fix plimsoll proposes only adds lines (a step, a permission, a
//! bound), so a patch is a set of insertions and its diff needs no general diff algorithm.

/// Lines inserted before 0-based line `at` of the original text, in place of the `replaced`
/// original lines from `at` on (0 for a pure insertion).
///
/// Replacing is for values that must change in place (a cache key's version, a tool version,
/// a script wrapped in a retry loop); the callers never replace a line that names a job, a
/// step or a matrix entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    /// 0-based line of the original before which the lines go (the line count appends).
    pub at: usize,
    /// The lines, without terminators.
    pub lines: Vec<String>,
    /// How many original lines from `at` the new lines replace.
    pub replaced: usize,
}

impl Insertion {
    /// New lines before line `at`.
    pub fn before(at: usize, lines: Vec<String>) -> Self {
        Insertion {
            at,
            lines,
            replaced: 0,
        }
    }

    /// New lines in place of `replaced` lines from `at`.
    pub fn replacing(at: usize, replaced: usize, lines: Vec<String>) -> Self {
        Insertion {
            at,
            lines,
            replaced,
        }
    }

    /// The first original line after the ones this replaces.
    fn end(&self) -> usize {
        self.at + self.replaced
    }
}

/// Sorted by position; an edit overlapping an earlier one's replaced lines is dropped (the
/// callers never make such pairs, and a diff of them would not apply).
fn ordered(insertions: &[Insertion]) -> Vec<&Insertion> {
    let mut sorted: Vec<&Insertion> = insertions
        .iter()
        .filter(|i| !i.lines.is_empty() || i.replaced > 0)
        .collect();
    sorted.sort_by_key(|i| (i.at, i.replaced));
    let mut kept: Vec<&Insertion> = Vec::with_capacity(sorted.len());
    for insertion in sorted {
        if kept.last().is_some_and(|last| insertion.at < last.end()) {
            continue;
        }
        kept.push(insertion);
    }
    kept
}

/// Apply insertions to `original`.
pub fn apply(original: &str, insertions: &[Insertion]) -> String {
    let lines: Vec<&str> = original.split_inclusive('\n').collect();
    let sorted = ordered(insertions);
    let mut out = String::with_capacity(original.len() + 256);
    let mut next = 0;
    let mut skip_until = 0;
    for (index, line) in lines.iter().enumerate() {
        while next < sorted.len() && sorted[next].at == index {
            for added in &sorted[next].lines {
                out.push_str(added);
                out.push('\n');
            }
            skip_until = skip_until.max(sorted[next].end());
            next += 1;
        }
        if index < skip_until {
            continue;
        }
        out.push_str(line);
        if index + 1 == lines.len() && !line.ends_with('\n') {
            out.push('\n');
        }
    }
    for insertion in &sorted[next..] {
        for added in &insertion.lines {
            out.push_str(added);
            out.push('\n');
        }
    }
    out
}

/// A unified diff (`git apply` format) of the insertions, with 3 lines of context.
pub fn unified(path: &str, original: &str, insertions: &[Insertion]) -> String {
    const CONTEXT: usize = 3;
    let old: Vec<&str> = original.lines().collect();
    let sorted = ordered(insertions);
    let mut out = format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n");
    // Group edits whose context overlaps into one hunk.
    let mut groups: Vec<Vec<&Insertion>> = Vec::new();
    for insertion in sorted {
        match groups.last_mut() {
            Some(group)
                if group
                    .last()
                    .is_some_and(|last| insertion.at <= last.end() + 2 * CONTEXT) =>
            {
                group.push(insertion)
            }
            _ => groups.push(vec![insertion]),
        }
    }
    let mut shift: isize = 0;
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let start = first.at.saturating_sub(CONTEXT).min(old.len());
        let end = (last.end() + CONTEXT).min(old.len());
        let added: usize = group.iter().map(|i| i.lines.len()).sum();
        let removed: usize = group.iter().map(|i| i.replaced).sum();
        let old_len = end - start;
        let new_len = old_len + added - removed;
        let mut body = String::new();
        let mut pending = group.iter().peekable();
        let mut index = start;
        while index <= end {
            let mut skip_to = index;
            while let Some(insertion) = pending.peek() {
                if insertion.at != index {
                    break;
                }
                for line in old.iter().skip(index).take(insertion.replaced) {
                    body.push_str(&format!("-{line}\n"));
                }
                for line in &insertion.lines {
                    body.push_str(&format!("+{line}\n"));
                }
                skip_to = skip_to.max(insertion.end());
                pending.next();
            }
            if skip_to > index {
                index = skip_to;
                continue;
            }
            if let Some(line) = old.get(index).filter(|_| index < end) {
                body.push_str(&format!(" {line}\n"));
            }
            index += 1;
        }
        // `git apply` counts an empty range as starting at the line before it.
        let old_start = if old_len == 0 { start } else { start + 1 };
        let new_start = if new_len == 0 {
            (start as isize + shift).max(0)
        } else {
            start as isize + 1 + shift
        };
        out.push_str(&format!(
            "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"
        ));
        out.push_str(&body);
        shift += added as isize - removed as isize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_diffs_with_context() {
        let original = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let insertions = [Insertion::before(4, vec!["X".into()])];
        assert_eq!(apply(original, &insertions), "a\nb\nc\nd\nX\ne\nf\ng\nh\n");
        assert_eq!(
            unified("f.yml", original, &insertions),
            "diff --git a/f.yml b/f.yml\n--- a/f.yml\n+++ b/f.yml\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n"
        );
    }

    #[test]
    fn replaces_lines_and_counts_them_in_the_hunk() {
        let original = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let edits = [
            Insertion::replacing(1, 2, vec!["B".into()]),
            Insertion::before(4, vec!["X".into(), "Y".into()]),
        ];
        assert_eq!(apply(original, &edits), "a\nB\nd\nX\nY\ne\nf\ng\nh\n");
        assert_eq!(
            unified("f.yml", original, &edits),
            "diff --git a/f.yml b/f.yml\n--- a/f.yml\n+++ b/f.yml\n@@ -1,7 +1,8 @@\n a\n-b\n-c\n+B\n d\n+X\n+Y\n e\n f\n g\n"
        );
        // The last line, without a terminator, replaced.
        let edit = [Insertion::replacing(1, 1, vec!["Z".into()])];
        assert_eq!(apply("a\nb", &edit), "a\nZ\n");
    }
}
