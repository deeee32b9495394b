//! Login throttling: after too many failed logins for one user name, or from one client address,
//! within a window, further logins for it are refused (429) until the window ends. Only failures
//! count, and only logins are throttled: other users and other requests are never slowed.
//!
//! Also the bound on how many tokens one user is issued per minute ([`MintLimit`]).
//!
//! The counting is the store's ([`WindowStore`]): in memory on SQLite, in a table on
//! PostgreSQL, so that every node of a deployment counts the same attempts.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tessera_domain::ObjectId;
use tessera_store::{Counted, StoreError, WindowStore};

/// How many failures, in what window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_user: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for Limits {
    /// 5 failures per user name and 50 per address in 15 minutes.
    fn default() -> Self {
        Limits { per_user: 5, per_address: 50, window: Duration::from_secs(15 * 60) }
    }
}

/// `Ok(Err(wait))`: refused for `wait`; `Err`: the store could not be asked.
pub type Verdict = Result<Result<(), Duration>, StoreError>;

#[derive(Clone)]
pub struct LoginThrottle {
    limits: Limits,
    windows: Arc<dyn WindowStore>,
}

fn account_key(account: &str) -> String {
    format!("login:account:{account}")
}

fn address_key(address: IpAddr) -> String {
    format!("login:address:{address}")
}

impl LoginThrottle {
    pub fn new(limits: Limits, windows: Arc<dyn WindowStore>) -> Self {
        LoginThrottle { limits, windows }
    }

    /// Takes one attempt for this account (a user id, or the name typed when no user has it)
    /// and this address, checked and counted together: `Ok(Err(wait))` when either is at its
    /// limit, so that parallel guesses cannot all pass the check before any is counted. Every
    /// attempt counts as a failure until [`LoginThrottle::succeeded`] says otherwise.
    pub async fn reserve(&self, account: &str, address: Option<IpAddr>) -> Verdict {
        let window = self.limits.window;
        let mut keys =
            vec![Counted { key: account_key(account), limit: self.limits.per_user, window }];
        if let Some(a) = address {
            keys.push(Counted { key: address_key(a), limit: self.limits.per_address, window });
        }
        self.windows.take_attempts(keys).await
    }

    /// The attempt was right: the account's failures are forgotten, and the address gets its
    /// attempt back (only failures count against an address).
    pub async fn succeeded(
        &self, account: &str, address: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        self.windows.forget_attempts(account_key(account)).await?;
        if let Some(a) = address {
            self.windows.give_back_attempt(address_key(a)).await?;
        }
        Ok(())
    }
}

