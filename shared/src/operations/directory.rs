//! The user pool as the operator commands see it: pages of users, one user by `sub` or
//! `userName`, whether a user exists (strongly consistent), the pool's case rule, and the
//! `preferred_username` attribute. [`CognitoDirectory`](super::cognito::CognitoDirectory) is the
//! real pool; [`MemoryDirectory`] stands in for it in tests, with a listing that can lag.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use thiserror::Error;

/// One user of the pool, with only what the commands need (no email, no phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUser {
    /// The Cognito `userName` (a generated id in email pools).
    pub user_name: String,
    pub sub: String,
    /// `UserCreateDate` in milliseconds since the epoch: the earlier account keeps a shared name.
    pub created_ms: i64,
    /// `UserStatus` as Cognito spells it (`CONFIRMED`, `UNCONFIRMED`, `EXTERNAL_PROVIDER`...).
    pub status: String,
    pub preferred_username: Option<String>,
    /// Signed up through an external identity provider.
    pub federated: bool,
}

impl PoolUser {
    /// Whether the user never confirmed their sign-up: such a sign-up claims its name when it
    /// confirms (post-confirmation), not before.
    pub fn is_unconfirmed(&self) -> bool {
        self.status == "UNCONFIRMED"
    }
}

/// One page of `ListUsers`; `next` is the pagination token of the following page.
#[derive(Debug, Clone, Default)]
pub struct UsersPage {
    pub users: Vec<PoolUser>,
    pub next: Option<String>,
}

/// Cognito could not give an answer. Each sentence is what an operator reads.
#[derive(Debug, Error)]
pub enum DirectoryError {
    #[error("Cognito is throttling the requests (TooManyRequestsException)")]
    Throttled,
    #[error("the user pool does not exist; check --user-pool-id and AWS_REGION")]
    PoolNotFound,
    #[error("the user does not exist in the user pool")]
    UserNotFound,
    #[error("Cognito refused the request; check the credentials and their permissions")]
    Denied(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("Cognito did not answer in time")]
    Timeout,
    #[error(
        "Cognito could not be reached; check AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER \
         (or AWS_ENDPOINT_URL), AWS_REGION and the credentials"
    )]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DirectoryError {
    /// Whether asking again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Throttled | Self::Timeout | Self::Unavailable(_))
    }
}

/// The Cognito calls of the operator commands.
pub trait Directory: Send + Sync {
    /// The page of users after `token` (`None`: the first page).
    fn users_page(
        &self,
        token: Option<&str>,
    ) -> impl Future<Output = Result<UsersPage, DirectoryError>> + Send;

