use std::collections::HashSet;
use std::sync::OnceLock;

use plimsoll_syntax::hcl::ExprKind;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags taggable resources of the aws, azurerm and google providers that do not carry
    /// every required tag (`environment`, `service`, `team`, `cost-center` by default; set
    /// `terraform.required-tags` in `plimsoll.toml`). Tags set by the provider's `default_tags`
    /// (aws) or `default_labels` (google) in the same module count. Tags computed from variables
    /// or functions cannot be judged and are trusted. Which types take tags is kept as data in
    /// `crates/plimsoll-check/data/taggable-resources.txt`, with its source.
    ///
    /// ## Why is this bad?
    /// Untagged resources cannot be attributed: nobody knows who owns them, what they cost or
    /// whether they can be deleted, and cost reports and cleanup automation skip them.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "logs" {
    ///   bucket = "acme-logs"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// provider "aws" {
    ///   default_tags {
    ///     tags = { environment = "prod", service = "logs", team = "platform", cost-center = "cc-42" }
    ///   }
    /// }
    /// ```
    pub struct MissingRequiredTags {
        id: "TF002",
        name: "missing-required-tags",
        severity: Warning,
        domain: Terraform,
        summary: "A taggable resource lacks required tags",
        help: "add the missing tags to the resource or to the provider's `default_tags`",
    }
}

fn taggable() -> &'static HashSet<&'static str> {
    static TABLE: OnceLock<HashSet<&'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../../data/taggable-resources.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

impl Rule for MissingRequiredTags {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        let required = &module.settings.terraform.required_tags;
        if required.is_empty() {
            return;
        }
        for (index, resource) in module.blocks("resource") {
            let Some(kind) = resource.label(0) else {
                continue;
            };
            let provider = kind.split('_').next().unwrap_or_default();
            let attribute = match provider {
                "aws" | "azurerm" => "tags",
                "google" => "labels",
                _ => continue,
            };
            let tags = resource.body.attribute(attribute);
            if tags.is_none() && !taggable().contains(kind) {
                continue;
            }
            let Some(defaults) = module.default_tags(provider) else {
                continue; // provider tags computed: cannot judge
            };
            let written: Vec<&str> = match tags.map(|t| &t.value.kind) {
                None => Vec::new(),
                Some(ExprKind::Object(items)) => items.iter().filter_map(|i| i.name()).collect(),
                Some(_) => continue, // tags computed (`merge(var.tags, …)`): trusted
            };
            let missing: Vec<&str> = required
                .iter()
                .map(String::as_str)
                .filter(|tag| !written.contains(tag) && !defaults.iter().any(|d| d == tag))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let at = tags.map_or(super::header(resource), |t| t.name_span);
            if let Some(sink) = out.get_mut(index) {
                sink.report(
                    &Self::META,
                    at,
                    format!(
                        "`{}` lacks required {attribute}: {}",
                        super::address(resource),
                        missing.join(", ")
                    ),
                );
            }
        }
    }
}
