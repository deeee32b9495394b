//! PostgreSQL's schema migrations, applied at start under an advisory lock (nodes starting
//! together take turns; the second finds the work done). `schema_version` counts those applied.
//!
//! The tables mirror SQLite's (sqlite/schema.rs): each entity is a row holding its JSON document
//! as text, exactly as written (so that answers are byte for byte those of SQLite), plus the
//! columns it is looked up by. `seq` is the insertion order SQLite keeps as its rowid.

use deadpool_postgres::Transaction;

use crate::{Result, StoreError};

/// The advisory lock's key: any constant no other application on the database uses
/// ("tessera" in ASCII).
const MIGRATION_LOCK: i64 = 0x0074_6573_7365_7261;

/// Each entry is applied once, in one transaction with the version bump. Never edit an entry
/// that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);
-- One tenant, "system", as a single-tenant Sisense has; every user and group names it.
INSERT INTO meta (key, value)
    VALUES ('system_tenant', convert_to(substr(md5(random()::text || clock_timestamp()::text), 1, 24), 'UTF8'));

CREATE TABLE roles (
    seq      bigserial NOT NULL,
    id       text PRIMARY KEY,
    name_key text NOT NULL UNIQUE,
    doc      text NOT NULL
);

CREATE TABLE groups (
    seq      bigserial NOT NULL,
    id       text PRIMARY KEY,
    name_key text NOT NULL UNIQUE,
    role_id  text REFERENCES roles(id),
    builtin  boolean NOT NULL DEFAULT false,
    doc      text NOT NULL
);
CREATE INDEX groups_seq ON groups(seq);

CREATE TABLE users (
    seq           bigserial NOT NULL,
    id            text PRIMARY KEY,
    user_name_key text NOT NULL UNIQUE,
    email_key     text NOT NULL UNIQUE,
    role_id       text NOT NULL REFERENCES roles(id),
    active        boolean NOT NULL,
    password_hash text,
    api_secret    text NOT NULL,
    doc           text NOT NULL
);
CREATE INDEX users_seq ON users(seq);
CREATE INDEX users_role ON users(role_id);

