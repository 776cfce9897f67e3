//! What plimsoll's YAML reader makes of each file named on standard input, one line each:
//! `path<TAB>ok<TAB>documents` or `path<TAB>error<TAB>line:column<TAB>message`. Files that are
//! not UTF-8 text are `skip`. For `bench/yaml_differential.py`, which compares these verdicts
//! with a second YAML 1.2 parser's.

use std::io::{BufRead, Write};

use plimsoll_syntax::{yaml, SourceFile};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let path = line?;
        let verdict = match std::fs::read(&path)
            .ok()
            .and_then(|bytes| SourceFile::from_bytes(&path, bytes).ok())
        {
            None => "skip".to_string(),
            Some(source) => {
                let stream = yaml::parse(source.text(), source.lines());
                match stream.error {
                    None => format!("ok\t{}", stream.documents.len()),
                    Some(error) => {
                        let at = source.lines().line_col(source.text(), error.offset);
                        let message = error.message.replace(['\t', '\n'], " ");
                        format!("error\t{}:{}\t{message}", at.line, at.column)
                    }
                }
            }
        };
        writeln!(out, "{path}\t{verdict}")?;
    }
    out.flush()
}
