//! `Practitioner` (UK Core / Healthcode PPR) with typed access to the Healthcode extensions.

use super::{CodeableConcept, Coding, Extension, Practitioner};

/// The Healthcode extension URLs (seed 000): `https://ref.api.healthcode.co.uk/extension/`
/// and the extension's name.
pub mod healthcode {
    macro_rules! extension_urls {
        ($($(#[$meta:meta])* $name:ident = $tail:literal;)*) => {$(
            $(#[$meta])*
            pub const $name: &str = concat!("https://ref.api.healthcode.co.uk/extension/", $tail);
        )*};
    }

    extension_urls! {
        /// `valueString` `Y`/`N`: whether the practitioner holds indemnity.
        INDEMNITY_STATUS = "indemnityStatus";
        /// `valueBoolean`: online booking enabled.
        ONLINE_BOOKING_STATUS = "onlineBookingStatus";
        /// Group (and first child) of profession / specialty / subspecialty.
        PROFESSION = "profession";
        /// Child of the profession group.
        SPECIALTY = "specialty";
        /// Child of the profession group.
        SUBSPECIALTY = "subspecialty";
        /// Group of regulatory body / reference / registration date.
        REGISTRATION_NUMBERS = "registrationnumbers";
        /// Child of registration numbers (`valueCodeableConcept`).
        REGULATORY_BODY = "regulatorybody";
        /// Child of registration numbers (`valueString`).
        REGULATOR_REFERENCE = "regulatorreference";
        /// Child of registration numbers (`valueString`, `dd.mm.yyyy` as the documents write it).
        REGISTRATION_DATE = "registrationdate";
        /// Group of insurer / provider code / recognition status.
        INSURERS = "insurers";
        /// Child of insurers (`valueCodeableConcept`).
        INSURER = "insurer";
        /// Child of insurers (`valueString`).
        INSURER_PROVIDER_CODE = "insurerprovidercode";
        /// Child of insurers (`valueCodeableConcept`).
        RECOGNITION_STATUS = "recognitionstatus";
    }
}

/// One `profession` group: profession, specialty and subspecialty held together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfessionEntry<'a> {
    /// Profession coding (e.g. `00U` Surgeon).
    pub profession: Option<&'a Coding>,
    /// Specialty coding (e.g. `0003A`).
    pub specialty: Option<&'a Coding>,
    /// Subspecialty coding (e.g. `0000L`).
    pub subspecialty: Option<&'a Coding>,
}

/// One `registrationnumbers` group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegistrationNumbers<'a> {
    /// Regulatory body coding (e.g. `GMC`).
    pub regulatory_body: Option<&'a Coding>,
    /// The regulator's reference number.
    pub regulator_reference: Option<&'a str>,
    /// Registration date as written (`08.05.1997`).
    pub registration_date: Option<&'a str>,
}

/// One `insurers` group: an insurer and the practitioner's standing with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InsurerEntry<'a> {
    /// Insurer coding (e.g. `nuh` Aviva).
    pub insurer: Option<&'a Coding>,
    /// Provider number the insurer assigned.
    pub insurer_provider_code: Option<&'a str>,
    /// Recognition status coding (`Y`/`N`/`P`).
    pub recognition_status: Option<&'a Coding>,
}

fn child_str<'a>(group: &'a Extension, url: &str) -> Option<&'a str> {
    group.child(url).and_then(Extension::value_str)
}

fn child_coding<'a>(group: &'a Extension, url: &str) -> Option<&'a Coding> {
    group
        .child(url)
        .and_then(Extension::value_codeable_concept)
        .and_then(CodeableConcept::first_coding)
}

