//! `xblocks completions SHELL`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Writes completions for the shell to stdout.
pub fn run(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "xblocks", &mut std::io::stdout());
    Ok(())
}
