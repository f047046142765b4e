#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Golden tests: every seed 001 sample that concerns contracts, prices, fees, validation and
//! multi-procedure sets, run through the ContractBook built from `data/seed-contracts.json`
//! (and from the samples' own FHIR shapes) and compared with the documents' responses.

use std::path::PathBuf;

use practice_fhir::contracts::ContractBook;
use practice_fhir::QueryParams;
use rust_decimal::Decimal;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Value {
    let path = root().join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn fixture_by_number(n: &str) -> Value {
    let dir = root().join("tests/fixtures");
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|f| f.starts_with(&format!("001_{n}_")))
        .unwrap_or_else(|| panic!("no fixture 001_{n}_*"));
    fixture(&name)
}

fn seed_books() -> Vec<ContractBook> {
    let text = std::fs::read_to_string(root().join("data/seed-contracts.json")).unwrap();
    ContractBook::many_from_snapshot_json(&text).unwrap()
}

fn book(site: &str) -> ContractBook {
    seed_books()
        .into_iter()
        .find(|b| b.site() == site)
        .unwrap_or_else(|| panic!("no seed book {site}"))
}

/// The golden comparison: every element of the sample (`want`) is present in our answer
/// (`got`) and equal, numbers as decimals (`80` = `80.00`), object key order ignored, arrays
/// item by item with the same length. Our extras are allowed: what FHIR R4 requires and the
/// samples leave out (`Contract.term.offer`, SPEC-NOTES "Valid R4 beyond the samples").
/// Returns the path of the first difference.
fn diff(path: &str, got: &Value, want: &Value) -> Option<String> {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let a: Decimal = a.to_string().parse().ok()?;
            let b: Decimal = b.to_string().parse().ok()?;
            (a != b).then(|| format!("{path}: {a} != {b}"))
        }
        (Value::Object(a), Value::Object(b)) => b.iter().find_map(|(k, v)| match a.get(k) {
            None => Some(format!("{path}.{k}: missing (the sample has {v})")),
            Some(g) => diff(&format!("{path}.{k}"), g, v),
        }),
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!("{path}: {} items != {}", a.len(), b.len()));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| diff(&format!("{path}[{i}]"), x, y))
        }
        _ => (got != want).then(|| format!("{path}: {got} != {want}")),
    }
}

/// Every Contract term in `v` (a Contract or a Bundle of them) carries the offer R4 requires.
fn assert_terms_have_offers(label: &str, v: &Value) {
    use practice_fhir::contracts::resources::term_offer;
    let contracts: Vec<&Value> = match v["resourceType"].as_str() {
        Some("Bundle") => v["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["resource"])
            .collect(),
        _ => vec![v],
    };
    for c in contracts {
        for (i, term) in c["term"].as_array().into_iter().flatten().enumerate() {
            assert_eq!(term["offer"], term_offer(), "{label}: term[{i}].offer");
        }
    }
}

fn assert_json(label: &str, got: &Value, want: &Value) {
    if let Some(d) = diff("$", got, want) {
        panic!(
            "{label}: {d}\n got: {}",
            serde_json::to_string_pretty(got).unwrap()
        );
    }
}

#[test]
fn every_get_sample_answers_as_the_documents_show() {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/golden/001_get_samples.json")).unwrap(),
    )
    .unwrap();
    let books = seed_books();
    let mut ran = 0;
    for row in table.as_array().unwrap() {
        let key = row["key"].as_str().unwrap();
        let site = row["site"].as_str().unwrap();
        let book = books.iter().find(|b| b.site() == site).unwrap();
        let params = QueryParams::from_query(row["query"].as_str().unwrap(), false);
        let got = match key {
            "get_effective_prices_endpoint" => book.effective_prices(&params),
            "calculate_service_fee_endpoint" | "calculate_service_fee_withprocedure_endpoint" => {
                book.calculate_fee(&params)
            }
            "get_price_validation_for_service_endpoint"
            | "get_price_validation_for_procedure_endpoint" => book.validate_price(&params),
            "get_multi_proc_endpoint" => book.multi_proc_list(&params),
            "get_multi_proc_set_endpoint" => book.multi_proc_set_json(&params),
            "get_payors_list_endpoint" => book.payors_list(&params),
            other => panic!("no operation for {other}"),
        };
        let got = got.unwrap_or_else(|e| panic!("{key}: {e}"));
        // The text answers (the npm package's) are the same bytes as the values written out.
        let text = match key {
            "get_effective_prices_endpoint" => Some(book.effective_prices_json(&params)),
            "calculate_service_fee_endpoint" | "calculate_service_fee_withprocedure_endpoint" => {
                Some(book.calculate_fee_json(&params))
            }
            "get_price_validation_for_service_endpoint"
            | "get_price_validation_for_procedure_endpoint" => {
                Some(book.validate_price_json(&params))
            }
            _ => None,
        };
        if let Some(text) = text {
            assert_eq!(text.unwrap(), got.to_string(), "{key}: the text answer");
        }
        assert_json(
            key,
            &got,
            &fixture(row["response_fixture"].as_str().unwrap()),
        );
        assert_terms_have_offers(key, &got);
        ran += 1;
    }
    assert_eq!(ran, 9);
}

