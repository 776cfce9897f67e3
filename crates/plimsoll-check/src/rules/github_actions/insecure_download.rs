use plimsoll_syntax::shell::Command;
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, DockerfileContext, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a download over a plain-text transport in a `run:` script or a Dockerfile `RUN`:
    /// `curl`, `wget`, `Invoke-WebRequest`/`Invoke-RestMethod` (`iwr`, `irm`) or `git clone`/
    /// `fetch`/`pull`/`submodule add` of an `http://` or `git://` URL, and a package index
    /// given as `http://` to `pip`/`uv` (`--index-url`, `--extra-index-url`, `-i`). Addresses
    /// that stay on the runner or its network are left alone: `localhost`, loopback and
    /// private IP addresses, the cloud metadata address, single-label host names (service
    /// containers such as `http://postgres:5432`) and `.local`/`.internal`/`.svc` names, and so
    /// is a script that checks what it downloads (`sha256sum -c`, `gpg --verify`, `cosign`).
    ///
    /// ## Why is this bad?
    /// Nothing authenticates the server or protects the bytes of a plain `http://` or `git://`
    /// transfer: anyone on the path (a compromised proxy, a hostile network, a DNS hijack) can
    /// swap the binary, script or package the job then runs, with the job's token and secrets.
    /// The same URL over `https://` is checked against the server's certificate.
    ///
    /// ## Example
    /// ```yaml
    /// - run: curl -fsSLo tool.tar.gz http://downloads.example.com/tool-1.2.3.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: curl -fsSLo tool.tar.gz https://downloads.example.com/tool-1.2.3.tar.gz
    /// ```
    pub struct InsecureDownload {
        id: "GHA069",
        name: "insecure-download",
        severity: Warning,
        domain: GithubActions,
        summary: "A script downloads code or packages over `http://` or `git://`",
        help: "use the `https://` URL (or `git@`/`https://` for git)",
    }
}

const FETCHERS: &[&str] = &[
    "curl",
    "wget",
    "invoke-webrequest",
    "iwr",
    "invoke-restmethod",
    "irm",
];
const GIT_FETCHES: &[&str] = &["clone", "fetch", "pull", "submodule", "ls-remote"];
const INDEX_FLAGS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "-f",
];

/// The plain-text scheme and host of `url`, if it has one and the host is on the internet.
fn insecure_remote(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme_lower = scheme.to_ascii_lowercase();
    if scheme_lower != "http" && scheme_lower != "git" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let lower = host.to_ascii_lowercase();
    let local = lower.is_empty()
        || !lower.contains('.')
        || lower.contains(['$', '_', '{', '%'])
        || lower == "0.0.0.0"
        || lower.starts_with("127.")
        || lower.starts_with("10.")
        || lower.starts_with("192.168.")
        || lower.starts_with("169.254.")
        || is_private_172(&lower)
        || [
            ".local",
            ".internal",
            ".localhost",
            ".svc",
            ".lan",
            ".test",
            ".example",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    (!local).then_some((scheme, host))
}

/// Whether `host` is in 172.16.0.0/12.
fn is_private_172(host: &str) -> bool {
    let mut parts = host.split('.');
    parts.next() == Some("172")
        && parts
            .next()
            .and_then(|second| second.parse::<u8>().ok())
            .is_some_and(|second| (16..=31).contains(&second))
}

/// The URL a word holds, alone or after `--flag=`.
fn word_url(word: &str) -> &str {
    match word.split_once('=') {
        Some((flag, url)) if flag.starts_with('-') => url,
        _ => word,
    }
}

/// Whether `commands` check what they download against a digest or a signature
/// (`sha256sum -c`, `shasum -a 256 -c`, `gpg --verify`): a pinned digest makes the transport's
/// integrity moot.
fn verifies_downloads(commands: &[Command]) -> bool {
    commands.iter().any(|command| match command.program() {
        Some("sha256sum" | "sha512sum" | "sha384sum" | "shasum") => {
            command.has_arg("-c") || command.has_arg("--check")
        }
        Some("gpg" | "gpg2") => command.has_arg("--verify"),
        Some("gpgv" | "cosign" | "minisign") => true,
        _ => false,
    })
}

/// Plain-text downloads among `commands`: the span of the URL word and the message.
fn insecure_downloads(commands: &[Command]) -> Vec<(Span, String)> {
    let mut found = Vec::new();
    for command in commands {
        let Some(written) = command.program() else {
            continue;
        };
        let program = written
            .strip_suffix(".exe")
            .or_else(|| written.strip_suffix(".EXE"))
            .unwrap_or(written);
        let is = |name: &str| program.eq_ignore_ascii_case(name);
        let fetcher = FETCHERS.iter().any(|fetcher| is(fetcher));
        let installer = is("pip") || is("pip3") || is("uv");
        if !(fetcher || installer || is("git")) {
            continue;
        }
        let argv = command.argv();
        let what = if fetcher {
            Some(written.to_string())
        } else if is("git") {
            argv.iter()
                .skip(1)
                .find(|w| !w.text.starts_with('-'))
                .filter(|sub| GIT_FETCHES.contains(&sub.text.as_str()))
                .map(|sub| format!("git {}", sub.text))
        } else {
            None
        };
        let urls: Vec<_> = match &what {
            Some(_) => argv.iter().skip(1).collect(),
            None if installer => argv
                .windows(2)
                .filter(|pair| INDEX_FLAGS.contains(&pair[0].text.as_str()))
                .map(|pair| &pair[1])
                .chain(argv.iter().filter(|w| {
                    INDEX_FLAGS.iter().any(|f| {
                        w.text
                            .strip_prefix(f)
                            .is_some_and(|value| value.starts_with('='))
                    })
                }))
                .collect(),
            None => continue,
        };
        let what = what.unwrap_or_else(|| format!("{program} install"));
        for word in urls {
            let url = word_url(&word.text);
            if let Some((scheme, host)) = insecure_remote(url) {
                found.push((
                    word.span,
                    format!(
                        "`{what}` fetches from `{host}` over `{scheme}://`: nothing authenticates the server or protects what is downloaded"
                    ),
                ));
            }
        }
    }
    // A script that checks what it fetched against a digest or a signature is fine: looked at
    // only once something was found, as most scripts download nothing.
    if !found.is_empty() && verifies_downloads(commands) {
        found.clear();
    }
    found
}

impl Rule for InsecureDownload {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        for (span, message) in insecure_downloads(&script.commands) {
            out.report(&Self::META, script.source_span(cx.text(), span), message);
        }
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            for (span, message) in insecure_downloads(&run.commands) {
                out.report(&Self::META, span, message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_internet_hosts_from_local_ones() {
        assert_eq!(
            insecure_remote("http://example.com/x.sh"),
            Some(("http", "example.com"))
        );
        assert_eq!(
            insecure_remote("git://git.kernel.org/pub/x.git"),
            Some(("git", "git.kernel.org"))
        );
        assert_eq!(insecure_remote("https://example.com/x"), None);
        assert_eq!(insecure_remote("http://localhost:8080/health"), None);
        assert_eq!(insecure_remote("http://postgres:5432"), None);
        assert_eq!(insecure_remote("http://127.0.0.1:9000"), None);
        assert_eq!(insecure_remote("http://172.20.0.2/"), None);
        assert_eq!(
            insecure_remote("http://169.254.169.254/latest/meta-data"),
            None
        );
        assert_eq!(insecure_remote("http://${HOST}/x"), None);
        assert_eq!(
            insecure_remote("http://user:pw@mirror.example.org/x"),
            Some(("http", "mirror.example.org"))
        );
    }
}
