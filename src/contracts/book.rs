//! The [`ContractBook`]: one site's contracts in memory, indexed so that pricing a service
//! with a few procedures costs a handful of hash look-ups and no allocation beyond the result.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rust_decimal::Decimal;

use super::codes::{
    not_found, Code, PayorKind, PayorRef, SubType, ALL_OTHERS_PAYOR, SELF_PAY_PAYOR,
};
use super::multiproc::{MultiProcRule, MultiProcSet};
use super::sorted::{SortedMap, SortedSet};
use super::tariff::{Tariff, TariffKey};
use crate::outcome::{IssueCode, OperationOutcome};

/// A payor contract of a site: its id is the provider group, its authority the payor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayorContract {
    /// Contract id / provider group (`0000038225`).
    pub id: String,
    /// The insurer or contact that pays.
    pub payor: PayorRef,
    /// The payor's name (`Self-Pay`, `John Doe`).
    pub display: Option<String>,
    /// The contract's own multi-procedure set, which wins over the payor's default set.
    pub multi_proc_set: Option<String>,
    /// The code the payor list shows in `subType` when it is not the payor kind's (the
    /// documents write `C` for `na`); kept as given so listings round-trip.
    pub list_code: Option<String>,
}

/// A practitioner's own SELF_PAY price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfPayList {
    /// Contract id of the list.
    pub id: String,
    /// The practitioner who owns it (`SP046728`).
    pub practitioner: String,
}

/// Where a price sits: site, payor contract (or self-pay list), service, optional procedure,
/// optional location, optional practitioner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PriceKey {
    /// The contract holding the price: a payor contract or a self-pay list.
    pub contract: String,
    /// The service (`ISC/C0000010`).
    pub service: Code,
    /// The procedure done with the service, if any (`CCSD/A3000`).
    pub procedure: Option<Code>,
    /// The location of a location-specific fee schedule price.
    pub location: Option<String>,
    /// The practitioner of a bespoke price (or the owner of a self-pay list).
    pub practitioner: Option<String>,
}

/// A price entry. `net` is absent for a service set without a fee ("set contract service").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Price {
    /// The fee, if set.
    pub net: Option<Decimal>,
    /// The isESTV flag (`Y`/`N`).
    pub is_estv: bool,
    /// The service's description (`ECG`).
    pub service_display: Option<String>,
    /// The procedure's description.
    pub procedure_display: Option<String>,
    /// When the entry last changed (FHIR instant, supplied by the caller), for `_lastUpdated`.
    pub last_updated: Option<String>,
}

/// Which contract supplied a price, and at which level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceSource {
    /// The supplying contract's id.
    pub contract: String,
    /// Its sub type.
    pub sub_type: SubType,
    /// The payor whose contract it is (`slf` for a self-pay list).
    pub payor: PayorRef,
    /// The location of a location-specific price.
    pub location: Option<String>,
    /// The practitioner of a bespoke or self-pay price.
    pub practitioner: Option<String>,
}

/// A small, fast, non-cryptographic hasher (the FxHash mix) for the in-memory index: the keys
/// are interned integers, so SipHash's DoS resistance buys nothing here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// An interned string.
pub(crate) type Sym = u32;

/// Symbol 0 is the empty string: "no procedure", "no practitioner".
pub(crate) const NONE: Sym = 0;

/// Interns the strings the index is keyed by; symbols are stable for the book's lifetime.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    ids: FxMap<String, Sym>,
    names: Vec<String>,
}

impl Default for Interner {
    fn default() -> Interner {
        let mut i = Interner {
            ids: FxMap::default(),
            names: Vec::new(),
        };
        i.intern("");
        i
    }
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = Sym::try_from(self.names.len()).unwrap_or(Sym::MAX);
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }

    #[inline]
    pub(crate) fn get(&self, s: &str) -> Option<Sym> {
        self.ids.get(s).copied()
    }

    pub(crate) fn name(&self, id: Sym) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

/// The precedence level of a price within its payor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Level {
    /// Payor + practitioner.
    Bespoke(Sym),
    /// The payor's fee schedule at a location.
    Location(Sym),
    /// The practitioner's own SELF_PAY list (payor `slf` only).
    SelfPay(Sym),
    /// The payor's site-wide fee schedule.
    Site,
}

/// Index key: payor, level, service, procedure (all interned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct IndexKey {
    pub(crate) payor: Sym,
    pub(crate) level: Level,
    pub(crate) service: Sym,
    pub(crate) procedure: Sym,
}

/// What the index holds for a priced entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Indexed {
    pub(crate) net: Decimal,
    pub(crate) contract: Sym,
}

/// At most this many levels are tried for one price (bespoke, location, self-pay, site, and
/// the `na` location and site schedules).
pub(crate) const MAX_CHAIN: usize = 6;

/// The precedence chain for a payor, practitioner and location, most specific first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain {
    pub(crate) steps: [(Sym, Level); MAX_CHAIN],
    pub(crate) len: usize,
}