impl Practitioner {
    /// Top-level extensions whose `url` is `url`.
    pub fn extensions<'a>(&'a self, url: &'a str) -> impl Iterator<Item = &'a Extension> + 'a {
        self.extension
            .iter()
            .flatten()
            .filter(move |e| e.url.as_deref() == Some(url))
    }

    /// Healthcode `indemnityStatus` (`Y`/`N`).
    pub fn indemnity_status(&self) -> Option<&str> {
        self.extensions(healthcode::INDEMNITY_STATUS)
            .next()
            .and_then(Extension::value_str)
    }

    /// Healthcode `onlineBookingStatus`.
    pub fn online_booking_status(&self) -> Option<bool> {
        self.extensions(healthcode::ONLINE_BOOKING_STATUS)
            .next()
            .and_then(Extension::value_bool)
    }

    /// Every `profession` group.
    pub fn professions(&self) -> Vec<ProfessionEntry<'_>> {
        self.extensions(healthcode::PROFESSION)
            .map(|group| ProfessionEntry {
                profession: child_coding(group, healthcode::PROFESSION),
                specialty: child_coding(group, healthcode::SPECIALTY),
                subspecialty: child_coding(group, healthcode::SUBSPECIALTY),
            })
            .collect()
    }

    /// Every `registrationnumbers` group.
    pub fn registration_numbers(&self) -> Vec<RegistrationNumbers<'_>> {
        self.extensions(healthcode::REGISTRATION_NUMBERS)
            .map(|group| RegistrationNumbers {
                regulatory_body: child_coding(group, healthcode::REGULATORY_BODY),
                regulator_reference: child_str(group, healthcode::REGULATOR_REFERENCE),
                registration_date: child_str(group, healthcode::REGISTRATION_DATE),
            })
            .collect()
    }

    /// Every `insurers` group.
    pub fn insurers(&self) -> Vec<InsurerEntry<'_>> {
        self.extensions(healthcode::INSURERS)
            .map(|group| InsurerEntry {
                insurer: child_coding(group, healthcode::INSURER),
                insurer_provider_code: child_str(group, healthcode::INSURER_PROVIDER_CODE),
                recognition_status: child_coding(group, healthcode::RECOGNITION_STATUS),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;

    fn seed_practitioner() -> Practitioner {
        let json =
            include_str!("../../tests/fixtures/000_01_search_practitioner_endpoint_response.json");
        let Ok(Resource::Bundle(bundle)) = crate::fhir::parse_typed(json) else {
            unreachable!("seed 000 is a Bundle")
        };
        let first = bundle.resources().next().cloned();
        match first {
            Some(Resource::Practitioner(p)) => *p,
            other => unreachable!("expected a Practitioner, got {other:?}"),
        }
    }

    fn code(c: Option<&Coding>) -> Option<(&str, &str)> {
        c.and_then(|c| Some((c.code.as_deref()?, c.display.as_deref()?)))
    }

    #[test]
    fn healthcode_extensions_are_typed() {
        let p = seed_practitioner();
        assert_eq!(p.id.as_deref(), Some("SP09000"));
        assert_eq!(p.indemnity_status(), Some("N"));
        assert_eq!(p.online_booking_status(), Some(false));

        let professions = p.professions();
        assert_eq!(professions.len(), 1);
        assert_eq!(code(professions[0].profession), Some(("00U", "Surgeon")));
        assert_eq!(
            code(professions[0].specialty),
            Some(("0003A", "Trauma & Orthopaedics"))
        );
        assert_eq!(code(professions[0].subspecialty), Some(("0000L", "Hip")));

        let registrations = p.registration_numbers();
        assert_eq!(registrations.len(), 1);
        assert_eq!(
            code(registrations[0].regulatory_body),
            Some(("GMC", "General Medical Council"))
        );
        assert_eq!(registrations[0].regulator_reference, Some("1234567"));
        assert_eq!(registrations[0].registration_date, Some("08.05.1997"));

        let insurers = p.insurers();
        assert_eq!(insurers.len(), 1);
        assert_eq!(code(insurers[0].insurer), Some(("nuh", "Aviva")));
        assert_eq!(insurers[0].insurer_provider_code, Some("984572186"));
        assert_eq!(
            code(insurers[0].recognition_status),
            Some(("Y", "Recognised"))
        );

        assert_eq!(p.birth_date.as_deref(), Some("09.05.1977"));
        assert_eq!(p.gender.as_deref(), Some("female"));
    }

    #[test]
    fn accessors_are_empty_without_extensions() {
        let p = Practitioner::default();
        assert_eq!(p.indemnity_status(), None);
        assert_eq!(p.online_booking_status(), None);
        assert!(p.professions().is_empty());
        assert!(p.insurers().is_empty());
        assert!(p.registration_numbers().is_empty());
    }
}
