//! Command-line interface, exactly as `PRODUCT.md` fixes it. Every command's `--help` ends
//! with examples; the global options have their own heading and are hidden where they mean
//! nothing. [`command`] is the one definition: parsing, completions and the man page use it.

pub mod man;

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub use crate::emulator::{CreditsBody, Tier};

/// `xblocks --version`: the version, the commit and the build date.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("XBLOCKS_COMMIT"),
    ", built ",
    env!("XBLOCKS_BUILD_DATE"),
    ")"
);

/// Subcommands for which the global options mean nothing (they never read a profile or X).
const NO_GLOBALS: &[&str] = &["demo", "emulator", "completions"];

/// The command line, with the global options hidden where they mean nothing.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // clap propagates a global option only to subcommands without an option of that id, so
    // hidden copies keep them out of these commands' help.
    let globals = GlobalArgs::augment_args(clap::Command::new("globals"));
    for name in NO_GLOBALS {
        cmd = cmd.mut_subcommand(name, |sub| {
            sub.args(globals.get_arguments().map(|a| a.clone().hide(true)))
        });
    }
    cmd
}

/// Parses the process's arguments.
pub fn parse() -> Result<Cli, clap::Error> {
    let matches = command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.bases_from = BasesFrom {
        api: Origin::of(&matches, "api_base"),
        auth: Origin::of(&matches, "auth_base"),
    };
    Ok(cli)
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    #[default]
    Default,
    /// Its environment variable.
    Env,
    /// Its flag.
    Flag,
    /// The profile (what `login` stored in the profile database).
    Profile,
}

impl Origin {
    /// The origin of argument `id` in parsed `matches` (a global option given after the
    /// subcommand is propagated up to the top).
    fn of(matches: &clap::ArgMatches, id: &str) -> Self {
        match matches.value_source(id) {
            Some(clap::parser::ValueSource::CommandLine) => Origin::Flag,
            Some(clap::parser::ValueSource::EnvVariable) => Origin::Env,
            _ => Origin::Default,
        }
    }
}

/// Where the API and auth base came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BasesFrom {
    /// `--api-base`.
    pub api: Origin,
    /// `--auth-base`.
    pub auth: Origin,
}

/// Keyboard-driven review and management of an X (Twitter) block list.
#[derive(Debug, Parser)]
#[command(name = "xblocks", version = VERSION, about, long_about = None, after_help = EX_MAIN)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do; without one, the TUI on the stored account.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every command, each with an environment variable.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Base URL of the X API.
    #[arg(
        long,
        env = "XBLOCKS_API_BASE",
        default_value = "https://api.x.com",
        global = true
    )]
    pub api_base: String,
    /// Base URL of the OAuth authorize pages.
    #[arg(
        long,
        env = "XBLOCKS_AUTH_BASE",
        default_value = "https://x.com",
        global = true
    )]
    pub auth_base: String,
    /// Profile name: one stored account per profile.
    #[arg(
        long,
        env = "XBLOCKS_PROFILE",
        default_value = "default",
        global = true,
        value_parser = profile_name
    )]
    pub profile: String,
    /// Configuration directory (default: the platform config dir).
    #[arg(long, env = "XBLOCKS_CONFIG_DIR", global = true)]
    pub config_dir: Option<PathBuf>,
    /// Exit with code 3 instead of waiting out a rate limit.
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// Where `api_base` and `auth_base` came from (set by [`parse`]; a profile's remembered
    /// bases replace defaults, never a flag or an environment variable).
    #[arg(skip)]
    pub bases_from: BasesFrom,
}

impl GlobalArgs {
    /// The profile's directories.
    pub fn paths(&self) -> crate::store::paths::Paths {
        crate::store::paths::Paths::resolve(self.config_dir.as_deref(), &self.profile)
    }

    /// What the sign-in layer needs: which X to talk to and whose token to use.
    pub fn session(&self) -> crate::auth::session::SessionConfig {
        crate::auth::session::SessionConfig {
            api_base: self.api_base.clone(),
            auth_base: self.auth_base.clone(),
            profile: self.profile.clone(),
            paths: self.paths(),
            no_wait: self.no_wait,
        }
    }
}

