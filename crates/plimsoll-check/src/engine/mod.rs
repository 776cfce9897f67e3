//! Running the rules over discovered files, in parallel, and resolving what they report into
//! located, configured, suppressed findings.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plimsoll_syntax::file::{self, ReadError};
use plimsoll_syntax::yaml;
use plimsoll_syntax::{LineCol, SourceError, SourceFile, Span};
use rayon::prelude::*;

use crate::compose::Compose;
use crate::discovery::{self, Candidate, FileKind};
use crate::finding::NonProduction;
use crate::finding::{Diagnostic, Finding, Location, RuleMeta, Severity, Sink};
use crate::kubernetes::Cluster;
use crate::registry;
use crate::repository::{CiFileFacts, DependabotFacts, DockerBuild, Repository};
use crate::rule::{Context, Rule, RunSink};
use crate::rules::engine::{NotSearched, ParseError, UnreadablePath, UnusedSuppression};
use crate::settings::Settings;
use crate::suppression;

mod caps;
mod containers;
mod github_actions;
mod in_memory;
mod kubernetes;
mod redaction;
mod terraform;

pub use in_memory::check_buffer;
pub use redaction::point_at_start;
use redaction::RunSecrets;

/// Why a run could not be done at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A target path does not exist.
    #[error("{}: no such file or directory", .0.display())]
    MissingTarget(PathBuf),
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Findings, sorted by path, line, column and rule.
    pub findings: Vec<Finding>,
    /// How many files were checked.
    pub files_checked: usize,
    /// Sources of the files that have findings, for rendering snippets.
    pub sources: HashMap<PathBuf, Arc<SourceFile>>,
    /// Paths named to check that could not be (missing, a FIFO, a device), and why; each is
    /// also a `parse-error` finding, and the run fails with exit 2.
    pub unreadable_targets: Vec<(PathBuf, String)>,
    /// Paths named to check that the configuration excludes (`--force-exclude` only).
    pub excluded_targets: Vec<PathBuf>,
    /// The configuration files the settings came from, for the report's head.
    pub config_files: Vec<PathBuf>,
    /// Byte ranges of the credentials in each file of `sources`, whether or not a finding
    /// reports them: every renderer that shows source text masks them.
    pub secrets: HashMap<PathBuf, Vec<Span>>,
}

impl CheckReport {
    /// How many findings were lowered to notes because their file is test data.
    pub fn lowered_test_data(&self) -> usize {
        self.lowered(NonProduction::TestData)
    }

    /// How many findings were lowered to notes for `reason`.
    pub fn lowered(&self, reason: NonProduction) -> usize {
        self.findings
            .iter()
            .filter(|f| f.lowered == Some(reason))
            .count()
    }
}

enum Facts {
    Ci(CiFileFacts),
    Dependabot(DependabotFacts),
    Dockerfile(PathBuf),
    Compose(Vec<DockerBuild>),
    Kubernetes(kubernetes::ManifestFacts),
    Terraform,
}

struct FileOutcome {
    findings: Vec<Finding>,
    source: Option<Arc<SourceFile>>,
    facts: Option<Facts>,
    repository: Option<usize>,
    checked: bool,
    /// What the per-file rules found, when resolving waits for rules over the whole run
    /// (so suppressions cover cross-file findings too).
    deferred: Option<Sink>,
    /// The credentials in the file, reported or not.
    secrets: RunSecrets,
    /// The file is a fuzzing build image ([`NonProduction::FuzzingImage`]).
    fuzzing_image: bool,
}

impl FileOutcome {
    /// Nothing found yet in a file of directory target number `repository`.
    fn new(repository: Option<usize>) -> Self {
        FileOutcome {
            findings: Vec::new(),
            source: None,
            facts: None,
            repository,
            checked: true,
            deferred: None,
            secrets: RunSecrets::default(),
            fuzzing_image: false,
        }
    }
}

/// What the files of a run leave for the rules that look at several files at once.
#[derive(Default)]
struct RunFacts {
    cluster: Cluster,
    terraform_files: Vec<Arc<SourceFile>>,
    /// What the text rules found in each Terraform file, resolved with the module's findings.
    terraform_text: HashMap<PathBuf, Sink>,
    deferred: Vec<(Arc<SourceFile>, Sink)>,
}

impl RunFacts {
    /// Keep what `outcome` leaves for the run; hands back the repository facts.
    fn absorb(&mut self, outcome: &mut FileOutcome) -> Option<Facts> {
        let source = outcome.source.clone();
        match outcome.facts.take() {
            Some(Facts::Kubernetes(manifests)) => {
                self.cluster.objects.extend(manifests.objects);
                if let (Some(source), Some(sink)) = (source, outcome.deferred.take()) {
                    self.deferred.push((source, sink));
                }
                None
            }
            Some(Facts::Terraform) => {
                if let (Some(source), Some(sink)) = (source, outcome.deferred.take()) {
                    self.terraform_text
                        .insert(source.path().to_path_buf(), sink);
                    self.terraform_files.push(source);
                }
                None
            }
            other => other,
        }
    }
}

