//! The embedded engine: one SQLite file in WAL mode.
//!
//! Each entity is a row holding its JSON document plus the columns it is looked up by. Reads and
//! writes run on a small pool of connections, each on the blocking thread pool so that no async
//! worker ever waits on the disk. Every write is one `BEGIN IMMEDIATE` transaction with
//! `synchronous=FULL`: once a client has its answer, the change is on disk.

mod cache;
mod conn;
mod dashboards;
mod folders;
mod groups;
mod query;
mod roles;
mod schema;
mod setup;
mod tokens;
mod users;

use std::path::Path;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::Value;
use tessera_domain::{Document, ObjectId, ResourceKind};

use crate::{
    AuthRecord, GroupEdit, GroupFilter, GroupRecord, ListPage, LoginRecord, Referencing, Result,
    SeedAdmin, Store, StoreError, UserEdit, UserFilter, UserRecord,
};
use crate::{
    ContentStore, DashboardEdit, DashboardFilter, FolderEdit, FolderFilter, ImportAction,
    ImportItem, ImportReport, WidgetEdit,
};
use cache::Cache;
use conn::Pool;
use tessera_domain::dashboard::{Access, Actor, DashboardDraft, Rule};
use tessera_domain::etag::IfMatch;
use tessera_domain::folder::FolderDraft;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, Resource, SortKey};

/// Reads of at most this many rows run inline; larger ones on the blocking pool.
const INLINE_ROWS: u64 = 200;

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "tessera.sqlite3";

/// A Tessera store in one SQLite file.
pub struct SqliteStore {
    pool: Pool,
    /// Auth records by user id.
    auth: Cache<AuthRecord>,
    /// Group and role documents by id (ids are unique across collections).
    docs: Cache<RawDoc>,
    /// User documents by id, for reads by id.
    users: Cache<RawDoc>,
    /// The ids of logged-out tokens, all of them (also in `revoked_tokens`): checked on every
    /// request, so kept in memory.
    revoked: std::sync::RwLock<std::collections::HashSet<String>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let pool = conn::pool(data_dir.join(DATABASE_FILE))?;
        let store = SqliteStore {
            pool,
            auth: Cache::new(),
            docs: Cache::new(),
            users: Cache::new(),
            revoked: Default::default(),
        };
        store.write(schema::migrate).await?;
        let revoked = store.read(tokens::live_revocations).await?;
        *store
            .revoked
            .write()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))? = revoked;
        Ok(store)
    }

    /// Runs a short read (a lookup by key, a small page) on a pooled connection, inline.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T>,
    {
        conn::read_here(&self.pool, f).await
    }

    /// Runs a read of unbounded size on the blocking thread pool, so that no async worker is
    /// held up by it.
    async fn read_large<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        conn::interact(&self.pool, move |c| f(c)).await
    }

    /// A read of `n` rows, inline when small.
    async fn read_rows<T, F>(&self, n: Option<u64>, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        if n.is_some_and(|n| n <= INLINE_ROWS) {
            self.read(f).await
        } else {
            self.read_large(f).await
        }
    }

    /// Runs `f` in one immediate transaction, committed when `f` succeeds and rolled back
    /// otherwise, so a failed request stores nothing.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        conn::interact(&self.pool, move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Internal(format!("stored document is not valid JSON: {e}"))
    }
}

