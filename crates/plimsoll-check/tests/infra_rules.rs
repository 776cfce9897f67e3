//! One fixture and one snapshot per Kubernetes and Terraform rule:
//! `tests/fixtures/kubernetes/<rule-name>.yaml` (a manifest file, classified by content) and
//! `tests/fixtures/terraform/<rule-name>/` (folders of modules, copied to a temporary directory
//! so that the fixture's own place under `tests/` does not exempt it from the backend rule).
//! The snapshot lists the findings of that rule, and parse errors, as
//! `path line:col-line:col severity message`.

use std::path::{Path, PathBuf};

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::{registry, Domain};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The findings of `rule` (and parse errors) when `target` is checked, paths relative to `base`.
fn run(rule: &str, target: &Path, base: &Path) -> String {
    let meta = registry::find(rule).unwrap_or_else(|| panic!("no rule {rule}"));
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    let settings = Settings::load(target, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[target.to_path_buf()], &settings).unwrap();
    let lines: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == meta.name || f.rule.name == "parse-error")
        .map(|finding| {
            let loc = &finding.location;
            let path = loc.path.strip_prefix(base).unwrap_or(&loc.path);
            format!(
                "{} {}:{}-{}:{} {} {}",
                path.display(),
                loc.start.line,
                loc.start.column,
                loc.end.line,
                loc.end.column,
                finding.severity,
                // The keyed hashes change from run to run.
                plimsoll_check::secrets::without_hashes(&finding.message)
            )
        })
        .collect();
    assert!(
        lines.iter().any(|l| !l.contains(" error invalid")),
        "{rule} found nothing in its fixture"
    );
    lines.join("\n")
}

fn kubernetes(rule: &str) -> String {
    let dir = fixtures().join("kubernetes");
    run(rule, &dir.join(format!("{rule}.yaml")), &dir)
}

fn terraform(rule: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    let target = temp.path().join(rule);
    copy_dir(&fixtures().join("terraform").join(rule), &target);
    run(rule, &target, temp.path())
}

macro_rules! rule_tests {
    ($($test:ident => $kind:ident $rule:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                insta::assert_snapshot!($rule, $kind($rule));
            }
        )*

        #[test]
        fn every_kubernetes_and_terraform_rule_has_a_fixture_test() {
            let tested = [$($rule),*];
            for meta in registry::all() {
                if matches!(meta.domain, Domain::Kubernetes | Domain::Terraform) {
                    assert!(tested.contains(&meta.name), "rule {} has no fixture test", meta.name);
                }
            }
        }
    };
}

rule_tests! {
    missing_resources => kubernetes "missing-resources",
    missing_probes => kubernetes "missing-probes",
    pod_runs_as_root => kubernetes "pod-runs-as-root",
    writable_root_filesystem => kubernetes "writable-root-filesystem",
    privilege_escalation => kubernetes "privilege-escalation",
    privileged_container => kubernetes "privileged-container",
    added_capabilities => kubernetes "added-capabilities",
    unpinned_container_image => kubernetes "unpinned-container-image",
    env_secret_literal => kubernetes "env-secret-literal",
    missing_disruption_budget => kubernetes "missing-disruption-budget",
    missing_autoscaler => kubernetes "missing-autoscaler",
    missing_default_deny => kubernetes "missing-default-deny",
    invalid_manifest => kubernetes "invalid-manifest",
    removed_api_version => kubernetes "removed-api-version",
    missing_seccomp_profile => kubernetes "missing-seccomp-profile",
    cronjob_missing_limits => kubernetes "cronjob-missing-limits",
    missing_anti_affinity => kubernetes "missing-anti-affinity",
    selector_matches_nothing => kubernetes "selector-matches-nothing",
    local_state => terraform "local-state",
    missing_required_tags => terraform "missing-required-tags",
    hardcoded_infra_value => terraform "hardcoded-infra-value",
    undocumented_variable => terraform "undocumented-variable",
    unpinned_provider => terraform "unpinned-provider",
    unpinned_module => terraform "unpinned-module",
    terraform_secret_literal => terraform "terraform-secret-literal",
    shared_state => terraform "shared-state",
}

#[test]
fn an_invalid_document_is_reported_and_the_others_are_checked() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("mixed.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: a, image: nginx}\n---\nkind: [\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n    - {name: b, image: redis}\n",
    )
    .unwrap();
    let text = run("unpinned-container-image", &path, temp.path());
    insta::assert_snapshot!("invalid-document-in-stream", text);
}

#[test]
fn helm_templates_are_skipped() {
    let temp = tempfile::tempdir().unwrap();
    let templates = temp.path().join("chart/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx\n",
    )
    .unwrap();
    let settings = Settings::load(
        temp.path(),
        &|_| None,
        &Overrides {
            test_data: Some(Vec::new()),
            examples: Some(Vec::new()),
            isolated: true,
            ..Overrides::default()
        },
    )
    .unwrap();
    let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.files_checked, 0);
}

#[test]
fn kustomization_resources_outside_the_targets_are_checked() {
    let temp = tempfile::tempdir().unwrap();
    // Resources may leave the target, not the repository holding it.
    std::fs::create_dir(temp.path().join(".git")).unwrap();
    let base = temp.path().join("base");
    let overlay = temp.path().join("overlay");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        base.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: p, image: nginx}\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n  - ../base/pod.yaml\n  - https://example.com/remote.yaml\n",
    )
    .unwrap();
    let target = overlay.join("kustomization.yaml");
    let text = run("unpinned-container-image", &target, temp.path());
    assert!(text.contains("pod.yaml"), "{text}");
}

