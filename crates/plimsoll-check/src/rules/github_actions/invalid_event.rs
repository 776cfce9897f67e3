use plimsoll_actions::schema;
use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags event names under `on:` that GitHub does not know (names are case-sensitive:
    /// `Push` is not `push`), whether `on` is a string, a list or a mapping, and `schedule`
    /// entries whose `cron` is not a valid five-field POSIX cron expression.
    ///
    /// ## Why is this bad?
    /// GitHub rejects a workflow with an unknown event, so none of its triggers fire: the checks
    /// it was meant to run silently stop running. An invalid cron expression is refused the same
    /// way, and the scheduled job never runs.
    ///
    /// ## Example
    /// ```yaml
    /// on:
    ///   pull-request:
    ///   schedule:
    ///     - cron: "0 3 * *"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on:
    ///   pull_request:
    ///   schedule:
    ///     - cron: "0 3 * * *"
    /// ```
    pub struct InvalidEvent {
        id: "GHA027",
        name: "invalid-event",
        severity: Error,
        domain: GithubActions,
        summary: "An event GitHub does not know, or an invalid cron schedule",
        help: "use an event name from GitHub's list of workflow triggers, and a five-field cron expression",
    }
}

/// A cron field: its name, bounds and the names it accepts (months, week days).
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    // 7 is accepted for Sunday, as most cron implementations do.
    Field {
        name: "day of week",
        min: 0,
        max: 7,
        names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    },
];

impl Field {
    fn value(&self, text: &str) -> Result<u32, String> {
        if let Some(index) = self.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            // Month names count from 1, day names from 0.
            return Ok(index as u32 + self.min);
        }
        let value: u32 = text
            .parse()
            .map_err(|_| format!("`{text}` is not a number in the {} field", self.name))?;
        if value < self.min || value > self.max {
            return Err(format!(
                "{value} is out of range for the {} field ({}-{})",
                self.name, self.min, self.max
            ));
        }
        Ok(value)
    }

    /// Check one comma-separated item: `*`, `N`, `N-M`, each optionally `/STEP`.
    fn item(&self, item: &str) -> Result<(), String> {
        if item.is_empty() {
            return Err(format!("empty item in the {} field", self.name));
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => {
                    return Err(format!(
                        "`{step}` is not a positive step in the {} field",
                        self.name
                    ))
                }
            }
        }
        if range == "*" {
            return Ok(());
        }
        match range.split_once('-') {
            Some((low, high)) => {
                let low = self.value(low)?;
                let high = self.value(high)?;
                if low > high {
                    return Err(format!(
                        "the range `{range}` in the {} field is backwards",
                        self.name
                    ));
                }
                Ok(())
            }
            None => self.value(range).map(|_| ()),
        }
    }
}

/// Why `cron` is not a valid five-field cron expression, if it is not.
fn cron_error(cron: &str) -> Option<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!("expected 5 fields, found {}", fields.len()));
    }
    for (text, field) in fields.iter().zip(FIELDS.iter()) {
        for item in text.split(',') {
            if let Err(message) = field.item(item) {
                return Some(message);
            }
        }
    }
    None
}

impl InvalidEvent {
    fn check_schedule(cx: &Context<'_>, config: &Node, out: &mut Sink) {
        for item in config.as_sequence().unwrap_or_default() {
            let Some(cron) = item.get("cron") else {
                continue;
            };
            let Some(text) = cron.as_str() else {
                continue;
            };
            // `${{ }}` is not evaluated here, and `$cron-weekly` is a starter-workflow placeholder.
            if plimsoll_syntax::expr::contains_expression(text)
                || text.trim_start().starts_with('$')
            {
                continue;
            }
            if let Some(error) = cron_error(text) {
                let trimmed = text.trim();
                let start = text.len() - text.trim_start().len();
                let span = if trimmed.is_empty() {
                    cron.span
                } else {
                    cron.locate(cx.text(), start..start + trimmed.len())
                };
                let message = if trimmed.is_empty() {
                    "the cron expression is empty: expected 5 fields (minute hour day month weekday)"
                        .to_string()
                } else {
                    format!("invalid cron expression `{trimmed}`: {error}")
                };
                out.report(&Self::META, span, message);
            }
        }
    }
}

impl Rule for InvalidEvent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for trigger in workflow.triggers() {
            // An empty `on:` is a structural problem, not an unknown name.
            if trigger.event.is_empty() || schema::EVENTS.contains(&trigger.event) {
                continue;
            }
            let diagnostic = out.report(
                &Self::META,
                trigger.span,
                format!(
                    "`{}` is not an event that triggers workflows",
                    trigger.event
                ),
            );
            let lower = trigger.event.to_ascii_lowercase().replace('-', "_");
            if let Some(meant) = schema::EVENTS.iter().find(|e| **e == lower) {
                diagnostic.help(format!(
                    "did you mean `{meant}`? (event names are case-sensitive)"
                ));
            }
        }
        if let Some(schedule) = workflow.on().and_then(|on| on.value.get("schedule")) {
            Self::check_schedule(cx, schedule, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_cron_expressions() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * 1-5",
            "0 0 1 JAN,jul SUN",
            "30 4 1-15/2 * 7",
            "0 0 * * 0",
        ] {
            assert_eq!(cron_error(ok), None, "{ok}");
        }
        assert!(cron_error("0 */3 * *").unwrap().contains("5 fields"));
        assert!(cron_error("60 * * * *").unwrap().contains("out of range"));
        assert!(cron_error("* * * * */0").unwrap().contains("positive step"));
        assert!(cron_error("5-1 * * * *").unwrap().contains("backwards"));
        assert!(cron_error("? * * * *").is_some());
        assert!(cron_error("0 0 * * MON#2").is_some());
    }
}
