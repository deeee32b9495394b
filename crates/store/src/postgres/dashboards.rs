//! Dashboards, their shares and widgets, with the access rules applied in the transaction (the
//! rules themselves are `tessera_domain::dashboard`'s, as on SQLite).

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tessera_domain::dashboard::{
    Access, Actor, DashboardDraft, PartyKind, Rule, Share, WidgetDraft, dashboard_access,
    parse_shares,
};
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::role::manages_identities;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::query::{self, Filter};
use super::rows::{
    created_of, dashboard_stamp as stamp, id_texts, missing_ids, parse_doc, raw_doc, widget_stamp,
};
use super::{PostgresStore, folders};
use crate::{
    DashboardEdit, DashboardFilter, DashboardStore, ImportAction, ImportItem, ImportReport,
    ListPage, ListRequest, Result, StoreError,
};

/// The groups a user is in for sharing: their own, plus the two every user is in.
async fn member_of(db: &impl GenericClient, user: ObjectId) -> Result<Vec<ObjectId>> {
    let stmt = db
        .prepare_cached(
            "SELECT g FROM json_array_elements_text(
                 coalesce((SELECT doc::json -> 'groups' FROM users WHERE id = $1), '[]'::json)) AS g
             UNION SELECT id FROM groups
              WHERE builtin AND name_key IN ('everyone', 'all users in system')",
        )
        .await?;
    let rows = db.query(&stmt, &[&user.to_string()]).await?;
    Ok(rows.iter().filter_map(|r| r.get::<_, String>(0).parse().ok()).collect())
}

/// The stored owner and document of a dashboard; with `lock`, its row is locked until the
/// transaction ends, so that writes to one dashboard take turns.
async fn load(
    db: &impl GenericClient, id: ObjectId, lock: bool,
) -> Result<Option<(Option<ObjectId>, Document)>> {
    let sql = if lock {
        "SELECT owner, doc FROM dashboards WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT owner, doc FROM dashboards WHERE id = $1"
    };
    let stmt = db.prepare_cached(sql).await?;
    let row = db.query_opt(&stmt, &[&id.to_string()]).await?;
    row.map(|r| Ok((r.get::<_, String>(0).parse().ok(), parse_doc(r.get(1))?))).transpose()
}

fn stored_shares(doc: &Document) -> Vec<Share> {
    // Stored documents were validated on the way in.
    parse_shares(doc.get("shares")).unwrap_or_default()
}

async fn access_to(
    db: &impl GenericClient, actor: &Actor, owner: Option<ObjectId>, doc: &Document,
) -> Result<Access> {
    let groups = if actor.acts_as_admin() || owner == Some(actor.id) {
        Vec::new()
    } else {
        member_of(db, actor.id).await?
    };
    Ok(dashboard_access(actor, owner, &stored_shares(doc), &groups))
}

fn not_found(id: ObjectId) -> StoreError {
    StoreError::NotFound { kind: ResourceKind::Dashboard, id: id.to_string() }
}

/// The dashboard, when the actor has at least `needed` access to it: `NotFound` when they cannot
/// see it, `Forbidden` when they see it but may not do this. Anything more than viewing locks
/// the row.
pub(super) async fn require(
    db: &impl GenericClient, actor: &Actor, id: ObjectId, needed: Access,
) -> Result<(Option<ObjectId>, Document, Access)> {
    let Some((owner, doc)) = load(db, id, needed > Access::View).await? else {
        return Err(not_found(id));
    };
    let access = access_to(db, actor, owner, &doc).await?;
    if access == Access::None {
        return Err(not_found(id));
    }
    if access < needed {
        return Err(StoreError::Forbidden(match needed {
            Access::Own => format!("Only the owner of dashboard '{id}' can do this"),
            _ => format!("Dashboard '{id}' is shared with you for viewing only"),
        }));
    }
    Ok((owner, doc, access))
}

async fn get(
    db: &impl GenericClient, actor: &Actor, id: ObjectId,
) -> Result<Option<(RawDoc, Access)>> {
    let Some((owner, doc)) = load(db, id, false).await? else {
        return Ok(None);
    };
    let access = access_to(db, actor, owner, &doc).await?;
    if access == Access::None {
        return Ok(None);
    }
    Ok(Some((raw_doc(serde_json::to_string(&doc)?)?, access)))
}

