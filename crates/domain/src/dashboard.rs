//! Dashboards and their widgets: what makes their documents valid, and who may see or change a
//! dashboard (docs/permissions.md, "Dashboards and folders").

use std::collections::HashSet;

use serde_json::Value;

use crate::document::{
    MAX_NAME_LEN, expect_object, json_type, optional_id, optional_object, optional_str,
    required_str,
};
use crate::role::{CONSUMER, manages_identities};
use crate::{Document, ObjectId, ValidationError};

/// Fields of a dashboard the server owns: a client cannot set them, and PUT keeps them.
/// `owner` changes only through `change_owner`.
pub const DASHBOARD_MANAGED: &[&str] =
    &["oid", "_id", "owner", "created", "lastUpdated", "lastOpened"];

/// Fields of a widget the server owns.
pub const WIDGET_MANAGED: &[&str] = &["oid", "_id", "dashboardid", "created", "lastUpdated"];

/// Most widgets one dashboard may hold.
pub const MAX_WIDGETS: usize = 500;
/// Longest dashboard description.
pub const MAX_DESC_LEN: usize = 10_000;

/// Who a share is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    User,
    Group,
}

/// What a share allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    View,
    Edit,
}

impl Rule {
    pub fn parse(field: &str, value: &Value) -> Result<Rule, ValidationError> {
        match value.as_str() {
            Some("view") => Ok(Rule::View),
            Some("edit") => Ok(Rule::Edit),
            _ => Err(ValidationError::invalid(field, "must be 'view' or 'edit'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::View => "view",
            Rule::Edit => "edit",
        }
    }
}

/// One entry of a dashboard's `shares`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub party: ObjectId,
    pub kind: PartyKind,
    pub rule: Rule,
}

/// A validated dashboard document, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardDraft {
    /// The document without its server-managed fields and without `widgets`.
    pub doc: Document,
    pub parent_folder: Option<ObjectId>,
    pub shares: Vec<Share>,
    /// The widgets the document carried, validated; `None` when it had no `widgets` field
    /// (a PATCH that leaves the widgets alone).
    pub widgets: Option<Vec<WidgetDraft>>,
}

/// A validated widget: its document, and the id it asked to keep (an import keeps widget ids,
/// so that the dashboard's `layout`, which refers to them, stays true).
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetDraft {
    pub doc: Document,
    pub oid: Option<ObjectId>,
}

fn strip(doc: &mut Document, managed: &[&str]) {
    for key in managed {
        doc.shift_remove(*key);
    }
}

/// Validates a whole dashboard document (POST, PUT, an import, or the result of a PATCH).
pub fn parse_dashboard(body: Value) -> Result<DashboardDraft, ValidationError> {
    let mut doc = expect_object(body)?;
    strip(&mut doc, DASHBOARD_MANAGED);
    required_str(&doc, "title", MAX_NAME_LEN)?;
    optional_str(&doc, "desc", MAX_DESC_LEN)?;
    let parent_folder = optional_id(&doc, "parentFolder")?;
    optional_object(&doc, "datasource")?;
    if let Some(ds) = doc.get("datasource").and_then(Value::as_object) {
        for field in ["title", "fullname", "id", "address", "database"] {
            optional_str(ds, field, MAX_NAME_LEN).map_err(|_| {
                ValidationError::invalid("datasource", format!("'{field}' must be a string"))
            })?;
        }
    }
    optional_array(&doc, "filters")?;
    optional_object(&doc, "layout")?;
    optional_object(&doc, "style")?;
    let shares = parse_shares(doc.get("shares"))?;
    let widgets = match doc.shift_remove("widgets") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(parse_widgets(items)?),
        Some(other) => {
            return Err(ValidationError::invalid(
                "widgets",
                format!("must be an array, not {}", json_type(&other)),
            ));
        }
    };
    doc.entry("shares").or_insert_with(|| Value::Array(Vec::new()));
    Ok(DashboardDraft { doc, parent_folder, shares, widgets })
}

fn optional_array(doc: &Document, field: &str) -> Result<(), ValidationError> {
    match doc.get(field) {
        None | Some(Value::Null) | Some(Value::Array(_)) => Ok(()),
        Some(other) => Err(ValidationError::invalid(
            field,
            format!("must be an array, not {}", json_type(other)),
        )),
    }
}

