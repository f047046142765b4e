//! Search results as the documents' searchset Bundle: the `meta.tag` triple (`count`, `page`,
//! `maxCount`), `total` = entries matched on this page (as the samples), `search.mode`, the
//! `location-distance` extension for `near`, and FHIR `link`s so stock clients can page.

use serde_json::{json, Map, Value};

use super::sql::ResourceRow;
use super::SearchQuery;
use crate::outcome::{IssueCode, OperationOutcome};

/// The standard search extension carrying an entry's distance from the `near` centre.
pub const LOCATION_DISTANCE_URL: &str = "http://hl7.org/fhir/StructureDefinition/location-distance";

fn parse_row(row: &ResourceRow) -> Result<Value, OperationOutcome> {
    serde_json::from_str(&row.json).map_err(|_| {
        OperationOutcome::error(
            IssueCode::DatabaseError,
            format!("Stored resource '{}' is not valid JSON.", row.id),
        )
    })
}

/// A distance in km rounded to the metre, as a JSON number.
fn distance_value(km: f64) -> Value {
    let rounded = (km * 1000.0).round() / 1000.0;
    serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number)
}

impl SearchQuery {
    /// The URL of page `page` of this search under `base_url` (e.g. `https://host/Practitioner`).
    pub fn page_url(&self, base_url: &str, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.link_params {
            query.append_pair(k, v);
        }
        query.append_pair("page", &page.to_string());
        format!("{base_url}?{}", query.finish())
    }

    /// Builds the searchset Bundle from the page's matches (in order), the included resources
    /// (any order; each appears once) and the number of matches across all pages.
    pub fn searchset(
        &self,
        matches: &[ResourceRow],
        included: &[ResourceRow],
        max_count: u64,
        base_url: &str,
    ) -> Result<Value, OperationOutcome> {
        let mut entries = Vec::with_capacity(matches.len() + included.len());
        for row in matches {
            let mut search = Map::new();
            search.insert("mode".into(), json!("match"));
            if let Some(km) = row.distance_km {
                search.insert(
                    "extension".into(),
                    json!([{
                        "url": LOCATION_DISTANCE_URL,
                        "valueDistance": {
                            "value": distance_value(km),
                            "unit": "km",
                            "system": "http://unitsofmeasure.org",
                            "code": "km"
                        }
                    }]),
                );
            }
            entries.push(json!({"resource": parse_row(row)?, "search": Value::Object(search)}));
        }
        let (practitioners, locations) = self.included_ids(matches);
        let mut parsed_included = Vec::with_capacity(included.len());
        for row in included {
            parsed_included.push((row.id.as_str(), parse_row(row)?));
        }
        for (resource_type, ids) in [("Practitioner", practitioners), ("Location", locations)] {
            for id in ids {
                let found = parsed_included.iter().find(|(rid, v)| {
                    *rid == id
                        && v.get("resourceType").and_then(Value::as_str) == Some(resource_type)
                });
                if let Some((_, resource)) = found {
                    entries.push(json!({"resource": resource, "search": {"mode": "include"}}));
                }
            }
        }

        let mut links =
            vec![json!({"relation": "self", "url": self.page_url(base_url, self.page)})];
        if u64::from(self.page) * u64::from(self.count) < max_count {
            links.push(json!({"relation": "next", "url": self.page_url(base_url, self.page.saturating_add(1))}));
        }
        if self.page > 1 {
            links.push(
                json!({"relation": "previous", "url": self.page_url(base_url, self.page - 1)}),
            );
        }

        let mut bundle = json!({
            "resourceType": "Bundle",
            "meta": {
                "tag": [
                    {"code": "count", "display": self.count.to_string()},
                    {"code": "page", "display": self.page.to_string()},
                    {"code": "maxCount", "display": max_count.to_string()}
                ]
            },
            "type": "searchset",
            "total": matches.len(),
            "link": links,
        });
        if !entries.is_empty() {
            if let Value::Object(map) = &mut bundle {
                map.insert("entry".into(), Value::Array(entries));
            }
        }
        Ok(bundle)
    }
}
