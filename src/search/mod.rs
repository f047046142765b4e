//! Directory search compiled in the core: request parameters → [`SearchQuery`] → parameterised
//! SQLite statements ([`SqlPlan`]) → rows → a searchset Bundle. D1 and native SQLite run the
//! very same SQL.
//!
//! The worker's flow:
//! 1. `SearchQuery::practitioner(&params)` or `SearchQuery::practitioner_role(&params, now)`;
//! 2. `query.to_sql()`: for [`SqlPlan::Paged`] run `page` (rows of [`ResourceRow`]) and `count`
//!    (one integer); for [`SqlPlan::Near`] run `candidates` (rows of [`CandidateRow`]), then
//!    `query.select_near(candidates)` gives a [`NearPage`]; for [`SqlPlan::NearLocations`] run
//!    `locations` (rows of [`LocationCandidate`]), then `query.select_near_locations(rows)?`
//!    gives one. A [`NearPage`]'s `fetch()` statements return the page's rows (any order) and
//!    its `arrange(rows)` puts them in order with their distances;
//! 3. `query.include_sql(&matches)`: run each statement, collecting [`ResourceRow`]s;
//! 4. `query.searchset(&matches, &included, max_count, base_url)`.

pub mod bundle;
pub mod near;
pub mod params;
pub mod sql;

pub use near::{haversine_km, BoundingBox, NearFilter, EARTH_RADIUS_KM};
pub use sql::{CandidateRow, LocationCandidate, NearPage, ResourceRow, SqlPlan};

use crate::directory::normalise::{instant, postcode, prefix_upper_bound};
use crate::directory::SqlValue;
use crate::outcome::{IssueCode, OperationOutcome};
use crate::params::QueryParams;
use params::{
    all_values, alternatives, boolean, genders, invalid, last_updated, paging, string_alternatives,
};

/// What is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `Practitioner` (seed 000 search_practitioner_endpoint, seed 004 UK Core).
    Practitioner,
    /// `PractitionerRole` (seed 000 search_practitionerrole_endpoint).
    PractitionerRole,
}

/// One `_sort` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Distance from the `near` centre.
    Distance {
        /// Descending when false.
        ascending: bool,
    },
    /// Practitioner family, then given names, case-insensitive.
    Name {
        /// Descending when false.
        ascending: bool,
    },
}

/// `distinct-by`: keep the first matching role per practitioner or location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistinctBy {
    /// One role per practitioner.
    Practitioner,
    /// One role per location.
    Location,
}

/// One SQL condition (ANDed with the others) and its bound values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// SQL text with `?` placeholders.
    pub sql: String,
    /// Values for the placeholders.
    pub params: Vec<SqlValue>,
}

impl Condition {
    /// This condition as the filter of a subquery: `id_col IN (SELECT <select> WHERE <this>)`.
    fn within(self, id_col: &str, select: &str) -> Condition {
        Condition {
            sql: format!("{id_col} IN (SELECT {select} WHERE {})", self.sql),
            params: self.params,
        }
    }
}

/// A compiled directory search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// What is searched.
    pub target: Target,
    /// 1-based page number.
    pub page: u32,
    /// Page size asked.
    pub count: u32,
    /// Conditions, ANDed.
    pub conditions: Vec<Condition>,
    /// `near` radius filter (roles only).
    pub near: Option<NearFilter>,
    /// `_sort` keys, in order; ties always fall back to id.
    pub sort: Vec<SortKey>,
    /// `_include` of the role's practitioner.
    pub include_practitioner: bool,
    /// `_include` of the role's location.
    pub include_location: bool,
    /// `distinct-by`.
    pub distinct_by: Option<DistinctBy>,
    /// The request's parameters other than `page`, for the Bundle's links.
    pub link_params: Vec<(String, String)>,
}

/// The parameters of Practitioner search (seed 000 plus UK Core's from seed 004).
pub const PRACTITIONER_PARAMS: &[&str] = &[
    "page",
    "count",
    "gender",
    "profession",
    "specialty",
    "subspecialty",
    "insurer-recognition-status",
    "insurer-provider-number",
    "insurer",
    "address-postalcode",
    "address-postcode",
    "family",
    "given",
    "name",
    "is-onlinebooking-available",
    "regulator-reference",
    "identifier",
    "_lastUpdated",
];

