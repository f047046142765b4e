//! `practice-fhir`: native tools for the practitioner directory.
//!
//! ```text
//! practice-fhir generate --practitioners N [--seed S] --out data.ndjson
//! practice-fhir import data.ndjson|bundle.json --sql out.sql [--batch N] [--now INSTANT]
//!                      [--rejects rejects.ndjson] [--progress auto|bar|lines|none]
//!                      [--validate core|minimal]
//! ```
//!
//! `import` validates every resource as the worker's writes do (the core's UK Core and FHIR
//! type validation, then `index_rows`), reports each rejected resource with its reason, and
//! writes the accepted ones as the rows the worker writes, in bulk form (`directory::bulk`:
//! grouped deletes and multi-row inserts, values inlined as SQL literals), for
//! `wrangler d1 execute DB --file out.sql` (`scripts/d1-import.sh` runs them, locally or with
//! `--remote`). With `--batch N` it writes files of at most N resources each (`out.0001.sql`,
//! …) to stay under D1's per-file limits. Each file holds whole resources only, and wrangler
//! runs a file as one batch (local D1) or one import (remote D1), both all-or-nothing, so a
//! failure never leaves a resource half-stored; every resource's rows are delete-then-insert,
//! so re-running a file is safe. `--validate minimal` keeps only the
//! directory's own checks (for the documents' samples, which break FHIR's `cpt-2`).

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use practice_fhir::directory::bulk::bulk_sql;
use practice_fhir::directory::synth::{generate, SynthSpec};
use practice_fhir::directory::{index_rows, ResourceKind};
use practice_fhir::validate_resource;
use serde_json::Value;

const USAGE: &str = "usage:
  practice-fhir generate --practitioners N [--seed S] --out data.ndjson
  practice-fhir import <data.ndjson|bundle.json> --sql out.sql [--batch N] [--now INSTANT]
                       [--rejects rejects.ndjson] [--progress auto|bar|lines|none]
                       [--validate core|minimal]
  practice-fhir contracts-sql <snapshots.json>... [--now INSTANT]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => cmd_generate(args.get(1..).unwrap_or(&[])),
        Some("import") => cmd_import(args.get(1..).unwrap_or(&[])),
        Some("contracts-sql") => cmd_contracts_sql(args.get(1..).unwrap_or(&[])),
        _ => Err(USAGE.to_owned()),
    };
    if let Err(message) = result {
        eprintln!("{message}");
        std::process::exit(2);
    }
}

/// `--name value` options and positional arguments.
fn parse_args(args: &[String]) -> Result<(BTreeMap<String, String>, Vec<String>), String> {
    let mut options = BTreeMap::new();
    let mut positional = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if let Some(name) = arg.strip_prefix("--") {
            let value = iter
                .next()
                .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
            options.insert(name.to_owned(), value.clone());
        } else {
            positional.push(arg.clone());
        }
    }
    Ok((options, positional))
}

fn number(
    options: &BTreeMap<String, String>,
    name: &str,
    default: Option<u64>,
) -> Result<u64, String> {
    match options.get(name) {
        Some(v) => v
            .parse()
            .map_err(|_| format!("--{name} must be a whole number")),
        None => default.ok_or_else(|| format!("--{name} is required\n{USAGE}")),
    }
}

fn cmd_generate(args: &[String]) -> Result<(), String> {
    let (options, _) = parse_args(args)?;
    let practitioners = number(&options, "practitioners", None)? as usize;
    let seed = number(&options, "seed", Some(1))?;
    let out = options
        .get("out")
        .ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let file = File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut writer = BufWriter::new(file);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut error = None;
    generate(
        SynthSpec {
            practitioners,
            seed,
        },
        |resource| {
            if error.is_some() {
                return;
            }
            let ty = resource["resourceType"].as_str().unwrap_or("?").to_owned();
            *counts.entry(ty).or_default() += 1;
            if let Err(e) = writeln!(writer, "{resource}") {
                error = Some(e.to_string());
            }
        },
    );
    if let Some(e) = error {
        return Err(format!("{out}: {e}"));
    }
    writer.flush().map_err(|e| format!("{out}: {e}"))?;
    for (ty, n) in &counts {
        eprintln!("{n:>8} {ty}");
    }
    eprintln!("wrote {out}");
    Ok(())
}

