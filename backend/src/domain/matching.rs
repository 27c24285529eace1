//! The matching rules of SPEC.md §1, shared by actions and resources: a granted pattern
//! covers a requested value when the pattern's segments are a prefix of the value's, where
//! a `*` segment matches exactly one segment of any content.
//!
//! - actions (`:`-separated): `documents` and `documents:*` imply `documents:read` and
//!   `documents:read:draft`; `*` implies everything; `*:read` implies `documents:read`.
//! - resources (`/`-separated): `/orgs/acme` covers `/orgs/acme/projects/p1`;
//!   `/orgs/*/billing` covers `/orgs/acme/billing/invoices/7`; `/*` covers everything.

/// Whether `pattern` (segments, `*` matching one segment) is a prefix of `value`.
pub fn covers<P: AsRef<str>, V: AsRef<str>>(pattern: &[P], value: &[V]) -> bool {
    pattern.len() <= value.len()
        && pattern
            .iter()
            .zip(value)
            .all(|(p, v)| p.as_ref() == "*" || p.as_ref() == v.as_ref())
}

/// The segments of an action.
pub fn action_segments(action: &str) -> Vec<&str> {
    action.split(':').collect()
}

/// The segments of a resource URI (without the empty one before the leading `/`).
pub fn resource_segments(uri: &str) -> Vec<&str> {
    uri.strip_prefix('/').unwrap_or(uri).split('/').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implies(granted: &str, requested: &str) -> bool {
        covers(&action_segments(granted), &action_segments(requested))
    }

    fn resource_covers(granted: &str, requested: &str) -> bool {
        covers(&resource_segments(granted), &resource_segments(requested))
    }

    #[test]
    fn actions_imply_by_prefix() {
        assert!(implies("documents", "documents:read"));
        assert!(implies("documents:*", "documents:read"));
        assert!(implies("documents", "documents:read:draft"));
        assert!(implies("documents:*", "documents:read:draft"));
        assert!(implies("documents:read", "documents:read"));
        assert!(!implies("documents:read", "documents"));
        assert!(!implies("documents:*", "documents"));
        assert!(!implies("documents:read", "documents:write"));
        assert!(!implies("doc", "documents:read"));
    }

    #[test]
    fn a_star_matches_one_segment() {
        assert!(implies("*", "documents:read"));
        assert!(implies("*", "x"));
        assert!(implies("*:read", "documents:read"));
        assert!(implies("*:read", "documents:read:draft"));
        assert!(!implies("*:read", "documents:write"));
        assert!(!implies("*:read", "read"));
    }

    #[test]
    fn resources_cover_what_is_below_them() {
        assert!(resource_covers("/orgs/acme", "/orgs/acme"));
        assert!(resource_covers(
            "/orgs/acme",
            "/orgs/acme/projects/p1/documents/d1"
        ));
        assert!(!resource_covers("/orgs/acme", "/orgs/acme2"));
        assert!(!resource_covers("/orgs/acme/projects", "/orgs/acme"));
        assert!(resource_covers("/orgs/*/billing", "/orgs/acme/billing"));
        assert!(resource_covers(
            "/orgs/*/billing",
            "/orgs/acme/billing/invoices/7"
        ));
        assert!(!resource_covers("/orgs/*/billing", "/orgs/acme/projects"));
        assert!(!resource_covers("/orgs/*/billing", "/orgs/billing"));
        assert!(resource_covers("/*", "/anything/at/all"));
        assert!(
            !resource_covers("/Orgs/acme", "/orgs/acme"),
            "resources are case-sensitive"
        );
    }
}
