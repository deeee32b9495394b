//! Schema migrations, applied in order at start; `PRAGMA user_version` counts those applied.

use rusqlite::Transaction;

use crate::Result;

/// Each entry is applied once, in one transaction with the version bump. Never edit an entry
/// that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE roles (
    id       TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);

CREATE TABLE groups (
    id       TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    role_id  TEXT REFERENCES roles(id),
    builtin  INTEGER NOT NULL DEFAULT 0,
    doc      TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    user_name_key TEXT NOT NULL UNIQUE,
    email_key     TEXT NOT NULL UNIQUE,
    role_id       TEXT NOT NULL REFERENCES roles(id),
    active        INTEGER NOT NULL,
    password_hash TEXT,
    api_secret    TEXT NOT NULL,
    doc           TEXT NOT NULL
);
CREATE INDEX users_role ON users(role_id);

-- Group membership, kept in step with each user's `groups` array: it answers "members of a
-- group" with an index instead of a scan of every user document.
CREATE TABLE user_groups (
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX user_groups_group ON user_groups(group_id, user_id);
"#,
    // Sort indexes on the keys clients sort by, each ending with the id that breaks ties, so that
    // `ORDER BY field, id LIMIT n` reads n index entries whatever the size of the collection. The
    // expressions must be written exactly as sqlite::query::json_field writes them.
    r#"
CREATE INDEX users_by_user_name  ON users(json_extract(doc, '$.userName'), id);
CREATE INDEX users_by_email      ON users(json_extract(doc, '$.email'), id);
CREATE INDEX users_by_first_name ON users(json_extract(doc, '$.firstName'), id);
CREATE INDEX users_by_last_name  ON users(json_extract(doc, '$.lastName'), id);
CREATE INDEX users_by_created    ON users(json_extract(doc, '$.created'), id);
CREATE INDEX users_by_updated    ON users(json_extract(doc, '$.lastUpdated'), id);
CREATE INDEX groups_by_name      ON groups(json_extract(doc, '$.name'), id);
CREATE INDEX groups_by_created   ON groups(json_extract(doc, '$.created'), id);
CREATE INDEX groups_by_updated   ON groups(json_extract(doc, '$.lastUpdated'), id);
"#,
    // Tokens logged out one by one, kept until they would have expired (NULL: never expires).
    r#"
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER
) WITHOUT ROWID;
"#,
    // Content: folders, dashboards, their shares and widgets. `dashboard_shares` mirrors each
    // dashboard's `shares` array so that "what may this caller see" is an indexed lookup.
    // Widget ids are unique per dashboard only: an imported copy keeps its widgets' ids, which
    // its `layout` refers to.
    r#"
CREATE TABLE folders (
    id        TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES folders(id),
    owner     TEXT NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX folders_parent ON folders(parent_id);
CREATE INDEX folders_owner  ON folders(owner);
CREATE INDEX folders_by_name ON folders(json_extract(doc, '$.name'), id);

CREATE TABLE dashboards (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL,
    parent_folder TEXT REFERENCES folders(id),
    doc           TEXT NOT NULL
);
CREATE INDEX dashboards_owner  ON dashboards(owner);
CREATE INDEX dashboards_folder ON dashboards(parent_folder);
CREATE INDEX dashboards_by_title   ON dashboards(json_extract(doc, '$.title'), id);
CREATE INDEX dashboards_by_created ON dashboards(json_extract(doc, '$.created'), id);
CREATE INDEX dashboards_by_updated ON dashboards(json_extract(doc, '$.lastUpdated'), id);

CREATE TABLE dashboard_shares (
    dashboard_id TEXT NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
    party_id     TEXT NOT NULL,
    rule         TEXT NOT NULL,
    PRIMARY KEY (dashboard_id, party_id)
) WITHOUT ROWID;
CREATE INDEX dashboard_shares_party ON dashboard_shares(party_id, dashboard_id);

CREATE TABLE widgets (
    dashboard_id TEXT NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    position     INTEGER NOT NULL,
    doc          TEXT NOT NULL,
    PRIMARY KEY (dashboard_id, id)
) WITHOUT ROWID;
"#,
    // Expired revocations are deleted by expiry: without this index each sweep scanned them all.
    r#"
CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at) WHERE expires_at IS NOT NULL;
"#,
    // One tenant, "system", as a single-tenant Sisense has; every user and group names it in
    // `tenantId` (pysisense skips users and groups whose tenantId is not the system tenant's).
    r#"
INSERT OR IGNORE INTO meta (key, value) VALUES ('system_tenant', lower(hex(randomblob(12))));
UPDATE users SET doc = json_set(doc, '$.tenantId', (SELECT value FROM meta WHERE key = 'system_tenant'));
UPDATE groups SET doc = json_set(doc, '$.tenantId', (SELECT value FROM meta WHERE key = 'system_tenant'));
"#,
];

/// The schema version this build writes and needs (`PRAGMA user_version`).
pub(super) const VERSION: usize = MIGRATIONS.len();

pub(super) fn migrate(tx: &Transaction<'_>) -> Result<()> {
    let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(applied) {
        tx.execute_batch(sql)?;
    }
    if applied < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    }
    Ok(())
}
