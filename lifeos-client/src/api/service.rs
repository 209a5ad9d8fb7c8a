//! `/health`, `/ready` and `/api/v1/openapi.json`: no token needed.

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::exec::Call;
use crate::request::Get;

/// The service routes: [`Client::service`].
#[derive(Debug, Clone)]
pub struct Service {
    client: Client,
}

#[derive(serde::Deserialize)]
struct Status {
    status: String,
}

impl Service {
    pub(crate) fn new(client: &Client) -> Self {
        Service {
            client: client.clone(),
        }
    }

    /// `GET /health`: `"ok"` when the process answers.
    ///
    /// # Errors
    /// See [`crate::Error`].
    pub async fn health(&self) -> Result<String> {
        let s: Status = Get::new(&self.client, Call::new(Method::GET, "/health"))
            .send()
            .await?;
        Ok(s.status)
    }

    /// `GET /ready`: `"ready"` when the store (and Redis) answer; a 503 is an error.
    ///
    /// # Errors
    /// See [`crate::Error`].
    pub async fn ready(&self) -> Result<String> {
        let s: Status = Get::new(&self.client, Call::new(Method::GET, "/ready"))
            .send()
            .await?;
        Ok(s.status)
    }

    /// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document.
    pub fn openapi(&self) -> Get<serde_json::Value> {
        Get::new(&self.client, Call::new(Method::GET, "/api/v1/openapi.json"))
    }
}
