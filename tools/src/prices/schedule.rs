//! Reading a fee schedule file: CSV with a header row of named columns in any order, or
//! NDJSON with one JSON object a line and the same names.
//!
//! ```text
//! payor,service,procedure,location,practitioner,price,isESTV
//! bup,ISC/C0000010,CCSD/A3000,,,232.00,N
//! axa,ISC/C0000010,CCSD/A3000,HP002694,,"1,250.00"      ← rejected later: not a plain amount
//! ```
//!
//! Reading only splits lines into cells: empty cells are absent, cells are trimmed, and a
//! CSV line with the wrong number of fields is rejected here. What the cells mean (codes,
//! money, payors, tariffs) is judged by the core in [`super::plan`]. Line numbers are 1-based
//! and count the header as line 1, as a spreadsheet shows them; a quoted value spanning
//! lines keeps the number of the line its record starts on.

use std::fmt;
use std::io::{BufRead, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// A column of a fee schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// The payor (`bup`, or a reference such as `Payor/I-bup`, `Organization/bup`).
    Payor,
    /// The service, `Scheme/Code` (`ISC/C0000010`).
    Service,
    /// The procedure done with the service, `Scheme/Code` (`CCSD/A3000`).
    Procedure,
    /// The location of a location fee-schedule price.
    Location,
    /// The practitioner of a bespoke price.
    Practitioner,
    /// The fee in GBP, at most 2 decimal places.
    Price,
    /// `Y` or `N` (default `N`).
    IsEstv,
}

impl Column {
    /// Every column, in the order the generator writes them.
    pub const ALL: [Column; 7] = [
        Column::Payor,
        Column::Service,
        Column::Procedure,
        Column::Location,
        Column::Practitioner,
        Column::Price,
        Column::IsEstv,
    ];

    /// The columns a CSV header must have.
    pub const REQUIRED: [Column; 3] = [Column::Payor, Column::Service, Column::Price];

    /// The column's name in a header or an NDJSON object.
    pub fn name(self) -> &'static str {
        match self {
            Column::Payor => "payor",
            Column::Service => "service",
            Column::Procedure => "procedure",
            Column::Location => "location",
            Column::Practitioner => "practitioner",
            Column::Price => "price",
            Column::IsEstv => "isESTV",
        }
    }

    /// The column a header cell names (trimmed, any letter case: spreadsheets reformat them).
    pub fn parse(name: &str) -> Option<Column> {
        let name = name.trim().trim_start_matches('\u{feff}');
        Column::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }
}

/// One line of a schedule as read: its number and its cells (trimmed; empty = absent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScheduleLine {
    /// 1-based line number (the CSV header is line 1).
    pub line: usize,
    /// The `payor` cell.
    pub payor: Option<String>,
    /// The `service` cell.
    pub service: Option<String>,
    /// The `procedure` cell.
    pub procedure: Option<String>,
    /// The `location` cell.
    pub location: Option<String>,
    /// The `practitioner` cell.
    pub practitioner: Option<String>,
    /// The `price` cell, as written.
    pub price: Option<String>,
    /// The `isESTV` cell.
    pub is_estv: Option<String>,
}

impl ScheduleLine {
    /// An empty line numbered `line`.
    pub fn new(line: usize) -> ScheduleLine {
        ScheduleLine {
            line,
            ..ScheduleLine::default()
        }
    }

    /// The cell of `column`.
    pub fn get(&self, column: Column) -> Option<&str> {
        match column {
            Column::Payor => self.payor.as_deref(),
            Column::Service => self.service.as_deref(),
            Column::Procedure => self.procedure.as_deref(),
            Column::Location => self.location.as_deref(),
            Column::Practitioner => self.practitioner.as_deref(),
            Column::Price => self.price.as_deref(),
            Column::IsEstv => self.is_estv.as_deref(),
        }
    }

