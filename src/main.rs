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
        // A wrong --device is a usage error, like a wrong flag.
        Err(e)
            if e.downcast_ref::<hara::audio::devices::BadDevice>()
                .is_some() =>
        {
            eprintln!("error: {}", hara::text::clean_line(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", hara::text::clean_line(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}
