use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::kubernetes::{Container, Object};
use crate::rule::{Context, Rule};
use crate::rules::DEMO_PASSWORD;
use crate::secrets::{
    config_secret, is_placeholder, is_secret_key, looks_like_secret_literal, names_its_secret,
    redact, token_kind, ConfigSecret,
};

declare_rule! {
    /// ## What it does
    /// Flags secrets written as literal `env` values of a container (init and ephemeral ones
    /// included) — a value with the shape of a known credential, or a literal credential
    /// assigned to a secret-named variable (`DB_PASSWORD`, `API_TOKEN`) — and the same in the
    /// `data` of a ConfigMap. The finding shows only a redacted form.
    /// A literal that reads like a demo or default password (`MyStr0ngPassw0rd`, `postgres`)
    /// is reported too, at warning level, saying so: committed, it is a password all the same.
    /// Only what cannot be a password stays silent: placeholders (`changeme`, `<token>`,
    /// `xxxx`, a token prefix before a word in capitals such as `nvapi-NVKEY`), empty values,
    /// `${VAR}` and `$(…)`, references to a secret store or another value, paths and file
    /// names, and under a `…_SECRET` variable a word of its own name (`OPERATOR_SECRET:
    /// operator` names the Secret object the program keeps, not a password).
    ///
    /// ## Why is this bad?
    /// Manifests are committed, reviewed, printed by `kubectl describe` and readable by anyone
    /// who can read the namespace's pods or ConfigMaps. Secrets get their own RBAC, can be
    /// encrypted at rest and rotated without editing the workload.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: hunter2-Pr0duction-2024
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    pub struct EnvSecretLiteral {
        id: "K8S009",
        name: "env-secret-literal",
        severity: Error,
        domain: Kubernetes,
        summary: "A secret is a literal `env` value (or ConfigMap data) instead of a Secret reference",
        help: "put it in a Secret and reference it with `valueFrom.secretKeyRef`; rotate the exposed value",
    }
}

/// Report `value` when it is a credential. `strict`: any non-placeholder word under a
/// secret-named key counts (ConfigMap data, which has no business holding secrets at all).
fn check_value(name: &str, value: &Node, what: &str, strict: bool, out: &mut Sink) {
    let Some(text) = value.as_str() else {
        return;
    };
    let mut demo = false;
    let message = if let Some(kind) = token_kind(text) {
        format!("{what} holds a literal {kind}: `{}`", redact(text.trim()))
    } else if is_secret_key(name)
        && ((strict && is_plain_word(text)) || looks_like_secret_literal(text))
    {
        format!("{what} is a literal secret: `{}`", redact(text.trim()))
    } else if let (true, Some(ConfigSecret::Demo), false) = (
        is_secret_key(name),
        config_secret(text),
        names_its_secret(name, text),
    ) {
        demo = true;
        format!(
            "{what} is a literal {DEMO_PASSWORD}: `{}`",
            redact(text.trim())
        )
    } else if let Some((key, secret)) = (strict && !is_name_service_file(name))
        .then(|| embedded_secret(text))
        .flatten()
    {
        // A configuration file or env file held in the ConfigMap: `DB_PASSWORD=…` lines.
        format!(
            "{what} sets `{key}` to a literal secret: `{}`",
            redact(secret)
        )
    } else {
        return;
    };
    let diagnostic = out.report(&EnvSecretLiteral::META, value.span, message);
    if demo {
        diagnostic.severity(Severity::Warning);
    }
}

/// A single non-placeholder word: what a secret value looks like when it is not a known token.
fn is_plain_word(text: &str) -> bool {
    let word = text.trim();
    !word.is_empty()
        && !word.contains(char::is_whitespace)
        && !is_placeholder(word)
        && !word.contains("://")
}

/// Whether a ConfigMap key holds an `nsswitch.conf`, whose `passwd: files` lines name the
/// sources of the password database (nsswitch.conf(5)), not passwords.
fn is_name_service_file(key: &str) -> bool {
    key == "nsswitch.conf" || key.ends_with("/nsswitch.conf")
}

/// The first `NAME=value` or `name: value` line of `text` assigning a literal to a secret name.
fn embedded_secret(text: &str) -> Option<(&str, &str)> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=').or_else(|| line.split_once(": "))?;
        let key = key.trim().trim_start_matches("export ");
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        (is_secret_key(key) && is_plain_word(value) && !is_code_expression(value))
            .then_some((key, value))
    })
}

/// Whether `value` is a call or subscript in a script held by the ConfigMap
/// (`token=os.environ["HF_TOKEN"]`, `password=get_secret("db")`): the secret is read at run
/// time, the text is not the secret.
fn is_code_expression(value: &str) -> bool {
    let Some(open) = value.find(['(', '[']) else {
        return false;
    };
    let callee = &value[..open];
    let is_identifier_path = !callee.is_empty()
        && !callee.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && callee
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    is_identifier_path && value.ends_with([')', ']', ','])
}

impl Rule for EnvSecretLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        let env = container
            .node
            .get("env")
            .and_then(Node::as_sequence)
            .unwrap_or_default();
        for variable in env {
            let (Some(name), Some(value)) = (variable.get_str("name"), variable.get("value"))
            else {
                continue;
            };
            check_value(
                name,
                value,
                &format!("`{name}` of {}", container.describe()),
                false,
                out,
            );
        }
    }

    fn check_k8s_object(&self, _cx: &Context<'_>, object: &Object<'_>, out: &mut Sink) {
        if object.kind != "ConfigMap" {
            return;
        }
        for entry in object
            .root
            .get("data")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
        {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            check_value(
                key,
                &entry.value,
                &format!("`data.{key}` of {}", object.describe()),
                true,
                out,
            );
        }
    }
}
