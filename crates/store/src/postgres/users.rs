//! Users' SQL (documents, credentials; memberships follow by trigger) and the engine's
//! `UserStore`.

use std::collections::HashSet;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tessera_domain::document::lookup_key;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, SortKey};
use tessera_domain::time::now_iso;
use tessera_domain::user::new_api_secret;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::query::{self, Filter};
use super::rows::{
    change_groups, check_version, conflict_or, created_of, id_and_doc, id_texts, in_tenant,
    missing_ids, optional_doc, optional_raw, raw_doc, stamp, stored_id, system_tenant,
};
use super::{PostgresStore, dashboards};
use crate::{
    AuthRecord, ListPage, ListRequest, LoginRecord, Referencing, Rehash, Result, StoreError,
    UserEdit, UserFilter, UserRecord, UserStore,
};

pub(super) async fn insert(tx: &Transaction<'_>, user: UserRecord) -> Result<Document> {
    let mut docs = insert_all(tx, vec![user]).await?;
    docs.pop().ok_or_else(|| StoreError::Internal("a user insert answered nothing".into()))
}

/// Writes the users in order, all or none. What they refer to is looked up once for all of
/// them, and the tenant id once: a bulk request of 500 users made four round trips a user.
/// Each user is still checked just before it is written, so a request with several faults
/// fails on the same one as on SQLite.
async fn insert_all(tx: &Transaction<'_>, users: Vec<UserRecord>) -> Result<Vec<Document>> {
    let missing = missing_references(tx, &users).await?;
    let tenant = Value::String(system_tenant(tx).await?);
    let stmt = tx
        .prepare_cached(
            "INSERT INTO users (id, user_name_key, email_key, role_id, active, password_hash, api_secret, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        missing.check(&user)?;
        let id = ObjectId::generate();
        let now = now_iso();
        let mut doc = stamp(id, user.doc, &now, &now, None);
        doc.insert("tenantId".into(), tenant.clone());
        tx.execute(
            &stmt,
            &[
                &id.to_string(),
                &lookup_key(&user.user_name),
                &lookup_key(&user.email),
                &user.role_id.to_string(),
                &user.active,
                &user.password_hash,
                &new_api_secret(),
                &serde_json::to_string(&doc)?,
            ],
        )
        .await
        .map_err(|e| unique_conflict(e, &user.user_name, &user.email))?;
        out.push(doc);
    }
    Ok(out)
}

fn unique_conflict(e: tokio_postgres::Error, user_name: &str, email: &str) -> StoreError {
    conflict_or(
        e,
        ResourceKind::User,
        &[
            ("users_user_name_key_key", "userName", user_name),
            ("users_email_key_key", "email", email),
        ],
    )
}

/// The roles and groups a batch of users names that do not exist, each looked up once.
struct Missing {
    roles: HashSet<ObjectId>,
    groups: HashSet<ObjectId>,
}

impl Missing {
    /// The user's role, then every group it names, must exist: the first that does not is the
    /// error.
    fn check(&self, user: &UserRecord) -> Result<()> {
        if self.roles.contains(&user.role_id) {
            return Err(StoreError::MissingReference {
                kind: ResourceKind::Role,
                id: user.role_id.to_string(),
            });
        }
        match user.groups.iter().find(|g| self.groups.contains(g)) {
            Some(id) => {
                Err(StoreError::MissingReference { kind: ResourceKind::Group, id: id.to_string() })
            }
            None => Ok(()),
        }
    }
}

async fn missing_references(tx: &Transaction<'_>, users: &[UserRecord]) -> Result<Missing> {
    let roles: HashSet<ObjectId> = users.iter().map(|u| u.role_id).collect();
    let groups: HashSet<ObjectId> = users.iter().flat_map(|u| u.groups.iter().copied()).collect();
    let missing = |sql, ids: HashSet<ObjectId>| async move {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<ObjectId> = ids.into_iter().collect();
        Ok::<_, StoreError>(missing_ids(tx, sql, &ids).await?.into_iter().collect())
    };
    Ok(Missing {
        roles: missing("SELECT id FROM roles WHERE id = ANY($1)", roles).await?,
        groups: missing("SELECT id FROM groups WHERE id = ANY($1)", groups).await?,
    })
}

