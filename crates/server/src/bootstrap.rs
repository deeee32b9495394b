//! First start: an empty store gets its built-in roles and groups and a first administrator.

use tessera_domain::first_start;
use tessera_domain::user::{Password, parse_user};
use tessera_store::Store;

use crate::config::Settings;
use crate::error::StartupError;
use crate::password::Passwords;

/// Length of a generated administrator password.
const GENERATED_PASSWORD_LEN: usize = 24;

/// Initialises an empty store; on an initialised one it changes nothing. Returns the generated
/// administrator password when one was made, so that the caller can show it once.
pub async fn initialize(
    store: &dyn Store, settings: &Settings, passwords: &Passwords,
) -> Result<Option<String>, StartupError> {
    let (password, generated) = match &settings.admin_password {
        Some(p) => (p.expose().to_owned(), false),
        None => (generate_password(), true),
    };
    // Validate e-mail and password with the same rules as any user, before touching the store.
    let role = tessera_domain::ObjectId::generate();
    let draft =
        parse_user(serde_json::json!({"email": settings.admin_email, "password": password}), role)
            .map_err(StartupError::FirstAdmin)?;
    let password: Password = draft.password.expect("password was given");
    let password_hash = passwords.hash(password.clone()).await?;
    let plan = first_start::plan(&draft.email, password_hash, rand::random::<[u8; 32]>().to_vec())
        .map_err(StartupError::FirstAdmin)?;
    let seeded = store.initialize(plan).await?;
    Ok((seeded && generated).then(|| password.expose().to_owned()))
}

pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_LEN)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
