//! Browser/native parity, native half: a seeded generator builds a synthetic site (payors,
//! contacts, self-pay lists, location and bespoke prices, default and own multi-procedure
//! sets, tariffs) and 1,200 requests (fees with 0-5 procedures, effective prices, price
//! validation with proposed fees, plus invalid input), and the native answers are pinned in
//! `tests/golden/parity_cases.json`. `tests/wasm.rs` replays the same file through the npm
//! bindings in Node and in Chromium, so both must give these exact bytes.
//!
//! `UPDATE_GOLDEN=1 cargo test --test parity` rewrites the file after an intended change.
#![cfg(not(target_arch = "wasm32"))]

use practice_fhir::{ContractBook, QueryParams};
use serde_json::{json, Value};

/// xorshift64*: tiny, deterministic, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn money(&mut self) -> String {
        let pence = 1_000 + self.below(99_000);
        format!("{}.{:02}", pence / 100, pence % 100)
    }
}

const SERVICES: [&str; 4] = [
    "ISC/C0000010",
    "ISC/C0000011",
    "ISC/E0002620",
    "ISC/E0000860",
];
const PROCEDURES: [&str; 8] = [
    "CCSD/A1001",
    "CCSD/A1002",
    "CCSD/A1003",
    "CCSD/A1004",
    "CCSD/W3712",
    "9BUPP/AA207",
    "9BUPP/PETSC",
    "CCSD/B2001",
];
const LOCATIONS: [&str; 2] = ["HP000101", "HP000102"];
const PRACTITIONERS: [&str; 4] = ["SP000101", "SP000102", "SP000103", "SP000104"];
const PAYORS: [(&str, &str, &str); 5] = [
    ("0000090001", "slf", "I"),
    ("0000090002", "na", "I"),
    ("0000090003", "bup", "I"),
    ("0000090004", "axa", "I"),
    ("0000090005", "Jones", "C"),
];

fn synthetic_snapshot(rng: &mut Rng) -> Value {
    let mut prices = Vec::new();
    for (contract, _, _) in PAYORS {
        for service in SERVICES {
            if rng.chance(80) {
                prices.push(json!({"contract": contract, "service": service, "net": rng.money()}));
            }
            for procedure in PROCEDURES {
                if rng.chance(75) {
                    prices.push(json!({"contract": contract, "service": service, "procedure": procedure, "net": rng.money()}));
                }
                if rng.chance(10) {
                    prices.push(json!({"contract": contract, "service": service, "procedure": procedure, "location": rng.pick(&LOCATIONS), "net": rng.money()}));
                }
                if rng.chance(8) {
                    prices.push(json!({"contract": contract, "service": service, "procedure": procedure, "practitioner": rng.pick(&PRACTITIONERS), "net": rng.money()}));
                }
            }
            if rng.chance(20) {
                prices.push(json!({"contract": contract, "service": service, "location": rng.pick(&LOCATIONS), "net": rng.money()}));
            }
            if rng.chance(15) {
                prices.push(json!({"contract": contract, "service": service, "practitioner": rng.pick(&PRACTITIONERS), "net": rng.money(), "isESTV": true}));
            }
        }
    }
    for (list, practitioner) in [("0000090101", "SP000101"), ("0000090102", "SP000102")] {
        for service in SERVICES {
            if rng.chance(60) {
                prices.push(json!({"contract": list, "service": service, "practitioner": practitioner, "net": rng.money()}));
            }
            for procedure in PROCEDURES {
                if rng.chance(25) {
                    prices.push(json!({"contract": list, "service": service, "procedure": procedure, "practitioner": practitioner, "net": rng.money()}));
                }
            }
        }
    }
    // Prices are keyed; a generator may hit one key twice, the last write wins in a book.
    let payors: Vec<Value> = PAYORS
        .iter()
        .map(|(id, payor, kind)| {
            let mut p = json!({"id": id, "payor": payor, "type": kind});
            if *payor == "axa" {
                p["multiProcSet"] = json!("0000037147");
            }
            p
        })
        .collect();
    let records = |rows: &[(&str, &str, &str, Option<&str>)]| -> Vec<Value> {
        rows.iter()
            .map(|(g, n, p, v)| match v {
                Some(v) => json!([g, n, p, v]),
                None => json!([g, n, p]),
            })
            .collect()
    };
    json!({
        "site": "HCSYN01",
        "practitioners": PRACTITIONERS,
        "payors": payors,
        "selfPay": [{"id": "0000090101", "practitioner": "SP000101"}, {"id": "0000090102", "practitioner": "SP000102"}],
        "prices": prices,
        "multiProcSets": [
            {"id": "0000011460", "description": "Default Multi-Procedure Calculation (BUPA)", "payor": "bup", "default": true,
             "records": records(&[("01", "1", "100", Some("HIGHEST")), ("02", "1", "125", Some("HIGHEST")), ("02", "2", "0", Some("HIGHEST2")),
                                  ("03", "1", "140", Some("HIGHEST")), ("03", "2", "0", Some("HIGHEST2")), ("03", "3", "0", Some("OTHER"))])},
            {"id": "0000037147", "description": "Multi-Procedure Calculation (AXA)", "payor": "axa", "editable": true,
             "records": records(&[("02", "1", "100", Some("HIGHEST")), ("02", "2", "50", Some("HIGHEST2")),
                                  ("03", "1", "100", Some("HIGHEST")), ("03", "2", "50", Some("HIGHEST2")), ("03", "3", "25", Some("OTHER")),
                                  ("04", "1", "100", None), ("04", "2", "60", None), ("04", "3", "33.5", None), ("04", "4", "12.5", None)])}
        ],
        "tariffs": [
            {"payor": "bup", "codeType": "S", "code": "C0000010", "lowPrice": "100.00", "medianPrice": "300.00", "highPrice": "500.00", "maximumPrice": "1000.00",
             "narrativeMessage": "Fees from 100.00 to 500.00", "warningMessage": "Above the range", "rejectMessage": "Above the maximum", "optionMessage": "Terms apply"},
            {"payor": "bup", "codeType": "P", "code": "W3712", "practitioner": "SP000101", "lowPrice": "650.00", "medianPrice": "700.00", "highPrice": "850.00", "maximumPrice": "1000.00",
             "rejectMessage": "Unable to agree"}
        ]
    })
}

