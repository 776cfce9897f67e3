//! A Python project's CI workflow and Dockerfile, with the tool its files say it uses: uv
//! (`uv.lock`), Poetry (`poetry.lock` or `[tool.poetry]`) or pip (requirement files).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ci::{checkout_step, job_header, preamble, LINUX};
use crate::pins::Pins;
use crate::project::PythonProject;
use crate::GENERATED_HEADER;
use crate::{InitError, Rendered};

/// Where the workflow is written.
pub const PATH: &str = ".github/workflows/python.yml";

/// The Python release to use, and why: with an upper bound or a pin in `requires-python`, its
/// first `X.Y` (`>=3.10,<3.13` and `~=3.10` give 3.10, `==3.11.*` 3.11), or for an upper bound
/// alone the newest release under it (`<3.13` gives 3.12, `<=3.12` 3.12); else the pinned
/// one, which a lower bound alone (`>=3.10`) accepts.
fn python_release(python: &PythonProject, pins: &Pins) -> Result<(String, String), InitError> {
    let pinned = pins.runtime("python")?.to_string();
    let Some(requires) = python.requires_python.as_deref() else {
        return Ok((
            pinned.clone(),
            format!("no requires-python: Python {pinned}, the pinned release"),
        ));
    };
    let bounded = requires.contains('<') || requires.contains("==") || requires.contains("~=");
    let first_release: Option<String> = requires
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .map(|version| version.split('.').take(2).collect::<Vec<_>>().join("."))
        .filter(|version| version.contains('.'));
    let upper_only = requires.trim_start().starts_with('<');
    let first_release = match first_release {
        // `<X.Y` excludes X.Y itself: the minor release before it.
        Some(release) if upper_only && !requires.trim_start().starts_with("<=") => {
            release.split_once('.').and_then(|(major, minor)| {
                let minor: u32 = minor.parse().ok()?;
                Some(format!("{major}.{}", minor.checked_sub(1)?))
            })
        }
        other => other,
    };
    match first_release {
        Some(release) if bounded => Ok((
            release.clone(),
            format!("requires-python is `{requires}`: Python {release}"),
        )),
        _ => Ok((
            pinned.clone(),
            format!("requires-python is `{requires}`: Python {pinned}, the pinned release"),
        )),
    }
}

/// The prefix that runs a command in the project's environment.
fn runner(python: &PythonProject) -> &'static str {
    match python.tool.as_str() {
        "uv" => "uv run ",
        "poetry" => "poetry run ",
        _ => "python -m ",
    }
}