    /// The user with this `sub`, if the pool has one.
    fn user_by_sub(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<PoolUser>, DirectoryError>> + Send;

    /// A user whose `userName` is exactly `user_name`, if the pool has one (Cognito's `userName`
    /// filter compares with case, whatever the pool's own setting).
    fn user_by_name(
        &self,
        user_name: &str,
    ) -> impl Future<Output = Result<Option<PoolUser>, DirectoryError>> + Send;

    /// Sets the user's `preferred_username` (`AdminUpdateUserAttributes`).
    fn set_preferred_username(
        &self,
        user_name: &str,
        value: &str,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;

    /// Removes the user's `preferred_username` (`AdminDeleteUserAttributes`): a name given up
    /// leaves no attribute behind (in alias pools, no sign-in alias either).
    fn clear_preferred_username(
        &self,
        user_name: &str,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;

    /// Whether the user whose `sub` (or `userName`) this is exists now, asked with a strongly
    /// consistent read (`AdminGetUser`): a listing (`ListUsers`) is eventually consistent and
    /// may miss a user who was created a moment ago.
    fn user_exists(&self, sub: &str) -> impl Future<Output = Result<bool, DirectoryError>> + Send;

    /// Whether the pool tells `userName`s apart by case (`DescribePool`'s
    /// `UsernameConfiguration.CaseSensitive`; a pool without it, created before the setting
    /// existed, is case-sensitive).
    fn case_sensitive(&self) -> impl Future<Output = Result<bool, DirectoryError>> + Send;
}

/// A pool in memory, for tests: pages of `page_size` users in insertion order; it can be told to
/// throttle or fail the next calls.
#[derive(Debug)]
pub struct MemoryDirectory {
    users: Mutex<Vec<PoolUser>>,
    /// `sub`s a listing does not show yet (`ListUsers` lags behind `AdminGetUser`).
    unlisted: Mutex<Vec<String>>,
    case_sensitive: std::sync::atomic::AtomicBool,
    page_size: usize,
    throttle_next: AtomicUsize,
    fail_next: AtomicUsize,
    fail_updates: AtomicUsize,
    pages_served: AtomicUsize,
}

impl MemoryDirectory {
    pub fn new(page_size: usize) -> Self {
        Self {
            users: Mutex::new(Vec::new()),
            unlisted: Mutex::new(Vec::new()),
            case_sensitive: std::sync::atomic::AtomicBool::new(false),
            page_size: page_size.max(1),
            throttle_next: AtomicUsize::new(0),
            fail_next: AtomicUsize::new(0),
            fail_updates: AtomicUsize::new(0),
            pages_served: AtomicUsize::new(0),
        }
    }

    pub fn add(&self, user: PoolUser) {
        self.lock().push(user);
    }

    /// Adds a user that listings (`ListUsers`, by page or filter) do not show yet, while
    /// `AdminGetUser` does: Cognito's listing is eventually consistent.
    pub fn add_unlisted(&self, user: PoolUser) {
        self.unlisted_lock().push(user.sub.clone());
        self.lock().push(user);
    }

    /// The listing catches up with every user.
    pub fn list_everyone(&self) {
        self.unlisted_lock().clear();
    }

    /// Makes the pool case-sensitive (`UsernameConfiguration.CaseSensitive = true`).
    pub fn set_case_sensitive(&self, sensitive: bool) {
        self.case_sensitive.store(sensitive, Ordering::SeqCst);
    }

    /// Removes the user (`AdminDeleteUser`).
    pub fn delete(&self, sub: &str) {
        self.lock().retain(|u| u.sub != sub);
    }

    /// The user's current `preferred_username`.
    pub fn preferred_username(&self, sub: &str) -> Option<String> {
        self.lock()
            .iter()
            .find(|u| u.sub == sub)
            .and_then(|u| u.preferred_username.clone())
    }

    /// The next `n` calls answer `TooManyRequestsException`.
    pub fn throttle(&self, n: usize) {
        self.throttle_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` calls find Cognito unreachable.
    pub fn fail(&self, n: usize) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` attribute updates find Cognito unreachable (reads still answer).
    pub fn fail_updates(&self, n: usize) {
        self.fail_updates.store(n, Ordering::SeqCst);
    }

    /// How many pages were answered.
    pub fn pages_served(&self) -> usize {
        self.pages_served.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<PoolUser>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn unlisted_lock(&self) -> MutexGuard<'_, Vec<String>> {
        self.unlisted.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The users a listing shows now.
    fn listed(&self) -> Vec<PoolUser> {
        let unlisted = self.unlisted_lock().clone();
        self.lock()
            .iter()
            .filter(|u| !unlisted.contains(&u.sub))
            .cloned()
            .collect()
    }

    /// `AdminUpdateUserAttributes` (`Some`) or `AdminDeleteUserAttributes` (`None`) of
    /// `preferred_username`, failing as told.
    fn set_attribute(&self, user_name: &str, value: Option<&str>) -> Result<(), DirectoryError> {
        self.fault()?;
        if take(&self.fail_updates) {
            return Err(DirectoryError::Unavailable("connection refused".into()));
        }
        let mut users = self.lock();
        let user = users
            .iter_mut()
            .find(|u| u.user_name == user_name)
            .ok_or(DirectoryError::UserNotFound)?;
        user.preferred_username = value.map(str::to_owned);
        Ok(())
    }

    fn fault(&self) -> Result<(), DirectoryError> {
        if take(&self.throttle_next) {
            return Err(DirectoryError::Throttled);
        }
        if take(&self.fail_next) {
            return Err(DirectoryError::Unavailable("connection refused".into()));
        }
        Ok(())
    }
}

/// Takes one from a fault counter; whether there was one to take.
fn take(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Directory for MemoryDirectory {
    async fn users_page(&self, token: Option<&str>) -> Result<UsersPage, DirectoryError> {
        self.fault()?;
        let start: usize = match token {
            None => 0,
            Some(token) => token
                .parse()
                .map_err(|_| DirectoryError::Unavailable("bad pagination token".into()))?,
        };
        let users = self.listed();
        let end = (start + self.page_size).min(users.len());
        let page = users.get(start..end).unwrap_or_default().to_vec();
        self.pages_served.fetch_add(1, Ordering::SeqCst);
        Ok(UsersPage {
            users: page,
            next: (end < users.len()).then(|| end.to_string()),
        })
    }

    async fn user_by_sub(&self, sub: &str) -> Result<Option<PoolUser>, DirectoryError> {
        self.fault()?;
        Ok(self.listed().into_iter().find(|u| u.sub == sub))
    }

    async fn user_by_name(&self, user_name: &str) -> Result<Option<PoolUser>, DirectoryError> {
        self.fault()?;
        Ok(self.listed().into_iter().find(|u| u.user_name == user_name))
    }

    async fn set_preferred_username(
        &self,
        user_name: &str,
        value: &str,
    ) -> Result<(), DirectoryError> {
        self.set_attribute(user_name, Some(value))
    }

    async fn clear_preferred_username(&self, user_name: &str) -> Result<(), DirectoryError> {
        self.set_attribute(user_name, None)
    }

    async fn user_exists(&self, sub: &str) -> Result<bool, DirectoryError> {
        self.fault()?;
        let sensitive = self.case_sensitive.load(Ordering::SeqCst);
        let same_name = |name: &str| match sensitive {
            true => name == sub,
            false => name.to_lowercase() == sub.to_lowercase(),
        };
        Ok(self
            .lock()
            .iter()
            .any(|u| u.sub == sub || same_name(&u.user_name)))
    }

    async fn case_sensitive(&self) -> Result<bool, DirectoryError> {
        self.fault()?;
        Ok(self.case_sensitive.load(Ordering::SeqCst))
    }
}
