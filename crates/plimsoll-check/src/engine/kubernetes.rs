//! Running the Kubernetes rules over the manifests of a file: every document, every object
//! (`List` items included), every container of every workload.

use std::path::{Path, PathBuf};

use plimsoll_syntax::yaml::{self, Document, Node};
use plimsoll_syntax::{LineIndex, SourceFile, Span};

use crate::finding::Sink;
use crate::kubernetes::{Cluster, Object, ObjectFacts};
use crate::rule::{Context, Rule, RunSink};
use crate::rules::engine::ParseError;
use crate::rules::kubernetes::InvalidManifest;
use crate::settings::Settings;

/// What a manifest file leaves for the cross-object pass.
#[derive(Debug, Default)]
pub(crate) struct ManifestFacts {
    /// Objects that cross-object rules look at.
    pub objects: Vec<ObjectFacts>,
    /// Plain files a `kustomization.yaml` lists under `resources:`.
    pub kustomize_resources: Vec<PathBuf>,
}

/// The tree a file's references must stay in: the repository holding its directory target (or
/// the folder of a file named on the command line), else that folder itself. An overlay may
/// name a base elsewhere in its repository, never a file outside it.
pub(super) fn tree_of(
    repository: Option<usize>,
    source: Option<&SourceFile>,
    roots: &[Option<PathBuf>],
) -> Option<PathBuf> {
    match repository {
        Some(index) => roots.get(index).cloned().flatten(),
        None => source.and_then(|s| s.path().parent()).and_then(|dir| {
            tree_holding(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        }),
    }
}

/// The repository holding `dir`, else `dir`, resolved.
pub(super) fn tree_holding(dir: &Path) -> Option<PathBuf> {
    crate::discovery::repository_root(dir).or_else(|| std::fs::canonicalize(dir).ok())
}

/// Whether `path` (a `resources:` entry) resolves, links followed, inside `tree`: an absolute
/// path, `../` or a symbolic link out of it would report a file the run was not given.
pub(super) fn inside(path: &Path, tree: Option<&Path>) -> bool {
    let real = std::fs::canonicalize(path);
    let ok = matches!((&real, tree), (Ok(real), Some(tree)) if real.starts_with(tree));
    if !ok && real.is_ok() {
        tracing::warn!(
            "{}: listed in a kustomization but outside the tree checked; not read",
            path.display()
        );
    }
    ok
}

/// Kinds whose facts the cross-object rules use; other objects leave none.
fn cross_object_kind(object: &Object<'_>) -> bool {
    object.is_workload()
        || matches!(
            object.kind,
            "PodDisruptionBudget"
                | "HorizontalPodAutoscaler"
                | "NetworkPolicy"
                | "Namespace"
                | "Service"
                | "Ingress"
        )
        // A custom resource's operator may run pods no file shows (`selector-matches-nothing`).
        || !crate::kubernetes::is_builtin_kind(object.kind)
}

/// Whether `text` has top-level `apiVersion:` and `kind:` keys: a cheap test before parsing.
pub(super) fn sniff(text: &str) -> bool {
    // Each key is looked for where it occurs (memchr's search) rather than line by line: most
    // files hold neither, and splitting every file of a run into lines cost more than the
    // rest of this test.
    has_top_level_key(text, "apiVersion") && has_top_level_key(text, "kind")
}

/// Whether a line of `text` starts with `key`, possibly quoted and spaced before its colon
/// (`apiVersion : v1`, `"kind": Pod`).
fn has_top_level_key(text: &str, key: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, key.as_bytes()).any(|at| {
        let line_start = |i: usize| i == 0 || bytes[i - 1] == b'\n';
        let starts_line =
            line_start(at) || (matches!(bytes[at - 1], b'"' | b'\'') && line_start(at - 1));
        starts_line
            && text[at + key.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start_matches(' ')
                .starts_with(':')
    })
}

/// Whether the file is a `kustomization.yaml`.
pub(super) fn is_kustomization(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(
            n,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
    })
}

