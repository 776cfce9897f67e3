use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags literal AWS account ids, regions, AMI ids and CIDR blocks written in the resources
    /// of a reusable module (a folder with no `provider` configuration and no backend: one that
    /// other configurations call).
    ///
    /// ## Why is this bad?
    /// A module with an account, region or network baked in works for one environment only;
    /// the next one copies and edits it, and the copies drift.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "web" {
    ///   ami = "ami-0c55b159cbfafe1f0"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "web" {
    ///   ami = var.ami_id
    /// }
    /// ```
    pub struct HardcodedInfraValue {
        id: "TF003",
        name: "hardcoded-infra-value",
        severity: Note,
        domain: Terraform,
        summary: "A reusable module hardcodes an account id, region, AMI id or CIDR",
        help: "take the value as a variable (or look it up with a data source)",
    }
}

/// What kind of environment-specific value `value` is, if any.
fn classify(value: &str) -> Option<&'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if value.len() == 12 && digits(value) {
        return Some("AWS account id");
    }
    if value.starts_with("arn:aws")
        && value
            .split(':')
            .nth(4)
            .is_some_and(|a| a.len() == 12 && digits(a))
    {
        return Some("AWS account id (in an ARN)");
    }
    if let Some(rest) = value.strip_prefix("ami-") {
        if (8..=17).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some("AMI id");
        }
    }
    if let Some((address, prefix)) = value.split_once('/') {
        let octets: Vec<&str> = address.split('.').collect();
        if octets.len() == 4
            && octets.iter().all(|o| digits(o) && o.len() <= 3)
            && digits(prefix)
            && value != "0.0.0.0/0"
        {
            return Some("CIDR block");
        }
    }
    let parts: Vec<&str> = value.split('-').collect();
    let aws_region = parts.len() == 3
        && matches!(
            parts[0],
            "us" | "eu" | "ap" | "sa" | "ca" | "me" | "af" | "il" | "mx"
        )
        && matches!(
            parts[1],
            "east"
                | "west"
                | "north"
                | "south"
                | "central"
                | "northeast"
                | "southeast"
                | "northwest"
                | "southwest"
        )
        && digits(parts[2]);
    let gcp_region = (2..=3).contains(&parts.len())
        && matches!(
            parts[0],
            "us" | "europe"
                | "asia"
                | "australia"
                | "northamerica"
                | "southamerica"
                | "me"
                | "africa"
        )
        && parts[1]
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len()
            < parts[1].len()
        && parts[1].starts_with(|c: char| c.is_ascii_lowercase());
    if aws_region || gcp_region {
        return Some("region or zone");
    }
    None
}

impl Rule for HardcodedInfraValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        if !module.is_reusable() {
            return;
        }
        for (index, resource) in module.blocks("resource") {
            let Some(sink) = out.get_mut(index) else {
                continue;
            };
            super::walk_values(&resource.body, &mut |name, _, expr| {
                let Some(value) = expr.as_str() else {
                    return;
                };
                if let Some(kind) = classify(value) {
                    sink.report(
                        &Self::META,
                        expr.span,
                        format!(
                            "`{name}` of `{}` hardcodes {kind} `{value}` in a reusable module",
                            super::address(resource)
                        ),
                    );
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn recognises_environment_values() {
        assert_eq!(classify("123456789012"), Some("AWS account id"));
        assert_eq!(classify("ami-0c55b159cbfafe1f0"), Some("AMI id"));
        assert_eq!(classify("10.0.0.0/16"), Some("CIDR block"));
        assert_eq!(classify("0.0.0.0/0"), None);
        assert_eq!(classify("eu-west-1"), Some("region or zone"));
        assert_eq!(classify("europe-west1"), Some("region or zone"));
        assert_eq!(classify("us-central1-a"), Some("region or zone"));
        assert_eq!(classify("web-server"), None);
        assert_eq!(classify("us-east"), None);
    }
}
