//! `tessera admin`: what an operator does to a stopped server's data directory, such as giving a
//! locked-out administrator a new password. It takes the data directory's lock, so it refuses
//! while a server runs there. A new password comes from `TESSERA_NEW_PASSWORD` (never a flag,
//! which `ps` would show), or is generated and printed once.

use std::path::PathBuf;

use serde_json::{Value, json};
use tessera_domain::user::{UserDraft, parse_user, take_password};
use tessera_domain::{Document, ObjectId};
use tessera_store::sqlite::SqliteStore;
use tessera_store::{RoleStore, SettingsStore, UserRecord, UserStore};

use crate::config::{AdminAction, AdminArgs, BackupArgs, DEFAULT_DATA_DIR, HashCost};
use crate::error::StartupError;
use crate::password::Passwords;

pub async fn run(args: AdminArgs) -> Result<(), StartupError> {
    let dir = args.data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let _lock = crate::datadir::lock(&dir)?;
    let store = SqliteStore::open(&dir)
        .await
        .map_err(|source| StartupError::OpenStore { dir: dir.clone(), source })?;
    store.check_ready().await.map_err(|e| {
        StartupError::Admin(format!("{} holds no Tessera data: {e}", dir.display()))
    })?;
    let (password, generated) = match std::env::var("TESSERA_NEW_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (crate::bootstrap::generate_password(), true),
    };
    let passwords = Passwords::new(HashCost::default())?;
    let (email, what) = match args.action {
        AdminAction::ResetPassword { email } => {
            let (id, _) = store.find_user(&email).await?.ok_or_else(|| {
                StartupError::Admin(format!("no user '{email}' in {}", dir.display()))
            })?;
            let hash = hash(&passwords, &password).await?;
            let default_role = role(&store, tessera_domain::role::CONSUMER).await?;
            let edit = move |current: Document| {
                let draft = parse_user(Value::Object(current), default_role)?;
                Ok(UserRecord::from_draft(draft, Some(hash)))
            };
            store.update_user(id, Box::new(edit)).await?;
            (email, "has a new password")
        }
        AdminAction::CreateUser { email, role: name } => {
            let role_id = role(&store, &name).await?;
            let draft = user(json!({"email": email, "roleId": role_id.to_string()}), role_id)?;
            let hash = hash(&passwords, &password).await?;
            store.create_users(vec![UserRecord::from_draft(draft, Some(hash))]).await?;
            (email, "is created")
        }
    };
    show(&email, what, generated.then_some(password.as_str()));
    Ok(())
}

/// A valid user document, or what is wrong with it.
fn user(doc: Value, role: ObjectId) -> Result<UserDraft, StartupError> {
    parse_user(doc, role).map_err(|e| StartupError::Admin(format!("invalid user: {e}")))
}

/// Hashes a new password after checking it as any user's password is checked.
async fn hash(passwords: &Passwords, password: &str) -> Result<String, StartupError> {
    let mut doc = Document::new();
    doc.insert("password".into(), Value::String(password.to_owned()));
    let password = take_password(&mut doc)
        .map_err(|e| StartupError::Admin(format!("TESSERA_NEW_PASSWORD: {e}")))?
        .ok_or_else(|| StartupError::Admin("no password".into()))?;
    Ok(passwords.hash(password).await?)
}

async fn role(store: &SqliteStore, name: &str) -> Result<ObjectId, StartupError> {
    store
        .find_role(name)
        .await?
        .and_then(|r| r.get("_id").and_then(Value::as_str).and_then(|s| s.parse().ok()))
        .ok_or_else(|| StartupError::Admin(format!("no role '{name}'")))
}

/// What was done, and a generated password, on the operator's console only (never logged).
#[expect(
    clippy::print_stdout,
    reason = "the command's own answer, and a secret meant for the operator's eyes"
)]
fn show(email: &str, what: &str, generated: Option<&str>) {
    println!("{email} {what}.");
    if let Some(password) = generated {
        println!("\nIts password:\n\n    {password}\n\nKeep it now; it will not be shown again.");
    }
}

/// `tessera backup --to FILE`: a consistent copy of the database, taken while a server serves
/// (it takes no lock of the data directory). To restore: stop the server, put the file in the
/// data directory as `tessera.sqlite3` (and remove any `tessera.sqlite3-wal` and `-shm` beside
/// it), start the server.
#[expect(clippy::print_stdout, reason = "the command's own answer")]
pub fn backup(args: BackupArgs) -> Result<(), StartupError> {
    let dir = args.data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    tessera_store::sqlite::backup(&dir, &args.to)?;
    println!(
        "backed up {} to {}.",
        dir.join(tessera_store::sqlite::DATABASE_FILE).display(),
        args.to.display()
    );
    Ok(())
}
