//! `xblocks completions SHELL`.

use crate::cli::CompletionsArgs;

/// Writes completions for the shell to stdout.
pub fn run(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = crate::cli::command();
    clap_complete::generate(args.shell, &mut cmd, "xblocks", &mut std::io::stdout());
    Ok(())
}
