//! Who may change which user: the rules of docs/permissions.md that depend on more than the
//! caller's role. Pure, so that the whole table is tested here.

use crate::role::{SUPER, manages_identities};

/// Fields any user may change on their own document (their own password among them).
pub const SELF_EDITABLE: &[&str] =
    &["password", "firstName", "lastName", "preferences", "uiSettings"];

/// Why a user write is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Only administrators manage users and groups.
    NotAdministrator,
    /// A user changing themselves may change only [`SELF_EDITABLE`] fields.
    NotSelfEditable(String),
    /// Only a system administrator may create, change, delete or promote to a system administrator.
    SuperOnly,
    /// Nobody deletes or deactivates their own user: it would lock them out (and could leave
    /// the server without an administrator).
    OwnUser,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::NotAdministrator => {
                f.write_str("Only administrators can manage users and groups")
            }
            Denied::NotSelfEditable(field) => write!(
                f,
                "You can change only {} on your own user, not '{field}'",
                SELF_EDITABLE.join(", ")
            ),
            Denied::SuperOnly => {
                f.write_str("Only a system administrator can manage system administrators")
            }
            Denied::OwnUser => f.write_str("You cannot delete or deactivate your own user"),
        }
    }
}

/// A write to a user, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct UserWrite<'a> {
    /// The caller's role name.
    pub caller_role: &'a str,
    /// Whether the caller is the user written (a PATCH of oneself).
    pub on_self: bool,
    /// Whether the write is a partial change (PATCH) rather than a create, replace or delete.
    pub partial: bool,
    /// The written user's role now (`None` on create).
    pub current_role: Option<&'a str>,
    /// The role the write gives the user (`None` when it leaves the role alone).
    pub new_role: Option<&'a str>,
    /// The fields the write sets.
    pub fields: &'a [&'a str],
    /// Whether the write deletes the user or sets `active: false`.
    pub disables: bool,
}

/// Whether the write is allowed.
pub fn check_user_write(w: &UserWrite<'_>) -> Result<(), Denied> {
    if w.on_self && w.disables {
        return Err(Denied::OwnUser);
    }
    if manages_identities(w.caller_role) {
        let touches_super = w.current_role == Some(SUPER) || w.new_role == Some(SUPER);
        if touches_super && w.caller_role != SUPER {
            return Err(Denied::SuperOnly);
        }
        return Ok(());
    }
    if !(w.on_self && w.partial) {
        return Err(Denied::NotAdministrator);
    }
    match w.fields.iter().find(|f| !SELF_EDITABLE.contains(f)) {
        Some(field) => Err(Denied::NotSelfEditable((*field).to_owned())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write<'a>(
        caller: &'a str, on_self: bool, partial: bool, current: Option<&'a str>,
        new: Option<&'a str>, fields: &'a [&'a str],
    ) -> UserWrite<'a> {
        UserWrite {
            caller_role: caller,
            on_self,
            partial,
            current_role: current,
            new_role: new,
            fields,
            disables: false,
        }
    }

    #[test]
    fn nobody_disables_their_own_user() {
        for role in ["super", "admin", "consumer"] {
            let mut w = write(role, true, false, Some(role), None, &[]);
            w.disables = true;
            assert_eq!(check_user_write(&w), Err(Denied::OwnUser), "{role}");
            w.on_self = false;
            assert_eq!(
                check_user_write(&w).is_ok(),
                manages_identities(role),
                "{role} on another {role}"
            );
        }
    }

    #[test]
    fn the_rules_as_a_table() {
        use Denied::*;
        let pw: &[&str] = &["password"];
        let role: &[&str] = &["roleId"];
        let cases: Vec<(UserWrite<'_>, Result<(), Denied>)> = vec![
            // Administrators manage users, but only a super manages supers.
            (write("super", false, false, None, Some("super"), &[]), Ok(())),
            (write("admin", false, false, None, Some("consumer"), &[]), Ok(())),
            (write("admin", false, false, None, Some("super"), &[]), Err(SuperOnly)),
            (write("admin", false, true, Some("super"), None, pw), Err(SuperOnly)),
            (write("admin", false, true, Some("consumer"), Some("super"), role), Err(SuperOnly)),
            (write("admin", false, false, Some("super"), None, &[]), Err(SuperOnly)),
            (write("admin", true, true, Some("admin"), None, role), Ok(())),
            (write("super", false, false, Some("super"), None, &[]), Ok(())),
            // Everyone else changes only their own profile fields, and only by PATCH.
            (write("consumer", true, true, Some("consumer"), None, pw), Ok(())),
            (
                write(
                    "contributor",
                    true,
                    true,
                    Some("contributor"),
                    None,
                    &["firstName", "preferences"],
                ),
                Ok(()),
            ),
            (
                write("consumer", true, true, Some("consumer"), Some("super"), role),
                Err(NotSelfEditable("roleId".into())),
            ),
            (
                write("consumer", true, true, Some("consumer"), None, &["email"]),
                Err(NotSelfEditable("email".into())),
            ),
            (write("consumer", false, true, Some("consumer"), None, pw), Err(NotAdministrator)),
            (write("consumer", true, false, Some("consumer"), None, &[]), Err(NotAdministrator)),
            (write("dataAdmin", false, false, None, Some("consumer"), &[]), Err(NotAdministrator)),
            (
                write("dataDesigner", false, false, Some("consumer"), None, &[]),
                Err(NotAdministrator),
            ),
        ];
        for (w, expected) in cases {
            assert_eq!(check_user_write(&w), expected, "{w:?}");
        }
    }
}
