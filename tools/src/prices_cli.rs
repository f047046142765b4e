//! `practice-fhir prices import|generate`: fee schedules into a site, through D1 SQL files or
//! the API, with the site's current state from the API, a snapshot file or the local D1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use practice_fhir::validation::formats::is_instant;
use practice_fhir::ContractBook;
use practice_fhir_tools::prices::api::{api_writes, ASSETS_PER_REQUEST};
use practice_fhir_tools::prices::generate::{generate_hospital, HospitalSpec};
use practice_fhir_tools::prices::plan::{report_json, summary_text, SUMMARY_LISTED};
use practice_fhir_tools::prices::schedule::{read_file, Format, Lines};
use practice_fhir_tools::prices::sqlfile::{sql_files, write_files, ROWS_PER_FILE};
use practice_fhir_tools::prices::{d1, plan_import, ImportPlan, Mode};
use serde_json::Value;

use crate::progress::{Progress, ProgressArg};

#[derive(Subcommand)]
pub enum PricesCommand {
    /// Imports a fee schedule (CSV with a header row, or NDJSON) into one site: every line
    /// validated by the core as the API's writes are; any rejected line and nothing is
    /// written (exit status 1).
    Import(ImportArgs),
    /// Writes a synthetic hospital's fee schedule (CSV) and, with --snapshot, the site's
    /// ContractBook snapshot it validates against. Deterministic by seed.
    Generate(GenerateArgs),
}

/// `--mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Upsert the file's prices; every other price stays.
    Merge,
    /// The file is the whole schedule of each payor it names: their other prices go.
    Replace,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object a line.
    Ndjson,
}

