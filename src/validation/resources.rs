//! Rules of each modelled resource and its backbone elements.

use super::formats::{self, is_code, is_date, is_date_time, is_id, is_instant, is_uri};
use super::{check_code, check_format, require, uk_core, Path, Validate};
use super::{DATE_SHAPE, DATE_TIME_SHAPE, INSTANT_SHAPE};
use crate::model::{
    Bundle, BundleEntry, BundleEntryRequest, BundleEntryResponse, BundleEntrySearch, BundleLink,
    Contract, ContractAsset, ContractAssetContext, ContractTerm, ContractValuedItem, FhirDecimal,
    Location, LocationPosition, OperationOutcomeIssue, OperationOutcomeResource, Organization,
    Parameters, ParametersParameter, Person, PersonLink, Practitioner, PractitionerQualification,
    PractitionerRole, Resource, Schedule, ValueSet, ValueSetContains, ValueSetExpansion,
};
use crate::outcome::{Issue, IssueCode};

/// `Resource.id` and `Resource.language` rules every resource shares.
fn check_common(
    id: Option<&String>,
    language: Option<&String>,
    path: &Path<'_>,
    issues: &mut Vec<Issue>,
) {
    check_format(
        id,
        &path.field("id"),
        "id",
        "1-64 of A-Z a-z 0-9 - .",
        is_id,
        issues,
    );
    check_format(
        language,
        &path.field("language"),
        "code",
        "no leading, trailing or repeated whitespace",
        is_code,
        issues,
    );
}

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

impl Validate for Practitioner {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        check_code(
            self.gender.as_ref(),
            &path.field("gender"),
            "AdministrativeGender",
            formats::ADMINISTRATIVE_GENDER,
            issues,
        );
        check_format(
            self.birth_date.as_ref(),
            &path.field("birthDate"),
            "date",
            DATE_SHAPE,
            is_date,
            issues,
        );
        uk_core::validate_practitioner(self, path, issues);
    }
}

impl Validate for PractitionerQualification {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
    }
}

impl Validate for PractitionerRole {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
    }
}

impl Validate for Location {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        check_code(
            self.status.as_ref(),
            &path.field("status"),
            "LocationStatus",
            formats::LOCATION_STATUS,
            issues,
        );
        check_code(
            self.mode.as_ref(),
            &path.field("mode"),
            "LocationMode",
            formats::LOCATION_MODE,
            issues,
        );
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
        issues.push(
            Issue::error(
                IssueCode::InvalidFormat,
                format!(
                    "{path} {} is outside [-{limit}, {limit}] degrees.",
                    value.as_str()
                ),
            )
            .at(path.to_string()),
        );
    }
}

impl Validate for LocationPosition {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.longitude.as_ref(),
            &path.field("longitude"),
            "Location.position.longitude 1..1",
            issues,
        );
        require(
            self.latitude.as_ref(),
            &path.field("latitude"),
            "Location.position.latitude 1..1",
            issues,
        );
        check_coordinate(self.latitude.as_ref(), &path.field("latitude"), 90, issues);
        check_coordinate(
            self.longitude.as_ref(),
            &path.field("longitude"),
            180,
            issues,
        );
    }
}

impl Validate for Schedule {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        require(
            self.actor.as_ref(),
            &path.field("actor"),
            "Schedule.actor 1..*",
            issues,
        );
    }
}

impl Validate for Organization {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        if self.identifier.is_none() && self.name.is_none() {
            issues.push(
                Issue::error(
                    IssueCode::MissingMandatoryParam,
                    format!(
                        "{path} has neither an identifier nor a name (org-1 needs at least one)."
                    ),
                )
                .at(path.field("name").to_string()),
            );
        }
    }
}

impl Validate for Person {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        check_code(
            self.gender.as_ref(),
            &path.field("gender"),
            "AdministrativeGender",
            formats::ADMINISTRATIVE_GENDER,
            issues,
        );
        check_format(
            self.birth_date.as_ref(),
            &path.field("birthDate"),
            "date",
            DATE_SHAPE,
            is_date,
            issues,
        );
    }
}

impl Validate for PersonLink {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.target.as_ref(),
            &path.field("target"),
            "Person.link.target 1..1",
            issues,
        );
        check_code(
            self.assurance.as_ref(),
            &path.field("assurance"),
            "IdentityAssuranceLevel",
            formats::IDENTITY_ASSURANCE,
            issues,
        );
    }
}

impl Validate for Contract {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        check_format(
            self.issued.as_ref(),
            &path.field("issued"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
        check_format(
            self.status.as_ref(),
            &path.field("status"),
            "code",
            "no leading, trailing or repeated whitespace",
            is_code,
            issues,
        );
    }
}

impl Validate for ContractTerm {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.issued.as_ref(),
            &path.field("issued"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for ContractAsset {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
    }
}

impl Validate for ContractAssetContext {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
    }
}

impl Validate for ContractValuedItem {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.effective_time.as_ref(),
            &path.field("effectiveTime"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
        check_format(
            self.payment_date.as_ref(),
            &path.field("paymentDate"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for Parameters {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
    }
}

impl Validate for ParametersParameter {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.name.as_ref(),
            &path.field("name"),
            "Parameters.parameter.name 1..1",
            issues,
        );
        let kinds = usize::from(self.value.is_some())
            + usize::from(self.resource.is_some())
            + usize::from(self.part.is_some());
        if kinds > 1 {
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!("{path} has more than one of value[x], resource and part (inv-1 allows one)."),
                )
                .at(path.to_string()),
            );
        }
    }
}

