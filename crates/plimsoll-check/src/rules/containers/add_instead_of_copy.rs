use super::common::copies_before_workdir;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{Edit, Fix};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `ADD` of a URL without `--checksum`, and `ADD` of local files that are not archives
    /// (where `COPY` does the same).
    ///
    /// ## Why is this bad?
    /// `ADD <url>` downloads whatever the server returns at build time, unverified; `ADD` of a
    /// local file silently unpacks anything that looks like an archive, which `COPY` never does.
    /// `COPY` says exactly what happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://example.com/tool.tar.gz /opt/
    /// ADD app.jar /app/app.jar
    /// ```
    ///
    /// ## Fix
    /// Safe: replaces `ADD` with `COPY` when every source is a local path that is not an
    /// archive and holds no variable, and the instruction uses no flag `COPY` lacks
    /// (`--checksum`, `--keep-git-dir`, `--unpack`): `COPY` then copies the same files. No fix
    /// when the destination is relative and no `WORKDIR` is set before it (even in a `scratch`
    /// stage, which works in `/`): set the folder first, then the fix applies.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
    /// COPY app.jar /app/app.jar
    /// ```
    pub struct AddInsteadOfCopy {
        id: "DKR009",
        name: "add-instead-of-copy",
        severity: Warning,
        domain: Containers,
        summary: "`ADD` is used where `COPY` suffices, or fetches a URL unverified",
        help: "use `COPY` for local files; for a URL, use `ADD --checksum=sha256:…` or download and verify in a `RUN`",
        fix: Safe,
    }
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".gz", ".bz2", ".xz", ".zst",
];

/// The flags of `ADD` that `COPY` takes too, with the same meaning.
const COPY_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude", "parents"];

/// Whether `source` is a local path `COPY` copies as `ADD` does: not a URL, a git repository,
/// an archive `ADD` would unpack, or a path built from a variable.
fn is_plain_local(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    !source.contains("://")
        && !source.starts_with("git@")
        && !source.contains('$')
        && !ARCHIVES.iter().any(|archive| lower.ends_with(archive))
}

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        // hadolint's DL3045 sees a relative destination in a `COPY` only (in a `scratch`
        // stage too): turning such an `ADD` into a `COPY` would bring up a finding the `ADD`
        // did not have.
        let before_workdir: Vec<usize> = copies_before_workdir(cx.dockerfile, false)
            .into_iter()
            .map(|(start, _, _)| start)
            .collect();
        for instruction in cx.dockerfile.all_instructions() {
            if instruction.keyword != "ADD" || !instruction.heredocs.is_empty() {
                continue;
            }
            let words = instruction.words();
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            for source in sources {
                let text = source.text.as_str();
                let remote = text.contains("://") || text.starts_with("git@");
                if remote {
                    if instruction.flag("checksum").is_none() && !text.contains(".git") {
                        out.report(
                            &Self::META,
                            source.span,
                            format!("`ADD {text}` downloads at build time without a `--checksum`"),
                        );
                    }
                } else if !text.contains('$')
                    && !ARCHIVES
                        .iter()
                        .any(|a| text.to_ascii_lowercase().ends_with(a))
                {
                    let diagnostic = out.report(
                        &Self::META,
                        instruction.keyword_span,
                        format!("`ADD {text}` copies a local file: use `COPY`"),
                    );
                    if !before_workdir.contains(&instruction.span.start)
                        && sources.iter().all(|source| is_plain_local(&source.text))
                        && instruction.flags.iter().all(|flag| {
                            COPY_FLAGS.iter().any(|f| flag.name.eq_ignore_ascii_case(f))
                        })
                    {
                        let copy = if cx.source.slice(instruction.keyword_span) == "ADD" {
                            "COPY"
                        } else {
                            "copy"
                        };
                        diagnostic.fix(Fix::safe(
                            "use `COPY`",
                            vec![Edit::replace(instruction.keyword_span, copy)],
                        ));
                    }
                    break;
                }
            }
        }
    }
}
