//! The run history in SQLite: repositories, workflows, run attempts, jobs, steps, the sync
//! cursor of each scope, and the ETag and body of each response, for conditional requests.
//!
//! The schema is versioned with `PRAGMA user_version`: [`MIGRATIONS`] holds one script per
//! version, and opening a database runs the ones it has not had, in one transaction each. A
//! database written by a newer plimsoll is refused rather than misread.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use plimsoll_diagnose::history::PastJob;

use crate::cache_log::{CacheEvent, CacheOutcome};
use crate::error::{MetricsError, Result};
use crate::junit::{TestCase, TestOutcome};
use crate::model::{Job, Repo, RunAttempt, Step, Workflow};

/// The schema scripts; the database's `user_version` is how many of them it has had.
const MIGRATIONS: &[&str] = &[
    // 1: the run history and the sync state.
    "CREATE TABLE repos (
        id INTEGER PRIMARY KEY,
        full_name TEXT NOT NULL UNIQUE,
        default_branch TEXT NOT NULL
     );
     CREATE TABLE workflows (
        id INTEGER PRIMARY KEY,
        repo_id INTEGER NOT NULL REFERENCES repos(id),
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        state TEXT NOT NULL
     );
     CREATE TABLE runs (
        run_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        repo_id INTEGER NOT NULL REFERENCES repos(id),
        workflow_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        head_branch TEXT,
        head_sha TEXT NOT NULL,
        event TEXT NOT NULL,
        status TEXT NOT NULL,
        conclusion TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        run_started_at INTEGER,
        PRIMARY KEY (run_id, attempt)
     );
     CREATE INDEX runs_by_repo_created ON runs(repo_id, created_at);
     CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        conclusion TEXT,
        created_at INTEGER,
        started_at INTEGER,
        completed_at INTEGER,
        labels TEXT NOT NULL,
        runner_name TEXT,
        FOREIGN KEY (run_id, attempt) REFERENCES runs(run_id, attempt)
     );
     CREATE INDEX jobs_by_run ON jobs(run_id, attempt);
     CREATE TABLE steps (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        conclusion TEXT,
        started_at INTEGER,
        completed_at INTEGER,
        PRIMARY KEY (job_id, number)
     );
     CREATE TABLE sync_state (
        repo_id INTEGER NOT NULL REFERENCES repos(id),
        scope TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        cursor INTEGER NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (repo_id, scope)
     );
     CREATE TABLE http_cache (
        url TEXT PRIMARY KEY,
        etag TEXT NOT NULL,
        body TEXT NOT NULL,
        next_url TEXT
     );",
    // 2: what the job logs said about caches (`--logs`), and which logs were read.
    "CREATE TABLE job_logs (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        available INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL
     );
     CREATE TABLE cache_events (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        line INTEGER NOT NULL,
        step TEXT,
        outcome TEXT NOT NULL,
        cache_key TEXT,
        exact INTEGER,
        PRIMARY KEY (job_id, line)
     );",
    // 3: the JUnit reports in runs' artifacts (`--junit`): which runs' artifacts were listed
    // (up to which attempt), which artifacts were read, and each test case they held; jobs by
    // name, for the history `plimsoll diagnose` reads.
    "CREATE TABLE artifact_listings (
        run_id INTEGER PRIMARY KEY,
        listed_attempt INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL
     );
     CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        name TEXT NOT NULL,
        reports INTEGER NOT NULL,
        read INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL
     );
     CREATE TABLE test_results (
        artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        suite TEXT NOT NULL,
        classname TEXT NOT NULL,
        name TEXT NOT NULL,
        outcome TEXT NOT NULL,
        seconds REAL,
        retried_failures INTEGER NOT NULL,
        message TEXT
     );
     CREATE INDEX test_results_by_run ON test_results(run_id, attempt);
     CREATE INDEX jobs_by_name ON jobs(name);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where the last sync of a scope left off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncState {
    /// The start of the window that was synced: an earlier `--since` lists again.
    pub window_start: i64,
    /// Runs created at or after this are listed again: the newest run seen, or the oldest
    /// one that had not completed.
    pub cursor: i64,
    pub synced_at: i64,
}

