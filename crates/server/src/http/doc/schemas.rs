//! The schemas of the reference: what each resource looks like on the wire. Leaf module: it
//! imports nothing of the HTTP layer, and every handler's annotation points here.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

/// A 24-hex-digit id.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = "^[0-9a-fA-F]{24}$", example = "552398f8e5fd8174a8000003")]
#[allow(dead_code)]
pub struct Id(String);

/// A user. Documents are open: fields the server does not know are kept and returned. With
/// `fields`, only the fields asked for are present, so none is required.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct User {
    #[schema(example = "552398f8e5fd8174a8000003")]
    #[schema(required = false)]
    _id: String,
    #[schema(required = false)]
    userName: String,
    #[schema(example = "user@sisense.com")]
    #[schema(required = false)]
    email: String,
    firstName: Option<String>,
    lastName: Option<String>,
    #[schema(required = false)]
    roleId: String,
    /// Group ids (group objects with `expand=groups`).
    #[schema(required = false)]
    groups: Vec<Value>,
    #[schema(required = false)]
    active: bool,
    #[schema(example = "2015-04-07T08:44:40.169Z")]
    #[schema(required = false)]
    created: String,
    #[schema(required = false)]
    lastUpdated: String,
    /// The one tenant, `system` (`GET /api/v1/tenants`); set by the server.
    #[schema(required = false, read_only)]
    tenantId: String,
    lastLogin: Option<String>,
    preferences: Option<BTreeMap<String, Value>>,
    #[schema(additional_properties)]
    #[serde(flatten)]
    more: BTreeMap<String, Value>,
}

/// A user to create or replace. `password` is write-only.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct NewUser {
    #[schema(example = "jane@example.com")]
    email: String,
    /// Defaults to `email`.
    userName: Option<String>,
    firstName: Option<String>,
    lastName: Option<String>,
    /// An existing role's id; defaults to the Viewer role (`consumer`).
    roleId: Option<Id>,
    /// Existing groups' ids.
    groups: Option<Vec<Id>>,
    active: Option<bool>,
    #[schema(format = Password, example = "Jane-passw0rd")]
    password: Option<String>,
    preferences: Option<BTreeMap<String, Value>>,
}

/// A group. Documents are open; with `fields`, only the fields asked for are present.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Group {
    #[schema(required = false)]
    _id: String,
    #[schema(example = "some group")]
    #[schema(required = false)]
    name: String,
    roleId: Option<String>,
    ad: Option<bool>,
    objectSid: Option<String>,
    dn: Option<String>,
    uSNChanged: Option<String>,
    mail: Option<String>,
    #[schema(required = false)]
    created: String,
    #[schema(required = false)]
    lastUpdated: String,
    /// The one tenant, `system` (`GET /api/v1/tenants`); set by the server.
    #[schema(required = false, read_only)]
    tenantId: String,
    /// Members, with `expand=users`.
    users: Option<Vec<Value>>,
}

/// A group to create or replace.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct NewGroup {
    #[schema(example = "some group")]
    name: String,
    /// An existing role's id.
    roleId: Option<Id>,
    mail: Option<String>,
}

/// A role.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Role {
    #[schema(required = false)]
    _id: String,
    #[schema(example = "consumer")]
    #[schema(required = false)]
    name: String,
    #[schema(example = "Viewer")]
    #[schema(required = false)]
    displayName: String,
    #[schema(required = false)]
    baseRoleName: String,
}

/// A share: a user or group, and what it may do.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct ShareEntry {
    shareId: Id,
    #[schema(example = "user")]
    r#type: String,
    /// `view` or `edit`.
    #[schema(example = "view")]
    rule: String,
    subscribe: Option<bool>,
}

/// A dashboard. Documents are open; with `fields`, only the fields asked for are present.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Dashboard {
    #[schema(required = false, example = "5f1b0e4c9d3e2a0012345678")]
    oid: String,
    #[schema(required = false, example = "Sales")]
    title: String,
    desc: Option<String>,
    /// The owner's user id (the user with `expand=owner`).
    #[schema(required = false)]
    owner: Value,
    /// The folder's oid (the folder with `expand=parentFolder`).
    parentFolder: Option<Value>,
    datasource: Option<BTreeMap<String, Value>>,
    filters: Option<Vec<Value>>,
    layout: Option<BTreeMap<String, Value>>,
    style: Option<BTreeMap<String, Value>>,
    shares: Option<Vec<ShareEntry>>,
    /// Only in exports and imports.
    widgets: Option<Vec<Value>>,
    #[schema(required = false)]
    created: String,
    #[schema(required = false)]
    lastUpdated: String,
    #[schema(additional_properties)]
    #[serde(flatten)]
    more: BTreeMap<String, Value>,
}

/// A dashboard to create or replace (`oid`, `owner`, `created`, `lastUpdated` are the server's).
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct NewDashboard {
    #[schema(example = "Sales")]
    title: String,
    desc: Option<String>,
    /// A folder of the caller's.
    parentFolder: Option<Id>,
    datasource: Option<BTreeMap<String, Value>>,
    filters: Option<Vec<Value>>,
    layout: Option<BTreeMap<String, Value>>,
    style: Option<BTreeMap<String, Value>>,
    /// Existing users and groups; only the owner changes them.
    shares: Option<Vec<ShareEntry>>,
    /// Replaces the dashboard's widgets.
    widgets: Option<Vec<BTreeMap<String, Value>>>,
}