/// The role and every group the user names must exist.
async fn check_references(tx: &Transaction<'_>, user: &UserRecord) -> Result<()> {
    missing_references(tx, std::slice::from_ref(user)).await?.check(user)
}

/// Lower case for ASCII letters only, as SQLite's `lower` and `NOCASE` fold.
const ASCII_LOWER: &str =
    "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

fn ascii_lower(expr: &str) -> String {
    ASCII_LOWER.replace("{}", expr)
}

/// The users table: its sort keys are stored for the fields the sort indexes cover.
const USERS: query::Table = query::Table {
    name: "users",
    alias: "u",
    sort_columns: &[
        ("userName", "sort_user_name"),
        ("email", "sort_email"),
        ("firstName", "sort_first_name"),
        ("lastName", "sort_last_name"),
        ("created", "sort_created"),
        ("lastUpdated", "sort_updated"),
    ],
};

async fn list(db: &impl GenericClient, request: &ListRequest<UserFilter>) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let (page, count) = (*page, *count);
    let mut f = Filter::default();
    if let Some(part) = &filter.user_name {
        f.and("strpos(u.user_name_key, ?) > 0", lookup_key(part));
    }
    if let Some(part) = &filter.email {
        f.and("strpos(u.email_key, ?) > 0", lookup_key(part));
    }
    if let Some(part) = &filter.search {
        let name = |field: &str| ascii_lower(&format!("coalesce(u.doc::json ->> '{field}', '')"));
        // Every `?` stands for the same argument.
        f.and(
            &format!(
                "(strpos(u.user_name_key, ?) > 0 OR strpos(u.email_key, ?) > 0
                  OR strpos({}, ?) > 0 OR strpos({}, ?) > 0)",
                name("firstName"),
                name("lastName")
            ),
            lookup_key(part),
        );
    }
    if let Some(name) = &filter.first_name {
        f.and(
            &format!("{} = {}", ascii_lower("(u.doc::json ->> 'firstName')"), ascii_lower("?")),
            name.clone(),
        );
    }
    if let Some(name) = &filter.last_name {
        f.and(
            &format!("{} = {}", ascii_lower("(u.doc::json ->> 'lastName')"), ascii_lower("?")),
            name.clone(),
        );
    }
    if let Some(role) = filter.role_id {
        f.and("u.role_id = ?", role.to_string());
    }
    if let Some(group) = filter.group_id {
        f.and(
            "EXISTS (SELECT 1 FROM user_groups m WHERE m.user_id = u.id AND m.group_id = ?)",
            group.to_string(),
        );
    }
    if let Some(active) = filter.active {
        f.and("u.active = ?", active);
    }
    if let Some(ids) = &filter.ids {
        f.and("u.id = ANY(?)", id_texts(ids));
    }
    // All users, or one role's: the count the trigger keeps, not a scan of every row.
    let kept = count && UserFilter { role_id: filter.role_id, ..UserFilter::default() } == *filter;
    let mut listed = query::list(db, &USERS, f, sort, page, count && !kept).await?;
    if kept {
        listed.total = Some(kept_count(db, filter.role_id).await?);
    }
    Ok(listed)
}

/// The number of users (of one role), as `user_counts` keeps it.
async fn kept_count(db: &impl GenericClient, role: Option<ObjectId>) -> Result<u64> {
    let stmt = db
        .prepare_cached(
            "SELECT coalesce(sum(n), 0)::bigint FROM user_counts WHERE $1::text IS NULL OR role_id = $1",
        )
        .await?;
    let n: i64 = db.query_one(&stmt, &[&role.map(|r| r.to_string())]).await?.get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Members of each parent group, ordered and paged per group by a window function: one query
/// for the whole page of groups.
pub(super) async fn members(
    db: &impl GenericClient, groups: &[ObjectId], sort: &[SortKey], page: Page, max_rows: usize,
) -> Result<Vec<Referencing>> {
    let sql = format!(
        "SELECT sel.parent, u.id, u.doc FROM (
           SELECT m.group_id AS parent, u.id AS uid,
                  row_number() OVER (PARTITION BY m.group_id{}) AS n
             FROM user_groups m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = ANY($1)) sel
         JOIN users u ON u.id = sel.uid
         WHERE sel.n > $2 AND ($3::bigint IS NULL OR sel.n <= $2 + $3)
         ORDER BY sel.parent COLLATE \"C\", sel.n
         LIMIT {max_rows}",
        query::order_by(&USERS, sort)
    );
    let stmt = db.prepare_cached(&sql).await?;
    let rows = db
        .query(&stmt, &[&id_texts(groups), &query::offset_value(page), &query::limit_value(page)])
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Referencing {
                parent: stored_id(r.get(0))?,
                id: stored_id(r.get(1))?,
                doc: raw_doc(r.get(2))?,
            })
        })
        .collect()
}