/// The CI workflow.
pub fn ci(
    python: &PythonProject,
    pins: &Pins,
) -> Result<Result<(&'static str, Rendered), String>, InitError> {
    let checkout = pins.uses("actions/checkout")?;
    let tool = python.tool.as_str();
    let mut out = preamble(
        "Python CI",
        &format!("The Python project, managed with {tool}."),
    );
    out.push_str("\njobs:\n");
    job_header(&mut out, "test", "Lint and test", LINUX, 15);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    let mut used = vec![checkout.clone()];
    let (release, why_release) = python_release(python, pins)?;
    let python_version = if python.python_version_file {
        "          python-version-file: .python-version\n".to_string()
    } else {
        format!("          python-version: \"{release}\"\n")
    };
    let why_version = if python.python_version_file {
        "The Python release .python-version names.".to_string()
    } else {
        format!("{why_release}.")
    };
    match tool {
        "uv" => {
            let setup = pins.uses("astral-sh/setup-uv")?;
            let uv = pins.tool("uv")?;
            out.push_str(&crate::ci::comment_lines(
                &format!("uv {uv}, pinned; its cache is keyed on uv.lock. {why_version}"),
                "      ",
            ));
            let _ = write!(
                out,
                "      - uses: {setup}\n\
                 \x20       with:\n\
                 \x20         version: \"{uv}\"\n\
                 \x20         enable-cache: true\n\
                 {}\
                 \x20     # --locked: a uv.lock out of step with pyproject.toml fails, it is not rewritten.\n\
                 \x20     - run: uv sync --locked\n",
                // uv reads .python-version itself.
                if python.python_version_file {
                    String::new()
                } else {
                    format!("          python-version: \"{release}\"\n")
                },
            );
            used.push(setup);
        }
        "poetry" => {
            let setup = pins.uses("actions/setup-python")?;
            let poetry = pins.tool("poetry")?;
            let _ = write!(
                out,
                "      # Poetry {poetry}, pinned, installed first so setup-python can cache its packages.\n\
                 \x20     - run: pipx install \"poetry=={poetry}\"\n\
                 \x20     # {why_version}\n\
                 \x20     - uses: {setup}\n\
                 \x20       with:\n\
                 {python_version}\
                 \x20         cache: poetry\n\
                 \x20     - run: poetry install --no-interaction\n"
            );
            used.push(setup);
        }
        _ => {
            let setup = pins.uses("actions/setup-python")?;
            let mut cache_paths: Vec<&str> =
                python.requirements.iter().map(String::as_str).collect();
            if python.pyproject {
                cache_paths.push("pyproject.toml");
            }
            let _ = write!(
                out,
                "      # {why_version} The pip cache is keyed on the requirement files.\n\
                 \x20     - uses: {setup}\n\
                 \x20       with:\n\
                 {python_version}\
                 \x20         cache: pip\n\
                 \x20         cache-dependency-path: |\n"
            );
            for path in &cache_paths {
                let _ = writeln!(out, "            {path}");
            }
            for file in &python.requirements {
                let _ = writeln!(out, "      - run: python -m pip install -r {file}");
            }
            if python.name.is_some() {
                out.push_str("      # The project itself, editable, so the tests import the sources.\n      - run: python -m pip install -e .\n");
            }
            used.push(setup);
        }
    }
    let run = runner(python);
    let mut checks = Vec::new();
    if python.ruff {
        checks.push("ruff");
        let _ = writeln!(
            out,
            "      # ruff is among the project's tools: lint, and check the formatting.\n\
             \x20     - run: {run}ruff check .\n\
             \x20     - run: {run}ruff format --check ."
        );
    } else {
        out.push_str("      # No linter among the project's tools: add ruff and a step here.\n");
    }
    if python.pytest {
        checks.push("pytest");
        let _ = writeln!(out, "      - run: {run}pytest");
    } else if python.tests_folder {
        checks.push("unittest");
        let interpreter = match tool {
            "uv" | "poetry" => format!("{run}python -m "),
            _ => run.to_string(),
        };
        let _ = writeln!(
            out,
            "      # No pytest among the project's tools: the standard library's runner.\n\
             \x20     - run: {interpreter}unittest discover -s tests"
        );
    } else {
        out.push_str("      # No tests folder and no pytest: add tests and a step here.\n");
    }
    let mut inputs = BTreeMap::new();
    inputs.insert("tool".to_string(), tool.to_string());
    inputs.insert("python".to_string(), release);
    inputs.insert("checks".to_string(), checks.join(","));
    inputs.insert("pins".to_string(), used.join("; "));
    Ok(Ok((PATH, (out, inputs))))
}

/// The command the image runs: the project's first console script, else its package as a
/// module, else the script at the root (`main.py`, `app.py`).
fn entrypoint(python: &PythonProject) -> Option<String> {
    if let Some(script) = &python.script {
        return Some(format!("[\"/app/.venv/bin/{script}\"]"));
    }
    if let Some(name) = &python.name {
        let module = name.replace(['-', '.'], "_").to_ascii_lowercase();
        return Some(format!("[\"/app/.venv/bin/python\", \"-m\", \"{module}\"]"));
    }
    let main = python.main_file.as_ref()?;
    Some(format!("[\"/app/.venv/bin/python\", \"/app/{main}\"]"))
}