/// The users and groups the shares name must exist.
async fn check_parties(db: &impl GenericClient, shares: &[Share]) -> Result<()> {
    for (kind, table, resource) in [
        (PartyKind::User, "users", ResourceKind::User),
        (PartyKind::Group, "groups", ResourceKind::Group),
    ] {
        let ids: Vec<ObjectId> =
            shares.iter().filter(|s| s.kind == kind).map(|s| s.party).collect();
        if ids.is_empty() {
            continue;
        }
        let sql = format!("SELECT id FROM {table} WHERE id = ANY($1)");
        if let Some(id) = missing_ids(db, &sql, &ids).await?.first() {
            return Err(StoreError::MissingReference { kind: resource, id: id.to_string() });
        }
    }
    Ok(())
}

/// Takes deleted users or groups out of every dashboard's `shares`, so that no share names a
/// party that is gone (and no later edit trips over one).
pub(super) async fn drop_parties(tx: &Transaction<'_>, parties: &[ObjectId]) -> Result<()> {
    let gone = id_texts(parties);
    let affected = tx
        .query(
            "SELECT DISTINCT dashboard_id FROM dashboard_shares WHERE party_id = ANY($1)
             ORDER BY dashboard_id",
            &[&gone],
        )
        .await?;
    for row in affected {
        let Ok(id) = row.get::<_, String>(0).parse::<ObjectId>() else {
            continue;
        };
        let Some((_, mut doc)) = load(tx, id, true).await? else {
            continue;
        };
        if let Some(Value::Array(shares)) = doc.get_mut("shares") {
            shares.retain(|s| {
                s.get("shareId")
                    .and_then(Value::as_str)
                    .is_none_or(|p| !gone.iter().any(|g| g == p))
            });
        }
        tx.execute(
            "UPDATE dashboards SET doc = $2 WHERE id = $1",
            &[&id.to_string(), &serde_json::to_string(&doc)?],
        )
        .await?;
        write_shares(tx, id, &stored_shares(&doc)).await?;
    }
    Ok(())
}

async fn write_shares(tx: &Transaction<'_>, id: ObjectId, shares: &[Share]) -> Result<()> {
    tx.execute("DELETE FROM dashboard_shares WHERE dashboard_id = $1", &[&id.to_string()]).await?;
    let (parties, rules): (Vec<String>, Vec<&str>) =
        shares.iter().map(|s| (s.party.to_string(), s.rule.as_str())).unzip();
    tx.execute(
        "INSERT INTO dashboard_shares (dashboard_id, party_id, rule)
         SELECT $1, p, r FROM unnest($2::text[], $3::text[]) AS t(p, r)",
        &[&id.to_string(), &parties, &rules],
    )
    .await?;
    Ok(())
}

/// Replaces all the widgets of a dashboard; answers them as stored.
async fn replace_widgets(
    tx: &Transaction<'_>, dashboard: ObjectId, widgets: Vec<WidgetDraft>,
) -> Result<Vec<Value>> {
    tx.execute("DELETE FROM widgets WHERE dashboard_id = $1", &[&dashboard.to_string()]).await?;
    let now = now_iso();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO widgets (dashboard_id, id, position, doc) VALUES ($1, $2, $3, $4)",
        )
        .await?;
    let mut stored = Vec::with_capacity(widgets.len());
    for (position, w) in widgets.into_iter().enumerate() {
        let id = w.oid.unwrap_or_else(ObjectId::generate);
        let doc = widget_stamp(dashboard, id, w.doc, &now, &now);
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        tx.execute(
            &stmt,
            &[&dashboard.to_string(), &id.to_string(), &position, &serde_json::to_string(&doc)?],
        )
        .await?;
        stored.push(Value::Object(doc));
    }
    Ok(stored)
}

pub(super) async fn widget_docs(
    db: &impl GenericClient, dashboard: ObjectId,
) -> Result<Vec<String>> {
    let stmt = db
        .prepare_cached(
            "SELECT doc FROM widgets WHERE dashboard_id = $1 ORDER BY position, id COLLATE \"C\"",
        )
        .await?;
    Ok(db.query(&stmt, &[&dashboard.to_string()]).await?.iter().map(|r| r.get(0)).collect())
}

/// Checks what a draft refers to: its folder (one the actor may see) and its share parties.
async fn check_references(
    db: &impl GenericClient, actor: &Actor, draft: &DashboardDraft,
) -> Result<()> {
    if let Some(folder) = draft.parent_folder {
        folders::require_visible(db, actor, folder).await?;
    }
    check_parties(db, &draft.shares).await
}

/// Writes a new dashboard with id `id`, owned by the actor.
async fn insert_as(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, draft: DashboardDraft,
) -> Result<Document> {
    check_references(tx, actor, &draft).await?;
    save(tx, id, Some(actor.id), None, draft).await
}

