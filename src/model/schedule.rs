//! `Schedule`: a practitioner's bookable planning horizon (drives online-booking search).

use super::{CodeableConcept, Identifier, Period, Reference};

fhir_type! {
    /// A container for slots of time that may be available for booking.
    pub struct Schedule: DomainResource ["Schedule"] {
        identifier: Vec<Identifier> = "identifier",
        active: bool = "active",
        service_category: Vec<CodeableConcept> = "serviceCategory",
        service_type: Vec<CodeableConcept> = "serviceType",
        specialty: Vec<CodeableConcept> = "specialty",
        actor: Vec<Reference> = "actor" [1..*],
        planning_horizon: Period = "planningHorizon",
        comment: String = "comment",
    }
}