/// Whether `text` is a Helm template: Go template actions where YAML is expected.
fn is_helm_template(text: &str) -> bool {
    text.contains("{{")
        && text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with("{{")
                || line.contains(": {{")
                || line.contains("{{ .Values")
                || line.contains("{{ include")
                || line.contains("{{- ")
        })
}

/// Check the manifests of `source`; `None` when the file holds none (not ours).
pub(super) fn check_manifests(
    source: &SourceFile,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
) -> Option<ManifestFacts> {
    let text = source.text();
    let kustomization = is_kustomization(source.path());
    if !kustomization && !sniff(text) {
        return None;
    }
    if is_helm_template(text) {
        tracing::info!(
            "{}: a Helm template ({{{{ }}}}); skipped until charts are rendered",
            source.path().display()
        );
        return None;
    }
    let mut facts = ManifestFacts::default();
    let documents = parse_documents(source, sink);
    for document in &documents {
        let root = &document.root;
        if root.is_null() {
            continue;
        }
        if kustomization {
            facts
                .kustomize_resources
                .extend(kustomize_resources(source.path(), root));
        }
        let cx = Context {
            source,
            document,
            settings,
            scripts: Default::default(),
            expression_scalars: Default::default(),
        };
        match Object::new(root) {
            Some(object) => visit(&cx, object, rules, sink, &mut facts),
            None if root.as_mapping().is_some() => {
                if !kustomization {
                    sink.report(
                        &InvalidManifest::META,
                        first_key(root),
                        "this document has no string `apiVersion` and `kind`: it is not a Kubernetes object, so nothing in it was checked",
                    );
                }
            }
            None => {
                sink.report(
                    &InvalidManifest::META,
                    root.span,
                    format!(
                        "this document is a {}, not a Kubernetes object",
                        root.type_name()
                    ),
                );
            }
        }
    }
    Some(facts)
}

fn first_key(node: &Node) -> Span {
    node.as_mapping()
        .and_then(|m| m.first())
        .map_or(node.span, |e| e.key.span)
}

fn visit(
    cx: &Context<'_>,
    object: Object<'_>,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
    facts: &mut ManifestFacts,
) {
    if let Some(items) = object.list_items() {
        for item in items {
            match Object::new(item) {
                Some(inner) => visit(cx, inner, rules, sink, facts),
                None => {
                    sink.report(
                        &InvalidManifest::META,
                        item.span,
                        format!(
                            "this item of {} is not a Kubernetes object (no `apiVersion` and `kind`)",
                            object.kind
                        ),
                    );
                }
            }
        }
        return;
    }
    for rule in rules {
        rule.check_k8s_object(cx, &object, sink);
    }
    if let Some(pod) = object.pod_spec() {
        for container in pod.containers() {
            for rule in rules {
                rule.check_k8s_container(cx, &container, sink);
            }
        }
    }
    if cross_object_kind(&object) {
        facts
            .objects
            .push(ObjectFacts::of(&object, cx.source.path().to_path_buf()));
    }
}

/// Parse every document; a document that is not valid YAML is reported and parsing resumes at
/// the next `---`, so the documents after it are still checked with their own spans.
fn parse_documents(source: &SourceFile, sink: &mut Sink) -> Vec<Document> {
    let text = source.text();
    let mut stream = yaml::parse(text, source.lines());
    let mut documents = std::mem::take(&mut stream.documents);
    let mut resumed_at = 0;
    while let Some(error) = stream.error.take() {
        let resume = next_document_start(text, error.offset).filter(|at| *at > resumed_at);
        let (skipped, help) = match resume {
            Some(_) => (
                "the documents after it are still checked",
                "fix the syntax at the reported position; the other documents were checked",
            ),
            None => (
                "nothing after it was checked",
                "fix the syntax at the reported position; the documents before it were checked",
            ),
        };
        sink.report(
            &ParseError::META,
            Span::empty(error.offset),
            format!("invalid YAML document: {}; {skipped}", error.message),
        )
        .help(help);
        let Some(resume) = resume else { break };
        resumed_at = resume;
        // Blank everything before the next document (same byte offsets, so spans stay true).
        let blanked: String = text
            .bytes()
            .take(resume)
            .map(|b| if b == b'\n' { '\n' } else { ' ' })
            .chain(text[resume..].chars())
            .collect();
        let lines = LineIndex::new(&blanked);
        stream = yaml::parse(&blanked, &lines);
        documents.append(&mut stream.documents);
    }
    documents
}

