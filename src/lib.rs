//! hara: a guided hara-breathing and meditation timer for the terminal.
//!
//! The core (`session`, `principles`, `text`) is pure: no terminal, audio or file I/O, except
//! in `session::library`, which finds session and sound files.

pub mod attach;
pub mod audio;
pub mod bundled;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod journal;
pub mod output;
pub mod plain;
pub mod practice;
pub mod principles;
pub mod read;
pub mod session;
pub mod settings;
#[cfg(feature = "share")]
pub mod share;
pub mod speech;
pub mod text;
pub mod timeline;
pub mod ui;
