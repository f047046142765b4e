//! `practice-fhir`: native tools for the practitioner directory.
//!
//! ```text
//! practice-fhir generate --practitioners N [--seed S] --out data.ndjson
//! practice-fhir import data.ndjson|bundle.json --sql out.sql [--batch N] [--now INSTANT]
//! ```
//!
//! `import` writes the very statements the worker runs (`index_rows`), with values inlined as
//! SQL literals, for `wrangler d1 execute DB --file out.sql`. With `--batch N` it writes files
//! of at most N resources each (`out.0001.sql`, …) to stay under D1's per-file limits.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use practice_fhir::directory::synth::{generate, SynthSpec};
use practice_fhir::directory::{index_rows, ResourceKind};
use serde_json::Value;

const USAGE: &str = "usage:
  practice-fhir generate --practitioners N [--seed S] --out data.ndjson
  practice-fhir import <data.ndjson|bundle.json> --sql out.sql [--batch N] [--now INSTANT]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => cmd_generate(args.get(1..).unwrap_or(&[])),
        Some("import") => cmd_import(args.get(1..).unwrap_or(&[])),
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

/// The minimal checks before storing: what the directory cannot do without.
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

struct SqlSink {
    base: String,
    batch: Option<usize>,
    file_no: usize,
    in_file: usize,
    writer: Option<BufWriter<File>>,
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

    fn write_resource(&mut self, sql: &[String]) -> Result<(), String> {
        let full = self.batch.is_some_and(|b| self.in_file >= b);
        if self.writer.is_none() || full {
            self.finish()?;
            self.file_no += 1;
            self.in_file = 0;
            let path = self.path();
            let file = File::create(&path).map_err(|e| format!("{path}: {e}"))?;
            self.writer = Some(BufWriter::new(file));
            self.files.push(path);
        }
        if let Some(w) = self.writer.as_mut() {
            for line in sql {
                writeln!(w, "{line}").map_err(|e| e.to_string())?;
            }
        }
        self.in_file += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(|e| e.to_string())?;
        }
        Ok(())
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
    let mut sink = SqlSink {
        base: out.clone(),
        batch,
        file_no: 0,
        in_file: 0,
        writer: None,
        files: Vec::new(),
    };
    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
    let mut rejected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut handle = |where_: String, parsed: Result<Value, String>| -> Result<(), String> {
        let outcome = parsed.and_then(|mut resource| {
            check(&resource)?;
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
            let statements = index_rows(&resource).map_err(|o| o.to_string())?;
            Ok((
                resource["resourceType"].as_str().unwrap_or("?").to_owned(),
                statements,
            ))
        });
        match outcome {
            Ok((ty, statements)) => {
                let sql: Vec<String> = statements.iter().map(|s| s.to_literal_sql()).collect();
                sink.write_resource(&sql)?;
                *accepted.entry(ty).or_default() += 1;
            }
            Err(reason) => rejected.entry(reason).or_default().push(where_),
        }
        Ok(())
    };

    let mut file = File::open(input).map_err(|e| format!("{input}: {e}"))?;
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
    let mut each = |where_: String, value: Result<Value, String>| -> Result<(), String> {
        match value {
            Ok(v) if v["resourceType"] == "Bundle" => {
                for (i, entry) in v["entry"].as_array().into_iter().flatten().enumerate() {
                    handle(
                        format!("{where_} entry[{i}]"),
                        Ok(entry["resource"].clone()),
                    )?;
                }
                Ok(())
            }
            other => handle(where_, other),
        }
    };
    if single_document {
        let value: Value = serde_json::from_reader(BufReader::new(file))
            .map_err(|e| format!("{input}: not JSON: {e}"))?;
        each(input.clone(), Ok(value))?;
    } else {
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{input}: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Value>(&line).map_err(|e| format!("not JSON: {e}"));
            each(format!("line {}", i + 1), parsed)?;
        }
    }
    sink.finish()?;
    for (ty, n) in &accepted {
        eprintln!("accepted {n:>8} {ty}");
    }
    let total_rejected: usize = rejected.values().map(Vec::len).sum();
    eprintln!("rejected {total_rejected:>8}");
    for (reason, at) in &rejected {
        let sample: Vec<&str> = at.iter().take(5).map(String::as_str).collect();
        eprintln!("  {:>6} × {reason} (e.g. {})", at.len(), sample.join(", "));
    }
    for f in &sink.files {
        eprintln!("wrote {f}");
    }
    Ok(())
}