-- Memberships, kept by a trigger from each user's `groups` array (the user-to-groups direction
-- is that array), as on SQLite.
CREATE TABLE user_groups (
    group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  text NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX user_groups_user ON user_groups(user_id);
CREATE FUNCTION tessera_users_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM user_groups WHERE user_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO user_groups (group_id, user_id)
            SELECT g, NEW.id FROM json_array_elements_text(
                coalesce(NEW.doc::json -> 'groups', '[]'::json)) AS g
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_groups_insert AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION tessera_users_groups();
CREATE TRIGGER users_groups_update AFTER UPDATE OF doc ON users
    FOR EACH ROW WHEN ((OLD.doc::json -> 'groups')::text IS DISTINCT FROM (NEW.doc::json -> 'groups')::text)
    EXECUTE FUNCTION tessera_users_groups();

-- Users counted per role, by a trigger in the transaction of every write, so that
-- `Prefer: count=exact` on all users or one role reads a row.
CREATE TABLE user_counts (
    role_id text PRIMARY KEY,
    n       bigint NOT NULL
);
CREATE FUNCTION tessera_user_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE user_counts SET n = n - 1 WHERE role_id = OLD.role_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO user_counts (role_id, n) VALUES (NEW.role_id, 1)
            ON CONFLICT (role_id) DO UPDATE SET n = user_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_count AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION tessera_user_counts();
CREATE TRIGGER users_count_role AFTER UPDATE OF role_id ON users
    FOR EACH ROW WHEN (OLD.role_id IS DISTINCT FROM NEW.role_id)
    EXECUTE FUNCTION tessera_user_counts();

-- Tokens logged out one by one, kept until they would have expired (NULL: never expires).
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY,
    expires_at bigint
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE folders (
    seq       bigserial NOT NULL,
    id        text PRIMARY KEY,
    parent_id text REFERENCES folders(id),
    owner     text NOT NULL,
    doc       text NOT NULL
);
CREATE INDEX folders_seq ON folders(seq);
CREATE INDEX folders_parent ON folders(parent_id);
CREATE INDEX folders_owner ON folders(owner);

CREATE TABLE dashboards (
    seq           bigserial NOT NULL,
    id            text PRIMARY KEY,
    owner         text NOT NULL,
    parent_folder text REFERENCES folders(id),
    title         text,
    doc           text NOT NULL
);
CREATE INDEX dashboards_seq ON dashboards(seq);
CREATE INDEX dashboards_owner ON dashboards(owner);
CREATE INDEX dashboards_folder ON dashboards(parent_folder);

CREATE TABLE dashboard_shares (
    dashboard_id text NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
    party_id     text NOT NULL,
    rule         text NOT NULL,
    PRIMARY KEY (dashboard_id, party_id)
);
CREATE INDEX dashboard_shares_party ON dashboard_shares(party_id, dashboard_id);

CREATE TABLE widgets (
    dashboard_id text NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
    id           text NOT NULL,
    position     bigint NOT NULL,
    doc          text NOT NULL,
    PRIMARY KEY (dashboard_id, id)
);

-- The sort order of the query language (tessera_domain::query::order), which SQLite's
-- `json_extract` gives: missing and null first, then numbers (booleans as 0 and 1), then text
-- (strings, and arrays and objects as their JSON text) byte by byte. A sort key is the three
-- of these for the field's JSON value.
CREATE FUNCTION tessera_rank(v json) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE json_typeof(v) WHEN 'number' THEN 1 WHEN 'boolean' THEN 1
                               WHEN 'string' THEN 2 WHEN 'array' THEN 2 WHEN 'object' THEN 2
                               ELSE 0 END
$$;
CREATE FUNCTION tessera_number(v json) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE json_typeof(v) WHEN 'number' THEN (v #>> '{}')::numeric
                               WHEN 'boolean' THEN CASE WHEN v::text = 'true' THEN 1 ELSE 0 END
                               END
$$;
CREATE FUNCTION tessera_text(v json) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE json_typeof(v) WHEN 'string' THEN v #>> '{}'
                               WHEN 'array' THEN v::text WHEN 'object' THEN v::text END
$$;
"#,
    // Attempts counted per key in time windows (failed sign-ins per account and per address,
    // tokens per user and minute), shared by every node; rows whose window has ended are
    // deleted on the `ends_ms` index.
    r#"
CREATE TABLE attempt_windows (
    key      text PRIMARY KEY,
    ends_ms  bigint NOT NULL,
    attempts integer NOT NULL
);
CREATE INDEX attempt_windows_ends ON attempt_windows(ends_ms);
"#,
    // The write generation: moved by every statement that writes users, groups or roles, in
    // its transaction (so it moves exactly when the write becomes visible). Every request's
    // authentication reads it; a node that sees it move empties its caches of those.
    r#"
CREATE TABLE cache_generation (n bigint NOT NULL);
INSERT INTO cache_generation VALUES (0);
CREATE FUNCTION tessera_cache_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_generation SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER users_generation AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_cache_generation();
CREATE TRIGGER groups_generation AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_cache_generation();
CREATE TRIGGER roles_generation AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_cache_generation();
"#,
    // Sort indexes on the keys clients sort by, as SQLite has: each is the three parts of the
    // sort key (query.rs writes them exactly so) and the id that breaks ties, so that a sorted
    // page reads its rows from the index instead of sorting every row (a page of 50 of
    // 100,000 users: 4 req/s without, about 1 ms each with).
    r#"
CREATE INDEX users_by_user_name ON users (tessera_rank((doc::json #> '{userName}')), tessera_number((doc::json #> '{userName}')), (tessera_text((doc::json #> '{userName}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX users_by_email ON users (tessera_rank((doc::json #> '{email}')), tessera_number((doc::json #> '{email}')), (tessera_text((doc::json #> '{email}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX users_by_first_name ON users (tessera_rank((doc::json #> '{firstName}')), tessera_number((doc::json #> '{firstName}')), (tessera_text((doc::json #> '{firstName}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX users_by_last_name ON users (tessera_rank((doc::json #> '{lastName}')), tessera_number((doc::json #> '{lastName}')), (tessera_text((doc::json #> '{lastName}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX users_by_created ON users (tessera_rank((doc::json #> '{created}')), tessera_number((doc::json #> '{created}')), (tessera_text((doc::json #> '{created}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX users_by_updated ON users (tessera_rank((doc::json #> '{lastUpdated}')), tessera_number((doc::json #> '{lastUpdated}')), (tessera_text((doc::json #> '{lastUpdated}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX groups_by_name ON groups (tessera_rank((doc::json #> '{name}')), tessera_number((doc::json #> '{name}')), (tessera_text((doc::json #> '{name}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX groups_by_created ON groups (tessera_rank((doc::json #> '{created}')), tessera_number((doc::json #> '{created}')), (tessera_text((doc::json #> '{created}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX groups_by_updated ON groups (tessera_rank((doc::json #> '{lastUpdated}')), tessera_number((doc::json #> '{lastUpdated}')), (tessera_text((doc::json #> '{lastUpdated}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX dashboards_by_title ON dashboards (tessera_rank((doc::json #> '{title}')), tessera_number((doc::json #> '{title}')), (tessera_text((doc::json #> '{title}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX dashboards_by_created ON dashboards (tessera_rank((doc::json #> '{created}')), tessera_number((doc::json #> '{created}')), (tessera_text((doc::json #> '{created}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX dashboards_by_updated ON dashboards (tessera_rank((doc::json #> '{lastUpdated}')), tessera_number((doc::json #> '{lastUpdated}')), (tessera_text((doc::json #> '{lastUpdated}')) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX folders_by_name ON folders (tessera_rank((doc::json #> '{name}')), tessera_number((doc::json #> '{name}')), (tessera_text((doc::json #> '{name}')) COLLATE "C"), (id COLLATE "C"));
"#,
    // The sort keys of the indexed fields, stored: a sorted page read its rows from the index
    // but PostgreSQL still computed the key of every row it returned (parsing the document
    // three times, about 12 us a row: 1.1 ms a page of 50 against 0.4 ms unsorted). Each key is
    // one value of a row type that sorts part by part (rank, number, text), computed once when
    // the row is written, and the sort indexes are remade on these columns; query.rs sorts on
    // them, and on the expression for any other field.
    r#"
CREATE TYPE tessera_sort_key AS (rank int, num numeric, txt text COLLATE "C");
CREATE FUNCTION tessera_key(v json) RETURNS tessera_sort_key LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ROW(tessera_rank(v), tessera_number(v), tessera_text(v))::tessera_sort_key
$$;
DROP INDEX users_by_user_name;
DROP INDEX users_by_email;
DROP INDEX users_by_first_name;
DROP INDEX users_by_last_name;
DROP INDEX users_by_created;
DROP INDEX users_by_updated;
DROP INDEX groups_by_name;
DROP INDEX groups_by_created;
DROP INDEX groups_by_updated;
DROP INDEX dashboards_by_title;
DROP INDEX dashboards_by_created;
DROP INDEX dashboards_by_updated;
DROP INDEX folders_by_name;
ALTER TABLE users
    ADD COLUMN sort_user_name tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{userName}')) STORED,
    ADD COLUMN sort_email tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{email}')) STORED,
    ADD COLUMN sort_first_name tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{firstName}')) STORED,
    ADD COLUMN sort_last_name tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{lastName}')) STORED,
    ADD COLUMN sort_created tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{created}')) STORED,
    ADD COLUMN sort_updated tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{lastUpdated}')) STORED;
ALTER TABLE groups
    ADD COLUMN sort_name tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{name}')) STORED,
    ADD COLUMN sort_created tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{created}')) STORED,
    ADD COLUMN sort_updated tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{lastUpdated}')) STORED;
ALTER TABLE dashboards
    ADD COLUMN sort_title tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{title}')) STORED,
    ADD COLUMN sort_created tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{created}')) STORED,
    ADD COLUMN sort_updated tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{lastUpdated}')) STORED;
ALTER TABLE folders
    ADD COLUMN sort_name tessera_sort_key GENERATED ALWAYS AS (tessera_key(doc::json #> '{name}')) STORED;
CREATE INDEX users_by_user_name ON users (sort_user_name, (id COLLATE "C"));
CREATE INDEX users_by_email ON users (sort_email, (id COLLATE "C"));
CREATE INDEX users_by_first_name ON users (sort_first_name, (id COLLATE "C"));
CREATE INDEX users_by_last_name ON users (sort_last_name, (id COLLATE "C"));
CREATE INDEX users_by_created ON users (sort_created, (id COLLATE "C"));
CREATE INDEX users_by_updated ON users (sort_updated, (id COLLATE "C"));
CREATE INDEX groups_by_name ON groups (sort_name, (id COLLATE "C"));
CREATE INDEX groups_by_created ON groups (sort_created, (id COLLATE "C"));
CREATE INDEX groups_by_updated ON groups (sort_updated, (id COLLATE "C"));
CREATE INDEX dashboards_by_title ON dashboards (sort_title, (id COLLATE "C"));
CREATE INDEX dashboards_by_created ON dashboards (sort_created, (id COLLATE "C"));
CREATE INDEX dashboards_by_updated ON dashboards (sort_updated, (id COLLATE "C"));
CREATE INDEX folders_by_name ON folders (sort_name, (id COLLATE "C"));
"#,
];

/// The schema version this build writes and needs.
pub(super) const VERSION: usize = MIGRATIONS.len();

/// Brings the schema up to date, in the caller's transaction, holding the migration lock until
/// it commits.
pub(super) async fn migrate(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL);
         INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
    )
    .await?;
    let applied: i64 = tx.query_one("SELECT version FROM schema_version", &[]).await?.get(0);
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Internal(format!(
            "the database schema is at version {applied}, written by a newer Tessera; this build \
             knows versions up to {}: run the newer binary, or restore a backup taken before the upgrade",
            MIGRATIONS.len()
        )));
    }
    for sql in MIGRATIONS.iter().skip(applied) {
        tx.batch_execute(sql).await?;
    }
    if applied < MIGRATIONS.len() {
        let version = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        tx.execute("UPDATE schema_version SET version = $1", &[&version]).await?;
    }
    Ok(())
}

/// The version the database is at.
pub(super) async fn version(client: &deadpool_postgres::Client) -> Result<usize> {
    let row = client.query_one("SELECT version FROM schema_version", &[]).await?;
    Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}