impl Chain {
    fn push(&mut self, payor: Sym, level: Level) {
        if let Some(slot) = self.steps.get_mut(self.len) {
            *slot = (payor, level);
            self.len += 1;
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(Sym, Level)> {
        self.steps.iter().take(self.len)
    }

    /// Position of a level in the chain (0 = most specific).
    pub(crate) fn rank(&self, payor: Sym, level: Level) -> Option<usize> {
        self.iter().position(|s| *s == (payor, level))
    }
}

/// One site's contracts: payor contracts, self-pay lists, prices, multi-procedure sets and
/// the tariffs of its payors.
#[derive(Debug, Clone, Default)]
pub struct ContractBook {
    pub(crate) site: String,
    pub(crate) payors: Vec<PayorContract>,
    pub(crate) self_pay: Vec<SelfPayList>,
    pub(crate) practitioners: SortedSet<String>,
    pub(crate) prices: BTreeMap<PriceKey, Price>,
    pub(crate) multi_proc_sets: Vec<MultiProcSet>,
    pub(crate) tariffs: SortedMap<TariffKey, Tariff>,
    pub(crate) syms: Interner,
    pub(crate) index: FxMap<IndexKey, Indexed>,
}

impl PartialEq for ContractBook {
    /// Books are equal when their contents are; the index is derived.
    fn eq(&self, other: &ContractBook) -> bool {
        self.site == other.site
            && self.payors == other.payors
            && self.self_pay == other.self_pay
            && self.practitioners == other.practitioners
            && self.prices == other.prices
            && self.multi_proc_sets == other.multi_proc_sets
            && self.tariffs == other.tariffs
    }
}

impl ContractBook {
    /// An empty book for `site`.
    pub fn new(site: impl Into<String>) -> ContractBook {
        ContractBook {
            site: site.into(),
            ..ContractBook::default()
        }
    }

    /// The site id.
    pub fn site(&self) -> &str {
        &self.site
    }

    /// Payor contracts in listing order.
    pub fn payor_contracts(&self) -> &[PayorContract] {
        &self.payors
    }

    /// The payor contract of a payor id.
    pub fn payor_contract(&self, payor: &str) -> Option<&PayorContract> {
        self.payors.iter().find(|c| c.payor.id == payor)
    }

    /// The payor contract with contract id `id`.
    pub fn payor_contract_by_id(&self, id: &str) -> Option<&PayorContract> {
        self.payors.iter().find(|c| c.id == id)
    }

    /// Self-pay lists.
    pub fn self_pay_lists(&self) -> &[SelfPayList] {
        &self.self_pay
    }

    /// Every price entry, in key order.
    pub fn prices(&self) -> impl Iterator<Item = (&PriceKey, &Price)> {
        self.prices.iter()
    }

    /// The price entry at `key`, if any.
    pub fn price(&self, key: &PriceKey) -> Option<&Price> {
        self.prices.get(key)
    }

    /// Number of price entries.
    pub fn price_count(&self) -> usize {
        self.prices.len()
    }

    /// The known practitioners (listed, or named by a price, list or tariff).
    pub fn practitioners(&self) -> impl Iterator<Item = &str> {
        self.practitioners.keys().map(String::as_str)
    }

    /// Multi-procedure sets in listing order.
    pub fn multi_proc_sets(&self) -> &[MultiProcSet] {
        &self.multi_proc_sets
    }

    /// A multi-procedure set by provider group.
    pub fn multi_proc_set(&self, id: &str) -> Option<&MultiProcSet> {
        self.multi_proc_sets.iter().find(|s| s.id == id)
    }

    /// Every tariff, in key order.
    pub fn tariffs(&self) -> impl Iterator<Item = &Tariff> {
        self.tariffs.values()
    }

    /// Records a practitioner of the site.
    pub fn add_practitioner(&mut self, practitioner: impl Into<String>) {
        self.practitioners.add(practitioner.into());
    }

    /// Whether the practitioner is known to the book.
    pub fn has_practitioner(&self, practitioner: &str) -> bool {
        self.practitioners.contains_key(practitioner)
    }

    /// Adds or updates a payor contract (one per payor). Updating keeps the contract id;
    /// a contract id already used by another payor is `MSG_ENTITY_ALREADY_EXISTS`.
    pub fn add_payor(
        &mut self,
        contract: PayorContract,
    ) -> Result<&PayorContract, OperationOutcome> {
        if self.self_pay.iter().any(|s| s.id == contract.id)
            || self
                .payors
                .iter()
                .any(|c| c.id == contract.id && c.payor.id != contract.payor.id)
        {
            return Err(OperationOutcome::error(
                IssueCode::EntityAlreadyExists,
                format!(
                    "Contract '{}' already exists for another payor.",
                    contract.id
                ),
            ));
        }
        self.syms.intern(&contract.payor.id);
        let pos = match self
            .payors
            .iter()
            .position(|c| c.payor.id == contract.payor.id)
        {
            Some(i) => {
                let old_id = self.payors.get(i).map(|c| c.id.clone()).unwrap_or_default();
                if old_id != contract.id {
                    // The contract id changed: move its prices to the new id.
                    let moved: Vec<(PriceKey, Price)> = self
                        .prices
                        .iter()
                        .filter(|(k, _)| k.contract == old_id)
                        .map(|(k, p)| (k.clone(), p.clone()))
                        .collect();
                    for (mut k, p) in moved {
                        self.prices.remove(&k);
                        k.contract = contract.id.clone();
                        self.prices.insert(k, p);
                    }
                }
                let moved = old_id != contract.id;
                if let Some(slot) = self.payors.get_mut(i) {
                    *slot = contract;
                }
                // The index holds contract ids: only a changed id needs it rebuilt.
                if moved {
                    self.rebuild_index();
                }
                i
            }
            None => {
                self.payors.push(contract);
                self.payors.len() - 1
            }
        };
        self.payors
            .get(pos)
            .ok_or_else(|| OperationOutcome::error(IssueCode::InternalError, "payor contract lost"))
    }

    /// Deletes a payor's contract and every price under it.
    pub fn delete_payor(&mut self, payor: &str) -> Result<PayorContract, OperationOutcome> {
        let i = self
            .payors
            .iter()
            .position(|c| c.payor.id == payor)
            .ok_or_else(|| not_found("Payor", payor))?;
        let removed = self.payors.remove(i);
        self.prices.retain(|k, _| k.contract != removed.id);
        self.rebuild_index();
        Ok(removed)
    }

    /// Adds a practitioner's self-pay list (or returns the existing one of that practitioner).
    pub fn add_self_pay_list(
        &mut self,
        list: SelfPayList,
    ) -> Result<&SelfPayList, OperationOutcome> {
        if self.payors.iter().any(|c| c.id == list.id)
            || self
                .self_pay
                .iter()
                .any(|s| s.id == list.id && s.practitioner != list.practitioner)
        {
            return Err(OperationOutcome::error(
                IssueCode::EntityAlreadyExists,
                format!("Contract '{}' already exists.", list.id),
            ));
        }
        self.practitioners.add(list.practitioner.clone());
        let pos = match self
            .self_pay
            .iter()
            .position(|s| s.practitioner == list.practitioner)
        {
            Some(i) => i,
            None => {
                self.self_pay.push(list);
                self.self_pay.len() - 1
            }
        };
        self.self_pay
            .get(pos)
            .ok_or_else(|| OperationOutcome::error(IssueCode::InternalError, "self-pay list lost"))
    }

    /// Creates the `slf` (Self-Pay) and `na` (All Others) payor contracts when missing, as
    /// listing a site's payors does; `new_id` supplies contract ids. Returns the ids created.
    pub fn ensure_default_payors(&mut self, mut new_id: impl FnMut() -> String) -> Vec<String> {
        let mut created = Vec::new();
        for (payor, display) in [
            (SELF_PAY_PAYOR, "Self-Pay"),
            (ALL_OTHERS_PAYOR, "All Others"),
        ] {
            if self.payor_contract(payor).is_none() {
                let id = new_id();
                let contract = PayorContract {
                    id: id.clone(),
                    payor: PayorRef::insurer(payor),
                    display: Some(display.to_string()),
                    multi_proc_set: None,
                    list_code: None,
                };
                if self.add_payor(contract).is_ok() {
                    created.push(id);
                }
            }
        }
        created
    }

    /// The level and payor of a key, checking that its contract exists and that it is well formed.
    fn classify(&self, key: &PriceKey) -> Result<(PayorRef, SubType), OperationOutcome> {
        if let Some(c) = self.payor_contract_by_id(&key.contract) {
            if key.practitioner.is_some() && key.location.is_some() {
                return Err(OperationOutcome::error(
                    IssueCode::ParamInvalid,
                    "A practitioner bespoke price cannot also name a location.",
                ));
            }
            let sub = if key.practitioner.is_some() {
                SubType::PractitionerBespoke
            } else {
                SubType::FeeSchedule
            };
            return Ok((c.payor.clone(), sub));
        }
        if let Some(s) = self.self_pay.iter().find(|s| s.id == key.contract) {
            if key.location.is_some()
                || key.practitioner.as_deref() != Some(s.practitioner.as_str())
            {
                return Err(OperationOutcome::error(
                    IssueCode::ParamInvalid,
                    format!(
                        "A SELF_PAY price of contract '{}' names practitioner '{}' and no location.",
                        s.id, s.practitioner
                    ),
                ));
            }
            return Ok((PayorRef::insurer(SELF_PAY_PAYOR), SubType::SelfPay));
        }
        Err(not_found("Contract", &key.contract))
    }

    /// Sets (adds or replaces) a price. The contract must exist; a self-pay list's prices
    /// name its practitioner.
    pub fn set_price(&mut self, mut key: PriceKey, price: Price) -> Result<(), OperationOutcome> {
        if let Some(s) = self.self_pay.iter().find(|s| s.id == key.contract) {
            if key.practitioner.is_none() {
                key.practitioner = Some(s.practitioner.clone());
            }
        }
        let (payor, sub) = self.classify(&key)?;
        if let Some(p) = &key.practitioner {
            self.practitioners.add(p.clone());
        }
        let ikey = self.index_key_mut(&key, &payor, sub);
        let contract = self.syms.intern(&key.contract);
        match price.net {
            Some(net) => {
                self.index.insert(ikey, Indexed { net, contract });
            }
            None => {
                self.index.remove(&ikey);
            }
        }
        self.prices.insert(key, price);
        Ok(())
    }

    /// Deletes one price entry, returning it.
    pub fn delete_price(&mut self, key: &PriceKey) -> Option<Price> {
        let removed = self.prices.remove(key)?;
        if let Ok((payor, sub)) = self.classify(key) {
            if let Some(ikey) = self.index_key(key, &payor, sub) {
                self.index.remove(&ikey);
            }
        }
        Some(removed)
    }

    /// Deletes every price matching `filter`, returning how many went.
    pub fn delete_prices(&mut self, filter: &PriceFilter) -> usize {
        let contracts: Option<Vec<String>> = filter.payor.as_ref().map(|p| {
            let mut ids: Vec<String> = self
                .payor_contract(p)
                .map(|c| c.id.clone())
                .into_iter()
                .collect();
            if p == SELF_PAY_PAYOR {
                ids.extend(self.self_pay.iter().map(|s| s.id.clone()));
            }
            ids
        });
        let before = self.prices.len();
        self.prices.retain(|k, _| {
            let hit = k.service == filter.service
                && filter
                    .procedure
                    .as_ref()
                    .is_none_or(|p| k.procedure.as_ref() == Some(p))
                && filter
                    .location
                    .as_ref()
                    .is_none_or(|l| k.location.as_ref() == Some(l))
                && filter
                    .practitioner
                    .as_ref()
                    .is_none_or(|p| k.practitioner.as_ref() == Some(p))
                && contracts
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&k.contract));
            !hit
        });
        let removed = before - self.prices.len();
        if removed > 0 {
            self.rebuild_index();
        }
        removed
    }

