//! Index rows: the statements that store (or replace) one resource and every search row
//! derived from it. Replacing deletes the old rows first, so a batch of these statements is
//! idempotent and leaves no stale index entries behind.

use serde_json::Value;

use super::normalise::{fold, instant, postcode, word_parts};
use super::{SqlValue, Statement};
use crate::outcome::{Issue, IssueCode, OperationOutcome};

/// The Healthcode code systems whose codings the role index distinguishes.
pub const SPECIALTY_SYSTEM: &str = "https://ref.api.healthcode.co.uk/specialty";
/// Subspecialty codes (also allowed in `PractitionerRole.specialty`).
pub const SUBSPECIALTY_SYSTEM: &str = "https://ref.api.healthcode.co.uk/subspecialty";

/// The resource types the directory stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `Practitioner`.
    Practitioner,
    /// `Location`.
    Location,
    /// `PractitionerRole`.
    PractitionerRole,
    /// `Schedule`.
    Schedule,
}

impl ResourceKind {
    /// The kind for a `resourceType`, if the directory stores it.
    pub fn parse(resource_type: &str) -> Option<ResourceKind> {
        match resource_type {
            "Practitioner" => Some(ResourceKind::Practitioner),
            "Location" => Some(ResourceKind::Location),
            "PractitionerRole" => Some(ResourceKind::PractitionerRole),
            "Schedule" => Some(ResourceKind::Schedule),
            _ => None,
        }
    }

    /// The FHIR `resourceType`.
    pub fn resource_type(self) -> &'static str {
        match self {
            ResourceKind::Practitioner => "Practitioner",
            ResourceKind::Location => "Location",
            ResourceKind::PractitionerRole => "PractitionerRole",
            ResourceKind::Schedule => "Schedule",
        }
    }

    /// The table holding the resource JSON.
    pub fn table(self) -> &'static str {
        match self {
            ResourceKind::Practitioner => "practitioner",
            ResourceKind::Location => "location",
            ResourceKind::PractitionerRole => "practitioner_role",
            ResourceKind::Schedule => "schedule",
        }
    }

    /// The index tables of this kind and their key column (deleted on replace).
    fn index_tables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ResourceKind::Practitioner => &[
                ("practitioner_ix", "practitioner_id"),
                ("practitioner_name", "practitioner_id"),
                ("practitioner_identifier", "practitioner_id"),
                ("practitioner_postcode", "practitioner_id"),
                ("practitioner_insurer", "practitioner_id"),
                ("practitioner_profession", "practitioner_id"),
                ("practitioner_regulator", "practitioner_id"),
            ],
            ResourceKind::Location => &[
                ("location_ix", "location_id"),
                ("location_postcode", "location_id"),
            ],
            ResourceKind::PractitionerRole => &[
                ("role_ix", "role_id"),
                ("role_age", "role_id"),
                ("role_specialty", "role_id"),
            ],
            ResourceKind::Schedule => &[("schedule_actor", "schedule_id")],
        }
    }
}

/// Whether `id` is a FHIR id (`[A-Za-z0-9\-\.]{1,64}`).
pub fn is_fhir_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn invalid(code: IssueCode, path: &str, what: &str) -> OperationOutcome {
    Issue::error(code, format!("{path}: {what}"))
        .at(path)
        .into()
}

/// The statements deleting one resource and all its index rows.
pub fn delete_rows(kind: ResourceKind, id: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    if kind == ResourceKind::PractitionerRole {
        // Keep the role count of the role's old location (migration 0005) in step.
        out.push(Statement::new(
            "UPDATE location_ix SET roles = roles - 1 WHERE location_id = (SELECT location_id FROM role_ix WHERE role_id = ?)",
            vec![id.into()],
        ));
    }
    out.push(Statement::new(
        format!("DELETE FROM {} WHERE id = ?", kind.table()),
        vec![id.into()],
    ));
    for (table, key) in kind.index_tables() {
        out.push(Statement::new(
            format!("DELETE FROM {table} WHERE {key} = ?"),
            vec![id.into()],
        ));
    }
    out
}

