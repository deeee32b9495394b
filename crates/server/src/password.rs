//! Password hashing with Argon2id, off the async workers and bounded, so a burst of logins or
//! bulk creates cannot starve the requests that need no hashing.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use tessera_domain::user::Password;
use tokio::sync::Semaphore;

use crate::config::HashCost;
use crate::error::{ConfigError, HashError, StartupError};

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// One permit per core: more hashes at once would only queue for the CPU.
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified when the user does not exist, so that an
    /// unknown user name costs as much time as a wrong password.
    decoy: Arc<str>,
}

impl Passwords {
    pub fn new(cost: HashCost) -> Result<Self, StartupError> {
        let params = Params::new(cost.memory_kib, cost.iterations, 1, None).map_err(|e| {
            ConfigError::HashCost {
                memory_kib: cost.memory_kib,
                iterations: cost.iterations,
                reason: e.to_string(),
            }
        })?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let decoy: [u8; 16] = rand::random();
        let decoy = hash_blocking(&params, &decoy)?;
        Ok(Passwords { params, permits: Arc::new(Semaphore::new(cores)), decoy: decoy.into() })
    }

    /// The PHC string (`$argon2id$v=19$...`) of a new password.
    pub async fn hash(&self, password: Password) -> Result<String, HashError> {
        let params = self.params.clone();
        self.blocking(move || hash_blocking(&params, password.expose().as_bytes())).await?
    }

    /// Whether `password` matches `hash`. With no hash (unknown user, or a user without a
    /// password) it still does the work of one verification, then answers `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let decoy = self.decoy.clone();
        self.blocking(move || {
            let ok = verify_blocking(&password, hash.as_deref().unwrap_or(&decoy));
            ok && hash.is_some()
        })
        .await
        .unwrap_or(false)
    }

    /// Whether `hash` was made under another algorithm or cost than the configured one. Such a
    /// hash is replaced at the user's next sign-in, so that a changed cost reaches every account
    /// that signs in, and a known user's failed login costs what an unknown one's does.
    pub fn is_outdated(&self, hash: &str) -> bool {
        let Ok(phc) = PasswordHash::new(hash) else { return true };
        let same_cost = Params::try_from(&phc).is_ok_and(|p| {
            (p.m_cost(), p.t_cost(), p.p_cost())
                == (self.params.m_cost(), self.params.t_cost(), self.params.p_cost())
        });
        phc.algorithm.as_str() != Algorithm::Argon2id.as_str() || !same_cost
    }

    /// The hash of a password already verified at sign-in (it passed the rules when it was set).
    pub async fn rehash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.blocking(move || hash_blocking(&params, password.as_bytes())).await?
    }

    async fn blocking<T: Send + 'static>(
        &self, f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(f).await.map_err(|e| HashError::Task(e.to_string()))
    }
}

fn hash_blocking(params: &Params, password: &[u8]) -> Result<String, HashError> {
    Argon2::from(params)
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    // Verification uses the cost recorded in the hash, so raising the cost keeps old hashes valid.
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cheap() -> Passwords {
        Passwords::new(HashCost { memory_kib: 64, iterations: 1 }).unwrap()
    }

    fn password(s: &str) -> Password {
        let doc = json!({"email": "a@b.c", "password": s});
        let role = "5f0000000000000000000001".parse().unwrap();
        tessera_domain::user::parse_user(doc, role).unwrap().password.unwrap()
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let p = cheap();
        let hash = p.hash(password("correct horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(p.verify("correct horse".into(), Some(hash.clone())).await);
        assert!(!p.verify("wrong horse".into(), Some(hash)).await);
    }

    #[tokio::test]
    async fn no_hash_never_verifies() {
        let p = cheap();
        assert!(!p.verify("anything at all".into(), None).await);
    }

    #[tokio::test]
    async fn only_a_hash_of_another_cost_is_outdated() {
        let p = cheap();
        let other = Passwords::new(HashCost { memory_kib: 128, iterations: 2 }).unwrap();
        let own = p.hash(password("correct horse")).await.unwrap();
        let old = other.hash(password("correct horse")).await.unwrap();
        assert!(!p.is_outdated(&own));
        assert!(p.is_outdated(&old));
        assert!(p.is_outdated("not a hash"));
        let new = p.rehash("correct horse".into()).await.unwrap();
        assert!(!p.is_outdated(&new));
        assert!(p.verify("correct horse".into(), Some(new)).await);
    }

    #[tokio::test]
    async fn hashes_are_salted() {
        let p = cheap();
        let a = p.hash(password("same password")).await.unwrap();
        let b = p.hash(password("same password")).await.unwrap();
        assert_ne!(a, b);
    }
}