    /// Adds or replaces a multi-procedure set (loader semantics: no editable check).
    pub fn set_multi_proc_set(&mut self, set: MultiProcSet) {
        match self.multi_proc_sets.iter_mut().find(|s| s.id == set.id) {
            Some(slot) => *slot = set,
            None => self.multi_proc_sets.push(set),
        }
    }

    /// Replaces the records of an existing set, as the site's `PUT` does: a set that is not
    /// editable is `MSG_OP_NOT_ALLOWED`.
    pub fn replace_multi_proc_rules(
        &mut self,
        id: &str,
        rules: Vec<MultiProcRule>,
    ) -> Result<&MultiProcSet, OperationOutcome> {
        let set = self
            .multi_proc_sets
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| not_found("Multi-procedure set", id))?;
        if !set.editable {
            return Err(OperationOutcome::error(
                IssueCode::OpNotAllowed,
                format!("Multi-procedure set '{id}' is not editable."),
            ));
        }
        set.rules = rules;
        Ok(set)
    }

    /// Adds or replaces a tariff.
    pub fn set_tariff(&mut self, tariff: Tariff) {
        if let Some(p) = &tariff.key.practitioner {
            self.practitioners.add(p.clone());
        }
        self.tariffs.insert(tariff.key.clone(), tariff);
    }

    /// Removes a self-pay list and its prices.
    pub fn remove_self_pay_list(&mut self, id: &str) {
        let before = self.self_pay.len();
        self.self_pay.retain(|s| s.id != id);
        if self.self_pay.len() != before {
            self.prices.retain(|k, _| k.contract != id);
            self.rebuild_index();
        }
    }

    /// Removes a multi-procedure set.
    pub fn remove_multi_proc_set(&mut self, id: &str) {
        self.multi_proc_sets.retain(|s| s.id != id);
    }

    /// Deletes a tariff.
    pub fn delete_tariff(&mut self, key: &TariffKey) -> Option<Tariff> {
        self.tariffs.remove(key)
    }

    /// The multi-procedure set that applies to a payor: its contract's own set, else the
    /// payor's default set.
    pub fn multi_proc_set_for(&self, payor: &str) -> Option<&MultiProcSet> {
        let own = self
            .payor_contract(payor)
            .and_then(|c| c.multi_proc_set.as_deref())
            .and_then(|id| self.multi_proc_set(id));
        own.or_else(|| {
            self.multi_proc_sets
                .iter()
                .find(|s| s.is_default && s.payor.as_deref() == Some(payor))
        })
    }

    /// The payor contract for a payor id (and kind, when given), or `MSG_REFERENCE_ID_NOT_FOUND`.
    pub fn find_payor(
        &self,
        payor: &str,
        kind: Option<PayorKind>,
    ) -> Result<&PayorContract, OperationOutcome> {
        self.payor_contract(payor)
            .filter(|c| kind.is_none_or(|k| c.payor.kind == k))
            .ok_or_else(|| not_found("Payor", payor))
    }

    /// Fails with `MSG_REFERENCE_ID_NOT_FOUND` when `site` is given and is not this book's.
    pub(crate) fn check_site(&self, site: Option<&str>) -> Result<(), OperationOutcome> {
        match site {
            Some(s) if s != self.site => Err(not_found("Site", s)),
            _ => Ok(()),
        }
    }

    /// Fails with `MSG_REFERENCE_ID_NOT_FOUND` for an unknown practitioner.
    pub(crate) fn check_practitioner(
        &self,
        practitioner: Option<&str>,
    ) -> Result<(), OperationOutcome> {
        match practitioner {
            Some(p) if !self.practitioners.contains_key(p) => Err(not_found("Practitioner", p)),
            _ => Ok(()),
        }
    }

    fn level_of(key: &PriceKey, sub: SubType) -> (Option<&str>, LevelName) {
        match sub {
            SubType::SelfPay => (key.practitioner.as_deref(), LevelName::SelfPay),
            SubType::PractitionerBespoke => (key.practitioner.as_deref(), LevelName::Bespoke),
            SubType::FeeSchedule => match &key.location {
                Some(l) => (Some(l.as_str()), LevelName::Location),
                None => (None, LevelName::Site),
            },
        }
    }

    fn index_key_mut(&mut self, key: &PriceKey, payor: &PayorRef, sub: SubType) -> IndexKey {
        let (arg, name) = Self::level_of(key, sub);
        let syms = &mut self.syms;
        let arg = arg.map_or(NONE, |a| syms.intern(a));
        IndexKey {
            payor: syms.intern(&payor.id),
            level: name.with(arg),
            service: key.service.with_key(|k| syms.intern(k)),
            procedure: key
                .procedure
                .as_ref()
                .map_or(NONE, |p| p.with_key(|k| syms.intern(k))),
        }
    }

    fn index_key(&self, key: &PriceKey, payor: &PayorRef, sub: SubType) -> Option<IndexKey> {
        let (arg, name) = Self::level_of(key, sub);
        let arg = match arg {
            Some(a) => self.syms.get(a)?,
            None => NONE,
        };
        Some(IndexKey {
            payor: self.syms.get(&payor.id)?,
            level: name.with(arg),
            service: key.service.with_key(|k| self.syms.get(k))?,
            procedure: match &key.procedure {
                Some(p) => p.with_key(|k| self.syms.get(k))?,
                None => NONE,
            },
        })
    }

    /// Rebuilds the derived index from the price entries (after bulk changes).
    pub(crate) fn rebuild_index(&mut self) {
        self.index.clear();
        let keys: Vec<(PriceKey, Option<Decimal>)> = self
            .prices
            .iter()
            .map(|(k, p)| (k.clone(), p.net))
            .collect();
        for (key, net) in keys {
            let Some(net) = net else { continue };
            if let Ok((payor, sub)) = self.classify(&key) {
                let ikey = self.index_key_mut(&key, &payor, sub);
                let contract = self.syms.intern(&key.contract);
                self.index.insert(ikey, Indexed { net, contract });
            }
        }
    }

    /// The precedence chain for payor `payor` (interned), practitioner and location.
    pub(crate) fn chain(
        &self,
        payor: Sym,
        practitioner: Option<Sym>,
        location: Option<Sym>,
    ) -> Chain {
        let mut chain = Chain {
            steps: [(NONE, Level::Site); MAX_CHAIN],
            len: 0,
        };
        if let Some(p) = practitioner {
            chain.push(payor, Level::Bespoke(p));
        }
        if let Some(l) = location {
            chain.push(payor, Level::Location(l));
        }
        if let (Some(p), Some(slf)) = (practitioner, self.syms.get(SELF_PAY_PAYOR)) {
            if payor == slf {
                chain.push(payor, Level::SelfPay(p));
            }
        }
        chain.push(payor, Level::Site);
        if let Some(na) = self.syms.get(ALL_OTHERS_PAYOR) {
            if na != payor && self.payor_contract(ALL_OTHERS_PAYOR).is_some() {
                if let Some(l) = location {
                    chain.push(na, Level::Location(l));
                }
                chain.push(na, Level::Site);
            }
        }
        chain
    }

    /// The first priced entry along `chain` for a service and procedure (interned).
    #[inline]
    pub(crate) fn resolve(
        &self,
        chain: &Chain,
        service: Sym,
        procedure: Sym,
    ) -> Option<(usize, IndexKey, Indexed)> {
        chain.iter().enumerate().find_map(|(i, &(payor, level))| {
            let k = IndexKey {
                payor,
                level,
                service,
                procedure,
            };
            self.index.get(&k).map(|hit| (i, k, *hit))
        })
    }

    /// Describes the contract behind an index hit.
    pub(crate) fn source_of(&self, key: &IndexKey, hit: &Indexed) -> PriceSource {
        let name = |s: Sym| self.syms.name(s).to_string();
        let contract = name(hit.contract);
        let payor = self
            .payor_contract_by_id(&contract)
            .map(|c| c.payor.clone())
            .unwrap_or_else(|| PayorRef::insurer(name(key.payor)));
        let (sub_type, location, practitioner) = match key.level {
            Level::Bespoke(p) => (SubType::PractitionerBespoke, None, Some(name(p))),
            Level::SelfPay(p) => (SubType::SelfPay, None, Some(name(p))),
            Level::Location(l) => (SubType::FeeSchedule, Some(name(l)), None),
            Level::Site => (SubType::FeeSchedule, None, None),
        };
        PriceSource {
            contract,
            sub_type,
            payor,
            location,
            practitioner,
        }
    }

    /// The payor id and precedence level of a stored price (for listing effective prices).
    pub(crate) fn placement(&self, key: &PriceKey) -> Option<(Sym, Level)> {
        let (payor, sub) = self.classify(key).ok()?;
        let ikey = self.index_key(key, &payor, sub)?;
        Some((ikey.payor, ikey.level))
    }
}