/// The parameters of PractitionerRole search (seed 000).
pub const ROLE_PARAMS: &[&str] = &[
    "page",
    "count",
    "practitioner",
    "location",
    "ages-treated",
    "near",
    "near-distance",
    "address-postalcode",
    "address-postcode",
    "specialty",
    "subspecialty",
    "is-onlinebooking-available",
    "insurer",
    "insurer-recognition-status",
    "insurer-provider-number",
    "profession",
    "gender",
    "family",
    "given",
    "name",
    "_sort",
    "_include",
    "distinct-by",
    "_lastUpdated",
];

/// `column IN (?, ?, …)` for a list of values.
fn in_list(column: &str, values: &[&str]) -> Condition {
    let marks = vec!["?"; values.len()].join(", ");
    Condition {
        sql: format!("{column} IN ({marks})"),
        params: values.iter().map(|v| SqlValue::from(*v)).collect(),
    }
}

/// Conditions on a practitioner id column, shared by both searches.
/// What every search starts with: its parameters checked against `known`, its page, and the
/// conditions on the practitioner (`id_col`) that both searches share.
fn begin_search(
    params: &QueryParams,
    known: &[&str],
    id_col: &str,
    profession_entry: &[(&str, &str)],
) -> Result<(u32, u32, Vec<Condition>), OperationOutcome> {
    params.check_known(known)?;
    let (page, count) = paging(params)?;
    let mut conditions = Vec::new();
    practitioner_conditions(params, id_col, profession_entry, &mut conditions)?;
    Ok((page, count, conditions))
}

fn practitioner_conditions(
    params: &QueryParams,
    id_col: &str,
    profession_entry: &[(&str, &str)],
    conditions: &mut Vec<Condition>,
) -> Result<(), OperationOutcome> {
    for value in all_values(params, "gender")? {
        let c = in_list("gender", &genders(value)?);
        conditions.push(c.within(id_col, "practitioner_id FROM practitioner_ix"));
    }

    // The three facts of one profession (or insurer) entry must hold for the same row.
    entry_condition(
        params,
        id_col,
        "practitioner_profession",
        profession_entry,
        conditions,
    )?;
    entry_condition(
        params,
        id_col,
        "practitioner_insurer",
        &[
            ("insurer", "insurer"),
            ("insurer-provider-number", "provider_number"),
            ("insurer-recognition-status", "status"),
        ],
        conditions,
    )?;

    for value in all_values(params, "regulator-reference")? {
        let c = in_list("reference", &alternatives("regulator-reference", value)?);
        conditions.push(c.within(id_col, "practitioner_id FROM practitioner_regulator"));
    }

    for (param, kind) in [
        ("family", Some("family")),
        ("given", Some("given")),
        ("name", None),
    ] {
        for value in all_values(params, param)? {
            let mut alts = Vec::new();
            let mut values = Vec::new();
            for words in string_alternatives(param, value)? {
                let mut all = Vec::new();
                for word in words {
                    let kind_sql = match kind {
                        Some(k) => {
                            values.push(SqlValue::from(k));
                            "kind = ? AND "
                        }
                        None => "",
                    };
                    all.push(format!(
                        "{id_col} IN (SELECT practitioner_id FROM practitioner_name WHERE {kind_sql}token >= ? AND token < ?)"
                    ));
                    let upper = prefix_upper_bound(&word);
                    values.push(SqlValue::from(word));
                    values.push(SqlValue::from(upper));
                }
                alts.push(format!("({})", all.join(" AND ")));
            }
            conditions.push(Condition {
                sql: format!("({})", alts.join(" OR ")),
                params: values,
            });
        }
    }

    for value in all_values(params, "identifier")? {
        let mut alts = Vec::new();
        let mut values = Vec::new();
        for alt in alternatives("identifier", value)? {
            match alt.split_once('|') {
                Some((system, v)) => {
                    if v.is_empty() {
                        return Err(invalid(
                            "identifier",
                            "expected system|value, |value or value",
                        ));
                    }
                    alts.push("(system = ? AND value = ?)");
                    values.push(SqlValue::from(system));
                    values.push(SqlValue::from(v));
                }
                None => {
                    alts.push("value = ?");
                    values.push(SqlValue::from(alt));
                }
            }
        }
        let filter = Condition {
            sql: alts.join(" OR "),
            params: values,
        };
        conditions.push(filter.within(id_col, "practitioner_id FROM practitioner_identifier"));
    }
    Ok(())
}

