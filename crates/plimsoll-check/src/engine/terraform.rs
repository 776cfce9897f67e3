//! Running the Terraform rules module by module: the files of a folder are parsed together,
//! after every file of the run has been read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plimsoll_syntax::hcl;
use plimsoll_syntax::{SourceFile, Span};
use rayon::prelude::*;

use crate::finding::Sink;
use crate::rule::{Rule, RunSink};
use crate::rules::engine::ParseError;
use crate::settings::Settings;
use crate::terraform::{Module, ModuleSummary, TfFile};

/// A module's files with what the rules found in each, and its summary.
type CheckedModule = (Vec<(Arc<SourceFile>, Sink)>, ModuleSummary);

/// Check the Terraform files of a run: each folder is a module. Returns every file with what
/// the rules found in it, for suppressions and configuration to resolve.
pub(super) fn check_modules(
    files: Vec<Arc<SourceFile>>,
    settings: &Settings,
    rules: &[&'static dyn Rule],
    run: &mut RunSink,
) -> Vec<(Arc<SourceFile>, Sink)> {
    let mut by_dir: BTreeMap<PathBuf, Vec<Arc<SourceFile>>> = BTreeMap::new();
    for file in files {
        let dir = file.path().parent().unwrap_or(Path::new("")).to_path_buf();
        by_dir.entry(dir).or_default().push(file);
    }
    let checked: Vec<CheckedModule> = by_dir
        .into_par_iter()
        .map(|(dir, sources)| check_module(dir, sources, settings, rules))
        .collect();
    let mut summaries = Vec::with_capacity(checked.len());
    let mut out = Vec::new();
    for (files, summary) in checked {
        out.extend(files);
        summaries.push(summary);
    }
    for rule in rules {
        rule.check_terraform_run(&summaries, run);
    }
    out
}

fn check_module(
    dir: PathBuf,
    mut sources: Vec<Arc<SourceFile>>,
    settings: &Settings,
    rules: &[&'static dyn Rule],
) -> CheckedModule {
    sources.sort_by(|a, b| a.path().cmp(b.path()));
    let mut sinks: Vec<Sink> = sources.iter().map(|_| Sink::default()).collect();
    let files: Vec<TfFile<'_>> = sources
        .iter()
        .zip(sinks.iter_mut())
        .map(|(source, sink)| {
            let is_vars = source.path().extension().is_some_and(|e| e == "tfvars");
            let body = match hcl::parse(source.text()) {
                Ok(body) => body,
                Err(err) => {
                    sink.report(
                        &ParseError::META,
                        Span::empty(err.offset),
                        format!(
                            "invalid HCL: {}; the other files of the module are still checked",
                            err.message
                        ),
                    );
                    hcl::Body::default()
                }
            };
            TfFile {
                source,
                body,
                is_vars,
            }
        })
        .collect();
    let module = Module {
        dir,
        files,
        settings,
    };
    for rule in rules {
        rule.check_terraform_module(&module, &mut sinks);
    }
    let summary = ModuleSummary::of(&module);
    drop(module);
    (sources.into_iter().zip(sinks).collect(), summary)
}
