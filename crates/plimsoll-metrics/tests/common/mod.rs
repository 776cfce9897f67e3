#![allow(dead_code)]

pub mod github_server;
pub mod history;
pub mod setup;
