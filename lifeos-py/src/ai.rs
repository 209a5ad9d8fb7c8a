//! The AI configuration of a `LifeOS`: the model behind an OpenAI-compatible API (from the
//! environment at construction, or keyword arguments), and the tier its quota is counted
//! against.

use std::sync::Arc;
use std::time::Duration;

use lifeos::core::{Tier, UserId};
use lifeos::scheduler::refine::MonotonicClock;
use lifeos::scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
use lifeos::{LifeOs, Monotonic, SystemMonotonic};
use pyo3::prelude::*;
use rand_core::SeedableRng;
use serde_json::Value;

use crate::error::invalid;

/// The longest `ai_timeout` accepted, in seconds (an hour: longer is a mistake).
const MAX_TIMEOUT_SECS: f64 = 3_600.0;

/// How a `LifeOS` reaches its model: the keyword arguments of the constructor, each
/// `None` when not given.
pub(crate) struct AiArgs {
    /// `openai_api_key`: `None` reads `OPENAI_API_KEY`; blank means no model.
    pub(crate) api_key: Option<String>,
    /// `openai_base_url`: `None` reads `OPENAI_BASE_URL` (else the public API).
    pub(crate) base_url: Option<String>,
    /// `ai_model`: one model for every day (default gpt-4o, gpt-4o-mini for small days).
    pub(crate) model: Option<String>,
    /// `ai_timeout`: seconds over a whole call, retries included (default 30).
    pub(crate) timeout: Option<f64>,
}

/// The system's monotonic clock as the refiner reads it (its deadline).
struct Wall(SystemMonotonic);

impl MonotonicClock for Wall {
    fn elapsed(&self) -> Duration {
        Monotonic::elapsed(&self.0)
    }
}

/// The refiner these arguments describe, or `None` without a key. `env` reads the process
/// environment (a parameter, so tests need not change it).
pub(crate) fn refiner(
    args: AiArgs,
    env: impl Fn(&str) -> Option<String>,
) -> PyResult<Option<OpenAiRefiner>> {
    let timeout = args.timeout.map(timeout).transpose()?;
    let model = args
        .model
        .map(|m| {
            let m = m.trim().to_owned();
            if m.is_empty() {
                Err(invalid("ai_model", "a model name cannot be blank"))
            } else {
                Ok(m)
            }
        })
        .transpose()?;
    let key = args.api_key.or_else(|| env("OPENAI_API_KEY"));
    let url = args.base_url.or_else(|| env("OPENAI_BASE_URL"));
    let lookup = |name: &str| match name {
        "OPENAI_API_KEY" => key.clone(),
        "OPENAI_BASE_URL" => url.clone(),
        _ => None,
    };
    let Some(mut config) = OpenAiConfig::from_lookup(lookup) else {
        return Ok(None);
    };
    if let Some(model) = model {
        config = config.model(model);
    }
    if let Some(timeout) = timeout {
        config = config.timeout(timeout);
    }
    let clock: Arc<dyn MonotonicClock> = Arc::new(Wall(SystemMonotonic::new()));
    // Retry jitter only: seeded from the OS like the application's own RNG.
    let rng = rand_chacha::ChaCha8Rng::from_os_rng();
    OpenAiRefiner::new(config, clock, rng)
        .map(Some)
        .map_err(|e| crate::error::base_error(&e.to_string()))
}