/// One condition per repetition of the entry's parameters, all on the same entry row.
fn entry_condition(
    params: &QueryParams,
    id_col: &str,
    table: &str,
    columns: &[(&str, &str)],
    conditions: &mut Vec<Condition>,
) -> Result<(), OperationOutcome> {
    let mut parts = Vec::new();
    let mut values = Vec::new();
    for (param, column) in columns {
        for value in all_values(params, param)? {
            let c = in_list(column, &alternatives(param, value)?);
            parts.push(c.sql);
            values.extend(c.params);
        }
    }
    if !parts.is_empty() {
        let filter = Condition {
            sql: parts.join(" AND "),
            params: values,
        };
        conditions.push(filter.within(id_col, &format!("practitioner_id FROM {table}")));
    }
    Ok(())
}

/// A postcode prefix condition on `table.postcode`, selecting `key`.
fn postcode_condition(
    params: &QueryParams,
    id_col: &str,
    table: &str,
    key: &str,
    conditions: &mut Vec<Condition>,
) -> Result<(), OperationOutcome> {
    let mut values_of = all_values(params, "address-postalcode")?;
    values_of.extend(all_values(params, "address-postcode")?);
    for value in values_of {
        let mut alts = Vec::new();
        let mut values = Vec::new();
        for alt in alternatives("address-postalcode", value)? {
            let pc = postcode(alt);
            if pc.is_empty() {
                return Err(invalid("address-postalcode", "empty postcode"));
            }
            alts.push("(postcode >= ? AND postcode < ?)");
            let upper = prefix_upper_bound(&pc);
            values.push(SqlValue::from(pc));
            values.push(SqlValue::from(upper));
        }
        let filter = Condition {
            sql: alts.join(" OR "),
            params: values,
        };
        conditions.push(filter.within(id_col, &format!("{key} FROM {table}")));
    }
    Ok(())
}

/// The request's parameters other than `page`, kept for `link` URLs.
fn link_params(params: &QueryParams) -> Vec<(String, String)> {
    params
        .pairs()
        .iter()
        .filter(|(k, _)| k != "page")
        .cloned()
        .collect()
}

fn check_param_budget(query: SearchQuery) -> Result<SearchQuery, OperationOutcome> {
    let bound: usize = query.conditions.iter().map(|c| c.params.len()).sum();
    // Paging (2) and the near box (6) are added on top of the conditions.
    if bound + 8 > crate::directory::MAX_BOUND_PARAMS {
        return Err(OperationOutcome::error(
            IssueCode::InvalidFormat,
            "Submitted parameters are not valid: too many search values in one request.",
        ));
    }
    Ok(query)
}

impl SearchQuery {
    /// Compiles a Practitioner search.
    pub fn practitioner(params: &QueryParams) -> Result<SearchQuery, OperationOutcome> {
        let (page, count, mut conditions) = begin_search(
            params,
            PRACTITIONER_PARAMS,
            "p.id",
            &[
                ("profession", "profession"),
                ("specialty", "specialty"),
                ("subspecialty", "subspecialty"),
            ],
        )?;
        postcode_condition(
            params,
            "p.id",
            "practitioner_postcode",
            "practitioner_id",
            &mut conditions,
        )?;
        for value in all_values(params, "is-onlinebooking-available")? {
            let sql = if boolean("is-onlinebooking-available", value)? {
                "p.id IN (SELECT practitioner_id FROM practitioner_ix WHERE online_booking = 1)"
            } else {
                "p.id IN (SELECT practitioner_id FROM practitioner_ix WHERE online_booking IS NULL OR online_booking = 0)"
            };
            conditions.push(Condition {
                sql: sql.into(),
                params: Vec::new(),
            });
        }
        conditions.extend(last_updated(params, "p.last_updated")?);
        check_param_budget(SearchQuery {
            target: Target::Practitioner,
            page,
            count,
            conditions,
            near: None,
            sort: Vec::new(),
            include_practitioner: false,
            include_location: false,
            distinct_by: None,
            link_params: link_params(params),
        })
    }