/// Validates a `shares` array: each entry `{shareId, type: user|group, rule: view|edit}`, one
/// entry per party.
pub fn parse_shares(value: Option<&Value>) -> Result<Vec<Share>, ValidationError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ValidationError::invalid(
                "shares",
                format!("must be an array, not {}", json_type(other)),
            ));
        }
    };
    let mut seen = HashSet::new();
    items
        .iter()
        .map(|item| {
            let share = item.as_object().ok_or_else(|| {
                ValidationError::invalid("shares", "must hold objects {shareId, type, rule}")
            })?;
            let party = optional_id(share, "shareId")
                .map_err(|_| {
                    ValidationError::invalid("shares", "'shareId' must be a 24-hex-digit id")
                })?
                .ok_or_else(|| ValidationError::missing("shares[].shareId"))?;
            let kind = match share.get("type").and_then(Value::as_str) {
                Some("user") => PartyKind::User,
                Some("group") => PartyKind::Group,
                _ => {
                    return Err(ValidationError::invalid(
                        "shares",
                        "'type' must be 'user' or 'group'",
                    ));
                }
            };
            let rule =
                Rule::parse("shares", share.get("rule").unwrap_or(&Value::Null)).map_err(|_| {
                    ValidationError::invalid("shares", "'rule' must be 'view' or 'edit'")
                })?;
            if let Some(sub) = share.get("subscribe")
                && !sub.is_boolean()
                && !sub.is_null()
            {
                return Err(ValidationError::invalid("shares", "'subscribe' must be a boolean"));
            }
            if !seen.insert(party) {
                return Err(ValidationError::invalid("shares", format!("names '{party}' twice")));
            }
            Ok(Share { party, kind, rule })
        })
        .collect()
}

fn parse_widgets(items: Vec<Value>) -> Result<Vec<WidgetDraft>, ValidationError> {
    if items.len() > MAX_WIDGETS {
        return Err(ValidationError::invalid(
            "widgets",
            format!("must hold at most {MAX_WIDGETS} widgets"),
        ));
    }
    let mut seen = HashSet::new();
    items
        .into_iter()
        .map(|item| {
            let oid = match item.get("oid") {
                None | Some(Value::Null) => None,
                Some(v) => {
                    Some(v.as_str().and_then(|s| s.parse::<ObjectId>().ok()).ok_or_else(|| {
                        ValidationError::invalid("widgets", "'oid' must be a 24-hex-digit id")
                    })?)
                }
            };
            if let Some(oid) = oid
                && !seen.insert(oid)
            {
                return Err(ValidationError::invalid(
                    "widgets",
                    format!("holds widget '{oid}' twice"),
                ));
            }
            Ok(WidgetDraft { doc: parse_widget(item)?, oid })
        })
        .collect()
}

/// Validates a widget document (open: only its shape and the server's fields are checked).
pub fn parse_widget(body: Value) -> Result<Document, ValidationError> {
    let mut doc = expect_object(body)?;
    strip(&mut doc, WIDGET_MANAGED);
    optional_str(&doc, "title", MAX_NAME_LEN)?;
    optional_str(&doc, "type", MAX_NAME_LEN)?;
    optional_str(&doc, "subtype", MAX_NAME_LEN)?;
    Ok(doc)
}

/// How much of a dashboard a caller may reach, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Not even its existence: the dashboard answers 404.
    None,
    /// Read it, its widgets and its shares.
    View,
    /// Also change its document and widgets.
    Edit,
    /// Also share it, give it away and delete it.
    Own,
}

/// The caller of a content request, as the access rules see them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: ObjectId,
    pub role_name: String,
    /// The caller asked `adminAccess=true`; it counts only for administrators.
    pub admin_access: bool,
}

impl Actor {
    /// An administrator who asked for `adminAccess=true`: every dashboard and folder is theirs
    /// to read and manage.
    pub fn acts_as_admin(&self) -> bool {
        self.admin_access && manages_identities(&self.role_name)
    }

    /// The same caller with every administrator's right, asked for or not: for the actions
    /// Sisense lets administrators take on anyone's content without `adminAccess` (deleting a
    /// dashboard, giving a folder away). Anyone else stays as they are.
    pub fn with_admin_rights(self) -> Actor {
        let admin_access = self.admin_access || manages_identities(&self.role_name);
        Actor { admin_access, ..self }
    }

    /// Viewers read dashboards; every other role creates and edits them.
    pub fn creates_content(&self) -> bool {
        self.role_name != CONSUMER
    }
}

