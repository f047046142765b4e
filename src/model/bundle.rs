//! `Bundle`: search results and collections; entries hold any resource.

use super::{Code, FhirDecimal, Identifier, Instant, Resource, UnsignedInt, Uri};

fhir_type! {
    /// A container of resources (searchset or collection in the documents).
    pub struct Bundle: Resource ["Bundle"] {
        identifier: Identifier = "identifier",
        type_: Code = "type" [1..1] in BUNDLE_TYPE,
        timestamp: Instant = "timestamp",
        total: UnsignedInt = "total",
        link: Vec<BundleLink> = "link",
        entry: Vec<BundleEntry> = "entry",
    }
}

fhir_type! {
    /// A paging link (`self`, `next`, `previous`).
    pub struct BundleLink: BackboneElement {
        relation: String = "relation" [1..1],
        url: Uri = "url" [1..1],
    }
}

fhir_type! {
    /// One entry: a resource with its search or transaction information.
    pub struct BundleEntry: BackboneElement {
        link: Vec<BundleLink> = "link",
        full_url: Uri = "fullUrl",
        resource: Resource = "resource",
        search: BundleEntrySearch = "search",
        request: BundleEntryRequest = "request",
        response: BundleEntryResponse = "response",
    }
}

fhir_type! {
    /// Why an entry is in a searchset (`match` / `include`).
    pub struct BundleEntrySearch: BackboneElement {
        mode: Code = "mode" in SEARCH_ENTRY_MODE,
        score: FhirDecimal = "score",
    }
}

fhir_type! {
    /// Transaction/batch request of an entry.
    pub struct BundleEntryRequest: BackboneElement {
        method: Code = "method" [1..1] in HTTP_VERB,
        url: Uri = "url" [1..1],
        if_none_match: String = "ifNoneMatch",
        if_modified_since: Instant = "ifModifiedSince",
        if_match: String = "ifMatch",
        if_none_exist: String = "ifNoneExist",
    }
}

fhir_type! {
    /// Transaction/batch response of an entry.
    pub struct BundleEntryResponse: BackboneElement {
        status: String = "status" [1..1],
        location: Uri = "location",
        etag: String = "etag",
        last_modified: Instant = "lastModified",
        outcome: Box<Resource> = "outcome",
    }
}

impl Bundle {
    /// The resources of all entries, in order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.entry
            .iter()
            .flatten()
            .filter_map(|e| e.resource.as_ref())
    }
}
