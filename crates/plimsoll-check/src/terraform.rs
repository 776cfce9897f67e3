//! A view of a Terraform module — the `.tf` and `.tfvars` files of one folder — over the located
//! HCL trees, for the Terraform rules.

use std::path::{Path, PathBuf};

use plimsoll_syntax::hcl::{Block, Body, ExprKind};
use plimsoll_syntax::{SourceFile, Span};

use crate::settings::Settings;

/// One file of a module.
#[derive(Debug)]
pub struct TfFile<'a> {
    /// Its text.
    pub source: &'a SourceFile,
    /// Its parsed body (empty when it does not parse).
    pub body: Body,
    /// Whether it is a `.tfvars` file (variable values, not configuration).
    pub is_vars: bool,
}

/// The files of one folder, checked together.
#[derive(Debug)]
pub struct Module<'a> {
    /// The folder.
    pub dir: PathBuf,
    /// Its files, sorted by path.
    pub files: Vec<TfFile<'a>>,
    /// Effective settings.
    pub settings: &'a Settings,
}

impl<'a> Module<'a> {
    /// Top-level blocks of type `ident` in the `.tf` files, with the index of their file.
    pub fn blocks<'s>(&'s self, ident: &'s str) -> impl Iterator<Item = (usize, &'s Block)> + 's {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, file)| !file.is_vars)
            .flat_map(move |(index, file)| file.body.blocks_of(ident).map(move |b| (index, b)))
    }

    /// `terraform { … }` blocks.
    pub fn terraform_blocks(&self) -> impl Iterator<Item = (usize, &Block)> + '_ {
        self.blocks("terraform")
    }

    /// The `backend "…"` or `cloud` block, if any.
    pub fn backend(&self) -> Option<(usize, &Block)> {
        self.terraform_blocks().find_map(|(index, terraform)| {
            terraform
                .body
                .blocks()
                .find(|b| b.ident == "backend" || b.ident == "cloud")
                .map(|b| (index, b))
        })
    }

    /// Whether the module configures a provider (`provider "…" { … }`): it is meant to be
    /// applied as a root module, not called by others.
    pub fn configures_providers(&self) -> bool {
        self.blocks("provider").next().is_some()
    }

    /// Whether the module has any `resource` or `module` block.
    pub fn has_resources(&self) -> bool {
        self.blocks("resource").next().is_some() || self.blocks("module").next().is_some()
    }

    /// Whether the module is reusable: called by others rather than applied (no provider
    /// configuration and no backend).
    pub fn is_reusable(&self) -> bool {
        !self.configures_providers() && self.backend().is_none()
    }

    /// Keys of the provider's `default_tags { tags = { … } }` (aws) or `default_labels`
    /// (google) in this module; `None` when tags there are not literal (merged from a variable).
    pub fn default_tags(&self, provider: &str) -> Option<Vec<String>> {
        let mut keys = Vec::new();
        for (_, block) in self.blocks("provider") {
            if block.label(0) != Some(provider) {
                continue;
            }
            let tags = block
                .body
                .blocks_of("default_tags")
                .filter_map(|d| d.body.attribute("tags"))
                .chain(block.body.attribute("default_labels"));
            for tags in tags {
                match &tags.value.kind {
                    ExprKind::Object(items) => {
                        keys.extend(items.iter().filter_map(|i| i.name().map(String::from)))
                    }
                    // Tags computed from a variable or a merge: cannot be judged, so trusted.
                    _ => return None,
                }
            }
        }
        Some(keys)
    }

    /// The path of file `index`.
    pub fn path(&self, index: usize) -> &Path {
        self.files
            .get(index)
            .map_or(Path::new(""), |f| f.source.path())
    }
}

/// What the run-level rules need from a module.
#[derive(Clone, Debug)]
pub struct ModuleSummary {
    /// The folder.
    pub dir: PathBuf,
    /// Its backend, if it has one.
    pub backend: Option<BackendFacts>,
}

/// A `backend` block: where state is kept.
#[derive(Clone, Debug)]
pub struct BackendFacts {
    /// The file.
    pub path: PathBuf,
    /// Span of the block's type and label.
    pub span: Span,
    /// `s3`, `gcs`, `remote`, `cloud`…
    pub kind: String,
    /// Its literal settings (`bucket`, `key`, `prefix`, `workspaces.name`…), sorted.
    pub settings: Vec<(String, String)>,
}

impl ModuleSummary {
    /// Summarise `module`.
    pub fn of(module: &Module<'_>) -> ModuleSummary {
        let backend = module.backend().map(|(index, block)| {
            let mut settings: Vec<(String, String)> = block
                .body
                .attributes()
                .filter_map(|a| Some((a.name.clone(), a.value.as_str()?.to_string())))
                .collect();
            for inner in block.body.blocks() {
                settings.extend(inner.body.attributes().filter_map(|a| {
                    Some((
                        format!("{}.{}", inner.ident, a.name),
                        a.value.as_str()?.to_string(),
                    ))
                }));
            }
            settings.sort();
            BackendFacts {
                path: module.path(index).to_path_buf(),
                span: block
                    .labels
                    .last()
                    .map_or(block.ident_span, |l| block.ident_span.cover(l.span)),
                kind: block.label(0).unwrap_or(block.ident.as_str()).to_string(),
                settings,
            }
        });
        ModuleSummary {
            dir: module.dir.clone(),
            backend,
        }
    }
}
