//! Fills a data directory with a reproducible population for the benchmarks: the built-in
//! roles and groups and the administrator (as a first start makes them), then `--groups` groups
//! and `--users` users, each in 1 to 5 random groups, with names drawn from a fixed seed. With
//! `--dashboards N`, also N dashboards owned by the administrator, each shared (view) with 1 to 3
//! random groups, and a viewer `viewer@bench.example` (the administrator's password) in 5 random
//! groups, who therefore sees a few hundred of them. With `--revoked-tokens N`, N logged-out
//! tokens that expire in 30 days, as N logouts would leave them.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    reason = "a command-line tool whose output is its progress and results, over data it made \
              valid itself"
)]

use std::path::PathBuf;

use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tessera_domain::dashboard::{Actor, parse_dashboard};
use tessera_domain::group::parse_group;
use tessera_domain::user::parse_user;
use tessera_server::config::{HashCost, Secret, Settings};
use tessera_server::password::Passwords;
use tessera_store::sqlite::SqliteStore;
use tessera_store::{DashboardStore, GroupStore, RoleStore, TokenStore, UserRecord, UserStore};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    users: usize,
    #[arg(long, default_value_t = 1000)]
    groups: usize,
    #[arg(long, default_value = "Bench-passw0rd")]
    admin_password: String,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 0)]
    dashboards: usize,
    #[arg(long, default_value_t = 0)]
    revoked_tokens: usize,
}

/// Users written per transaction.
const BATCH: usize = 5000;

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Donald",
    "Edsger",
    "Frances",
    "Grace",
    "Hedy",
    "John",
    "Katherine",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Tim",
];
const LAST: &[&str] = &[
    "Hopper", "Turing", "Liskov", "Shannon", "Knuth", "Dijkstra", "Allen", "Lamarr", "Backus",
    "Johnson", "Torvalds", "Hamilton", "Wirth", "Perlman", "Lee", "Ritchie",
];

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let store = SqliteStore::open(&args.data_dir).await.map_err(|e| e.to_string())?;
    let mut settings = Settings::new("127.0.0.1:0".parse().unwrap(), args.data_dir.clone());
    settings.admin_password = Some(Secret::new(args.admin_password.clone()));
    let passwords = Passwords::new(HashCost::default()).map_err(|e| e.to_string())?;
    tessera_server::bootstrap::initialize(&store, &settings, &passwords)
        .await
        .map_err(|e| e.to_string())?;

    let mut rng = StdRng::seed_from_u64(args.seed);
    let groups = (0..args.groups)
        .map(|i| {
            parse_group(
                json!({"name": format!("group-{i:05}"), "mail": format!("g{i}@bench.example")}),
            )
            .unwrap()
        })
        .collect();
    let groups = store.create_groups(groups).await.map_err(|e| e.to_string())?;
    let group_ids: Vec<String> =
        groups.iter().map(|g| g["_id"].as_str().unwrap().to_owned()).collect();
    let role = store.find_role("consumer").await.map_err(|e| e.to_string())?.unwrap()["_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let mut done = 0;
    while done < args.users {
        let n = BATCH.min(args.users - done);
        let batch: Vec<UserRecord> = (done..done + n)
            .map(|i| {
                let k = rng.random_range(1..=5).min(group_ids.len());
                let mut mine: Vec<&String> = Vec::with_capacity(k);
                while mine.len() < k {
                    let g = &group_ids[rng.random_range(0..group_ids.len())];
                    if !mine.contains(&g) {
                        mine.push(g);
                    }
                }
                let first = FIRST[rng.random_range(0..FIRST.len())];
                let last = format!(
                    "{}{}",
                    LAST[rng.random_range(0..LAST.len())],
                    rng.random_range(0..1000)
                );
                let doc = json!({
                    "email": format!("user{i:07}@bench.example"),
                    "userName": format!("user{i:07}"),
                    "firstName": first,
                    "lastName": last,
                    "groups": mine,
                    "preferences": {"localeId": "en-US"},
                });
                UserRecord::from_draft(parse_user(doc, role).unwrap(), None)
            })
            .collect();
        store.create_users(batch).await.map_err(|e| e.to_string())?;
        done += n;
        eprint!("\r{done}/{} users", args.users);
    }
    eprintln!();
    if args.dashboards > 0 {
        dashboards(&store, &passwords, &args, &group_ids, role, &mut rng).await?;
    }
    if args.revoked_tokens > 0 {
        revoked_tokens(&store, args.revoked_tokens, &mut rng).await?;
    }
    Ok(())
}

/// `n` logged-out tokens: random `jti`s (as the server makes them), 30 days to expiry.
async fn revoked_tokens(store: &SqliteStore, n: usize, rng: &mut StdRng) -> Result<(), String> {
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        + 30 * 24 * 3600;
    let mut done = 0;
    while done < n {
        let batch: Vec<(String, Option<i64>)> = (0..100_000.min(n - done))
            .map(|_| (format!("{:032x}", rng.random::<u128>()), Some(expires as i64)))
            .collect();
        done += batch.len();
        store.revoke_tokens(batch).await.map_err(|e| e.to_string())?;
        eprint!("\r{done}/{n} revoked tokens");
    }
    eprintln!();
    Ok(())
}

/// The content population: dashboards shared with groups, and a viewer to read them.
async fn dashboards(
    store: &SqliteStore, passwords: &Passwords, args: &Args, group_ids: &[String],
    viewer_role: tessera_domain::ObjectId, rng: &mut StdRng,
) -> Result<(), String> {
    let pick = |rng: &mut StdRng, k: usize| -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(k);
        while out.len() < k.min(group_ids.len()) {
            let g = &group_ids[rng.random_range(0..group_ids.len())];
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        out
    };
    let mut viewer = parse_user(
        json!({"email": "viewer@bench.example", "password": args.admin_password, "groups": pick(rng, 5)}),
        viewer_role,
    )
    .map_err(|e| e.to_string())?;
    let hash = match viewer.password.take() {
        Some(p) => Some(passwords.hash(p).await.map_err(|e| e.to_string())?),
        None => None,
    };
    store
        .create_users(vec![UserRecord::from_draft(viewer, hash)])
        .await
        .map_err(|e| e.to_string())?;
    let admin = store
        .login_record("admin@example.com")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no administrator")?;
    let actor = Actor { id: admin.id, role_name: "super".into(), admin_access: false };
    let mut done = 0;
    while done < args.dashboards {
        let n = 1000.min(args.dashboards - done);
        let drafts = (done..done + n)
            .map(|i| {
                let k = rng.random_range(1..=3);
                let shares: Vec<_> = pick(rng, k)
                    .into_iter()
                    .map(|g| json!({"shareId": g, "type": "group", "rule": "view"}))
                    .collect();
                parse_dashboard(json!({
                    "title": format!("dash-{i:06}"),
                    "datasource": {"title": "Sample ECommerce", "address": "LocalHost"},
                    "layout": {"type": "columnar", "columns": []},
                    "shares": shares,
                }))
                .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        store.create_dashboards(&actor, drafts).await.map_err(|e| e.to_string())?;
        done += n;
        eprint!("\r{done}/{} dashboards", args.dashboards);
    }
    eprintln!();
    Ok(())
}
