//! `near`: great-circle radius search. D1 has no spatial index and may lack trig functions,
//! so SQL only prefilters by a latitude/longitude box (exact: it never drops a point inside the
//! circle), and the exact haversine distance is computed here, in Rust, on the candidates.

use crate::outcome::{IssueCode, OperationOutcome};

/// Mean Earth radius (IUGG), as SPEC-NOTES fixes it.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Kilometres per international mile.
const KM_PER_MILE: f64 = 1.609_344;

/// Box margin in degrees: guards the box against rounding; haversine has the last word.
const BOX_MARGIN_DEG: f64 = 1e-9;

/// A parsed `near` (+ `near-distance`) search: centre and radius.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearFilter {
    /// Centre latitude in degrees.
    pub lat: f64,
    /// Centre longitude in degrees.
    pub lon: f64,
    /// Radius in kilometres.
    pub radius_km: f64,
}

/// The latitude/longitude box that contains the search circle; longitudes may be split in
/// two across the antimeridian, or be all longitudes near a pole.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundingBox {
    /// Lowest latitude.
    pub lat_min: f64,
    /// Highest latitude.
    pub lat_max: f64,
    /// Inclusive longitude ranges; empty means every longitude.
    pub lon_ranges: Vec<(f64, f64)>,
}

/// Great-circle distance in km between two points given in degrees (haversine).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

fn bad(param: &str, what: &str) -> OperationOutcome {
    OperationOutcome::error(
        IssueCode::InvalidFormat,
        format!("Parameter '{param}' is not valid: {what}."),
    )
}

/// Kilometres per unit, for `km`, `mi`, `m` (and UCUM's `[mi_i]`).
fn unit_km(unit: &str) -> Option<f64> {
    match unit {
        "" | "km" => Some(1.0),
        "mi" | "[mi_i]" => Some(KM_PER_MILE),
        "m" => Some(0.001),
        _ => None,
    }
}

fn number(text: &str, param: &str, what: &str) -> Result<f64, OperationOutcome> {
    let text = text.trim();
    // Rust's float parser accepts "inf"/"nan"; search input must be a plain decimal.
    if text.is_empty()
        || text.len() > 32
        || !text.bytes().all(|b| {
            b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+' || b == b'e' || b == b'E'
        })
    {
        return Err(bad(param, what));
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| bad(param, what))
}

impl NearFilter {
    /// Parses `lat:lon[:distance[:units]]` (documents) or `lat|lon|distance|units` (FHIR R4);
    /// `near_distance` gives the radius (in the same units) when `near` has none.
    pub fn parse(near: &str, near_distance: Option<&str>) -> Result<NearFilter, OperationOutcome> {
        let sep = if near.contains('|') { '|' } else { ':' };
        let parts: Vec<&str> = near.split(sep).map(str::trim).collect();
        if parts.len() < 2 || parts.len() > 4 {
            return Err(bad("near", "expected lat:lon:distance:units"));
        }
        let lat = number(parts.first().copied().unwrap_or(""), "near", "latitude")?;
        let lon = number(parts.get(1).copied().unwrap_or(""), "near", "longitude")?;
        if !(-90.0..=90.0).contains(&lat) {
            return Err(bad("near", "latitude must be in [-90, 90]"));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(bad("near", "longitude must be in [-180, 180]"));
        }
        let unit = parts.get(3).copied().unwrap_or("");
        let per_unit = unit_km(unit).ok_or_else(|| bad("near", "units must be km, mi or m"))?;
        let distance = match parts.get(2).copied().filter(|d| !d.is_empty()) {
            Some(d) => number(d, "near", "distance")? * per_unit,
            None => match near_distance {
                Some(d) => {
                    // near-distance may carry its own unit (`4km`, `4 mi`).
                    let d = d.trim();
                    let split = d
                        .find(|c: char| c.is_ascii_alphabetic() || c == '[')
                        .unwrap_or(d.len());
                    let (num, own_unit) = d.split_at(split);
                    let value = number(num, "near-distance", "distance")?;
                    match own_unit.trim() {
                        "" => value * per_unit,
                        u => {
                            value
                                * unit_km(u).ok_or_else(|| {
                                    bad("near-distance", "units must be km, mi or m")
                                })?
                        }
                    }
                }
                None => {
                    return Err(OperationOutcome::error(
                        IssueCode::MissingMandatoryParam,
                        "Parameter 'near' has no distance and 'near-distance' is missing.",
                    ))
                }
            },
        };
        NearFilter::new(lat, lon, distance)
    }