async fn update(tx: &Transaction<'_>, id: ObjectId, edit: UserEdit) -> Result<Option<Document>> {
    let Some(current) = get_for_update(tx, id).await? else {
        return Ok(None);
    };
    let user = edit(current.clone())?;
    check_references(tx, &user).await?;
    let created = created_of(&current);
    let last_login = current.get("lastLogin").cloned();
    let doc = in_tenant(tx, stamp(id, user.doc, &created, &now_iso(), last_login)).await?;
    // A new password renews the API secret, and so does deactivation: tokens issued before
    // stop working, and reactivating the user later does not bring them back.
    let stmt = tx
        .prepare_cached(
            "UPDATE users SET user_name_key = $2, email_key = $3, role_id = $4, active = $5, doc = $6,
               password_hash = coalesce($7, password_hash),
               api_secret = CASE WHEN $7::text IS NULL AND ($5 OR NOT active) THEN api_secret ELSE $8 END
             WHERE id = $1",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &id.to_string(),
            &lookup_key(&user.user_name),
            &lookup_key(&user.email),
            &user.role_id.to_string(),
            &user.active,
            &serde_json::to_string(&doc)?,
            &user.password_hash,
            &new_api_secret(),
        ],
    )
    .await
    .map_err(|e| unique_conflict(e, &user.user_name, &user.email))?;
    Ok(Some(doc))
}

/// The user's document, its row locked until the transaction ends: concurrent edits of one
/// user take turns instead of one overwriting the other.
async fn get_for_update(tx: &Transaction<'_>, id: ObjectId) -> Result<Option<Document>> {
    optional_doc(tx, "SELECT doc FROM users WHERE id = $1 FOR UPDATE", &id.to_string()).await
}

/// Every id names a user; else `NotFound` for the first that does not.
async fn require_all(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    let missing = missing_ids(tx, "SELECT id FROM users WHERE id = ANY($1)", ids).await?;
    match missing.first() {
        Some(id) => Err(StoreError::NotFound { kind: ResourceKind::User, id: id.to_string() }),
        None => Ok(()),
    }
}

async fn delete(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    require_all(tx, ids).await?;
    tx.execute("DELETE FROM users WHERE id = ANY($1)", &[&id_texts(ids)]).await?;
    Ok(())
}

async fn login_record(db: &impl GenericClient, key: &str) -> Result<Option<LoginRecord>> {
    // A user name wins over another user's e-mail address that happens to be equal.
    let stmt = db
        .prepare_cached(
            "SELECT id, password_hash, active, api_secret FROM users
             WHERE user_name_key = $1 OR email_key = $1
             ORDER BY user_name_key = $1 DESC LIMIT 1",
        )
        .await?;
    let row = db.query_opt(&stmt, &[&key]).await?;
    row.map(|r| {
        Ok(LoginRecord {
            id: stored_id(r.get(0))?,
            password_hash: r.get(1),
            active: r.get(2),
            api_secret: r.get(3),
        })
    })
    .transpose()
}

async fn auth_record(db: &impl GenericClient, id: ObjectId) -> Result<Option<AuthRecord>> {
    let stmt = db
        .prepare_cached(
            "SELECT u.api_secret, u.active, r.doc::json ->> 'name' FROM users u
             JOIN roles r ON r.id = u.role_id WHERE u.id = $1",
        )
        .await?;
    let row = db.query_opt(&stmt, &[&id.to_string()]).await?;
    Ok(row.map(|r| AuthRecord { api_secret: r.get(0), active: r.get(1), role_name: r.get(2) }))
}

