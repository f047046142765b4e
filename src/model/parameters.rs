//! `Parameters`: operation inputs/outputs (the practitioner photo answer).

use super::Resource;

fhir_type! {
    /// A set of named parameters.
    pub struct Parameters: Resource ["Parameters"] {
        parameter: Vec<ParametersParameter> = "parameter",
    }
}

fhir_type! {
    /// One named parameter: a `value[x]`, a `resource` or nested `part`s.
    pub struct ParametersParameter: BackboneElement {
        name: String = "name" [1..1],
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
