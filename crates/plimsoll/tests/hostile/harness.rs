//! Running the real binary under a time and memory limit, and looking for leaked secrets.

#![allow(dead_code)] // each test module uses its own part

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long and how large one run may be.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall-clock time before the run is killed and the test fails.
    pub time: Duration,
    /// Virtual memory, in MiB, set with `ulimit -v` (allocation beyond it fails the run).
    pub memory_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(30),
            memory_mib: 2048,
        }
    }
}

/// What a bounded run gave.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code; `None` when killed by a signal (the time limit among them).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Whether the time limit killed it.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    /// Standard output and standard error together, for leak searches.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Run `plimsoll args…` in `dir` under `limits`, with stdin closed.
pub fn run(dir: &Path, args: &[&str], limits: Limits) -> Outcome {
    run_with_stdin(dir, args, limits, None)
}

/// [`run`] under the default limits with the environment variables `env` set.
pub fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    run_full(dir, args, Limits::default(), None, env)
}

/// [`run`] with `stdin` fed to the process.
pub fn run_with_stdin(dir: &Path, args: &[&str], limits: Limits, stdin: Option<&[u8]>) -> Outcome {
    run_full(dir, args, limits, stdin, &[])
}

fn run_full(
    dir: &Path,
    args: &[&str],
    limits: Limits,
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Outcome {
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" \"$@\"",
            limits.memory_mib * 1024
        ))
        .arg(&binary)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (var, _) in std::env::vars() {
        if var.starts_with("PLIMSOLL_") {
            command.env_remove(var);
        }
    }
    command.envs(env.iter().copied());
    let start = Instant::now();
    let mut child = command.spawn().expect("spawn plimsoll");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = pipe.write_all(&bytes);
        });
    }
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stdout_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for plimsoll") {
            break status;
        }
        if start.elapsed() > limits.time {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for killed plimsoll");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&stdout_reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&stderr_reader.join().unwrap()).into_owned();
    Outcome {
        code: status.code(),
        stdout,
        stderr,
        timed_out,
        elapsed,
    }
}

/// The first substring of 8 or more characters of any of `secrets` found in `text`
/// (ASCII case-insensitive, so an upper-cased quote counts), if any.
pub fn leaked<'a>(text: &str, secrets: &[&'a str]) -> Option<(&'a str, String)> {
    let haystack = text.to_ascii_lowercase();
    for secret in secrets {
        let lower = secret.to_ascii_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < 8 {
            if haystack.contains(&lower) {
                return Some((secret, lower));
            }
            continue;
        }
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            if haystack.contains(&piece) {
                return Some((secret, piece));
            }
        }
    }
    None
}

/// Fail the test when `text` (named `what`) holds 8 or more characters of any of `secrets`.
pub fn assert_no_leak(what: &str, text: &str, secrets: &[&str]) {
    if let Some((secret, piece)) = leaked(text, secrets) {
        panic!("{what} leaks `{piece}` of secret `{secret}`:\n{text}");
    }
}

/// A zip of `entries`, stored (not compressed).
pub fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let mut fixed = Vec::new();
        fixed.extend_from_slice(&20u16.to_le_bytes());
        fixed.extend_from_slice(&0x0800u16.to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes());
        fixed.extend_from_slice(&[0; 4]);
        fixed.extend_from_slice(&crc32(data).to_le_bytes());
        fixed.extend_from_slice(&(data.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&(data.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&(name.len() as u16).to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&fixed);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&fixed);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let count = entries.len() as u16;
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