/// UTC now as a FHIR instant (the binary may read the clock; the library may not).
fn now_instant() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// What the directory cannot do without, beyond FHIR validity.
fn check(resource: &Value) -> Result<(), String> {
    let ty = resource["resourceType"].as_str().unwrap_or("");
    let non_empty = |key: &str| resource[key].as_array().is_some_and(|a| !a.is_empty());
    match ResourceKind::parse(ty) {
        None => Err(format!(
            "resourceType '{ty}' is not stored by the directory"
        )),
        Some(ResourceKind::Practitioner) if !non_empty("name") => {
            Err("Practitioner.name is required (UK Core 1..*)".into())
        }
        Some(ResourceKind::PractitionerRole)
            if resource["practitioner"]["reference"].as_str().is_none() =>
        {
            Err("PractitionerRole.practitioner.reference is required".into())
        }
        Some(ResourceKind::Schedule) if !non_empty("actor") => {
            Err("Schedule.actor is required".into())
        }
        Some(_) => Ok(()),
    }
}

/// The worker's write rules: the core's validation (errors reject, warnings do not), then the
/// directory's own needs. The reason names the code, the element and the problem.
fn validate(resource: &Value, core: bool) -> Result<(), String> {
    check(resource)?;
    if !core {
        return Ok(());
    }
    let outcome = validate_resource(&resource.to_string());
    match outcome.first_error() {
        None => Ok(()),
        Some(issue) => {
            let at = issue.expression.first().map(String::as_str).unwrap_or("");
            Err(if at.is_empty() || issue.diagnostics.contains(at) {
                format!("{}: {}", issue.code.as_str(), issue.diagnostics)
            } else {
                format!("{}: {} ({at})", issue.code.as_str(), issue.diagnostics)
            })
        }
    }
}

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProgressStyle {
    /// A bar redrawn in place (stderr is a terminal).
    Bar,
    /// A plain line every few seconds (logs, CI).
    Lines,
    /// Nothing but the summary.
    Silent,
}

/// Import progress over the input's bytes (NDJSON) or entries (a Bundle).
struct Progress {
    style: ProgressStyle,
    total: u64,
    unit: &'static str,
    done: u64,
    resources: u64,
    rejected: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(style: ProgressStyle, total: u64, unit: &'static str) -> Progress {
        let now = Instant::now();
        Progress {
            style,
            total,
            unit,
            done: 0,
            resources: 0,
            rejected: 0,
            started: now,
            last: now,
        }
    }

    /// Moves to `done` (bytes or entries), after `resources` more, `rejected` of them refused.
    fn advance(&mut self, done: u64, resources: u64, rejected: u64) {
        self.done = done;
        self.resources += resources;
        self.rejected += rejected;
        let every = match self.style {
            ProgressStyle::Bar => Duration::from_millis(100),
            ProgressStyle::Lines => Duration::from_secs(5),
            ProgressStyle::Silent => return,
        };
        if self.last.elapsed() >= every {
            self.last = Instant::now();
            self.draw();
        }
    }

    fn line(&self) -> String {
        let percent = if self.total == 0 {
            100.0
        } else {
            self.done as f64 * 100.0 / self.total as f64
        };
        let (done, total) = if self.unit == "MB" {
            (self.done as f64 / 1e6, self.total as f64 / 1e6)
        } else {
            (self.done as f64, self.total as f64)
        };
        format!(
            "{percent:5.1}% {done:.1}/{total:.1} {} · {} resources, {} rejected · {:.1} s",
            self.unit,
            self.resources,
            self.rejected,
            self.started.elapsed().as_secs_f64()
        )
    }

    fn draw(&self) {
        match self.style {
            ProgressStyle::Bar => {
                const WIDTH: usize = 30;
                let filled = if self.total == 0 {
                    WIDTH
                } else {
                    ((self.done.min(self.total) as f64 / self.total as f64) * WIDTH as f64) as usize
                };
                eprint!(
                    "\r\x1b[2Kimport [{}{}] {}",
                    "#".repeat(filled),
                    "-".repeat(WIDTH - filled),
                    self.line()
                );
            }
            ProgressStyle::Lines => eprintln!("import: {}", self.line()),
            ProgressStyle::Silent => {}
        }
    }

    fn finish(&mut self) {
        self.done = self.total;
        if self.style != ProgressStyle::Silent {
            self.draw();
            if self.style == ProgressStyle::Bar {
                eprintln!();
            }
        }
    }
}

/// SQL files of at most `batch` whole resources each, written in bulk form
/// ([`bulk_sql`]): one file's resources have distinct ids, so a repeated id starts a new file.
struct SqlSink {
    base: String,
    batch: Option<usize>,
    file_no: usize,
    pending: Vec<Value>,
    ids: HashSet<(String, String)>,
    files: Vec<String>,
}

impl SqlSink {
    fn path(&self) -> String {
        match self.batch {
            None => self.base.clone(),
            Some(_) => {
                let stem = self.base.strip_suffix(".sql").unwrap_or(&self.base);
                format!("{stem}.{:04}.sql", self.file_no)
            }
        }
    }