/// Writes a dashboard (new when `created` is `None`, or over the stored one) with its shares
/// and, when the draft has them, its widgets; answers the stored document (with `widgets` when
/// they were written).
async fn save(
    tx: &Transaction<'_>, id: ObjectId, owner: Option<ObjectId>, created: Option<&str>,
    draft: DashboardDraft,
) -> Result<Document> {
    let now = now_iso();
    let DashboardDraft { doc, parent_folder, shares, widgets } = draft;
    let mut doc = stamp(id, doc, owner, created.unwrap_or(&now), &now);
    let stmt = tx
        .prepare_cached(
            "INSERT INTO dashboards (id, owner, parent_folder, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET parent_folder = excluded.parent_folder, doc = excluded.doc",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &id.to_string(),
            &owner.map(|o| o.to_string()),
            &parent_folder.map(|f| f.to_string()),
            &serde_json::to_string(&doc)?,
        ],
    )
    .await?;
    write_shares(tx, id, &shares).await?;
    if let Some(widgets) = widgets {
        let stored = replace_widgets(tx, id, widgets).await?;
        doc.insert("widgets".into(), Value::Array(stored));
    }
    Ok(doc)
}

async fn insert(tx: &Transaction<'_>, actor: &Actor, draft: DashboardDraft) -> Result<Document> {
    if !actor.creates_content() {
        return Err(StoreError::Forbidden("Viewers cannot create dashboards".into()));
    }
    insert_as(tx, actor, ObjectId::generate(), draft).await
}

/// Writes `draft` over dashboard `id`, which the actor has `access` to: editors change the
/// document and widgets, only owners the shares.
async fn overwrite(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, owner: Option<ObjectId>, current: &Document,
    access: Access, draft: DashboardDraft,
) -> Result<Document> {
    let mut before = stored_shares(current);
    let mut after = draft.shares.clone();
    let key = |s: &Share| (s.party, s.rule);
    before.sort_by_key(key);
    after.sort_by_key(key);
    if before != after && access < Access::Own {
        return Err(StoreError::Forbidden(format!(
            "Only the owner of dashboard '{id}' can change its shares"
        )));
    }
    check_references(tx, actor, &draft).await?;
    save(tx, id, owner, Some(&created_of(current)), draft).await
}

async fn update(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, edit: DashboardEdit,
) -> Result<Document> {
    let (owner, current, access) = require(tx, actor, id, Access::Edit).await?;
    let draft = edit(current.clone())?;
    overwrite(tx, actor, id, owner, &current, access, draft).await
}

async fn change_owner(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, new_owner: ObjectId, previous_rule: Rule,
) -> Result<Document> {
    let (owner, mut doc, _) = require(tx, actor, id, Access::Own).await?;
    check_parties(tx, &[Share { party: new_owner, kind: PartyKind::User, rule: Rule::Edit }])
        .await?;
    let mut shares: Vec<Value> =
        doc.get("shares").and_then(Value::as_array).cloned().unwrap_or_default();
    let named = |v: &Value, who: &str| v.get("shareId").and_then(Value::as_str) == Some(who);
    shares.retain(|s| !named(s, &new_owner.to_string()));
    let previous = match owner {
        Some(o) if o != new_owner => {
            let share = Share { party: o, kind: PartyKind::User, rule: previous_rule };
            check_parties(tx, &[share]).await.is_ok().then_some(o)
        }
        _ => None,
    };
    if let Some(previous) = previous {
        shares.retain(|s| !named(s, &previous.to_string()));
        shares.push(serde_json::json!({
            "shareId": previous.to_string(),
            "type": "user",
            "rule": previous_rule.as_str(),
            "subscribe": false,
        }));
    }
    doc.insert("shares".into(), Value::Array(shares));
    doc.insert("owner".into(), Value::String(new_owner.to_string()));
    doc.insert("lastUpdated".into(), Value::String(now_iso()));
    tx.execute(
        "UPDATE dashboards SET owner = $2, doc = $3 WHERE id = $1",
        &[&id.to_string(), &new_owner.to_string(), &serde_json::to_string(&doc)?],
    )
    .await?;
    write_shares(tx, id, &stored_shares(&doc)).await?;
    Ok(doc)
}

async fn delete(
    tx: &Transaction<'_>, actor: &Actor, ids: &[ObjectId], if_match: Option<&IfMatch>,
) -> Result<()> {
    for id in ids {
        let (_, doc, _) = require(tx, actor, *id, Access::Own).await?;
        if let Some(m) = if_match {
            m.check(&doc)?;
        }
    }
    tx.execute("DELETE FROM dashboards WHERE id = ANY($1)", &[&id_texts(ids)]).await?;
    Ok(())
}

