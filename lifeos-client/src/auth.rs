//! Bearer tokens: where the client gets them and how it refreshes them.

use async_trait::async_trait;

use crate::error::BoxError;

/// Gives the bearer token for each request. On a 401 the client calls
/// [`TokenProvider::refresh`] once and retries the request with the new token.
///
/// ```
/// use lifeos_client::{StaticToken, TokenProvider};
/// # tokio_test_block(async {
/// let t = StaticToken::new("eyJ...");
/// assert_eq!(t.token().await.unwrap(), "eyJ...");
/// # });
/// # fn tokio_test_block<F: std::future::Future>(f: F) -> F::Output {
/// #     futures_util::FutureExt::now_or_never(f).unwrap()
/// # }
/// ```
#[async_trait]
pub trait TokenProvider: Send + Sync {
    /// The current token (without the `Bearer ` prefix).
    ///
    /// # Errors
    /// When no token can be had; the call fails with [`crate::Error::Token`].
    async fn token(&self) -> Result<String, BoxError>;

    /// A new token after the server refused the current one; `Ok(None)` (the default)
    /// when this provider cannot refresh, and the 401 is returned as is.
    ///
    /// # Errors
    /// When refreshing failed; the call fails with [`crate::Error::Token`].
    async fn refresh(&self) -> Result<Option<String>, BoxError> {
        Ok(None)
    }
}

/// A shared provider (the caller keeps a handle).
#[async_trait]
impl<P: TokenProvider + ?Sized> TokenProvider for std::sync::Arc<P> {
    async fn token(&self) -> Result<String, BoxError> {
        (**self).token().await
    }

    async fn refresh(&self) -> Result<Option<String>, BoxError> {
        (**self).refresh().await
    }
}

/// A fixed token that is never refreshed.
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// A provider always answering `token`.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(token.into())
    }
}

impl std::fmt::Debug for StaticToken {
    // Never print a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken(..)")
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<String, BoxError> {
        Ok(self.0.clone())
    }
}
