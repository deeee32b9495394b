//! Timestamps as Sisense writes them: ISO 8601, UTC, milliseconds, `Z` (`2015-04-07T08:44:40.169Z`).

use chrono::{SecondsFormat, Utc};

/// The current time in Sisense's timestamp format.
pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn format_has_millis_and_z() {
        let t = super::now_iso();
        assert_eq!(t.len(), "2015-04-07T08:44:40.169Z".len(), "{t}");
        assert!(t.ends_with('Z'));
        assert_eq!(&t[19..20], ".");
    }
}