/// Parses `--profile`: a folder name inside the config dir, never a path.
fn profile_name(name: &str) -> Result<String, String> {
    if crate::store::paths::valid_profile_name(name) {
        Ok(name.to_string())
    } else {
        Err("a profile name is 1 to 64 of A-Z a-z 0-9 _ . - (and not `.` or `..`)".into())
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The TUI against an in-process emulator with seeded blocked accounts.
    #[command(after_help = EX_DEMO)]
    Demo(DemoArgs),
    /// The X API emulator as a standalone HTTP server.
    #[command(after_help = EX_EMULATOR)]
    Emulator(Box<EmulatorArgs>),
    /// Sign in (OAuth 2.0 Authorization Code + PKCE, or OAuth 1.0a with --oauth1).
    #[command(after_help = EX_LOGIN)]
    Login(LoginArgs),
    /// Revoke the token at the API and delete it locally.
    #[command(after_help = EX_LOGOUT)]
    Logout,
    /// Show the signed-in account, auth kind, scopes, capability, database and money.
    #[command(after_help = EX_WHOAMI)]
    Whoami(WhoamiArgs),
    /// Bring the local database up to date: a top-up from the newest block, or --full.
    #[command(after_help = EX_SYNC)]
    Sync(SyncArgs),
    /// Export the whole block list.
    #[command(after_help = EX_EXPORT)]
    Export(ExportArgs),
    /// Block (or unblock) every account listed in a file.
    #[command(after_help = EX_IMPORT)]
    Import(ImportArgs),
    /// Undo the last batch of writes (queues and runs the inverse actions).
    #[command(after_help = EX_UNDO)]
    Undo(UndoArgs),
    /// Block accounts: @username, username or numeric id.
    #[command(after_help = EX_BLOCK)]
    Block(BlockArgs),
    /// Unblock accounts: @username, username or numeric id.
    #[command(after_help = EX_UNBLOCK)]
    Unblock(TargetArgs),
    /// Mute accounts (works on every plan, pay-per-use included).
    #[command(after_help = EX_MUTE)]
    Mute(TargetArgs),
    /// Unmute accounts.
    #[command(after_help = EX_UNMUTE)]
    Unmute(TargetArgs),
    /// Show, set or clear the note on an account.
    #[command(after_help = EX_NOTE)]
    Note(NoteArgs),
    /// Show or change the tags of an account: +NAME adds, -NAME removes.
    #[command(after_help = EX_TAG)]
    Tag(TagArgs),
    /// The keep list (never unblocked): add accounts, --remove them, or --list it.
    #[command(after_help = EX_KEEP)]
    Keep(KeepArgs),
    /// Print shell completions.
    #[command(after_help = EX_COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Insights of the local database: counts, first-seen months, account age, followers, tags.
    #[command(after_help = EX_STATS)]
    Stats(StatsArgs),
    /// The durable queue: open jobs with their due time, then the last finished ones.
    #[command(after_help = EX_QUEUE)]
    Queue(QueueArgs),
    /// The action log, newest first.
    #[command(after_help = EX_HISTORY)]
    History(HistoryArgs),
    /// Run the queued jobs that are due (timed unblocks and unmutes), then exit: for cron.
    #[command(after_help = EX_RUN_DUE)]
    RunDue,
}

/// `xblocks demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of seeded blocked accounts.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Seed of the generated world.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// API plan to emulate.
    #[arg(long, value_enum, default_value_t = Tier::Enterprise)]
    pub tier: Tier,
    /// Length of a rate-limit window in seconds (shortened so waits are visible).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub window_secs: u64,
    /// Mix hostile strings into names and bios.
    #[arg(long)]
    pub hostile: bool,
    /// Inject faults, e.g. "5xx=0.05,reset=0.01,delay-ms=200,malformed=0.01".
    #[arg(long)]
    pub faults: Option<String>,
}