/// What `actor` may do with a dashboard owned by `owner` with these shares, given the groups the
/// actor belongs to (including `Everyone` and `All users in system`, which every user is in).
pub fn dashboard_access(
    actor: &Actor, owner: Option<ObjectId>, shares: &[Share], member_of: &[ObjectId],
) -> Access {
    if actor.acts_as_admin() || owner == Some(actor.id) {
        return Access::Own;
    }
    let best = shares
        .iter()
        .filter(|s| match s.kind {
            PartyKind::User => s.party == actor.id,
            PartyKind::Group => member_of.contains(&s.party),
        })
        .map(|s| s.rule)
        .max();
    match best {
        None => Access::None,
        // A viewer's role caps what any share gives them.
        Some(Rule::Edit) if actor.creates_content() => Access::Edit,
        Some(_) => Access::View,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_admin_rights_lifts_administrators_only() {
        let actor = |role: &str| Actor {
            id: ObjectId::generate(),
            role_name: role.into(),
            admin_access: false,
        };
        assert!(actor("super").with_admin_rights().acts_as_admin());
        assert!(actor("admin").with_admin_rights().acts_as_admin());
        for role in ["contributor", "consumer", "dataDesigner", "dataAdmin"] {
            assert!(!actor(role).with_admin_rights().acts_as_admin(), "{role}");
        }
    }
    use serde_json::json;

    fn id(n: u8) -> ObjectId {
        format!("{n:024x}").parse().unwrap()
    }

    fn actor(n: u8, role: &str, admin_access: bool) -> Actor {
        Actor { id: id(n), role_name: role.into(), admin_access }
    }

    #[test]
    fn access_table() {
        let owner = id(1);
        let group = id(9);
        let shares = [
            Share { party: id(2), kind: PartyKind::User, rule: Rule::View },
            Share { party: id(3), kind: PartyKind::User, rule: Rule::Edit },
            Share { party: group, kind: PartyKind::Group, rule: Rule::Edit },
        ];
        let cases = [
            (actor(1, "contributor", false), vec![], Access::Own),
            (actor(2, "contributor", false), vec![], Access::View),
            (actor(3, "contributor", false), vec![], Access::Edit),
            (actor(3, "consumer", false), vec![], Access::View),
            (actor(2, "contributor", false), vec![group], Access::Edit),
            (actor(4, "contributor", false), vec![], Access::None),
            (actor(4, "admin", false), vec![], Access::None),
            (actor(4, "admin", true), vec![], Access::Own),
            (actor(4, "super", true), vec![], Access::Own),
            (actor(4, "contributor", true), vec![], Access::None),
            (actor(4, "consumer", false), vec![group], Access::View),
        ];
        for (who, groups, expected) in cases {
            assert_eq!(
                dashboard_access(&who, Some(owner), &shares, &groups),
                expected,
                "{who:?} in {groups:?}"
            );
        }
    }

    #[test]
    fn widgets_leave_the_document_and_shares_default_to_empty() {
        let d = parse_dashboard(json!({
            "oid": "ignored", "owner": "ignored", "title": "Sales",
            "widgets": [{"oid": "0123456789abcdef01234567", "type": "chart"}, {"title": "w"}]
        }))
        .unwrap();
        assert_eq!(Value::Object(d.doc), json!({"title": "Sales", "shares": []}));
        let widgets = d.widgets.unwrap();
        assert_eq!(widgets.len(), 2);
        assert_eq!(widgets[0].oid.unwrap().to_string(), "0123456789abcdef01234567");
        assert_eq!(widgets[1].oid, None);
    }

    #[test]
    fn bad_documents_are_refused() {
        let cases = [
            json!({}),
            json!({"title": ""}),
            json!({"title": 3}),
            json!({"title": "t", "parentFolder": "x"}),
            json!({"title": "t", "datasource": []}),
            json!({"title": "t", "datasource": {"title": 1}}),
            json!({"title": "t", "filters": {}}),
            json!({"title": "t", "shares": {}}),
            json!({"title": "t", "shares": [{"shareId": "0123456789abcdef01234567", "type": "user", "rule": "own"}]}),
            json!({"title": "t", "shares": [{"shareId": "0123456789abcdef01234567", "type": "team", "rule": "view"}]}),
            json!({"title": "t", "shares": [{"type": "user", "rule": "view"}]}),
            json!({"title": "t", "shares": [
                {"shareId": "0123456789abcdef01234567", "type": "user", "rule": "view"},
                {"shareId": "0123456789abcdef01234567", "type": "user", "rule": "edit"}]}),
            json!({"title": "t", "widgets": {}}),
            json!({"title": "t", "widgets": [1]}),
            json!({"title": "t", "widgets": [{"oid": "zz"}]}),
            json!({"title": "t", "widgets": [{"oid": "0123456789abcdef01234567"}, {"oid": "0123456789abcdef01234567"}]}),
        ];
        for body in cases {
            assert!(parse_dashboard(body.clone()).is_err(), "{body}");
        }
    }
}
