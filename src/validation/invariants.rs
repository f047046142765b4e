//! The R4 invariants of the modelled types, each written once, and the rules of a type that
//! its elements' declarations cannot say (formats, required elements and bindings follow
//! from the model's field types and markers; see `fhir_type!`).

use super::formats::{self, date_time_range};
use super::{push_error, quote, report_invariant, uk_core, Path, Validate};
use crate::model::{
    Address, Attachment, Bundle, BundleEntry, BundleEntryRequest, BundleEntryResponse,
    BundleEntrySearch, BundleLink, ChoiceValue, CodeableConcept, Coding, ContactPoint, Contract,
    ContractAsset, ContractAssetContext, ContractTerm, ContractTermOffer, ContractValuedItem,
    Extension, FhirDecimal, HumanName, Identifier, Location, LocationPosition, Meta, Money,
    Narrative, OperationOutcomeIssue, OperationOutcomeResource, Organization, Parameters,
    ParametersParameter, Period, Person, PersonLink, Practitioner, PractitionerQualification,
    PractitionerRole, Quantity, Reference, Resource, Schedule, ValueSet, ValueSetContains,
    ValueSetExpansion,
};
use crate::outcome::{Issue, IssueCode};

/// The rules of a type beyond its elements' own, run after them.
pub trait Invariants {
    /// Appends every broken rule of `self` (at `path`) to `issues`.
    fn invariants(&self, _path: &Path<'_>, _issues: &mut Vec<Issue>) {}
}

/// Types whose every R4 rule follows from their elements' declarations (or `ele-1`).
macro_rules! no_invariants {
    ($($t:ty),* $(,)?) => { $(impl Invariants for $t {})* };
}

no_invariants!(
    Coding,
    CodeableConcept,
    Identifier,
    HumanName,
    Address,
    Meta,
    PractitionerQualification,
    PractitionerRole,
    Schedule,
    Person,
    PersonLink,
    Contract,
    ContractTerm,
    ContractTermOffer,
    ContractAsset,
    ContractAssetContext,
    ContractValuedItem,
    Parameters,
    BundleLink,
    BundleEntrySearch,
    BundleEntryRequest,
    BundleEntryResponse,
    OperationOutcomeResource,
    OperationOutcomeIssue,
    ValueSet,
    ValueSetExpansion,
    ValueSetContains,
);

impl Validate for Resource {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        match self {
            Resource::Practitioner(r) => r.validate(path, issues),
            Resource::PractitionerRole(r) => r.validate(path, issues),
            Resource::Location(r) => r.validate(path, issues),
            Resource::Schedule(r) => r.validate(path, issues),
            Resource::Organization(r) => r.validate(path, issues),
            Resource::Person(r) => r.validate(path, issues),
            Resource::Contract(r) => r.validate(path, issues),
            Resource::Parameters(r) => r.validate(path, issues),
            Resource::Bundle(r) => r.validate(path, issues),
            Resource::OperationOutcome(r) => r.validate(path, issues),
            Resource::ValueSet(r) => r.validate(path, issues),
            // Outside the model: it parsed as a JSON object with a resourceType, nothing more is known.
            Resource::Other(_) => {}
        }
    }
}

/// `key`: an element with its `has` element present needs its `needs` element too.
fn needs(
    present: (bool, bool),
    names: (&str, &str),
    key: &str,
    why: &str,
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
) {
    let ((has, needed), (has_name, needed_name)) = (present, names);
    if has && !needed {
        report_invariant(
            IssueCode::MissingMandatoryParam,
            &path.field(needed_name),
            key,
            format_args!("{path} has a {has_name} but no {needed_name}; {why}."),
            issues,
        );
    }
}

/// Invariants of the form "an element with X needs Y", one line each.
macro_rules! needs_rules {
    ($( $ty:ty: $has:ident $has_json:literal => $needed:ident $needed_json:literal,
        $key:literal, $why:literal; )*) => {$(
        #[doc = concat!("`", $key, "`: ", $why, ".")]
        impl Invariants for $ty {
            fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
                let present = (self.$has.is_some(), self.$needed.is_some());
                needs(present, ($has_json, $needed_json), $key, $why, path, issues);
            }
        }
    )*};
}

needs_rules! {
    ContactPoint: value "value" => system "system",
        "cpt-2", "a contact point with a value needs a system";
    Attachment: data "data" => content_type "contentType",
        "att-1", "an attachment with data needs a contentType";
    Quantity: code "code" => system "system",
        "qty-3", "a coded unit needs its system";
}