/// Selects prices to delete: a service, and optionally procedure, payor, location, practitioner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceFilter {
    /// The service (always required).
    pub service: Code,
    /// Only this procedure; `None` matches the service alone and all its procedures.
    pub procedure: Option<Code>,
    /// Only this payor's contract (and for `slf`, the self-pay lists).
    pub payor: Option<String>,
    /// Only prices at this location.
    pub location: Option<String>,
    /// Only prices of this practitioner.
    pub practitioner: Option<String>,
}

#[derive(Clone, Copy)]
enum LevelName {
    Bespoke,
    Location,
    SelfPay,
    Site,
}

impl LevelName {
    fn with(self, arg: Sym) -> Level {
        match self {
            LevelName::Bespoke => Level::Bespoke(arg),
            LevelName::Location => Level::Location(arg),
            LevelName::SelfPay => Level::SelfPay(arg),
            LevelName::Site => Level::Site,
        }
    }
}

/// A small book exercising every precedence level, shared by the operations' tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod testbook {
    use super::*;
    use crate::contracts::multiproc::ValueOf;

    pub(crate) fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A tariff for `key` with every message set (`narrative`, `warning`, `reject`,
    /// `option`) and its bands low, median, high and maximum.
    pub(crate) fn tariff(key: TariffKey, [low, median, high, max]: [&str; 4]) -> Tariff {
        Tariff {
            key,
            display: None,
            narrative_message: Some("narrative".into()),
            warning_message: Some("warning".into()),
            reject_message: Some("reject".into()),
            option_message: Some("option".into()),
            low_price: Some(d(low)),
            median_price: Some(d(median)),
            high_price: Some(d(high)),
            maximum_price: Some(d(max)),
        }
    }

    pub(crate) fn rule(g: u32, k: u32, p: &str, v: Option<ValueOf>) -> MultiProcRule {
        MultiProcRule {
            calc_group: g,
            proc_number: k,
            percentage: d(p),
            value_of: v,
        }
    }

    /// The BUPA default multi-procedure set of the seed.
    pub(crate) fn bupa() -> Vec<MultiProcRule> {
        use ValueOf::*;
        let mut rules = vec![
            rule(1, 1, "100", Some(Highest)),
            rule(2, 1, "125", Some(Highest)),
            rule(2, 2, "0", Some(Highest2)),
            rule(3, 1, "140", Some(Highest)),
            rule(3, 2, "0", Some(Highest2)),
            rule(3, 3, "0", Some(Other)),
        ];
        rules.extend((1..=6).map(|k| rule(6, k, "0", None)));
        rules
    }

    fn payor(book: &mut ContractBook, id: &str, payor: &str, kind: PayorKind, set: Option<&str>) {
        book.add_payor(PayorContract {
            id: id.into(),
            payor: PayorRef {
                kind,
                id: payor.into(),
            },
            display: None,
            multi_proc_set: set.map(str::to_string),
            list_code: None,
        })
        .unwrap();
    }

    pub(crate) fn price(
        book: &mut ContractBook,
        contract: &str,
        service: &str,
        procedure: Option<&str>,
        location: Option<&str>,
        practitioner: Option<&str>,
        net: &str,
    ) {
        let key = PriceKey {
            contract: contract.into(),
            service: Code::parse("s", service).unwrap(),
            procedure: procedure.map(|p| Code::parse("p", p).unwrap()),
            location: location.map(str::to_string),
            practitioner: practitioner.map(str::to_string),
        };
        let price = Price {
            net: Some(d(net)),
            last_updated: Some(format!(
                "2026-11-{:02}T10:00:00Z",
                1 + book.price_count() % 28
            )),
            ..Price::default()
        };
        book.set_price(key, price).unwrap();
    }

    /// Site S1: payors bup (100), slf (200), na (300), contact John (400); P1's self-pay
    /// list (500); BUPA's default set; John's own set OWN beside his default DEF.
    pub(crate) fn book() -> ContractBook {
        use ValueOf::*;
        let mut b = ContractBook::new("S1");
        b.add_practitioner("P1");
        b.add_practitioner("P2");
        payor(&mut b, "100", "bup", PayorKind::Insurer, None);
        payor(&mut b, "200", "slf", PayorKind::Insurer, None);
        payor(&mut b, "300", "na", PayorKind::Insurer, None);
        payor(&mut b, "400", "John", PayorKind::Contact, Some("OWN"));
        b.add_self_pay_list(SelfPayList {
            id: "500".into(),
            practitioner: "P1".into(),
        })
        .unwrap();
        let x = "ISC/X";
        price(&mut b, "100", x, None, None, None, "50");
        price(&mut b, "100", x, Some("CCSD/A"), None, None, "100");
        price(&mut b, "100", x, Some("CCSD/B"), None, None, "80");
        price(&mut b, "100", x, Some("CCSD/C"), None, None, "60");
        price(&mut b, "100", x, Some("CCSD/D"), None, None, "60");
        price(&mut b, "100", x, None, Some("L1"), None, "45");
        price(&mut b, "100", x, Some("CCSD/A"), Some("L1"), None, "110");
        price(&mut b, "100", x, None, None, Some("P1"), "40");
        price(&mut b, "200", x, None, None, None, "30");
        price(&mut b, "200", x, None, Some("L1"), None, "28");
        price(&mut b, "500", x, None, None, None, "25");
        price(&mut b, "200", x, None, None, Some("P2"), "20");
        price(&mut b, "300", "ISC/Y", None, None, None, "10");
        price(&mut b, "300", "ISC/Y", None, Some("L1"), None, "9");
        price(&mut b, "400", x, Some("CCSD/A"), None, None, "100");
        price(&mut b, "400", x, Some("CCSD/B"), None, None, "80");
        let set =
            |id: &str, payor: &str, is_default: bool, rules: Vec<MultiProcRule>| MultiProcSet {
                id: id.into(),
                description: format!("{id} set"),
                editable: !is_default,
                payor: Some(payor.into()),
                is_default,
                rules,
            };
        b.set_multi_proc_set(set("0000011460", "bup", true, bupa()));
        b.set_multi_proc_set(set(
            "DEF",
            "John",
            true,
            vec![
                rule(2, 1, "100", Some(Highest)),
                rule(2, 2, "100", Some(Highest2)),
            ],
        ));
        b.set_multi_proc_set(set(
            "OWN",
            "John",
            false,
            vec![
                rule(2, 1, "100", Some(Highest)),
                rule(2, 2, "50", Some(Highest2)),
            ],
        ));
        b
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::testbook::{book, d, rule};
    use super::*;
    use crate::contracts::fee::FeeRequest;
    use crate::params::QueryParams;

    fn fee(b: &ContractBook, query: &str) -> Result<Decimal, OperationOutcome> {
        b.fee_total(&FeeRequest::from_params(&QueryParams::from_query(
            query, false,
        ))?)
    }

    #[test]
    fn deleting_a_payor_removes_its_prices() {
        let mut b = book();
        let before = b.price_count();
        let gone = b.delete_payor("bup").unwrap();
        assert_eq!(gone.id, "100");
        assert_eq!(b.price_count(), before - 8);
        assert_eq!(
            fee(&b, "payor=bup&service-type=ISC/X").unwrap_err().issues[0].code,
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(fee(&b, "payor=slf&service-type=ISC/X").unwrap(), d("30"));
        assert_eq!(
            b.delete_payor("bup").unwrap_err().issues[0].code,
            IssueCode::ReferenceIdNotFound
        );
    }

    #[test]
    fn setting_and_deleting_prices_updates_the_index() {
        let mut b = book();
        let key = PriceKey {
            contract: "100".into(),
            service: Code::new("ISC", "X"),
            procedure: None,
            location: None,
            practitioner: None,
        };
        b.set_price(
            key.clone(),
            Price {
                net: Some(d("51")),
                ..Price::default()
            },
        )
        .unwrap();
        assert_eq!(fee(&b, "payor=bup&service-type=ISC/X").unwrap(), d("51"));
        assert!(b.delete_price(&key).is_some());
        // Falls through to na, which has no ISC/X: not found.
        assert!(fee(&b, "payor=bup&service-type=ISC/X").is_err());
        // A service set without a fee does not shadow anything.
        b.set_price(key.clone(), Price::default()).unwrap();
        assert!(fee(&b, "payor=bup&service-type=ISC/X").is_err());
        let filter = PriceFilter {
            service: Code::new("ISC", "X"),
            procedure: None,
            payor: Some("bup".into()),
            location: None,
            practitioner: None,
        };
        assert_eq!(b.delete_prices(&filter), 8);
        assert_eq!(fee(&b, "payor=slf&service-type=ISC/X").unwrap(), d("30"));
    }

    #[test]
    fn malformed_keys_are_refused() {
        let mut b = book();
        let key = |contract: &str, loc: Option<&str>, prac: Option<&str>| PriceKey {
            contract: contract.into(),
            service: Code::new("ISC", "X"),
            procedure: None,
            location: loc.map(str::to_string),
            practitioner: prac.map(str::to_string),
        };
        let code = |r: Result<(), OperationOutcome>| r.unwrap_err().issues[0].code;
        assert_eq!(
            code(b.set_price(key("999", None, None), Price::default())),
            IssueCode::ReferenceIdNotFound
        );
        assert_eq!(
            code(b.set_price(key("100", Some("L1"), Some("P1")), Price::default())),
            IssueCode::ParamInvalid
        );
        assert_eq!(
            code(b.set_price(key("500", None, Some("P2")), Price::default())),
            IssueCode::ParamInvalid
        );
        // A self-pay price without a practitioner takes the list's owner.
        b.set_price(
            key("500", None, None),
            Price {
                net: Some(d("24")),
                ..Price::default()
            },
        )
        .unwrap();
        assert_eq!(
            fee(&b, "payor=slf&practitioner=P1&service-type=ISC/X").unwrap(),
            d("24")
        );
    }

    #[test]
    fn payor_contracts_are_one_per_payor() {
        let mut b = book();
        let c = |id: &str, payor: &str| PayorContract {
            id: id.into(),
            payor: PayorRef::insurer(payor),
            display: None,
            multi_proc_set: None,
            list_code: None,
        };
        assert_eq!(
            b.add_payor(c("100", "axa")).unwrap_err().issues[0].code,
            IssueCode::EntityAlreadyExists
        );
        assert_eq!(
            b.add_payor(c("500", "axa")).unwrap_err().issues[0].code,
            IssueCode::EntityAlreadyExists
        );
        // Re-adding bup under a new id moves its prices with it.
        b.add_payor(c("101", "bup")).unwrap();
        assert_eq!(b.payor_contract("bup").unwrap().id, "101");
        assert_eq!(fee(&b, "payor=bup&service-type=ISC/X").unwrap(), d("50"));
        assert_eq!(b.payor_contracts().len(), 4);
    }

    #[test]
    fn default_payors_are_created_once() {
        let mut b = ContractBook::new("S9");
        let mut n = 0;
        let created = b.ensure_default_payors(|| {
            n += 1;
            format!("{n:010}")
        });
        assert_eq!(created, ["0000000001", "0000000002"]);
        assert_eq!(
            b.payor_contract("na").unwrap().display.as_deref(),
            Some("All Others")
        );
        assert!(b.ensure_default_payors(|| "x".into()).is_empty());
    }

    #[test]
    fn only_editable_sets_can_be_replaced() {
        let mut b = book();
        let rules = vec![rule(2, 1, "100", None)];
        assert_eq!(
            b.replace_multi_proc_rules("0000011460", rules.clone())
                .unwrap_err()
                .issues[0]
                .code,
            IssueCode::OpNotAllowed
        );
        assert_eq!(
            b.replace_multi_proc_rules("NOPE", rules.clone())
                .unwrap_err()
                .issues[0]
                .code,
            IssueCode::ReferenceIdNotFound
        );
        b.replace_multi_proc_rules("OWN", rules).unwrap();
        // OWN now has "02 #1 100% of v1" only: A=100, B=80 → 100.
        assert_eq!(
            fee(
                &b,
                "payor=John&service-type=ISC/X&procedure-code=CCSD/A,CCSD/B"
            )
            .unwrap(),
            d("100")
        );
    }

    #[test]
    fn contract_price_writes_all_assets_or_none() {
        let mut b = book();
        let body: serde_json::Value = serde_json::from_str(
            r#"{"resourceType":"Contract","subject":[{"reference":"Site/S1"}],"term":[{"asset":[
              {"context":[{"reference":{"reference":"Payor/I-bup"}}],
               "valuedItem":[{"entityCodeableConcept":{"coding":[{"system":"ISC","code":"X"}]}},{"net":{"value":77}}]},
              {"context":[{"reference":{"reference":"Payor/I-zzz"}}],
               "valuedItem":[{"entityCodeableConcept":{"coding":[{"system":"ISC","code":"X"}]}},{"net":{"value":1}}]}]}]}"#,
        )
        .unwrap();
        let e = b.apply_contract_price(&body, None).unwrap_err();
        assert_eq!(e.issues[0].code, IssueCode::ReferenceIdNotFound);
        assert_eq!(fee(&b, "payor=bup&service-type=ISC/X").unwrap(), d("50"));
        let other_site = serde_json::json!({"resourceType": "Contract", "subject": [{"reference": "Site/S2"}], "term": []});
        assert_eq!(
            b.apply_contract_price(&other_site, None)
                .unwrap_err()
                .issues[0]
                .code,
            IssueCode::ReferenceIdNotFound
        );
    }
}
