use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hara::cli::Cli::parse();
    match hara::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", hara::text::clean_line(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}