/// `xblocks emulator`.
#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (loopback only, unless --allow-remote).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: String,
    /// Listen on a non-loopback --addr: anyone who can reach it gets the pre-issued tokens.
    #[arg(long)]
    pub allow_remote: bool,
    /// Number of seeded blocked accounts.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Seed of the generated world.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// API plan to emulate.
    #[arg(long, value_enum, default_value_t = Tier::Enterprise)]
    pub tier: Tier,
    /// Length of a rate-limit window in seconds.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub window_secs: u64,
    /// Pre-issue this user access token for the seeded account (repeatable).
    #[arg(long = "token")]
    pub tokens: Vec<String>,
    /// Scopes of the pre-issued tokens (space-separated; default all).
    #[arg(long)]
    pub token_scopes: Option<String>,
    /// Lifetime of issued access tokens in seconds.
    #[arg(long, default_value_t = 7200)]
    pub token_ttl: u64,
    /// Inject faults, e.g. "5xx=0.05,reset=0.01,delay-ms=200,malformed=0.01".
    #[arg(long)]
    pub faults: Option<String>,
    /// Mix hostile strings into names, bios, locations and posts.
    #[arg(long)]
    pub hostile: bool,
    /// Turn rate limits off: headers report a budget that never runs out.
    #[arg(long)]
    pub no_limits: bool,
    /// Pay-per-use balance in USD: each account listed costs $0.001, each looked-up user $0.010;
    /// at 0 billed requests get X's 402.
    #[arg(long, value_name = "USD")]
    pub credits: Option<f64>,
    /// After N billed resources, billed requests get X's usage-cap 429.
    #[arg(long, value_name = "N")]
    pub usage_cap: Option<u64>,
    /// Shape of the 402 once the credits are gone.
    #[arg(long, value_enum, default_value_t = CreditsBody::Captured)]
    pub credits_body: CreditsBody,
    /// Make an endpoint give a canned answer, e.g. "unblock=404" or "blocking=user-not-enrolled"
    /// (repeatable; answers: a status code, html, user-not-enrolled, credits, usage-cap,
    /// rate-limit-exceeded).
    #[arg(long = "answer", value_name = "ENDPOINT=ANSWER")]
    pub answers: Vec<String>,
    /// Register another OAuth 2.0 client id (public unless --client-secret).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Secret of the --client-id client, making it confidential.
    #[arg(long, requires = "client_id")]
    pub client_secret: Option<String>,
    /// Register an exact redirect URI (repeatable; default: any http://127.0.0.1:PORT/callback).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// OAuth 1.0a consumer key.
    #[arg(long, default_value = "xblocks-demo-key")]
    pub consumer_key: String,
    /// OAuth 1.0a consumer secret.
    #[arg(long, default_value = "xblocks-demo-secret")]
    pub consumer_secret: String,
}

/// `xblocks login`.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Print the authorize URL instead of opening a browser; accept the pasted redirect URL.
    #[arg(long)]
    pub no_browser: bool,
    /// OAuth 2.0 client id of your X app.
    #[arg(long, env = "XBLOCKS_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Port of the loopback callback listener.
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Scopes to ask for (space-separated).
    #[arg(long)]
    pub scopes: Option<String>,
    /// OAuth 1.0a PIN flow for legacy keys.
    #[arg(long)]
    pub oauth1: bool,
    /// OAuth 1.0a consumer key (with --oauth1).
    #[arg(long, env = "XBLOCKS_CONSUMER_KEY")]
    pub consumer_key: Option<String>,
    /// Replace the account this profile is signed in as without asking.
    #[arg(long)]
    pub force: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    /// One numeric id per line, no header.
    #[default]
    Ids,
    /// Header row then id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen,note,tags,kept.
    Csv,
    /// An array of user objects as the API returns them.
    Json,
    /// One object a line: {"user": {…}, "first_seen", "last_seen", "note", "tags", "kept"}.
    Jsonl,
    /// One @handle a line.
    Handles,
}

