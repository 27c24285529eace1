//! Identifier newtypes. Each one can only be built by parsing, so holding one means the
//! syntax rules of SPEC.md §1 hold for it.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a string is not a valid identifier; the message is shown to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub String);

fn regex(pattern: &str) -> Regex {
    // INVARIANT: every pattern passed here is a literal in this file, covered by the tests below.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("identifier patterns are valid regular expressions")
}

/// Shortens user input quoted in an error message so a 1 MiB id does not echo back whole.
fn quote(input: &str) -> String {
    let mut shown: String = input.chars().take(64).collect();
    if shown.len() < input.len() {
        shown.push('…');
    }
    format!("`{shown}`")
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        $(#[$meta])*
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(&value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(value: &str) -> Result<Self, IdError> {
                Self::parse(value)
            }
        }
    };
}

string_newtype!(
    /// A tenant's slug: `^[a-z0-9][a-z0-9-]{1,62}$`.
    #[schema(example = "acme", pattern = "^[a-z0-9][a-z0-9-]{1,62}$")]
    TenantId
);

impl TenantId {
    /// Parses a tenant slug.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        static PATTERN: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9][a-z0-9-]{1,62}$"));
        if PATTERN.is_match(input) {
            Ok(Self(input.to_owned()))
        } else {
            Err(IdError(format!(
                "{} is not a tenant id: 2 to 63 characters of lowercase letters, digits and `-`, not starting with `-`",
                quote(input)
            )))
        }
    }
}

string_newtype!(
    /// The id of a role, group, record or API key: `^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`.
    #[schema(example = "editor", pattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    ObjectId
);

impl ObjectId {
    /// Parses a caller-given object id.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        static PATTERN: LazyLock<Regex> =
            LazyLock::new(|| regex(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"));
        if PATTERN.is_match(input) {
            Ok(Self(input.to_owned()))
        } else {
            Err(IdError(format!(
                "{} is not a valid id: 1 to 128 characters of letters, digits, `_`, `.`, `:` and `-`, starting with a letter or digit",
                quote(input)
            )))
        }
    }

    /// A fresh server-generated id such as `rec_5f2c…`: the prefix, then 20 random hex digits.
    pub fn generate(prefix: &str) -> Self {
        Self(format!("{prefix}_{}", crate::auth::random_hex(10)))
    }
}

string_newtype!(
    /// A user's id, as the application knows it (typically the `sub` of its token):
    /// 1 to 256 characters, no control characters.
    #[schema(example = "user-42")]
    UserId
);

impl UserId {
    /// Maximum length of a user id, in characters.
    pub const MAX_CHARS: usize = 256;

    /// Parses a user id.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let chars = input.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(IdError(format!(
                "{} is not a user id: it must be 1 to {} characters long",
                quote(input),
                Self::MAX_CHARS
            )));
        }
        if input.chars().any(char::is_control) {
            return Err(IdError(format!(
                "{} is not a user id: it contains a control character",
                quote(input)
            )));
        }
        Ok(Self(input.to_owned()))
    }
}

string_newtype!(
    /// A permission (action): `:`-separated segments of `[a-z0-9_.-]+` or `*`, stored in
    /// lowercase, at most 128 characters. `documents:*`, `documents:read`, `*`.
    #[schema(example = "documents:read")]
    Action
);

impl Action {
    /// Maximum length of an action, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Parses an action, lowercasing it (actions are case-insensitive). The syntax is
    /// checked on the input as given, as ASCII, before folding: `\u{212a}eys:read` (a
    /// Kelvin sign, which Unicode lowercases to `k`) is refused, not read as `keys:read`.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        if input.is_empty() || input.chars().count() > Self::MAX_CHARS {
            return Err(IdError(format!(
                "{} is not an action: it must be 1 to {} characters long",
                quote(input),
                Self::MAX_CHARS
            )));
        }
        for segment in input.split(':') {
            let valid = segment == "*"
                || (!segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')));
            if !valid {
                return Err(IdError(format!(
                    "{} is not an action: each `:`-separated segment must be `*` or ASCII letters, digits, `_`, `.` and `-`",
                    quote(input)
                )));
            }
        }
        Ok(Self(input.to_ascii_lowercase()))
    }

    /// Whether the action contains a `*` segment (a concrete action, as asked in a check, does not).
    pub fn is_wildcard(&self) -> bool {
        self.0.split(':').any(|s| s == "*")
    }
}

string_newtype!(
    /// A resource URI or pattern: `/`-separated segments of `[A-Za-z0-9_.:~@-]` (1 to 128
    /// characters) or exactly `*`; a trailing `/` is dropped; at most 1,024 characters and
    /// 32 segments. Case-sensitive.
    #[schema(example = "/orgs/acme/projects/p1")]
    ResourcePattern
);

impl ResourcePattern {
    /// Maximum length of a resource URI, in characters.
    pub const MAX_CHARS: usize = 1024;
    /// Maximum number of segments of a resource URI.
    pub const MAX_SEGMENTS: usize = 32;
    /// Maximum length of one segment, in characters.
    pub const MAX_SEGMENT_CHARS: usize = 128;