/// Check `targets` (files or directories) with `settings`.
pub fn check(targets: &[PathBuf], settings: &Settings) -> Result<CheckReport, CheckError> {
    crate::rules::github_actions::forget_run_caches();
    let discovery = discovery::discover(targets, settings);
    let active = active_rules(settings);
    // One file a task: rayon otherwise hands each thread runs of files that it no longer
    // splits once they are small, and the last run (dozens of files) was checked on one
    // thread while the other idled (8 ms of a 130 ms workflow run).
    let outcomes: Vec<FileOutcome> = discovery
        .files
        .par_iter()
        .with_max_len(1)
        .map(|candidate| check_file(candidate, settings, &active))
        .collect();

    let mut report = CheckReport::default();
    report
        .findings
        .reserve(outcomes.iter().map(|o| o.findings.len()).sum());
    for (path, reason) in &discovery.unreadable {
        report
            .findings
            .push(parse_error(path, None, None, reason.clone()));
    }
    for (path, reason) in &discovery.unreadable_inside {
        report.findings.extend(unreadable(path, reason, settings));
    }
    report.unreadable_targets = discovery.unreadable.clone();
    report.excluded_targets = discovery.excluded_targets.clone();
    let mut repositories: Vec<Repository> = discovery
        .repositories
        .iter()
        .map(|root| Repository::new(root, settings.max_file_size))
        .collect();
    let mut run = RunFacts::default();
    let mut secrets = RunSecrets::default();
    let mut outcomes = outcomes;
    let fuzzing_images: HashSet<PathBuf> = outcomes
        .iter()
        .filter(|o| o.fuzzing_image)
        .filter_map(|o| o.source.as_ref().map(|s| s.path().to_path_buf()))
        .collect();
    let extra = kustomize_outcomes(&mut outcomes, &discovery, settings, &active);
    // Sized up front: growing it rehashes every path so far, on the one thread this part runs on.
    let mut all_sources = HashMap::with_capacity(outcomes.len() + extra.len());
    for mut outcome in outcomes.into_iter().chain(extra) {
        report.files_checked += usize::from(outcome.checked);
        report.findings.append(&mut outcome.findings);
        secrets.merge(std::mem::take(&mut outcome.secrets));
        let facts = run.absorb(&mut outcome);
        if let Some(source) = outcome.source {
            all_sources.insert(source.path().to_path_buf(), source);
        }
        if let (Some(facts), Some(repo)) = (facts, outcome.repository) {
            if let Some(repository) = repositories.get_mut(repo) {
                match facts {
                    Facts::Ci(ci) => repository.ci_files.push(ci),
                    Facts::Dependabot(d) => repository.dependabot = Some(d),
                    Facts::Dockerfile(path) => repository.dockerfiles.push(path),
                    Facts::Compose(builds) => repository.compose_builds.extend(builds),
                    Facts::Kubernetes(_) | Facts::Terraform => {}
                }
            }
        }
    }
    drop_locally_built_images(&mut report.findings, &repositories, &all_sources);
    drop_root_findings_of_non_root_local_bases(&mut report.findings, &repositories, &all_sources);
    // One repository after another on every thread, their findings kept in order.
    let repository_findings: Vec<Vec<Finding>> = repositories
        .par_iter()
        .map(|repository| {
            let exclusions = settings.exclusions_under(&repository.root);
            let mut diagnostics = Vec::new();
            for rule in &active {
                rule.check_repository(repository, &mut diagnostics);
            }
            let mut findings = Vec::new();
            for diagnostic in diagnostics {
                let Some(severity) = settings.rule_severity(diagnostic.rule) else {
                    continue;
                };
                if settings.is_ignored(&diagnostic.path, diagnostic.rule)
                    || settings.is_excluded_under(&diagnostic.path, &exclusions)
                {
                    continue;
                }
                let source = all_sources.get(&diagnostic.path).cloned();
                findings.push(make_finding(
                    diagnostic.rule,
                    severity,
                    &diagnostic.path,
                    source.as_deref(),
                    diagnostic.span,
                    diagnostic.message,
                    None,
                ));
            }
            findings
        })
        .collect();
    report
        .findings
        .extend(repository_findings.into_iter().flatten());
    // Freed on an idle thread: each workflow's facts are many small allocations, and this
    // thread has the rest of the run to finish.
    rayon::spawn(move || drop(repositories));
    report.findings.extend(check_run(
        run,
        settings,
        &active,
        &all_sources,
        &mut secrets,
    ));
    sort_findings(&mut report.findings);
    // Which files are test data or examples, judged on the pool, while another thread picks
    // the sources the report shows (a serial lookup a file): neither changes a path.
    let (answers, shown) = rayon::join(
        || non_production_answers(&report.findings, settings, targets, &fuzzing_images),
        || shown_sources(&report.findings, &all_sources),
    );
    apply_non_production(&mut report.findings, answers);
    report.sources = shown;
    report.secrets = secrets.apply(&mut report.findings, &all_sources, &report.sources);
    mask_report_paths(&mut report);
    Ok(report)
}

/// Sort `findings` by path, then position, then rule id, equal ones in the order they came (a
/// stable sort).
///
/// The findings of a file come together, one file after another: each run's path is ranked
/// once, then the findings are sorted on their ranks. Comparing paths component by component
/// in each comparison of a stable sort of thousands of findings took as long as the rest of
/// the sort.
fn sort_findings(findings: &mut [Finding]) {
    let mut runs: Vec<&Path> = Vec::new();
    let mut run_of_finding = Vec::with_capacity(findings.len());
    for finding in findings.iter() {
        let path = finding.location.path.as_path();
        if runs.last().map(|p| p.as_os_str()) != Some(path.as_os_str()) {
            runs.push(path);
        }
        run_of_finding.push(runs.len() - 1);
    }
    // Files come in path order but for the few found after the checks: nearly sorted already.
    let mut by_path: Vec<usize> = (0..runs.len()).collect();
    by_path.sort_unstable_by(|&a, &b| runs[a].cmp(runs[b]));
    // Equal paths (one spelled two ways) share a rank, as they compare equal.
    let mut rank_of_run = vec![0; runs.len()];
    let mut rank = 0;
    for (position, &run) in by_path.iter().enumerate() {
        if position > 0 && runs[by_path[position - 1]] != runs[run] {
            rank += 1;
        }
        rank_of_run[run] = rank;
    }
    // The index last: no two keys are equal, so the order of equal findings is kept.
    let mut keys: Vec<(usize, LineCol, &'static str, usize)> = findings
        .iter()
        .zip(&run_of_finding)
        .enumerate()
        .map(|(index, (finding, &run))| {
            (
                rank_of_run[run],
                finding.location.start,
                finding.rule.id,
                index,
            )
        })
        .collect();
    keys.sort_unstable();
    // Moved in place, cycle by cycle: the findings are large, and a second vector of them
    // was fresh memory whose pages the kernel had to zero.
    let mut placed = vec![false; keys.len()];
    for start in 0..keys.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = keys[at].3;
            if from == start {
                break;
            }
            findings.swap(at, from);
            at = from;
        }
    }
}