impl Validate for Bundle {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        bundle_rules(self, path, issues);
    }
}

/// The Bundle's own rules, apart from its elements: shared with the streaming validator.
pub(crate) fn bundle_rules(bundle: &Bundle, path: &Path<'_>, issues: &mut Vec<Issue>) {
    {
        let this = bundle;
        check_common(this.id.as_ref(), this.language.as_ref(), path, issues);
        require(
            this.type_.as_ref(),
            &path.field("type"),
            "Bundle.type 1..1",
            issues,
        );
        check_code(
            this.type_.as_ref(),
            &path.field("type"),
            "BundleType",
            formats::BUNDLE_TYPE,
            issues,
        );
        check_format(
            this.timestamp.as_ref(),
            &path.field("timestamp"),
            "instant",
            INSTANT_SHAPE,
            is_instant,
            issues,
        );
    }
}

impl Validate for BundleLink {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.relation.as_ref(),
            &path.field("relation"),
            "Bundle.link.relation 1..1",
            issues,
        );
        require(
            self.url.as_ref(),
            &path.field("url"),
            "Bundle.link.url 1..1",
            issues,
        );
        check_format(
            self.url.as_ref(),
            &path.field("url"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
    }
}

impl Validate for BundleEntry {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.full_url.as_ref(),
            &path.field("fullUrl"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
    }
}

impl Validate for BundleEntrySearch {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_code(
            self.mode.as_ref(),
            &path.field("mode"),
            "SearchEntryMode",
            formats::SEARCH_ENTRY_MODE,
            issues,
        );
    }
}

impl Validate for BundleEntryRequest {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.method.as_ref(),
            &path.field("method"),
            "Bundle.entry.request.method 1..1",
            issues,
        );
        check_code(
            self.method.as_ref(),
            &path.field("method"),
            "HTTPVerb",
            formats::HTTP_VERB,
            issues,
        );
        require(
            self.url.as_ref(),
            &path.field("url"),
            "Bundle.entry.request.url 1..1",
            issues,
        );
    }
}

impl Validate for BundleEntryResponse {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.status.as_ref(),
            &path.field("status"),
            "Bundle.entry.response.status 1..1",
            issues,
        );
        check_format(
            self.last_modified.as_ref(),
            &path.field("lastModified"),
            "instant",
            INSTANT_SHAPE,
            is_instant,
            issues,
        );
    }
}

impl Validate for OperationOutcomeResource {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        require(
            self.issue.as_ref(),
            &path.field("issue"),
            "OperationOutcome.issue 1..*",
            issues,
        );
    }
}

impl Validate for OperationOutcomeIssue {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        // Not `validate_fields`: the documents' own outcomes (and ours, in their shape) write
        // `"expression": []`, so empty `location`/`expression` arrays are accepted here.
        let Self {
            id,
            extension,
            modifier_extension,
            severity,
            code,
            details,
            diagnostics,
            location,
            expression,
            extra: _,
        } = self;
        for (value, name) in [
            (id, "id"),
            (severity, "severity"),
            (code, "code"),
            (diagnostics, "diagnostics"),
        ] {
            if let Some(value) = value {
                value.validate(&path.field(name), issues);
            }
        }
        for (value, name) in [
            (extension, "extension"),
            (modifier_extension, "modifierExtension"),
        ] {
            if let Some(value) = value {
                value.validate(&path.field(name), issues);
            }
        }
        if let Some(details) = details {
            details.validate(&path.field("details"), issues);
        }
        for (list, name) in [(location, "location"), (expression, "expression")] {
            let list_path = path.field(name);
            for (i, item) in list.iter().flatten().enumerate() {
                item.validate(&list_path.index(i), issues);
            }
        }
        require(
            self.severity.as_ref(),
            &path.field("severity"),
            "OperationOutcome.issue.severity 1..1",
            issues,
        );
        check_code(
            self.severity.as_ref(),
            &path.field("severity"),
            "IssueSeverity",
            formats::ISSUE_SEVERITY,
            issues,
        );
        require(
            self.code.as_ref(),
            &path.field("code"),
            "OperationOutcome.issue.code 1..1",
            issues,
        );
        check_format(
            self.code.as_ref(),
            &path.field("code"),
            "code",
            "no leading, trailing or repeated whitespace",
            is_code,
            issues,
        );
    }
}

impl Validate for ValueSet {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_common(self.id.as_ref(), self.language.as_ref(), path, issues);
        check_format(
            self.url.as_ref(),
            &path.field("url"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
        check_code(
            self.status.as_ref(),
            &path.field("status"),
            "PublicationStatus",
            formats::PUBLICATION_STATUS,
            issues,
        );
        check_format(
            self.date.as_ref(),
            &path.field("date"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for ValueSetExpansion {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.timestamp.as_ref(),
            &path.field("timestamp"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for ValueSetContains {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.system.as_ref(),
            &path.field("system"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
        check_format(
            self.code.as_ref(),
            &path.field("code"),
            "code",
            "no leading, trailing or repeated whitespace",
            is_code,
            issues,
        );
    }
}