    fn write_resource(&mut self, resource: Value) -> Result<(), String> {
        let key = (
            resource["resourceType"].as_str().unwrap_or("").to_owned(),
            resource["id"].as_str().unwrap_or("").to_owned(),
        );
        let full = self.batch.is_some_and(|b| self.pending.len() >= b);
        if full || self.ids.contains(&key) {
            self.finish()?;
        }
        self.ids.insert(key);
        self.pending.push(resource);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.batch.is_none() && self.file_no > 0 {
            // One output file was asked for, but an id repeats: number the files.
            self.batch = Some(usize::MAX);
        }
        self.file_no += 1;
        let path = self.path();
        let lines = bulk_sql(&self.pending).map_err(|o| o.to_string())?;
        let file = File::create(&path).map_err(|e| format!("{path}: {e}"))?;
        let mut w = BufWriter::new(file);
        for line in lines {
            writeln!(w, "{line}").map_err(|e| format!("{path}: {e}"))?;
        }
        w.flush().map_err(|e| format!("{path}: {e}"))?;
        self.files.push(path);
        self.pending.clear();
        self.ids.clear();
        Ok(())
    }
}

/// What was accepted and rejected, for the summary and the rejects file.
struct Tally {
    accepted: BTreeMap<String, usize>,
    rejected: BTreeMap<String, Vec<String>>,
    rejects: Option<BufWriter<File>>,
}

impl Tally {
    fn reject(&mut self, at: String, reason: String) -> Result<(), String> {
        if let Some(w) = self.rejects.as_mut() {
            writeln!(w, "{}", serde_json::json!({"at": at, "reason": reason}))
                .map_err(|e| e.to_string())?;
        }
        self.rejected.entry(reason).or_default().push(at);
        Ok(())
    }
}

fn progress_style(option: Option<&String>) -> Result<ProgressStyle, String> {
    match option.map(String::as_str) {
        None | Some("auto") => Ok(if std::io::stderr().is_terminal() {
            ProgressStyle::Bar
        } else {
            ProgressStyle::Lines
        }),
        Some("bar") => Ok(ProgressStyle::Bar),
        Some("lines") => Ok(ProgressStyle::Lines),
        Some("none") => Ok(ProgressStyle::Silent),
        Some(other) => Err(format!(
            "--progress must be auto, bar, lines or none, not '{other}'"
        )),
    }
}

