//! Headless subcommands and the dispatch from parsed arguments to them.

pub mod account;
pub mod completions;
pub mod emulator;
pub mod export;
pub mod import;
pub mod json;
pub mod login;
pub mod logout;
pub mod lookup;
pub mod notes;
pub mod process;
pub mod profile_db;
pub mod progress;
pub mod queue;
pub mod queue_run;
pub mod run_due;
pub mod signals;
pub mod stats;
pub mod sync;
pub mod targets;
pub mod timed;
pub mod tui;
pub mod undo;
pub mod whoami;

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, ExitError};

/// Runs the parsed command line and returns the process exit code.
pub fn main(mut cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("xblocks: cannot start the async runtime: {e}");
            return Exit::Other.into();
        }
    };
    process::forbid_core_dumps();
    let json = json::requested(std::env::args_os());
    if uses_profile(&cli) {
        if let Err(refused) = cli.global.paths().check() {
            return report(&anyhow::Error::new(refused), json).into();
        }
        account::use_remembered_bases(&mut cli.global);
    }
    let _log_guard = match crate::store::logging::init(&cli.global.paths().log_dir) {
        Ok(guard) => guard,
        Err(refused) => return report(&anyhow::Error::new(refused), json).into(),
    };
    let hint = SignInHint {
        profile: cli.global.profile.clone(),
        tui: cli.command.is_none(),
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => Exit::Ok.into(),
        Err(err) if crate::exit::code_of(&err) == Exit::NotSignedIn => {
            let err = ExitError::new(Exit::NotSignedIn, hint.apply(&err.to_string()));
            report(&err.into(), json).into()
        }
        Err(err) => report(&err, json).into(),
    }
}

/// How to sign in from where the user is: the same profile, and the demo from the TUI.
struct SignInHint {
    profile: String,
    tui: bool,
}

impl SignInHint {
    /// `message` with `xblocks login` naming the profile, plus the demo for the TUI.
    fn apply(&self, message: &str) -> String {
        let mut text = if self.profile == "default" {
            message.to_string()
        } else {
            message.replace(
                "`xblocks login`",
                &format!("`xblocks --profile {} login`", self.profile),
            )
        };
        if self.tui {
            text.push_str(", or try `xblocks demo` (no account needed)");
        }
        text
    }
}

/// Whether the command reads or writes the profile's files (the demo and the emulator keep
/// theirs in memory or in a temp dir of their own).
fn uses_profile(cli: &Cli) -> bool {
    !matches!(
        cli.command,
        Some(Command::Demo(_) | Command::Emulator(_) | Command::Completions(_))
    )
}

/// Prints an error as one or two lines on stderr (the JSON error document with `--json`) and
/// picks its exit code. A closed stdout (`xblocks export | head`) ends the command quietly, as
/// pipes expect.
fn report(err: &anyhow::Error, json: bool) -> Exit {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return Exit::Ok;
    }
    let code = crate::exit::code_of(err);
    if json {
        json::print_error(&err.to_string(), code);
    } else {
        // Not eprintln!: stderr may be a terminal that hung up (SIGHUP), and that must not panic.
        let _ = writeln!(std::io::stderr(), "xblocks: {err}");
    }
    tracing::error!(exit = code as u8, "{err:#}");
    code
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let global = cli.global;
    if !matches!(
        cli.command,
        None | Some(Command::Demo(_)) | Some(Command::Emulator(_))
    ) {
        signals::stop_requests_on_signal();
    }
    match cli.command {
        None => tui::run(global).await,
        Some(Command::Demo(args)) => tui::demo(global, args).await,
        Some(Command::Emulator(args)) => emulator::run(*args).await,
        Some(Command::Completions(args)) => completions::run(args),
        Some(Command::Note(args)) => notes::note(global, args).await,
        Some(Command::Tag(args)) => notes::tag(global, args).await,
        Some(Command::Keep(args)) => notes::keep(global, args).await,
        Some(Command::Login(args)) => login::run(global, args).await,
        Some(Command::Logout) => logout::run(global).await,
        Some(Command::Whoami(args)) => whoami::run(global, args).await,
        Some(Command::Sync(args)) => sync::run(global, args).await,
        Some(Command::Export(args)) => export::run(global, args).await,
        Some(Command::Block(args)) => {
            targets::run(global, args.targets, crate::api::Write::Block, args.force).await
        }
        Some(Command::Unblock(args)) => {
            targets::run(global, args, crate::api::Write::Unblock, false).await
        }
        Some(Command::Mute(args)) => {
            targets::run(global, args, crate::api::Write::Mute, false).await
        }
        Some(Command::Unmute(args)) => {
            targets::run(global, args, crate::api::Write::Unmute, false).await
        }
        Some(Command::Import(args)) => import::run(global, args).await,
        Some(Command::Undo(args)) => undo::run(global, args).await,
        Some(Command::Stats(args)) => stats::run(global, args).await,
        Some(Command::Queue(args)) => queue::queue(global, args).await,
        Some(Command::History(args)) => queue::history(global, args).await,
        Some(Command::RunDue) => run_due::run(global).await,
    }
}
