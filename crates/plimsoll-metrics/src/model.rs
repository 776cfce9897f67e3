//! The run history as it is stored and analysed: one row per repository, workflow, run
//! attempt, job and step, with times as Unix seconds.

use serde::Serialize;

/// A repository whose runs were synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repo {
    pub id: i64,
    pub full_name: String,
    pub default_branch: String,
}

/// A workflow of a repository (its file under `.github/workflows/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub id: i64,
    pub repo_id: i64,
    pub name: String,
    pub path: String,
    pub state: String,
}

/// One attempt of a workflow run: a re-run is a new attempt of the same run id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunAttempt {
    pub run_id: i64,
    pub attempt: i64,
    pub repo_id: i64,
    pub workflow_id: i64,
    pub name: String,
    pub head_branch: Option<String>,
    pub head_sha: String,
    pub event: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub run_started_at: Option<i64>,
}

impl RunAttempt {
    /// Whether GitHub will not change this attempt any more.
    pub fn is_completed(&self) -> bool {
        self.status == "completed"
    }
}

/// A job of one run attempt, with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: i64,
    pub run_id: i64,
    pub attempt: i64,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// The `runs-on` labels the job asked for (`ubuntu-latest`, `self-hosted`, …).
    pub labels: Vec<String>,
    pub runner_name: Option<String>,
    pub steps: Vec<Step>,
}

/// A step of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub number: i64,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
}
