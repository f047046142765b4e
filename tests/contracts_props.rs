#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Properties of fee calculation and snapshots: monotone in prices, independent of procedure
//! order, rounded once, and a snapshot re-read is the same book.

use practice_fhir::contracts::{
    Code, ContractBook, FeeRequest, MultiProcRule, MultiProcSet, PayorContract, PayorKind,
    PayorRef, Price, PriceKey, PriceScope, SelfPayList, ValueOf,
};
use practice_fhir::money::round_money;
use proptest::prelude::*;
use rust_decimal::Decimal;

const PROCS: [&str; 6] = ["A1", "B2", "C3", "D4", "E5", "F6"];

fn payor(b: &mut ContractBook, id: &str, payor: &str) {
    b.add_payor(PayorContract {
        id: id.into(),
        payor: PayorRef {
            kind: PayorKind::Insurer,
            id: payor.into(),
        },
        display: None,
        multi_proc_set: None,
        list_code: None,
    })
    .unwrap();
}

fn fee_book(prices: &[i64], rules: &[MultiProcRule]) -> ContractBook {
    let mut b = ContractBook::new("S");
    payor(&mut b, "100", "bup");
    for (code, pennies) in PROCS.iter().zip(prices) {
        let key = PriceKey {
            contract: "100".into(),
            service: Code::new("ISC", "X"),
            procedure: Some(Code::new("CCSD", *code)),
            location: None,
            practitioner: None,
        };
        b.set_price(
            key,
            Price {
                net: Some(Decimal::new(*pennies, 2)),
                ..Price::default()
            },
        )
        .unwrap();
    }
    b.set_multi_proc_set(MultiProcSet {
        id: "SET".into(),
        description: String::new(),
        editable: false,
        payor: Some("bup".into()),
        is_default: true,
        rules: rules.to_vec(),
    });
    b
}

fn request(procs: &[&str]) -> FeeRequest {
    FeeRequest {
        scope: PriceScope::default(),
        payor: "bup".into(),
        payor_kind: None,
        service: Code::new("ISC", "X"),
        procedures: procs.iter().map(|p| Code::new("CCSD", *p)).collect(),
        breakdown: false,
    }
}

fn rule_strategy() -> impl Strategy<Value = MultiProcRule> {
    (1u32..=6, 1u32..=7, 0i64..=20_000, 0usize..4).prop_map(|(g, k, p, v)| MultiProcRule {
        calc_group: g,
        proc_number: k,
        percentage: Decimal::new(p, 2),
        value_of: [
            None,
            Some(ValueOf::Highest),
            Some(ValueOf::Highest2),
            Some(ValueOf::Other),
        ][v],
    })
}

