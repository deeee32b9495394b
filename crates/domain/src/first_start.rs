//! What an empty store holds after its first start: the built-in roles, the built-in groups
//! (`Admins` with the admin role), the first administrator (role `super`, member of `Admins`)
//! and the key that signs tokens. Decided here, once, with the ids already chosen, so that every
//! engine only writes the plan down.

use serde_json::{Value, json};

use crate::group::{BUILTIN_GROUPS, GroupDraft, parse_group};
use crate::role::{ADMIN, BUILTIN_ROLES, SUPER};
use crate::user::{UserDraft, parse_user};
use crate::{Document, ObjectId, ValidationError};

/// The built-in group whose members administer the server.
pub const ADMINS_GROUP: &str = "Admins";

/// A built-in role, with its id and its document.
#[derive(Debug, Clone)]
pub struct RoleSeed {
    pub id: ObjectId,
    pub name: &'static str,
    pub doc: Document,
}

/// A built-in group, with its id.
#[derive(Debug, Clone)]
pub struct GroupSeed {
    pub id: ObjectId,
    pub draft: GroupDraft,
}

/// Everything a first start writes, in one transaction.
#[derive(Debug, Clone)]
pub struct FirstStart {
    pub roles: Vec<RoleSeed>,
    pub groups: Vec<GroupSeed>,
    /// The first administrator; its password is already hashed into `admin_password_hash`.
    pub admin: UserDraft,
    pub admin_password_hash: String,
    pub signing_key: Vec<u8>,
}

/// The plan of a first start for this administrator e-mail (validated as any user's).
pub fn plan(
    admin_email: &str, admin_password_hash: String, signing_key: Vec<u8>,
) -> Result<FirstStart, ValidationError> {
    let roles: Vec<RoleSeed> = BUILTIN_ROLES
        .iter()
        .map(|role| {
            let id = ObjectId::generate();
            let doc = json!({
                "_id": id.to_string(),
                "name": role.name,
                "displayName": role.display_name,
                "baseRoleName": role.base_role_name,
            });
            let Value::Object(doc) = doc else { unreachable!("json! of an object is an object") };
            RoleSeed { id, name: role.name, doc }
        })
        .collect();
    let role = |name: &str| {
        roles
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.id)
            .expect("built-in roles include super and admin")
    };
    let groups = BUILTIN_GROUPS
        .iter()
        .map(|name| {
            let role_id = (*name == ADMINS_GROUP).then(|| role(ADMIN));
            let draft = parse_group(json!({
                "name": name,
                "roleId": role_id.map(|r| r.to_string()),
            }))?;
            Ok(GroupSeed { id: ObjectId::generate(), draft })
        })
        .collect::<Result<Vec<_>, ValidationError>>()?;
    let admins = groups.iter().find(|g| g.draft.name == ADMINS_GROUP).map(|g| g.id.to_string());
    let admin = parse_user(
        json!({
            "email": admin_email,
            "userName": admin_email,
            "roleId": role(SUPER).to_string(),
            "groups": admins.into_iter().collect::<Vec<_>>(),
        }),
        role(SUPER),
    )?;
    Ok(FirstStart { roles, groups, admin, admin_password_hash, signing_key })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_holds_every_builtin_and_an_administrator_in_admins() {
        let plan = plan("root@example.com", "$hash".into(), vec![1; 32]).unwrap();
        let names: Vec<&str> = plan.roles.iter().map(|r| r.name).collect();
        assert_eq!(names, BUILTIN_ROLES.iter().map(|r| r.name).collect::<Vec<_>>());
        let groups: Vec<&str> = plan.groups.iter().map(|g| g.draft.name.as_str()).collect();
        assert_eq!(groups, BUILTIN_GROUPS);
        let admins = plan.groups.iter().find(|g| g.draft.name == ADMINS_GROUP).unwrap();
        let admin_role = plan.roles.iter().find(|r| r.name == ADMIN).unwrap().id;
        assert_eq!(admins.draft.role_id, Some(admin_role));
        let super_role = plan.roles.iter().find(|r| r.name == SUPER).unwrap().id;
        assert_eq!(plan.admin.role_id, super_role);
        assert_eq!(plan.admin.groups, vec![admins.id]);
        assert_eq!(plan.admin.user_name, "root@example.com");
    }

    #[test]
    fn an_invalid_administrator_email_is_refused() {
        assert!(plan("not an address", "$hash".into(), vec![1; 32]).is_err());
    }
}
