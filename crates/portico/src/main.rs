//! The `portico` binary: parse the command line, load the install configuration,
//! set up logging, run.
//!
//! Exit codes: 0 after a clean stop (SIGTERM/SIGINT) or a successful `validate`;
//! 1 when start-up fails at run time (an address in use, a runtime error); 2 for
//! command-line usage errors; 78 (`EX_CONFIG`) for an invalid configuration.

mod cli;
mod demo;
mod install;
mod run;

use std::process::ExitCode;

/// Configuration is invalid (sysexits.h `EX_CONFIG`).
const EX_CONFIG: u8 = 78;

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args_os()) {
        Ok(command) => command,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match command {
        cli::Command::Version => {
            println!("portico {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        cli::Command::Run(args) => run::run(&args),
        cli::Command::Validate(args) => run::validate(&args),
        cli::Command::Whoami { address, name } => demo::whoami(&address, name),
        cli::Command::Demo { address, config } => demo::demo(&address, config),
    }
}