async fn record_login(tx: &Transaction<'_>, id: ObjectId, rehash: Option<Rehash>) -> Result<()> {
    // `jsonb_set` would reorder the document's keys: the text is rewritten in Rust instead.
    if let Some(mut doc) = get_for_update(tx, id).await? {
        doc.insert("lastLogin".into(), Value::String(now_iso()));
        tx.execute(
            "UPDATE users SET doc = $2 WHERE id = $1",
            &[&id.to_string(), &serde_json::to_string(&doc)?],
        )
        .await?;
    }
    // A password changed since the sign-in read its hash keeps its new hash.
    if let Some(Rehash { old, new }) = rehash {
        tx.execute(
            "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
            &[&id.to_string(), &old, &new],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn renew_secrets(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<Vec<String>> {
    require_all(tx, ids).await?;
    let stmt = tx.prepare_cached("UPDATE users SET api_secret = $2 WHERE id = $1").await?;
    let mut secrets = Vec::with_capacity(ids.len());
    for id in ids {
        let secret = new_api_secret();
        tx.execute(&stmt, &[&id.to_string(), &secret]).await?;
        secrets.push(secret);
    }
    Ok(secrets)
}

/// Adds the users to the group (`add`) or takes them out, all or none: the group and every user
/// must exist. Each user's `groups` array changes, and the membership table with it.
pub(super) async fn change_membership(
    tx: &Transaction<'_>, group: ObjectId, users: &[ObjectId], add: bool,
) -> Result<()> {
    let exists: bool = tx
        .query_one("SELECT EXISTS (SELECT 1 FROM groups WHERE id = $1)", &[&group.to_string()])
        .await?
        .get(0);
    if !exists {
        return Err(StoreError::NotFound { kind: ResourceKind::Group, id: group.to_string() });
    }
    let missing = missing_ids(tx, "SELECT id FROM users WHERE id = ANY($1)", users).await?;
    if let Some(id) = missing.first() {
        return Err(StoreError::MissingReference { kind: ResourceKind::User, id: id.to_string() });
    }
    let now = now_iso();
    for user in users {
        let Some(mut doc) = get_for_update(tx, *user).await? else {
            continue;
        };
        if !change_groups(&mut doc, group, add, &now) {
            continue;
        }
        tx.execute(
            "UPDATE users SET doc = $2 WHERE id = $1",
            &[&user.to_string(), &serde_json::to_string(&doc)?],
        )
        .await?;
    }
    Ok(())
}

/// The user `key` names: by id first, then by user name, then by e-mail; one statement.
async fn find(db: &impl GenericClient, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
    id_and_doc(
        db,
        "SELECT id, doc FROM users
         WHERE id = $1 OR user_name_key = $2 OR email_key = $2
         ORDER BY id = $1 DESC, user_name_key = $2 DESC LIMIT 1",
        &[&key.to_lowercase(), &lookup_key(key)],
    )
    .await
}

#[async_trait]
impl UserStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| Box::pin(async move { insert_all(tx, users).await })).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_user(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        if let Some(doc) = self.users.get(&id) {
            return Ok(Some(doc));
        }
        let generation = self.users.generation();
        let sql = "SELECT doc FROM users WHERE id = $1";
        let doc = optional_raw(&self.reader().await?, sql, &id.to_string()).await?;
        if let Some(doc) = &doc {
            self.users.put(generation, [(id, doc.clone())]);
        }
        Ok(doc)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_user(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
        find(&self.reader().await?, key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_users(&self, request: ListRequest<UserFilter>) -> Result<ListPage> {
        list(&self.reader().await?, &request).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_user(&self, id: ObjectId, edit: UserEdit) -> Result<Option<Document>> {
        self.write(move |tx| Box::pin(update(tx, id, edit))).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_users(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move {
                check_version(tx, "users", &ids, if_match.as_ref()).await?;
                delete(tx, &ids).await?;
                dashboards::drop_parties(tx, &ids).await
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>> {
        login_record(&self.reader().await?, &lookup_key(username)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>> {
        auth_record(&self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_login(&self, id: ObjectId, rehash: Option<Rehash>) -> Result<()> {
        self.write(move |tx| Box::pin(record_login(tx, id, rehash))).await
    }
}
