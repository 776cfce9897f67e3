use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags an `EXPOSE` port outside 0–65535, or one that is not a number, a range
    /// (`8000-8010`) or a variable, optionally with `/tcp` or `/udp`.
    ///
    /// ## Why is this bad?
    /// Docker rejects the image at build time, or the port documented is not the one served.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80800
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 8080/tcp
    /// ```
    pub struct InvalidExposePort {
        id: "DKR021",
        name: "invalid-expose-port",
        severity: Error,
        domain: Containers,
        summary: "`EXPOSE` names an invalid port",
        help: "use a port between 0 and 65535, optionally with `/tcp` or `/udp`",
    }
}

fn valid(port: &str) -> bool {
    if port.contains('$') {
        return true;
    }
    let (number, protocol) = match port.split_once('/') {
        Some((number, protocol)) => (number, Some(protocol)),
        None => (port, None),
    };
    let protocol_ok =
        protocol.is_none_or(|p| matches!(p.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp"));
    let in_range = |p: &str| p.parse::<u32>().is_ok_and(|n| n <= 65535);
    let number_ok = match number.split_once('-') {
        Some((low, high)) => in_range(low) && in_range(high),
        None => in_range(number),
    };
    protocol_ok && number_ok
}

impl Rule for InvalidExposePort {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for instruction in cx.dockerfile.all_instructions() {
            if instruction.keyword != "EXPOSE" {
                continue;
            }
            for word in instruction.words() {
                if !valid(&word.text) {
                    out.report(
                        &Self::META,
                        word.span,
                        format!("`{}` is not a valid port", word.text),
                    );
                }
            }
        }
    }
}
