//! Run-log archives as zips: a real archive zipped by the `zip` tool, zips written here entry
//! by entry, and hostile or broken zips.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use plimsoll_diagnose::{diagnose, Analysis, LogFormat, LogSource, Signatures, Verdict};

/// A minimal zip writer (stored or deflated entries) with knobs to lie about sizes and CRCs.
#[derive(Default)]
struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

struct EntryOptions {
    deflate: bool,
    declared_size: Option<u32>,
    crc: Option<u32>,
}

const PLAIN: EntryOptions = EntryOptions {
    deflate: true,
    declared_size: None,
    crc: None,
};

impl ZipWriter {
    fn add(&mut self, name: &str, data: &[u8], options: EntryOptions) {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = options.crc.unwrap_or(crc.sum());
        let (method, body) = if options.deflate {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(data).unwrap();
            (8u16, encoder.finish().unwrap())
        } else {
            (0u16, data.to_vec())
        };
        let size = options.declared_size.unwrap_or(data.len() as u32);
        let offset = self.out.len() as u32;
        let mut fixed = Vec::new();
        fixed.extend_from_slice(&20u16.to_le_bytes()); // version needed
        fixed.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
        fixed.extend_from_slice(&method.to_le_bytes());
        fixed.extend_from_slice(&[0; 4]); // time, date
        fixed.extend_from_slice(&crc.to_le_bytes());
        fixed.extend_from_slice(&(body.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&size.to_le_bytes());
        fixed.extend_from_slice(&(name.len() as u16).to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes()); // extra
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&fixed);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&body);
        self.central
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&20u16.to_le_bytes()); // made by
        self.central.extend_from_slice(&fixed);
        self.central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        self.central.extend_from_slice(&[0; 4]); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u32;
        let size = self.central.len() as u32;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&[0; 4]);
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

/// A step's name, first and last line.
type StepOutline = (String, usize, usize);

