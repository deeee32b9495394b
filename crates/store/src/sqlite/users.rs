//! Users' SQL (documents, credentials, memberships) and the engine's `UserStore`.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tessera_domain::document::lookup_key;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, SortKey};
use tessera_domain::time::now_iso;
use tessera_domain::user::new_api_secret;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::query::{self, Filter};
use super::rows::{
    change_groups, check_version, conflict_or, created_of, id_and_doc, id_array, in_tenant,
    missing_ids, optional_doc, optional_raw, raw_doc, stamp, stored_id,
};
use super::{SqliteStore, dashboards};
use crate::{
    AuthRecord, ListPage, ListRequest, LoginRecord, Referencing, Rehash, Result, StoreError,
    UserEdit, UserFilter, UserRecord, UserStore,
};

pub(super) fn insert(tx: &Transaction<'_>, user: UserRecord) -> Result<Document> {
    check_references(tx, &user)?;
    let id = ObjectId::generate();
    let now = now_iso();
    let doc = in_tenant(tx, stamp(id, user.doc, &now, &now, None))?;
    tx.prepare_cached(
        "INSERT INTO users (id, user_name_key, email_key, role_id, active, password_hash, api_secret, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id.to_string(),
        lookup_key(&user.user_name),
        lookup_key(&user.email),
        user.role_id.to_string(),
        user.active,
        user.password_hash,
        new_api_secret(),
        serde_json::to_string(&doc)?,
    ])
    .map_err(|e| unique_conflict(e, &user.user_name, &user.email))?;
    Ok(doc)
}

fn unique_conflict(e: rusqlite::Error, user_name: &str, email: &str) -> StoreError {
    conflict_or(
        e,
        ResourceKind::User,
        &[("user_name_key", "userName", user_name), ("email_key", "email", email)],
    )
}

