//! What a caller may set about a refinement.

use lifeos_core::plan::PlanError;

/// Longest `instructions` text kept, in characters (API.md's limit).
pub const MAX_INSTRUCTIONS_CHARS: usize = 1000;

/// Options of a refinement: the score tolerance and the user's instructions.
///
/// ```
/// use lifeos_scheduler::refine::RefineOptions;
///
/// let options = RefineOptions::new()
///     .tolerance(0.05)?
///     .instructions("keep the afternoon light");
/// assert_eq!(options.tolerance_value(), 0.05);
/// assert!(RefineOptions::new().tolerance(1.5).is_err());
/// # Ok::<(), lifeos_core::plan::PlanError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RefineOptions {
    tolerance: f64,
    instructions: Option<String>,
}

impl Default for RefineOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl RefineOptions {
    /// The defaults: tolerance 0.02, no instructions.
    pub fn new() -> Self {
        Self {
            tolerance: 0.02,
            instructions: None,
        }
    }

    /// Sets the tolerance: the refined plan replaces the deterministic one when it scores
    /// at least `(1 - tolerance)` times as much. 0 accepts only equal or better plans.
    ///
    /// # Errors
    /// [`PlanError`] naming `tolerance` when it is not a number in `0..=1`.
    pub fn tolerance(mut self, tolerance: f64) -> Result<Self, PlanError> {
        if !(0.0..=1.0).contains(&tolerance) {
            return Err(PlanError::single(
                "tolerance",
                format!("expected a number in 0..=1, got {tolerance}"),
            ));
        }
        self.tolerance = tolerance;
        Ok(self)
    }

    /// Sets the user's free-text instructions (quoted to the model as data, never as
    /// instructions to it); cut to [`MAX_INSTRUCTIONS_CHARS`] characters, blank means none.
    #[must_use]
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        let text: String = text.into().chars().take(MAX_INSTRUCTIONS_CHARS).collect();
        self.instructions = (!text.trim().is_empty()).then_some(text);
        self
    }

    /// The tolerance.
    pub fn tolerance_value(&self) -> f64 {
        self.tolerance
    }

    /// The instructions, if any.
    pub fn instructions_text(&self) -> Option<&str> {
        self.instructions.as_deref()
    }
}