fn cmd_import(args: &[String]) -> Result<(), String> {
    let (options, positional) = parse_args(args)?;
    let input = positional.first().ok_or_else(|| USAGE.to_owned())?;
    let out = options
        .get("sql")
        .ok_or_else(|| format!("--sql is required\n{USAGE}"))?;
    let batch = options
        .get("batch")
        .map(|_| number(&options, "batch", None).map(|n| n.max(1) as usize))
        .transpose()?;
    let now = options.get("now").cloned().unwrap_or_else(now_instant);
    let style = progress_style(options.get("progress"))?;
    let core_validation = match options.get("validate").map(String::as_str) {
        None | Some("core") => true,
        Some("minimal") => false,
        Some(other) => return Err(format!("--validate must be core or minimal, not '{other}'")),
    };
    let mut sink = SqlSink {
        base: out.clone(),
        batch,
        file_no: 0,
        pending: Vec::new(),
        ids: HashSet::new(),
        files: Vec::new(),
    };
    let rejects = match options.get("rejects") {
        Some(path) => Some(BufWriter::new(
            File::create(path).map_err(|e| format!("{path}: {e}"))?,
        )),
        None => None,
    };
    let mut tally = Tally {
        accepted: BTreeMap::new(),
        rejected: BTreeMap::new(),
        rejects,
    };
    // One resource: validated, stamped with meta.lastUpdated when it has none, written whole.
    let mut handle = |at: String, parsed: Result<Value, String>| -> Result<bool, String> {
        let outcome = parsed.and_then(|mut resource| {
            validate(&resource, core_validation)?;
            if resource.pointer("/meta/lastUpdated").is_none() {
                if let Some(obj) = resource.as_object_mut() {
                    let meta = obj
                        .entry("meta")
                        .or_insert_with(|| Value::Object(Default::default()));
                    if let Some(m) = meta.as_object_mut() {
                        m.insert("lastUpdated".into(), Value::String(now.clone()));
                    }
                }
            }
            // Storable as the worker would store it (the rows are written in bulk form later).
            index_rows(&resource).map_err(|o| o.to_string())?;
            Ok(resource)
        });
        match outcome {
            Ok(resource) => {
                let ty = resource["resourceType"].as_str().unwrap_or("?").to_owned();
                sink.write_resource(resource)?;
                *tally.accepted.entry(ty).or_default() += 1;
                Ok(true)
            }
            Err(reason) => {
                tally.reject(at, reason)?;
                Ok(false)
            }
        }
    };

    let mut file = File::open(input).map_err(|e| format!("{input}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = [0u8; 4096];
    let n = file.read(&mut head).map_err(|e| format!("{input}: {e}"))?;
    let head_text = String::from_utf8_lossy(head.get(..n).unwrap_or(&[]));
    let file = File::open(input).map_err(|e| format!("{input}: {e}"))?;
    // NDJSON has one whole resource per line; anything else is one JSON document (a Bundle).
    let first_line = head_text
        .trim_start()
        .lines()
        .next()
        .unwrap_or("")
        .trim_end()
        .to_owned();
    let single_document = !(first_line.starts_with('{') && first_line.ends_with('}'));
    let mut progress;
    if single_document {
        let value: Value = serde_json::from_reader(BufReader::new(file))
            .map_err(|e| format!("{input}: not JSON: {e}"))?;
        if value["resourceType"] == "Bundle" {
            let entries = value["entry"].as_array().map_or(&[][..], Vec::as_slice);
            progress = Progress::new(style, entries.len() as u64, "entries");
            for (i, entry) in entries.iter().enumerate() {
                let ok = match entry.get("resource") {
                    Some(r) => handle(format!("{input} entry[{i}]"), Ok(r.clone()))?,
                    None => handle(
                        format!("{input} entry[{i}]"),
                        Err("Bundle.entry has no resource".into()),
                    )?,
                };
                progress.advance(i as u64 + 1, 1, u64::from(!ok));
            }
        } else {
            progress = Progress::new(style, 1, "resources");
            let ok = handle(input.clone(), Ok(value))?;
            progress.advance(1, 1, u64::from(!ok));
        }
    } else {
        progress = Progress::new(style, size, "MB");
        let mut done = 0u64;
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{input}: {e}"))?;
            done += line.len() as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("line {}", i + 1);
            match serde_json::from_str::<Value>(&line) {
                // A Bundle on one line: its entries, each on its own.
                Ok(v) if v["resourceType"] == "Bundle" => {
                    let entries = v["entry"].as_array().map_or(&[][..], Vec::as_slice);
                    let mut rejected = 0;
                    for (j, entry) in entries.iter().enumerate() {
                        let resource = entry
                            .get("resource")
                            .cloned()
                            .ok_or_else(|| "Bundle.entry has no resource".to_owned());
                        rejected += u64::from(!handle(format!("{at} entry[{j}]"), resource)?);
                    }
                    progress.advance(done, entries.len() as u64, rejected);
                }
                parsed => {
                    let ok = handle(at, parsed.map_err(|e| format!("not JSON: {e}")))?;
                    progress.advance(done, 1, u64::from(!ok));
                }
            }
        }
    }
    progress.finish();
    sink.finish()?;
    if let Some(mut w) = tally.rejects.take() {
        w.flush().map_err(|e| e.to_string())?;
    }
    for (ty, n) in &tally.accepted {
        eprintln!("accepted {n:>8} {ty}");
    }
    let total_rejected: usize = tally.rejected.values().map(Vec::len).sum();
    eprintln!("rejected {total_rejected:>8}");
    for (reason, at) in &tally.rejected {
        let sample: Vec<&str> = at.iter().take(5).map(String::as_str).collect();
        eprintln!("  {:>6} × {reason} (e.g. {})", at.len(), sample.join(", "));
    }
    if let Some(path) = options.get("rejects") {
        eprintln!("rejects listed in {path}");
    }
    for f in &sink.files {
        eprintln!("wrote {f}");
    }
    Ok(())
}

/// `contracts-sql`: ContractBook snapshot files (one snapshot or an array) as the SQL that
/// stores them as rows: each site's rows are cleared, then written with the statements every
/// write uses (`rows::store_book`), prices without a time stamped with `--now`. Loading twice
/// changes nothing.
fn cmd_contracts_sql(args: &[String]) -> Result<(), String> {
    use practice_fhir::contracts::rows::{clear_site, store_book};
    use practice_fhir::ContractBook;
    let (options, files) = parse_args(args)?;
    let now = options
        .get("now")
        .cloned()
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_owned());
    if files.is_empty() {
        return Err(USAGE.to_owned());
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut sites = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
        let books = ContractBook::many_from_snapshot_json(&text)
            .map_err(|o| format!("{file}: {}", o.to_json_string()))?;
        for book in books {
            let mut statements = clear_site(book.site());
            statements.extend(store_book(&book, &now).statements);
            for st in statements {
                writeln!(out, "{}", st.to_literal_sql()).map_err(|e| e.to_string())?;
            }
            sites += 1;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    eprintln!("contracts-sql: {sites} sites");
    Ok(())
}