/// The role and every group the user names must exist.
fn check_references(tx: &Transaction<'_>, user: &UserRecord) -> Result<()> {
    let role_exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM roles WHERE id = ?1)")?
        .query_row([user.role_id.to_string()], |r| r.get(0))?;
    if !role_exists {
        return Err(StoreError::MissingReference {
            kind: ResourceKind::Role,
            id: user.role_id.to_string(),
        });
    }
    if !user.groups.is_empty() {
        let missing = missing_ids(
            tx,
            "SELECT id FROM groups WHERE id IN (SELECT value FROM json_each(?1))",
            &user.groups,
        )?;
        if let Some(id) = missing.first() {
            return Err(StoreError::MissingReference {
                kind: ResourceKind::Group,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

pub(super) fn get(conn: &Connection, id: ObjectId) -> Result<Option<Document>> {
    optional_doc(conn, "SELECT doc FROM users WHERE id = ?1", &id.to_string())
}

const USERS: query::Table = query::Table { name: "users", alias: "u", columns: &[] };

pub(super) fn list(conn: &Connection, request: &ListRequest<UserFilter>) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let (page, count) = (*page, *count);
    let mut f = Filter::default();
    if let Some(part) = &filter.user_name {
        f.and("instr(u.user_name_key, ?) > 0", lookup_key(part));
    }
    if let Some(part) = &filter.email {
        f.and("instr(u.email_key, ?) > 0", lookup_key(part));
    }
    if let Some(part) = &filter.search {
        f.and(
            // Every `?` stands for the same argument.
            "(instr(u.user_name_key, ?) > 0 OR instr(u.email_key, ?) > 0
              OR instr(lower(coalesce(json_extract(u.doc, '$.firstName'), '')), ?) > 0
              OR instr(lower(coalesce(json_extract(u.doc, '$.lastName'), '')), ?) > 0)",
            lookup_key(part),
        );
    }
    if let Some(name) = &filter.first_name {
        f.and("json_extract(u.doc, '$.firstName') = ? COLLATE NOCASE", name.clone());
    }
    if let Some(name) = &filter.last_name {
        f.and("json_extract(u.doc, '$.lastName') = ? COLLATE NOCASE", name.clone());
    }
    if let Some(role) = filter.role_id {
        // `+` keeps SQLite from the role's index, so that it walks the sort's index instead.
        let by_index = role_index_is_cheaper(conn, role, page)?;
        f.and(if by_index { "u.role_id = ?" } else { "+u.role_id = ?" }, role.to_string());
    }
    if let Some(group) = filter.group_id {
        f.and(
            "EXISTS (SELECT 1 FROM user_groups m WHERE m.user_id = u.id AND m.group_id = ?)",
            group.to_string(),
        );
    }
    if let Some(active) = filter.active {
        f.and("u.active = ?", i64::from(active));
    }
    if let Some(ids) = &filter.ids {
        f.and("u.id IN (SELECT value FROM json_each(?))", id_array(ids));
    }
    // All users, or one role's: the count the triggers keep, not a scan of every row.
    let kept = count && UserFilter { role_id: filter.role_id, ..UserFilter::default() } == *filter;
    let mut listed = query::list(conn, &USERS, f, sort, page, count && !kept)?;
    if kept {
        listed.total = Some(kept_count(conn, filter.role_id)?);
    }
    Ok(listed)
}

/// Whether to read a role's users through its index (and sort them all) rather than walk the
/// sort's index and skip other roles' users until the page is full. SQLite cannot tell a role
/// that holds nearly every user from one that holds three, and took the role's index for both: a
/// sorted page of the role everyone has cost a sort of every user (126 ms at 100,000). The kept
/// counts tell: the index costs the role's users, the walk about the page's end times the
/// total over the role's users.
fn role_index_is_cheaper(conn: &Connection, role: ObjectId, page: Page) -> Result<bool> {
    let (in_role, total) = (kept_count(conn, Some(role))?, kept_count(conn, None)?);
    let Some(limit) = page.limit else { return Ok(true) };
    let page_end = page.skip.saturating_add(limit);
    let walk = page_end.saturating_mul(total) / in_role.max(1);
    Ok(in_role <= walk)
}

/// The number of users (of one role), as `user_counts` keeps it.
fn kept_count(conn: &Connection, role: Option<ObjectId>) -> Result<u64> {
    let n: i64 = match role {
        None => conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM user_counts")?
            .query_row([], |r| r.get(0))?,
        Some(role) => conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM user_counts WHERE role_id = ?1")?
            .query_row([role.to_string()], |r| r.get(0))?,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Members of each parent group, ordered and paged per group by a window function: one query
/// for the whole page of groups.
pub(super) fn members(
    conn: &Connection, groups: &[ObjectId], sort: &[SortKey], page: Page, max_rows: usize,
) -> Result<Vec<Referencing>> {
    // Numbering the members needs only the membership and the users' id index (unless the
    // sort reads fields); the documents are read for the rows kept, not for every member. The
    // row limit is a literal, as in `query::limit_value`.
    let sql = format!(
        "SELECT sel.parent, u.id, u.doc FROM (
           SELECT m.group_id AS parent, u.rowid AS rid,
                  row_number() OVER (PARTITION BY m.group_id{}) AS n
             FROM user_groups m JOIN users u ON u.id = m.user_id
            WHERE m.group_id IN (SELECT value FROM json_each(?1))) sel
         JOIN users u ON u.rowid = sel.rid
         WHERE sel.n > ?2 AND (?3 < 0 OR sel.n <= ?2 + ?3)
         ORDER BY sel.parent, sel.n
         LIMIT {max_rows}",
        query::order_by("u", USERS.columns, sort)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![id_array(groups), query::offset_value(page), query::limit_value(page)],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
    )?;
    rows.map(|row| {
        let (parent, id, doc) = row?;
        Ok(Referencing { parent: stored_id(&parent)?, id: stored_id(&id)?, doc: raw_doc(doc)? })
    })
    .collect()
}

pub(super) fn update(
    tx: &Transaction<'_>, id: ObjectId, edit: UserEdit,
) -> Result<Option<Document>> {
    let Some(current) = get(tx, id)? else {
        return Ok(None);
    };
    let user = edit(current.clone())?;
    check_references(tx, &user)?;
    let created = created_of(&current);
    let last_login = current.get("lastLogin").cloned();
    let doc = in_tenant(tx, stamp(id, user.doc, &created, &now_iso(), last_login))?;
    // A new password renews the API secret, and so does deactivation: tokens issued before
    // stop working, and reactivating the user later does not bring them back.
    let result = tx
        .prepare_cached(
            "UPDATE users SET user_name_key = ?2, email_key = ?3, role_id = ?4, active = ?5, doc = ?6,
               password_hash = coalesce(?7, password_hash),
               api_secret = CASE WHEN ?7 IS NULL AND (?5 OR NOT active) THEN api_secret ELSE ?8 END
             WHERE id = ?1",
        )?
        .execute(params![
            id.to_string(),
            lookup_key(&user.user_name),
            lookup_key(&user.email),
            user.role_id.to_string(),
            user.active,
            serde_json::to_string(&doc)?,
            user.password_hash,
            new_api_secret(),
        ]);
    result.map_err(|e| unique_conflict(e, &user.user_name, &user.email))?;
    Ok(Some(doc))
}

/// Every id names a user; else `NotFound` for the first that does not.
fn require_all(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    let missing =
        missing_ids(tx, "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?1))", ids)?;
    match missing.first() {
        Some(id) => Err(StoreError::NotFound { kind: ResourceKind::User, id: id.to_string() }),
        None => Ok(()),
    }
}

pub(super) fn delete(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    require_all(tx, ids)?;
    tx.prepare_cached("DELETE FROM users WHERE id IN (SELECT value FROM json_each(?1))")?
        .execute([id_array(ids)])?;
    Ok(())
}

pub(super) fn login_record(conn: &Connection, key: &str) -> Result<Option<LoginRecord>> {
    // A user name wins over another user's e-mail address that happens to be equal.
    let row = conn
        .prepare_cached(
            "SELECT id, password_hash, active, api_secret FROM users
             WHERE user_name_key = ?1 OR email_key = ?1
             ORDER BY user_name_key = ?1 DESC LIMIT 1",
        )?
        .query_row([key], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    row.map(|(id, password_hash, active, api_secret)| {
        Ok(LoginRecord { id: stored_id(&id)?, password_hash, active, api_secret })
    })
    .transpose()
}

pub(super) fn auth_record(conn: &Connection, id: ObjectId) -> Result<Option<AuthRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT u.api_secret, u.active, json_extract(r.doc, '$.name') FROM users u JOIN roles r ON r.id = u.role_id
             WHERE u.id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok(AuthRecord { api_secret: r.get(0)?, active: r.get(1)?, role_name: r.get(2)? })
        })
        .optional()?)
}