/// `xblocks export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Ids)]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Export from the local database only; never touches the network.
    #[arg(long, conflicts_with = "live")]
    pub cached: bool,
    /// Only the accounts matching QUERY (the TUI's search language), e.g. "followers:<100 -tag:keep".
    #[arg(long = "where", value_name = "QUERY", allow_hyphen_values = true)]
    pub where_: Option<String>,
    /// Always read the list from X first, however fresh the database is.
    #[arg(long)]
    pub live: bool,
    /// Stop (exit 6) before a request whose worst case would take this export past USD.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_cost: Option<crate::api::price::Usd>,
}

/// Parses a `--max-cost` amount.
fn parse_usd(s: &str) -> Result<crate::api::price::Usd, String> {
    crate::api::price::parse_usd(s)
}

/// `xblocks import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// File of ids, @handles or profile URLs, csv (id or username column), X's archive
    /// (data/block.js, data/mute.js or the archive .zip); `-` reads stdin.
    pub file: PathBuf,
    /// Show the plan and change nothing; no request is sent (accounts the database does not
    /// know are listed as not looked up, with what looking them up would cost).
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: look up at X the accounts the database does not know (billed on
    /// pay-per-use; the cost is said first and `[billing] daily_cap` applies), still writing
    /// nothing.
    #[arg(long, requires = "dry_run")]
    pub look_up: bool,
    /// Unblock the listed accounts instead of blocking them.
    #[arg(long)]
    pub unblock: bool,
    /// With --dry-run: print the plan as the `import` JSON document.
    #[arg(long, requires = "dry_run")]
    pub json: bool,
    /// Only the listed accounts matching QUERY (the TUI's search language), e.g.
    /// "followers:<100 -tag:keep". Evaluated on X's answer to the plan's lookup, else on the
    /// database's copy, with the database's notes, tags and keep list; an account the database
    /// does not know has none of those and no first-seen date (`seen:` never holds for it).
    #[arg(long = "where", value_name = "QUERY", allow_hyphen_values = true)]
    pub where_: Option<String>,
    /// Block accounts you follow or that follow you too (the plan skips them otherwise).
    #[arg(long, conflicts_with = "unblock")]
    pub force: bool,
}

/// `xblocks undo`.
#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// Show what would be undone and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print what would be undone as the `undo` JSON document.
    #[arg(long, requires = "dry_run")]
    pub json: bool,
}

/// `xblocks block`.
#[derive(Debug, Clone, Args)]
pub struct BlockArgs {
    /// The accounts.
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Block accounts you follow or that follow you too (skipped otherwise).
    #[arg(long)]
    pub force: bool,
}

/// Targets of block/unblock/mute/unmute.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// @username, username or numeric id.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Undo it by itself after this long (block and mute): 30s, 10min, 12h, 7d, 2w, 3mo, 1y.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub for_secs: Option<u64>,
}

fn parse_duration(text: &str) -> Result<u64, crate::app::duration::DurationError> {
    crate::app::duration::parse(text)
}

/// `xblocks note`.
#[derive(Debug, Clone, Args)]
pub struct NoteArgs {
    /// @username, username or numeric id.
    pub target: String,
    /// The note (words are joined with spaces); without it the note is printed.
    pub text: Vec<String>,
    /// Remove the note.
    #[arg(long, conflicts_with = "text")]
    pub clear: bool,
}

/// `xblocks tag`.
#[derive(Debug, Clone, Args)]
pub struct TagArgs {
    /// @username, username or numeric id.
    pub target: String,
    /// +NAME adds a tag, -NAME removes one; without any the tags are printed.
    #[arg(allow_hyphen_values = true, value_name = "+NAME|-NAME")]
    pub edits: Vec<String>,
}

/// `xblocks keep`.
#[derive(Debug, Clone, Args)]
pub struct KeepArgs {
    /// @username, username or numeric id.
    #[arg(value_name = "TARGET", required_unless_present = "list")]
    pub targets: Vec<String>,
    /// Take the targets off the keep list.
    #[arg(long)]
    pub remove: bool,
    /// Print the keep list.
    #[arg(long, conflicts_with_all = ["targets", "remove"])]
    pub list: bool,
}

