//! `practice-fhir`: the native tools beside the product.
//!
//! ```text
//! practice-fhir generate --practitioners N [--seed S] --out data.ndjson
//! practice-fhir import data.ndjson|bundle.json --sql out.sql [--batch N] [--now INSTANT]
//!                      [--rejects rejects.ndjson] [--progress auto|bar|lines|none]
//!                      [--validate core|minimal]
//! practice-fhir contracts-sql <snapshots.json>... [--now INSTANT]
//! practice-fhir prices import <file.csv|file.ndjson> --site SITE [--dry-run] [--mode merge|replace]
//!                      (--sql out.sql | --api URL --token TOKEN) [--current site.json | --d1-local | --d1-remote]
//!                      [--report report.json] [--progress auto|bar|lines|none] [--now INSTANT]
//! practice-fhir prices generate --site SITE --payors N --procedures N [--seed S] --out prices.csv
//!                      [--snapshot site.json]
//! ```
//!
//! Exit status: 0 done, 1 lines rejected (nothing written) or a write failed, 2 bad usage or
//! unreadable input.

mod directory;
mod prices_cli;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use progress::ProgressArg;

#[derive(Parser)]
#[command(
    name = "practice-fhir",
    version,
    about = "practice-fhir's native tools: directory and fee-schedule imports, seed SQL, synthetic data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--validate`: which checks a directory resource must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Validation {
    /// The core's UK Core and FHIR validation, as the API's writes.
    Core,
    /// Only what the directory needs (the documents' samples break FHIR's cpt-2).
    Minimal,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a synthetic practitioner directory (deterministic by seed) as NDJSON.
    Generate {
        /// Practitioners to generate (about three roles each).
        #[arg(long)]
        practitioners: usize,
        /// The seed: the same seed gives the same directory.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The NDJSON file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Validates a directory file and writes the accepted resources as SQL for
    /// `wrangler d1 execute DB --file`.
    Import {
        /// NDJSON (a resource or Bundle a line) or one JSON Bundle.
        input: PathBuf,
        /// The SQL file (`out.0001.sql`, … with --batch).
        #[arg(long)]
        sql: String,
        /// Most resources a file.
        #[arg(long)]
        batch: Option<usize>,
        /// `meta.lastUpdated` for resources without one (default: now).
        #[arg(long)]
        now: Option<String>,
        /// Writes one JSON line per rejected resource here.
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Progress on stderr.
        #[arg(long, value_enum, default_value = "auto")]
        progress: ProgressArg,
        /// Which checks a resource must pass.
        #[arg(long, value_enum, default_value = "core")]
        validate: Validation,
    },
    /// Writes ContractBook snapshot files (a snapshot or an array) as the SQL that stores
    /// them as rows, to stdout.
    #[command(name = "contracts-sql")]
    ContractsSql {
        /// Snapshot files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// `lastUpdated` of prices without one.
        #[arg(long, default_value = "2026-01-01T00:00:00Z")]
        now: String,
    },
    /// Fee schedules: import a CSV or NDJSON into a site, or generate a synthetic hospital.
    Prices {
        #[command(subcommand)]
        command: prices_cli::PricesCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate {
            practitioners,
            seed,
            out,
        } => directory::cmd_generate(practitioners, seed, &out).map(|()| ExitCode::SUCCESS),
        Command::Import {
            input,
            sql,
            batch,
            now,
            rejects,
            progress,
            validate,
        } => directory::cmd_import(directory::ImportArgs {
            input,
            sql,
            batch,
            now: now.unwrap_or_else(practice_fhir_tools::now_instant),
            rejects,
            progress,
            core_validation: validate == Validation::Core,
        })
        .map(|()| ExitCode::SUCCESS),
        Command::ContractsSql { files, now } => {
            directory::cmd_contracts_sql(&files, &now).map(|()| ExitCode::SUCCESS)
        }
        Command::Prices { command } => prices_cli::run(command),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