pub(super) fn record_login(
    tx: &Transaction<'_>, id: ObjectId, rehash: Option<Rehash>,
) -> Result<()> {
    tx.prepare_cached("UPDATE users SET doc = json_set(doc, '$.lastLogin', ?2) WHERE id = ?1")?
        .execute(params![id.to_string(), now_iso()])?;
    // A password changed since the sign-in read its hash keeps its new hash.
    if let Some(Rehash { old, new }) = rehash {
        tx.prepare_cached(
            "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
        )?
        .execute(params![id.to_string(), old, new])?;
    }
    Ok(())
}

pub(super) fn renew_secrets(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<Vec<String>> {
    require_all(tx, ids)?;
    let mut stmt = tx.prepare_cached("UPDATE users SET api_secret = ?2 WHERE id = ?1")?;
    ids.iter()
        .map(|id| {
            let secret = new_api_secret();
            stmt.execute(params![id.to_string(), secret])?;
            Ok(secret)
        })
        .collect()
}

/// Adds the users to the group (`add`) or takes them out, all or none: the group and every user
/// must exist. Each user's `groups` array changes with the membership table.
pub(super) fn change_membership(
    tx: &Transaction<'_>, group: ObjectId, users: &[ObjectId], add: bool,
) -> Result<()> {
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM groups WHERE id = ?1)")?
        .query_row([group.to_string()], |r| r.get(0))?;
    if !exists {
        return Err(StoreError::NotFound { kind: ResourceKind::Group, id: group.to_string() });
    }
    let missing = missing_ids(
        tx,
        "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?1))",
        users,
    )?;
    if let Some(id) = missing.first() {
        return Err(StoreError::MissingReference { kind: ResourceKind::User, id: id.to_string() });
    }
    let now = now_iso();
    for user in users {
        let Some(mut doc) = get(tx, *user)? else {
            continue;
        };
        if !change_groups(&mut doc, group, add, &now) {
            continue;
        }
        tx.prepare_cached("UPDATE users SET doc = ?2 WHERE id = ?1")?
            .execute(params![user.to_string(), serde_json::to_string(&doc)?])?;
    }
    Ok(())
}

/// The user `key` names: by id first, then by user name, then by e-mail; one statement.
fn find(conn: &Connection, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
    id_and_doc(
        conn,
        "SELECT id, doc FROM users
         WHERE id = ?1 OR user_name_key = ?2 OR email_key = ?2
         ORDER BY id = ?1 DESC, user_name_key = ?2 DESC LIMIT 1",
        params![key.to_lowercase(), lookup_key(key)],
    )
}

#[async_trait]
impl UserStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| users.into_iter().map(|u| insert(tx, u)).collect()).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_user(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
        if let Ok(id) = key.parse::<ObjectId>()
            && let Some(doc) = self.users.get(&id)
        {
            return Ok(Some((id, doc)));
        }
        let key = key.to_owned();
        self.read(move |c| find(c, &key)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_users(&self, request: ListRequest<UserFilter>) -> Result<ListPage> {
        self.read(move |c| list(c, &request)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_user(&self, id: ObjectId, edit: UserEdit) -> Result<Option<Document>> {
        let result = self.write(move |tx| update(tx, id, edit)).await;
        self.auth.invalidate(&[id]);
        self.users.invalidate(&[id]);
        result
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_users(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        let gone = ids.clone();
        let result = self
            .write(move |tx| {
                check_version(tx, "users", &ids, if_match.as_ref())?;
                delete(tx, &ids)?;
                dashboards::drop_parties(tx, &ids)
            })
            .await;
        self.auth.invalidate(&gone);
        self.users.invalidate(&gone);
        result
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>> {
        let key = lookup_key(username);
        self.read(move |c| login_record(c, &key)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>> {
        if let Some(record) = self.auth.get(&id) {
            return Ok(Some(record));
        }
        let generation = self.auth.generation();
        let record = self.read(move |c| auth_record(c, id)).await?;
        if let Some(r) = &record {
            self.auth.put(generation, [(id, r.clone())]);
        }
        Ok(record)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_login(&self, id: ObjectId, rehash: Option<Rehash>) -> Result<()> {
        let result = self.write(move |tx| record_login(tx, id, rehash)).await;
        self.users.invalidate(&[id]);
        result
    }
}
