//! `Bundle`: search results and collections; entries hold any resource.

use super::{Extension, FhirDecimal, Identifier, Meta, Resource};

fhir_type! {
    /// A container of resources (searchset or collection in the documents).
    pub struct Bundle ["Bundle"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        identifier: Identifier = "identifier",
        type_: String = "type",
        timestamp: String = "timestamp",
        total: u64 = "total",
        link: Vec<BundleLink> = "link",
        entry: Vec<BundleEntry> = "entry",
    }
}

fhir_type! {
    /// A paging link (`self`, `next`, `previous`).
    pub struct BundleLink {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        relation: String = "relation",
        url: String = "url",
    }
}

fhir_type! {
    /// One entry: a resource with its search or transaction information.
    pub struct BundleEntry {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        link: Vec<BundleLink> = "link",
        full_url: String = "fullUrl",
        resource: Resource = "resource",
        search: BundleEntrySearch = "search",
        request: BundleEntryRequest = "request",
        response: BundleEntryResponse = "response",
    }
}

fhir_type! {
    /// Why an entry is in a searchset (`match` / `include`).
    pub struct BundleEntrySearch {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        mode: String = "mode",
        score: FhirDecimal = "score",
    }
}

fhir_type! {
    /// Transaction/batch request of an entry.
    pub struct BundleEntryRequest {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        method: String = "method",
        url: String = "url",
        if_none_match: String = "ifNoneMatch",
        if_modified_since: String = "ifModifiedSince",
        if_match: String = "ifMatch",
        if_none_exist: String = "ifNoneExist",
    }
}

fhir_type! {
    /// Transaction/batch response of an entry.
    pub struct BundleEntryResponse {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        status: String = "status",
        location: String = "location",
        etag: String = "etag",
        last_modified: String = "lastModified",
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