    fn new(lat: f64, lon: f64, radius_km: f64) -> Result<NearFilter, OperationOutcome> {
        if !(radius_km.is_finite() && radius_km > 0.0) {
            return Err(bad("near", "distance must be greater than 0"));
        }
        Ok(NearFilter {
            lat,
            lon,
            radius_km,
        })
    }

    /// Distance in km from the centre to a point.
    pub fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        haversine_km(self.lat, self.lon, lat, lon)
    }

    /// Whether a point lies within the radius (boundary included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.distance_km(lat, lon) <= self.radius_km
    }

    /// The box containing the circle. Latitude spread is exactly the angular radius; the
    /// longitude half-width is asin(sin r / cos lat), the widest point of the circle. A circle
    /// reaching a pole (or wider than a hemisphere) spans every longitude.
    pub fn bounding_box(&self) -> BoundingBox {
        let angular = self.radius_km / EARTH_RADIUS_KM;
        let dlat = angular.to_degrees();
        let lat_min = (self.lat - dlat - BOX_MARGIN_DEG).max(-90.0);
        let lat_max = (self.lat + dlat + BOX_MARGIN_DEG).min(90.0);
        let all = BoundingBox {
            lat_min,
            lat_max,
            lon_ranges: Vec::new(),
        };
        if lat_max >= 90.0 || lat_min <= -90.0 || angular >= std::f64::consts::FRAC_PI_2 {
            return all;
        }
        let ratio = angular.sin() / self.lat.to_radians().cos();
        if !(ratio.is_finite() && ratio < 1.0) {
            return all;
        }
        let dlon = ratio.asin().to_degrees() + BOX_MARGIN_DEG;
        let (lo, hi) = (self.lon - dlon, self.lon + dlon);
        let lon_ranges = if lo < -180.0 {
            vec![(lo + 360.0, 180.0), (-180.0, hi)]
        } else if hi > 180.0 {
            vec![(lo, 180.0), (-180.0, hi - 360.0)]
        } else {
            vec![(lo, hi)]
        };
        BoundingBox {
            lat_min,
            lat_max,
            lon_ranges,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_syntaxes_and_units() {
        let n = NearFilter::parse("53.385225:-2.231105:200:mi", Some("4")).unwrap();
        assert!((n.radius_km - 321.8688).abs() < 1e-9);
        let n = NearFilter::parse("51.5|-0.1|10|km", None).unwrap();
        assert_eq!(n.radius_km, 10.0);
        let n = NearFilter::parse("51.5:-0.1", Some("500")).unwrap();
        assert_eq!(n.radius_km, 500.0);
        let n = NearFilter::parse("51.5:-0.1::m", Some("500")).unwrap();
        assert!((n.radius_km - 0.5).abs() < 1e-12);
        let n = NearFilter::parse("51.5:-0.1:2500:m", None).unwrap();
        assert!((n.radius_km - 2.5).abs() < 1e-12);
        let code = |s: &str| NearFilter::parse(s, None).err().map(|o| o.issues[0].code);
        assert_eq!(code("91:0:1"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:181:1"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:0:0"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:0:-1"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:0:1:furlong"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("nan:0:1"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:0:inf"), Some(IssueCode::InvalidFormat));
        assert_eq!(code("0:0"), Some(IssueCode::MissingMandatoryParam));
    }

    #[test]
    fn box_splits_at_antimeridian_and_widens_at_poles() {
        let b = NearFilter::parse("0:179.95:20", None)
            .unwrap()
            .bounding_box();
        assert_eq!(b.lon_ranges.len(), 2);
        let b = NearFilter::parse("89.95:10:20", None)
            .unwrap()
            .bounding_box();
        assert!(b.lon_ranges.is_empty());
        assert_eq!(b.lat_max, 90.0);
    }

    #[test]
    fn haversine_is_exact_along_a_meridian() {
        let d = haversine_km(0.0, 0.0, 1.0, 0.0);
        assert!((d - EARTH_RADIUS_KM * 1f64.to_radians()).abs() < 1e-9);
    }
}
