//! `ValueSet` with its expansion (contract types and sub types, seed 001).

use super::{Extension, Identifier, Meta};

fhir_type! {
    /// A set of codes, here always returned expanded.
    pub struct ValueSet ["ValueSet"] {
        id: String = "id",
        meta: Meta = "meta",
        implicit_rules: String = "implicitRules",
        language: String = "language",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        url: String = "url",
        identifier: Vec<Identifier> = "identifier",
        version: String = "version",
        name: String = "name",
        title: String = "title",
        status: String = "status",
        date: String = "date",
        description: String = "description",
        expansion: ValueSetExpansion = "expansion",
    }
}

fhir_type! {
    /// The expansion: the codes, with paging.
    pub struct ValueSetExpansion {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        identifier: String = "identifier",
        timestamp: String = "timestamp",
        total: i64 = "total",
        offset: i64 = "offset",
        contains: Vec<ValueSetContains> = "contains",
    }
}

fhir_type! {
    /// One code of the expansion (may nest).
    pub struct ValueSetContains {
        id: String = "id",
        extension: Vec<Extension> = "extension",
        modifier_extension: Vec<Extension> = "modifierExtension",
        system: String = "system",
        abstract_: bool = "abstract",
        inactive: bool = "inactive",
        version: String = "version",
        code: String = "code",
        display: String = "display",
        contains: Vec<ValueSetContains> = "contains",
    }
}
