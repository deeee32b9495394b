//! Folders: a tree per owner. A folder is its owner's (and an acting admin's) to see and change.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tessera_domain::dashboard::Actor;
use tessera_domain::etag::IfMatch;
use tessera_domain::folder::{FolderDraft, descendants, would_cycle};
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::SqliteStore;
use super::query::{self, Filter};
use super::rows::{created_of, folder_stamp as stamp, id_array, parse_doc, raw_doc};
use crate::{FolderEdit, FolderFilter, FolderStore, ListPage, ListRequest, Result, StoreError};

fn load(conn: &Connection, id: ObjectId) -> Result<Option<(String, Document)>> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT owner, doc FROM folders WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(owner, doc)| Ok((owner, parse_doc(&doc)?))).transpose()
}

fn visible(actor: &Actor, owner: &str) -> bool {
    actor.acts_as_admin() || owner == actor.id.to_string()
}

fn not_found(id: ObjectId) -> StoreError {
    StoreError::NotFound { kind: ResourceKind::Folder, id: id.to_string() }
}

/// A folder the actor may put things in; anything else is an unknown reference (422).
pub(super) fn require_visible(conn: &Connection, actor: &Actor, id: ObjectId) -> Result<()> {
    match load(conn, id)? {
        Some((owner, _)) if visible(actor, &owner) => Ok(()),
        _ => Err(StoreError::MissingReference { kind: ResourceKind::Folder, id: id.to_string() }),
    }
}

/// The folder, when the actor may see it; `NotFound` otherwise.
fn require(conn: &Connection, actor: &Actor, id: ObjectId) -> Result<(String, Document)> {
    match load(conn, id)? {
        Some((owner, doc)) if visible(actor, &owner) => Ok((owner, doc)),
        _ => Err(not_found(id)),
    }
}

fn check_owner(conn: &Connection, owner: ObjectId) -> Result<()> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)")?
        .query_row([owner.to_string()], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::MissingReference { kind: ResourceKind::User, id: owner.to_string() })
    }
}

/// Who a draft makes the owner: the one it names (only an acting admin may name another user),
/// or else `default`.
fn owner_of(
    conn: &Connection, actor: &Actor, draft: &FolderDraft, default: &str,
) -> Result<String> {
    match draft.owner {
        None => Ok(default.to_owned()),
        Some(o) if o.to_string() == default => Ok(default.to_owned()),
        Some(o) if o == actor.id || actor.acts_as_admin() => {
            check_owner(conn, o)?;
            Ok(o.to_string())
        }
        Some(_) => Err(StoreError::Forbidden(
            "Only administrators (adminAccess=true) can give a folder to another user".into(),
        )),
    }
}

pub(super) fn insert(tx: &Transaction<'_>, actor: &Actor, draft: FolderDraft) -> Result<Document> {
    if !actor.creates_content() {
        return Err(StoreError::Forbidden("Viewers cannot create folders".into()));
    }
    if let Some(parent) = draft.parent {
        require_visible(tx, actor, parent)?;
    }
    let owner = owner_of(tx, actor, &draft, &actor.id.to_string())?;
    let id = ObjectId::generate();
    let now = now_iso();
    let doc = stamp(id, draft.doc, &owner, &now, &now);
    tx.prepare_cached("INSERT INTO folders (id, parent_id, owner, doc) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
        id.to_string(),
        draft.parent.map(|p| p.to_string()),
        owner,
        serde_json::to_string(&doc)?
    ])?;
    Ok(doc)
}

pub(super) fn get(conn: &Connection, actor: &Actor, id: ObjectId) -> Result<Option<RawDoc>> {
    match load(conn, id)? {
        Some((owner, doc)) if visible(actor, &owner) => {
            Ok(Some(raw_doc(serde_json::to_string(&doc)?)?))
        }
        _ => Ok(None),
    }
}

const FOLDERS: query::Table = query::Table { name: "folders", alias: "f", columns: &[] };