/// The statements that store or replace `resource` (a Practitioner, Location,
/// PractitionerRole or Schedule with `id` and `meta.lastUpdated`) and its index rows.
/// `meta.versionId` defaults to `1`. Run them in one D1 batch (a transaction).
pub fn index_rows(resource: &Value) -> Result<Vec<Statement>, OperationOutcome> {
    let resource_type = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            invalid(
                IssueCode::CantParseContent,
                "resourceType",
                "missing or not a string",
            )
        })?;
    let kind = ResourceKind::parse(resource_type).ok_or_else(|| {
        invalid(
            IssueCode::InvalidFormat,
            "resourceType",
            "the directory stores Practitioner, Location, PractitionerRole and Schedule only",
        )
    })?;
    let path = |p: &str| format!("{resource_type}.{p}");
    let id = resource
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| is_fhir_id(id))
        .ok_or_else(|| {
            invalid(
                IssueCode::MissingMandatoryParam,
                &path("id"),
                "missing or not a FHIR id",
            )
        })?;
    let meta = resource.get("meta");
    let version = match meta.and_then(|m| m.get("versionId")) {
        None => "1".to_owned(),
        Some(Value::String(v)) if is_fhir_id(v) => v.clone(),
        Some(_) => {
            return Err(invalid(
                IssueCode::InvalidFormat,
                &path("meta.versionId"),
                "not a FHIR id",
            ))
        }
    };
    let last_updated = meta
        .and_then(|m| m.get("lastUpdated"))
        .and_then(Value::as_str)
        .and_then(instant)
        .ok_or_else(|| {
            invalid(
                IssueCode::MissingMandatoryParam,
                &path("meta.lastUpdated"),
                "missing or not a FHIR instant",
            )
        })?;

    let mut out = delete_rows(kind, id);
    out.push(Statement::new(
        format!(
            "INSERT INTO {} (id, version_id, last_updated, json) VALUES (?, ?, ?, ?)",
            kind.table()
        ),
        vec![
            id.into(),
            version.into(),
            last_updated.into(),
            resource.to_string().into(),
        ],
    ));
    match kind {
        ResourceKind::Practitioner => practitioner_rows(id, resource, &mut out)?,
        ResourceKind::Location => location_rows(id, resource, &mut out)?,
        ResourceKind::PractitionerRole => role_rows(id, resource, &mut out),
        ResourceKind::Schedule => schedule_rows(id, resource, &mut out),
    }
    Ok(out)
}

/// The last path segment of an extension URL (`…/extension/insurers` → `insurers`).
fn ext_name(ext: &Value) -> &str {
    let url = ext.get("url").and_then(Value::as_str).unwrap_or("");
    url.rsplit('/').next().unwrap_or(url)
}

