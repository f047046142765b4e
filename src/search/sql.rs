//! SQL for a [`SearchQuery`]: the page and count statements, or for `near` the box-prefiltered
//! candidates that Rust then measures, sorts, de-duplicates and pages.
//!
//! `near` has two shapes. Sorted by distance (the default) and without `distinct-by`, it ranks
//! *locations*: every role of a location is at the same distance, so SQL returns each location
//! in the box with its number of matching roles, Rust measures and orders the locations and
//! finds which of them the page falls on, and only the page's roles are read
//! ([`SqlPlan::NearLocations`]). A name sort or `distinct-by` needs each role's practitioner,
//! so those read one candidate row per role ([`SqlPlan::Near`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{DistinctBy, SearchQuery, SortKey, Target};
use crate::directory::index::reference_id;
use crate::directory::{ResourceKind, SqlValue, Statement, MAX_BOUND_PARAMS};
use crate::outcome::{IssueCode, OperationOutcome};

/// A stored resource as the page, fetch and include statements return it (`id`, `json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceRow {
    /// Resource id.
    pub id: String,
    /// Resource JSON text.
    pub json: String,
    /// Distance from the `near` centre in km (set by [`NearPage::arrange`]).
    #[serde(default)]
    pub distance_km: Option<f64>,
    /// The role's location, as the `near` page statements return it.
    #[serde(default)]
    pub location_id: Option<String>,
}

impl ResourceRow {
    /// A row of `id` and `json`.
    pub fn new(id: String, json: String) -> ResourceRow {
        ResourceRow {
            id,
            json,
            distance_km: None,
            location_id: None,
        }
    }
}

/// A location inside the `near` box, with its number of roles matching the other filters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LocationCandidate {
    /// Location id.
    pub location_id: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Matching roles at this location (D1 returns every number as a double).
    pub roles: f64,
}

/// A `near` candidate as the candidates statement returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CandidateRow {
    /// Role id.
    pub id: String,
    /// The role's practitioner id.
    pub practitioner_id: Option<String>,
    /// The role's location id.
    pub location_id: Option<String>,
    /// Location latitude.
    pub lat: Option<f64>,
    /// Location longitude.
    pub lon: Option<f64>,
    /// Practitioner family name, folded (name sort).
    pub family_sort: String,
    /// Practitioner given names, folded (name sort).
    pub given_sort: String,
}

/// The statements a search runs first.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlPlan {
    /// Filtering, ordering and paging all happen in SQL.
    Paged {
        /// The page: rows of `id`, `json` in order.
        page: Statement,
        /// One row, one column `total`: matches across all pages (`maxCount`).
        count: Statement,
    },
    /// `near` with a name sort or `distinct-by`: SQL prefilters roles by box; see
    /// [`SearchQuery::select_near`].
    Near {
        /// Rows of [`CandidateRow`].
        candidates: Statement,
    },
    /// `near` sorted by distance: SQL returns the box's locations and their matching role
    /// counts; see [`SearchQuery::select_near_locations`].
    NearLocations {
        /// Rows of [`LocationCandidate`].
        locations: Statement,
    },
}

/// The page chosen among `near` candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct NearPage {
    /// Role ids of the page, in order (per-role candidates only).
    pub ids: Vec<String>,
    /// Their distances in km.
    pub distances_km: Vec<f64>,
    /// Matches across all pages.
    pub max_count: u64,
    /// Ranked by location: the statements returning the page's roles, and each location's
    /// distance.
    by_location: Option<LocationWindow>,
}

/// The locations a distance-sorted `near` page falls on.
#[derive(Debug, Clone, PartialEq)]
struct LocationWindow {
    statements: Vec<Statement>,
    distance_km: BTreeMap<String, f64>,
    ascending: bool,
}

impl NearPage {
    /// The statements returning the page's roles (`id`, `json`, and `location_id` when ranked
    /// by location), in any order.
    pub fn fetch(&self) -> Vec<Statement> {
        match &self.by_location {
            Some(window) => window.statements.clone(),
            None => resources_by_id(ResourceKind::PractitionerRole, &self.ids),
        }
    }