pub(super) fn list(
    conn: &Connection, actor: &Actor, request: &ListRequest<FolderFilter>,
) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let (page, count) = (*page, *count);
    let mut f = Filter::default();
    if !actor.acts_as_admin() {
        f.and("f.owner = ?", actor.id.to_string());
    }
    if let Some(name) = &filter.name {
        f.and("lower(json_extract(f.doc, '$.name')) = lower(?)", name.clone());
    }
    match filter.parent {
        Some(Some(parent)) => f.and("f.parent_id = ?", parent.to_string()),
        Some(None) => f.and_plain("f.parent_id IS NULL"),
        None => {}
    }
    query::list(conn, &FOLDERS, f, sort, page, count)
}

/// Every folder's parent, for the tree rules.
fn parents(conn: &Connection) -> Result<HashMap<ObjectId, ObjectId>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, parent_id FROM folders WHERE parent_id IS NOT NULL")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (child, parent) = row?;
        if let (Ok(c), Ok(p)) = (child.parse(), parent.parse()) {
            out.insert(c, p);
        }
    }
    Ok(out)
}

pub(super) fn update(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, edit: FolderEdit,
) -> Result<Document> {
    let (owner, current) = require(tx, actor, id)?;
    let draft = edit(current.clone())?;
    if let Some(parent) = draft.parent {
        require_visible(tx, actor, parent)?;
        if would_cycle(id, Some(parent), &parents(tx)?) {
            return Err(StoreError::Cycle { id: id.to_string() });
        }
    }
    let owner = owner_of(tx, actor, &draft, &owner)?;
    let created = created_of(&current);
    let doc = stamp(id, draft.doc, &owner, &created, &now_iso());
    tx.prepare_cached("UPDATE folders SET parent_id = ?2, owner = ?3, doc = ?4 WHERE id = ?1")?
        .execute(params![
            id.to_string(),
            draft.parent.map(|p| p.to_string()),
            owner,
            serde_json::to_string(&doc)?
        ])?;
    Ok(doc)
}

pub(super) fn delete(
    tx: &Transaction<'_>, actor: &Actor, ids: &[ObjectId], cascade: bool,
    if_match: Option<&IfMatch>,
) -> Result<()> {
    for id in ids {
        let (_, doc) = require(tx, actor, *id)?;
        if let Some(m) = if_match {
            m.check(&doc)?;
        }
    }
    let tree = parents(tx)?;
    let doomed: HashSet<ObjectId> =
        if cascade { descendants(ids, &tree) } else { ids.iter().copied().collect() };
    let doomed: Vec<ObjectId> = doomed.into_iter().collect();
    let wanted = id_array(&doomed);
    if !cascade {
        // A folder may go only when all it holds goes with it.
        let child =
            tree.iter().find(|(child, parent)| doomed.contains(parent) && !doomed.contains(child));
        let holds_dashboard: Option<String> = tx
            .prepare_cached(
                "SELECT parent_folder FROM dashboards
                 WHERE parent_folder IN (SELECT value FROM json_each(?1)) LIMIT 1",
            )?
            .query_row([&wanted], |r| r.get(0))
            .optional()?;
        if let Some(full) = child.map(|(_, parent)| parent.to_string()).or(holds_dashboard) {
            return Err(StoreError::NotEmpty { kind: ResourceKind::Folder, id: full });
        }
    }
    tx.prepare_cached(
        "DELETE FROM dashboards WHERE parent_folder IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&wanted])?;
    tx.prepare_cached("DELETE FROM folders WHERE id IN (SELECT value FROM json_each(?1))")?
        .execute([&wanted])?;
    Ok(())
}

#[async_trait]
impl FolderStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_folder(&self, actor: &Actor, draft: FolderDraft) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| insert(tx, &actor, draft)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_folder(&self, actor: &Actor, id: ObjectId) -> Result<Option<RawDoc>> {
        let actor = actor.clone();
        self.read(move |c| get(c, &actor, id)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_folders(
        &self, actor: &Actor, request: ListRequest<FolderFilter>,
    ) -> Result<ListPage> {
        let actor = actor.clone();
        self.read_rows(request.page.limit, move |c| list(c, &actor, &request)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_folder(
        &self, actor: &Actor, id: ObjectId, edit: FolderEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| update(tx, &actor, id, edit)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_folders(
        &self, actor: &Actor, ids: Vec<ObjectId>, cascade: bool, if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| delete(tx, &actor, &ids, cascade, if_match.as_ref())).await
    }
}
