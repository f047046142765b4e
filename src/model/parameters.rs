//! `Parameters`: operation inputs/outputs (the practitioner photo answer).

use super::{Extension, Meta, Resource};

fhir_type! {
    /// A set of named parameters.
    pub struct Parameters ["Parameters"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        parameter: Vec<ParametersParameter> = "parameter",
    }
}

fhir_type! {
    /// One named parameter: a `value[x]`, a `resource` or nested `part`s.
    pub struct ParametersParameter {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        name: String = "name",
        resource: Box<Resource> = "resource",
        part: Vec<ParametersParameter> = "part",
    }
    choice value;
}

impl Parameters {
    /// The first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&ParametersParameter> {
        self.parameter
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name))
    }
}