/// The one place where a unique-constraint failure becomes a conflict. `columns` maps each
/// unique column of the statement to the field name and value the client sent.
fn conflict_or(
    err: rusqlite::Error,
    kind: ResourceKind,
    columns: &[(&str, &'static str, &str)],
) -> StoreError {
    if let rusqlite::Error::SqliteFailure(code, Some(msg)) = &err
        && code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    {
        for (column, field, value) in columns {
            if msg.ends_with(&format!(".{column}")) {
                return StoreError::Conflict {
                    kind,
                    field,
                    value: (*value).to_owned(),
                };
            }
        }
    }
    err.into()
}

/// The stored form of a document: `_id` first, the client's fields, then the server's.
fn stamp(
    id: ObjectId,
    body: Document,
    created: &str,
    updated: &str,
    last_login: Option<Value>,
) -> Document {
    let mut out = Document::with_capacity(body.len() + 4);
    out.insert("_id".into(), Value::String(id.to_string()));
    out.extend(body);
    out.insert("created".into(), Value::String(created.to_owned()));
    out.insert("lastUpdated".into(), Value::String(updated.to_owned()));
    if let Some(at) = last_login {
        out.insert("lastLogin".into(), at);
    }
    out
}

/// A stored document's `created`, which every rewrite keeps.
fn created_of(doc: &Document) -> String {
    doc.get("created")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn parse_doc(text: &str) -> Result<Document> {
    Ok(serde_json::from_str(text)?)
}

/// A stored document as it is, checked to be a JSON object (not parsed into a map).
fn raw_doc(text: String) -> Result<RawDoc> {
    if !text.starts_with('{') {
        return Err(StoreError::Internal(
            "stored document is not a JSON object".into(),
        ));
    }
    Ok(serde_json::value::RawValue::from_string(text)?)
}

fn optional_raw(conn: &Connection, sql: &str, key: &str) -> Result<Option<RawDoc>> {
    let text: Option<String> = conn
        .prepare_cached(sql)?
        .query_row([key], |r| r.get(0))
        .optional()?;
    text.map(raw_doc).transpose()
}

/// An id list as a JSON array, for `IN (SELECT value FROM json_each(?))`.
fn id_array(ids: &[ObjectId]) -> String {
    Value::Array(ids.iter().map(|id| Value::String(id.to_string())).collect()).to_string()
}

/// Ids from `wanted` that the query `sql` (one `?` for the JSON id array) does not return.
fn missing_ids(tx: &Connection, sql: &str, wanted: &[ObjectId]) -> Result<Vec<ObjectId>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let found: std::collections::HashSet<String> = stmt
        .query_map([id_array(wanted)], |r| r.get::<_, String>(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(wanted
        .iter()
        .filter(|id| !found.contains(&id.to_string()))
        .copied()
        .collect())
}

/// An `If-Match` precondition on the entities of `table` with these ids, as stored now (an
/// entity that does not exist is left to the caller's not-found answer).
fn check_version(
    conn: &Connection,
    table: &str,
    ids: &[ObjectId],
    if_match: Option<&IfMatch>,
) -> Result<()> {
    let Some(if_match) = if_match else {
        return Ok(());
    };
    let sql = format!("SELECT doc FROM {table} WHERE id = ?1");
    for id in ids {
        if let Some(doc) = optional_doc(conn, &sql, &id.to_string())? {
            if_match.check(&doc)?;
        }
    }
    Ok(())
}

fn optional_doc(conn: &Connection, sql: &str, key: &str) -> Result<Option<Document>> {
    let text: Option<String> = conn
        .prepare_cached(sql)?
        .query_row([key], |r| r.get(0))
        .optional()?;
    text.as_deref().map(parse_doc).transpose()
}

#[async_trait]
impl Store for SqliteStore {
    async fn initialize(&self, admin: SeedAdmin, signing_key: Vec<u8>) -> Result<bool> {
        self.write(move |tx| setup::initialize(tx, admin, &signing_key))
            .await
    }

    fn content(&self) -> &dyn ContentStore {
        self
    }

    async fn signing_key(&self) -> Result<Vec<u8>> {
        self.read(setup::signing_key).await
    }

    async fn list_roles(&self) -> Result<Vec<Document>> {
        self.read(roles::list).await
    }

    async fn find_role(&self, id_or_name: &str) -> Result<Option<Document>> {
        let key = id_or_name.to_owned();
        self.read(move |c| roles::find(c, &key)).await
    }

    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| users.into_iter().map(|u| users::insert(tx, u)).collect())
            .await
    }

    async fn get_user(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        if let Some(doc) = self.users.get(&id) {
            return Ok(Some(doc));
        }
        let generation = self.users.generation();
        let doc = self
            .read(move |c| optional_raw(c, "SELECT doc FROM users WHERE id = ?1", &id.to_string()))
            .await?;
        if let Some(doc) = &doc {
            self.users.put(generation, [(id, doc.clone())]);
        }
        Ok(doc)
    }

    async fn list_users(
        &self,
        filter: &UserFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage> {
        let (filter, sort) = (filter.clone(), sort.to_vec());
        self.read(move |c| users::list(c, &filter, &sort, page, count))
            .await
    }

    async fn update_user(&self, id: ObjectId, edit: UserEdit) -> Result<Option<Document>> {
        let result = self.write(move |tx| users::update(tx, id, edit)).await;
        self.auth.invalidate(&[id]);
        self.users.invalidate(&[id]);
        result
    }

    async fn delete_users(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        let gone = ids.clone();
        let result = self
            .write(move |tx| {
                check_version(tx, "users", &ids, if_match.as_ref())?;
                users::delete(tx, &ids)?;
                dashboards::drop_parties(tx, &ids)
            })
            .await;
        self.auth.invalidate(&gone);
        self.users.invalidate(&gone);
        result
    }

    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>> {
        let key = tessera_domain::document::lookup_key(username);
        self.read(move |c| users::login_record(c, &key)).await
    }

    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>> {
        if let Some(record) = self.auth.get(&id) {
            return Ok(Some(record));
        }
        let generation = self.auth.generation();
        let record = self.read(move |c| users::auth_record(c, id)).await?;
        if let Some(r) = &record {
            self.auth.put(generation, [(id, r.clone())]);
        }
        Ok(record)
    }

    async fn record_login(&self, id: ObjectId) -> Result<()> {
        let result = self.write(move |tx| users::record_login(tx, id)).await;
        self.users.invalidate(&[id]);
        result
    }

    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>> {
        let changed = ids.clone();
        let result = self.write(move |tx| users::renew_secrets(tx, &ids)).await;
        self.auth.invalidate(&changed);
        result
    }

    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()> {
        let id = jti.clone();
        self.write(move |tx| tokens::revoke(tx, &id, expires_at))
            .await?;
        self.revoked
            .write()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))?
            .insert(jti);
        Ok(())
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool> {
        Ok(self
            .revoked
            .read()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))?
            .contains(jti))
    }

    async fn create_groups(&self, groups: Vec<GroupRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| {
            groups
                .into_iter()
                .map(|g| groups::insert(tx, g, false))
                .collect()
        })
        .await
    }

    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        self.read(move |c| optional_raw(c, "SELECT doc FROM groups WHERE id = ?1", &id.to_string()))
            .await
    }

    async fn list_groups(
        &self,
        filter: &GroupFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage> {
        let (filter, sort) = (filter.clone(), sort.to_vec());
        self.read(move |c| groups::list(c, &filter, &sort, page, count))
            .await
    }

    async fn update_group(&self, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>> {
        let result = self.write(move |tx| groups::update(tx, id, edit)).await;
        self.docs.invalidate(&[id]);
        result
    }

    async fn delete_groups(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        let gone = ids.clone();
        let result = self
            .write(move |tx| {
                check_version(tx, "groups", &ids, if_match.as_ref())?;
                groups::delete(tx, &ids)?;
                dashboards::drop_parties(tx, &ids)
            })
            .await;
        self.docs.invalidate(&gone);
        // Members' documents lost the groups: forget every cached user.
        self.users.clear();
        result
    }

    async fn change_membership(
        &self,
        group: ObjectId,
        users: Vec<ObjectId>,
        add: bool,
    ) -> Result<()> {
        let changed = users.clone();
        let result = self
            .write(move |tx| users::change_membership(tx, group, &users, add))
            .await;
        self.users.invalidate(&changed);
        result
    }

    async fn fetch_by_ids(
        &self,
        resource: Resource,
        ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>> {
        let sql = match resource {
            Resource::User => {
                "SELECT id, doc FROM users WHERE id IN (SELECT value FROM json_each(?1))"
            }
            Resource::Group => {
                "SELECT id, doc FROM groups WHERE id IN (SELECT value FROM json_each(?1))"
            }
            Resource::Role => {
                "SELECT id, doc FROM roles WHERE id IN (SELECT value FROM json_each(?1))"
            }
            Resource::Dashboard => {
                "SELECT id, doc FROM dashboards WHERE id IN (SELECT value FROM json_each(?1))"
            }
            Resource::Folder => {
                "SELECT id, doc FROM folders WHERE id IN (SELECT value FROM json_each(?1))"
            }
            // No relation leads to a widget (they live inside their dashboard).
            Resource::Widget => {
                return Err(StoreError::Internal("widgets are not fetched by id".into()));
            }
        };
        // Groups and roles come from the cache when they can; the rest always from the file.
        let cached = matches!(resource, Resource::Group | Resource::Role);
        let generation = self.docs.generation();
        let (mut found, missing): (Vec<(ObjectId, RawDoc)>, Vec<ObjectId>) = if cached {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for id in ids {
                match self.docs.get(&id) {
                    Some(doc) => found.push((id, doc)),
                    None => missing.push(id),
                }
            }
            (found, missing)
        } else {
            (Vec::new(), ids)
        };
        if missing.is_empty() {
            return Ok(found);
        }
        let rows = self
            .read_rows(Some(missing.len() as u64), move |c| {
                let mut stmt = c.prepare_cached(sql)?;
                let rows = stmt.query_map([id_array(&missing)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?;
                rows.map(|row| {
                    let (id, doc) = row?;
                    Ok((
                        id.parse::<ObjectId>()
                            .map_err(|_| StoreError::Internal(format!("bad stored id {id}")))?,
                        raw_doc(doc)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
            })
            .await?;
        if cached {
            self.docs
                .put(generation, rows.iter().map(|(id, doc)| (*id, doc.clone())));
        }
        found.extend(rows);
        Ok(found)
    }

    async fn fetch_referencing(
        &self,
        target: Resource,
        field: &'static str,
        parents: Vec<ObjectId>,
        sort: Vec<SortKey>,
        page: Page,
        max_rows: usize,
    ) -> Result<Vec<Referencing>> {
        match (target, field) {
            (Resource::User, "groups") => {
                self.read(move |c| users::members(c, &parents, &sort, page, max_rows))
                    .await
            }
            _ => Err(StoreError::Internal(format!(
                "no index for {target:?} referencing through '{field}'"
            ))),
        }
    }
}

#[async_trait]
impl ContentStore for SqliteStore {
    async fn create_dashboards(
        &self,
        actor: &Actor,
        drafts: Vec<DashboardDraft>,
    ) -> Result<Vec<Document>> {
        let actor = actor.clone();
        self.write(move |tx| {
            drafts
                .into_iter()
                .map(|d| dashboards::insert(tx, &actor, d))
                .collect()
        })
        .await
    }

    async fn get_dashboard(&self, actor: &Actor, id: ObjectId) -> Result<Option<(RawDoc, Access)>> {
        let actor = actor.clone();
        self.read(move |c| dashboards::get(c, &actor, id)).await
    }

    async fn list_dashboards(
        &self,
        actor: &Actor,
        filter: &DashboardFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage> {
        let (actor, filter, sort) = (actor.clone(), filter.clone(), sort.to_vec());
        self.read_rows(page.limit, move |c| {
            dashboards::list(c, &actor, &filter, &sort, page, count)
        })
        .await
    }

    async fn update_dashboard(
        &self,
        actor: &Actor,
        id: ObjectId,
        edit: DashboardEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::update(tx, &actor, id, edit))
            .await
    }

    async fn change_dashboard_owner(
        &self,
        actor: &Actor,
        id: ObjectId,
        new_owner: ObjectId,
        previous_rule: Rule,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::change_owner(tx, &actor, id, new_owner, previous_rule))
            .await
    }

    async fn delete_dashboards(
        &self,
        actor: &Actor,
        ids: Vec<ObjectId>,
        if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::delete(tx, &actor, &ids, if_match.as_ref()))
            .await
    }

    async fn export_dashboards(&self, actor: &Actor, ids: Vec<ObjectId>) -> Result<Vec<Document>> {
        let actor = actor.clone();
        self.read_large(move |c| dashboards::export(c, &actor, &ids))
            .await
    }

    async fn import_dashboards(
        &self,
        actor: &Actor,
        items: Vec<ImportItem>,
        action: ImportAction,
        folder: Option<ObjectId>,
    ) -> Result<ImportReport> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::import(tx, &actor, items, action, folder))
            .await
    }

    async fn list_widgets(&self, actor: &Actor, dashboard: ObjectId) -> Result<Vec<RawDoc>> {
        let actor = actor.clone();
        self.read_large(move |c| dashboards::list_widgets(c, &actor, dashboard))
            .await
    }

    async fn get_widget(&self, actor: &Actor, dashboard: ObjectId, id: ObjectId) -> Result<RawDoc> {
        let actor = actor.clone();
        self.read(move |c| dashboards::get_widget(c, &actor, dashboard, id))
            .await
    }

    async fn create_widget(
        &self,
        actor: &Actor,
        dashboard: ObjectId,
        doc: Document,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::create_widget(tx, &actor, dashboard, doc))
            .await
    }

    async fn update_widget(
        &self,
        actor: &Actor,
        dashboard: ObjectId,
        id: ObjectId,
        edit: WidgetEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| dashboards::update_widget(tx, &actor, dashboard, id, edit))
            .await
    }

    async fn delete_widget(
        &self,
        actor: &Actor,
        dashboard: ObjectId,
        id: ObjectId,
        if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| {
            dashboards::delete_widget(tx, &actor, dashboard, id, if_match.as_ref())
        })
        .await
    }

    async fn create_folder(&self, actor: &Actor, draft: FolderDraft) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| folders::insert(tx, &actor, draft))
            .await
    }

    async fn get_folder(&self, actor: &Actor, id: ObjectId) -> Result<Option<RawDoc>> {
        let actor = actor.clone();
        self.read(move |c| folders::get(c, &actor, id)).await
    }

    async fn list_folders(
        &self,
        actor: &Actor,
        filter: &FolderFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage> {
        let (actor, filter, sort) = (actor.clone(), filter.clone(), sort.to_vec());
        self.read_rows(page.limit, move |c| {
            folders::list(c, &actor, &filter, &sort, page, count)
        })
        .await
    }

    async fn update_folder(
        &self,
        actor: &Actor,
        id: ObjectId,
        edit: FolderEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| folders::update(tx, &actor, id, edit))
            .await
    }

    async fn delete_folders(
        &self,
        actor: &Actor,
        ids: Vec<ObjectId>,
        cascade: bool,
        if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| folders::delete(tx, &actor, &ids, cascade, if_match.as_ref()))
            .await
    }
}
