//! Groups' SQL and the engine's `GroupStore` (memberships are written by `users.rs`).

use async_trait::async_trait;
use rusqlite::{Connection, Transaction, params};
use tessera_domain::document::lookup_key;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::query::{self, Filter};
use super::rows::{
    check_version, conflict_or, created_of, id_and_doc, id_array, in_tenant, missing_ids,
    optional_doc, optional_raw, stamp,
};
use super::{SqliteStore, dashboards, users};
use crate::{
    GroupEdit, GroupFilter, GroupRecord, GroupStore, ListPage, ListRequest, Result, StoreError,
};

pub(super) fn insert(
    tx: &Transaction<'_>, id: ObjectId, group: GroupRecord, builtin: bool,
) -> Result<Document> {
    check_role(tx, group.role_id)?;
    let now = now_iso();
    let doc = in_tenant(tx, stamp(id, group.doc, &now, &now, None))?;
    tx.prepare_cached(
        "INSERT INTO groups (id, name_key, role_id, builtin, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id.to_string(),
        lookup_key(&group.name),
        group.role_id.map(|r| r.to_string()),
        builtin,
        serde_json::to_string(&doc)?,
    ])
    .map_err(|e| conflict_or(e, ResourceKind::Group, &[("name_key", "name", &group.name)]))?;
    Ok(doc)
}

fn check_role(tx: &Transaction<'_>, role: Option<ObjectId>) -> Result<()> {
    let Some(role) = role else { return Ok(()) };
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM roles WHERE id = ?1)")?
        .query_row([role.to_string()], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::MissingReference { kind: ResourceKind::Role, id: role.to_string() })
    }
}

pub(super) fn get(conn: &Connection, id: ObjectId) -> Result<Option<Document>> {
    optional_doc(conn, "SELECT doc FROM groups WHERE id = ?1", &id.to_string())
}

const GROUPS: query::Table = query::Table { name: "groups", alias: "g", columns: &[] };

pub(super) fn list(conn: &Connection, request: &ListRequest<GroupFilter>) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let (page, count) = (*page, *count);
    let mut f = Filter::default();
    if let Some(name) = &filter.name {
        f.and("g.name_key = ?", lookup_key(name));
    }
    if let Some(mail) = &filter.mail {
        f.and("json_extract(g.doc, '$.mail') = ? COLLATE NOCASE", mail.clone());
    }
    if let Some(role) = filter.role_id {
        f.and("g.role_id = ?", role.to_string());
    }
    if let Some(ids) = &filter.ids {
        f.and("g.id IN (SELECT value FROM json_each(?))", id_array(ids));
    }
    if let Some(part) = &filter.search {
        f.and("instr(g.name_key, ?) > 0", lookup_key(part));
    }
    query::list(conn, &GROUPS, f, sort, page, count)
}

pub(super) fn update(
    tx: &Transaction<'_>, id: ObjectId, edit: GroupEdit,
) -> Result<Option<Document>> {
    let Some(current) = get(tx, id)? else {
        return Ok(None);
    };
    let group = edit(current.clone())?;
    check_role(tx, group.role_id)?;
    let created = created_of(&current);
    let doc = in_tenant(tx, stamp(id, group.doc, &created, &now_iso(), None))?;
    tx.prepare_cached("UPDATE groups SET name_key = ?2, role_id = ?3, doc = ?4 WHERE id = ?1")?
        .execute(params![
            id.to_string(),
            lookup_key(&group.name),
            group.role_id.map(|r| r.to_string()),
            serde_json::to_string(&doc)?,
        ])
        .map_err(|e| conflict_or(e, ResourceKind::Group, &[("name_key", "name", &group.name)]))?;
    Ok(Some(doc))
}

pub(super) fn delete(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    let wanted = id_array(ids);
    let missing = missing_ids(
        tx,
        "SELECT id FROM groups WHERE id IN (SELECT value FROM json_each(?1))",
        ids,
    )?;
    if let Some(id) = missing.first() {
        return Err(StoreError::NotFound { kind: ResourceKind::Group, id: id.to_string() });
    }
    let builtin: Option<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT json_extract(doc, '$.name') FROM groups
             WHERE builtin AND id IN (SELECT value FROM json_each(?1)) LIMIT 1",
        )?;
        let mut rows = stmt.query([&wanted])?;
        rows.next()?.map(|r| r.get(0)).transpose()?
    };
    if let Some(name) = builtin {
        return Err(StoreError::Builtin { kind: ResourceKind::Group, name });
    }
    // Members keep a consistent `groups` array: the deleted ids leave it.
    let now = now_iso();
    tx.prepare_cached(
        "UPDATE users SET
           doc = json_set(doc,
             '$.groups', (SELECT json_group_array(m.value) FROM
                            (SELECT g.value FROM json_each(users.doc, '$.groups') g
                              WHERE g.value NOT IN (SELECT value FROM json_each(?1))
                              ORDER BY g.key) m),
             '$.lastUpdated', ?2)
         WHERE id IN (SELECT user_id FROM user_groups WHERE group_id IN (SELECT value FROM json_each(?1)))",
    )?
    .execute(params![wanted, now])?;
    tx.prepare_cached("DELETE FROM groups WHERE id IN (SELECT value FROM json_each(?1))")?
        .execute([&wanted])?;
    Ok(())
}

/// The group `key` names: by id first, then by name; one statement.
fn find(conn: &Connection, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
    id_and_doc(
        conn,
        "SELECT id, doc FROM groups WHERE id = ?1 OR name_key = ?2
         ORDER BY id = ?1 DESC LIMIT 1",
        params![key.to_lowercase(), lookup_key(key)],
    )
}

#[async_trait]
impl GroupStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_groups(&self, groups: Vec<GroupRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| {
            groups.into_iter().map(|g| insert(tx, ObjectId::generate(), g, false)).collect()
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        self.read(move |c| optional_raw(c, "SELECT doc FROM groups WHERE id = ?1", &id.to_string()))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_group(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
        let key = key.to_owned();
        self.read(move |c| find(c, &key)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_groups(&self, request: ListRequest<GroupFilter>) -> Result<ListPage> {
        self.read(move |c| list(c, &request)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_group(&self, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>> {
        let result = self.write(move |tx| update(tx, id, edit)).await;
        self.docs.invalidate(&[id]);
        result
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn change_membership(
        &self, group: ObjectId, users: Vec<ObjectId>, add: bool,
    ) -> Result<()> {
        let changed = users.clone();
        let result = self.write(move |tx| users::change_membership(tx, group, &users, add)).await;
        self.users.invalidate(&changed);
        result
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_groups(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        let gone = ids.clone();
        let result = self
            .write(move |tx| {
                check_version(tx, "groups", &ids, if_match.as_ref())?;
                delete(tx, &ids)?;
                dashboards::drop_parties(tx, &ids)
            })
            .await;
        self.docs.invalidate(&gone);
        // Members' documents lost the groups: forget every cached user.
        self.users.clear();
        result
    }
}
