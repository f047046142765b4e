//! FHIRPath-style element paths built on the stack and rendered only when an issue is raised,
//! so a clean resource costs no allocation.
//!
//! Convention: `Practitioner.identifier[1].value`, and inside a Bundle
//! `Bundle.entry[3].resource.identifier[0].value` (the entry's resource is addressed by its
//! element name, not by its type).

use std::fmt::{self, Write as _};

/// One step of a path.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    /// The root: a resource type name.
    Root(&'a str),
    /// A child element.
    Field(&'a str),
    /// An index into a repeating element.
    Index(usize),
    /// Where a resource's own elements begin (renders as nothing): its `contained`
    /// resources, which its local references (`#id`) point into.
    Scope(Option<&'a serde_json::Value>),
}

/// A path to an element: a linked list of steps, each living in a caller's stack frame.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

impl<'a> Path<'a> {
    /// The path of a resource root, e.g. `Practitioner`.
    pub fn root(resource_type: &'a str) -> Path<'a> {
        Path {
            parent: None,
            step: Step::Root(resource_type),
        }
    }

    /// The path of a child element.
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Field(name),
        }
    }

    /// The path of the `index`th repetition of this element.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(index),
        }
    }

    /// The same path, marking where a resource with these `contained` resources begins.
    pub fn resource_scope(&'a self, contained: Option<&'a serde_json::Value>) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Scope(contained),
        }
    }

    /// The `contained` resources of the nearest enclosing resource, if it has any.
    pub fn contained(&self) -> Option<&'a serde_json::Value> {
        let mut at = Some(self);
        while let Some(path) = at {
            if let Step::Scope(contained) = path.step {
                return contained;
            }
            at = path.parent;
        }
        None
    }

    fn write_to(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_to(out);
        }
        match self.step {
            Step::Root(name) => out.push_str(name),
            Step::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Step::Scope(_) => {}
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_to(&mut out);
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fhirpath() {
        let root = Path::root("Bundle");
        let entry = root.field("entry");
        let third = entry.index(3);
        let resource = third.field("resource");
        let ids = resource.field("identifier");
        let first = ids.index(0);
        assert_eq!(
            first.field("value").to_string(),
            "Bundle.entry[3].resource.identifier[0].value"
        );
    }
}