async fn export(db: &impl GenericClient, actor: &Actor, ids: &[ObjectId]) -> Result<Vec<Document>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (_, mut doc, _) = require(db, actor, *id, Access::View).await?;
        let widgets = widget_docs(db, *id)
            .await?
            .iter()
            .map(|w| serde_json::from_str(w))
            .collect::<std::result::Result<Vec<Value>, _>>()?;
        doc.insert("widgets".into(), Value::Array(widgets));
        out.push(doc);
    }
    Ok(out)
}

/// Case-insensitive for ASCII letters, as SQLite's `lower` and `NOCASE`.
fn ascii_lower(expr: &str) -> String {
    format!("translate({expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
}

/// The dashboards table: its sort keys are stored for the fields the sort indexes cover.
const DASHBOARDS: query::Table = query::Table {
    name: "dashboards",
    alias: "d",
    sort_columns: &[
        ("title", "sort_title"),
        ("created", "sort_created"),
        ("lastUpdated", "sort_updated"),
    ],
};

async fn list(
    db: &impl GenericClient, actor: &Actor, request: &ListRequest<DashboardFilter>,
) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let mut f = Filter::default();
    if !actor.acts_as_admin() {
        let mut parties = member_of(db, actor.id).await?;
        parties.push(actor.id);
        // A group owns nothing, so `owner = ANY(parties)` is `owner = caller`.
        f.and(
            "(d.owner = ANY(?) OR d.id IN (SELECT dashboard_id FROM dashboard_shares
                                            WHERE party_id = ANY(?)))",
            id_texts(&parties),
        );
    }
    let title = "(d.doc::json ->> 'title')";
    if let Some(name) = &filter.name {
        f.and(&format!("{} = {}", ascii_lower(title), ascii_lower("?")), name.clone());
    }
    if let Some(search) = &filter.search {
        f.and(&format!("strpos({}, {}) > 0", ascii_lower(title), ascii_lower("?")), search.clone());
    }
    match filter.parent_folder {
        Some(Some(folder)) => f.and("d.parent_folder = ?", folder.to_string()),
        Some(None) => f.and_plain("d.parent_folder IS NULL"),
        None => {}
    }
    if let Some(title) = &filter.datasource_title {
        f.and(
            &format!(
                "{} = {}",
                ascii_lower("(d.doc::json #>> '{datasource,title}')"),
                ascii_lower("?")
            ),
            title.clone(),
        );
    }
    if let Some(address) = &filter.datasource_address {
        f.and(
            &format!(
                "{} = {}",
                ascii_lower("(d.doc::json #>> '{datasource,address}')"),
                ascii_lower("?")
            ),
            address.clone(),
        );
    }
    if let Some(owner) = filter.owner {
        f.and("d.owner = ?", owner.to_string());
    }
    if let Some(ids) = &filter.ids {
        f.and("d.id = ANY(?)", id_texts(ids));
    }
    query::list(db, &DASHBOARDS, f, sort, *page, *count).await
}

/// Imports the items one by one, each in a savepoint: a failed item leaves nothing behind.
async fn import(
    tx: &Transaction<'_>, actor: &Actor, items: Vec<ImportItem>, action: ImportAction,
    folder: Option<ObjectId>,
) -> Result<ImportReport> {
    if !actor.creates_content() {
        return Err(StoreError::Forbidden("Viewers cannot import dashboards".into()));
    }
    if let Some(folder) = folder {
        folders::require_visible(tx, actor, folder).await?;
    }
    let mut report = ImportReport::default();
    for (position, item) in items.into_iter().enumerate() {
        let key = item.oid.map_or_else(|| position.to_string(), |o| o.to_string());
        tx.batch_execute("SAVEPOINT import_item").await?;
        match import_one(tx, actor, item, action, folder).await {
            Ok(Imported::Stored(doc)) => report.imported.push(doc),
            Ok(Imported::Skipped(oid, title)) => report.skipped.push((oid, title)),
            // The engine failing is not the item's fault: the whole import fails.
            Err(e @ StoreError::Internal(_)) => return Err(e),
            Err(e) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT import_item").await?;
                report.failed.push((key, e));
            }
        }
        tx.batch_execute("RELEASE SAVEPOINT import_item").await?;
    }
    Ok(report)
}