/// The Dockerfile, or why there is none.
pub fn dockerfile(python: &PythonProject, pins: &Pins) -> Result<Rendered, String> {
    let Some(entry) = entrypoint(python) else {
        return Err(
            "no project name or script in pyproject.toml, nor main.py or app.py (the image's command)".to_string(),
        );
    };
    let (release, why_release) = python_release(python, pins).map_err(|err| err.to_string())?;
    let tool = python.tool.as_str();
    let tool_version = |name: &str| {
        pins.tool(name)
            .map(str::to_string)
            .map_err(|err| err.to_string())
    };
    let (setup, dependencies, project) = match tool {
        "uv" => {
            let uv = tool_version("uv")?;
            (
                format!(
                    "# uv {uv}, pinned; it uses the image's Python, never one it downloads, so the\n\
                     # environment works in the final stage too.\n\
                     RUN pip install --no-cache-dir \"uv=={uv}\"\n\
                     ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\n"
                ),
                "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-dev --no-install-project\n".to_string(),
                "RUN uv sync --locked --no-dev\n".to_string(),
            )
        }
        "poetry" => {
            let poetry = tool_version("poetry")?;
            if !python.pyproject {
                return Err("Poetry without pyproject.toml".to_string());
            }
            (
                format!(
                    "# Poetry {poetry}, pinned, with the environment in /app/.venv.\n\
                     RUN pip install --no-cache-dir \"poetry=={poetry}\"\n\
                     ENV POETRY_VIRTUALENVS_IN_PROJECT=true POETRY_NO_INTERACTION=1\n"
                ),
                "COPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\n"
                    .to_string(),
                "RUN poetry install --only main\n".to_string(),
            )
        }
        _ => {
            if !python.requirements.iter().any(|r| r == "requirements.txt") {
                return Err(
                    "no requirements.txt or lock file (the image would install unpinned versions)"
                        .to_string(),
                );
            }
            let project = if python.pyproject {
                "RUN /app/.venv/bin/pip install --no-cache-dir --no-deps .\n".to_string()
            } else {
                String::new()
            };
            (
                "# A virtual environment in /app/.venv, copied whole into the final stage.\n\
                 RUN python -m venv /app/.venv\n"
                    .to_string(),
                "COPY requirements.txt ./\n\
                 RUN /app/.venv/bin/pip install --no-cache-dir -r requirements.txt\n"
                    .to_string(),
                project,
            )
        }
    };
    let mut out = format!(
        "{GENERATED_HEADER}\
         \n\
         # Build stage: {why_release}.\n\
         FROM python:{release}-slim-bookworm AS build\n\
         WORKDIR /app\n\
         {setup}\
         \n\
         # Dependencies first, without the project, so their layer is rebuilt only when the lock\n\
         # changes.\n\
         {dependencies}\
         \n\
         # Then the sources (.dockerignore keeps .venv, .git and secrets out).\n\
         COPY . .\n\
         {project}"
    );
    let _ = write!(
        out,
        "\n\
         # Final stage: the same Python, the environment and the sources; no build tools.\n\
         FROM python:{release}-slim-bookworm\n\
         WORKDIR /app\n\
         COPY --from=build /app /app\n\
         ENV PATH=\"/app/.venv/bin:$PATH\" PYTHONUNBUFFERED=1\n\
         # An unprivileged user, by number (the image defines none); the files stay root's, so\n\
         # the process cannot rewrite its own code.\n\
         USER 65532:65532\n\
         ENTRYPOINT {entry}\n"
    );
    let mut inputs = BTreeMap::new();
    inputs.insert("tool".to_string(), tool.to_string());
    inputs.insert("python".to_string(), release);
    inputs.insert("entrypoint".to_string(), entry);
    Ok((out, inputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release_for(requires: &str) -> String {
        let pins = Pins::parse(crate::pins::BUILT_IN, "pins.toml").unwrap();
        let python = PythonProject {
            requires_python: Some(requires.to_string()),
            ..PythonProject::default()
        };
        python_release(&python, &pins).unwrap().0
    }

    #[test]
    fn python_release_respects_the_bounds_of_requires_python() {
        let pinned = Pins::parse(crate::pins::BUILT_IN, "pins.toml")
            .unwrap()
            .runtime("python")
            .unwrap()
            .to_string();
        assert_eq!(release_for(">=3.10"), pinned);
        assert_eq!(release_for(">=3.10,<3.13"), "3.10");
        assert_eq!(release_for("~=3.11"), "3.11");
        assert_eq!(release_for("==3.12.*"), "3.12");
        assert_eq!(release_for("<3.13"), "3.12");
        assert_eq!(release_for("<=3.12"), "3.12");
    }
}
