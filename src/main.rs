//! xblocks binary entry point: parse arguments, set up logging, dispatch.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = xblocks::cli::Cli::parse();
    xblocks::commands::main(cli)
}
