use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let matches = hara::cli::command().get_matches();
    let cli = match hara::cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match hara::cli::run(cli) {
        Ok(code) => code,
        Err(e) => hara::output::exit_for(&e),
    }
}
