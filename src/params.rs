//! Query parameters as the APIs receive them: ordered `(name, value)` pairs plus the
//! `Prefer: handling=lenient` flag. Shared by every operation so that parameter errors are
//! reported the same way everywhere (and the same in the browser and at the edge).

use crate::outcome::{IssueCode, OperationOutcome};

/// FHIR's own result parameters, accepted on every operation where they make sense.
pub const FHIR_RESULT_PARAMS: [&str; 4] = ["_format", "_pretty", "_summary", "_count"];

/// The query parameters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
    /// `Prefer: handling=lenient`: unknown parameters are ignored instead of refused.
    pub lenient: bool,
}

impl QueryParams {
    /// Builds from already-decoded pairs.
    pub fn new(pairs: Vec<(String, String)>, lenient: bool) -> QueryParams {
        QueryParams { pairs, lenient }
    }

    /// Parses a raw query string (`a=1&b=x%20y`, with or without the leading `?`).
    pub fn from_query(query: &str, lenient: bool) -> QueryParams {
        let query = query.strip_prefix('?').unwrap_or(query);
        let pairs = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        QueryParams { pairs, lenient }
    }

    /// All pairs in request order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of the first of `names` present (for synonyms such as `payor`/`payorId`).
    pub fn get_any(&self, names: &[&str]) -> Option<(&str, &str)> {
        self.pairs
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// An optional parameter: `Ok(None)` when absent, `MSG_PARAM_EMPTY` when present but blank.
    pub fn optional(&self, name: &str) -> Result<Option<&str>, OperationOutcome> {
        self.optional_any(&[name])
    }

    /// Like [`QueryParams::optional`] for a set of synonyms.
    pub fn optional_any(&self, names: &[&str]) -> Result<Option<&str>, OperationOutcome> {
        match self.get_any(names) {
            None => Ok(None),
            Some((k, v)) if v.trim().is_empty() => Err(OperationOutcome::error(
                IssueCode::ParamEmpty,
                format!("Parameter '{k}' is empty."),
            )),
            Some((_, v)) => Ok(Some(v.trim())),
        }
    }

    /// A mandatory parameter: `MSG_MISSING_MANDATORY_PARAM` when absent, `MSG_PARAM_EMPTY` when blank.
    pub fn required(&self, name: &str) -> Result<&str, OperationOutcome> {
        self.required_any(&[name])
    }

    /// Like [`QueryParams::required`] for a set of synonyms; the diagnostic names the first.
    pub fn required_any(&self, names: &[&str]) -> Result<&str, OperationOutcome> {
        self.optional_any(names)?.ok_or_else(|| {
            OperationOutcome::error(
                IssueCode::MissingMandatoryParam,
                format!(
                    "Mandatory parameter '{}' is missing.",
                    names.first().copied().unwrap_or("")
                ),
            )
        })
    }

    /// Refuses parameters outside `known` (and FHIR's result parameters) with
    /// `MSG_PARAM_INVALID` naming the first unknown one, unless the request is lenient.
    pub fn check_known(&self, known: &[&str]) -> Result<(), OperationOutcome> {
        if self.lenient {
            return Ok(());
        }
        match self.pairs.iter().find(|(k, _)| {
            !known.contains(&k.as_str()) && !FHIR_RESULT_PARAMS.contains(&k.as_str())
        }) {
            Some((k, _)) => Err(OperationOutcome::error(
                IssueCode::UnknownParam,
                format!("Unknown parameter '{k}'."),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_errors_by_name() {
        let p = QueryParams::from_query("?site=HC00JXI&payor=&service-type=ISC%2FE0002620", false);
        assert_eq!(p.get("site"), Some("HC00JXI"));
        assert_eq!(p.required("service-type").ok(), Some("ISC/E0002620"));
        let empty = p.required("payor").err().map(|o| o.issues[0].code);
        assert_eq!(empty, Some(IssueCode::ParamEmpty));
        let missing = p
            .required("location")
            .err()
            .map(|o| o.issues[0].diagnostics.clone());
        assert_eq!(
            missing.as_deref(),
            Some("Mandatory parameter 'location' is missing.")
        );
        let unknown = p
            .check_known(&["site", "payor"])
            .err()
            .map(|o| o.issues[0].diagnostics.clone());
        assert_eq!(
            unknown.as_deref(),
            Some("Unknown parameter 'service-type'.")
        );
        let lenient = QueryParams::from_query("x=1", true);
        assert!(lenient.check_known(&[]).is_ok());
    }
}
