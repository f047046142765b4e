//! The practitioner directory's commands: `generate` (a synthetic directory as NDJSON),
//! `import` (a directory file validated as the worker's writes are and written as bulk SQL)
//! and `contracts-sql` (ContractBook snapshots as the rows the API writes).
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
//! Before validation, Healthcode's `dd.mm.yyyy` dates (the seed 000 `birthDate`) become FHIR
//! dates (`directory::dates`); the report says how many per element, with an example.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use practice_fhir::contracts::rows::{clear_site, store_book};
use practice_fhir::directory::bulk::bulk_sql;
use practice_fhir::directory::dates::{convert_dates, DateConversion};
use practice_fhir::directory::{index_rows, ResourceKind};
use practice_fhir::{validate_resource, ContractBook};
use practice_fhir_tools::synth::{generate, SynthSpec};
use serde_json::Value;

use crate::progress::{Progress, ProgressArg};

/// `generate`: a synthetic directory of `practitioners` (deterministic by `seed`) as NDJSON.
pub fn cmd_generate(practitioners: usize, seed: u64, out: &Path) -> Result<(), String> {
    let shown = out.display();
    let file = File::create(out).map_err(|e| format!("{shown}: {e}"))?;
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
        return Err(format!("{shown}: {e}"));
    }
    writer.flush().map_err(|e| format!("{shown}: {e}"))?;
    for (ty, n) in &counts {
        eprintln!("{n:>8} {ty}");
    }
    eprintln!("wrote {shown}");
    Ok(())
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
    /// Converted dates of accepted resources, by element: how many, and the first (where).
    dates: BTreeMap<String, (usize, String)>,
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

/// `import`'s options.
pub struct ImportArgs {
    /// The directory file: NDJSON (one resource or Bundle a line) or one JSON Bundle.
    pub input: PathBuf,
    /// The SQL file (numbered when `batch` is given or an id repeats).
    pub sql: String,
    /// Most resources a file.
    pub batch: Option<usize>,
    /// `meta.lastUpdated` of resources without one.
    pub now: String,
    /// One JSON line per rejected resource.
    pub rejects: Option<PathBuf>,
    /// Progress on stderr.
    pub progress: ProgressArg,
    /// The core's validation (true) or the directory's own checks only.
    pub core_validation: bool,
}

/// `import`: validates every resource, writes the accepted ones as bulk SQL and reports the
/// rejected ones with their reasons.
pub fn cmd_import(args: ImportArgs) -> Result<(), String> {
    let ImportArgs {
        input,
        sql: out,
        batch,
        now,
        rejects,
        progress: style,
        core_validation,
    } = args;
    let input_name = input.display().to_string();
    let input = &input_name;
    let mut sink = SqlSink {
        base: out,
        batch: batch.map(|b| b.max(1)),
        file_no: 0,
        pending: Vec::new(),
        ids: HashSet::new(),
        files: Vec::new(),
    };
    let rejects_file = match &rejects {
        Some(path) => Some(BufWriter::new(
            File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
        )),
        None => None,
    };
    let mut tally = Tally {
        accepted: BTreeMap::new(),
        dates: BTreeMap::new(),
        rejected: BTreeMap::new(),
        rejects: rejects_file,
    };
    // One resource: validated, stamped with meta.lastUpdated when it has none, written whole.
    let mut handle = |at: String, parsed: Result<Value, String>| -> Result<bool, String> {
        let mut converted: Vec<DateConversion> = Vec::new();
        let outcome = parsed.and_then(|mut resource| {
            converted = convert_dates(&mut resource);
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
                for c in converted {
                    let e = tally
                        .dates
                        .entry(c.field)
                        .or_insert_with(|| (0, format!("{} → {} at {at}", c.from, c.to)));
                    e.0 += 1;
                }
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
    let (mut seen, mut refused) = (0u64, 0u64);
    let mut status = |resources: u64, rejected: u64| {
        seen += resources;
        refused += rejected;
        format!("{seen} resources, {refused} rejected")
    };
    let mut progress;
    if single_document {
        let value: Value = serde_json::from_reader(BufReader::new(file))
            .map_err(|e| format!("{input}: not JSON: {e}"))?;
        if value["resourceType"] == "Bundle" {
            let entries = value["entry"].as_array().map_or(&[][..], Vec::as_slice);
            progress = Progress::new(style, "import", entries.len() as u64, "entries");
            for (i, entry) in entries.iter().enumerate() {
                let ok = match entry.get("resource") {
                    Some(r) => handle(format!("{input} entry[{i}]"), Ok(r.clone()))?,
                    None => handle(
                        format!("{input} entry[{i}]"),
                        Err("Bundle.entry has no resource".into()),
                    )?,
                };
                progress.set(i as u64 + 1, status(1, u64::from(!ok)));
            }
        } else {
            progress = Progress::new(style, "import", 1, "resources");
            let ok = handle(input.clone(), Ok(value))?;
            progress.set(1, status(1, u64::from(!ok)));
        }
    } else {
        progress = Progress::new(style, "import", size, "bytes");
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
                    progress.set(done, status(entries.len() as u64, rejected));
                }
                parsed => {
                    let ok = handle(at, parsed.map_err(|e| format!("not JSON: {e}")))?;
                    progress.set(done, status(1, u64::from(!ok)));
                }
            }
        }
    }
    progress.finish(status(0, 0));
    sink.finish()?;
    if let Some(mut w) = tally.rejects.take() {
        w.flush().map_err(|e| e.to_string())?;
    }
    for (ty, n) in &tally.accepted {
        eprintln!("accepted {n:>8} {ty}");
    }
    let total_dates: usize = tally.dates.values().map(|(n, _)| n).sum();
    eprintln!("converted {total_dates:>7} dates from dd.mm.yyyy to FHIR dates");
    for (field, (n, example)) in &tally.dates {
        eprintln!("  {n:>6} × {field} (e.g. {example})");
    }
    let total_rejected: usize = tally.rejected.values().map(Vec::len).sum();
    eprintln!("rejected {total_rejected:>8}");
    for (reason, at) in &tally.rejected {
        let sample: Vec<&str> = at.iter().take(5).map(String::as_str).collect();
        eprintln!("  {:>6} × {reason} (e.g. {})", at.len(), sample.join(", "));
    }
    if let Some(path) = &rejects {
        eprintln!("rejects listed in {}", path.display());
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
pub fn cmd_contracts_sql(files: &[PathBuf], now: &str) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut sites = 0;
    for file in files {
        let shown = file.display();
        let text = std::fs::read_to_string(file).map_err(|e| format!("{shown}: {e}"))?;
        let books = ContractBook::many_from_snapshot_json(&text)
            .map_err(|o| format!("{shown}: {}", o.to_json_string()))?;
        for book in books {
            let mut statements = clear_site(book.site());
            statements.extend(store_book(&book, now).statements);
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