/// The rules `settings` leave on.
fn active_rules(settings: &Settings) -> Vec<&'static dyn Rule> {
    registry::RULES
        .iter()
        .copied()
        .filter(|rule| settings.rule_severity(rule.meta()).is_some())
        .collect()
}

/// Lower to notes the findings in content that is neither shipped nor deployed: folders of
/// test data (`test-data`: fixtures, test manifests, sample credentials), folders of examples,
/// samples and documentation (`examples`), and fuzzing build images. plimsoll's own findings (a
/// file that cannot be read or parsed, an unused suppression) keep their severity. `findings`
/// are sorted by path, so each file is judged once.
fn lower_non_production(
    findings: &mut [Finding],
    settings: &Settings,
    targets: &[PathBuf],
    fuzzing_images: &HashSet<PathBuf>,
) {
    let answers = non_production_answers(findings, settings, targets, fuzzing_images);
    apply_non_production(findings, answers);
}

/// Whether a finding is one [`lower_non_production`] may lower.
fn lowers(finding: &Finding) -> bool {
    finding.rule.domain != crate::Domain::Engine && finding.severity != Severity::Note
}

/// Why each file of `findings` (sorted by path) that holds a finding that [`lowers`] is not
/// production content, if it is not: one answer a file, in the order of the findings, for
/// [`apply_non_production`].
fn non_production_answers(
    findings: &[Finding],
    settings: &Settings,
    targets: &[PathBuf],
    fuzzing_images: &HashSet<PathBuf>,
) -> Vec<Option<NonProduction>> {
    // Sized up front: growing it would hash every target again at each doubling.
    let mut normalized = HashSet::with_capacity(targets.len());
    normalized.extend(targets.iter().map(|t| discovery::normalize(t)));
    let targets = normalized;
    // Each file is judged once, on every thread: the globs match each of its folders. Paths
    // are compared as bytes here and in `apply_non_production` (cheaper than component by
    // component; a path spelled two ways is judged twice, the same way).
    let mut paths: Vec<&Path> = Vec::new();
    for finding in findings.iter().filter(|finding| lowers(finding)) {
        let path = finding.location.path.as_path();
        if paths.last().map(|p| p.as_os_str()) != Some(path.as_os_str()) {
            paths.push(path);
        }
    }
    paths
        .par_iter()
        .map(|path| {
            // The deepest target holding the file, found by its ancestors: a lookup per
            // folder level rather than a comparison with each of thousands of targets.
            let target = path.ancestors().find(|dir| targets.contains(*dir));
            if settings.is_test_data(path, target) {
                Some(NonProduction::TestData)
            } else if settings.is_example(path, target) {
                Some(NonProduction::Example)
            } else if settings.lowers_fuzzing_images() && fuzzing_images.contains(*path) {
                Some(NonProduction::FuzzingImage)
            } else {
                None
            }
        })
        .collect()
}

/// Lower the findings of `findings` that [`lowers`] by `answers`, from
/// [`non_production_answers`] over the same findings: the files come in the same order, so
/// a new answer is taken whenever the path changes.
fn apply_non_production(findings: &mut [Finding], answers: Vec<Option<NonProduction>>) {
    let mut answers = answers.into_iter();
    let mut current: Option<Option<NonProduction>> = None;
    let mut previous: Option<usize> = None;
    for index in 0..findings.len() {
        if !lowers(&findings[index]) {
            continue;
        }
        let same_file = previous.is_some_and(|previous| {
            findings[previous].location.path.as_os_str()
                == findings[index].location.path.as_os_str()
        });
        if !same_file {
            current = answers.next();
        }
        previous = Some(index);
        if let Some(reason) = current.flatten() {
            let finding = &mut findings[index];
            finding.severity = Severity::Note;
            finding.lowered = Some(reason);
        }
    }
}

/// The sources of the files `findings` (sorted by path) report on, for the report to show.
fn shown_sources(
    findings: &[Finding],
    all_sources: &HashMap<PathBuf, Arc<SourceFile>>,
) -> HashMap<PathBuf, Arc<SourceFile>> {
    let mut shown = HashMap::new();
    // Sorted by path: look each file up once, not once per finding. Compared as bytes, cheaper
    // than component by component; two spellings of one path still meet in the map.
    let mut previous: Option<&std::ffi::OsStr> = None;
    for finding in findings {
        let path = finding.location.path.as_path();
        if previous == Some(path.as_os_str()) {
            continue;
        }
        previous = Some(path.as_os_str());
        if let Some(source) = all_sources.get(path) {
            shown
                .entry(path.to_path_buf())
                .or_insert_with(|| source.clone());
        }
    }
    shown
}

/// Rules that call an image reference unpinned: a reference to an image the repository builds
/// itself is not one, and is not pinned by digest either (its digest changes with each build).
const IMAGE_PIN_RULES: &[&str] = &[
    "unpinned-base-image",
    "image-not-pinned-to-digest",
    "unpinned-image",
];

/// Remove the findings of [`IMAGE_PIN_RULES`] about an image that the repository holding the
/// file builds (a Compose service's `image:` next to `build:`, a workflow's `docker build -t`
/// or `docker/build-push-action` `tags`): `FROM myorg/base` after `docker build -t myorg/base
/// -f Dockerfile.base .` names that build, not a registry image. Per-file rules cannot know
/// it, so it is decided once every file has been read.
fn drop_locally_built_images(
    findings: &mut Vec<Finding>,
    repositories: &[Repository],
    sources: &HashMap<PathBuf, Arc<SourceFile>>,
) {
    let built: Vec<(&Path, HashSet<String>)> = repositories
        .iter()
        .map(|repository| (repository.root.as_path(), repository.built_images()))
        .filter(|(_, images)| !images.is_empty())
        .collect();
    if built.is_empty() {
        return;
    }
    findings.retain(|finding| {
        if !IMAGE_PIN_RULES.contains(&finding.rule.name) {
            return true;
        }
        let path = finding.location.path.as_path();
        let (Some(span), Some(source)) = (finding.location.span, sources.get(path)) else {
            return true;
        };
        let written = source.slice(span);
        // `FROM ${BASE}`: the image the build argument's default names.
        let reference = if written.contains('$') {
            let file = plimsoll_syntax::dockerfile::parse(source.text());
            plimsoll_syntax::dockerfile::substitute(written, &file.global_args()).0
        } else {
            written.to_string()
        };
        let name = crate::repository::image_name(&reference);
        !built
            .iter()
            .any(|(root, images)| path.starts_with(root) && images.contains(&name))
    });
}

