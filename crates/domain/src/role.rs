//! Roles: fixed, built in, looked up by name by every client.

/// The name of the built-in role with every right.
pub const SUPER: &str = "super";
/// The name of the administrator role.
pub const ADMIN: &str = "admin";
/// The name of the role new users get when a client names none (Viewer).
pub const CONSUMER: &str = "consumer";

/// A built-in role: `name` (what clients look up), `displayName`, `baseRoleName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinRole {
    pub name: &'static str,
    pub display_name: &'static str,
    pub base_role_name: &'static str,
}

/// The roles every Tessera store holds, as Sisense names them.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole { name: SUPER, display_name: "Sys. Admin", base_role_name: SUPER },
    BuiltinRole { name: ADMIN, display_name: "Admin", base_role_name: ADMIN },
    BuiltinRole { name: "contributor", display_name: "Designer", base_role_name: "contributor" },
    BuiltinRole { name: CONSUMER, display_name: "Viewer", base_role_name: CONSUMER },
    BuiltinRole {
        name: "dataDesigner",
        display_name: "Data Designer",
        base_role_name: "dataDesigner",
    },
    BuiltinRole { name: "dataAdmin", display_name: "Data Admin", base_role_name: "dataAdmin" },
];

/// Whether a role may manage users and groups.
pub fn manages_identities(role_name: &str) -> bool {
    role_name == SUPER || role_name == ADMIN
}
