//! `PractitionerRole`: a practitioner at a location (seed 000 role search).

use super::{CodeableConcept, ContactPoint, Identifier, Period, Reference};

fhir_type! {
    /// A practitioner's role at a location, with specialties.
    pub struct PractitionerRole: DomainResource ["PractitionerRole"] {
        identifier: Vec<Identifier> = "identifier",
        active: bool = "active",
        period: Period = "period",
        practitioner: Reference = "practitioner",
        organization: Reference = "organization",
        code: Vec<CodeableConcept> = "code",
        specialty: Vec<CodeableConcept> = "specialty",
        location: Vec<Reference> = "location",
        healthcare_service: Vec<Reference> = "healthcareService",
        telecom: Vec<ContactPoint> = "telecom",
        availability_exceptions: String = "availabilityExceptions",
        endpoint: Vec<Reference> = "endpoint",
    }
}