/// `xblocks completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// Shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `xblocks whoami`.
#[derive(Debug, Clone, Args)]
pub struct WhoamiArgs {
    /// Print one JSON document instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Ask X again for the capability (spends one write of the window: a no-op unblock of
    /// yourself).
    #[arg(long)]
    pub probe: bool,
}

/// `xblocks sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Read every page and record who is gone (the only way to notice unblocks made
    /// elsewhere); default: a top-up from the newest block.
    #[arg(long)]
    pub full: bool,
    /// Stop (exit 6) before a request whose worst case would take this sync past USD.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_cost: Option<crate::api::price::Usd>,
    /// Print the plan (requests, accounts at most, cost, ETA) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON document (the plan, and the result) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `xblocks stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// Print the `stats` JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

const EX_MAIN: &str = "\
Examples:
  $ xblocks demo                      try it: the TUI on 5000 made-up accounts, no account needed
  $ xblocks login                     sign in to X in the browser
  $ xblocks                           the TUI on your block list
  $ xblocks export --format csv -o blocks.csv
  $ xblocks --profile work whoami     another account, in its own profile";

const EX_DEMO: &str = "\
Examples:
  $ xblocks demo
  $ xblocks demo --users 100000 --tier pay-per-use
  $ xblocks demo --hostile --faults \"5xx=0.05,delay-ms=200\"";

const EX_EMULATOR: &str = "\
Examples:
  $ xblocks emulator --token T
  $ xblocks emulator --addr 127.0.0.1:8080 --users 3000 --token T --no-limits
  $ curl -H \"Authorization: Bearer T\" http://127.0.0.1:8080/2/users/me";

const EX_LOGIN: &str = "\
Examples:
  $ xblocks login
  $ xblocks login --no-browser          over SSH: open the address anywhere, paste back
  $ xblocks login --client-id ID --port 9000
  $ xblocks --profile work login
  $ xblocks login --oauth1              PIN flow for legacy consumer keys";

const EX_LOGOUT: &str = "\
Examples:
  $ xblocks logout
  $ xblocks --profile work logout";

const EX_WHOAMI: &str = "\
Examples:
  $ xblocks whoami
  $ xblocks whoami --json | jq .spent_today_usd
  $ xblocks whoami --probe                 ask X again (spends one write)
  $ xblocks --profile work whoami";

const EX_SYNC: &str = "\
Examples:
  $ xblocks sync                           top-up: new blocks since the last sync
  $ xblocks sync --dry-run                 the plan (requests, accounts, cost, ETA) only
  $ xblocks sync --full --max-cost 5       every page, at most $5
  $ xblocks sync --json | jq .result";

const EX_EXPORT: &str = "\
Examples:
  $ xblocks export > blocked-ids.txt
  $ xblocks export --format csv -o blocks.csv
  $ xblocks export --format json --cached | jq length
  $ xblocks export --cached --format handles --where 'followers:<100 -kept:yes'
  $ xblocks export --format jsonl --where '\"phd student\" age:>5y' -o phd.jsonl";

const EX_NOTE: &str = "\
Examples:
  $ xblocks note @spammer99 paid troll, reported twice
  $ xblocks note @spammer99
  $ xblocks note 12345 --clear";

const EX_TAG: &str = "\
Examples:
  $ xblocks tag @spammer99 +spam +crypto
  $ xblocks tag @spammer99 -crypto
  $ xblocks export --cached --where tag:spam --format ids";

const EX_KEEP: &str = "\
Examples:
  $ xblocks keep @stalker @impersonator
  $ xblocks keep --remove @impersonator
  $ xblocks keep --list";

