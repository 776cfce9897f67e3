//! Unified diffs for patches made of inserted lines.
//!
//! Every coverage-preserving fix plimsoll proposes only adds lines (a step, a permission, a
//! bound), so a patch is a set of insertions and its diff needs no general diff algorithm.

/// Lines inserted before 0-based line `at` of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    /// 0-based line of the original before which the lines go (the line count appends).
    pub at: usize,
    /// The lines, without terminators.
    pub lines: Vec<String>,
}

/// Apply insertions to `original`.
pub fn apply(original: &str, insertions: &[Insertion]) -> String {
    let lines: Vec<&str> = original.split_inclusive('\n').collect();
    let mut sorted: Vec<&Insertion> = insertions.iter().collect();
    sorted.sort_by_key(|i| i.at);
    let mut out = String::with_capacity(original.len() + 256);
    let mut next = 0;
    for (index, line) in lines.iter().enumerate() {
        while next < sorted.len() && sorted[next].at == index {
            for added in &sorted[next].lines {
                out.push_str(added);
                out.push('\n');
            }
            next += 1;
        }
        out.push_str(line);
    }
    if !original.is_empty() && !original.ends_with('\n') {
        out.push('\n');
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
    let mut sorted: Vec<&Insertion> = insertions.iter().filter(|i| !i.lines.is_empty()).collect();
    sorted.sort_by_key(|i| i.at);
    let mut out = format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n");
    // Group insertions whose context overlaps into one hunk.
    let mut groups: Vec<Vec<&Insertion>> = Vec::new();
    for insertion in sorted {
        match groups.last_mut() {
            Some(group)
                if group
                    .last()
                    .is_some_and(|last| insertion.at <= last.at + 2 * CONTEXT) =>
            {
                group.push(insertion)
            }
            _ => groups.push(vec![insertion]),
        }
    }
    let mut shift = 0usize;
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let start = first.at.saturating_sub(CONTEXT);
        let end = (last.at + CONTEXT).min(old.len());
        let added: usize = group.iter().map(|i| i.lines.len()).sum();
        let old_len = end - start;
        let mut body = String::new();
        let mut pending = group.iter().peekable();
        #[allow(clippy::needless_range_loop)] // `index` is also the insertion point
        for index in start..=end {
            while let Some(insertion) = pending.peek() {
                if insertion.at != index {
                    break;
                }
                for line in &insertion.lines {
                    body.push_str(&format!("+{line}\n"));
                }
                pending.next();
            }
            if let Some(line) = old.get(index).filter(|_| index < end) {
                body.push_str(&format!(" {line}\n"));
            }
        }
        // `git apply` counts an empty range as starting at the line before it.
        let old_start = if old_len == 0 { start } else { start + 1 };
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_start,
            old_len,
            old_start + shift,
            old_len + added
        ));
        out.push_str(&body);
        shift += added;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_diffs_with_context() {
        let original = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let insertions = [Insertion {
            at: 4,
            lines: vec!["X".into()],
        }];
        assert_eq!(apply(original, &insertions), "a\nb\nc\nd\nX\ne\nf\ng\nh\n");
        assert_eq!(
            unified("f.yml", original, &insertions),
            "diff --git a/f.yml b/f.yml\n--- a/f.yml\n+++ b/f.yml\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n"
        );
    }
}
