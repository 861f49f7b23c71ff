//! xblocks binary entry point: parse arguments, set up logging, dispatch.

fn main() -> std::process::ExitCode {
    match xblocks::cli::parse() {
        Ok(cli) => xblocks::commands::main(cli),
        Err(err) => xblocks::commands::json::usage_error(err),
    }
}