/// A widget. Documents are open.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Widget {
    #[schema(required = false)]
    oid: String,
    #[schema(required = false)]
    dashboardid: String,
    title: Option<String>,
    r#type: Option<String>,
    subtype: Option<String>,
    metadata: Option<BTreeMap<String, Value>>,
    style: Option<BTreeMap<String, Value>>,
    #[schema(additional_properties)]
    #[serde(flatten)]
    more: BTreeMap<String, Value>,
}

/// Whether a dashboard exists (for the caller).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Exists {
    exists: bool,
}

/// A dashboard's shares and owner.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Shares {
    sharesTo: Vec<ShareEntry>,
    /// `_id`, `userName`, `email`, `firstName`, `lastName` of the owner.
    owner: Option<BTreeMap<String, Value>>,
}

/// New shares (API 0.9).
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct NewShares {
    sharesTo: Vec<ShareEntry>,
}

/// A new owner for a dashboard.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct ChangeOwner {
    ownerId: Id,
    /// What the previous owner keeps: `view` or `edit` (the default).
    originalOwnerRule: Option<String>,
}

/// What an import did.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportResult {
    /// Sisense's spelling, which clients read: the imported dashboards.
    succeded: Vec<Value>,
    /// The same, spelled right.
    succeeded: Vec<Value>,
    /// `{oid, title}` of the dashboards left alone (`action=skip`).
    skipped: Vec<Value>,
    /// Why each failed, by `oid` (or position).
    failed: BTreeMap<String, Value>,
}

/// A dashboard search.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct DashboardSearch {
    /// `name`, `search` (part of the title), `parentFolder`, `datasourceTitle`, `datasourceAddress`, `ownerId`.
    queryParams: Option<BTreeMap<String, String>>,
    /// `sort` (`"-title"` or `{"title": -1}`), `limit`, `skip`.
    queryOptions: Option<BTreeMap<String, Value>>,
}

/// Search results.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SearchResult {
    items: Vec<Dashboard>,
}

/// A folder.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct Folder {
    #[schema(required = false)]
    oid: String,
    #[schema(required = false, example = "Finance")]
    name: String,
    parentId: Option<String>,
    #[schema(required = false)]
    owner: Value,
    #[schema(required = false)]
    created: String,
    #[schema(required = false)]
    lastUpdated: String,
    /// With `structure=tree`: the sub-folders.
    folders: Option<Vec<Value>>,
    /// With `structure=tree`: the dashboards in it.
    dashboards: Option<Vec<Value>>,
}

/// A folder to create.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct NewFolder {
    #[schema(example = "Finance")]
    name: String,
    /// A folder of the caller's; none for a root folder.
    parentId: Option<Id>,
}

/// A change to a folder.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct FolderPatch {
    name: Option<String>,
    /// A folder of the caller's (not this one nor one inside it), or null for the root.
    parentId: Option<Id>,
    /// A user id (administrators with adminAccess=true may name another user).
    owner: Option<Id>,
}

/// The navigation tree.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Navigation {
    /// The root folders, with nested `folders` and `dashboards`.
    folders: Vec<Value>,
    /// The dashboards in no folder.
    dashboards: Vec<Value>,
}

/// Sign-in credentials (form-urlencoded, `%40` for `@`, or JSON).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct Credentials {
    #[schema(example = "admin@example.com")]
    username: String,
    #[schema(format = Password)]
    password: String,
    /// For a browser: keep the session cookie after the browser closes, as long as the token
    /// lives. Without it the session ends with the browser.
    #[schema(default = false)]
    remember_me: Option<bool>,
}

/// A successful sign-in.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoginAnswer {
    success: bool,
    message: String,
    access_token: String,
}

/// A token.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenAnswer {
    token: String,
}

/// Whether the request is signed in.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct IsAuth {
    isAuthenticated: bool,
    loginUrl: String,
}

/// A count.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Count {
    count: u64,
}

/// Logout done.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Done {
    success: bool,
}

/// What an API 0.9 delete answers.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Deleted {
    /// The ids deleted.
    deleted: Vec<String>,
}

/// The Sisense error envelope: every error has it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct ErrorBody {
    #[schema(example = 202)]
    code: u32,
    #[schema(example = "User 'd59665_athisisauserid6235_fs' not found")]
    message: String,
    resourceType: Option<String>,
    resourceName: Option<String>,
    #[schema(example = 404)]
    status: u16,
    #[schema(example = "Not Found")]
    httpMessage: String,
}

/// Admin → Feature Management's switches.
#[derive(ToSchema)]
#[schema(as = Features, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct FeaturesDoc {
    user_profile: UserProfileFeatures,
}

/// The switches of My Profile.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UserProfileFeatures {
    /// The API Token tab (see, copy, regenerate one's own token). Off by default.
    #[schema(default = false)]
    api_token: bool,
}
