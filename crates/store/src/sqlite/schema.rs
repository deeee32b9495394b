//! Schema migrations, applied in order at start; `PRAGMA user_version` counts those applied.

use std::collections::HashSet;

use rusqlite::Transaction;
use tessera_domain::document::lookup_key;

use crate::Result;

/// One step of the schema's history: SQL, or Rust where the step needs the domain's functions.
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> Result<()>),
}
use Migration::{Code, Sql};

/// Each entry is applied once, in one transaction with the version bump. Never edit an entry
/// that has shipped: add a new one.
const MIGRATIONS: &[Migration] = &[
    Sql(r#"
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
"#),
    // Sort indexes on the keys clients sort by, each ending with the id that breaks ties, so that
    // `ORDER BY field, id LIMIT n` reads n index entries whatever the size of the collection. The
    // expressions must be written exactly as sqlite::query::json_field writes them.
    Sql(r#"
CREATE INDEX users_by_user_name  ON users(json_extract(doc, '$.userName'), id);
CREATE INDEX users_by_email      ON users(json_extract(doc, '$.email'), id);
CREATE INDEX users_by_first_name ON users(json_extract(doc, '$.firstName'), id);
CREATE INDEX users_by_last_name  ON users(json_extract(doc, '$.lastName'), id);
CREATE INDEX users_by_created    ON users(json_extract(doc, '$.created'), id);
CREATE INDEX users_by_updated    ON users(json_extract(doc, '$.lastUpdated'), id);
CREATE INDEX groups_by_name      ON groups(json_extract(doc, '$.name'), id);
CREATE INDEX groups_by_created   ON groups(json_extract(doc, '$.created'), id);
CREATE INDEX groups_by_updated   ON groups(json_extract(doc, '$.lastUpdated'), id);
"#),
    // Tokens logged out one by one, kept until they would have expired (NULL: never expires).
    Sql(r#"
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER
) WITHOUT ROWID;
"#),
    // Content: folders, dashboards, their shares and widgets. `dashboard_shares` mirrors each
    // dashboard's `shares` array so that "what may this caller see" is an indexed lookup.
    // Widget ids are unique per dashboard only: an imported copy keeps its widgets' ids, which
    // its `layout` refers to.
    Sql(r#"
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
"#),
    // Expired revocations are deleted by expiry: without this index each sweep scanned them all.
    Sql(r#"
CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at) WHERE expires_at IS NOT NULL;
"#),
    // One tenant, "system", as a single-tenant Sisense has; every user and group names it in
    // `tenantId` (pysisense skips users and groups whose tenantId is not the system tenant's).
    Sql(r#"
INSERT OR IGNORE INTO meta (key, value) VALUES ('system_tenant', lower(hex(randomblob(12))));
UPDATE users SET doc = json_set(doc, '$.tenantId', (SELECT value FROM meta WHERE key = 'system_tenant'));
UPDATE groups SET doc = json_set(doc, '$.tenantId', (SELECT value FROM meta WHERE key = 'system_tenant'));
"#),
    // Names are compared by their NFKC case-folded key instead of their lower case.
    Code(rekey_names),
    // Users counted per role, kept by triggers in the transaction of every write (a write that
    // rolls back takes its counting with it), so that `Prefer: count=exact` on all users or on
    // one role reads a row instead of counting a million.
    Sql(r#"
CREATE TABLE user_counts (
    role_id TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO user_counts (role_id, n) SELECT role_id, count(*) FROM users GROUP BY role_id;
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_counts (role_id, n) VALUES (NEW.role_id, 1)
        ON CONFLICT (role_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE user_counts SET n = n - 1 WHERE role_id = OLD.role_id;
END;
CREATE TRIGGER users_count_role AFTER UPDATE OF role_id ON users
    WHEN OLD.role_id IS NOT NEW.role_id BEGIN
    UPDATE user_counts SET n = n - 1 WHERE role_id = OLD.role_id;
    INSERT INTO user_counts (role_id, n) VALUES (NEW.role_id, 1)
        ON CONFLICT (role_id) DO UPDATE SET n = n + 1;
END;
"#),
    // A dashboard's title kept as a column beside its document, by triggers (so that no write
    // path can forget it): sorting a viewer's few hundred visible dashboards by title read and
    // parsed every one of their documents; the column is read instead, and the title index
    // is on it.
    Sql(r#"
ALTER TABLE dashboards ADD COLUMN title TEXT;
UPDATE dashboards SET title = json_extract(doc, '$.title');
CREATE TRIGGER dashboards_title_insert AFTER INSERT ON dashboards BEGIN
    UPDATE dashboards SET title = json_extract(NEW.doc, '$.title') WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER dashboards_title_update AFTER UPDATE OF doc ON dashboards BEGIN
    UPDATE dashboards SET title = json_extract(NEW.doc, '$.title') WHERE rowid = NEW.rowid;
END;
DROP INDEX dashboards_by_title;
CREATE INDEX dashboards_by_title ON dashboards(title, id);
"#),
    // Memberships kept in one direction only, group to user, and by triggers from each user's
    // `groups` array (the user-to-groups direction is that array): the second index, the
    // position and the foreign key to users were an index entry and 60 bytes per membership
    // on every user write, and a write path could forget them. Deleting a group still cascades.
    Sql(r#"
CREATE TABLE memberships (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
INSERT INTO memberships (group_id, user_id) SELECT group_id, user_id FROM user_groups;
DROP TABLE user_groups;
ALTER TABLE memberships RENAME TO user_groups;
CREATE TRIGGER users_groups_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_groups (group_id, user_id)
        SELECT value, NEW.id FROM json_each(NEW.doc, '$.groups');
END;
CREATE TRIGGER users_groups_update AFTER UPDATE OF doc ON users
    WHEN json_extract(OLD.doc, '$.groups') IS NOT json_extract(NEW.doc, '$.groups') BEGIN
    DELETE FROM user_groups WHERE user_id = OLD.id
        AND group_id IN (SELECT value FROM json_each(OLD.doc, '$.groups'));
    INSERT INTO user_groups (group_id, user_id)
        SELECT value, NEW.id FROM json_each(NEW.doc, '$.groups');
END;
CREATE TRIGGER users_groups_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_groups WHERE user_id = OLD.id
        AND group_id IN (SELECT value FROM json_each(OLD.doc, '$.groups'));
END;
"#),
];

/// The schema version this build writes and needs (`PRAGMA user_version`).
pub(super) const VERSION: usize = MIGRATIONS.len();

pub(super) fn migrate(tx: &Transaction<'_>) -> Result<()> {
    let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    // A newer Tessera wrote this database: this build cannot know what its schema means.
    if applied > MIGRATIONS.len() {
        return Err(crate::StoreError::Internal(format!(
            "the database schema is at version {applied}, written by a newer Tessera; this build \
             knows versions up to {}: run the newer binary, or restore a backup taken before the upgrade",
            MIGRATIONS.len()
        )));
    }
    for step in MIGRATIONS.iter().skip(applied) {
        match step {
            Sql(sql) => tx.execute_batch(sql)?,
            Code(run) => run(tx)?,
        }
    }
    if applied < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    }
    Ok(())
}

/// Recomputes every user name, e-mail and group name key with today's `lookup_key`.
///
/// Names that were distinct under the old key can share the new one (`Straße` and `STRASSE`).
/// One of them keeps the new key: the one whose key is unchanged, else the oldest. The other keeps
/// a key of its own (its old one where that is free), is still found by id and by its other name,
/// and the collision is logged for an administrator to rename one of the two.
fn rekey_names(tx: &Transaction<'_>) -> Result<()> {
    for (table, column, field) in [
        ("users", "user_name_key", "userName"),
        ("users", "email_key", "email"),
        ("groups", "name_key", "name"),
    ] {
        let rows: Vec<(String, String, String)> = tx
            .prepare(&format!(
                "SELECT id, {column}, coalesce(json_extract(doc, '$.{field}'), '') FROM {table}
                 ORDER BY json_extract(doc, '$.created'), rowid"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // A row whose key does not change keeps it (it is found as before); then the oldest wins.
        let mut rows: Vec<_> =
            rows.into_iter().map(|(id, old, name)| (lookup_key(&name), id, old)).collect();
        rows.sort_by_key(|(key, _, old)| key != old);
        let mut taken = HashSet::new();
        let mut later = Vec::new();
        let mut keys = Vec::with_capacity(rows.len());
        for (key, id, old) in rows {
            if taken.insert(key.clone()) {
                keys.push((id, key));
            } else {
                later.push((id, old, key));
            }
        }
        for (id, old, key) in later {
            tracing::warn!(
                table,
                id,
                field,
                name_key = key,
                "two names now share one key: rename one"
            );
            let kept = if taken.contains(&old) { format!("{key}\u{1}{id}") } else { old };
            taken.insert(kept.clone());
            keys.push((id, kept));
        }
        // Every key moves out of the way first, so that no update meets a key about to change.
        tx.execute(&format!("UPDATE {table} SET {column} = char(1) || id"), [])?;
        let mut update = tx.prepare(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"))?;
        for (id, key) in keys {
            update.execute([id, key])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn at_version(conn: &mut Connection, version: usize) {
        let tx = conn.transaction().unwrap();
        for step in &MIGRATIONS[..version] {
            match step {
                Sql(sql) => tx.execute_batch(sql).unwrap(),
                Code(run) => run(&tx).unwrap(),
            }
        }
        tx.pragma_update(None, "user_version", version as i64).unwrap();
        tx.commit().unwrap();
    }

    /// An older binary refuses a database a newer one migrated, rather than serve it.
    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        at_version(&mut conn, VERSION);
        conn.pragma_update(None, "user_version", (VERSION + 1) as i64).unwrap();
        let tx = conn.transaction().unwrap();
        let err = migrate(&tx).unwrap_err().to_string();
        assert!(err.contains("newer Tessera"), "{err}");
    }

    fn add_user(conn: &Connection, id: &str, name: &str, created: &str) {
        conn.execute(
            "INSERT INTO users (id, user_name_key, email_key, role_id, active, password_hash, api_secret, doc)
             VALUES (?1, lower(?2), ?1 || '@example.com', 'r', 1, 'h', 's', json_object('userName', ?2, 'created', ?3))",
            [id, name, created],
        )
        .unwrap();
    }

    fn key_of(conn: &Connection, id: &str) -> String {
        conn.query_row("SELECT user_name_key FROM users WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    }

    /// Rows written under the lower-case keys get the new keys; of two names that now collide
    /// the one whose key did not change keeps it, the other its old key, and nothing is lost.
    #[test]
    fn names_are_rekeyed_and_collisions_keep_both_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        let rekeying = MIGRATIONS.iter().position(|m| matches!(m, Code(_))).unwrap();
        at_version(&mut conn, rekeying);
        conn.execute("INSERT INTO roles (id, name_key, doc) VALUES ('r', 'r', '{}')", []).unwrap();
        add_user(&conn, "a", "STRASSE", "2026-01-02");
        add_user(&conn, "b", "Straße", "2026-01-01");
        add_user(&conn, "c", "ＷＩＤＥ", "2026-01-03");
        add_user(&conn, "d", "plain", "2026-01-04");
        let tx = conn.transaction().unwrap();
        migrate(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(key_of(&conn, "a"), "strasse", "the unchanged key stays");
        assert_eq!(key_of(&conn, "b"), "straße", "the other row keeps its old key");
        assert_eq!(key_of(&conn, "c"), "wide");
        assert_eq!(key_of(&conn, "d"), "plain");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(usize::try_from(version).unwrap(), VERSION);
    }
}
