//! Admin (`/app/settings`), for administrators: the REST API tab with the reference link, Users,
//! Groups and Feature Management. The pages read the store; every change they offer is a call
//! to the REST API from the browser session (app.js), so the API's own rules (validation,
//! who may change whom, built-in groups) are the only rules.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;
use tessera_domain::group::BUILTIN_GROUPS;
use tessera_domain::query::{Page, parse_sort};
use tessera_domain::{Document, ObjectId};
use tessera_store::{GroupFilter, ListRequest, UserFilter};

use crate::http::common::error::ApiError;
use crate::http::web::page::{Frame, PageError, Visitor, render, text};
use crate::state::AppState;

/// Users shown per page.
const PAGE_SIZE: u64 = 25;

#[derive(Template)]
#[template(path = "settings_rest.html")]
struct RestTab {
    frame: Frame,
    tab: &'static str,
}

#[derive(Template)]
#[template(path = "settings_features.html")]
struct FeaturesTab {
    frame: Frame,
    tab: &'static str,
    api_token: bool,
}

struct UserRow {
    id: String,
    user_name: String,
    email: String,
    name: String,
    role: String,
    role_id: String,
    groups: Vec<String>,
    group_ids: Vec<String>,
    active: bool,
    last_login: String,
}

#[derive(Template)]
#[template(path = "settings_users.html")]
struct UsersTab {
    frame: Frame,
    tab: &'static str,
    search: String,
    users: Vec<UserRow>,
    total: u64,
    first: u64,
    last: u64,
    previous: Option<String>,
    next: Option<String>,
    /// (id, display name) of every role and every group, for the pickers.
    roles: Vec<(String, String)>,
    groups: Vec<(String, String)>,
}

struct GroupRow {
    id: String,
    name: String,
    members: u64,
    builtin: bool,
}

#[derive(Template)]
#[template(path = "settings_groups.html")]
struct GroupsTab {
    frame: Frame,
    tab: &'static str,
    groups: Vec<GroupRow>,
}

#[derive(Template)]
#[template(path = "settings_group.html")]
struct GroupTab {
    frame: Frame,
    tab: &'static str,
    id: String,
    name: String,
    /// (id, user name, e-mail) of each member.
    members: Vec<(String, String, String)>,
    /// (id, user name) of the users who are not members.
    candidates: Vec<(String, String)>,
}

fn parse(raw: &tessera_domain::lazy::RawDoc) -> Result<Document, ApiError> {
    serde_json::from_str(raw.get()).map_err(ApiError::internal)
}

fn admin(visitor: &Visitor) -> Result<Frame, PageError> {
    visitor.require_admin()?;
    Ok(visitor.frame("admin"))
}

/// `/app/settings` and `/app/settings/rest` (Sisense: `/app/settings#/rest`).
pub async fn rest(visitor: Visitor) -> Result<Response, PageError> {
    Ok(render(&RestTab { frame: admin(&visitor)?, tab: "rest" }))
}

pub async fn features(visitor: Visitor) -> Result<Response, PageError> {
    let frame = admin(&visitor)?;
    let api_token = visitor.features().await?.user_profile.api_token;
    Ok(render(&FeaturesTab { frame, tab: "features", api_token }))
}

#[derive(Deserialize)]
pub struct UsersQuery {
    search: Option<String>,
    skip: Option<u64>,
}

/// (id, name) pairs of every role (display names) and every group.
async fn pickers(
    state: &AppState,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), ApiError> {
    let roles = state
        .store
        .list_roles()
        .await?
        .iter()
        .map(|r| (text(r, "_id"), text(r, "displayName")))
        .collect();
    let groups = state.store.list_groups(ListRequest::all(GroupFilter::default())).await?;
    let groups = groups.items.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    Ok((roles, groups.iter().map(|g| (text(g, "_id"), text(g, "name"))).collect()))
}