#[test]
fn the_290_golden_is_written_with_two_places() {
    let params = QueryParams::from_query(
        "service-type=ISC/C0000010&payor-type=I&provider-type=S&payor=bup&procedure-code=CCSD/A3000,9BUPP/AA207&location=HP002694&site=HC00HM4",
        false,
    );
    let got = book("HC00HM4").calculate_fee(&params).unwrap();
    let text = got.to_string();
    assert!(text.contains("\"value\":290.00"), "{text}");
}

#[test]
fn the_80_golden_comes_from_the_self_pay_list() {
    let params = QueryParams::from_query(
        "payor=slf&practitioner=SP046728&payor-type=I&provider-type=S&location=HP002166&site=HC00JXI&service-type=ISC/E0002620&breakdown=true",
        false,
    );
    let got = book("HC00JXI").calculate_fee(&params).unwrap();
    assert_eq!(
        got.pointer("/term/0/asset/0/valuedItem/0/net/value")
            .unwrap()
            .to_string(),
        "80.00"
    );
    let source = got.pointer("/term/0/asset/1/context/0/reference").unwrap();
    assert_eq!(source["reference"], "Contract/0000036290");
    assert_eq!(source["display"], "SELF_PAY");
}

/// `$contract-price` POST samples: request → response, against the seed books.
#[test]
fn contract_price_samples_round_trip() {
    for (req, resp, site) in [
        ("11", "12", "HC00JXI"),
        ("14", "15", "HC00HBA"),
        ("17", "18", "HC00HBA"),
        ("19", "20", "HC00JXI"),
        ("21", "22", "HC00JXI"),
    ] {
        let mut b = book(site);
        let before = b.price_count();
        let write = b
            .apply_contract_price(&fixture_by_number(req), None)
            .unwrap();
        assert_json(
            &format!("sample {req}"),
            &write.response,
            &fixture_by_number(resp),
        );
        assert_terms_have_offers(&format!("sample {req}"), &write.response);
        assert!(b.price_count() >= before);
        assert!(!write.warnings.has_errors());
    }
}

#[test]
fn bespoke_sample_writes_both_assets() {
    let mut b = book("HC00JXI");
    let write = b
        .apply_contract_price(&fixture_by_number("21"), Some("2026-11-23T20:00:00Z"))
        .unwrap();
    assert_eq!(write.contract_ids, vec!["0000036282", "0000036283"]);
    // SP000005's bespoke slh price is now 100 (it was already), and slf C0000010+L8750 is 99.
    let fee = b
        .calculate_fee(&QueryParams::from_query(
            "payor=slh&practitioner=SP000005&service-type=ISC/E0002620",
            false,
        ))
        .unwrap();
    assert_eq!(
        fee.pointer("/term/0/asset/0/valuedItem/0/net/value")
            .unwrap()
            .to_string(),
        "100.00"
    );
}

#[test]
fn add_payor_samples_round_trip() {
    let mut b = ContractBook::new("HC00HAA");
    let got = b
        .apply_payor_fhir(&fixture_by_number("05"), "0000038225")
        .unwrap();
    assert_json("add payor", &got, &fixture_by_number("06"));
    let got = b
        .apply_payor_fhir(&fixture_by_number("08"), "0000041155")
        .unwrap();
    assert_json("add contact as payor", &got, &fixture_by_number("09"));
    // Posting again updates in place: same contract ids.
    let again = b
        .apply_payor_fhir(&fixture_by_number("05"), "9999999999")
        .unwrap();
    assert_eq!(again["id"], "0000038225");
    assert_eq!(b.payor_contracts().len(), 2);
}

