use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
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
    }
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".gz", ".bz2", ".xz", ".zst",
];

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
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
                    out.report(
                        &Self::META,
                        instruction.keyword_span,
                        format!("`ADD {text}` copies a local file: use `COPY`"),
                    );
                    break;
                }
            }
        }
    }
}