    /// Puts fetched rows in page order and sets their distances; ids not fetched (deleted
    /// meanwhile) are left out.
    pub fn arrange(&self, rows: Vec<ResourceRow>) -> Vec<ResourceRow> {
        if let Some(window) = &self.by_location {
            let mut out: Vec<ResourceRow> = rows
                .into_iter()
                .filter_map(|row| {
                    let km = *window.distance_km.get(row.location_id.as_deref()?)?;
                    Some(ResourceRow {
                        distance_km: Some(km),
                        ..row
                    })
                })
                .collect();
            out.sort_by(|a, b| {
                let (da, db) = (a.distance_km.unwrap_or(0.0), b.distance_km.unwrap_or(0.0));
                let by_distance = if window.ascending {
                    da.total_cmp(&db)
                } else {
                    db.total_cmp(&da)
                };
                by_distance.then_with(|| a.id.cmp(&b.id))
            });
            out.dedup_by(|a, b| a.id == b.id);
            return out;
        }
        let mut out = Vec::with_capacity(self.ids.len());
        for (id, distance) in self.ids.iter().zip(&self.distances_km) {
            if let Some(row) = rows.iter().find(|r| &r.id == id) {
                out.push(ResourceRow {
                    distance_km: Some(*distance),
                    ..row.clone()
                });
            }
        }
        out
    }
}

/// `SELECT id, json FROM <table> WHERE id IN (…)`, in statements of at most 100 ids.
pub fn resources_by_id(kind: ResourceKind, ids: &[String]) -> Vec<Statement> {
    ids.chunks(MAX_BOUND_PARAMS)
        .map(|chunk| {
            Statement::new(
                format!(
                    "SELECT id, json FROM {} WHERE id IN ({})",
                    kind.table(),
                    vec!["?"; chunk.len()].join(", ")
                ),
                chunk.iter().map(|id| SqlValue::from(id.as_str())).collect(),
            )
        })
        .collect()
}

impl SearchQuery {
    fn where_clause(&self, extra: &[String]) -> (String, Vec<SqlValue>) {
        let mut parts: Vec<String> = extra.to_vec();
        let mut params = Vec::new();
        for c in &self.conditions {
            parts.push(c.sql.clone());
            params.extend(c.params.iter().cloned());
        }
        if parts.is_empty() {
            (String::new(), params)
        } else {
            (format!(" WHERE {}", parts.join(" AND ")), params)
        }
    }

    fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.count)
    }

    fn sorts_by_name(&self) -> bool {
        self.sort.iter().any(|k| matches!(k, SortKey::Name { .. }))
    }

    /// The statements to run first (see [`SqlPlan`]).
    pub fn to_sql(&self) -> SqlPlan {
        match self.target {
            Target::Practitioner => {
                let (where_sql, params) = self.where_clause(&[]);
                let mut page_params = params.clone();
                page_params.push(SqlValue::Integer(i64::from(self.count)));
                page_params.push(SqlValue::Integer(self.offset()));
                SqlPlan::Paged {
                    page: Statement::new(
                        format!("SELECT p.id AS id, p.json AS json FROM practitioner p{where_sql} ORDER BY p.id LIMIT ? OFFSET ?"),
                        page_params,
                    ),
                    count: Statement::new(
                        format!("SELECT COUNT(*) AS total FROM practitioner p{where_sql}"),
                        params,
                    ),
                }
            }
            Target::PractitionerRole => match &self.near {
                Some(near) => self.near_sql(near),
                None => self.role_paged_sql(),
            },
        }
    }

    fn distinct_key(&self) -> Option<&'static str> {
        self.distinct_by.map(|d| match d {
            DistinctBy::Practitioner => "COALESCE(ri.practitioner_id, '#' || ri.role_id)",
            DistinctBy::Location => "COALESCE(ri.location_id, '#' || ri.role_id)",
        })
    }

    /// Whether a condition reads the role's own row (only `_lastUpdated` does).
    fn needs_role_row(&self) -> bool {
        self.conditions
            .iter()
            .any(|c| c.sql.contains("r.last_updated"))
    }

    /// Rank and page on the narrow index rows, then read JSON for the page only: reading
    /// every match's JSON before sorting cost ~40% at 100k practitioners.
    fn role_paged_sql(&self) -> SqlPlan {
        let by_name = self.sorts_by_name();
        let from = if self.needs_role_row() {
            "FROM role_ix ri JOIN practitioner_role r ON r.id = ri.role_id"
        } else {
            "FROM role_ix ri"
        };
        let name_join = if by_name {
            " LEFT JOIN practitioner_ix pi ON pi.practitioner_id = ri.practitioner_id"
        } else {
            ""
        };
        let (where_sql, params) = self.where_clause(&[]);
        let mut order_inner = Vec::new();
        let mut order_outer: Vec<(&str, &str)> = Vec::new();
        for key in &self.sort {
            if let SortKey::Name { ascending } = key {
                let dir = if *ascending { "ASC" } else { "DESC" };
                order_inner.push(format!(
                    "COALESCE(pi.family_sort, '') {dir}, COALESCE(pi.given_sort, '') {dir}"
                ));
                order_outer.push(("fs", dir));
                order_outer.push(("gs", dir));
            }
        }
        order_inner.push("ri.role_id ASC".into());
        order_outer.push(("id", "ASC"));
        let order = |prefix: &str| {
            order_outer
                .iter()
                .map(|(c, d)| format!("{prefix}{c} {d}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name_cols, page_cols) = if by_name {
            (
                ", COALESCE(pi.family_sort, '') AS fs, COALESCE(pi.given_sort, '') AS gs",
                "id, fs, gs",
            )
        } else {
            ("", "id")
        };
        let (rank_col, rank_where, count_sql) = match self.distinct_key() {
            Some(key) => (
                format!(
                    ", ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {}) AS rn",
                    order_inner.join(", ")
                ),
                " WHERE rn = 1",
                format!("SELECT COUNT(DISTINCT {key}) AS total {from}{where_sql}"),
            ),
            None => (
                String::new(),
                "",
                format!("SELECT COUNT(*) AS total {from}{where_sql}"),
            ),
        };
        let page_sql = format!(
            "WITH page AS (SELECT {page_cols} FROM (SELECT ri.role_id AS id{name_cols}{rank_col} {from}{name_join}{where_sql}){rank_where} ORDER BY {} LIMIT ? OFFSET ?) \
             SELECT page.id AS id, r2.json AS json FROM page JOIN practitioner_role r2 ON r2.id = page.id ORDER BY {}",
            order(""),
            order("page.")
        );
        let mut page_params = params.clone();
        page_params.push(SqlValue::Integer(i64::from(self.count)));
        page_params.push(SqlValue::Integer(self.offset()));
        SqlPlan::Paged {
            page: Statement::new(page_sql, page_params),
            count: Statement::new(count_sql, params),
        }
    }

    /// Whether `near` can rank locations: the order depends on distance (then id) only.
    fn near_by_location(&self) -> bool {
        self.distinct_by.is_none() && !self.sorts_by_name()
    }

    /// The `JOIN` to the role's own row when a condition reads it (`_lastUpdated`).
    fn role_join(&self) -> &'static str {
        if self.needs_role_row() {
            " JOIN practitioner_role r ON r.id = ri.role_id"
        } else {
            ""
        }
    }

    /// The box condition on `li` and its values.
    fn box_sql(near: &super::NearFilter) -> (Vec<String>, Vec<SqlValue>) {
        let b = near.bounding_box();
        let mut box_sql = vec!["li.lat BETWEEN ? AND ?".to_owned()];
        let mut box_params = vec![SqlValue::Real(b.lat_min), SqlValue::Real(b.lat_max)];
        if !b.lon_ranges.is_empty() {
            let ranges: Vec<&str> = b
                .lon_ranges
                .iter()
                .map(|_| "li.lon BETWEEN ? AND ?")
                .collect();
            box_sql.push(format!("({})", ranges.join(" OR ")));
            for (lo, hi) in &b.lon_ranges {
                box_params.push(SqlValue::Real(*lo));
                box_params.push(SqlValue::Real(*hi));
            }
        }
        (box_sql, box_params)
    }

    /// Locations in the box with their matching roles. Without other filters the count is
    /// the stored `location_ix.roles` (read from the covering position index); with filters it
    /// is counted per location on the role index.
    fn near_locations_sql(&self, near: &super::NearFilter) -> SqlPlan {
        let (box_sql, box_params) = Self::box_sql(near);
        let box_where = box_sql.join(" AND ");
        let statement = if self.conditions.is_empty() {
            Statement::new(
                format!("SELECT li.location_id AS location_id, li.lat AS lat, li.lon AS lon, li.roles AS roles FROM location_ix li WHERE {box_where} AND li.roles > 0"),
                box_params,
            )
        } else {
            let (where_sql, mut params) =
                self.where_clause(&["ri.location_id = li.location_id".to_owned()]);
            params.extend(box_params);
            Statement::new(
                format!(
                    "SELECT location_id, lat, lon, roles FROM (SELECT li.location_id AS location_id, li.lat AS lat, li.lon AS lon, (SELECT COUNT(*) FROM role_ix ri{}{where_sql}) AS roles FROM location_ix li WHERE {box_where}) WHERE roles > 0",
                    self.role_join()
                ),
                params,
            )
        };
        SqlPlan::NearLocations {
            locations: statement,
        }
    }

    /// The statement reading the page's roles at some locations: `id`, `json`, `location_id`,
    /// optionally the `limit`/`offset` slice in id order.
    fn roles_at(
        &self,
        location_sql: &str,
        location_params: Vec<SqlValue>,
        slice: Option<(u64, u64)>,
    ) -> Statement {
        let (where_sql, params) = self.where_clause(&[location_sql.to_owned()]);
        let mut all = location_params;
        all.extend(params);
        let limit = match slice {
            Some((limit, offset)) => {
                all.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
                all.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
                " ORDER BY ri.role_id LIMIT ? OFFSET ?"
            }
            None => "",
        };
        Statement::new(
            format!(
                "WITH page AS (SELECT ri.role_id AS id, ri.location_id AS location_id FROM role_ix ri{}{where_sql}{limit}) \
                 SELECT page.id AS id, r2.json AS json, page.location_id AS location_id FROM page JOIN practitioner_role r2 ON r2.id = page.id",
                self.role_join()
            ),
            all,
        )
    }

    /// Measures the box's locations exactly (haversine), keeps those within the radius, orders
    /// them by distance and finds the locations this query's page falls on: locations wholly
    /// on the page are read whole, the first and last (possibly cut) in role id order with
    /// `LIMIT`/`OFFSET`. Locations at exactly the same distance form one group, read together,
    /// so ties are broken by role id across them.
    pub fn select_near_locations(
        &self,
        candidates: Vec<LocationCandidate>,
    ) -> Result<NearPage, OperationOutcome> {
        let empty = NearPage {
            ids: Vec::new(),
            distances_km: Vec::new(),
            max_count: 0,
            by_location: Some(LocationWindow {
                statements: Vec::new(),
                distance_km: BTreeMap::new(),
                ascending: true,
            }),
        };
        let Some(near) = &self.near else {
            return Ok(empty);
        };
        let ascending = !matches!(
            self.sort.first(),
            Some(SortKey::Distance { ascending: false })
        );
        let mut located: Vec<(f64, LocationCandidate)> = candidates
            .into_iter()
            .filter_map(|c| {
                let d = near.distance_km(c.lat?, c.lon?);
                (d <= near.radius_km && c.roles >= 1.0).then_some((d, c))
            })
            .collect();
        located.sort_by(|(da, a), (db, b)| {
            let o = da.total_cmp(db);
            if ascending { o } else { o.reverse() }.then_with(|| a.location_id.cmp(&b.location_id))
        });
        let roles = |c: &LocationCandidate| c.roles.max(0.0) as u64;
        let max_count: u64 = located.iter().map(|(_, c)| roles(c)).sum();
        let start = u64::try_from(self.offset()).unwrap_or(u64::MAX);
        let end = start.saturating_add(u64::from(self.count));
        // Budget per statement: the conditions' values plus LIMIT and OFFSET.
        let condition_params: usize = self.conditions.iter().map(|c| c.params.len()).sum();
        let room = MAX_BOUND_PARAMS.saturating_sub(condition_params + 2).max(1);
        let mut whole: Vec<String> = Vec::new();
        let mut statements = Vec::new();
        let mut distance_km = BTreeMap::new();
        let mut first = 0usize;
        let mut before = 0u64;
        while first < located.len() && before < end {
            // One group: the locations at exactly this distance.
            let d = located.get(first).map_or(0.0, |(d, _)| *d);
            let mut last = first;
            while located.get(last + 1).is_some_and(|(dn, _)| *dn == d) {
                last += 1;
            }
            let group = located.get(first..=last).unwrap_or(&[]);
            let n: u64 = group.iter().map(|(_, c)| roles(c)).sum();
            let (lo, hi) = (start.max(before), end.min(before + n));
            if lo < hi {
                for (_, c) in group {
                    distance_km.insert(c.location_id.clone(), d);
                }
                let ids = group.iter().map(|(_, c)| c.location_id.as_str());
                if lo == before && hi == before + n {
                    whole.extend(ids.map(str::to_owned));
                } else {
                    if group.len() > room {
                        return Err(OperationOutcome::error(
                            IssueCode::DatabaseError,
                            "Parameter 'near': too many locations at exactly the same distance to page through; narrow the search.",
                        ));
                    }
                    let marks = vec!["?"; group.len()].join(", ");
                    statements.push(self.roles_at(
                        &format!("ri.location_id IN ({marks})"),
                        ids.map(SqlValue::from).collect(),
                        Some((hi - lo, lo - before)),
                    ));
                }
            }
            before += n;
            first = last + 1;
        }
        for chunk in whole.chunks(room) {
            let marks = vec!["?"; chunk.len()].join(", ");
            statements.push(self.roles_at(
                &format!("ri.location_id IN ({marks})"),
                chunk.iter().map(|id| SqlValue::from(id.as_str())).collect(),
                None,
            ));
        }
        Ok(NearPage {
            ids: Vec::new(),
            distances_km: Vec::new(),
            max_count,
            by_location: Some(LocationWindow {
                statements,
                distance_km,
                ascending,
            }),
        })
    }

    fn near_sql(&self, near: &super::NearFilter) -> SqlPlan {
        if self.near_by_location() {
            return self.near_locations_sql(near);
        }
        let (box_sql, mut box_params) = Self::box_sql(near);
        let (where_sql, params) = self.where_clause(&box_sql);
        box_params.extend(params);
        // Candidates can be many (a dense city): read only what ranking needs. The role row
        // itself is needed for `_lastUpdated` only, practitioner names for a name sort only.
        let role_join = if self
            .conditions
            .iter()
            .any(|c| c.sql.contains("r.last_updated"))
        {
            " JOIN practitioner_role r ON r.id = ri.role_id"
        } else {
            ""
        };
        let (name_cols, name_join) = if self.sorts_by_name() {
            (
                "COALESCE(pi.family_sort, '') AS family_sort, COALESCE(pi.given_sort, '') AS given_sort",
                " LEFT JOIN practitioner_ix pi ON pi.practitioner_id = ri.practitioner_id",
            )
        } else {
            ("'' AS family_sort, '' AS given_sort", "")
        };
        SqlPlan::Near {
            candidates: Statement::new(
                format!(
                    "SELECT ri.role_id AS id, ri.practitioner_id AS practitioner_id, ri.location_id AS location_id, li.lat AS lat, li.lon AS lon, {name_cols} FROM location_ix li JOIN role_ix ri ON ri.location_id = li.location_id{role_join}{name_join}{where_sql}"
                ),
                box_params,
            ),
        }
    }

    /// Measures the `near` candidates exactly (haversine), keeps those within the radius,
    /// sorts (requested keys, distance ascending by default, then id), applies `distinct-by`
    /// and picks this query's page.
    pub fn select_near(&self, candidates: Vec<CandidateRow>) -> NearPage {
        let Some(near) = &self.near else {
            return NearPage {
                ids: Vec::new(),
                distances_km: Vec::new(),
                max_count: 0,
                by_location: None,
            };
        };
        let mut matched: Vec<(f64, CandidateRow)> = candidates
            .into_iter()
            .filter_map(|c| {
                let d = near.distance_km(c.lat?, c.lon?);
                (d <= near.radius_km).then_some((d, c))
            })
            .collect();
        let keys: Vec<SortKey> = if self.sort.is_empty() {
            vec![SortKey::Distance { ascending: true }]
        } else {
            self.sort.clone()
        };
        matched.sort_by(|(da, a), (db, b)| {
            for key in &keys {
                let ord = match key {
                    SortKey::Distance { ascending } => {
                        let o = da.total_cmp(db);
                        if *ascending {
                            o
                        } else {
                            o.reverse()
                        }
                    }
                    SortKey::Name { ascending } => {
                        let o =
                            (&a.family_sort, &a.given_sort).cmp(&(&b.family_sort, &b.given_sort));
                        if *ascending {
                            o
                        } else {
                            o.reverse()
                        }
                    }
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            a.id.cmp(&b.id)
        });
        if let Some(by) = self.distinct_by {
            let mut seen = std::collections::HashSet::new();
            matched.retain(|(_, c)| {
                let key = match by {
                    DistinctBy::Practitioner => c.practitioner_id.clone(),
                    DistinctBy::Location => c.location_id.clone(),
                }
                .unwrap_or_else(|| format!("#{}", c.id));
                seen.insert(key)
            });
        }
        let max_count = matched.len() as u64;
        let start = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let (ids, distances_km) = matched
            .into_iter()
            .skip(start)
            .take(self.count as usize)
            .map(|(d, c)| (c.id, d))
            .unzip();
        NearPage {
            ids,
            distances_km,
            max_count,
            by_location: None,
        }
    }

    /// The statements fetching `_include`d practitioners and locations of the page's roles
    /// (rows of `id`, `json`). Empty when nothing is included.
    pub fn include_sql(&self, matches: &[ResourceRow]) -> Vec<Statement> {
        let (practitioners, locations) = self.included_ids(matches);
        let mut out = resources_by_id(ResourceKind::Practitioner, &practitioners);
        out.extend(resources_by_id(ResourceKind::Location, &locations));
        out
    }

    /// Practitioner and location ids to include, each once, in order of first mention.
    pub(crate) fn included_ids(&self, matches: &[ResourceRow]) -> (Vec<String>, Vec<String>) {
        let mut practitioners: Vec<String> = Vec::new();
        let mut locations: Vec<String> = Vec::new();
        if self.target != Target::PractitionerRole {
            return (practitioners, locations);
        }
        for row in matches {
            let Ok(role) = serde_json::from_str::<Value>(&row.json) else {
                continue;
            };
            if self.include_practitioner {
                if let Some(id) = role
                    .get("practitioner")
                    .and_then(|p| reference_id(p, "Practitioner"))
                {
                    if !practitioners.iter().any(|p| p == id) {
                        practitioners.push(id.to_owned());
                    }
                }
            }
            if self.include_location {
                for loc in role
                    .get("location")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(id) = reference_id(loc, "Location") {
                        if !locations.iter().any(|l| l == id) {
                            locations.push(id.to_owned());
                        }
                    }
                }
            }
        }
        (practitioners, locations)
    }
}