/// Books built from the samples' own FHIR shapes answer with the same samples.
#[test]
fn books_built_from_fhir_shapes_answer_with_them() {
    let mut b = ContractBook::new("HC010EO");
    assert_eq!(
        b.load_effective_prices_fhir(&fixture_by_number("01"))
            .unwrap(),
        1
    );
    let got = b
        .effective_prices(&QueryParams::from_query(
            "payor=slh&location=HP002193",
            false,
        ))
        .unwrap();
    assert_json("effective prices from FHIR", &got, &fixture_by_number("01"));

    let mut b = ContractBook::new("HC00JXI");
    b.load_multi_proc_list_fhir(&fixture_by_number("28"))
        .unwrap();
    b.load_multi_proc_set_fhir(&fixture_by_number("29"), Some("bup"), true)
        .unwrap();
    let list = b
        .multi_proc_list(&QueryParams::from_query("site=HC00JXI", false))
        .unwrap();
    assert_json("multi-proc list from FHIR", &list, &fixture_by_number("28"));
    let set = b
        .multi_proc_set_json(&QueryParams::from_query(
            "siteId=HC00JXI&providerGroup=0000011460",
            false,
        ))
        .unwrap();
    assert_json("multi-proc set from FHIR", &set, &fixture_by_number("29"));

    b.load_tariffs_fhir(&fixture_by_number("26")).unwrap();
    b.load_tariffs_fhir(&fixture_by_number("27")).unwrap();
    let v = b
        .validate_price(&QueryParams::from_query(
            "site=HC00JXI&payorId=slh&codeType=S&code=P0003630",
            false,
        ))
        .unwrap();
    assert_json("validation from FHIR", &v, &fixture_by_number("26"));
    let v = b
        .validate_price(&QueryParams::from_query(
            "site=HC00JXI&payorId=slh&code=W3712&codeType=P&practitioner=SP046728",
            false,
        ))
        .unwrap();
    assert_json("validation from FHIR", &v, &fixture_by_number("27"));
}

#[test]
fn seed_snapshot_round_trips() {
    for b in seed_books() {
        let again = ContractBook::from_snapshot_json(&b.to_snapshot_json()).unwrap();
        assert_eq!(again, b);
        assert_eq!(again.to_snapshot_json(), b.to_snapshot_json());
    }
}

#[test]
fn delete_sample_parameters_remove_the_price() {
    use practice_fhir::contracts::PriceFilter;
    let mut b = book("HC00JXI");
    let filter = PriceFilter::from_params(&QueryParams::from_query(
        "indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=PETSC&procedureScheme=9BUPP",
        false,
    ))
    .unwrap();
    assert_eq!(b.delete_prices(&filter), 1);
    assert_eq!(b.delete_prices(&filter), 0);
}

#[test]
fn the_comparison_helper_is_strict_where_it_should_be() {
    use serde_json::json;
    assert!(diff("$", &json!({"v": 80.00}), &json!({"v": 80})).is_none());
    assert!(diff("$", &json!({"v": 80.01}), &json!({"v": 80})).is_some());
    assert!(diff("$", &json!({"v": "80.00"}), &json!({"v": "80"})).is_some());
    // Our extras are allowed; a sample's element we leave out is not.
    assert!(diff("$", &json!({"v": 1, "w": 2}), &json!({"v": 1})).is_none());
    assert!(diff("$", &json!({"v": 1}), &json!({"v": 1, "w": 2})).is_some());
    assert!(diff(
        "$",
        &json!({"t": [{"a": 1, "offer": {}}]}),
        &json!({"t": [{"a": 1}]})
    )
    .is_none());
    assert!(diff(
        "$",
        &json!({"t": [{"a": 1}, {"a": 2}]}),
        &json!({"t": [{"a": 1}]})
    )
    .is_some());
    assert!(diff("$", &json!([1, 2]), &json!([2, 1])).is_some());
}

/// The fee-preview page's demo site (data/demo-site.json, from scripts/demo-site.mjs) loads,
/// and the figures the page tests read are what the core computes.
#[test]
fn the_demo_site_prices_as_the_page_shows() {
    let text = std::fs::read_to_string(root().join("data/demo-site.json")).unwrap();
    let book = ContractBook::from_snapshot_json(&text).unwrap();
    assert_eq!(book.site(), "HCDEMO1");
    assert_eq!(book.price_count(), 161);
    let fee = |q: &str| {
        let got = book
            .calculate_fee(&QueryParams::from_query(q, false))
            .unwrap();
        got.pointer("/term/0/asset/0/valuedItem/0/net/value")
            .unwrap()
            .to_string()
    };
    let three = "site=HCDEMO1&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/W3712,CCSD/W4210,CCSD/T2000";
    // 100% of 1,900 + 50% of 1,800 + 25% of 720 (BUPA's set, group 03)
    assert_eq!(fee(three), "2980.00");
    assert_eq!(fee(&format!("{three}&location=HP002166")), "3278.00");
    // AXA's bespoke agreement with SP046728 wins over AXA's schedule.
    assert_eq!(
        fee("site=HCDEMO1&payor=axa&service-type=ISC/C0000010&procedure-code=CCSD/W3712&practitioner=SP046728"),
        "1890.00"
    );
    // The practitioner's own AXA tariff overrides AXA's.
    let v = book
        .validate_price(&QueryParams::from_query(
            "site=HCDEMO1&payor=axa&codeType=P&code=W3712&practitioner=SP046728&fee=2000",
            false,
        ))
        .unwrap()
        .to_string();
    assert!(v.contains("\"valueString\":\"1890.00\""), "{v}");
}
