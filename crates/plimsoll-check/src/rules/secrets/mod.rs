//! Rules about credentials: in any text file plimsoll finds, in what git tracks, and in history.

mod committed_env_file;
mod hardcoded_secret;

pub use committed_env_file::CommittedEnvFile;
pub use hardcoded_secret::HardcodedSecret;