#[test]
fn terraform_settings_come_from_plimsoll_toml() {
    let temp = tempfile::tempdir().unwrap();
    let live = temp.path().join("live");
    let sandbox = temp.path().join("sandbox");
    for dir in [&live, &sandbox] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("main.tf"),
            "provider \"aws\" {}\nresource \"aws_s3_bucket\" \"b\" {\n  tags = { owner = \"me\" }\n}\n",
        )
        .unwrap();
    }
    std::fs::write(
        temp.path().join("plimsoll.toml"),
        "[terraform]\nrequired-tags = [\"owner\", \"env\"]\nbackend-exempt = [\"sandbox\"]\n",
    )
    .unwrap();
    let settings = Settings::load(temp.path(), &|_| None, &Overrides::default()).unwrap();
    let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
    let mut seen: Vec<String> = report
        .findings
        .iter()
        .filter(|f| matches!(f.rule.name, "missing-required-tags" | "local-state"))
        .map(|f| {
            let path = f
                .location
                .path
                .strip_prefix(temp.path())
                .unwrap_or(&f.location.path);
            format!("{} {} {}", path.display(), f.rule.name, f.message)
        })
        .collect();
    seen.sort();
    insta::assert_snapshot!("terraform-settings", seen.join("\n"));

    std::fs::write(
        temp.path().join("plimsoll.toml"),
        "[terraform]\nrequired-tags = \"owner\"\n",
    )
    .unwrap();
    let err = Settings::load(temp.path(), &|_| None, &Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("plimsoll.toml:2:"), "{err}");
}

#[test]
fn suppressions_cover_cross_file_and_module_findings() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("app.yaml"),
        "apiVersion: apps/v1\n# plimsoll: ignore[missing-autoscaler] scaled by KEDA\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\n# plimsoll: ignore[missing-disruption-budget] nothing to suppress here\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    std::fs::write(
        temp.path().join("main.tf"),
        "# plimsoll: ignore[local-state] a throwaway sandbox\nprovider \"aws\" {}\n\nresource \"aws_iam_role_policy_attachment\" \"a\" {}\n",
    )
    .unwrap();
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(temp.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
    let names: Vec<(&str, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule.name, f.location.start.line))
        .collect();
    assert!(
        !names.iter().any(|(n, _)| *n == "missing-autoscaler"),
        "{names:?}"
    );
    assert!(!names.iter().any(|(n, _)| *n == "local-state"), "{names:?}");
    assert!(names.contains(&("unused-suppression", 7)), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|(n, line)| *n == "unused-suppression" && *line != 7),
        "{names:?}"
    );
}

/// Samples, quickstarts and demos are examples by another name: their Terraform may keep local
/// state by default; a folder of shared infrastructure may not.
#[test]
fn samples_quickstarts_and_demos_may_keep_local_state() {
    let temp = tempfile::tempdir().unwrap();
    for folder in [
        "infra/live",
        "quickstart/101-vm",
        "samples/vpc",
        "demos/gke",
    ] {
        let dir = temp.path().join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("main.tf"),
            "provider \"aws\" {}\nresource \"aws_s3_bucket\" \"b\" {}\n",
        )
        .unwrap();
    }
    let overrides = Overrides {
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(temp.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
    let local_state: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "local-state")
        .map(|f| {
            let path = f
                .location
                .path
                .strip_prefix(temp.path())
                .unwrap_or(&f.location.path);
            path.display().to_string()
        })
        .collect();
    assert_eq!(local_state, ["infra/live/main.tf"]);
}

/// Multi-line flow sequences closing at their key's indentation, and a quoted scalar continuing
/// at its key's, in a multi-document manifest: libyaml, PyYAML and kubectl read them, and so
/// does `check` (the reader's lenient pass), with every document checked at its own lines.
#[test]
fn flow_sequences_closing_at_their_key_are_valid_manifests() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("app.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    note: \"served on\n    port 80\"\nspec:\n  ports: [\n    {port: 80}\n  ]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          args: [\n            \"--port\",\n            \"80\"\n          ]\n        - name: sidecar\n          image: busybox\n          command: [\"sh\",\n          \"-c\"]\n",
    )
    .unwrap();
    let text = run("unpinned-container-image", &path, temp.path());
    assert!(
        !text.contains("parse-error") && !text.contains("invalid"),
        "{text}"
    );
    assert_eq!(
        text,
        "app.yaml 22:18-22:23 error image `nginx` of container `web` of Deployment `web` has no tag\n\
         app.yaml 28:18-28:25 error image `busybox` of container `sidecar` of Deployment `web` has no tag"
    );
}

/// An autoscaler counts for the same-named workload of its own folder (or a folder inside it),
/// not for another application's same-named Deployment elsewhere in the repository.
#[test]
fn disruption_budget_counts_only_autoscalers_applied_with_the_workload() {
    let temp = tempfile::tempdir().unwrap();
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: wordpress}\nspec:\n  template:\n    metadata: {labels: {app: wordpress}}\n";
    let autoscaler = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: wordpress}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: wordpress}\n  minReplicas: 2\n  maxReplicas: 5\n";
    for folder in ["quickstart", "cost/wordpress"] {
        std::fs::create_dir_all(temp.path().join(folder)).unwrap();
        std::fs::write(temp.path().join(folder).join("wordpress.yaml"), deployment).unwrap();
    }
    std::fs::write(temp.path().join("cost/wordpress/hpa.yaml"), autoscaler).unwrap();
    let report = run("missing-disruption-budget", temp.path(), temp.path());
    assert_eq!(
        report,
        "cost/wordpress/wordpress.yaml 2:7-2:17 warning Deployment `wordpress` runs 2 replicas but no PodDisruptionBudget among the checked files selects its pods (app=wordpress)"
    );
}
