//! The SQLite engine against the domain's reference semantics: what SQL sorts and pages must be
//! what the query language promises, and expand must cost a fixed number of calls per level.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use proptest::prelude::*;
use serde_json::{Value, json};
use tessera_domain::lazy::{LazyDoc, RawDoc};
use tessera_domain::query::{Page, Resource, SortKey, parse_expand, parse_sort, sort_documents};
use tessera_domain::user::parse_user;
use tessera_domain::{Document, ObjectId};
use tessera_store::sqlite::SqliteStore;
use tessera_store::*;

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let admin = SeedAdmin {
        email: "admin@example.com".into(),
        password_hash: "$x".into(),
    };
    store.initialize(admin, vec![7; 32]).await.unwrap();
    (dir, store)
}

async fn role_id(store: &SqliteStore, name: &str) -> ObjectId {
    store.find_role(name).await.unwrap().unwrap()["_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn user(doc: Value, role: ObjectId) -> UserRecord {
    UserRecord::from_draft(parse_user(doc, role).unwrap(), None)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn field_value() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        (-2.0f64..2.0).prop_map(|f| json!(f)),
        "[a-cA-C]{0,2}".prop_map(Value::String),
        proptest::collection::vec(0i64..3, 0..2).prop_map(|v| json!(v)),
    ])
}

fn extra_fields() -> impl Strategy<Value = Vec<(Option<Value>, Option<Value>, Option<Value>)>> {
    proptest::collection::vec((field_value(), field_value(), field_value()), 0..25)
}

