//! `Bundle`: search results and collections; entries hold any resource.

use super::{Bundle, Resource};

impl Bundle {
    /// The resources of all entries, in order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.entry
            .iter()
            .flatten()
            .filter_map(|e| e.resource.as_ref())
    }
}