enum Imported {
    Stored(Document),
    Skipped(String, Option<String>),
}

async fn import_one(
    tx: &Transaction<'_>, actor: &Actor, item: ImportItem, action: ImportAction,
    folder: Option<ObjectId>,
) -> Result<Imported> {
    let mut draft = item.draft?;
    // The folder asked for wins; a folder this server does not have (or the actor may not
    // use) is dropped, and the dashboard lands at the root.
    let target = match (folder, draft.parent_folder) {
        (Some(f), _) => Some(f),
        (None, Some(f)) => folders::require_visible(tx, actor, f).await.is_ok().then_some(f),
        (None, None) => None,
    };
    draft.parent_folder = target;
    if target.is_some() || draft.doc.contains_key("parentFolder") {
        draft.doc.insert(
            "parentFolder".into(),
            target.map_or(Value::Null, |f| Value::String(f.to_string())),
        );
    }
    // Shares with users and groups this server does not have are dropped.
    let mut kept = Vec::new();
    for share in &draft.shares {
        if check_parties(tx, std::slice::from_ref(share)).await.is_ok() {
            kept.push(share.party.to_string());
        }
    }
    draft.shares.retain(|s| kept.contains(&s.party.to_string()));
    if let Some(Value::Array(shares)) = draft.doc.get_mut("shares") {
        shares.retain(|s| {
            s.get("shareId").and_then(Value::as_str).is_some_and(|id| kept.iter().any(|k| k == id))
        });
    }
    // Administrators import with the oids they are given and skip or overwrite any dashboard;
    // anyone else acts only on dashboards they may see, and gets fresh oids otherwise, so an
    // import neither reveals that a hidden dashboard exists nor claims an oid in advance.
    let admin = manages_identities(&actor.role_name);
    let existing = match (action, item.oid) {
        (ImportAction::Duplicate, _) | (_, None) => None,
        (_, Some(oid)) => match load(tx, oid, false).await? {
            Some((owner, doc))
                if admin || access_to(tx, actor, owner, &doc).await? != Access::None =>
            {
                Some(oid)
            }
            _ => None,
        },
    };
    match (action, existing) {
        (ImportAction::Skip, Some(oid)) => Ok(Imported::Skipped(oid.to_string(), item.title)),
        (ImportAction::Overwrite, Some(oid)) => {
            let (owner, current, access) = require(tx, actor, oid, Access::Edit).await?;
            overwrite(tx, actor, oid, owner, &current, access, draft).await.map(Imported::Stored)
        }
        _ => {
            let id = match (action, item.oid) {
                (ImportAction::Duplicate, _) | (_, None) => ObjectId::generate(),
                (_, Some(oid)) if admin => oid,
                (_, Some(_)) => ObjectId::generate(),
            };
            let mut draft = draft;
            draft.widgets.get_or_insert_with(Vec::new);
            insert_as(tx, actor, id, draft).await.map(Imported::Stored)
        }
    }
}

#[async_trait]
impl DashboardStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_dashboards(
        &self, actor: &Actor, drafts: Vec<DashboardDraft>,
    ) -> Result<Vec<Document>> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let mut out = Vec::with_capacity(drafts.len());
                for draft in drafts {
                    out.push(insert(tx, &actor, draft).await?);
                }
                Ok(out)
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_dashboard(&self, actor: &Actor, id: ObjectId) -> Result<Option<(RawDoc, Access)>> {
        get(&self.reader().await?, actor, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_dashboards(
        &self, actor: &Actor, request: ListRequest<DashboardFilter>,
    ) -> Result<ListPage> {
        list(&self.reader().await?, actor, &request).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_dashboard(
        &self, actor: &Actor, id: ObjectId, edit: DashboardEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| Box::pin(async move { update(tx, &actor, id, edit).await })).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn change_dashboard_owner(
        &self, actor: &Actor, id: ObjectId, new_owner: ObjectId, previous_rule: Rule,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { change_owner(tx, &actor, id, new_owner, previous_rule).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_dashboards(
        &self, actor: &Actor, ids: Vec<ObjectId>, if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { delete(tx, &actor, &ids, if_match.as_ref()).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn export_dashboards(&self, actor: &Actor, ids: Vec<ObjectId>) -> Result<Vec<Document>> {
        export(&self.reader().await?, actor, &ids).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn import_dashboards(
        &self, actor: &Actor, items: Vec<ImportItem>, action: ImportAction,
        folder: Option<ObjectId>,
    ) -> Result<ImportReport> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { import(tx, &actor, items, action, folder).await })
        })
        .await
    }
}