    /// Sets the cell of `column`; an empty (or all-space) value is absent.
    pub fn set(&mut self, column: Column, value: &str) {
        let v = value.trim();
        let v = (!v.is_empty()).then(|| v.to_string());
        let slot = match column {
            Column::Payor => &mut self.payor,
            Column::Service => &mut self.service,
            Column::Procedure => &mut self.procedure,
            Column::Location => &mut self.location,
            Column::Practitioner => &mut self.practitioner,
            Column::Price => &mut self.price,
            Column::IsEstv => &mut self.is_estv,
        };
        *slot = v;
    }
}

/// A line the import refuses: its number, the field at fault, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// 1-based line number (the CSV header is line 1).
    pub line: usize,
    /// The column at fault (`price`), `line` for a line that does not parse, `key` for a
    /// price already given on an earlier line.
    pub field: String,
    /// Why, in words that name the field.
    pub reason: String,
}

impl Rejection {
    /// A rejection of `line` for `field`.
    pub fn new(line: usize, field: &str, reason: impl Into<String>) -> Rejection {
        Rejection {
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// Why a whole file cannot be read: nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// The file could not be read.
    Io(String),
    /// The CSV has no header row.
    NoHeader,
    /// The header lacks a required column.
    MissingColumn(&'static str),
    /// The header names a column the import does not know.
    UnknownColumn(String),
    /// The header names a column twice.
    DuplicateColumn(&'static str),
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = Column::ALL.map(Column::name).join(", ");
        match self {
            ScheduleError::Io(e) => write!(f, "{e}"),
            ScheduleError::NoHeader => write!(
                f,
                "line 1: the file has no header row (expected the columns {known})"
            ),
            ScheduleError::MissingColumn(c) => write!(
                f,
                "line 1: the header has no '{c}' column (required: payor, service, price)"
            ),
            ScheduleError::UnknownColumn(c) => write!(
                f,
                "line 1: the header names an unknown column '{c}' (known: {known})"
            ),
            ScheduleError::DuplicateColumn(c) => {
                write!(f, "line 1: the header names the '{c}' column twice")
            }
        }
    }
}

impl std::error::Error for ScheduleError {}

/// The two formats a schedule comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object a line.
    Ndjson,
}

impl Format {
    /// The format a file name says: `.ndjson`, `.jsonl` or `.json` → NDJSON, else CSV.
    pub fn of_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("ndjson" | "jsonl" | "json") => Format::Ndjson,
            _ => Format::Csv,
        }
    }
}

/// Each data line of a schedule, read or rejected, in file order.
pub type Lines = Vec<Result<ScheduleLine, Rejection>>;

/// Reads a schedule file in `format`.
pub fn read_file(path: &Path, format: Format) -> Result<Lines, ScheduleError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ScheduleError::Io(format!("{}: {e}", path.display())))?;
    match format {
        Format::Csv => read_csv(file),
        Format::Ndjson => read_ndjson(std::io::BufReader::new(file)),
    }
}

/// Reads a CSV schedule: RFC 4180 quoting (commas, doubled quotes and line breaks inside
/// quotes), a header row naming the columns in any order, a UTF-8 byte-order mark allowed.
pub fn read_csv(input: impl Read) -> Result<Lines, ScheduleError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(ScheduleError::NoHeader),
        Some(Err(e)) => return Err(ScheduleError::Io(format!("line 1: {e}"))),
        Some(Ok(h)) => h,
    };
    let mut columns: Vec<Column> = Vec::with_capacity(header.len());
    for name in header.iter() {
        let c = Column::parse(name).ok_or_else(|| {
            ScheduleError::UnknownColumn(name.trim().trim_start_matches('\u{feff}').to_string())
        })?;
        if columns.contains(&c) {
            return Err(ScheduleError::DuplicateColumn(c.name()));
        }
        columns.push(c);
    }
    if let Some(missing) = Column::REQUIRED.iter().find(|c| !columns.contains(c)) {
        return Err(ScheduleError::MissingColumn(missing.name()));
    }
    let mut lines = Vec::new();
    for record in records {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                if r.len() == 1 && r.get(0).is_some_and(|c| c.trim().is_empty()) {
                    continue; // a line of spaces
                }
                if r.len() != columns.len() {
                    lines.push(Err(Rejection::new(
                        line,
                        "line",
                        format!(
                            "the line has {} fields but the header has {} (a value with a comma needs \"quotes\")",
                            r.len(),
                            columns.len()
                        ),
                    )));
                    continue;
                }
                let mut l = ScheduleLine::new(line);
                for (c, v) in columns.iter().zip(r.iter()) {
                    l.set(*c, v);
                }
                lines.push(Ok(l));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => lines.push(Err(Rejection::new(
                        line,
                        "line",
                        "the line is not UTF-8 text (save the spreadsheet as CSV UTF-8)",
                    ))),
                    _ => return Err(ScheduleError::Io(format!("line {line}: {e}"))),
                }
            }
        }
    }
    Ok(lines)
}