/// `per-1`: a Period's start is not after its end. Partial dates are ranges (`2011` is the
/// whole year): the rule is broken only when the whole of start is after the whole of end.
impl Invariants for Period {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let (Some(start), Some(end)) = (self.start.as_deref(), self.end.as_deref()) else {
            return;
        };
        let (Some((earliest_start, _)), Some((_, latest_end))) =
            (date_time_range(start), date_time_range(end))
        else {
            return; // a bad format is reported by the element's type
        };
        if earliest_start > latest_end {
            report_invariant(
                IssueCode::InvalidFormat,
                path,
                "per-1",
                format_args!(
                    "{path} starts {} after it ends {}; a period's start is not after its end.",
                    quote(start),
                    quote(end)
                ),
                issues,
            );
        }
    }
}

/// `ref-1`: a local reference (`#id`) names a contained resource of the resource holding it
/// (`#` alone is the holding resource itself).
impl Invariants for Reference {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let Some(local) = self.reference.as_deref().and_then(|r| r.strip_prefix('#')) else {
            return;
        };
        if local.is_empty() {
            return;
        }
        let found = path
            .contained()
            .and_then(serde_json::Value::as_array)
            .is_some_and(|contained| {
                contained
                    .iter()
                    .any(|r| r.get("id").and_then(serde_json::Value::as_str) == Some(local))
            });
        if !found {
            report_invariant(
                IssueCode::ReferenceIdNotFound,
                &path.field("reference"),
                "ref-1",
                format_args!(
                    "{path} is the local reference {}, but the resource contains no resource with id {}.",
                    quote(&format!("#{local}")),
                    quote(local)
                ),
                issues,
            );
        }
    }
}

/// Money.currency is an ISO 4217 code (a required binding; its shape is checked here).
impl Invariants for Money {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if let Some(currency) = self.currency.as_deref() {
            if !currency.is_empty() && !formats::is_currency(currency) {
                let at = path.field("currency");
                let message = format!(
                    "{at} {} is not an ISO 4217 currency code (three upper-case letters such as GBP).",
                    quote(currency)
                );
                push_error(issues, IssueCode::InvalidFormat, &at, message);
            }
        }
    }
}

/// The narrative is XHTML in one `div` in the XHTML namespace (R4's xhtml type), holding only
/// the elements and attributes `txt-1` allows, with some content (`txt-2`).
impl Invariants for Narrative {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let Some(div) = self.div.as_deref() else {
            return;
        };
        let at = path.field("div");
        let trimmed = div.trim();
        if trimmed.is_empty() {
            return;
        }
        if let Some(problem) = narrative_problem(trimmed) {
            report_invariant(
                IssueCode::InvalidFormat,
                &at,
                "txt-1",
                format_args!("{at} is not narrative XHTML: {problem}."),
                issues,
            );
        } else if !has_content(trimmed) {
            report_invariant(
                IssueCode::InvalidFormat,
                &at,
                "txt-2",
                format_args!("{at} has no non-whitespace content; a narrative has some."),
                issues,
            );
        }
    }
}

/// The XHTML namespace every narrative `div` declares.
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The elements `txt-1` allows: HTML 4.0's basic formatting elements (chapters 7-11 except
/// section 4 of chapter 9, and 15), `a` and `img`. No `script`, forms, frames, objects,
/// `head`/`body`, `ins`/`del` or `style` elements.
const NARRATIVE_ELEMENTS: [&str; 51] = [
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// What is wrong with a narrative's XHTML, if anything: the text must be one `div` element
/// declaring the XHTML namespace; every element must be one `txt-1` allows; no attribute may
/// be an event handler (`onclick`...). A tag scan, not an XML parse: well-formedness beyond
/// the tags themselves is not checked.
fn narrative_problem(xhtml: &str) -> Option<String> {
    if !xhtml.starts_with("<div") || !(xhtml.ends_with("</div>") || xhtml.ends_with("/>")) {
        return Some("it is not one <div> element".to_owned());
    }
    let mut rest = xhtml;
    let mut root = true;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if rest.starts_with('/') || rest.starts_with('!') || rest.starts_with('?') {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            continue;
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let local = name.rsplit(':').next().unwrap_or(name);
        if !NARRATIVE_ELEMENTS
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(local))
        {
            return Some(format!("the element <{name}> is not allowed (txt-1)"));
        }
        let (attributes, after) = tag_attributes(&rest[name_len..]);
        rest = after;
        let mut namespace = None;
        for (attribute, value) in attributes {
            let handler = attribute.len() > 2
                && attribute
                    .get(..2)
                    .is_some_and(|p| p.eq_ignore_ascii_case("on"));
            if handler {
                return Some(format!(
                    "the attribute {attribute} on <{name}> is an event handler (txt-1)"
                ));
            }
            if attribute == "xmlns" {
                namespace = Some(value);
            }
        }
        if root {
            root = false;
            if namespace != Some(XHTML_NS) {
                return Some(format!(
                    "the <div> does not declare the XHTML namespace (xmlns=\"{XHTML_NS}\")"
                ));
            }
        }
    }
    None
}

