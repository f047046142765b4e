//! Rules of the general-purpose datatypes and of `Extension` / `value[x]`.

use super::formats::{self, is_code, is_date, is_date_time, is_id, is_instant, is_uri};
use super::{check_code, check_format, require, Path, Validate};
use super::{DATE_SHAPE, DATE_TIME_SHAPE, INSTANT_SHAPE};
use crate::model::{
    Address, Attachment, ChoiceValue, CodeableConcept, Coding, ContactPoint, Extension, HumanName,
    Identifier, Meta, Money, Period, Reference,
};
use crate::outcome::{Issue, IssueCode};

impl Validate for Coding {
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

impl Validate for CodeableConcept {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
    }
}

impl Validate for Identifier {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_code(
            self.use_.as_ref(),
            &path.field("use"),
            "IdentifierUse",
            formats::IDENTIFIER_USE,
            issues,
        );
        check_format(
            self.system.as_ref(),
            &path.field("system"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
    }
}

impl Validate for HumanName {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_code(
            self.use_.as_ref(),
            &path.field("use"),
            "NameUse",
            formats::NAME_USE,
            issues,
        );
    }
}

impl Validate for Address {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_code(
            self.use_.as_ref(),
            &path.field("use"),
            "AddressUse",
            formats::ADDRESS_USE,
            issues,
        );
        check_code(
            self.type_.as_ref(),
            &path.field("type"),
            "AddressType",
            formats::ADDRESS_TYPE,
            issues,
        );
    }
}

impl Validate for ContactPoint {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_code(
            self.system.as_ref(),
            &path.field("system"),
            "ContactPointSystem",
            formats::CONTACT_POINT_SYSTEM,
            issues,
        );
        check_code(
            self.use_.as_ref(),
            &path.field("use"),
            "ContactPointUse",
            formats::CONTACT_POINT_USE,
            issues,
        );
        if self.value.is_some() {
            require(
                self.system.as_ref(),
                &path.field("system"),
                "cpt-2: a contact point with a value needs a system",
                issues,
            );
        }
        if self.rank == Some(0) {
            let p = path.field("rank");
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!("{p} must be a positiveInt (1 or more)."),
                )
                .at(p.to_string()),
            );
        }
    }
}

impl Validate for Period {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.start.as_ref(),
            &path.field("start"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
        check_format(
            self.end.as_ref(),
            &path.field("end"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for Reference {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.type_.as_ref(),
            &path.field("type"),
            "uri",
            "no whitespace",
            is_uri,
            issues,
        );
    }
}

impl Validate for Attachment {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        if self.data.is_some() {
            require(
                self.content_type.as_ref(),
                &path.field("contentType"),
                "att-1: an attachment with data needs a contentType",
                issues,
            );
        }
        check_format(
            self.url.as_ref(),
            &path.field("url"),
            "url",
            "no whitespace",
            is_uri,
            issues,
        );
        check_format(
            self.creation.as_ref(),
            &path.field("creation"),
            "dateTime",
            DATE_TIME_SHAPE,
            is_date_time,
            issues,
        );
    }
}

impl Validate for Meta {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.version_id.as_ref(),
            &path.field("versionId"),
            "id",
            "1-64 of A-Z a-z 0-9 - .",
            is_id,
            issues,
        );
        check_format(
            self.last_updated.as_ref(),
            &path.field("lastUpdated"),
            "instant",
            INSTANT_SHAPE,
            is_instant,
            issues,
        );
    }
}

impl Validate for Money {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        check_format(
            self.currency.as_ref(),
            &path.field("currency"),
            "code (ISO 4217 currency)",
            "three upper-case letters such as GBP",
            |c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()),
            issues,
        );
    }
}

impl Validate for Extension {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        self.validate_fields(path, issues);
        require(
            self.url.as_ref(),
            &path.field("url"),
            "every extension has a url",
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
        if self.value.is_some() && self.extension.as_ref().is_some_and(|e| !e.is_empty()) {
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!("{path} has both nested extensions and a value[x] (ext-1 allows one or the other)."),
                )
                .at(path.to_string()),
            );
        }
        if self.value.is_none() && self.extension.is_none() {
            issues.push(
                Issue::error(
                    IssueCode::MissingMandatoryParam,
                    format!(
                        "{path} has neither nested extensions nor a value[x] (ext-1 needs one)."
                    ),
                )
                .at(path.to_string()),
            );
        }
        for key in self.extra.keys().filter(|k| ChoiceValue::is_choice_key(k)) {
            let p = path.field(key);
            issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!("{p}: an extension has at most one value[x]."),
                )
                .at(p.to_string()),
            );
        }
    }
}

impl Validate for ChoiceValue {
    fn validate(&self, path: &Path<'_>, issues: &mut Vec<Issue>) {
        match self {
            ChoiceValue::String(s)
            | ChoiceValue::Markdown(s)
            | ChoiceValue::Base64Binary(s)
            | ChoiceValue::Canonical(s) => s.validate(path, issues),
            ChoiceValue::Code(s) => {
                s.validate(path, issues);
                check_format(
                    Some(s),
                    path,
                    "code",
                    "no leading, trailing or repeated whitespace",
                    is_code,
                    issues,
                );
            }
            ChoiceValue::Id(s) => {
                s.validate(path, issues);
                check_format(
                    Some(s),
                    path,
                    "id",
                    "1-64 of A-Z a-z 0-9 - .",
                    is_id,
                    issues,
                );
            }
            ChoiceValue::Uri(s) | ChoiceValue::Url(s) => {
                s.validate(path, issues);
                check_format(Some(s), path, "uri", "no whitespace", is_uri, issues);
            }
            ChoiceValue::Date(s) => {
                s.validate(path, issues);
                check_format(Some(s), path, "date", DATE_SHAPE, is_date, issues);
            }
            ChoiceValue::DateTime(s) => {
                s.validate(path, issues);
                check_format(
                    Some(s),
                    path,
                    "dateTime",
                    DATE_TIME_SHAPE,
                    is_date_time,
                    issues,
                );
            }
            ChoiceValue::Instant(s) => {
                s.validate(path, issues);
                check_format(Some(s), path, "instant", INSTANT_SHAPE, is_instant, issues);
            }
            ChoiceValue::PositiveInt(0) => issues.push(
                Issue::error(
                    IssueCode::InvalidFormat,
                    format!("{path} must be a positiveInt (1 or more)."),
                )
                .at(path.to_string()),
            ),
            ChoiceValue::Boolean(_)
            | ChoiceValue::Integer(_)
            | ChoiceValue::PositiveInt(_)
            | ChoiceValue::UnsignedInt(_)
            | ChoiceValue::Decimal(_)
            | ChoiceValue::Other(..) => {}
            ChoiceValue::Coding(v) => v.validate(path, issues),
            ChoiceValue::CodeableConcept(v) => v.validate(path, issues),
            ChoiceValue::Identifier(v) => v.validate(path, issues),
            ChoiceValue::Reference(v) => v.validate(path, issues),
            ChoiceValue::Period(v) => v.validate(path, issues),
            ChoiceValue::Attachment(v) => v.validate(path, issues),
            ChoiceValue::Money(v) => v.validate(path, issues),
            ChoiceValue::HumanName(v) => v.validate(path, issues),
            ChoiceValue::Address(v) => v.validate(path, issues),
            ChoiceValue::ContactPoint(v) => v.validate(path, issues),
        }
    }
}
