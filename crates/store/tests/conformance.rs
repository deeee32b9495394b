//! The store conformance suite: what every engine must do, written once against `dyn Store`
//! and run for each engine by `engines!` at the bottom (today SQLite; a second engine adds one
//! line there and runs the same tests unchanged). Lists must be exactly the query language's
//! reference order and page, expand must cost a fixed number of calls per level, dashboard lists
//! must agree whichever plan runs, keys must resolve as API 0.9 resolves them, and a first start
//! must write its plan once.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a test binary: a failed unwrap is a failed test, output is the test's own, and its\n              numbers are small"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use proptest::prelude::*;
use serde_json::{Value, json};
use tessera_domain::ResourceKind;
use tessera_domain::lazy::{LazyDoc, RawDoc};
use tessera_domain::query::{Page, SortKey, parse_expand, parse_sort, sort_documents};
use tessera_domain::user::parse_user;
use tessera_domain::{Document, ObjectId};
use tessera_store::postgres::PostgresStore;
use tessera_store::postgres::scratch::ScratchDatabase;
use tessera_store::sqlite::SqliteStore;
use tessera_store::*;

/// An engine under test, initialised with the first start's plan, and whatever keeps its
/// storage alive (a temporary directory, a database to drop).
pub struct Engine {
    store: Arc<dyn Store>,
    _keep: Box<dyn std::any::Any + Send>,
}

fn first_start() -> tessera_domain::first_start::FirstStart {
    tessera_domain::first_start::plan("admin@example.com", "$x".into(), vec![7; 32]).unwrap()
}

async fn sqlite() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    assert!(store.initialize(first_start()).await.unwrap());
    Engine { store: Arc::new(store), _keep: Box::new(dir) }
}

/// PostgreSQL, in a database of its own on the local server, dropped after the test.
async fn postgres() -> Engine {
    let db = ScratchDatabase::create().await.unwrap();
    let store = PostgresStore::open(db.url()).await.unwrap();
    assert!(store.initialize(first_start()).await.unwrap());
    Engine { store: Arc::new(store), _keep: Box::new(db) }
}

async fn role_id(store: &dyn Store, name: &str) -> ObjectId {
    store.find_role(name).await.unwrap().unwrap()["_id"].as_str().unwrap().parse().unwrap()
}

