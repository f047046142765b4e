//! `Schedule`: a practitioner's bookable planning horizon (drives online-booking search).

use super::{CodeableConcept, Extension, Identifier, Meta, Period, Reference};

fhir_type! {
    /// A container for slots of time that may be available for booking.
    pub struct Schedule ["Schedule"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        identifier: Vec<Identifier> = "identifier",
        active: bool = "active",
        service_category: Vec<CodeableConcept> = "serviceCategory",
        service_type: Vec<CodeableConcept> = "serviceType",
        specialty: Vec<CodeableConcept> = "specialty",
        actor: Vec<Reference> = "actor",
        planning_horizon: Period = "planningHorizon",
        comment: String = "comment",
    }
}
