//! `Parameters`: operation inputs/outputs (the practitioner photo answer).

use super::{Parameters, ParametersParameter};

impl Parameters {
    /// The first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&ParametersParameter> {
        self.parameter
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name))
    }
}
