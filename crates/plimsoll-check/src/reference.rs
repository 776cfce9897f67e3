//! The rules reference, `docs/rules.md`: the rules' table, how they cover the peers' checks,
//! and each rule's documentation, generated from the registry and the rules' doc comments.

use crate::{peers, registry};

/// The rules reference (`docs/rules.md`), generated from the rules' doc comments.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# plimsoll rules\n\n<!-- Generated from the rules' doc comments by `PLIMSOLL_UPDATE_DOCS=1 cargo test -p plimsoll-check --test docs`. Do not edit. -->\n\n",
    );
    out.push_str("| id | name | severity | fix | summary |\n|---|---|---|---|---|\n");
    for meta in registry::all() {
        let strict = if meta.strict_only { " (strict)" } else { "" };
        let fix = match meta.fix {
            crate::fix::FixAvailability::None => "",
            crate::fix::FixAvailability::Safe => "safe",
            crate::fix::FixAvailability::Unsafe => "unsafe",
            crate::fix::FixAvailability::Sometimes => "safe or unsafe",
        };
        out.push_str(&format!(
            "| {} | [`{}`](#{}) | {}{} | {} | {} |\n",
            meta.id, meta.name, meta.name, meta.severity, strict, fix, meta.summary
        ));
    }
    out.push_str(&peers::markdown());
    for meta in registry::all() {
        out.push_str(&format!("\n## {}\n\n", meta.name));
        out.push_str(&format!(
            "Id `{}` · default severity **{}**{} · domain `{}`{}\n\n",
            meta.id,
            meta.severity,
            if meta.strict_only {
                " (strict mode only)"
            } else {
                ""
            },
            meta.domain.as_str(),
            match meta.fix {
                crate::fix::FixAvailability::None => String::new(),
                fix => format!(" · fix **{}** (`plimsoll check --fix`)", fix.as_str()),
            }
        ));
        let doc: Vec<&str> = meta
            .doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        // Rule docs use `##` sections; one level deeper under the rule's own heading.
        for line in doc {
            if let Some(rest) = line.strip_prefix("## ") {
                out.push_str(&format!("### {rest}\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