fn cases(rng: &mut Rng) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let payors = ["slf", "na", "bup", "axa", "Jones", "zzz"];
    for i in 0..1_000 {
        let mut q = vec![
            format!("site={}", if i % 97 == 0 { "HCOTHER" } else { "HCSYN01" }),
            format!("payor={}", rng.pick(&payors)),
            format!("service-type={}", rng.pick(&SERVICES)),
        ];
        let n = rng.below(5);
        if n > 0 {
            let procs: Vec<&str> = (0..n).map(|_| rng.pick(&PROCEDURES)).collect();
            q.push(format!("procedure-code={}", procs.join(",")));
        }
        if rng.chance(40) {
            q.push(format!("location={}", rng.pick(&LOCATIONS)));
        }
        if rng.chance(40) {
            q.push(format!("practitioner={}", rng.pick(&PRACTITIONERS)));
        }
        if rng.chance(3) {
            q.push("payor-type=I&provider-type=S".into());
        }
        if i % 53 == 0 {
            q.push("unknown=1".into());
        }
        out.push(("fee".into(), q.join("&")));
    }
    for _ in 0..100 {
        let mut q = vec![
            "site=HCSYN01".to_string(),
            format!("payor={}", rng.pick(&payors[..5])),
        ];
        if rng.chance(50) {
            q.push(format!("location={}", rng.pick(&LOCATIONS)));
        }
        if rng.chance(30) {
            q.push(format!("service-code={}", rng.pick(&SERVICES)));
        }
        q.push(format!(
            "count={}&page={}",
            1 + rng.below(5),
            1 + rng.below(3)
        ));
        out.push(("effective".into(), q.join("&")));
    }
    for _ in 0..100 {
        let (code_type, code) = if rng.chance(50) {
            ("S", "C0000010")
        } else {
            ("P", "W3712")
        };
        let mut q = vec![
            "site=HCSYN01".to_string(),
            "payorId=bup".into(),
            format!("codeType={code_type}&code={code}"),
        ];
        if rng.chance(50) {
            q.push("practitioner=SP000101".into());
        }
        if rng.chance(80) {
            let fee = match rng.below(5) {
                0 => "12.345".to_string(),
                1 => "-1".into(),
                _ => rng.money(),
            };
            q.push(format!("fee={fee}"));
        }
        out.push(("validation".into(), q.join("&")));
    }
    out
}

/// The answer the npm package must give: the JSON, or the OperationOutcome it throws.
pub fn answer(book: &ContractBook, op: &str, query: &str) -> String {
    let params = QueryParams::from_query(query, false);
    let result = match op {
        "fee" => book.calculate_fee(&params),
        "effective" => book.effective_prices(&params),
        _ => book.validate_price(&params),
    };
    match result {
        Ok(v) => v.to_string(),
        Err(o) => o.to_json_string(),
    }
}

#[test]
fn native_answers_match_the_pinned_parity_cases() {
    let mut rng = Rng(0x5EED_2026_1123);
    let snapshot = synthetic_snapshot(&mut rng).to_string();
    let book = ContractBook::from_snapshot_json(&snapshot).unwrap();
    let cases: Vec<Value> = cases(&mut rng)
        .into_iter()
        .map(|(op, query)| {
            let expected = answer(&book, &op, &query);
            json!({"op": op, "query": query, "expected": expected})
        })
        .collect();
    assert!(cases.len() >= 1_000);
    let ok = cases
        .iter()
        .filter(|c| !c["expected"].as_str().unwrap().contains("OperationOutcome"))
        .count();
    assert!(
        ok > cases.len() / 3,
        "enough cases price successfully ({ok})"
    );
    let file = json!({"snapshot": snapshot, "cases": cases});
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/parity_cases.json"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        // One case per line: reviewable diffs without a megabyte of indentation.
        let lines: Vec<String> = cases.iter().map(Value::to_string).collect();
        let text = format!(
            "{{\"snapshot\": {},\n\"cases\": [\n{}\n]}}\n",
            Value::String(snapshot.clone()),
            lines.join(",\n")
        );
        std::fs::write(path, text).unwrap();
    }
    let pinned: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(pinned["snapshot"], file["snapshot"]);
    let pinned_cases = pinned["cases"].as_array().unwrap();
    assert_eq!(pinned_cases.len(), cases.len());
    for (p, c) in pinned_cases.iter().zip(&cases) {
        assert_eq!(p, c, "case {}", c["query"]);
    }
}
