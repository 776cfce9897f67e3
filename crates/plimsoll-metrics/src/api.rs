//! GitHub's REST API responses for Actions, as its OpenAPI description documents them
//! (`repos/get`, `actions/list-repo-workflows`, `actions/list-workflow-runs-for-repo`,
//! `actions/get-workflow-run-attempt`, `actions/list-jobs-for-workflow-run-attempt`,
//! `actions/list-workflow-run-artifacts`), and their
//! conversion into the stored [`crate::model`]. Only the fields the metrics use are read;
//! unknown fields are ignored, so newer API versions still parse.

use serde::Deserialize;

use crate::error::{MetricsError, Result};
use crate::model::{Job, Repo, RunAttempt, Step, Workflow};
use crate::time::parse_timestamp;

#[derive(Debug, Deserialize)]
pub struct ApiRepo {
    pub id: i64,
    pub full_name: String,
    pub default_branch: String,
}

#[derive(Debug, Deserialize)]
pub struct WorkflowList {
    pub workflows: Vec<ApiWorkflow>,
}

#[derive(Debug, Deserialize)]
pub struct ApiWorkflow {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub state: String,
}

#[derive(Debug, Deserialize)]
pub struct RunList {
    pub total_count: i64,
    pub workflow_runs: Vec<ApiRun>,
}

#[derive(Debug, Deserialize)]
pub struct ApiRun {
    pub id: i64,
    pub name: Option<String>,
    pub head_branch: Option<String>,
    pub head_sha: String,
    pub event: String,
    pub status: Option<String>,
    pub conclusion: Option<String>,
    pub workflow_id: i64,
    pub run_attempt: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub run_started_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct JobList {
    pub jobs: Vec<ApiJob>,
}

#[derive(Debug, Deserialize)]
pub struct ApiJob {
    pub id: i64,
    pub run_id: i64,
    pub run_attempt: Option<i64>,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub runner_name: Option<String>,
    #[serde(default)]
    pub steps: Option<Vec<ApiStep>>,
}

/// `actions/list-workflow-run-artifacts`.
#[derive(Debug, Deserialize)]
pub struct ArtifactList {
    pub artifacts: Vec<ApiArtifact>,
}

#[derive(Debug, Deserialize)]
pub struct ApiArtifact {
    pub id: i64,
    pub name: String,
    pub size_in_bytes: i64,
    #[serde(default)]
    pub expired: bool,
    pub created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ApiStep {
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub number: i64,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// Parse a response body of `url` as `T`.
pub fn parse<T: serde::de::DeserializeOwned>(url: &str, body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|source| MetricsError::Json {
        url: url.to_owned(),
        source,
    })
}

/// A required timestamp of a response of `url`.
fn instant(url: &str, value: &str) -> Result<i64> {
    parse_timestamp(value).ok_or_else(|| MetricsError::Timestamp {
        url: url.to_owned(),
        value: value.to_owned(),
    })
}

/// An optional timestamp: absent while a job is queued; an unreadable one is an error too.
fn optional_instant(url: &str, value: Option<&str>) -> Result<Option<i64>> {
    value.map(|value| instant(url, value)).transpose()
}

impl ApiRepo {
    pub fn into_model(self) -> Repo {
        Repo {
            id: self.id,
            full_name: self.full_name,
            default_branch: self.default_branch,
        }
    }
}

impl ApiWorkflow {
    pub fn into_model(self, repo_id: i64) -> Workflow {
        Workflow {
            id: self.id,
            repo_id,
            name: self.name,
            path: self.path,
            state: self.state,
        }
    }
}

impl ApiRun {
    /// The attempt this object describes (the run's latest one in a list).
    pub fn attempt(&self) -> i64 {
        self.run_attempt.unwrap_or(1)
    }

    pub fn into_model(self, url: &str, repo_id: i64) -> Result<RunAttempt> {
        Ok(RunAttempt {
            run_id: self.id,
            attempt: self.attempt(),
            repo_id,
            workflow_id: self.workflow_id,
            name: self.name.unwrap_or_default(),
            head_branch: self.head_branch,
            head_sha: self.head_sha,
            event: self.event,
            status: self.status.unwrap_or_default(),
            conclusion: self.conclusion,
            created_at: instant(url, &self.created_at)?,
            updated_at: instant(url, &self.updated_at)?,
            run_started_at: optional_instant(url, self.run_started_at.as_deref())?,
        })
    }
}

impl ApiJob {
    /// The stored job; `attempt` is the attempt whose jobs were asked for, used where the
    /// object does not say (older GitHub Enterprise Server versions).
    pub fn into_model(self, url: &str, attempt: i64) -> Result<Job> {
        let steps = self
            .steps
            .unwrap_or_default()
            .into_iter()
            .map(|step| {
                Ok(Step {
                    number: step.number,
                    name: step.name,
                    status: step.status,
                    conclusion: step.conclusion,
                    started_at: optional_instant(url, step.started_at.as_deref())?,
                    completed_at: optional_instant(url, step.completed_at.as_deref())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Job {
            id: self.id,
            run_id: self.run_id,
            attempt: self.run_attempt.unwrap_or(attempt),
            name: self.name,
            status: self.status,
            conclusion: self.conclusion,
            created_at: optional_instant(url, self.created_at.as_deref())?,
            started_at: optional_instant(url, self.started_at.as_deref())?,
            completed_at: optional_instant(url, self.completed_at.as_deref())?,
            labels: self.labels,
            runner_name: self.runner_name,
            steps,
        })
    }
}