/// `ai_timeout` in seconds: finite, above zero, at most an hour.
fn timeout(secs: f64) -> PyResult<Duration> {
    if !(secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
        return Err(invalid(
            "ai_timeout",
            format!("{secs} is not a number of seconds in (0, {MAX_TIMEOUT_SECS}]"),
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A tier by its name (`free`, `starter`, `pro`, `team`, `enterprise`).
pub(crate) fn tier(name: &str) -> PyResult<Tier> {
    serde_json::from_value(Value::String(name.trim().to_ascii_lowercase())).map_err(|_| {
        invalid(
            "tier",
            format!("{name:?} is not one of free, starter, pro, team, enterprise"),
        )
    })
}

/// The tier a call is counted against: `fixed` when the constructor was given one, else
/// the user's stored subscription's (read per call: it may change), free without one.
///
/// # Errors
/// [`lifeos::Error::Storage`] when the subscriptions cannot be read.
pub(crate) async fn tier_of(
    app: &LifeOs,
    user: UserId,
    fixed: Option<Tier>,
) -> lifeos::Result<Tier> {
    match fixed {
        Some(tier) => Ok(tier),
        None => app
            .store()
            .effective_tier(user)
            .await
            .map_err(|source| lifeos::Error::Storage {
                context: "reading the subscription",
                source,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use lifeos::core::{SubscriptionInput, SubscriptionStatus};
    use lifeos::store::StoreOptions;

    fn args() -> AiArgs {
        AiArgs {
            api_key: None,
            base_url: None,
            model: None,
            timeout: None,
        }
    }

    fn env(name: &str) -> Option<String> {
        match name {
            "OPENAI_API_KEY" => Some("sk-env".to_owned()),
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:9/v1/".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn the_environment_is_the_default_and_arguments_override_it() {
        Python::initialize();
        let from_env = refiner(args(), env).unwrap().unwrap();
        assert_eq!(from_env.config().base_url(), "http://127.0.0.1:9/v1");
        assert_eq!(from_env.config().timeout_value(), Duration::from_secs(30));
        let given = AiArgs {
            base_url: Some("http://127.0.0.1:8/v1".into()),
            timeout: Some(2.5),
            ..args()
        };
        let given = refiner(given, env).unwrap().unwrap();
        assert_eq!(given.config().base_url(), "http://127.0.0.1:8/v1");
        assert_eq!(given.config().timeout_value(), Duration::from_millis(2_500));
        // A blank key given explicitly means no model, whatever the environment says.
        let off = AiArgs {
            api_key: Some(" ".into()),
            ..args()
        };
        assert!(refiner(off, env).unwrap().is_none());
        assert!(refiner(args(), |_| None).unwrap().is_none());
    }

    #[test]
    fn bad_arguments_name_their_field() {
        Python::initialize();
        let field = |e: PyErr| {
            Python::attach(|py| {
                e.value(py)
                    .getattr("field")
                    .unwrap()
                    .extract::<String>()
                    .unwrap()
            })
        };
        for secs in [0.0, -1.0, f64::NAN, f64::INFINITY, 3_601.0] {
            let bad = AiArgs {
                timeout: Some(secs),
                ..args()
            };
            assert_eq!(field(refiner(bad, env).err().unwrap()), "ai_timeout");
        }
        let blank = AiArgs {
            model: Some("  ".into()),
            ..args()
        };
        assert_eq!(field(refiner(blank, env).err().unwrap()), "ai_model");
        assert_eq!(tier(" Pro ").unwrap(), Tier::Pro);
        assert_eq!(field(tier("platinum").err().unwrap()), "tier");
    }

    #[test]
    fn without_a_fixed_tier_the_stored_subscription_decides() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = lifeos::open("memory:", StoreOptions::new()).await.unwrap();
            let app = LifeOs::new(store);
            let me = UserId::from_uuid(uuid::Uuid::from_u128(7));
            assert_eq!(tier_of(&app, me, None).await.unwrap(), Tier::Free);
            assert_eq!(
                tier_of(&app, me, Some(Tier::Team)).await.unwrap(),
                Tier::Team
            );
            let now = Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap();
            let input = SubscriptionInput {
                stripe_customer_id: "cus_1".into(),
                stripe_subscription_id: "sub_1".into(),
                stripe_price_id: "price_1".into(),
                status: SubscriptionStatus::Active,
                tier: Tier::Pro,
                current_period_start: Some(now),
                current_period_end: None,
                cancel_at: None,
                canceled_at: None,
                ai_requests_this_period: 0,
                mrr_cents: 2_000,
            };
            app.store().upsert_subscription(me, input).await.unwrap();
            assert_eq!(tier_of(&app, me, None).await.unwrap(), Tier::Pro);
        });
    }
}