fn sort_text() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(vec!["a", "b", "nested.c", "email", "missing"], 0..=3)
        .prop_flat_map(|keys| {
            let n = keys.len();
            (Just(keys), proptest::collection::vec(any::<bool>(), n))
        })
        .prop_map(|(keys, desc)| {
            keys.iter()
                .zip(desc)
                .map(|(k, d)| format!("{}{k}", if d { "-" } else { "" }))
                .collect::<Vec<_>>()
                .join(",")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// For random documents and random sort/skip/limit: the store's page is exactly the slice
    /// of the reference-sorted whole, and the count is the whole.
    #[test]
    fn list_equals_the_reference_slice(
        rows in extra_fields(),
        sort in sort_text(),
        skip in 0u64..30,
        limit in proptest::option::of(0u64..30),
    ) {
        runtime().block_on(async {
            let (_dir, store) = store().await;
            let role = role_id(&store, "consumer").await;
            let records: Vec<UserRecord> = rows.iter().enumerate().map(|(i, (a, b, c))| {
                let mut doc = json!({"email": format!("u{i:02}@x.example")});
                let map = doc.as_object_mut().unwrap();
                if let Some(a) = a { map.insert("a".into(), a.clone()); }
                if let Some(b) = b { map.insert("b".into(), b.clone()); }
                if let Some(c) = c { map.insert("nested".into(), json!({"c": c})); }
                user(doc, role)
            }).collect();
            store.create_users(records).await.unwrap();

            let keys: Vec<SortKey> = parse_sort("sort", &sort).unwrap();
            let page = Page { skip, limit };
            let got = store.list_users(&UserFilter::default(), &keys, page, true).await.unwrap();

            let mut all: Vec<Document> = store
                .list_users(&UserFilter::default(), &[], Page::default(), false)
                .await
                .unwrap()
                .items
                .iter()
                .map(|r| serde_json::from_str(r.get()).unwrap())
                .collect();
            prop_assert_eq!(got.total, Some(all.len() as u64));
            sort_documents(&mut all, &keys);
            let expected: Vec<Document> = all.into_iter().skip(skip as usize).take(limit.map_or(usize::MAX, |l| l as usize)).collect();
            let ids = |docs: &[Document]| docs.iter().map(|d| d["_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
            let got: Vec<Document> = got.items.iter().map(|r| serde_json::from_str(r.get()).unwrap()).collect();
            prop_assert_eq!(ids(&got), ids(&expected), "sort={}", sort);
            Ok(())
        })?;
    }
}

/// Counts the batched calls that expand makes; everything else goes straight to SQLite.
struct Counting {
    inner: SqliteStore,
    fetches: AtomicUsize,
}

#[async_trait]
impl Store for Counting {
    async fn initialize(&self, admin: SeedAdmin, key: Vec<u8>) -> Result<bool> {
        self.inner.initialize(admin, key).await
    }
    async fn change_membership(
        &self,
        group: ObjectId,
        users: Vec<ObjectId>,
        add: bool,
    ) -> Result<()> {
        self.inner.change_membership(group, users, add).await
    }
    fn content(&self) -> &dyn tessera_store::ContentStore {
        self.inner.content()
    }
    async fn signing_key(&self) -> Result<Vec<u8>> {
        self.inner.signing_key().await
    }
    async fn list_roles(&self) -> Result<Vec<Document>> {
        self.inner.list_roles().await
    }
    async fn find_role(&self, key: &str) -> Result<Option<Document>> {
        self.inner.find_role(key).await
    }
    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>> {
        self.inner.create_users(users).await
    }
    async fn get_user(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        self.inner.get_user(id).await
    }
    async fn list_users(
        &self,
        f: &UserFilter,
        s: &[SortKey],
        p: Page,
        c: bool,
    ) -> Result<ListPage> {
        self.inner.list_users(f, s, p, c).await
    }
    async fn update_user(&self, id: ObjectId, e: UserEdit) -> Result<Option<Document>> {
        self.inner.update_user(id, e).await
    }
    async fn delete_users(
        &self,
        ids: Vec<ObjectId>,
        if_match: Option<tessera_domain::etag::IfMatch>,
    ) -> Result<()> {
        self.inner.delete_users(ids, if_match).await
    }
    async fn login_record(&self, u: &str) -> Result<Option<LoginRecord>> {
        self.inner.login_record(u).await
    }
    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>> {
        self.inner.auth_record(id).await
    }
    async fn record_login(&self, id: ObjectId) -> Result<()> {
        self.inner.record_login(id).await
    }
    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>> {
        self.inner.renew_secrets(ids).await
    }
    async fn revoke_token(&self, jti: String, exp: Option<i64>) -> Result<()> {
        self.inner.revoke_token(jti, exp).await
    }
    async fn is_token_revoked(&self, jti: &str) -> Result<bool> {
        self.inner.is_token_revoked(jti).await
    }
    async fn create_groups(&self, g: Vec<GroupRecord>) -> Result<Vec<Document>> {
        self.inner.create_groups(g).await
    }
    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        self.inner.get_group(id).await
    }
    async fn list_groups(
        &self,
        f: &GroupFilter,
        s: &[SortKey],
        p: Page,
        c: bool,
    ) -> Result<ListPage> {
        self.inner.list_groups(f, s, p, c).await
    }
    async fn update_group(&self, id: ObjectId, e: GroupEdit) -> Result<Option<Document>> {
        self.inner.update_group(id, e).await
    }
    async fn delete_groups(
        &self,
        ids: Vec<ObjectId>,
        if_match: Option<tessera_domain::etag::IfMatch>,
    ) -> Result<()> {
        self.inner.delete_groups(ids, if_match).await
    }
    async fn fetch_by_ids(
        &self,
        r: Resource,
        ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch_by_ids(r, ids).await
    }
    async fn fetch_referencing(
        &self,
        t: Resource,
        f: &'static str,
        p: Vec<ObjectId>,
        s: Vec<SortKey>,
        pg: Page,
        m: usize,
    ) -> Result<Vec<Referencing>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch_referencing(t, f, p, s, pg, m).await
    }
}

#[tokio::test]
async fn expand_costs_one_call_per_relation_per_level_whatever_the_page_size() {
    let (_dir, inner) = store().await;
    let role = role_id(&inner, "consumer").await;
    let groups = inner
        .create_groups(
            (0..5)
                .map(|i| {
                    tessera_domain::group::parse_group(json!({"name": format!("g{i}")})).unwrap()
                })
                .collect(),
        )
        .await
        .unwrap();
    let group_ids: Vec<String> = groups
        .iter()
        .map(|g| g["_id"].as_str().unwrap().to_owned())
        .collect();
    let users: Vec<UserRecord> = (0..60)
        .map(|i| user(json!({"email": format!("m{i}@x.example"), "groups": [group_ids[i % 5], group_ids[(i + 1) % 5]]}), role))
        .collect();
    inner.create_users(users).await.unwrap();
    let store = Arc::new(Counting {
        inner,
        fetches: AtomicUsize::new(0),
    });
    let tree = parse_expand("groups(limit:1),groups.users(limit:3),role").unwrap();

    for page_size in [5u64, 50] {
        let page = Page {
            skip: 0,
            limit: Some(page_size),
        };
        let raws = store
            .list_users(&UserFilter::default(), &[], page, false)
            .await
            .unwrap()
            .items;
        let mut lazy: Vec<LazyDoc> = raws.iter().map(|r| LazyDoc::parse(r).unwrap()).collect();
        store.fetches.store(0, Ordering::SeqCst);
        expand(store.as_ref(), Resource::User, &mut lazy, &tree)
            .await
            .unwrap();
        let docs: Vec<Value> = lazy
            .iter()
            .map(|d| serde_json::from_str(&d.to_json()).unwrap())
            .collect();
        // Level 1: groups (one fetch) and role (one fetch); level 2: users of all those groups (one).
        assert_eq!(
            store.fetches.load(Ordering::SeqCst),
            3,
            "page of {page_size}"
        );
        assert!(
            docs.iter().skip(1).all(|d| d["role"]["name"] == "consumer"),
            "the admin comes first"
        );
        assert!(
            docs.iter()
                .skip(1)
                .all(|d| d["groups"].as_array().unwrap().len() == 1)
        );
        assert!(
            docs.iter()
                .skip(1)
                .all(|d| d["groups"][0]["users"].as_array().unwrap().len() == 3)
        );
    }
}

/// A dashboard list takes one of two plans, by how many dashboards the caller may see (see
/// `sqlite::dashboards::list`). Both must give exactly the visible dashboards in the asked order,
/// page by page: checked for an owner of many, a member of a group shared many, and a user
/// shared few, against the order computed here.
#[tokio::test]
async fn dashboard_lists_are_the_same_whichever_plan_runs() {
    use tessera_domain::dashboard::{Actor, parse_dashboard};
    let (_dir, store) = store().await;
    let role = role_id(&store, "contributor").await;
    let group = store
        .create_groups(vec![
            tessera_domain::group::parse_group(json!({"name": "many"})).unwrap(),
        ])
        .await
        .unwrap()[0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = store
        .create_users(vec![
            user(json!({"email": "owner@x.example"}), role),
            user(
                json!({"email": "member@x.example", "groups": [group]}),
                role,
            ),
            user(json!({"email": "few@x.example"}), role),
        ])
        .await
        .unwrap();
    let ids: Vec<ObjectId> = users
        .iter()
        .map(|u| u["_id"].as_str().unwrap().parse().unwrap())
        .collect();
    let actor = |i: usize| Actor {
        id: ids[i],
        role_name: "contributor".into(),
        admin_access: false,
    };
    // 1,200 dashboards, titles in a scrambled order; the group gets 1,100 of them, "few" gets 30.
    let drafts: Vec<_> = (0..1200)
        .map(|i| {
            let mut shares = Vec::new();
            if i % 12 != 0 {
                shares.push(json!({"shareId": group, "type": "group", "rule": "view"}));
            }
            if i % 40 == 0 {
                shares.push(json!({"shareId": ids[2].to_string(), "type": "user", "rule": "view"}));
            }
            parse_dashboard(
                json!({"title": format!("t{:04}", (i * 7919) % 1200), "shares": shares}),
            )
            .unwrap()
        })
        .collect();
    let created = store
        .content()
        .create_dashboards(&actor(0), drafts)
        .await
        .unwrap();
    let visible = |who: usize| -> Vec<String> {
        let mut titles: Vec<String> = created
            .iter()
            .enumerate()
            .filter(|(i, _)| match who {
                0 => true,
                1 => i % 12 != 0,
                _ => i % 40 == 0,
            })
            .map(|(_, d)| d["title"].as_str().unwrap().to_owned())
            .collect();
        titles.sort();
        titles.reverse();
        titles
    };
    let sort = parse_sort("sort", "-title").unwrap();
    for who in 0..3 {
        let expected = visible(who);
        for (skip, limit) in [(0, 50), (40, 25), (expected.len() as u64 - 3, 10)] {
            let page = store
                .content()
                .list_dashboards(
                    &actor(who),
                    &DashboardFilter::default(),
                    &sort,
                    Page {
                        skip,
                        limit: Some(limit),
                    },
                    true,
                )
                .await
                .unwrap();
            let titles: Vec<String> = page
                .items
                .iter()
                .map(|raw| {
                    serde_json::from_str::<Value>(raw.get()).unwrap()["title"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            let want: Vec<String> = expected
                .iter()
                .skip(skip as usize)
                .take(limit as usize)
                .cloned()
                .collect();
            assert_eq!(titles, want, "caller {who}, skip {skip}, limit {limit}");
            assert_eq!(page.total, Some(expected.len() as u64), "caller {who}");
        }
    }
}