/// The attributes of a start tag (`name="value"` pairs, after the element name) and the text
/// after the tag's `>`.
fn tag_attributes(tag: &str) -> (Vec<(&str, &str)>, &str) {
    let mut out = Vec::new();
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return (out, rest);
        }
        if let Some(after) = rest.strip_prefix('>') {
            return (out, after);
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len())
            .max(1);
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start();
        let mut value = "";
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            match after_eq.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    value = &body[..end];
                    rest = body.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after_eq.len());
                    value = &after_eq[..end];
                    rest = &after_eq[end..];
                }
            }
        }
        out.push((name, value));
    }
}

/// Whether XHTML has text outside its tags, or an image.
fn has_content(xhtml: &str) -> bool {
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && !c.is_whitespace() => return true,
            _ => {}
        }
    }
    xhtml.contains("<img")
}

/// `ext-1`: an extension has nested extensions or a `value[x]`, not both; and one `value[x]`.
impl Invariants for Extension {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let nested = self.extension.as_ref().is_some_and(|e| !e.is_empty());
        if self.value.is_some() && nested {
            report_invariant(
                IssueCode::InvalidFormat,
                path,
                "ext-1",
                format_args!(
                    "{path} has both nested extensions and a value[x]; it has one or the other."
                ),
                issues,
            );
        }
        if self.value.is_none() && self.extension.is_none() {
            report_invariant(
                IssueCode::MissingMandatoryParam,
                path,
                "ext-1",
                format_args!("{path} has neither nested extensions nor a value[x]; it needs one."),
                issues,
            );
        }
        for key in self.extra.keys().filter(|k| ChoiceValue::is_choice_key(k)) {
            let p = path.field(key);
            let message = format!("{p}: an extension has at most one value[x].");
            push_error(issues, IssueCode::InvalidFormat, &p, message);
        }
    }
}

/// The UK Core Practitioner profile (seed 004) on every Practitioner.
impl Invariants for Practitioner {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        uk_core::validate_practitioner(self, path, issues);
    }
}

/// `org-1`: an organization has an identifier or a name.
impl Invariants for Organization {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.identifier.is_none() && self.name.is_none() {
            report_invariant(
                IssueCode::MissingMandatoryParam,
                &path.field("name"),
                "org-1",
                format_args!("{path} has neither an identifier nor a name; it needs at least one."),
                issues,
            );
        }
    }
}

impl Invariants for Location {}

/// WGS84 degrees: latitude within ±90, longitude within ±180.
impl Invariants for LocationPosition {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        for (value, name, limit) in [
            (&self.latitude, "latitude", 90),
            (&self.longitude, "longitude", 180),
        ] {
            check_coordinate(value.as_ref(), &path.field(name), limit, issues);
        }
    }
}

fn check_coordinate(
    value: Option<&FhirDecimal>,
    path: &Path<'_>,
    limit: i64,
    issues: &mut Vec<Issue>,
) {
    let Some(value) = value else { return };
    let limit = rust_decimal::Decimal::from(limit);
    let in_range = value
        .to_decimal()
        .is_some_and(|d| d >= -limit && d <= limit);
    if !in_range {
        let message = format!(
            "{path} {} is outside [-{limit}, {limit}] degrees.",
            value.as_str()
        );
        push_error(issues, IssueCode::InvalidFormat, path, message);
    }
}

/// `inv-1`: a parameter has one of `value[x]`, `resource` and `part`.
impl Invariants for ParametersParameter {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let kinds = usize::from(self.value.is_some())
            + usize::from(self.resource.is_some())
            + usize::from(self.part.is_some());
        if kinds > 1 {
            report_invariant(
                IssueCode::InvalidFormat,
                path,
                "inv-1",
                format_args!(
                    "{path} has more than one of value[x], resource and part; it has one."
                ),
                issues,
            );
        }
    }
}

/// `bdl-1`: `total` only in a search or history Bundle.
impl Invariants for Bundle {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        let listing = matches!(self.type_.as_deref(), Some("searchset" | "history") | None);
        if self.total.is_some() && !listing {
            report_invariant(
                IssueCode::InvalidFormat,
                &path.field("total"),
                "bdl-1",
                format_args!("{path} has a total but is not a searchset or history."),
                issues,
            );
        }
    }
}

/// `bdl-5`: an entry has a resource, a request or a response.
impl Invariants for BundleEntry {
    fn invariants(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        if self.resource.is_none() && self.request.is_none() && self.response.is_none() {
            report_invariant(
                IssueCode::MissingMandatoryParam,
                &path.field("resource"),
                "bdl-5",
                format_args!("{path} has no resource, request or response; an entry has one."),
                issues,
            );
        }
    }
}