/// Remove `runs-as-root` findings about a final stage with no `USER` whose base image the
/// repository builds itself (a Compose service's `image:` with `build:`, a workflow's `docker
/// build -t`) from a Dockerfile whose final stage switches to a non-root `USER`: the child
/// image inherits that user. Per-file rules cannot see the other Dockerfile.
fn drop_root_findings_of_non_root_local_bases(
    findings: &mut Vec<Finding>,
    repositories: &[Repository],
    sources: &HashMap<PathBuf, Arc<SourceFile>>,
) {
    let built: Vec<(&Repository, HashMap<String, PathBuf>)> = repositories
        .iter()
        .map(|repository| (repository, repository.built_dockerfiles()))
        .filter(|(_, dockerfiles)| !dockerfiles.is_empty())
        .collect();
    if built.is_empty() {
        return;
    }
    findings.retain(|finding| {
        if finding.rule.name != "runs-as-root" || !finding.message.contains("has no `USER`") {
            return true;
        }
        let path = finding.location.path.as_path();
        let (Some(span), Some(source)) = (finding.location.span, sources.get(path)) else {
            return true;
        };
        let file = plimsoll_syntax::dockerfile::parse(source.text());
        let (reference, _) =
            plimsoll_syntax::dockerfile::substitute(source.slice(span), &file.global_args());
        let name = crate::repository::image_name(&reference);
        let base_user = built
            .iter()
            .filter(|(repository, _)| path.starts_with(&repository.root))
            .find_map(|(repository, dockerfiles)| {
                let dockerfile = dockerfiles.get(&name)?;
                // A Dockerfile without findings of its own keeps no source: read it again.
                let bytes =
                    plimsoll_syntax::read_at_most(dockerfile, repository.max_file_size).ok()?;
                final_user(&String::from_utf8_lossy(&bytes))
            });
        base_user.is_none_or(|user| crate::rules::containers::is_root_user(&user))
    });
}

/// The last `USER` of a Dockerfile's final stage, as written.
fn final_user(text: &str) -> Option<String> {
    let file = plimsoll_syntax::dockerfile::parse(text);
    let stages = file.stages();
    let last = stages.last()?;
    last.body
        .iter()
        .rev()
        .find(|instruction| instruction.keyword == "USER")
        .map(|instruction| instruction.text())
}

/// Mask the credentials that the paths of `report`'s findings hold, in those paths and in
/// every message (see [`redaction::mask_paths`]); for `check` and `--git-history` alike.
pub(crate) fn mask_report_paths(report: &mut CheckReport) {
    redaction::mask_paths(
        &mut report.findings,
        &mut report.sources,
        &mut report.secrets,
    );
}

/// Check `path` as if its text were `text` (without a byte-order mark), without reading it:
/// what [`check`] would report about the file alone, less the rules over a whole repository.
/// The fixer checks each pass's result with it; an editor's buffer goes through
/// [`check_buffer`], which also applies the workspace's exclusions, lowering and redaction.
pub fn check_text(path: &Path, text: String, settings: &Settings) -> Vec<Finding> {
    let candidate = discovery::candidate(path);
    let source = Arc::new(SourceFile::new(path.to_path_buf(), text));
    check_alone(&candidate, source, settings).findings
}

/// What checking one file on its own found: [`check_text`] and [`in_memory::check_buffer`].
pub(crate) struct CheckedAlone {
    /// The file's findings and those of the run-level rules over it alone, in file order.
    pub(crate) findings: Vec<Finding>,
    /// The credentials seen, for redaction.
    pub(crate) secrets: RunSecrets,
    /// Whether the file was checked (it parsed far enough for its rules to run).
    pub(crate) checked: bool,
    /// Whether it is a fuzzing build image.
    pub(crate) fuzzing_image: bool,
}

/// Run the file rules over `candidate`'s text, `source`, then the run-level rules over that
/// file alone (multi-file Kubernetes and Terraform rules see only it).
pub(crate) fn check_alone(
    candidate: &Candidate,
    source: Arc<SourceFile>,
    settings: &Settings,
) -> CheckedAlone {
    let active = active_rules(settings);
    let mut outcome = check_source(
        candidate,
        source.clone(),
        settings,
        &active,
        FileOutcome::new(candidate.repository),
    );
    let mut secrets = RunSecrets::default();
    secrets.merge(std::mem::take(&mut outcome.secrets));
    let mut run = RunFacts::default();
    // Repository facts are for the repository-level rules, which need the other files.
    let _ = run.absorb(&mut outcome);
    let mut findings = std::mem::take(&mut outcome.findings);
    let sources = HashMap::from([(candidate.path.clone(), source)]);
    findings.extend(check_run(run, settings, &active, &sources, &mut secrets));
    findings.sort_by(|a, b| (a.location.start, a.rule.id).cmp(&(b.location.start, b.rule.id)));
    CheckedAlone {
        findings,
        secrets,
        checked: outcome.checked,
        fuzzing_image: outcome.fuzzing_image,
    }
}

