use plimsoll_syntax::SourceFile;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::secrets::{redact, SecretMatch};

declare_rule! {
    /// ## What it does
    /// Flags credentials written in any text file plimsoll finds (source code, configuration,
    /// `.env` files, scripts, notebooks, workflows, Dockerfiles, manifests) and, with
    /// `plimsoll check --git-history`, in what any commit added. Each kind of credential is a
    /// detector in `detectors.toml`: cloud keys (AWS, Google Cloud, Azure), GitHub, GitLab,
    /// Slack, Stripe, Twilio, SendGrid, npm, PyPI and crates.io tokens, JWTs, private keys,
    /// URLs with passwords, and a literal assigned to a secret-named key (`DB_PASSWORD`,
    /// `api_key`, `clientSecret`). Placeholders (`changeme`, `${VAR}`, `<token>`, `xxxx`) and
    /// the example keys of vendor documentation are not secrets.
    ///
    /// The finding never shows the secret, nor its length: only the fixed marker of its token
    /// kind (`ghp_`, `AKIA`), if it has one, a keyed hash (the same secret has the same hash
    /// throughout a report; set `PLIMSOLL_SECRET_KEY` for hashes that match across runs) and the
    /// detector's id in brackets. Every other finding's message and snippet, in every format,
    /// masks it too, even when this finding is suppressed, baselined or this rule is off.
    ///
    /// ## Why is this bad?
    /// Anything in the repository is readable by everyone who can read the repository, forever:
    /// history keeps it after deletion, and every clone and fork has a copy.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: npm_0123456789abcdefghijABCDEFGHIJ012345   # an npm token
    /// ```
    ///
    /// ## Use instead
    /// Rotate the exposed credential, then read it at run time from the environment or a
    /// secret store:
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    /// ```
    pub struct HardcodedSecret {
        id: "SEC001",
        name: "hardcoded-secret",
        severity: Error,
        domain: Secrets,
        summary: "A credential is written as a literal",
        help: "rotate it (history keeps it), then read it from the environment or a secret store at run time",
    }
}

/// What a finding of [`HardcodedSecret`] says about `found`, whose text is `secret`: never the
/// secret itself.
pub fn describe(found: &SecretMatch<'_>, secret: &str) -> String {
    format!(
        "{}: `{}` [{}]",
        found.detector.description,
        redact(secret),
        found.detector.id
    )
}

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_text(&self, source: &SourceFile, out: &mut Sink) {
        let found = out.secrets(source).to_vec();
        for found in found {
            let message = describe(&found, source.slice(found.span));
            out.report(&Self::META, found.span, message);
        }
    }
}