/// Tokens issued to one user per minute (sign-ins, API tokens, renewals), at most. A token costs
/// nothing until it is logged out, but a logout is kept until the token would have expired:
/// without a bound, any user could grow the server's revocation list in a loop.
#[derive(Clone)]
pub struct MintLimit {
    per_minute: u32,
    windows: Arc<dyn WindowStore>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl MintLimit {
    /// `per_minute` 0: no limit.
    pub fn new(per_minute: u32, windows: Arc<dyn WindowStore>) -> Self {
        MintLimit { per_minute, windows }
    }

    fn key(&self, user: ObjectId) -> Counted {
        Counted { key: format!("mint:{user}"), limit: self.per_minute, window: MINUTE }
    }

    /// Whether `user` may be issued a token now; `Ok(Err(wait))` when not.
    pub async fn check(&self, user: ObjectId) -> Verdict {
        if self.per_minute == 0 {
            return Ok(Ok(()));
        }
        Ok(match self.windows.attempts_blocked(self.key(user)).await? {
            Some(wait) => Err(wait),
            None => Ok(()),
        })
    }

    /// Counts one token for `user`, checked and counted together.
    pub async fn take(&self, user: ObjectId) -> Verdict {
        if self.per_minute == 0 {
            return Ok(Ok(()));
        }
        self.windows.take_attempts(vec![self.key(user)]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;
    use tessera_store::{Clock, MemoryWindows};

    /// Counts in memory, with a clock that moves only when the test says so.
    fn windows() -> (Arc<dyn WindowStore>, Arc<AtomicU64>) {
        let start = Instant::now();
        let elapsed = Arc::new(AtomicU64::new(0));
        let e = elapsed.clone();
        let clock: Clock = Arc::new(move || start + Duration::from_secs(e.load(Ordering::SeqCst)));
        (Arc::new(MemoryWindows::with_clock(clock)), elapsed)
    }

    fn throttle(limits: Limits) -> (LoginThrottle, Arc<AtomicU64>) {
        let (windows, clock) = windows();
        (LoginThrottle::new(limits, windows), clock)
    }

    const LIMITS: Limits = Limits { per_user: 3, per_address: 5, window: Duration::from_secs(60) };

    #[tokio::test]
    async fn engages_after_the_limit_and_releases_when_the_window_ends() {
        let (t, clock) = throttle(LIMITS);
        for _ in 0..3 {
            assert_eq!(t.reserve("ann", None).await.unwrap(), Ok(()));
        }
        clock.store(10, Ordering::SeqCst);
        assert_eq!(t.reserve("ann", None).await.unwrap(), Err(Duration::from_secs(50)));
        assert_eq!(t.reserve("bob", None).await.unwrap(), Ok(()), "other users are not throttled");
        clock.store(60, Ordering::SeqCst);
        assert_eq!(t.reserve("ann", None).await.unwrap(), Ok(()), "released when the window ends");
        assert_eq!(t.reserve("ann", None).await.unwrap(), Ok(()), "a new window starts from zero");
    }

    #[tokio::test]
    async fn a_refused_attempt_is_not_counted() {
        let (t, clock) = throttle(LIMITS);
        for _ in 0..3 {
            t.reserve("ann", None).await.unwrap().unwrap();
        }
        for _ in 0..10 {
            assert!(t.reserve("ann", None).await.unwrap().is_err());
        }
        clock.store(60, Ordering::SeqCst);
        for _ in 0..3 {
            assert_eq!(t.reserve("ann", None).await.unwrap(), Ok(()));
        }
    }

    #[tokio::test]
    async fn an_address_is_throttled_across_accounts() {
        let (t, _) = throttle(LIMITS);
        let addr: IpAddr = "10.1.2.3".parse().unwrap();
        for i in 0..5 {
            t.reserve(&format!("user{i}"), Some(addr)).await.unwrap().unwrap();
        }
        assert!(t.reserve("fresh", Some(addr)).await.unwrap().is_err());
        let elsewhere = Some("10.9.9.9".parse().unwrap());
        assert_eq!(t.reserve("fresh", elsewhere).await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn tokens_are_limited_per_user_and_minute() {
        let (counts, elapsed) = windows();
        let limit = MintLimit::new(3, counts.clone());
        let (ann, bob) = (ObjectId::generate(), ObjectId::generate());
        for _ in 0..3 {
            assert_eq!(limit.check(ann).await.unwrap(), Ok(()));
            assert_eq!(limit.take(ann).await.unwrap(), Ok(()));
        }
        elapsed.store(20, Ordering::SeqCst);
        assert_eq!(limit.check(ann).await.unwrap(), Err(Duration::from_secs(40)));
        assert_eq!(limit.take(ann).await.unwrap(), Err(Duration::from_secs(40)));
        assert_eq!(limit.take(bob).await.unwrap(), Ok(()), "another user has a limit of their own");
        elapsed.store(60, Ordering::SeqCst);
        assert_eq!(limit.take(ann).await.unwrap(), Ok(()), "a new minute");
        let unlimited = MintLimit::new(0, counts);
        for _ in 0..1000 {
            assert_eq!(unlimited.take(ann).await.unwrap(), Ok(()));
        }
    }

    #[tokio::test]
    async fn success_clears_the_account_and_gives_the_address_its_attempt_back() {
        let (t, _) = throttle(LIMITS);
        let addr: IpAddr = "10.1.2.3".parse().unwrap();
        t.reserve("ann", Some(addr)).await.unwrap().unwrap();
        t.reserve("ann", Some(addr)).await.unwrap().unwrap();
        t.reserve("ann", Some(addr)).await.unwrap().unwrap();
        t.succeeded("ann", Some(addr)).await.unwrap();
        // The account starts afresh; the address holds two failures, not three.
        t.reserve("ann", Some(addr)).await.unwrap().unwrap();
        t.reserve("ann", Some(addr)).await.unwrap().unwrap();
        t.reserve("bob", Some(addr)).await.unwrap().unwrap();
        assert!(t.reserve("carl", Some(addr)).await.unwrap().is_err(), "5 failures on the address");
    }
}