#[derive(Args)]
#[command(group(ArgGroup::new("target").args(["sql", "api"])))]
#[command(group(ArgGroup::new("state").args(["api", "current", "d1_local", "d1_remote"])))]
pub struct ImportArgs {
    /// The fee schedule: `.csv`, or `.ndjson`/`.jsonl`.
    input: PathBuf,
    /// The site the prices are for.
    #[arg(long)]
    site: String,
    /// Reports what would be added, changed, removed and rejected, and writes nothing.
    #[arg(long)]
    dry_run: bool,
    /// merge: upsert the file's prices; replace: the file is each named payor's whole schedule.
    #[arg(long, value_enum, default_value = "merge")]
    mode: ModeArg,
    /// Writes SQL files for `wrangler d1 execute DB --file` (out.sql, or out.0001.sql, …).
    #[arg(long)]
    sql: Option<PathBuf>,
    /// Writes through the API at this base URL (`http://127.0.0.1:8787`); the site's
    /// current state comes from its `$snapshot` slice.
    #[arg(long, requires = "token")]
    api: Option<String>,
    /// A `contract.read contract.write` token for the site (or PRACTICE_FHIR_TOKEN).
    #[arg(long, env = "PRACTICE_FHIR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The site's current state: a ContractBook snapshot (the site's, or a slice), or an
    /// array of snapshots that holds the site's.
    #[arg(long)]
    current: Option<PathBuf>,
    /// The site's current state from the local D1 (`wrangler d1 execute DB --local`).
    #[arg(long)]
    d1_local: bool,
    /// The site's current state from the Cloudflare D1 (`wrangler d1 execute DB --remote`).
    #[arg(long)]
    d1_remote: bool,
    /// With --d1-local: wrangler's `--persist-to` directory.
    #[arg(long, requires = "d1_local")]
    persist_to: Option<PathBuf>,
    /// Writes the report (summary, every entry, rejection and warning) as JSON.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Progress on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressArg,
    /// `lastUpdated` of the prices written (FHIR instant; default now).
    #[arg(long)]
    now: Option<String>,
    /// Most prices an SQL file holds (each file is one all-or-nothing batch).
    #[arg(long, default_value_t = ROWS_PER_FILE)]
    rows_per_file: usize,
    /// The file's format (default: from its extension).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

#[derive(Args)]
pub struct GenerateArgs {
    /// The site id.
    #[arg(long, default_value = "HCBIG01")]
    site: String,
    /// Payor contracts (slf and na among them).
    #[arg(long, default_value_t = 30)]
    payors: usize,
    /// CCSD procedures each payor prices.
    #[arg(long, default_value_t = 3300)]
    procedures: usize,
    /// The seed: the same seed gives the same hospital.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The CSV to write.
    #[arg(long)]
    out: PathBuf,
    /// Also writes the site's ContractBook snapshot (contracts, practitioners, tariffs).
    #[arg(long)]
    snapshot: Option<PathBuf>,
}

/// Runs a `prices` command.
pub fn run(command: PricesCommand) -> Result<ExitCode, String> {
    match command {
        PricesCommand::Import(args) => import(args),
        PricesCommand::Generate(args) => generate(args),
    }
}

fn generate(args: GenerateArgs) -> Result<ExitCode, String> {
    let hospital = generate_hospital(&HospitalSpec {
        site: args.site.clone(),
        payors: args.payors,
        procedures: args.procedures,
        seed: args.seed,
    });
    std::fs::write(&args.out, &hospital.csv).map_err(|e| format!("{}: {e}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} prices for site {})",
        args.out.display(),
        hospital.prices,
        args.site
    );
    if let Some(path) = &args.snapshot {
        std::fs::write(path, hospital.snapshot.to_string())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let n = |k: &str| hospital.snapshot[k].as_array().map_or(0, Vec::len);
        eprintln!(
            "wrote {} ({} payor contracts, {} practitioners, {} tariffs)",
            path.display(),
            n("payors"),
            n("practitioners"),
            n("tariffs")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The payor ids the lines name (for the slice to load).
fn payors_named(lines: &Lines) -> Vec<String> {
    let mut ids: Vec<String> = lines
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .filter_map(|l| l.payor.as_deref())
        .map(|p| {
            // `Payor/I-bup`, `Organization/bup`, `I/bup` → `bup`.
            let tail = p.rsplit_once('/').map_or(p, |(_, t)| t);
            match p.split_once('/') {
                Some(("Payor", _)) => tail.split_once('-').map_or(tail, |(_, id)| id),
                _ => tail,
            }
            .to_string()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn check_site(book: ContractBook, site: &str, from: &str) -> Result<ContractBook, String> {
    if book.site() != site {
        return Err(format!("{from} is of site {}, not {site}", book.site()));
    }
    Ok(book)
}

/// Where the site's current state is read from.
enum State<'a> {
    Api(&'a Http),
    Snapshot(&'a Path),
    /// Through wrangler: the Cloudflare D1 when `remote`, else the local one.
    D1 {
        remote: bool,
        persist_to: Option<&'a Path>,
    },
}

fn current_state(state: State<'_>, site: &str, payors: &[String]) -> Result<ContractBook, String> {
    match state {
        State::Api(http) => {
            let text = http.snapshot(site, payors)?;
            let book = ContractBook::from_snapshot_json(&text)
                .map_err(|o| format!("the API's snapshot of {site}: {}", o.to_json_string()))?;
            check_site(book, site, "the API's snapshot")
        }
        State::Snapshot(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
            // One snapshot, or an array of them (data/seed-contracts.json): the site's.
            let books = ContractBook::many_from_snapshot_json(&text)
                .map_err(|o| format!("{shown}: {}", o.to_json_string()))?;
            let sites: Vec<String> = books.iter().map(|b| b.site().to_string()).collect();
            match books.into_iter().find(|b| b.site() == site) {
                Some(book) => Ok(book),
                None => Err(format!(
                    "--current {shown} has no snapshot of site {site} (it has {})",
                    sites.join(", ")
                )),
            }
        }
        State::D1 { remote, persist_to } => {
            let flag = if remote { "--d1-remote" } else { "--d1-local" };
            let place = if remote { "--remote" } else { "--local" };
            let (sql, kinds) = d1::slice_command(site, payors);
            let wrangler = std::env::var("WRANGLER").unwrap_or_else(|_| "wrangler".into());
            let mut cmd = std::process::Command::new(&wrangler);
            cmd.args(["d1", "execute", "DB", place, "--json", "--command", &sql]);
            if let Some(p) = persist_to {
                cmd.arg("--persist-to").arg(p);
            }
            let out = cmd.output().map_err(|e| {
                format!("{flag}: cannot run {wrangler} ({e}); run scripts/setup.sh and source scripts/env.sh")
            })?;
            let printed = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                return Err(format!(
                    "{flag}: wrangler d1 execute failed: {}{}",
                    String::from_utf8_lossy(&out.stderr),
                    printed.chars().take(2000).collect::<String>()
                ));
            }
            d1::book_from_wrangler_json(site, &printed, &kinds).map_err(|e| format!("{flag}: {e}"))
        }
    }
}

fn import(args: ImportArgs) -> Result<ExitCode, String> {
    let now = args
        .now
        .clone()
        .unwrap_or_else(practice_fhir_tools::now_instant);
    if !is_instant(&now) {
        return Err(format!(
            "--now must be a FHIR instant such as 2026-12-01T10:00:00Z, not '{now}'"
        ));
    }
    if args.sql.is_none() && args.api.is_none() && !args.dry_run {
        return Err("prices import needs --sql out.sql or --api URL (or --dry-run)".into());
    }
    let http = args
        .api
        .as_deref()
        .map(|base| Http::new(base, args.token.as_deref().unwrap_or_default()));
    let state = match (&http, &args.current, args.d1_local || args.d1_remote) {
        (Some(h), _, _) => State::Api(h),
        (None, Some(p), _) => State::Snapshot(p),
        (None, None, true) => State::D1 {
            remote: args.d1_remote,
            persist_to: args.persist_to.as_deref(),
        },
        (None, None, false) => {
            return Err(format!(
                "prices import needs the current state of site {}: --current site.json (a ContractBook \
                 snapshot, e.g. from GET /contract/site/{}/$snapshot), --d1-local or --d1-remote. Without it every \
                 payor in the file would be unknown: the site's payor contracts come from that state.",
                args.site, args.site
            ))
        }
    };
    let format = match args.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Ndjson) => Format::Ndjson,
        None => Format::of_path(&args.input),
    };
    let started = Instant::now();
    let lines =
        read_file(&args.input, format).map_err(|e| format!("{}: {e}", args.input.display()))?;
    let payors = payors_named(&lines);
    let before = current_state(state, &args.site, &payors)?;
    let mode = match args.mode {
        ModeArg::Merge => Mode::Merge,
        ModeArg::Replace => Mode::Replace,
    };
    let mut progress = Progress::new(args.progress, "check", lines.len() as u64, "lines");
    let plan = plan_import(before, lines, mode, &now, |done| {
        progress.set(done as u64, "")
    });
    progress.finish(format!("{} rejected", plan.rejected.len()));
    print!("{}", summary_text(&plan, args.dry_run, SUMMARY_LISTED));
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&report_json(&plan, args.dry_run))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    if !plan.is_clean() {
        eprintln!(
            "prices import: {} line(s) rejected; nothing written",
            plan.rejected.len()
        );
        return Ok(ExitCode::from(1));
    }
    if args.dry_run {
        eprintln!("prices import: dry run, nothing written");
        return Ok(ExitCode::SUCCESS);
    }
    if plan.change_count() == 0 {
        eprintln!("prices import: the site already has every price; nothing to write");
    }
    if let Some(base) = &args.sql {
        write_sql(&plan, base, args.rows_per_file, args.progress)?;
    } else if let Some(http) = &http {
        if let Err(e) = write_api(&plan, http, args.progress) {
            eprintln!("{e}");
            return Ok(ExitCode::from(1));
        }
    }
    eprintln!(
        "prices import: {} added, {} changed, {} removed in {:.1} s",
        plan.added.len(),
        plan.changed.len(),
        plan.removed.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_sql(
    plan: &ImportPlan,
    base: &Path,
    rows_per_file: usize,
    style: ProgressArg,
) -> Result<(), String> {
    let mut progress = Progress::new(style, "sql", plan.change_count() as u64, "prices");
    let files = sql_files(plan, rows_per_file, |done| {
        progress.set(done as u64, "");
    })
    .map_err(|o| o.to_json_string())?;
    let paths = write_files(base, &files).map_err(|e| format!("{}: {e}", base.display()))?;
    progress.finish(format!("{} file(s)", paths.len()));
    for p in &paths {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}

fn write_api(plan: &ImportPlan, http: &Http, style: ProgressArg) -> Result<(), String> {
    let writes = api_writes(plan, ASSETS_PER_REQUEST)?;
    let total = writes.deletes.len() + writes.posts.len();
    if writes.restored > 0 {
        eprintln!(
            "prices import: {} price(s) the deletes also take are posted again",
            writes.restored
        );
    }
    let mut progress = Progress::new(style, "api", total as u64, "requests");
    let failed = |done: usize, e: String| {
        format!(
            "prices import: request {} of {total} failed: {e}\n\
             requests 1-{done} are written (each request is atomic); the rest are not. \
             Re-running the import writes only what is still missing.",
            done + 1
        )
    };
    let mut done = 0;
    for params in &writes.deletes {
        http.delete_prices(&plan.site, params)
            .map_err(|e| failed(done, e))?;
        done += 1;
        progress.set(done as u64, "");
    }
    for body in &writes.posts {
        http.post_prices(body).map_err(|e| failed(done, e))?;
        done += 1;
        progress.set(done as u64, "");
    }
    progress.finish(format!("{total} requests"));
    Ok(())
}

/// The API over HTTP (blocking; rustls for https).
struct Http {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Http {
    fn new(base: &str, token: &str) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        Http {
            agent,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// The response body, or the error the API gave (its OperationOutcome diagnostics).
    fn answer(
        what: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, String> {
        let mut resp = result.map_err(|e| format!("{what}: {e}"))?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| format!("{what}: {e}"))?;
        if status.is_success() {
            return Ok(text);
        }
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| {
                v.pointer("/issue/0/diagnostics")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| text.chars().take(500).collect());
        Err(format!("{what}: HTTP {status}: {detail}"))
    }

    fn snapshot(&self, site: &str, payors: &[String]) -> Result<String, String> {
        let url = format!("{}/contract/site/{site}/$snapshot", self.base);
        let result = self
            .agent
            .get(&url)
            .header("Authorization", &self.auth())
            .query("payor", payors.join(","))
            .call();
        Self::answer(&format!("GET {url}"), result)
    }

    fn post_prices(&self, body: &Value) -> Result<(), String> {
        let url = format!("{}/contract/PRICING/$contract-price", self.base);
        let result = self
            .agent
            .post(&url)
            .header("Authorization", &self.auth())
            .header("Content-Type", "application/fhir+json")
            .send(body.to_string());
        Self::answer(&format!("POST {url}"), result).map(|_| ())
    }

    fn delete_prices(&self, site: &str, params: &[(String, String)]) -> Result<(), String> {
        let url = format!("{}/contract/PRICING/$contract-price/{site}", self.base);
        let mut req = self
            .agent
            .delete(&url)
            .header("Authorization", &self.auth());
        for (k, v) in params {
            req = req.query(k, v);
        }
        Self::answer(&format!("DELETE {url}"), req.call()).map(|_| ())
    }
}
