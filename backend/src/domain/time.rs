//! Points in time. Stored as unix milliseconds (an integer both databases order and compare
//! the same way); shown as RFC 3339 in UTC with millisecond precision.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// A point in time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-23T21:17:38.123Z")]
pub struct Timestamp(i64);

/// The current time.
pub fn now() -> Timestamp {
    Timestamp((OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64)
}

impl Timestamp {
    /// From unix milliseconds, as stored.
    pub fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Unix milliseconds, as stored.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 timestamp; anything finer than a millisecond is dropped.
    pub fn parse(input: &str) -> Result<Self, String> {
        let parsed = OffsetDateTime::parse(input, &Rfc3339).map_err(|_| {
            format!("`{input}` is not an RFC 3339 timestamp such as `2026-01-31T12:00:00Z`")
        })?;
        Ok(Self((parsed.unix_timestamp_nanos() / 1_000_000) as i64))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let at = Timestamp::parse("2026-11-23T21:17:38.123456+01:00").unwrap();
        assert_eq!(at.to_string(), "2026-11-23T20:17:38.123Z");
        assert_eq!(Timestamp::parse(&at.to_string()).unwrap(), at);
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