/// The analysis, or the error with its causes as the command line prints them.
fn analyse(source: LogSource) -> Result<Analysis, String> {
    diagnose(&source, None, Signatures::builtin()).map_err(|e| {
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(inner) = cause {
            message.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        message
    })
}

const SETUP: &str = "2024-05-01T10:00:00.1000000Z Current runner version: '2.316.0'\n";
const TEST_STEP: &str = "\u{feff}2024-05-01T10:00:01.0000000Z ##[group]Run cargo test\n\
2024-05-01T10:00:01.0000000Z cargo test\n\
2024-05-01T10:00:01.0000000Z ##[endgroup]\n\
2024-05-01T10:00:02.0000000Z    Compiling app v0.1.0\n\
2024-05-01T10:00:03.0000000Z error[E0425]: cannot find value `count` in this scope\n\
2024-05-01T10:00:03.0000000Z  --> src/lib.rs:4:5\n\
2024-05-01T10:00:04.0000000Z error: could not compile `app` (lib) due to 1 previous error\n\
2024-05-01T10:00:04.0000000Z ##[error]Process completed with exit code 101.\n";

fn failing_run_zip() -> Vec<u8> {
    let mut zip = ZipWriter::default();
    zip.add(
        "1_build.txt",
        format!("{SETUP}{TEST_STEP}").as_bytes(),
        PLAIN,
    );
    zip.add("build/", b"", PLAIN);
    zip.add(
        "build/1_Set up job.txt",
        SETUP.as_bytes(),
        EntryOptions {
            deflate: false,
            ..PLAIN
        },
    );
    zip.add("build/2_Run cargo test.txt", TEST_STEP.as_bytes(), PLAIN);
    zip.finish()
}

#[test]
fn a_zip_written_here_is_read_like_its_folder() {
    let bytes = failing_run_zip();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs_42.zip");
    std::fs::write(&path, &bytes).unwrap();
    let analysis = analyse(LogSource::Path(path.clone())).unwrap();
    assert_eq!(analysis.format, LogFormat::GithubArchive);
    assert_eq!(analysis.verdict, Verdict::Failed);
    assert_eq!(analysis.failing_job().unwrap().name, "build");
    assert_eq!(analysis.failing_step().unwrap().name, "Run cargo test");
    let best = analysis.best().unwrap();
    assert!(best.line.text.starts_with("error[E0425]"), "{best:?}");
    assert_eq!(best.line.line, 5);
    assert_eq!(
        best.line.file,
        format!("{}!/build/2_Run cargo test.txt", path.display())
    );
    // The same bytes in memory (the fuzz target's path) give the same analysis.
    let in_memory = analyse(LogSource::Bytes("logs.zip".into(), bytes)).unwrap();
    assert_eq!(in_memory.best().unwrap().line.text, best.line.text);
    assert_eq!(in_memory.failing_step().unwrap().name, "Run cargo test");
}

#[test]
fn a_zip_bomb_is_stopped_with_a_clear_message() {
    // An entry that claims 100 bytes and inflates to 8 MB.
    let mut zip = ZipWriter::default();
    zip.add(
        "1_build.txt",
        &vec![b'a'; 8 << 20],
        EntryOptions {
            declared_size: Some(100),
            ..PLAIN
        },
    );
    let err = analyse(LogSource::Bytes("bomb.zip".into(), zip.finish())).unwrap_err();
    assert!(
        err.contains("inflates beyond its declared 100 bytes"),
        "{err}"
    );

    // An entry that declares more than any log may inflate to: refused before inflating.
    let mut zip = ZipWriter::default();
    zip.add(
        "1_build.txt",
        b"x",
        EntryOptions {
            declared_size: Some(u32::MAX - 1),
            ..PLAIN
        },
    );
    let err = analyse(LogSource::Bytes("huge.zip".into(), zip.finish())).unwrap_err();
    assert!(err.contains("limit for one log"), "{err}");
}

#[test]
fn broken_zips_are_refused_with_a_reason() {
    let mut zip = ZipWriter::default();
    zip.add(
        "1_build.txt",
        TEST_STEP.as_bytes(),
        EntryOptions {
            crc: Some(0xdead_beef),
            ..PLAIN
        },
    );
    let err = analyse(LogSource::Bytes("crc.zip".into(), zip.finish())).unwrap_err();
    assert!(err.contains("fails its CRC check"), "{err}");

    let whole = failing_run_zip();
    let cut = whole[..whole.len() / 2].to_vec();
    let err = analyse(LogSource::Bytes("cut.zip".into(), cut)).unwrap_err();
    assert!(err.contains("end-of-central-directory"), "{err}");

    let mut zip = ZipWriter::default();
    zip.add("README.md", b"# not logs", PLAIN);
    let err = analyse(LogSource::Bytes("other.zip".into(), zip.finish())).unwrap_err();
    assert!(err.contains("holds no `N_job.txt`"), "{err}");
}

#[test]
fn the_real_run_archive_zipped_reads_like_its_folder() {
    let archive = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/ci-logs/ghalogs-example/log.tar.gz");
    if !archive.exists() {
        println!("skipped: ../shared absent");
        return;
    }
    if Command::new("zip").arg("-v").output().is_err() {
        println!("skipped: the `zip` tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("run");
    std::fs::create_dir(&folder).unwrap();
    // A name clash inside the archive makes tar exit 2 but extracts the rest.
    let _ = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&folder)
        .status()
        .unwrap();
    let zip = dir.path().join("logs_1.zip");
    let status = Command::new("zip")
        .args(["-q", "-r"])
        .arg(&zip)
        .arg(".")
        .current_dir(&folder)
        .status()
        .unwrap();
    assert!(status.success());
    let from_folder = analyse(LogSource::Path(folder)).unwrap();
    let from_zip = analyse(LogSource::Path(zip)).unwrap();
    assert_eq!(from_zip.format, LogFormat::GithubArchive);
    assert_eq!(from_zip.verdict, Verdict::Succeeded);
    assert_eq!(from_zip.lines, from_folder.lines);
    let outline = |a: &Analysis| -> Vec<(String, Vec<StepOutline>)> {
        a.jobs
            .iter()
            .map(|j| {
                let steps = j
                    .steps
                    .iter()
                    .map(|s| (s.name.clone(), s.first_line, s.last_line))
                    .collect();
                (j.name.clone(), steps)
            })
            .collect()
    };
    assert_eq!(outline(&from_zip), outline(&from_folder));
    assert!(from_zip.jobs.len() > 10);
}