/// Byte offset of the first `---` line at or after the line holding `offset`.
fn next_document_start(text: &str, offset: usize) -> Option<usize> {
    let mut at = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    loop {
        let rest = &text[at..];
        if rest.starts_with("---") && rest[3..].chars().next().is_none_or(|c| c.is_whitespace()) {
            return Some(at);
        }
        at += rest.find('\n')? + 1;
    }
}

/// Plain files a kustomization lists under `resources:` (not folders or URLs).
fn kustomize_resources(path: &Path, root: &Node) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new(""));
    root.get("resources")
        .and_then(Node::as_sequence)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .filter(|r| !r.contains("://") && (r.ends_with(".yaml") || r.ends_with(".yml")))
        .map(|r| crate::discovery::normalize(&dir.join(r)))
        .filter(|p| p.is_file())
        .collect()
}

/// Run the cross-object rules over every object of the run.
pub(super) fn check_cluster(cluster: &Cluster, rules: &[&'static dyn Rule], out: &mut RunSink) {
    if cluster.objects.is_empty() {
        return;
    }
    for rule in rules {
        rule.check_k8s_cluster(cluster, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_document_starts_and_sniffs_manifests() {
        let text = "a: [\n---\nkind: Pod\n--- # x\nb: 1\n";
        assert_eq!(next_document_start(text, 2), Some(5));
        assert_eq!(next_document_start(text, 6), Some(5));
        assert_eq!(next_document_start(text, 10), Some(19));
        assert_eq!(next_document_start(text, 28), None);
        assert!(sniff("apiVersion: v1\nkind: Pod\n"));
        assert!(!sniff("on: push\njobs: {}\n"));
        assert!(sniff("apiVersion : v1\n\"kind\": Pod\n"));
        assert!(!sniff("apiVersions: v1\nkind: Pod\n"));
        assert!(is_helm_template("kind: Pod\n{{- if .Values.x }}\n"));
        assert!(!is_helm_template(
            "kind: ConfigMap\ndata:\n  alert: \"{{ $labels.instance }} down\"\n"
        ));
    }

    /// The sniff as it was written first, line by line: the search by key must agree with it.
    fn sniff_by_lines(text: &str) -> bool {
        let is_key = |line: &str, key: &str| {
            let line = line.strip_prefix(['"', '\'']).unwrap_or(line);
            line.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start_matches(' ')
                    .starts_with(':')
            })
        };
        text.lines().any(|line| is_key(line, "apiVersion"))
            && text.lines().any(|line| is_key(line, "kind"))
    }

    #[test]
    fn sniffing_by_key_agrees_with_sniffing_by_line() {
        let mut texts: Vec<String> = [
            "kind: Pod\r\napiVersion: v1\r\n",
            "\"apiVersion\" : v1\n'kind'\t: Pod",
            "\"\"kind: x\napiVersion: v1\n",
            "apiVersion\n: v1\nkind:\n",
            "  apiVersion: v1\n  kind: Pod\n",
            "apiVersion: v1\nkindness: 1\nxkind: 2\n\"kind \"  : Pod",
            "é apiVersion: v1\nkind: Pod\napiVersion",
            "kind",
            "",
        ]
        .map(String::from)
        .to_vec();
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
        if corpus.is_dir() {
            for entry in ignore::WalkBuilder::new(&corpus)
                .hidden(false)
                .build()
                .flatten()
            {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    texts.push(text);
                }
            }
        } else {
            println!("skipped the corpus: ../shared absent");
        }
        let mut manifests = 0;
        for text in &texts {
            assert_eq!(
                sniff(text),
                sniff_by_lines(text),
                "{}",
                &text[..text.len().min(200)]
            );
            manifests += usize::from(sniff(text));
        }
        assert!(manifests > 3, "{manifests}");
    }
}
