//! Password hashing with Argon2id on threads of its own, fewer than the cores and at a lower
//! priority, so that a burst of logins or bulk creates cannot starve the requests that need no
//! hashing: a core stays for everything else, and the scheduler runs a waiting request before
//! the next hash. Hashes queue in arrival order, so logins are served in order.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use tessera_domain::user::Password;
use tokio::sync::oneshot;

use crate::config::HashCost;
use crate::error::{ConfigError, HashError, StartupError};

/// How much lower than the server's other threads the hashing threads run (a nice value).
const HASHING_NICENESS: i32 = 10;

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// The queue of the hashing threads; they stop when the last `Passwords` is dropped.
    jobs: Sender<Job>,
    /// A real hash of a random password, verified when the user does not exist, so that an
    /// unknown user name costs as much time as a wrong password.
    decoy: Arc<str>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Threads that hash: one fewer than the cores (at least one).
fn hashing_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(1).max(1)
}

fn start_hashing_threads(count: usize) -> Result<Sender<Job>, StartupError> {
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..count {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("tessera-hash-{n}"))
            .spawn(move || hashing_thread(&queue))
            .map_err(|e| HashError::Task(format!("cannot start a hashing thread: {e}")))?;
    }
    Ok(jobs)
}

fn hashing_thread(queue: &Mutex<Receiver<Job>>) {
    lower_this_threads_priority();
    loop {
        // The lock is held only to take the next job, never while hashing.
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// On Linux a nice value belongs to a thread (`setpriority` on its thread id); elsewhere this
/// is a no-op. Failing to lower it only costs the other requests some latency, so it is logged.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASHING_NICENESS)
    {
        tracing::warn!(error = %e, "cannot lower the priority of a password hashing thread");
    }
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
        let decoy: [u8; 16] = rand::random();
        let decoy = hash_blocking(&params, &decoy)?;
        let jobs = start_hashing_threads(hashing_threads())?;
        Ok(Passwords { params, jobs, decoy: decoy.into() })
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

    /// Runs `f` on a hashing thread, after the work queued before it.
    async fn blocking<T: Send + 'static>(
        &self, f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (its request was cancelled): nobody wants the answer.
            let _ = done.send(f());
        });
        self.jobs
            .send(job)
            .map_err(|_| HashError::Task("the hashing threads have stopped".into()))?;
        answer.await.map_err(|_| HashError::Task("a hashing job did not finish".into()))
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

    /// Hashing leaves a core for everything else, and runs below the other threads' priority.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_on_fewer_threads_than_cores_at_a_lower_priority() {
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(hashing_threads(), cores.saturating_sub(1).max(1));
        let p = cheap();
        let (name, nice) = p
            .blocking(|| {
                let nice =
                    rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
                (std::thread::current().name().map(str::to_owned), nice)
            })
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("tessera-hash-0"));
        assert_eq!(nice, HASHING_NICENESS);
    }

    /// Queued hashes finish in the order they were asked for (one thread: strictly).
    #[tokio::test]
    async fn queued_work_is_served_in_arrival_order() {
        let jobs = start_hashing_threads(1).unwrap();
        let p = Passwords { jobs, ..cheap() };
        let order = Arc::new(Mutex::new(Vec::new()));
        for i in 0..20 {
            let order = order.clone();
            p.jobs.send(Box::new(move || order.lock().unwrap().push(i))).unwrap();
        }
        p.blocking(|| ()).await.unwrap();
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn hashes_are_salted() {
        let p = cheap();
        let a = p.hash(password("same password")).await.unwrap();
        let b = p.hash(password("same password")).await.unwrap();
        assert_ne!(a, b);
    }
}
