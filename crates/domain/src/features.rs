//! Admin → Feature Management: the switches an administrator turns on for everyone. Each is
//! off by default, as in Sisense.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ValidationError;
use crate::merge_patch::merge;

/// Every switch, in the JSON shape of `GET /api/v1/settings/features`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Features {
    #[serde(default)]
    pub user_profile: UserProfile,
}

/// What My Profile offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserProfile {
    /// The API Token tab: each user sees, copies and regenerates their own token.
    #[serde(default)]
    pub api_token: bool,
}

impl Features {
    /// The switches after a JSON merge patch (RFC 7396). A switch that does not exist, or a
    /// value that is not a boolean, is refused rather than ignored: a typo would otherwise
    /// look like success. `null` turns a switch back to its default (off).
    pub fn patched(self, patch: &Value) -> Result<Features, ValidationError> {
        if !patch.is_object() {
            return Err(ValidationError::body("the features patch must be a JSON object"));
        }
        let mut merged = serde_json::to_value(self).expect("features serialise");
        merge(&mut merged, patch);
        serde_json::from_value(merged).map_err(|e| ValidationError::body(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn off_by_default_and_shaped_as_the_api_answers() {
        assert!(!Features::default().user_profile.api_token);
        assert_eq!(
            serde_json::to_value(Features::default()).unwrap(),
            json!({"userProfile": {"apiToken": false}})
        );
    }

    #[test]
    fn a_patch_turns_a_switch_and_null_turns_it_back() {
        let on = Features::default().patched(&json!({"userProfile": {"apiToken": true}})).unwrap();
        assert!(on.user_profile.api_token);
        assert_eq!(on.patched(&json!({})).unwrap(), on);
        let off = on.patched(&json!({"userProfile": {"apiToken": null}})).unwrap();
        assert_eq!(off, Features::default());
    }

    #[test]
    fn unknown_switches_and_wrong_types_are_refused() {
        let f = Features::default();
        for bad in [
            json!({"userProfile": {"apiTokens": true}}),
            json!({"profile": {}}),
            json!({"userProfile": {"apiToken": "yes"}}),
            json!({"userProfile": true}),
            json!([1]),
        ] {
            assert!(f.patched(&bad).is_err(), "{bad}");
        }
    }
}