fn extensions(value: &Value) -> impl Iterator<Item = &Value> {
    value
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn array<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The codes of a CodeableConcept (`coding[].code`).
fn concept_codes(concept: &Value) -> Vec<String> {
    array(concept, "coding")
        .filter_map(|c| c.get("code").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// The codes of the sub-extensions of `ext` whose URL ends in `name`.
fn sub_codes(ext: &Value, name: &str) -> Vec<String> {
    extensions(ext)
        .filter(|e| ext_name(e) == name)
        .flat_map(|e| {
            e.get("valueCodeableConcept")
                .map(concept_codes)
                .unwrap_or_default()
        })
        .collect()
}

/// The string values of the sub-extensions of `ext` whose URL ends in `name`.
fn sub_strings(ext: &Value, name: &str) -> Vec<String> {
    extensions(ext)
        .filter(|e| ext_name(e) == name)
        .filter_map(|e| e.get("valueString").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

fn opt_text(v: Option<&String>) -> SqlValue {
    v.map_or(SqlValue::Null, |s| SqlValue::Text(s.clone()))
}

/// Every value, or a single `None` so an entry with a missing fact is still indexed.
fn or_none(values: &[String]) -> Vec<Option<&String>> {
    if values.is_empty() {
        vec![None]
    } else {
        values.iter().map(Some).collect()
    }
}

fn practitioner_rows(
    id: &str,
    p: &Value,
    out: &mut Vec<Statement>,
) -> Result<(), OperationOutcome> {
    let gender = match p.get("gender") {
        None | Some(Value::Null) => SqlValue::Null,
        Some(Value::String(g)) => SqlValue::Text(g.clone()),
        Some(_) => {
            return Err(invalid(
                IssueCode::InvalidFormat,
                "Practitioner.gender",
                "not a code",
            ))
        }
    };
    let online = extensions(p)
        .filter(|e| ext_name(e) == "onlineBookingStatus")
        .find_map(|e| e.get("valueBoolean").and_then(Value::as_bool))
        .map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b)));
    let first_name = array(p, "name").next();
    let family_sort = first_name
        .and_then(|n| n.get("family"))
        .and_then(Value::as_str)
        .map(fold)
        .unwrap_or_default();
    let given_sort = first_name
        .map(|n| {
            array(n, "given")
                .filter_map(Value::as_str)
                .map(fold)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    out.push(Statement::new(
        "INSERT INTO practitioner_ix (practitioner_id, gender, online_booking, family_sort, given_sort) VALUES (?, ?, ?, ?, ?)",
        vec![id.into(), gender, online, family_sort.into(), given_sort.into()],
    ));

    let mut tokens: Vec<(&str, String)> = Vec::new();
    let mut add = |kind: &'static str, text: &str| {
        for part in word_parts(text) {
            if !tokens.iter().any(|(k, t)| *k == kind && *t == part) {
                tokens.push((kind, part));
            }
        }
    };
    for name in array(p, "name") {
        if let Some(f) = name.get("family").and_then(Value::as_str) {
            add("family", f);
        }
        for g in array(name, "given").filter_map(Value::as_str) {
            add("given", g);
        }
        for key in ["prefix", "suffix"] {
            for s in array(name, key).filter_map(Value::as_str) {
                add("other", s);
            }
        }
        if let Some(t) = name.get("text").and_then(Value::as_str) {
            add("other", t);
        }
    }
    insert_distinct(
        out,
        "INSERT INTO practitioner_name (practitioner_id, kind, token) VALUES (?, ?, ?)",
        id,
        tokens
            .into_iter()
            .map(|(kind, token)| vec![kind.into(), token.into()]),
    );

    let identifiers = array(p, "identifier").filter_map(|ident| {
        let value = ident.get("value").and_then(Value::as_str)?;
        let system = ident.get("system").and_then(Value::as_str).unwrap_or("");
        Some(vec![system.into(), value.into()])
    });
    insert_distinct(
        out,
        "INSERT INTO practitioner_identifier (practitioner_id, system, value) VALUES (?, ?, ?)",
        id,
        identifiers,
    );

    address_postcodes(p, "practitioner_postcode", "practitioner_id", id, out);

    let mut insurer_entry = 0i64;
    let mut profession_entry = 0i64;
    for ext in extensions(p) {
        match ext_name(ext) {
            "insurers" => {
                let insurers = sub_codes(ext, "insurer");
                let numbers = sub_strings(ext, "insurerprovidercode");
                let statuses = sub_codes(ext, "recognitionstatus");
                insurer_entry += 1;
                out.push(Statement::new(
                    "INSERT INTO practitioner_insurer (practitioner_id, entry, insurer, provider_number, status) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        id.into(),
                        insurer_entry.into(),
                        opt_text(insurers.first()),
                        opt_text(numbers.first()),
                        opt_text(statuses.first()),
                    ],
                ));
            }
            "profession" => {
                profession_entry += 1;
                let professions = sub_codes(ext, "profession");
                let specialties = sub_codes(ext, "specialty");
                let subspecialties = sub_codes(ext, "subspecialty");
                for prof in or_none(&professions) {
                    for spec in or_none(&specialties) {
                        for sub in or_none(&subspecialties) {
                            out.push(Statement::new(
                                "INSERT INTO practitioner_profession (practitioner_id, entry, profession, specialty, subspecialty) VALUES (?, ?, ?, ?, ?)",
                                vec![id.into(), profession_entry.into(), opt_text(prof), opt_text(spec), opt_text(sub)],
                            ));
                        }
                    }
                }
            }
            "registrationnumbers" => {
                let bodies = sub_codes(ext, "regulatorybody");
                for reference in sub_strings(ext, "regulatorreference") {
                    out.push(Statement::new(
                        "INSERT INTO practitioner_regulator (practitioner_id, body, reference) VALUES (?, ?, ?)",
                        vec![id.into(), opt_text(bodies.first()), reference.into()],
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Appends one `sql` INSERT per distinct row of values, in first-seen order, each row bound
/// after the resource's `id`: a code or identifier given twice is indexed once.
fn insert_distinct(
    out: &mut Vec<Statement>,
    sql: &str,
    id: &str,
    rows: impl IntoIterator<Item = Vec<SqlValue>>,
) {
    let mut distinct: Vec<Vec<SqlValue>> = Vec::new();
    for row in rows {
        if !distinct.contains(&row) {
            distinct.push(row);
        }
    }
    for row in distinct {
        let mut params = Vec::with_capacity(row.len() + 1);
        params.push(SqlValue::from(id));
        params.extend(row);
        out.push(Statement::new(sql, params));
    }
}

fn address_postcodes(resource: &Value, table: &str, key: &str, id: &str, out: &mut Vec<Statement>) {
    let addresses: Vec<&Value> = match resource.get("address") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(a @ Value::Object(_)) => vec![a],
        _ => Vec::new(),
    };
    let postcodes = addresses
        .into_iter()
        .filter_map(|address| address.get("postalCode").and_then(Value::as_str))
        .map(postcode)
        .filter(|pc| !pc.is_empty())
        .map(|pc| vec![pc.into()]);
    insert_distinct(
        out,
        &format!("INSERT INTO {table} ({key}, postcode) VALUES (?, ?)"),
        id,
        postcodes,
    );
}

fn location_rows(id: &str, l: &Value, out: &mut Vec<Statement>) -> Result<(), OperationOutcome> {
    let position = l.get("position");
    let coordinate = |key: &str, limit: f64| -> Result<SqlValue, OperationOutcome> {
        match position.and_then(|p| p.get(key)) {
            None | Some(Value::Null) => Ok(SqlValue::Null),
            Some(v) => v
                .as_f64()
                .filter(|x| x.is_finite() && x.abs() <= limit)
                .map(SqlValue::Real)
                .ok_or_else(|| {
                    invalid(
                        IssueCode::InvalidFormat,
                        &format!("Location.position.{key}"),
                        "not a number in range",
                    )
                }),
        }
    };
    let lat = coordinate("latitude", 90.0)?;
    let lon = coordinate("longitude", 180.0)?;
    // `roles` counts the roles whose (first) location this is: a `near` search without other
    // filters reads it instead of every role (migration 0005). Roles written before their
    // location are counted here; later ones add themselves (role_rows).
    out.push(Statement::new(
        "INSERT INTO location_ix (location_id, lat, lon, roles) VALUES (?, ?, ?, (SELECT COUNT(*) FROM role_ix WHERE location_id = ?))",
        vec![id.into(), lat, lon, id.into()],
    ));
    address_postcodes(l, "location_postcode", "location_id", id, out);
    Ok(())
}

/// The id of a literal reference of the given type (`Practitioner/SP09000` → `SP09000`).
pub fn reference_id<'a>(reference: &'a Value, resource_type: &str) -> Option<&'a str> {
    let r = reference.get("reference")?.as_str()?;
    let (ty, id) = r.rsplit_once('/')?;
    let ty = ty.rsplit('/').next().unwrap_or(ty);
    (ty == resource_type && is_fhir_id(id)).then_some(id)
}

fn role_rows(id: &str, r: &Value, out: &mut Vec<Statement>) {
    let practitioner = r
        .get("practitioner")
        .and_then(|p| reference_id(p, "Practitioner"));
    let location = array(r, "location").find_map(|l| reference_id(l, "Location"));
    out.push(Statement::new(
        "INSERT INTO role_ix (role_id, practitioner_id, location_id) VALUES (?, ?, ?)",
        vec![
            id.into(),
            practitioner.map_or(SqlValue::Null, SqlValue::from),
            location.map_or(SqlValue::Null, SqlValue::from),
        ],
    ));
    if let Some(location) = location {
        out.push(Statement::new(
            "UPDATE location_ix SET roles = roles + 1 WHERE location_id = ?",
            vec![location.into()],
        ));
    }
    let ages = extensions(r)
        .filter(|e| ext_name(e) == "agestreated")
        .flat_map(|ext| {
            ext.get("valueCodeableConcept")
                .map(concept_codes)
                .unwrap_or_default()
        })
        .map(|code| vec![code.into()]);
    insert_distinct(
        out,
        "INSERT INTO role_age (role_id, code) VALUES (?, ?)",
        id,
        ages,
    );
    let specialties = array(r, "specialty")
        .flat_map(|concept| array(concept, "coding"))
        .filter_map(|coding| {
            let kind = match coding.get("system").and_then(Value::as_str) {
                Some(SUBSPECIALTY_SYSTEM) => "subspecialty",
                _ => "specialty",
            };
            let code = coding.get("code").and_then(Value::as_str)?;
            Some(vec![kind.into(), code.into()])
        });
    insert_distinct(
        out,
        "INSERT INTO role_specialty (role_id, kind, code) VALUES (?, ?, ?)",
        id,
        specialties,
    );
}

fn schedule_rows(id: &str, s: &Value, out: &mut Vec<Statement>) {
    let horizon_end = s
        .get("planningHorizon")
        .and_then(|h| h.get("end"))
        .and_then(Value::as_str)
        .and_then(|e| super::normalise::instant_range(e).map(|r| r.end));
    let horizon_end = horizon_end.map_or(SqlValue::Null, SqlValue::Text);
    let actors = array(s, "actor").flat_map(|actor| {
        ["Practitioner", "PractitionerRole", "Location"]
            .into_iter()
            .filter_map(move |ty| Some((ty, reference_id(actor, ty)?)))
    });
    insert_distinct(
        out,
        "INSERT INTO schedule_actor (schedule_id, actor_type, actor_id, horizon_end) VALUES (?, ?, ?, ?)",
        id,
        actors.map(|(ty, actor_id)| vec![ty.into(), actor_id.into(), horizon_end.clone()]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_what_it_cannot_store() {
        let code = |v: Value| index_rows(&v).err().map(|o| o.issues[0].code);
        assert_eq!(
            code(json!({"resourceType": "Patient", "id": "x"})),
            Some(IssueCode::InvalidFormat)
        );
        assert_eq!(
            code(json!({"resourceType": "Practitioner", "id": "a b"})),
            Some(IssueCode::MissingMandatoryParam)
        );
        assert_eq!(
            code(json!({"resourceType": "Practitioner", "id": "a"})),
            Some(IssueCode::MissingMandatoryParam)
        );
    }
}
