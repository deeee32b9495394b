//! Home (`/app/main/home`): the visitor's folders and dashboards as `navver` nests them, each
//! dashboard with its owner and what the visitor may do with it; and a dashboard's page
//! (`/app/main/dashboards/{id}`) listing its widgets.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde_json::Value;
use tessera_domain::dashboard::{Access, Actor};
use tessera_domain::{Document, ObjectId};

use crate::http::common::error::ApiError;
use crate::http::common::navigation::nested;
use crate::http::web::page::{Frame, PageError, Visitor, render, text};
use crate::state::AppState;

/// One line of the tree: a folder opens or closes, or a dashboard.
struct NavRow {
    kind: &'static str,
    id: String,
    title: String,
    owner: String,
    rule: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    rows: Vec<NavRow>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    frame: Frame,
    id: String,
    title: String,
    datasource: String,
    owner: String,
    rule: &'static str,
    /// Title and type of each widget.
    widgets: Vec<(String, String)>,
}

fn actor(visitor: &Visitor) -> Actor {
    visitor.caller.actor(false)
}

fn rule(access: Access) -> &'static str {
    match access {
        Access::Own => "owner",
        Access::Edit => "can edit",
        Access::View | Access::None => "can view",
    }
}

/// User names of owners, read once each.
struct Owners<'a> {
    state: &'a AppState,
    names: HashMap<String, String>,
}

impl Owners<'_> {
    async fn name(&mut self, id: &str) -> Result<String, ApiError> {
        if let Some(name) = self.names.get(id) {
            return Ok(name.clone());
        }
        let mut name = String::from("unknown");
        if let Ok(oid) = id.parse::<ObjectId>()
            && let Some(raw) = self.state.store.get_user(oid).await?
        {
            let doc: Document = serde_json::from_str(raw.get()).map_err(ApiError::internal)?;
            name = text(&doc, "userName");
        }
        self.names.insert(id.to_owned(), name.clone());
        Ok(name)
    }
}

pub async fn home(visitor: Visitor) -> Result<Response, PageError> {
    let actor = actor(&visitor);
    let (folders, loose) = nested(&visitor.state, &actor).await?;
    let mut owners = Owners { state: &visitor.state, names: HashMap::new() };
    let mut rows = Vec::new();
    // Depth-first, without recursion in async code: a stack of what is left to write.
    enum Step {
        Folder(Value),
        Close,
        Dashboard(Value),
    }
    let mut stack: Vec<Step> = loose.into_iter().rev().map(Step::Dashboard).collect();
    stack.extend(folders.into_iter().rev().map(Step::Folder));
    while let Some(step) = stack.pop() {
        match step {
            Step::Folder(folder) => {
                rows.push(row("open", &folder, "name", String::new(), ""));
                stack.push(Step::Close);
                let children = |key: &str| folder.get(key).and_then(Value::as_array).cloned();
                stack.extend(
                    children("dashboards")
                        .unwrap_or_default()
                        .into_iter()
                        .rev()
                        .map(Step::Dashboard),
                );
                stack.extend(
                    children("folders").unwrap_or_default().into_iter().rev().map(Step::Folder),
                );
            }
            Step::Close => rows.push(NavRow {
                kind: "close",
                id: String::new(),
                title: String::new(),
                owner: String::new(),
                rule: "",
            }),
            Step::Dashboard(dashboard) => {
                let owner_id = dashboard.get("owner").and_then(Value::as_str).unwrap_or_default();
                let owner = owners.name(owner_id).await?;
                let id = dashboard.get("oid").and_then(Value::as_str).unwrap_or_default();
                let access = match id.parse() {
                    Ok(oid) => visitor
                        .state
                        .store
                        .get_dashboard(&actor, oid)
                        .await
                        .map_err(ApiError::from)?
                        .map_or(Access::View, |(_, a)| a),
                    Err(_) => Access::View,
                };
                rows.push(row("dashboard", &dashboard, "title", owner, rule(access)));
            }
        }
    }
    Ok(render(&HomePage { frame: visitor.frame("home"), rows }))
}

fn row(
    kind: &'static str, doc: &Value, title_key: &str, owner: String, rule: &'static str,
) -> NavRow {
    let field = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    NavRow { kind, id: field("oid"), title: field(title_key), owner, rule }
}

pub async fn dashboard(visitor: Visitor, Path(id): Path<String>) -> Result<Response, PageError> {
    let actor = actor(&visitor);
    let oid: ObjectId = id.parse().map_err(|_| PageError::not_found())?;
    let store = &visitor.state.store;
    let (raw, access) = store
        .get_dashboard(&actor, oid)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(PageError::not_found)?;
    let doc: Document = serde_json::from_str(raw.get()).map_err(ApiError::internal)?;
    let widgets = store.list_widgets(&actor, oid).await.map_err(ApiError::from)?;
    let widgets = widgets
        .iter()
        .filter_map(|raw| serde_json::from_str::<Document>(raw.get()).ok())
        .map(|w| (text(&w, "title"), text(&w, "type")))
        .collect();
    let mut owners = Owners { state: &visitor.state, names: HashMap::new() };
    let owner = owners.name(&text(&doc, "owner")).await?;
    let datasource = doc
        .get("datasource")
        .and_then(|d| d.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("none")
        .to_owned();
    let page = DashboardPage {
        frame: visitor.frame("home"),
        id,
        title: text(&doc, "title"),
        datasource,
        owner,
        rule: rule(access),
        widgets,
    };
    Ok(render(&page))
}