const EX_IMPORT: &str = "\
Formats (one account per line unless said):
  numeric ids, @handles or handles, profile URLs (https://x.com/NAME, twitter.com too),
  csv with an id or username column, an `xblocks export --format json` file, X's archive
  (data/block.js, data/mute.js or the archive .zip), and `-` for stdin.

Accounts you follow or that follow you are not blocked (X's connection_status); the plan
names them and --force blocks them too. Accounts the database does not list are looked up at
X first, 100 a request, at $0.010 a user on pay-per-use; the plan says so before it is sent.

Examples:
  $ xblocks import blocklist.txt --dry-run
  $ xblocks import blocklist.csv
  $ xblocks import blocklist.csv --where 'followers:<100 age:<30d' --dry-run --json
  $ xblocks import twitter-archive.zip
  $ xblocks import unblock-later.txt --unblock
  $ cat handles.txt | xblocks import -";

const EX_UNDO: &str = "\
Examples:
  $ xblocks undo --dry-run
  $ xblocks undo";

const EX_BLOCK: &str = "\
Accounts you follow or that follow you are skipped (X's connection_status, looked up at
$0.010 a user on pay-per-use unless the database lists them as blocked); --force blocks them.

Examples:
  $ xblocks block @spammer
  $ xblocks block 1234567890 another_handle
  $ xblocks block @old_friend --force";

const EX_UNBLOCK: &str = "\
Examples:
  $ xblocks unblock @old_friend
  $ xblocks unblock 1234567890";

const EX_MUTE: &str = "\
Examples:
  $ xblocks mute @loud_account
  $ xblocks mute 1234567890 @another";

const EX_UNMUTE: &str = "\
Examples:
  $ xblocks unmute @loud_account";

const EX_COMPLETIONS: &str = "\
Examples:
  $ xblocks completions bash > ~/.local/share/bash-completion/completions/xblocks
  $ xblocks completions zsh > \"${fpath[1]}/_xblocks\"
  $ xblocks completions fish > ~/.config/fish/completions/xblocks.fish";

const EX_QUEUE: &str = "\
Examples:
  $ xblocks queue
  $ xblocks queue --json | jq '.open | length'";

const EX_HISTORY: &str = "\
Examples:
  $ xblocks history
  $ xblocks history --limit 20 --json";

const EX_RUN_DUE: &str = "\
Examples:
  $ xblocks run-due
  $ crontab -e    then: */15 * * * * xblocks run-due";

const EX_STATS: &str = "\
Examples:
  $ xblocks stats
  $ xblocks stats --json | jq .counts";

/// `xblocks queue`.
#[derive(Debug, Clone, Args)]
pub struct QueueArgs {
    /// Print the `queue` JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `xblocks history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Show at most this many entries (newest first).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print the `history` JSON document instead of the list.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_still_works_where_globals_are_hidden() {
        for name in NO_GLOBALS {
            let e = command()
                .try_get_matches_from(["xblocks", name, "--help"])
                .unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{name}");
        }
        let m = command()
            .try_get_matches_from(["xblocks", "--profile", "p", "whoami"])
            .unwrap();
        assert_eq!(Cli::from_arg_matches(&m).unwrap().global.profile, "p");
    }

    #[test]
    fn the_definition_is_valid() {
        command().debug_assert();
    }

    #[test]
    fn every_command_has_examples() {
        let cmd = command();
        assert!(cmd.get_after_help().is_some());
        for sub in cmd.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("Examples:\n  $ xblocks"),
                "{} has no examples",
                sub.get_name()
            );
        }
    }

    #[test]
    fn globals_are_hidden_where_they_mean_nothing() {
        let mut cmd = command();
        cmd.build();
        for name in NO_GLOBALS {
            let help = cmd
                .find_subcommand_mut(name)
                .unwrap()
                .render_help()
                .to_string();
            assert!(!help.contains("--api-base"), "{name}: {help}");
            assert!(!help.contains("Global options"), "{name}: {help}");
        }
        let help = cmd
            .find_subcommand_mut("export")
            .unwrap()
            .render_help()
            .to_string();
        assert!(
            help.contains("Global options:") && help.contains("--api-base"),
            "{help}"
        );
    }
}