fn check_file(
    candidate: &Candidate,
    settings: &Settings,
    rules: &[&'static dyn Rule],
) -> FileOutcome {
    let path = &candidate.path;
    let mut outcome = FileOutcome::new(candidate.repository);
    let source = if candidate.text_only {
        match read_text(candidate, settings) {
            Ok(source) => source,
            Err(skipped) => {
                outcome.checked = false;
                outcome.findings.extend(match skipped {
                    Skipped::TooLarge(size) => not_searched(path, size, settings),
                    Skipped::Unreadable(reason) => unreadable(path, &reason, settings),
                    Skipped::Quietly => None,
                });
                return outcome;
            }
        }
    } else {
        match read_source(candidate, settings) {
            Ok(source) => source,
            Err(finding) => {
                // A file that could not be opened or read was not checked.
                outcome.checked = finding
                    .as_ref()
                    .is_some_and(|f| f.rule.name != UnreadablePath::META.name);
                outcome.findings.extend(finding.map(|f| *f));
                return outcome;
            }
        }
    };
    check_source(candidate, source, settings, rules, outcome)
}

/// Run the rules for `candidate`'s kind over its text, `source` (read from disk, or an editor's
/// buffer), into `outcome`.
fn check_source(
    candidate: &Candidate,
    source: Arc<SourceFile>,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    mut outcome: FileOutcome,
) -> FileOutcome {
    let path = &candidate.path;
    let mut sink = Sink::default();
    for rule in rules {
        rule.check_text(&source, &mut sink);
    }
    if !candidate.text_only {
        outcome.source = Some(source.clone());
    }
    // Files whose findings are resolved at the end of the run, with the cross-file rules.
    match candidate.kind {
        Some(FileKind::Terraform | FileKind::TerraformVars) => {
            outcome.facts = Some(Facts::Terraform);
            outcome.deferred = Some(sink);
            return outcome;
        }
        Some(FileKind::Kubernetes) => {
            return check_manifests(outcome, &source, settings, rules, sink)
        }
        None if !candidate.text_only
            && (kubernetes::sniff(source.text()) || kubernetes::is_kustomization(path)) =>
        {
            return check_manifests(outcome, &source, settings, rules, sink)
        }
        _ => {}
    }
    let mut unparsable = false;
    let mut text_only = candidate.text_only;
    if !candidate.text_only {
        let is_dockerfile = match candidate.kind {
            Some(kind) => kind == FileKind::Dockerfile,
            None => containers::looks_like_dockerfile(&source),
        };
        let checked = if !is_dockerfile {
            check_yaml(&source, candidate, settings, rules, &mut sink)
        } else if containers::is_template(&source) {
            tracing::info!(
                "{}: a template (`{{{{ … }}}}` lines), not a Dockerfile; skipped",
                path.display()
            );
            Err(Unchecked::NotOurs)
        } else {
            outcome.fuzzing_image =
                containers::run_dockerfile_rules(&source, settings, rules, &mut sink);
            Ok(Some(Facts::Dockerfile(path.clone())))
        };
        match checked {
            Ok(Some(facts)) => outcome.facts = Some(facts),
            Ok(None) => {}
            Err(Unchecked::NotOurs) => {
                // Not a kind plimsoll parses: only the text rules looked at it.
                outcome.checked = false;
                text_only = true;
            }
            Err(Unchecked::Unparsable { message, span }) => {
                outcome
                    .findings
                    .push(parse_error(path, Some(&source), span, message));
                unparsable = true;
            }
        }
    }
    drop_secrets_reported_twice(&source, &mut sink);
    let mut findings = resolve(&source, sink, settings, text_only, &mut outcome.secrets);
    if unparsable {
        // The file's own rules did not run: its suppressions of them are not unused.
        findings.retain(|f| f.rule.name != UnusedSuppression::META.name);
    }
    if outcome.source.is_none() && !findings.is_empty() {
        outcome.source = Some(source);
    }
    outcome.findings.extend(findings);
    // Keep the text only where a report or a later rule may point into it, so a large run
    // does not hold every file it read.
    let needed_later = matches!(
        outcome.facts,
        Some(Facts::Ci(_) | Facts::Dependabot(_) | Facts::Compose(_))
    );
    if outcome.findings.is_empty() && !needed_later {
        outcome.source = None;
    }
    outcome
}

/// Run the Kubernetes rules over a file that may hold manifests.
///
/// `sink` holds what the text rules found in it already.
fn check_manifests(
    mut outcome: FileOutcome,
    source: &Arc<SourceFile>,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    mut sink: Sink,
) -> FileOutcome {
    let text_findings = sink.diagnostics.len();
    match kubernetes::check_manifests(source, settings, rules, &mut sink) {
        Some(facts) => {
            outcome.facts = Some(Facts::Kubernetes(facts));
            drop_secrets_reported_twice(source, &mut sink);
            outcome.deferred = Some(sink);
        }
        None => {
            // Not manifests: only the text rules looked at it.
            sink.diagnostics.truncate(text_findings);
            outcome.checked = false;
            let findings = resolve(source, sink, settings, true, &mut outcome.secrets);
            outcome.source = (!findings.is_empty()).then(|| source.clone());
            outcome.findings.extend(findings);
        }
    }
    outcome
}

/// Check the files `kustomization.yaml`s list that discovery did not find (a run over a single
/// kustomization, or resources outside the targets).
fn kustomize_outcomes(
    outcomes: &mut [FileOutcome],
    discovery: &discovery::Discovery,
    settings: &Settings,
    rules: &[&'static dyn Rule],
) -> Vec<FileOutcome> {
    let roots: Vec<Option<PathBuf>> = discovery
        .repositories
        .iter()
        .map(|root| kubernetes::tree_holding(root))
        .collect();
    let mut listed = Vec::new();
    for outcome in outcomes.iter_mut() {
        if let Some(Facts::Kubernetes(manifests)) = &mut outcome.facts {
            let tree = kubernetes::tree_of(outcome.repository, outcome.source.as_deref(), &roots);
            listed.extend(
                manifests
                    .kustomize_resources
                    .drain(..)
                    .filter(|path| kubernetes::inside(path, tree.as_deref())),
            );
        }
    }
    if listed.is_empty() {
        return Vec::new();
    }
    let known: std::collections::HashSet<PathBuf> = discovery
        .files
        .iter()
        .filter_map(|c| std::fs::canonicalize(&c.path).ok())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let extra: Vec<Candidate> = listed
        .into_iter()
        .filter(|path| {
            std::fs::canonicalize(path)
                .is_ok_and(|real| !known.contains(&real) && seen.insert(real))
        })
        .filter(|path| !settings.is_excluded(path))
        .map(|path| Candidate {
            path,
            kind: Some(FileKind::Kubernetes),
            repository: None,
            text_only: false,
            found_regular: false,
        })
        .collect();
    extra
        .par_iter()
        .map(|candidate| check_file(candidate, settings, rules))
        .collect()
}

/// Run the rules that look at several files (cross-object Kubernetes rules, Terraform modules),
/// then resolve every deferred file's findings.
fn check_run(
    mut run: RunFacts,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    sources: &HashMap<PathBuf, Arc<SourceFile>>,
    secrets: &mut RunSecrets,
) -> Vec<Finding> {
    let mut sink = RunSink::default();
    kubernetes::check_cluster(&run.cluster, rules, &mut sink);
    let terraform_files = std::mem::take(&mut run.terraform_files);
    run.deferred.extend(terraform::check_modules(
        terraform_files,
        settings,
        rules,
        &mut sink,
    ));
    let mut by_path: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
    for (path, diagnostic) in sink.diagnostics {
        by_path.entry(path).or_default().push(diagnostic);
    }
    let mut findings = Vec::new();
    for (source, mut file_sink) in run.deferred {
        if let Some(extra) = by_path.remove(source.path()) {
            file_sink.diagnostics.extend(extra);
        }
        if let Some(text) = run.terraform_text.remove(source.path()) {
            file_sink.diagnostics.extend(text.diagnostics);
        }
        drop_secrets_reported_twice(&source, &mut file_sink);
        findings.extend(resolve(&source, file_sink, settings, false, secrets));
    }
    // Terraform files the module rules handed nothing back for still carry the text findings.
    for (path, text) in run.terraform_text {
        if let Some(source) = sources.get(&path) {
            findings.extend(resolve(source, text, settings, false, secrets));
        }
    }
    // Findings in files that were not deferred (none today): configuration applies, no suppressions.
    for (path, diagnostics) in by_path {
        for diagnostic in diagnostics {
            let Some(severity) = settings.rule_severity(diagnostic.rule) else {
                continue;
            };
            if settings.is_ignored(&path, diagnostic.rule) {
                continue;
            }
            findings.push(make_finding(
                diagnostic.rule,
                severity,
                &path,
                sources.get(&path).map(|s| s.as_ref()),
                Some(diagnostic.span),
                diagnostic.message,
                diagnostic.help,
            ));
        }
    }
    findings
}

/// Where a domain rule that knows the file's structure (a workflow `env:` entry, a Dockerfile
/// `ENV`) reported a credential, the secrets pass over its raw text reports nothing more on
/// that line: one finding per secret, from the rule with the most context.
fn drop_secrets_reported_twice(source: &SourceFile, sink: &mut Sink) {
    let lines_by_domain_rules: Vec<usize> = sink
        .diagnostics
        .iter()
        .filter(|d| d.rule.sensitive && d.rule.domain != crate::Domain::Secrets)
        .map(|d| source.lines().line_of(d.span.start))
        .collect();
    if lines_by_domain_rules.is_empty() {
        return;
    }
    sink.diagnostics.retain(|d| {
        d.rule.domain != crate::Domain::Secrets
            || !lines_by_domain_rules.contains(&source.lines().line_of(d.span.start))
    });
}

/// Read a file of no particular kind for the rules that read any text: an error, with a log
/// line, when it is binary (a NUL byte in its first 8 KiB, as git judges, unless it is UTF-16
/// with a byte-order mark), unreadable, not a regular file or over the size limit; for text over
/// the limit the error holds its size, for a `not-searched` note. Invalid UTF-8 is replaced, so
/// a Latin-1 file is still searched.
fn read_text(candidate: &Candidate, settings: &Settings) -> Result<Arc<SourceFile>, Skipped> {
    let path = &candidate.path;
    let bytes = match read_candidate(candidate, settings) {
        Ok(bytes) => bytes,
        Err(file::ReadError::TooLarge { size, limit }) => {
            tracing::info!(
                "{}: skipped: {size} bytes, over the {limit}-byte limit",
                path.display()
            );
            // Said in the report when it looks like text: a large binary holds no source.
            return Err(if starts_as_text(path) {
                Skipped::TooLarge(size)
            } else {
                Skipped::Quietly
            });
        }
        // Gone since the walk saw it: nothing left to check.
        Err(file::ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!("{}: skipped: {err}", path.display());
            return Err(Skipped::Quietly);
        }
        Err(file::ReadError::Io(err)) => return Err(Skipped::Unreadable(err.to_string())),
        Err(err) => {
            tracing::info!("{}: skipped: {err}", path.display());
            return Err(Skipped::Quietly);
        }
    };
    // UTF-16 text is full of NUL bytes but is text: decoded, its secrets are found.
    if let Some(text) = file::decode_utf16_with_bom(&bytes) {
        return Ok(Arc::new(SourceFile::new(path.to_path_buf(), text)));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        tracing::debug!("{}: skipped: binary", path.display());
        return Err(Skipped::Quietly);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    Ok(Arc::new(SourceFile::new(path.to_path_buf(), text)))
}

/// Why a text file was not searched.
enum Skipped {
    /// Text over the size limit, of this many bytes: a `not-searched` note.
    TooLarge(u64),
    /// It cannot be read, for this reason: an `unreadable-path` finding.
    Unreadable(String),
    /// Binary, not a regular file, or gone: nothing to say in the report.
    Quietly,
}

/// Whether the first 8 KiB of `path` hold no NUL byte (git's test for text).
fn starts_as_text(path: &Path) -> bool {
    plimsoll_syntax::read_at_most(path, 8191).is_ok_and(|head| !head.contains(&0))
}

/// The `not-searched` note of a text file of `size` bytes, over the limit.
fn not_searched(path: &Path, size: u64, settings: &Settings) -> Option<Finding> {
    let severity = settings.rule_severity(&NotSearched::META)?;
    if settings.is_ignored(path, &NotSearched::META) {
        return None;
    }
    Some(make_finding(
        &NotSearched::META,
        severity,
        path,
        None,
        None,
        format!(
            "{size} bytes, over the {}-byte `max-file-size`: not searched for secrets",
            settings.max_file_size
        ),
        None,
    ))
}

/// Why a file's rules did not run.
enum Unchecked {
    /// The file is none of the kinds plimsoll checks (only for files classified by content).
    NotOurs,
    /// The file does not parse: a `parse-error` finding.
    Unparsable { message: String, span: Option<Span> },
}

/// The `unreadable-path` finding about `path`, which cannot be read for `reason`, unless the
/// rule is off or ignored there.
fn unreadable(path: &Path, reason: &str, settings: &Settings) -> Option<Finding> {
    let severity = settings.rule_severity(&UnreadablePath::META)?;
    if settings.is_ignored(path, &UnreadablePath::META) {
        return None;
    }
    let what = if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        "folder"
    } else {
        "file"
    };
    Some(make_finding(
        &UnreadablePath::META,
        severity,
        path,
        None,
        None,
        format!("cannot read this {what}: {reason}; it was not checked"),
        None,
    ))
}

/// A `parse-error` finding about `path`.
fn parse_error(
    path: &Path,
    source: Option<&SourceFile>,
    span: Option<Span>,
    message: String,
) -> Finding {
    make_finding(
        &ParseError::META,
        ParseError::META.severity,
        path,
        source,
        span,
        message,
        None,
    )
}

/// The bytes of `candidate`'s file, within the size limit; a file discovery has already
/// `stat`ed as regular is opened without a second lookup of its path.
fn read_candidate(candidate: &Candidate, settings: &Settings) -> Result<Vec<u8>, ReadError> {
    if candidate.found_regular {
        file::read_found_regular(&candidate.path, settings.max_file_size)
    } else {
        file::read_regular(&candidate.path, settings.max_file_size)
    }
}

/// Read and decode `candidate`'s file within the size limit, or say why it cannot be checked (nothing
/// when it cannot be read and `unreadable-path` is off).
fn read_source(
    candidate: &Candidate,
    settings: &Settings,
) -> Result<Arc<SourceFile>, Option<Box<Finding>>> {
    let path = &candidate.path;
    let bytes = read_candidate(candidate, settings).map_err(|err| {
        let message = match err {
            ReadError::TooLarge { .. } => format!("{err} (set `max-file-size` to raise it)"),
            ReadError::Io(err) => {
                return unreadable(path, &err.to_string(), settings).map(Box::new)
            }
            other => format!("cannot read the file: {other}"),
        };
        Some(Box::new(parse_error(path, None, None, message)))
    })?;
    SourceFile::from_bytes(path.to_path_buf(), bytes)
        .map(Arc::new)
        .map_err(|err| {
            let mut finding = parse_error(path, None, None, err.to_string());
            if let SourceError::InvalidUtf8 { line, column, .. } = err {
                // The text is not kept, but the reader still learns where the bad byte is.
                finding.location.start = LineCol { line, column };
                finding.location.end = finding.location.start;
                finding.location.start_utf16 = column;
                finding.location.end_utf16 = column;
            }
            Some(Box::new(finding))
        })
}

/// Parse a YAML file, classify it when its name did not, and run the rules for its kind.
fn check_yaml(
    source: &SourceFile,
    candidate: &Candidate,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
) -> Result<Option<Facts>, Unchecked> {
    let stream = yaml::parse(source.text(), source.lines());
    let document = stream.into_single().map_err(|err| Unchecked::Unparsable {
        message: err.message,
        span: Some(Span::empty(err.offset)),
    })?;
    let kind = match candidate.kind {
        Some(kind) => kind,
        None => classify_by_content(&document.root).ok_or_else(|| {
            tracing::info!(
                "{}: not a file kind plimsoll checks; skipped",
                source.path().display()
            );
            Unchecked::NotOurs
        })?,
    };
    if document.root.as_mapping().is_none() {
        return Err(Unchecked::Unparsable {
            message: format!(
                "expected a mapping at the top of the file, found a {}",
                document.root.type_name()
            ),
            span: Some(document.root.span),
        });
    }
    let cx = Context {
        source,
        document: &document,
        settings,
        scripts: Default::default(),
        expression_scalars: Default::default(),
    };
    // Only the repository rules read the facts, and only of files in a directory target.
    let facts_wanted = candidate.repository.is_some();
    Ok(Some(match kind {
        FileKind::Workflow => Facts::Ci(github_actions::run_workflow_rules(
            &cx,
            rules,
            sink,
            facts_wanted,
        )),
        FileKind::Action => Facts::Ci(github_actions::run_action_rules(
            &cx,
            rules,
            sink,
            facts_wanted,
        )),
        FileKind::Dependabot => {
            Facts::Dependabot(github_actions::dependabot_facts(source.path(), &document))
        }
        FileKind::Compose => Facts::Compose(containers::run_compose_rules(&cx, rules, sink)),
        // Dockerfiles never reach the YAML parser.
        FileKind::Dockerfile => return Ok(None),
        // Dispatched before YAML parsing (see `check_file`).
        FileKind::Kubernetes | FileKind::Terraform | FileKind::TerraformVars => {
            return Err(Unchecked::NotOurs)
        }
    }))
}

/// The kind of a YAML file named on the command line, from what it holds.
fn classify_by_content(root: &yaml::Node) -> Option<FileKind> {
    if plimsoll_actions::Workflow::looks_like(root) {
        Some(FileKind::Workflow)
    } else if root.get("runs").is_some_and(|r| r.get("using").is_some()) {
        Some(FileKind::Action)
    } else if root.get("updates").is_some() && root.get("version").is_some() {
        Some(FileKind::Dependabot)
    } else if Compose::looks_like(root) {
        Some(FileKind::Compose)
    } else {
        None
    }
}

/// Apply configuration and inline suppressions to what the rules reported in `source`, after
/// recording in `secrets` the credentials of the file, which configuration and suppressions
/// do not make less secret.
///
/// In a file of no kind plimsoll checks (`text_only`), only suppressions of the rules that read
/// any text can be unused: elsewhere `plimsoll: ignore[...]` is prose or test data about
/// plimsoll, not a suppression.
fn resolve(
    source: &SourceFile,
    mut sink: Sink,
    settings: &Settings,
    text_only: bool,
    secrets: &mut RunSecrets,
) -> Vec<Finding> {
    secrets.record(source, &mut sink);
    let path = source.path();
    let mut suppressions = suppression::parse(source);
    // Findings are built only for what the caps keep: building one hashes its whole line.
    let mut kept: Vec<Diagnostic> = Vec::new();
    for mut diagnostic in sink.diagnostics {
        let Some(default) = settings.rule_severity(diagnostic.rule) else {
            continue;
        };
        if settings.is_ignored(path, diagnostic.rule) {
            continue;
        }
        let line = source.lines().line_of(diagnostic.span.start);
        if suppression::suppress(
            &mut suppressions,
            diagnostic.rule.name,
            diagnostic.rule.id,
            line,
        ) {
            continue;
        }
        // A rule's own severity override applies only when configuration left the default.
        diagnostic.severity = Some(match diagnostic.severity {
            Some(own) if default == diagnostic.rule.severity => own,
            _ => default,
        });
        kept.push(diagnostic);
    }
    if let Some(severity) = settings.rule_severity(&UnusedSuppression::META) {
        if !settings.is_ignored(path, &UnusedSuppression::META) {
            let reportable = |rule: &str| {
                !text_only
                    || registry::find(rule).is_some_and(|r| r.domain == crate::Domain::Secrets)
            };
            for unused in suppressions
                .iter()
                .filter(|s| !s.used && reportable(&s.rule))
            {
                let message = match registry::find(&unused.rule) {
                    Some(rule) => format!("this suppression of `{}` suppresses nothing", rule.name),
                    None => format!(
                        "this suppression names `{}`, which is not a plimsoll rule",
                        unused.rule
                    ),
                };
                kept.push(Diagnostic {
                    rule: &UnusedSuppression::META,
                    span: unused.span,
                    message,
                    help: None,
                    severity: Some(severity),
                    fix: None,
                });
            }
        }
    }
    let dropped = caps::cap(&mut kept);
    let mut findings: Vec<Finding> = kept
        .into_iter()
        .map(|d| {
            let severity = d.severity.unwrap_or(d.rule.severity);
            let mut finding = make_finding(
                d.rule,
                severity,
                path,
                Some(source),
                Some(d.span),
                d.message,
                d.help,
            );
            finding.fix = d.fix;
            finding
        })
        .collect();
    findings.extend(caps::notes(dropped, source, settings));
    findings
}

/// Build a located finding. Without a source or span, it points at line 1, column 1.
pub fn make_finding(
    rule: &'static RuleMeta,
    severity: crate::Severity,
    path: &Path,
    source: Option<&SourceFile>,
    span: Option<Span>,
    message: String,
    help: Option<String>,
) -> Finding {
    let origin = LineCol { line: 1, column: 1 };
    let (start, end, start_utf16, end_utf16, line_text) = match (source, span) {
        (Some(source), Some(span)) => {
            let start = source.line_col(span.start);
            let end = source.line_col(span.end);
            let own = if rule.sensitive { &[span][..] } else { &[] };
            // Borrowed unless masked: a finding on a minified line of megabytes must not copy it.
            let line_text = redaction::masked_line(source, start.line - 1, own);
            (
                start,
                end,
                source.line_col_utf16(span.start).column,
                source.line_col_utf16(span.end).column,
                line_text,
            )
        }
        _ => (origin, origin, 1, 1, Cow::Borrowed("")),
    };
    Finding {
        rule,
        severity,
        // The line is masked with this finding's own credential only: the end of the run
        // recomputes the fingerprint with every credential of the file.
        fingerprint: redaction::fingerprint(rule, path, &line_text, &message),
        location: Location {
            path: path.to_path_buf(),
            span,
            start,
            end,
            start_utf16,
            end_utf16,
        },
        message,
        help: help.unwrap_or_else(|| rule.help.to_string()),
        lowered: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order of a stable sort on (path, start, rule id), on paths whose order as bytes is
    /// not their order by components, one of them spelled two ways, files coming back later.
    #[test]
    fn findings_are_sorted_as_a_stable_sort_on_path_position_and_rule() {
        let source = SourceFile::new("f.yml", "a: 1\nb: 2\nc: 3\n");
        let rules: Vec<&'static RuleMeta> = registry::RULES
            .iter()
            .take(3)
            .map(|rule| rule.meta())
            .collect();
        let paths = [
            "b/x.yml",
            "a-b.yml",
            "a/b.yml",
            "a/./b.yml",
            "a/b.yml",
            "a.yml",
            "b/x.yml",
            "a/b",
        ];
        let mut findings = Vec::new();
        for (file, path) in paths.iter().enumerate() {
            for (index, (offset, rule)) in [(6, 0), (0, 1), (6, 2), (0, 1), (12, 0)]
                .into_iter()
                .enumerate()
            {
                findings.push(make_finding(
                    rules[rule],
                    Severity::Warning,
                    Path::new(path),
                    Some(&source),
                    Some(Span::new(offset, offset + 1)),
                    format!("{file}.{index}"),
                    None,
                ));
            }
        }
        let mut expected = findings.clone();
        expected.sort_by(|a, b| {
            (&a.location.path, a.location.start, a.rule.id).cmp(&(
                &b.location.path,
                b.location.start,
                b.rule.id,
            ))
        });
        let messages = |findings: &[Finding]| {
            findings
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
        };
        assert_ne!(messages(&findings), messages(&expected));
        sort_findings(&mut findings);
        assert_eq!(messages(&findings), messages(&expected));
    }
}