fn user(doc: Value, role: ObjectId) -> UserRecord {
    UserRecord::from_draft(parse_user(doc, role).unwrap(), None)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
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

/// For random documents and random sort/skip/limit: the store's page is exactly the slice of
/// the reference-sorted whole, and the count is the whole.
async fn list_equals_the_reference_slice(
    engine: Engine, rows: Vec<(Option<Value>, Option<Value>, Option<Value>)>, sort: String,
    skip: u64, limit: Option<u64>,
) -> std::result::Result<(), TestCaseError> {
    let store = engine.store.as_ref();
    let role = role_id(store, "consumer").await;
    let records: Vec<UserRecord> = rows
        .iter()
        .enumerate()
        .map(|(i, (a, b, c))| {
            let mut doc = json!({"email": format!("u{i:02}@x.example")});
            let map = doc.as_object_mut().unwrap();
            if let Some(a) = a {
                map.insert("a".into(), a.clone());
            }
            if let Some(b) = b {
                map.insert("b".into(), b.clone());
            }
            if let Some(c) = c {
                map.insert("nested".into(), json!({"c": c}));
            }
            user(doc, role)
        })
        .collect();
    store.create_users(records).await.unwrap();

    let keys: Vec<SortKey> = parse_sort("sort", &sort).unwrap();
    let page = Page { skip, limit };
    let got = store
        .list_users(ListRequest {
            filter: UserFilter::default(),
            sort: keys.clone(),
            page,
            count: true,
        })
        .await
        .unwrap();

    let mut all: Vec<Document> = store
        .list_users(ListRequest::all(UserFilter::default()))
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| serde_json::from_str(r.get()).unwrap())
        .collect();
    prop_assert_eq!(got.total, Some(all.len() as u64));
    sort_documents(&mut all, &keys);
    let expected: Vec<Document> = all
        .into_iter()
        .skip(skip as usize)
        .take(limit.map_or(usize::MAX, |l| l as usize))
        .collect();
    let ids = |docs: &[Document]| {
        docs.iter().map(|d| d["_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let got: Vec<Document> =
        got.items.iter().map(|r| serde_json::from_str(r.get()).unwrap()).collect();
    prop_assert_eq!(ids(&got), ids(&expected), "sort={}", sort);
    Ok(())
}

/// Counts the batched calls that expand makes; it needs nothing but the relations.
struct Counting {
    inner: Arc<dyn Store>,
    fetches: AtomicUsize,
}

#[async_trait]
impl RelationStore for Counting {
    async fn fetch_by_ids(
        &self, r: ResourceKind, ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch_by_ids(r, ids).await
    }
    async fn fetch_referencing(
        &self, t: ResourceKind, f: &'static str, p: Vec<ObjectId>, s: Vec<SortKey>, pg: Page,
        m: usize,
    ) -> Result<Vec<Referencing>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch_referencing(t, f, p, s, pg, m).await
    }
}

async fn expand_costs_one_call_per_relation_per_level_whatever_the_page_size(engine: Engine) {
    let inner = engine.store.clone();
    let role = role_id(inner.as_ref(), "consumer").await;
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
    let group_ids: Vec<String> =
        groups.iter().map(|g| g["_id"].as_str().unwrap().to_owned()).collect();
    let users: Vec<UserRecord> = (0..60)
        .map(|i| user(json!({"email": format!("m{i}@x.example"), "groups": [group_ids[i % 5], group_ids[(i + 1) % 5]]}), role))
        .collect();
    inner.create_users(users).await.unwrap();
    let store = Arc::new(Counting { inner: inner.clone(), fetches: AtomicUsize::new(0) });
    let tree = parse_expand("groups(limit:1),groups.users(limit:3),role").unwrap();

    for page_size in [5u64, 50] {
        let page = Page { skip: 0, limit: Some(page_size) };
        let raws = inner
            .list_users(ListRequest { page, ..ListRequest::all(UserFilter::default()) })
            .await
            .unwrap()
            .items;
        let mut lazy: Vec<LazyDoc> = raws.iter().map(|r| LazyDoc::parse(r).unwrap()).collect();
        store.fetches.store(0, Ordering::SeqCst);
        expand(store.as_ref(), ResourceKind::User, &mut lazy, &tree).await.unwrap();
        let docs: Vec<Value> =
            lazy.iter().map(|d| serde_json::from_str(&d.to_json()).unwrap()).collect();
        // Level 1: groups (one fetch) and role (one fetch); level 2: users of all those groups (one).
        assert_eq!(store.fetches.load(Ordering::SeqCst), 3, "page of {page_size}");
        assert!(
            docs.iter().skip(1).all(|d| d["role"]["name"] == "consumer"),
            "the admin comes first"
        );
        assert!(docs.iter().skip(1).all(|d| d["groups"].as_array().unwrap().len() == 1));
        assert!(
            docs.iter().skip(1).all(|d| d["groups"][0]["users"].as_array().unwrap().len() == 3)
        );
    }
}

/// A dashboard list takes one of two plans, by how many dashboards the caller may see (see
/// `sqlite::dashboards::list`). Both must give exactly the visible dashboards in the asked order,
/// page by page: checked for an owner of many, a member of a group shared many, and a user
/// shared few, against the order computed here.
async fn dashboard_lists_are_the_same_whichever_plan_runs(engine: Engine) {
    use tessera_domain::dashboard::{Actor, parse_dashboard};
    let store = engine.store.as_ref();
    let role = role_id(store, "contributor").await;
    let group = store
        .create_groups(vec![tessera_domain::group::parse_group(json!({"name": "many"})).unwrap()])
        .await
        .unwrap()[0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = store
        .create_users(vec![
            user(json!({"email": "owner@x.example"}), role),
            user(json!({"email": "member@x.example", "groups": [group]}), role),
            user(json!({"email": "few@x.example"}), role),
        ])
        .await
        .unwrap();
    let ids: Vec<ObjectId> =
        users.iter().map(|u| u["_id"].as_str().unwrap().parse().unwrap()).collect();
    let actor =
        |i: usize| Actor { id: ids[i], role_name: "contributor".into(), admin_access: false };
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
    let created = store.create_dashboards(&actor(0), drafts).await.unwrap();
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
                .list_dashboards(
                    &actor(who),
                    ListRequest {
                        filter: DashboardFilter::default(),
                        sort: sort.clone(),
                        page: Page { skip, limit: Some(limit) },
                        count: true,
                    },
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
            let want: Vec<String> =
                expected.iter().skip(skip as usize).take(limit as usize).cloned().collect();
            assert_eq!(titles, want, "caller {who}, skip {skip}, limit {limit}");
            assert_eq!(page.total, Some(expected.len() as u64), "caller {who}");
        }
    }
}

/// API 0.9 names users by id, user name or e-mail, and groups by id or name: one call finds
/// each, a user name winning over another user's equal e-mail address.
async fn keys_resolve_as_api_09_names_them(engine: Engine) {
    let store = engine.store.as_ref();
    let role = role_id(store, "consumer").await;
    let created = store
        .create_users(vec![
            user(json!({"email": "jane@x.example", "userName": "Jane"}), role),
            user(json!({"email": "b@x.example", "userName": "jane@x.example"}), role),
        ])
        .await
        .unwrap();
    let id = |doc: &Document| doc["_id"].as_str().unwrap().parse::<ObjectId>().unwrap();
    let (jane, other) = (id(&created[0]), id(&created[1]));
    for key in [jane.to_string(), "JANE".into()] {
        let (found, doc) = store.find_user(&key).await.unwrap().expect(&key);
        assert_eq!(found, jane, "{key}");
        assert!(doc.get().contains("\"Jane\""), "{key}");
    }
    // Another user's user name wins over Jane's e-mail address.
    for key in ["jane@x.example", "B@x.example"] {
        assert_eq!(store.find_user(key).await.unwrap().unwrap().0, other, "{key}");
    }
    assert!(store.find_user("nobody").await.unwrap().is_none());

    let group = store
        .create_groups(vec![
            tessera_domain::group::parse_group(json!({"name": "Sales Team"})).unwrap(),
        ])
        .await
        .unwrap();
    let group = id(&group[0]);
    for key in [group.to_string(), "sales team".into(), "SALES TEAM".into()] {
        assert_eq!(store.find_group(&key).await.unwrap().unwrap().0, group, "{key}");
    }
    assert!(store.find_group("Sales").await.unwrap().is_none());
}

/// The first start writes the domain's plan, once: its roles, groups and administrator, and
/// its signing key; a second start changes nothing.
async fn the_first_start_writes_its_plan_once(engine: Engine) {
    let store = engine.store.as_ref();
    let roles = store.list_roles().await.unwrap();
    assert_eq!(
        roles.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(),
        tessera_domain::role::BUILTIN_ROLES.iter().map(|r| r.name).collect::<Vec<_>>()
    );
    let (admin_id, admin) = store.find_user("admin@example.com").await.unwrap().unwrap();
    let admin: Value = serde_json::from_str(admin.get()).unwrap();
    let (admins_id, _) = store.find_group("Admins").await.unwrap().unwrap();
    assert_eq!(admin["groups"], json!([admins_id.to_string()]));
    assert_eq!(admin["roleId"], json!(role_id(store, "super").await.to_string()));
    assert_eq!(store.signing_key().await.unwrap(), vec![7; 32]);
    store.check_ready().await.unwrap();

    let again =
        tessera_domain::first_start::plan("other@example.com", "$y".into(), vec![9; 32]).unwrap();
    assert!(!store.initialize(again).await.unwrap());
    assert_eq!(store.signing_key().await.unwrap(), vec![7; 32]);
    assert!(store.find_user("other@example.com").await.unwrap().is_none());
    assert_eq!(store.find_user("admin@example.com").await.unwrap().unwrap().0, admin_id);
}

/// Feature switches start off, change inside one transaction, and a refused edit changes
/// nothing; the other server-wide documents are absent until written.
/// Attempts counted in windows: parallel attempts on one key pass exactly up to its limit (the
/// check and the count are one step), a refused attempt says how long to wait, several keys
/// are taken together or not at all, and forgetting or giving back frees attempts again.
async fn attempts_are_counted_and_checked_together(engine: Engine) {
    let store = engine.store.clone();
    let window = std::time::Duration::from_secs(600);
    let key = |name: &str, limit| Counted { key: name.into(), limit, window };
    let tries: Vec<_> = (0..20)
        .map(|_| {
            let (store, k) = (store.clone(), key("account", 5));
            tokio::spawn(async move { store.take_attempts(vec![k]).await.unwrap() })
        })
        .collect();
    let mut passed = 0;
    for t in tries {
        match t.await.unwrap() {
            Ok(()) => passed += 1,
            Err(wait) => assert!(wait > window / 2 && wait <= window, "{wait:?}"),
        }
    }
    assert_eq!(passed, 5);
    assert!(store.attempts_blocked(key("account", 5)).await.unwrap().is_some());
    assert!(store.attempts_blocked(key("account", 6)).await.unwrap().is_none());

    // All or none: the full key refuses the pair, and the other key is not counted.
    let pair = vec![key("address", 2), key("account", 5)];
    assert!(store.take_attempts(pair).await.unwrap().is_err());
    for _ in 0..2 {
        assert_eq!(store.take_attempts(vec![key("address", 2)]).await.unwrap(), Ok(()));
    }
    assert!(store.take_attempts(vec![key("address", 2)]).await.unwrap().is_err());

    store.give_back_attempt("address".into()).await.unwrap();
    assert_eq!(store.take_attempts(vec![key("address", 2)]).await.unwrap(), Ok(()));
    store.forget_attempts("account".into()).await.unwrap();
    assert!(store.attempts_blocked(key("account", 5)).await.unwrap().is_none());
    assert_eq!(store.take_attempts(vec![key("account", 1)]).await.unwrap(), Ok(()));
}

async fn server_settings_start_at_their_defaults_and_keep_what_was_set(engine: Engine) {
    use tessera_domain::features::Features;
    let store = engine.store.as_ref();
    assert_eq!(store.features().await.unwrap(), Features::default());
    let on = json!({"userProfile": {"apiToken": true}});
    let changed = store.update_features(Box::new(move |f| f.patched(&on))).await.unwrap();
    assert!(changed.user_profile.api_token);
    assert_eq!(store.features().await.unwrap(), changed);
    let bad = json!({"userProfile": {"apiToken": 1}});
    assert!(store.update_features(Box::new(move |f| f.patched(&bad))).await.is_err());
    assert_eq!(store.features().await.unwrap(), changed);

    // The other server-wide documents: absent until written, then what was written.
    use tessera_store::Setting;
    assert_eq!(store.setting(Setting::Branding).await.unwrap(), None);
    let brand = json!({"title": "Acme"});
    let kept = brand.clone();
    store.update_setting(Setting::Branding, Box::new(move |_| Ok(kept))).await.unwrap();
    assert_eq!(store.setting(Setting::Branding).await.unwrap(), Some(brand));
    assert_eq!(store.setting(Setting::BloxActions).await.unwrap(), None);

    // One tenant, named on every user and group.
    let tenant = store.system_tenant().await.unwrap();
    assert_eq!(tenant.len(), 24, "{tenant}");
    let (_, admin) = store.find_user("admin@example.com").await.unwrap().unwrap();
    let admin: Value = serde_json::from_str(admin.get()).unwrap();
    assert_eq!(admin["tenantId"], json!(tenant));
    let (_, admins) = store.find_group("Admins").await.unwrap().unwrap();
    let admins: Value = serde_json::from_str(admins.get()).unwrap();
    assert_eq!(admins["tenantId"], json!(tenant));
}

/// A count (`Prefer: count=exact`) is the number of users the same filter lists, after every
/// kind of write: single and bulk creates, a bulk create refused whole, a change of role, single
/// and bulk deletes, a bulk delete refused whole. Engines may keep counts rather than count rows;
/// this is what keeps them honest.
async fn counts_equal_the_rows_after_every_kind_of_write(engine: Engine) {
    let store = engine.store.as_ref();
    let (viewer, designer) =
        (role_id(store, "consumer").await, role_id(store, "dataDesigner").await);
    let check = |when: &'static str| async move {
        for role in [None, Some(viewer), Some(designer)] {
            let filter = || UserFilter { role_id: role, ..UserFilter::default() };
            let all = store.list_users(ListRequest::all(filter())).await.unwrap().items.len();
            let page = ListRequest {
                page: Page { skip: 0, limit: Some(1) },
                count: true,
                ..ListRequest::all(filter())
            };
            let total = store.list_users(page).await.unwrap().total;
            assert_eq!(total, Some(all as u64), "{when}, role {role:?}");
            // A sorted page is the slice of the sorted whole, whichever index the engine walks.
            let sort = parse_sort("sort", "email").unwrap();
            let sorted = ListRequest { sort: sort.clone(), ..ListRequest::all(filter()) };
            let whole = store.list_users(sorted).await.unwrap().items;
            let page = Page { skip: 1, limit: Some(2) };
            let sorted_page = ListRequest { sort, page, ..ListRequest::all(filter()) };
            let items = store.list_users(sorted_page).await.unwrap().items;
            let expected: Vec<_> = whole.iter().skip(1).take(2).map(|d| d.get()).collect();
            assert_eq!(items.iter().map(|d| d.get()).collect::<Vec<_>>(), expected, "{when}");
        }
    };
    check("at the start").await;
    let one = store.create_users(vec![user(json!({"email": "c1@x.io"}), viewer)]).await.unwrap();
    check("after a create").await;
    let bulk: Vec<UserRecord> =
        (0..5).map(|i| user(json!({"email": format!("b{i}@x.io")}), designer)).collect();
    let bulk = store.create_users(bulk).await.unwrap();
    check("after a bulk create").await;
    let refused =
        vec![user(json!({"email": "new@x.io"}), viewer), user(json!({"email": "c1@x.io"}), viewer)];
    assert!(store.create_users(refused).await.is_err());
    check("after a refused bulk create").await;
    let id_of = |d: &Document| d["_id"].as_str().unwrap().parse::<ObjectId>().unwrap();
    let moved = id_of(&bulk[0]);
    let edit: UserEdit = Box::new(move |doc| {
        let mut doc = doc;
        doc.insert("roleId".into(), json!(viewer.to_string()));
        Ok(user(Value::Object(doc), viewer))
    });
    store.update_user(moved, edit).await.unwrap();
    check("after a change of role").await;
    store.delete_users(vec![id_of(&one[0])], None).await.unwrap();
    check("after a delete").await;
    let refused = vec![id_of(&bulk[1]), ObjectId::generate()];
    assert!(store.delete_users(refused, None).await.is_err());
    check("after a refused bulk delete").await;
    store.delete_users(bulk[1..].iter().map(id_of).collect(), None).await.unwrap();
    check("after a bulk delete").await;
}

/// Runs the whole suite against each engine: `name => async fn opening a fresh Engine`.
macro_rules! engines {
    ($($name:ident => $open:path),* $(,)?) => {$(
        mod $name {
            use super::*;

            proptest! {
                #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

                #[test]
                fn list_equals_the_reference_slice(
                    rows in extra_fields(),
                    sort in sort_text(),
                    skip in 0u64..30,
                    limit in proptest::option::of(0u64..30),
                ) {
                    runtime().block_on(async {
                        super::list_equals_the_reference_slice($open().await, rows, sort, skip, limit).await
                    })?;
                }
            }

            #[tokio::test]
            async fn expand_costs_one_call_per_relation_per_level_whatever_the_page_size() {
                super::expand_costs_one_call_per_relation_per_level_whatever_the_page_size($open().await).await;
            }

            #[tokio::test]
            async fn dashboard_lists_are_the_same_whichever_plan_runs() {
                super::dashboard_lists_are_the_same_whichever_plan_runs($open().await).await;
            }

            #[tokio::test]
            async fn keys_resolve_as_api_09_names_them() {
                super::keys_resolve_as_api_09_names_them($open().await).await;
            }

            #[tokio::test]
            async fn the_first_start_writes_its_plan_once() {
                super::the_first_start_writes_its_plan_once($open().await).await;
            }

            #[tokio::test]
            async fn counts_equal_the_rows_after_every_kind_of_write() {
                super::counts_equal_the_rows_after_every_kind_of_write($open().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn attempts_are_counted_and_checked_together() {
                super::attempts_are_counted_and_checked_together($open().await).await;
            }

            #[tokio::test]
            async fn server_settings_start_at_their_defaults_and_keep_what_was_set() {
                super::server_settings_start_at_their_defaults_and_keep_what_was_set($open().await).await;
            }
        }
    )*};
}

engines!(sqlite => super::sqlite, postgres => super::postgres);