/// The rule as SPEC-NOTES words it, written independently of the library: each record adds
/// p% of v1 / v2 / every vj (j ≥ k) / vk; no records → every price at 100%.
fn reference_total(prices: &[Decimal], rules: &[MultiProcRule]) -> Decimal {
    let mut v = prices.to_vec();
    v.sort_by(|a, b| b.cmp(a));
    let n = v.len();
    let at = |j: usize| {
        if j >= 1 && j <= n {
            v[j - 1]
        } else {
            Decimal::ZERO
        }
    };
    let group: Vec<&MultiProcRule> = rules
        .iter()
        .filter(|r| r.calc_group as usize == n)
        .collect();
    if group.is_empty() {
        return v.iter().sum();
    }
    let hundred = Decimal::ONE_HUNDRED;
    group
        .iter()
        .map(|r| {
            let k = r.proc_number as usize;
            let base = match r.value_of {
                Some(ValueOf::Highest) => at(1),
                Some(ValueOf::Highest2) => at(2),
                Some(ValueOf::Other) => (k.max(1)..=n).map(at).sum(),
                None => at(k),
            };
            base * r.percentage / hundred
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fee_never_decreases_when_a_price_rises(
        prices in prop::collection::vec(0i64..1_000_000, 1..=6),
        rules in prop::collection::vec(rule_strategy(), 0..12),
        which in 0usize..6,
        rise in 0i64..1_000_000,
    ) {
        let n = prices.len();
        let which = which % n;
        let req = request(&PROCS[..n]);
        let before = fee_book(&prices, &rules).fee_total(&req).unwrap();
        let mut raised = prices.clone();
        raised[which] += rise;
        let after = fee_book(&raised, &rules).fee_total(&req).unwrap();
        prop_assert!(after >= before, "{after} < {before}");
    }

    #[test]
    fn reordering_procedures_never_changes_the_fee(
        prices in prop::collection::vec(0i64..1_000_000, 1..=6),
        rules in prop::collection::vec(rule_strategy(), 0..12),
        seed in any::<u64>(),
    ) {
        let n = prices.len();
        let book = fee_book(&prices, &rules);
        let mut order: Vec<&str> = PROCS[..n].to_vec();
        let base = book.quote_fee(&request(&order)).unwrap();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let shuffled = book.quote_fee(&request(&order)).unwrap();
        prop_assert_eq!(base.total, shuffled.total);
        prop_assert_eq!(base.unrounded, shuffled.unrounded);
        let ranks = |q: &practice_fhir::contracts::FeeQuote| q.lines.iter().map(|l| l.procedure.clone()).collect::<Vec<_>>();
        prop_assert_eq!(ranks(&base), ranks(&shuffled));
    }

    #[test]
    fn rounding_happens_once_at_the_end(
        prices in prop::collection::vec(0i64..1_000_000, 1..=6),
        rules in prop::collection::vec(rule_strategy(), 0..12),
    ) {
        let n = prices.len();
        let book = fee_book(&prices, &rules);
        let quote = book.quote_fee(&request(&PROCS[..n])).unwrap();
        let exact = reference_total(&prices.iter().map(|p| Decimal::new(*p, 2)).collect::<Vec<_>>(), &rules);
        prop_assert_eq!(quote.unrounded, exact);
        prop_assert_eq!(quote.total, round_money(exact));
        prop_assert_eq!(quote.total.scale(), 2);
        let lines: Decimal = quote.lines.iter().map(|l| l.amount).sum();
        prop_assert_eq!(lines, exact);
    }

    #[test]
    fn snapshot_round_trip_changes_nothing(
        entries in prop::collection::vec(
            (0usize..3, 0usize..3, proptest::option::of(0usize..3), 0usize..3, proptest::option::of(0i64..10_000_000),
             any::<bool>(), proptest::option::of("\\PC{0,12}")),
            0..40),
        tariff_prices in proptest::option::of((0i64..100_000, 0i64..100_000)),
    ) {
        let mut b = ContractBook::new("S");
        payor(&mut b, "100", "bup");
        payor(&mut b, "200", "slf");
        b.add_self_pay_list(SelfPayList { id: "500".into(), practitioner: "P1".into() }).unwrap();
        for (contract, service, procedure, level, net, estv, display) in entries {
            let contract = ["100", "200", "500"][contract];
            let (location, practitioner) = match (contract, level) {
                ("500", _) => (None, Some("P1".to_string())),
                (_, 0) => (None, None),
                (_, 1) => (Some("L1".to_string()), None),
                _ => (None, Some("P2".to_string())),
            };
            let key = PriceKey {
                contract: contract.into(),
                service: Code::new("ISC", ["X", "Y", "Z"][service]),
                procedure: procedure.map(|p| Code::new("CCSD", PROCS[p])),
                location,
                practitioner,
            };
            let price = Price { net: net.map(|n| Decimal::new(n, 2)), is_estv: estv, service_display: display, ..Price::default() };
            b.set_price(key, price).unwrap();
        }
        if let Some((high, extra)) = tariff_prices {
            b.set_tariff(practice_fhir::contracts::Tariff {
                key: practice_fhir::contracts::TariffKey {
                    payor: "bup".into(),
                    code_type: practice_fhir::contracts::CodeType::Service,
                    code: "X".into(),
                    practitioner: None,
                },
                display: Some("\"quoted\" £".into()),
                narrative_message: None,
                warning_message: Some("w".into()),
                reject_message: None,
                option_message: None,
                low_price: None,
                median_price: None,
                high_price: Some(Decimal::new(high, 2)),
                maximum_price: Some(Decimal::new(high + extra, 2)),
            });
        }
        let json = b.to_snapshot_json();
        let again = ContractBook::from_snapshot_json(&json).unwrap();
        prop_assert!(again == b);
        prop_assert_eq!(again.to_snapshot_json(), json);
        for q in ["payor=bup&practitioner=P1&location=L1&count=100", "payor=slf&practitioner=P1&count=100"] {
            let params = practice_fhir::QueryParams::from_query(q, false);
            prop_assert_eq!(b.effective_prices(&params).unwrap(), again.effective_prices(&params).unwrap());
        }
    }
}

fn seed_books() -> Vec<ContractBook> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/seed-contracts.json"
    ))
    .unwrap();
    ContractBook::many_from_snapshot_json(&text).unwrap()
}

fn param_strategy() -> impl Strategy<Value = (String, String)> {
    let names = prop::sample::select(vec![
        "site",
        "payor",
        "payorId",
        "practitioner",
        "payor-type",
        "provider-type",
        "location",
        "service-type",
        "procedure-code",
        "breakdown",
        "service-code",
        "page",
        "count",
        "_count",
        "_lastUpdated",
        "code",
        "codeType",
        "fee",
        "siteId",
        "providerGroup",
        "x",
    ]);
    let values = prop::sample::select(vec![
        "",
        "HC00JXI",
        "HC00HM4",
        "bup",
        "slf",
        "slh",
        "I",
        "C",
        "S",
        "P",
        "SP046728",
        "HP002694",
        "ISC/C0000010",
        "ISC/E0002620",
        "CCSD/A3000,9BUPP/AA207",
        "CCSD/A3000,CCSD/A3000,CCSD/A3000",
        ",",
        "/",
        "true",
        "0",
        "1",
        "-1",
        "99999999999999999999999999999",
        "1.005",
        "W3712",
        "P0003630",
        "gt2026",
        "0000011460",
        "ISC/C0000010/x",
    ]);
    (names, values).prop_map(|(n, v)| (n.to_string(), v.to_string()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any query, however wrong, gets an answer or an OperationOutcome with a documented code.
    #[test]
    fn no_query_makes_an_operation_panic(pairs in prop::collection::vec(param_strategy(), 0..8), lenient in any::<bool>()) {
        let params = practice_fhir::QueryParams::new(pairs, lenient);
        for book in seed_books() {
            for result in [
                book.effective_prices(&params),
                book.calculate_fee(&params),
                book.validate_price(&params),
                book.multi_proc_list(&params),
                book.multi_proc_set_json(&params),
                book.payors_list(&params),
            ] {
                if let Err(e) = result {
                    prop_assert!(e.has_errors());
                    prop_assert!(e.http_status() == 400 || e.http_status() == 422, "{e}");
                }
            }
        }
    }
}
