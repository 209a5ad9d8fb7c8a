//! `/api/v1/ai`: Plan My Day and Plan My Week.

use chrono::NaiveDate;
use lifeos_core::wire::{PlannedDay, PlannedWeek};
use reqwest::Method;
use serde::Serialize;

use crate::client::Client;
use crate::error::Result;
use crate::exec::Call;
use crate::request::{Sent, Write};

/// The AI routes: [`Client::ai`].
#[derive(Debug, Clone)]
pub struct Ai {
    client: Client,
}

impl Ai {
    pub(crate) fn new(client: &Client) -> Self {
        Ai {
            client: client.clone(),
        }
    }

    /// `POST /ai/plan-day`: plans the user's day (default: their local today) and saves
    /// the times unless [`PlanDay::dry_run`].
    pub fn plan_day(&self) -> PlanDay {
        PlanDay {
            client: self.client.clone(),
            body: PlanDayBody::default(),
        }
    }

    /// `POST /ai/plan-week`: plans the user's next days (default: 7 from their local
    /// today) in chunks, keeping the stored blocks that still fit, and saves the blocks
    /// unless [`PlanWeek::dry_run`].
    pub fn plan_week(&self) -> PlanWeek {
        PlanWeek {
            client: self.client.clone(),
            body: PlanWeekBody::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct PlanWeekBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    horizon_days: Option<u8>,
    dry_run: bool,
}

/// `POST /ai/plan-week` and its options: [`Ai::plan_week`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct PlanWeek {
    client: Client,
    body: PlanWeekBody,
}

impl PlanWeek {
    /// The first day to plan, from the user's yesterday to today + 365 (default: their
    /// local today).
    pub fn start_date(mut self, date: NaiveDate) -> Self {
        self.body.start_date = Some(date);
        self
    }

    /// How many days to plan, 1..=14 (the server's default is 7).
    pub fn horizon_days(mut self, days: u8) -> Self {
        self.body.horizon_days = Some(days);
        self
    }

    /// Plan without saving anything.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.body.dry_run = dry_run;
        self
    }

    fn write(&self) -> Write<PlannedWeek> {
        Write::new(
            &self.client,
            Call::new(Method::POST, "/api/v1/ai/plan-week"),
        )
        .with_json(&self.body)
    }

    /// Sends the request.
    ///
    /// # Errors
    /// See [`crate::Error`]: 422 naming `start_date` or `horizon_days` out of range, 409
    /// `dependency-cycle`.
    pub async fn send(self) -> Result<PlannedWeek> {
        self.write().send().await
    }

    /// Sends the request, keeping the answer's status and headers.
    ///
    /// # Errors
    /// As [`PlanWeek::send`].
    pub async fn send_with_meta(self) -> Result<Sent<PlannedWeek>> {
        self.write().send_with_meta().await
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct PlanDayBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<NaiveDate>,
    refine: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<String>,
    dry_run: bool,
}

/// `POST /ai/plan-day` and its options: [`Ai::plan_day`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct PlanDay {
    client: Client,
    body: PlanDayBody,
}

impl PlanDay {
    /// The day to plan, from the user's yesterday to today + 365.
    pub fn date(mut self, date: NaiveDate) -> Self {
        self.body.date = Some(date);
        self
    }

    /// Ask the server's language model to refine the plan.
    pub fn refine(mut self, refine: bool) -> Self {
        self.body.refine = refine;
        self
    }

    /// Free text for the model, at most 1,000 characters.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.body.instructions = Some(text.into());
        self
    }

    /// Plan without saving anything.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.body.dry_run = dry_run;
        self
    }

    fn write(&self) -> Write<PlannedDay> {
        Write::new(&self.client, Call::new(Method::POST, "/api/v1/ai/plan-day"))
            .with_json(&self.body)
    }

    /// Sends the request.
    ///
    /// # Errors
    /// See [`crate::Error`]: 422 for a date out of range, 409 `dependency-cycle`.
    pub async fn send(self) -> Result<PlannedDay> {
        self.write().send().await
    }

    /// Sends the request, keeping the answer's status and headers.
    ///
    /// # Errors
    /// As [`PlanDay::send`].
    pub async fn send_with_meta(self) -> Result<Sent<PlannedDay>> {
        self.write().send_with_meta().await
    }
}
