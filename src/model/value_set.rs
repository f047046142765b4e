//! `ValueSet` with its expansion (contract types and sub types, seed 001).

use super::{Code, DateTime, Identifier, Integer, Uri};

fhir_type! {
    /// A set of codes, here always returned expanded.
    pub struct ValueSet: DomainResource ["ValueSet"] {
        url: Uri = "url",
        identifier: Vec<Identifier> = "identifier",
        version: String = "version",
        name: String = "name",
        title: String = "title",
        status: Code = "status" [1..1] in PUBLICATION_STATUS,
        date: DateTime = "date",
        description: String = "description",
        expansion: ValueSetExpansion = "expansion",
    }
}

fhir_type! {
    /// The expansion: the codes, with paging.
    pub struct ValueSetExpansion: BackboneElement {
        identifier: Uri = "identifier",
        timestamp: DateTime = "timestamp" [1..1],
        total: Integer = "total",
        offset: Integer = "offset",
        contains: Vec<ValueSetContains> = "contains",
    }
}

fhir_type! {
    /// One code of the expansion (may nest).
    pub struct ValueSetContains: BackboneElement {
        system: Uri = "system",
        abstract_: bool = "abstract",
        inactive: bool = "inactive",
        version: String = "version",
        code: Code = "code",
        display: String = "display",
        contains: Vec<ValueSetContains> = "contains",
    }
}