pub async fn users(visitor: Visitor, Query(q): Query<UsersQuery>) -> Result<Response, PageError> {
    let frame = admin(&visitor)?;
    let state = &visitor.state;
    let search = q.search.unwrap_or_default().trim().to_owned();
    let skip = q.skip.unwrap_or(0);
    let request = ListRequest {
        filter: UserFilter {
            search: (!search.is_empty()).then(|| search.clone()),
            ..UserFilter::default()
        },
        sort: parse_sort("sort", "userName").map_err(|e| ApiError::internal(e.to_string()))?,
        page: Page { skip, limit: Some(PAGE_SIZE) },
        count: true,
    };
    let page = state.store.list_users(request).await?;
    let total = page.total.unwrap_or(0);
    let (roles, groups) = pickers(state).await?;
    let name_of = |list: &[(String, String)], id: &str| {
        list.iter().find(|(i, _)| i == id).map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    };
    let mut users = Vec::new();
    for raw in &page.items {
        let u = parse(raw)?;
        let group_ids: Vec<String> = u
            .get("groups")
            .and_then(|g| g.as_array())
            .map(|ids| ids.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let role_id = text(&u, "roleId");
        users.push(UserRow {
            id: text(&u, "_id"),
            user_name: text(&u, "userName"),
            email: text(&u, "email"),
            name: format!("{} {}", text(&u, "firstName"), text(&u, "lastName")).trim().to_owned(),
            role: name_of(&roles, &role_id),
            role_id,
            groups: group_ids.iter().map(|g| name_of(&groups, g)).collect(),
            group_ids,
            active: u.get("active").and_then(serde_json::Value::as_bool).unwrap_or(true),
            last_login: text(&u, "lastLogin"),
        });
    }
    let link = |skip: u64| {
        let query =
            serde_urlencoded::to_string([("search", search.as_str()), ("skip", &skip.to_string())])
                .unwrap_or_default();
        format!("/app/settings/users?{query}")
    };
    let shown = users.len() as u64;
    let page = UsersTab {
        frame,
        tab: "users",
        previous: (skip > 0).then(|| link(skip.saturating_sub(PAGE_SIZE))),
        next: (skip + shown < total).then(|| link(skip + PAGE_SIZE)),
        first: if shown == 0 { 0 } else { skip + 1 },
        last: skip + shown,
        search,
        users,
        total,
        roles,
        groups,
    };
    Ok(render(&page))
}

async fn members(
    state: &AppState, group: ObjectId, count_only: bool,
) -> Result<(u64, Vec<Document>), ApiError> {
    let request = ListRequest {
        filter: UserFilter { group_id: Some(group), ..UserFilter::default() },
        sort: parse_sort("sort", "userName").map_err(|e| ApiError::internal(e.to_string()))?,
        page: Page { skip: 0, limit: count_only.then_some(0) },
        count: count_only,
    };
    let page = state.store.list_users(request).await?;
    let docs = page.items.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    Ok((page.total.unwrap_or(docs.len() as u64), docs))
}

pub async fn groups(visitor: Visitor) -> Result<Response, PageError> {
    let frame = admin(&visitor)?;
    let state = &visitor.state;
    let list = state.store.list_groups(ListRequest::all(GroupFilter::default())).await?;
    let mut groups = Vec::new();
    for raw in &list.items {
        let g = parse(raw)?;
        let id = text(&g, "_id");
        let oid: ObjectId = id.parse().map_err(|_| ApiError::internal("a stored group id"))?;
        let name = text(&g, "name");
        let builtin = BUILTIN_GROUPS.contains(&name.as_str());
        let (count, _) = members(state, oid, true).await?;
        groups.push(GroupRow { id, name, members: count, builtin });
    }
    Ok(render(&GroupsTab { frame, tab: "groups", groups }))
}

pub async fn group(visitor: Visitor, Path(id): Path<String>) -> Result<Response, PageError> {
    let frame = admin(&visitor)?;
    let state = &visitor.state;
    let oid: ObjectId = id.parse().map_err(|_| PageError::not_found())?;
    let group = state.store.get_group(oid).await?.ok_or_else(PageError::not_found)?;
    let name = text(&parse(&group)?, "name");
    let (_, docs) = members(state, oid, false).await?;
    let members: Vec<(String, String, String)> =
        docs.iter().map(|u| (text(u, "_id"), text(u, "userName"), text(u, "email"))).collect();
    let everyone = state.store.list_users(ListRequest::all(UserFilter::default())).await?;
    let candidates = everyone
        .items
        .iter()
        .map(parse)
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|u| (text(u, "_id"), text(u, "userName")))
        .filter(|(id, _)| !members.iter().any(|(m, _, _)| m == id))
        .collect();
    Ok(render(&GroupTab { frame, tab: "groups", id, name, members, candidates }))
}