/// Reads an NDJSON schedule: one object a line with the CSV's column names as keys. Values
/// are strings; `price` may be a JSON number (kept exact) and `isESTV` a boolean; `null` is
/// absent. Blank lines are skipped.
pub fn read_ndjson(input: impl BufRead) -> Result<Lines, ScheduleError> {
    let mut lines = Vec::new();
    for (i, text) in input.lines().enumerate() {
        let line = i + 1;
        let text = text.map_err(|e| ScheduleError::Io(format!("line {line}: {e}")))?;
        if text.trim().is_empty() {
            continue;
        }
        lines.push(ndjson_line(line, &text));
    }
    Ok(lines)
}

fn ndjson_line(line: usize, text: &str) -> Result<ScheduleLine, Rejection> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Rejection::new(line, "line", format!("the line is not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(Rejection::new(
            line,
            "line",
            "the line is not a JSON object",
        ));
    };
    let mut l = ScheduleLine::new(line);
    for (key, v) in &map {
        let column = Column::parse(key).ok_or_else(|| {
            Rejection::new(
                line,
                // A blank key names no field: the line is at fault.
                if key.trim().is_empty() { "line" } else { key },
                format!(
                    "unknown field '{key}' (known: {})",
                    Column::ALL.map(Column::name).join(", ")
                ),
            )
        })?;
        let text = match (column, v) {
            (_, Value::Null) => continue,
            (_, Value::String(s)) => s.clone(),
            (Column::Price, Value::Number(n)) => n.to_string(),
            (Column::IsEstv, Value::Bool(b)) => if *b { "Y" } else { "N" }.to_string(),
            (c, other) => {
                return Err(Rejection::new(
                    line,
                    c.name(),
                    format!("field '{}' must be a string, not {other}", c.name()),
                ))
            }
        };
        l.set(column, &text);
    }
    Ok(l)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_any_order_and_any_case() {
        let csv = "\u{feff}Price,SERVICE,payor\n12.00,ISC/C0000010,bup\n";
        let lines = read_csv(csv.as_bytes()).unwrap();
        let l = lines[0].as_ref().unwrap();
        assert_eq!(l.line, 2);
        assert_eq!(l.price.as_deref(), Some("12.00"));
        assert_eq!(l.service.as_deref(), Some("ISC/C0000010"));
        assert_eq!(l.payor.as_deref(), Some("bup"));
        assert_eq!(l.procedure, None);
    }

    #[test]
    fn ndjson_numbers_keep_their_digits() {
        let text =
            "{\"payor\":\"bup\",\"service\":\"ISC/C1\",\"price\":290.10,\"isESTV\":true}\n\n[1]\n";
        let lines = read_ndjson(text.as_bytes()).unwrap();
        let l = lines[0].as_ref().unwrap();
        assert_eq!(l.price.as_deref(), Some("290.10"));
        assert_eq!(l.is_estv.as_deref(), Some("Y"));
        assert_eq!(
            lines[1].as_ref().unwrap_err().line,
            3,
            "blank lines still count"
        );
    }
}
