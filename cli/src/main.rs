//! The `usernames` CLI: runs the trigger handlers locally, serves them over the Lambda Invoke
//! API and administers the registry (docs/cli.md). Each subcommand lives in its own module.

/// `println!` that never panics: a reader that went away (`usernames demo | head`) must not crash
/// the command, and in release builds (panic = abort) not the whole `serve` process either.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod admin;
mod check;
mod demo;
mod dev;
mod invoke;
mod pool;
mod rekey;
mod rules;
mod serve;
mod setup;
mod table;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "usernames",
    version,
    about = "Safe, unique Cognito display names: check, invoke, serve and administer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--store PATH`, on every command that uses the registry.
#[derive(clap::Args)]
struct StoreArg {
    /// Keep the registry in this file (created if absent) instead of memory, so names survive
    /// restarts; several commands may share it at once [env: USERNAMES_STORE]. USERNAMES_TABLE
    /// names a DynamoDB table instead (not both).
    #[arg(long, value_name = "PATH")]
    store: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check names against the policy (no store). With no NAME, reads one JSON string per line from stdin.
    Check {
        /// Names to check.
        names: Vec<String>,
    },
    /// Run event files (or `-` for stdin) through the trigger handlers, in order, on one store.
    Invoke {
        /// Event JSON files; `-` reads one event from stdin.
        #[arg(required = true)]
        files: Vec<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Serve the handlers over the Lambda Invoke API (for cognito-local, the AWS CLI and SDKs).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3001")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        store: StoreArg,
    },
    /// A narrated sign-up, confirm and sign-in walk-through on the embedded store.
    Demo,
    /// The whole local backend of an Amplify app: the registry, cognito-local with a pool and app
    /// client wired to the triggers, the HTTP API, and DIR/amplify_outputs.json; until Ctrl-C.
    Dev(dev::DevArgs),
    /// The registry's entry for a name, or (--user) the name a user owns, as one JSON object.
    Show {
        /// The name (any spelling or look-alike finds it).
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        name: Option<String>,
        /// A user's sub instead of a name.
        #[arg(long, value_name = "SUB")]
        user: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Reserve a name (and every look-alike of it) for the operator: no user can claim it. With
    /// --contains, refuse every new name that contains a word (through look-alikes, separators,
    /// case and leetspeak) from the next minute on.
    Block {
        #[arg(required_unless_present = "contains", conflicts_with = "contains")]
        name: Option<String>,
        /// A word no new name may contain (kept in the table; `usernames rules` lists them).
        #[arg(long, value_name = "WORD")]
        contains: Option<String>,
        /// A note shown by `show`.
        #[arg(long)]
        reason: Option<String>,
        /// Who blocks it, shown by `show` [default: the OS user ($USER, $LOGNAME or
        /// %USERNAME%), else `unknown`].
        #[arg(long, value_name = "WHO", value_parser = admin::operator)]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Free a blocked name, or end a quarantine early; with --contains, remove a word rule.
    Unblock {
        #[arg(required_unless_present = "contains", conflicts_with = "contains")]
        name: Option<String>,
        /// The word of a rule added with `block --contains`.
        #[arg(long, value_name = "WORD")]
        contains: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// The word rules in force (the table's and USERNAMES_RESERVED_CONTAINS), each with the
    /// owners whose names it would refuse today (they keep them).
    Rules {
        #[command(flatten)]
        store: StoreArg,
    },
    /// Put an owner's name into quarantine (USERNAMES_QUARANTINE, default 14d), or free it at once.
    Release {
        name: String,
        /// Free it at once (also frees a quarantined or blocked name).
        #[arg(long)]
        now: bool,
        /// Also remove the owner's preferred_username from this pool.
        #[arg(long, value_name = "ID")]
        user_pool_id: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// An administrator's rename, through the same code as the API.
    Rename {
        /// The user's sub.
        #[arg(long, value_name = "SUB")]
        user: String,
        /// The new name.
        name: String,
        /// Skip the rename cooldown (USERNAMES_RENAME_COOLDOWN, default 24h).
        #[arg(long)]
        force: bool,
        /// Also set the user's preferred_username in this pool.
        #[arg(long, value_name = "ID")]
        user_pool_id: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Register the names of a pool's existing users (safe to interrupt and run again).
    Import {
        #[arg(long, value_name = "ID")]
        user_pool_id: String,
        /// Decide from reads only; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Retire the names of users deleted from the pool into quarantine.
    Reconcile {
        #[arg(long, value_name = "ID")]
        user_pool_id: String,
        /// Decide from reads only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Leave owners whose name was committed less than this ago (seconds, or with s, m, h
        /// or d): Cognito's listing may not show a user who confirmed a moment ago.
        #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = pool::grace)]
        grace: std::time::Duration,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Move the entries keyed by an older version of the key derivation to their current keys;
    /// where two meet, the earlier owner keeps the name and the other is reported.
    Rekey {
        /// Decide on a copy of the registry; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Before deploying a new key version: hold every entry's new key with a placeholder
        /// block, so no one takes a name the new version joins to it; move nothing.
        #[arg(long)]
        prepare: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Print the message catalogue (every code, its parameters and its sentence in every
    /// language, as Fluent and ICU MessageFormat) as JSON: catalogue/messages.json.
    Catalogue,
    /// Administer the DynamoDB table named by USERNAMES_TABLE.
    Table {
        #[command(subcommand)]
        command: TableCommand,
    },
}

#[derive(Subcommand)]
enum TableCommand {
    /// Create the registry table with the template's schema and TTL (idempotent).
    Create,
}

/// `usernames catalogue`: the catalogue, pretty-printed with a final newline (as committed).
fn catalogue() -> ExitCode {
    let catalogue = shared::messages::catalogue::catalogue();
    match serde_json::to_string_pretty(&catalogue) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("usernames catalogue: {err}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { names } => check::run(names),
        Command::Invoke { files, store } => invoke::run(files, store.store),
        Command::Serve { addr, store } => serve::run(addr, store.store),
        Command::Demo => demo::run(),
        Command::Dev(args) => dev::run(args),
        Command::Catalogue => catalogue(),
        Command::Rekey {
            dry_run,
            prepare,
            store,
        } => rekey::run(dry_run, prepare, store.store),
        Command::Table {
            command: TableCommand::Create,
        } => table::create(),
        Command::Show { name, user, store } => admin::run(
            match (name, user) {
                (_, Some(sub)) => admin::Request::ShowUser(sub),
                (name, None) => admin::Request::ShowName(name.unwrap_or_default()),
            },
            store.store,
        ),
        Command::Block {
            name,
            contains: Some(word),
            reason,
            by,
            store,
        } if name.is_none() => rules::run(
            rules::Request::Add {
                word,
                reason,
                by: by.unwrap_or_else(admin::os_user),
            },
            store.store,
        ),
        Command::Block {
            name,
            reason,
            by,
            store,
            ..
        } => admin::run(
            admin::Request::Block {
                name: name.unwrap_or_default(),
                reason,
                by: by.unwrap_or_else(admin::os_user),
            },
            store.store,
        ),
        Command::Unblock {
            contains: Some(word),
            store,
            ..
        } => rules::run(rules::Request::Remove(word), store.store),
        Command::Unblock { name, store, .. } => admin::run(
            admin::Request::Unblock(name.unwrap_or_default()),
            store.store,
        ),
        Command::Rules { store } => rules::run(rules::Request::List, store.store),
        Command::Release {
            name,
            now,
            user_pool_id,
            store,
        } => admin::run(
            admin::Request::Release {
                name,
                now,
                user_pool_id,
            },
            store.store,
        ),
        Command::Rename {
            user,
            name,
            force,
            user_pool_id,
            store,
        } => admin::run(
            admin::Request::Rename {
                sub: user,
                name,
                force,
                user_pool_id,
            },
            store.store,
        ),
        Command::Import {
            user_pool_id,
            dry_run,
            store,
        } => pool::import(user_pool_id, dry_run, store.store),
        Command::Reconcile {
            user_pool_id,
            dry_run,
            grace,
            store,
        } => pool::reconcile(user_pool_id, dry_run, grace, store.store),
    }
}
