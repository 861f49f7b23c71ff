//! xblocks binary entry point: parse arguments, set up logging, dispatch.

use clap::Parser;

fn main() -> std::process::ExitCode {
    match xblocks::cli::Cli::try_parse() {
        Ok(cli) => xblocks::commands::main(cli),
        Err(err) => xblocks::commands::json::usage_error(err),
    }
}