    /// Compiles a PractitionerRole search; `now` (a FHIR instant) decides which schedules
    /// are still bookable for `is-onlinebooking-available`.
    pub fn practitioner_role(
        params: &QueryParams,
        now: &str,
    ) -> Result<SearchQuery, OperationOutcome> {
        let (page, count, mut conditions) = begin_search(
            params,
            ROLE_PARAMS,
            "ri.practitioner_id",
            &[("profession", "profession")],
        )?;
        for (param, column) in [
            ("practitioner", "ri.practitioner_id"),
            ("location", "ri.location_id"),
        ] {
            for value in all_values(params, param)? {
                let ids: Vec<&str> = alternatives(param, value)?
                    .into_iter()
                    .map(|v| v.rsplit('/').next().unwrap_or(v))
                    .collect();
                conditions.push(in_list(column, &ids));
            }
        }
        for value in all_values(params, "ages-treated")? {
            let c = in_list("code", &alternatives("ages-treated", value)?);
            conditions.push(c.within("ri.role_id", "role_id FROM role_age"));
        }
        // On roles, specialty is the role's own (the practitioner at that location).
        for kind in ["specialty", "subspecialty"] {
            for value in all_values(params, kind)? {
                let c = in_list("code", &alternatives(kind, value)?);
                let mut values = vec![SqlValue::from(kind)];
                values.extend(c.params);
                let filter = Condition {
                    sql: format!("kind = ? AND {}", c.sql),
                    params: values,
                };
                conditions.push(filter.within("ri.role_id", "role_id FROM role_specialty"));
            }
        }
        postcode_condition(
            params,
            "ri.location_id",
            "location_postcode",
            "location_id",
            &mut conditions,
        )?;
        for value in all_values(params, "is-onlinebooking-available")? {
            let wanted = boolean("is-onlinebooking-available", value)?;
            let now = instant(now).ok_or_else(|| {
                OperationOutcome::error(
                    IssueCode::InternalError,
                    "The server clock is not a FHIR instant.",
                )
            })?;
            let negate = if wanted { "" } else { "NOT " };
            conditions.push(Condition {
                sql: format!(
                    "ri.practitioner_id {negate}IN (SELECT actor_id FROM schedule_actor WHERE actor_type = 'Practitioner' AND horizon_end > ?)"
                ),
                params: vec![now.into()],
            });
        }
        conditions.extend(last_updated(params, "r.last_updated")?);

        let near = match params.optional("near")? {
            Some(n) => Some(NearFilter::parse(n, params.optional("near-distance")?)?),
            None => {
                if params.get("near-distance").is_some() {
                    return Err(OperationOutcome::error(
                        IssueCode::MissingMandatoryParam,
                        "Parameter 'near-distance' needs 'near'.",
                    ));
                }
                None
            }
        };

        let mut sort = Vec::new();
        for value in all_values(params, "_sort")? {
            for key in alternatives("_sort", value)? {
                let (name, ascending) = match key.split_once(':') {
                    Some((n, "asc")) => (n, true),
                    Some((n, "desc")) => (n, false),
                    Some(_) => return Err(invalid("_sort", "order must be asc or desc")),
                    None => match key.strip_prefix('-') {
                        Some(n) => (n, false),
                        None => (key, true),
                    },
                };
                sort.push(match name {
                    "distance" => {
                        if near.is_none() {
                            return Err(OperationOutcome::error(
                                IssueCode::MissingMandatoryParam,
                                "Parameter '_sort' by distance needs 'near'.",
                            ));
                        }
                        SortKey::Distance { ascending }
                    }
                    "name" => SortKey::Name { ascending },
                    _ => return Err(invalid("_sort", "expected distance or name")),
                });
            }
        }
        if sort.len() > 2 {
            return Err(invalid("_sort", "at most two sort keys"));
        }

        let (mut include_practitioner, mut include_location) = (false, false);
        for value in all_values(params, "_include")? {
            for inc in alternatives("_include", value)? {
                match inc {
                    "practitioner:location" => {
                        include_practitioner = true;
                        include_location = true;
                    }
                    "PractitionerRole:practitioner" | "PractitionerRole:practitioner:Practitioner" => {
                        include_practitioner = true
                    }
                    "PractitionerRole:location" | "PractitionerRole:location:Location" => {
                        include_location = true
                    }
                    _ => {
                        return Err(invalid(
                            "_include",
                            "expected practitioner:location, PractitionerRole:practitioner or PractitionerRole:location",
                        ))
                    }
                }
            }
        }

        let distinct_by = match params.optional("distinct-by")? {
            None => None,
            Some("practitioner") => Some(DistinctBy::Practitioner),
            Some("location") => Some(DistinctBy::Location),
            Some(_) => return Err(invalid("distinct-by", "expected practitioner or location")),
        };

        check_param_budget(SearchQuery {
            target: Target::PractitionerRole,
            page,
            count,
            conditions,
            near,
            sort,
            include_practitioner,
            include_location,
            distinct_by,
            link_params: link_params(params),
        })
    }
}