/// A response kept for a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedResponse {
    pub etag: String,
    pub body: String,
    pub next_url: Option<String>,
}

/// The run history of the repositories synced so far.
#[derive(Debug, Default, Clone)]
pub struct History {
    pub repo: Option<Repo>,
    pub workflows: Vec<Workflow>,
    pub runs: Vec<RunAttempt>,
    pub jobs: Vec<Job>,
    /// The cache events of each job whose log was read, by job id (an empty list: read, no
    /// cache used).
    pub cache_events: BTreeMap<i64, Vec<CacheEvent>>,
    /// The test cases of the JUnit reports read (`--junit`), by run attempt.
    pub tests: Vec<StoredTest>,
}

/// A test case of a JUnit report, with the run attempt whose artifact held it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTest {
    pub run_id: i64,
    pub attempt: i64,
    pub case: TestCase,
}

/// An artifact as it was read for JUnit reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactRead {
    pub id: i64,
    pub run_id: i64,
    pub attempt: i64,
    pub name: String,
    /// Whether it was downloaded (an expired or too large one is not).
    pub read: bool,
    /// The JUnit reports it held.
    pub reports: usize,
}

/// An open metrics database.
pub struct Store {
    connection: Connection,
}

impl Store {
    /// The database in the user's cache folder: `$XDG_CACHE_HOME/plimsoll/metrics.sqlite`,
    /// else `~/.cache/plimsoll/metrics.sqlite`; `None` when neither variable is set.
    pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        Some(plimsoll_syntax::file::cache_folder(env)?.join("metrics.sqlite"))
    }

    /// Open (creating it and its folder if needed) the database at `path` and bring its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| MetricsError::CreateFolder {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        let connection = Connection::open(path).map_err(|source| MetricsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        // Another plimsoll syncing the same database waits rather than failing at once.
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode this keeps the database consistent through a crash and loses at most
        // the last transactions on a power cut, which the next sync fetches again; it spares a
        // disk flush per stored run attempt (a 10,000-run sync made 10,000 of them).
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare(connection)
    }

    /// A database in memory, for analysis of history built elsewhere.
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(connection: Connection) -> Result<Self> {
        connection.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { connection };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(MetricsError::NewerSchema {
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (index, script) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            let transaction = self.connection.transaction()?;
            transaction.execute_batch(script)?;
            transaction.pragma_update(None, "user_version", index as i64 + 1)?;
            transaction.commit()?;
        }
        Ok(())
    }

    pub fn save_repo(&self, repo: &Repo) -> Result<()> {
        self.connection.execute(
            "INSERT INTO repos (id, full_name, default_branch) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET full_name = ?2, default_branch = ?3",
            params![repo.id, repo.full_name, repo.default_branch],
        )?;
        Ok(())
    }

    /// The repository named `full_name` (`owner/name`, any case, as GitHub compares names).
    pub fn repo(&self, full_name: &str) -> Result<Option<Repo>> {
        Ok(self
            .connection
            .query_row(
                "SELECT id, full_name, default_branch FROM repos
                 WHERE full_name = ?1 COLLATE NOCASE",
                [full_name],
                |row| {
                    Ok(Repo {
                        id: row.get(0)?,
                        full_name: row.get(1)?,
                        default_branch: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn save_workflow(&self, workflow: &Workflow) -> Result<()> {
        self.connection.execute(
            "INSERT INTO workflows (id, repo_id, name, path, state) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET repo_id = ?2, name = ?3, path = ?4, state = ?5",
            params![
                workflow.id,
                workflow.repo_id,
                workflow.name,
                workflow.path,
                workflow.state
            ],
        )?;
        Ok(())
    }

    /// The stored attempt `attempt` of run `run_id`.
    pub fn run_attempt(&self, run_id: i64, attempt: i64) -> Result<Option<RunAttempt>> {
        Ok(self
            .connection
            .query_row(
                &format!("{RUN_COLUMNS} WHERE run_id = ?1 AND attempt = ?2"),
                [run_id, attempt],
                run_from_row,
            )
            .optional()?)
    }

    /// Store one run attempt and replace its jobs and their steps, all or nothing.
    pub fn save_attempt(&mut self, run: &RunAttempt, jobs: &[Job]) -> Result<()> {
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT INTO runs (run_id, attempt, repo_id, workflow_id, name, head_branch, head_sha,
                               event, status, conclusion, created_at, updated_at, run_started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(run_id, attempt) DO UPDATE SET
                repo_id = ?3, workflow_id = ?4, name = ?5, head_branch = ?6, head_sha = ?7,
                event = ?8, status = ?9, conclusion = ?10, created_at = ?11, updated_at = ?12,
                run_started_at = ?13",
            params![
                run.run_id,
                run.attempt,
                run.repo_id,
                run.workflow_id,
                run.name,
                run.head_branch,
                run.head_sha,
                run.event,
                run.status,
                run.conclusion,
                run.created_at,
                run.updated_at,
                run.run_started_at
            ],
        )?;
        transaction.execute(
            "DELETE FROM steps WHERE job_id IN
                (SELECT id FROM jobs WHERE run_id = ?1 AND attempt = ?2)",
            [run.run_id, run.attempt],
        )?;
        transaction.execute(
            "DELETE FROM jobs WHERE run_id = ?1 AND attempt = ?2",
            [run.run_id, run.attempt],
        )?;
        for job in jobs {
            let labels = serde_json::to_string(&job.labels).unwrap_or_else(|_| "[]".to_owned());
            transaction.execute(
                "INSERT INTO jobs (id, run_id, attempt, name, status, conclusion, created_at,
                                   started_at, completed_at, labels, runner_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(id) DO UPDATE SET run_id = ?2, attempt = ?3, name = ?4,
                    status = ?5, conclusion = ?6, created_at = ?7, started_at = ?8,
                    completed_at = ?9, labels = ?10, runner_name = ?11",
                params![
                    job.id,
                    run.run_id,
                    run.attempt,
                    job.name,
                    job.status,
                    job.conclusion,
                    job.created_at,
                    job.started_at,
                    job.completed_at,
                    labels,
                    job.runner_name
                ],
            )?;
            for step in &job.steps {
                transaction.execute(
                    "INSERT OR REPLACE INTO steps (job_id, number, name, status, conclusion,
                                                   started_at, completed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        job.id,
                        step.number,
                        step.name,
                        step.status,
                        step.conclusion,
                        step.started_at,
                        step.completed_at
                    ],
                )?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    pub fn sync_state(&self, repo_id: i64, scope: &str) -> Result<Option<SyncState>> {
        Ok(self
            .connection
            .query_row(
                "SELECT window_start, cursor, synced_at FROM sync_state
                 WHERE repo_id = ?1 AND scope = ?2",
                params![repo_id, scope],
                |row| {
                    Ok(SyncState {
                        window_start: row.get(0)?,
                        cursor: row.get(1)?,
                        synced_at: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn save_sync_state(&self, repo_id: i64, scope: &str, state: &SyncState) -> Result<()> {
        self.connection.execute(
            "INSERT OR REPLACE INTO sync_state (repo_id, scope, window_start, cursor, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                repo_id,
                scope,
                state.window_start,
                state.cursor,
                state.synced_at
            ],
        )?;
        Ok(())
    }

    pub fn cached_response(&self, url: &str) -> Result<Option<CachedResponse>> {
        Ok(self
            .connection
            .query_row(
                "SELECT etag, body, next_url FROM http_cache WHERE url = ?1",
                [url],
                |row| {
                    Ok(CachedResponse {
                        etag: row.get(0)?,
                        body: row.get(1)?,
                        next_url: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn save_response(&self, url: &str, response: &CachedResponse) -> Result<()> {
        self.connection.execute(
            "INSERT OR REPLACE INTO http_cache (url, etag, body, next_url) VALUES (?1, ?2, ?3, ?4)",
            params![url, response.etag, response.body, response.next_url],
        )?;
        Ok(())
    }

    /// Forget the kept responses whose URL starts with `prefix`, except those of `keep`.
    pub fn forget_responses_except(&self, prefix: &str, keep: &[String]) -> Result<()> {
        let mut statement = self
            .connection
            .prepare("SELECT url FROM http_cache WHERE substr(url, 1, length(?1)) = ?1")?;
        let stale: Vec<String> = statement
            .query_map([prefix], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|url| !keep.contains(url))
            .collect();
        for url in stale {
            self.connection
                .execute("DELETE FROM http_cache WHERE url = ?1", [url])?;
        }
        Ok(())
    }

    /// The synced repositories of owner `owner` (`owner/…`), by name.
    pub fn repos_of(&self, owner: &str) -> Result<Vec<String>> {
        let mut statement = self.connection.prepare(
            "SELECT full_name FROM repos WHERE lower(substr(full_name, 1, length(?1) + 1)) = lower(?1 || '/')
             ORDER BY full_name",
        )?;
        let names = statement
            .query_map([owner], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(names)
    }

    /// The history of `full_name` with runs created at or after `since`, held whole: runs by
    /// creation, jobs by id.
    pub fn history(&self, full_name: &str, since: i64) -> Result<History> {
        let mut history = self.history_without_runs(full_name, since)?;
        let Some(repo_id) = history.repo.as_ref().map(|repo| repo.id) else {
            return Ok(history);
        };
        let (mut runs, mut jobs) = (Vec::new(), Vec::new());
        self.for_each_attempt(repo_id, since, &mut |run, attempt_jobs| {
            runs.push(run.clone());
            jobs.extend_from_slice(attempt_jobs);
        })?;
        runs.sort_by_key(|run| (run.created_at, run.run_id, run.attempt));
        jobs.sort_by_key(|job| job.id);
        history.runs = runs;
        history.jobs = jobs;
        Ok(history)
    }

    /// The history of `full_name` without its runs and jobs (read with
    /// [`Store::for_each_attempt`]): the repository, its workflows, cache events and tests.
    pub fn history_without_runs(&self, full_name: &str, since: i64) -> Result<History> {
        let Some(repo) = self.repo(full_name)? else {
            return Ok(History::default());
        };
        let mut statement = self.connection.prepare(
            "SELECT id, repo_id, name, path, state FROM workflows WHERE repo_id = ?1 ORDER BY id",
        )?;
        let workflows = statement
            .query_map([repo.id], |row| {
                Ok(Workflow {
                    id: row.get(0)?,
                    repo_id: row.get(1)?,
                    name: row.get(2)?,
                    path: row.get(3)?,
                    state: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let cache_events = self.cache_events(repo.id, since)?;
        let tests = self.tests(repo.id, since)?;
        Ok(History {
            repo: Some(repo),
            workflows,
            runs: Vec::new(),
            jobs: Vec::new(),
            cache_events,
            tests,
        })
    }

    /// Hand each run attempt of `repo_id` created at or after `since` to `visit` with its
    /// jobs and their steps, one attempt at a time from one query, so the history is never
    /// held whole.
    pub fn for_each_attempt(
        &self,
        repo_id: i64,
        since: i64,
        visit: &mut dyn FnMut(&RunAttempt, &[Job]),
    ) -> Result<()> {
        let mut statement = self.connection.prepare(
            "SELECT r.run_id, r.attempt, r.repo_id, r.workflow_id, r.name, r.head_branch,
                    r.head_sha, r.event, r.status, r.conclusion, r.created_at, r.updated_at,
                    r.run_started_at,
                    j.id, j.name, j.status, j.conclusion, j.created_at, j.started_at,
                    j.completed_at, j.labels, j.runner_name,
                    s.number, s.name, s.status, s.conclusion, s.started_at, s.completed_at
             FROM runs r
             LEFT JOIN jobs j ON j.run_id = r.run_id AND j.attempt = r.attempt
             LEFT JOIN steps s ON s.job_id = j.id
             WHERE r.repo_id = ?1 AND r.created_at >= ?2
             ORDER BY r.run_id, r.attempt, j.id, s.number",
        )?;
        let mut rows = statement.query([repo_id, since])?;
        let mut current: Option<RunAttempt> = None;
        let mut jobs: Vec<Job> = Vec::new();
        while let Some(row) = rows.next()? {
            let key: (i64, i64) = (row.get(0)?, row.get(1)?);
            if current
                .as_ref()
                .is_none_or(|run| (run.run_id, run.attempt) != key)
            {
                if let Some(run) = current.take() {
                    visit(&run, &jobs);
                    jobs.clear();
                }
                current = Some(run_from_row(row)?);
            }
            let Some(job_id) = row.get::<_, Option<i64>>(13)? else {
                continue;
            };
            if jobs.last().is_none_or(|job| job.id != job_id) {
                let labels: String = row.get(20)?;
                jobs.push(Job {
                    id: job_id,
                    run_id: key.0,
                    attempt: key.1,
                    name: row.get(14)?,
                    status: row.get(15)?,
                    conclusion: row.get(16)?,
                    created_at: row.get(17)?,
                    started_at: row.get(18)?,
                    completed_at: row.get(19)?,
                    labels: serde_json::from_str(&labels).unwrap_or_default(),
                    runner_name: row.get(21)?,
                    steps: Vec::new(),
                });
            }
            if let (Some(number), Some(job)) = (row.get::<_, Option<i64>>(22)?, jobs.last_mut()) {
                job.steps.push(Step {
                    number,
                    name: row.get(23)?,
                    status: row.get(24)?,
                    conclusion: row.get(25)?,
                    started_at: row.get(26)?,
                    completed_at: row.get(27)?,
                });
            }
        }
        if let Some(run) = current {
            visit(&run, &jobs);
        }
        Ok(())
    }

    /// The runs of `repo_id` created at or after `since` whose artifacts were not listed since
    /// their latest completed attempt, with that attempt: a re-run's artifacts are listed
    /// again.
    pub fn runs_without_artifacts(&self, repo_id: i64, since: i64) -> Result<Vec<(i64, i64)>> {
        let mut statement = self.connection.prepare(
            "SELECT r.run_id, MAX(r.attempt) FROM runs r
             LEFT JOIN artifact_listings l ON l.run_id = r.run_id
             WHERE r.repo_id = ?1 AND r.created_at >= ?2 AND r.status = 'completed'
             GROUP BY r.run_id
             HAVING MAX(r.attempt) > COALESCE(MAX(l.listed_attempt), 0)
             ORDER BY r.run_id",
        )?;
        let rows = statement
            .query_map([repo_id, since], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// When each stored attempt of `run_id` started, by attempt number.
    pub fn attempt_starts(&self, run_id: i64) -> Result<Vec<(i64, i64)>> {
        let mut statement = self.connection.prepare(
            "SELECT attempt, COALESCE(run_started_at, created_at) FROM runs
             WHERE run_id = ?1 ORDER BY attempt",
        )?;
        let rows = statement
            .query_map([run_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Whether artifact `id` was read (or found unreadable) already.
    pub fn artifact_known(&self, id: i64) -> Result<bool> {
        Ok(self
            .connection
            .query_row("SELECT 1 FROM artifacts WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Record an artifact as read, with the test cases of its reports, all or nothing.
    pub fn save_artifact(
        &mut self,
        artifact: &ArtifactRead,
        cases: &[TestCase],
        fetched_at: i64,
    ) -> Result<()> {
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "DELETE FROM test_results WHERE artifact_id = ?1",
            [artifact.id],
        )?;
        transaction.execute(
            "INSERT OR REPLACE INTO artifacts (id, run_id, attempt, name, reports, read, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                artifact.id,
                artifact.run_id,
                artifact.attempt,
                artifact.name,
                artifact.reports as i64,
                artifact.read,
                fetched_at
            ],
        )?;
        {
            let mut insert = transaction.prepare(
                "INSERT INTO test_results (artifact_id, run_id, attempt, suite, classname, name,
                                           outcome, seconds, retried_failures, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for case in cases {
                insert.execute(params![
                    artifact.id,
                    artifact.run_id,
                    artifact.attempt,
                    case.suite,
                    case.classname,
                    case.name,
                    case.outcome.as_str(),
                    case.seconds,
                    case.retried_failures,
                    case.message
                ])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// Record that the artifacts of `run_id` were listed with attempt `attempt` its latest.
    pub fn save_artifact_listing(&self, run_id: i64, attempt: i64, fetched_at: i64) -> Result<()> {
        self.connection.execute(
            "INSERT OR REPLACE INTO artifact_listings (run_id, listed_attempt, fetched_at)
             VALUES (?1, ?2, ?3)",
            params![run_id, attempt, fetched_at],
        )?;
        Ok(())
    }

    /// The artifacts read for run `run_id`, by id.
    pub fn artifacts(&self, run_id: i64) -> Result<Vec<ArtifactRead>> {
        let mut statement = self.connection.prepare(
            "SELECT id, run_id, attempt, name, read, reports FROM artifacts WHERE run_id = ?1
             ORDER BY id",
        )?;
        let rows = statement
            .query_map([run_id], |row| {
                Ok(ArtifactRead {
                    id: row.get(0)?,
                    run_id: row.get(1)?,
                    attempt: row.get(2)?,
                    name: row.get(3)?,
                    read: row.get(4)?,
                    reports: usize::try_from(row.get::<_, i64>(5)?).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every stored attempt of the jobs named `job` (of workflow file `workflow_path` when
    /// given: `.github/workflows/ci.yml`), oldest first, each with its first failing step and
    /// its run attempt's failed JUnit tests: the history `plimsoll diagnose` reads.
    pub fn job_history(&self, job: &str, workflow_path: Option<&str>) -> Result<Vec<PastJob>> {
        let mut statement = self.connection.prepare(
            "SELECT p.full_name, COALESCE(w.name, r.name), COALESCE(w.path, ''), r.run_id,
                    r.attempt, j.id, j.name, r.head_sha, r.head_branch, r.created_at,
                    j.conclusion,
                    (SELECT s.name FROM steps s WHERE s.job_id = j.id
                       AND s.conclusion IN ('failure', 'timed_out')
                     ORDER BY s.number LIMIT 1)
             FROM jobs j JOIN runs r ON r.run_id = j.run_id AND r.attempt = j.attempt
             JOIN repos p ON p.id = r.repo_id
             LEFT JOIN workflows w ON w.id = r.workflow_id
             WHERE j.name = ?1 AND (?2 IS NULL OR w.path = ?2)
             ORDER BY r.created_at, r.run_id, r.attempt, j.id",
        )?;
        let mut jobs = statement
            .query_map(params![job, workflow_path], |row| {
                let created_at: i64 = row.get(9)?;
                Ok(PastJob {
                    repo: row.get(0)?,
                    workflow: row.get(1)?,
                    workflow_path: row.get(2)?,
                    run_id: row.get(3)?,
                    attempt: row.get(4)?,
                    job_id: row.get(5)?,
                    job: row.get(6)?,
                    head_sha: row.get(7)?,
                    head_branch: row.get(8)?,
                    created_at,
                    created: crate::time::format_date(created_at),
                    conclusion: row.get(10)?,
                    failing_step: row.get(11)?,
                    failed_tests: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut failed_tests = self.connection.prepare(
            "SELECT DISTINCT classname || '::' || name FROM test_results
             WHERE run_id = ?1 AND attempt = ?2 AND outcome IN ('failed', 'errored')
             ORDER BY 1",
        )?;
        for job in jobs.iter_mut().filter(|job| job.failed()) {
            job.failed_tests = failed_tests
                .query_map([job.run_id, job.attempt], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
        }
        Ok(jobs)
    }

    fn tests(&self, repo_id: i64, since: i64) -> Result<Vec<StoredTest>> {
        let mut statement = self.connection.prepare(
            "SELECT t.run_id, t.attempt, t.suite, t.classname, t.name, t.outcome, t.seconds,
                    t.retried_failures, t.message
             FROM test_results t JOIN runs r ON r.run_id = t.run_id AND r.attempt = t.attempt
             WHERE r.repo_id = ?1 AND r.created_at >= ?2
             ORDER BY t.run_id, t.attempt, t.rowid",
        )?;
        let mut tests = Vec::new();
        let mut rows = statement.query([repo_id, since])?;
        while let Some(row) = rows.next()? {
            let outcome: String = row.get(5)?;
            // An outcome this build cannot name (written by a newer one) is left out.
            let Some(outcome) = TestOutcome::parse(&outcome) else {
                continue;
            };
            tests.push(StoredTest {
                run_id: row.get(0)?,
                attempt: row.get(1)?,
                case: TestCase {
                    suite: row.get(2)?,
                    classname: row.get(3)?,
                    name: row.get(4)?,
                    outcome,
                    seconds: row.get(6)?,
                    retried_failures: row.get(7)?,
                    message: row.get(8)?,
                },
            });
        }
        Ok(tests)
    }

    /// The completed jobs of `repo_id`'s runs created at or after `since` whose log was not
    /// read yet, oldest first.
    pub fn jobs_without_logs(&self, repo_id: i64, since: i64) -> Result<Vec<i64>> {
        let mut statement = self.connection.prepare(
            "SELECT j.id FROM jobs j JOIN runs r ON r.run_id = j.run_id AND r.attempt = j.attempt
             WHERE r.repo_id = ?1 AND r.created_at >= ?2 AND j.status = 'completed'
               AND j.conclusion IS NOT 'skipped'
               AND NOT EXISTS (SELECT 1 FROM job_logs l WHERE l.job_id = j.id)
             ORDER BY j.id",
        )?;
        let ids = statement
            .query_map([repo_id, since], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// Record that job `job_id`'s log was read (with its cache events) or is no longer
    /// available (GitHub keeps logs for a limited time).
    pub fn save_job_log(
        &mut self,
        job_id: i64,
        events: Option<&[CacheEvent]>,
        fetched_at: i64,
    ) -> Result<()> {
        let transaction = self.connection.transaction()?;
        transaction.execute("DELETE FROM cache_events WHERE job_id = ?1", [job_id])?;
        transaction.execute(
            "INSERT OR REPLACE INTO job_logs (job_id, available, fetched_at) VALUES (?1, ?2, ?3)",
            params![job_id, events.is_some(), fetched_at],
        )?;
        for event in events.unwrap_or_default() {
            transaction.execute(
                "INSERT OR REPLACE INTO cache_events (job_id, line, step, outcome, cache_key, exact)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    job_id,
                    event.line as i64,
                    event.step,
                    event.outcome.as_str(),
                    event.key,
                    event.exact
                ],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    fn cache_events(&self, repo_id: i64, since: i64) -> Result<BTreeMap<i64, Vec<CacheEvent>>> {
        let mut read = BTreeMap::new();
        let mut statement = self.connection.prepare(
            "SELECT l.job_id FROM job_logs l JOIN jobs j ON j.id = l.job_id
             JOIN runs r ON r.run_id = j.run_id AND r.attempt = j.attempt
             WHERE r.repo_id = ?1 AND r.created_at >= ?2 AND l.available",
        )?;
        for job_id in statement.query_map([repo_id, since], |row| row.get::<_, i64>(0))? {
            read.insert(job_id?, Vec::new());
        }
        let mut statement = self.connection.prepare(
            "SELECT e.job_id, e.line, e.step, e.outcome, e.cache_key, e.exact
             FROM cache_events e JOIN jobs j ON j.id = e.job_id
             JOIN runs r ON r.run_id = j.run_id AND r.attempt = j.attempt
             WHERE r.repo_id = ?1 AND r.created_at >= ?2 ORDER BY e.job_id, e.line",
        )?;
        let rows = statement.query_map([repo_id, since], |row| {
            let outcome: String = row.get(3)?;
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, Option<String>>(2)?,
                outcome,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<bool>>(5)?,
            ))
        })?;
        for row in rows {
            let (job_id, line, step, outcome, key, exact) = row?;
            // A row this build cannot name (written by a newer one) is left out.
            let Some(outcome) = CacheOutcome::parse(&outcome) else {
                continue;
            };
            read.entry(job_id).or_default().push(CacheEvent {
                line: usize::try_from(line).unwrap_or_default(),
                step,
                outcome,
                key,
                exact,
            });
        }
        Ok(read)
    }
}

const RUN_COLUMNS: &str = "SELECT run_id, attempt, repo_id, workflow_id, name, head_branch,
    head_sha, event, status, conclusion, created_at, updated_at, run_started_at FROM runs";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunAttempt> {
    Ok(RunAttempt {
        run_id: row.get(0)?,
        attempt: row.get(1)?,
        repo_id: row.get(2)?,
        workflow_id: row.get(3)?,
        name: row.get(4)?,
        head_branch: row.get(5)?,
        head_sha: row.get(6)?,
        event: row.get(7)?,
        status: row.get(8)?,
        conclusion: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        run_started_at: row.get(12)?,
    })
}