    /// Parses and normalises a resource URI or pattern.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let fail = |why: &str| {
            Err(IdError(format!(
                "{} is not a resource uri: {why}",
                quote(input)
            )))
        };
        if input.len() > Self::MAX_CHARS {
            return fail(&format!("it is longer than {} characters", Self::MAX_CHARS));
        }
        let Some(rest) = input.strip_prefix('/') else {
            return fail("it must start with `/`");
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return fail("it must name at least one segment");
        }
        let mut count = 0;
        for segment in rest.split('/') {
            count += 1;
            if segment.is_empty() {
                return fail("it has an empty segment");
            }
            if segment == "." || segment == ".." {
                return fail("`.` and `..` segments are not allowed");
            }
            if segment == "*" {
                continue;
            }
            if segment.len() > Self::MAX_SEGMENT_CHARS {
                return fail(&format!(
                    "a segment is longer than {} characters",
                    Self::MAX_SEGMENT_CHARS
                ));
            }
            if !segment.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'~' | b'@' | b'-')
            }) {
                return fail(
                    "segments may hold letters, digits, `_`, `.`, `:`, `~`, `@` and `-`, or be exactly `*`",
                );
            }
        }
        if count > Self::MAX_SEGMENTS {
            return fail(&format!("it has more than {} segments", Self::MAX_SEGMENTS));
        }
        Ok(Self(format!("/{rest}")))
    }

    /// Whether some segment is `*` (a concrete resource, as asked in a check, has none).
    pub fn is_wildcard(&self) -> bool {
        self.0.split('/').any(|s| s == "*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids() {
        assert!(TenantId::parse("acme").is_ok());
        assert!(TenantId::parse("a1-b2").is_ok());
        assert!(TenantId::parse("a").is_err(), "one character is too short");
        assert!(TenantId::parse("-acme").is_err());
        assert!(TenantId::parse("Acme").is_err());
        assert!(TenantId::parse(&"a".repeat(63)).is_ok());
        assert!(TenantId::parse(&"a".repeat(64)).is_err());
    }

    #[test]
    fn object_ids() {
        assert!(ObjectId::parse("editor").is_ok());
        assert!(ObjectId::parse("rec_1.a:b-c").is_ok());
        assert!(ObjectId::parse("_x").is_err());
        assert!(ObjectId::parse("").is_err());
        assert!(ObjectId::parse("a/b").is_err());
        assert!(ObjectId::parse(&"a".repeat(129)).is_err());
        let generated = ObjectId::generate("rec");
        assert!(generated.as_str().starts_with("rec_"));
        assert!(ObjectId::parse(generated.as_str()).is_ok());
    }

    #[test]
    fn user_ids() {
        assert!(UserId::parse("auth0|12345").is_ok());
        assert!(UserId::parse("émile@example.com").is_ok());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("a\nb").is_err());
        assert!(UserId::parse(&"é".repeat(256)).is_ok());
        assert!(UserId::parse(&"é".repeat(257)).is_err());
    }

    #[test]
    fn actions_are_lowercased_and_checked() {
        assert_eq!(
            Action::parse("Documents:READ").map(String::from),
            Ok("documents:read".into())
        );
        assert!(Action::parse("*").is_ok_and(|a| a.is_wildcard()));
        assert!(Action::parse("*:read").is_ok_and(|a| a.is_wildcard()));
        assert!(Action::parse("documents:read").is_ok_and(|a| !a.is_wildcard()));
        assert!(Action::parse("documents::read").is_err());
        assert!(Action::parse("documents:re*d").is_err());
        assert!(Action::parse("").is_err());
        assert!(Action::parse(&"a".repeat(129)).is_err());
        // Non-ASCII that Unicode folds to ASCII is refused, not folded.
        assert!(Action::parse("\u{212a}eys:read").is_err());
        assert!(Action::parse("documents:\u{130}").is_err());
    }

    #[test]
    fn resource_patterns_are_normalised_and_checked() {
        assert_eq!(
            ResourcePattern::parse("/orgs/acme/").map(String::from),
            Ok("/orgs/acme".into())
        );
        assert!(ResourcePattern::parse("/orgs/*/billing").is_ok_and(|r| r.is_wildcard()));
        assert!(ResourcePattern::parse("/orgs/acme").is_ok_and(|r| !r.is_wildcard()));
        assert!(ResourcePattern::parse("/a:b/~c@d/e_f.g-h").is_ok());
        for bad in [
            "orgs", "/", "//", "/a//b", "/a/./b", "/a/../b", "/a b", "/a*", "/a/%2F",
        ] {
            assert!(
                ResourcePattern::parse(bad).is_err(),
                "{bad} must be refused"
            );
        }
        let deep = "/a".repeat(33);
        assert!(ResourcePattern::parse(&deep).is_err());
        assert!(ResourcePattern::parse(&"/a".repeat(32)).is_ok());
        assert!(ResourcePattern::parse(&format!("/{}", "a".repeat(129))).is_err());
    }
}
