//! Importing an iCalendar file: idempotent by UID, lenient by default.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lifeos_core::ical::{self, ImportOptions};
use lifeos_core::{CalendarEvent, CalendarEventId, EventStatus, Provider, UserId};
use lifeos_store::idempotency::{StoredResponse, Written, with_render};
use lifeos_store::{CalendarEventInput, UpsertBatch, UpsertCounts, Upserted};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::LifeOs;
use crate::error::{Error, Result};
use crate::respond::Respond;

/// How [`LifeOs::import_ics`] reads a file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IcsImportOptions {
    /// The provider recorded on events that do not name one. Default [`Provider::Ics`].
    pub provider: Provider,
    /// Refuse the whole file at its first unreadable event (and on bytes that are not
    /// UTF-8) instead of importing the rest. Default false.
    pub strict: bool,
    /// A keyed caller's answer, rendered inside the import's transaction (see
    /// [`IcsImportOptions::respond`]). Default none.
    pub respond: Option<Respond<ImportReport>>,
}

impl Default for IcsImportOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl IcsImportOptions {
    /// The defaults: provider `ics`, lenient.
    pub fn new() -> Self {
        IcsImportOptions {
            provider: Provider::Ics,
            strict: false,
            respond: None,
        }
    }

    /// Renders a keyed caller's answer inside the import: when it runs within the store's
    /// [`with_pending`](lifeos_store::idempotency::with_pending) (a request with an
    /// `Idempotency-Key`), `render` is given the report as the import's transaction
    /// wrote it and its answer is stored as the pending record in that transaction, so
    /// the events and the answer commit together (an unchanged file's too).
    pub fn respond(
        mut self,
        render: impl Fn(&ImportReport) -> Option<StoredResponse> + Send + Sync + 'static,
    ) -> Self {
        self.respond = Some(Respond::new(render));
        self
    }

    /// The provider of events that do not name one.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Whether one unreadable event refuses the whole file.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}

/// One problem met while importing, tied to a line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ImportProblem {
    /// The 1-based physical line at fault (0 when not tied to a line).
    pub line: usize,
    /// The event's `UID`, when known.
    pub uid: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What [`LifeOs::import_ics`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct ImportReport {
    /// Events created.
    pub imported: usize,
    /// Events that existed (same provider, `UID` and `RECURRENCE-ID`) and changed.
    pub updated: usize,
    /// Events that existed unchanged: nothing written, no event emitted.
    pub unchanged: usize,
    /// Of the events written, those written as cancelled: named by an iTIP
    /// `METHOD:CANCEL` (events of this file, or stored ones with the `UID` it names), or
    /// marked `STATUS:CANCELLED`.
    pub cancelled: usize,
    /// Events that could not be read and were skipped (each listed in `errors`).
    pub skipped: usize,
    /// Why each skipped event was skipped, in file order.
    pub errors: Vec<ImportProblem>,
    /// What was read with a caveat, in line order: lines that are not UTF-8 (read as
    /// Windows-1252), what real generators write against RFC 5545, and a `TZID` read
    /// through the file's own `VTIMEZONE` or as floating time.
    pub warnings: Vec<ImportProblem>,
    /// The ids of the events created or updated, in file order (series masters first).
    pub changed: Vec<CalendarEventId>,
}

impl ImportReport {
    /// Events created or updated by this file.
    pub fn written(&self) -> usize {
        self.imported + self.updated
    }
}

impl LifeOs {
    /// Imports the `VEVENT`s of an iCalendar file for `user`.
    ///
    /// Idempotent: an event is keyed by its provider, `UID` and `RECURRENCE-ID`, and
    /// fingerprinted by its content (unless the file carries `X-LIFEOS-ETAG`), so importing
    /// the same file again changes nothing and emits no event; an event whose content
    /// changed is updated. Lenient unless [`IcsImportOptions::strict`]: an event that
    /// cannot be read is skipped and reported with its line (one the store refuses, with
    /// its line and `UID`), and the others are imported. One transaction: a strict import writes all
    /// or nothing. When something was written, one `calendar.synced` event records the
    /// counts, in that transaction. A `UID` repeated in the file is one event (the last
    /// wins), counted once.
    ///
    /// # Errors
    /// [`Error::Ical`] when the file cannot be read at all (no `VCALENDAR`, or beyond the
    /// reader's size bounds; broken structure is repaired or skipped with a report), or
    /// in strict mode at its first unreadable event;
    /// [`Error::Invalid`] when the store refuses an event; [`Error::Storage`].
    pub async fn import_ics(
        &self,
        user: UserId,
        bytes: impl AsRef<[u8]>,
        options: IcsImportOptions,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let text = decode(bytes.as_ref(), options.strict, &mut report)?;
        let now = self.clock().now();
        let read_options = ImportOptions::new(user, options.provider, now);
        let mut read = self.with_rng(|rng| ical::import_lenient(&text, &read_options, rng))?;
        if options.strict {
            read = read.strict()?;
        }
        report
            .warnings
            .extend(read.warnings.into_iter().map(|w| ImportProblem {
                line: w.line,
                uid: None,
                message: w.message,
            }));
        report.warnings.sort_by_key(|w| w.line);
        report.skipped = read.skipped.len();
        report.errors = read
            .skipped
            .into_iter()
            .map(|s| ImportProblem {
                line: s.line,
                uid: s.uid,
                message: s.message,
            })
            .collect();
        let mut events = read.events;
        // Series masters first, so that their overrides find them.
        events.sort_by_key(|e| e.recurrence_id.is_some());
        // Each input with its line in the file, so that one the store refuses names it.
        let mut inputs: Vec<(usize, CalendarEventInput)> = events
            .into_iter()
            .map(|e| (read.lines.get(&e.id).copied().unwrap_or(0), keyed_input(e)))
            .collect();
        // Cancellations of events this file does not hold: the stored ones they name,
        // written in the same transaction as the file's events.
        let elsewhere: Vec<_> = read
            .cancellations
            .into_iter()
            .filter(|c| c.cancelled_in_file == 0)
            .collect();
        if !elsewhere.is_empty() {
            let stored: Vec<CalendarEvent> = self
                .store()
                .list_calendar_events(user, false)
                .await
                .map_err(Error::store("reading the calendar"))?
                .into_iter()
                .filter(|e| e.provider == options.provider)
                .collect();
            for c in elsewhere {
                let changes = self.with_rng(|rng| c.apply(&stored, now, rng));
                if changes.is_empty() {
                    report.skipped += 1;
                    report.errors.push(ImportProblem {
                        line: c.line,
                        uid: Some(c.uid.clone()),
                        message: format!("METHOD:CANCEL names no event with UID {:?}", c.uid),
                    });
                }
                for mut event in changes {
                    // Its content changed: a new fingerprint, not the stored one.
                    event.etag = None;
                    inputs.push((c.line, keyed_input(event)));
                }
            }
            report.errors.sort_by_key(|e| e.line);
        }
        let (lines, inputs): (Vec<usize>, Vec<CalendarEventInput>) =
            last_of_each_key(inputs, &mut report).into_iter().unzip();
        let uids: Vec<Option<String>> = inputs
            .iter()
            .map(|i| {
                i.external_id
                    .clone()
                    .filter(|x| !x.starts_with(DERIVED_KEY))
            })
            .collect();
        let cancelled: Vec<bool> = inputs
            .iter()
            .map(|i| i.status == EventStatus::Cancelled)
            .collect();
        // One transaction: strict, all or nothing; lenient, the events the store accepts
        // (each refused one reported), never a silent half.
        let batch = UpsertBatch::new()
            .lenient(!options.strict)
            .synced_from(options.provider);
        let upsert = self.store().upsert_calendar_events(user, inputs, batch);
        let answers = match &options.respond {
            Some(respond) => {
                // The report as the transaction wrote it, rendered inside it.
                let (draft, respond) = (report.clone(), respond.clone());
                let (uids, cancelled, lines) = (uids.clone(), cancelled.clone(), lines.clone());
                let render = move |w: Written<'_>| match w {
                    Written::CalendarBatch(answers) => {
                        let mut report = draft.clone();
                        tally(&mut report, answers, &uids, &cancelled, &lines);
                        respond.render(&report)
                    }
                    _ => None,
                };
                with_render(render, upsert).await
            }
            None => upsert.await,
        }
        .map_err(Error::store("saving the imported events"))?;
        tally(&mut report, &answers, &uids, &cancelled, &lines);
        Ok(report)
    }
}

/// Counts a batch's answers into `report`: created, updated and unchanged events, the
/// cancelled ones written, the ids changed, and each refused event as skipped with its
/// line and `UID` (`uids`, `cancelled` and `lines` are per input, in the batch's order);
/// errors and warnings end in line order.
fn tally(
    report: &mut ImportReport,
    answers: &[std::result::Result<Upserted<CalendarEvent>, lifeos_store::Error>],
    uids: &[Option<String>],
    cancelled: &[bool],
    lines: &[usize],
) {
    let counts = UpsertCounts::of(answers);
    report.imported = counts.created;
    report.updated = counts.updated;
    report.unchanged = counts.unchanged;
    for (((answer, uid), cancelled), line) in answers.iter().zip(uids).zip(cancelled).zip(lines) {
        match answer {
            Ok(Upserted::Created(e) | Upserted::Updated(e)) => {
                if !report.changed.contains(&e.id) {
                    report.changed.push(e.id);
                }
                if *cancelled {
                    report.cancelled += 1;
                }
            }
            Ok(_) => {}
            Err(e) => {
                report.skipped += 1;
                report.errors.push(ImportProblem {
                    line: *line,
                    uid: uid.clone(),
                    message: e.to_string(),
                });
            }
        }
    }
    report.errors.sort_by_key(|e| e.line);
    report.warnings.sort_by_key(|w| w.line);
}

/// The file as text: UTF-8, each line that is not read as Windows-1252 with a warning
/// (lenient), or refused at its first such line (strict).
fn decode(bytes: &[u8], strict: bool, report: &mut ImportReport) -> Result<String> {
    let (text, warnings) = ical::decode(bytes);
    if strict && let Some(first) = warnings.first() {
        return Err(Error::Ical {
            line: first.line,
            message: "bytes that are not UTF-8".to_owned(),
        });
    }
    report
        .warnings
        .extend(warnings.into_iter().map(|w| ImportProblem {
            line: w.line,
            uid: None,
            message: w.message,
        }));
    Ok(text.into_owned())
}

/// The inputs with one per key (`UID` and `RECURRENCE-ID`): a key repeated in the file is
/// one event, the last occurrence wins (as a calendar client reading the file top to
/// bottom would keep it), with a warning. Order otherwise kept.
fn last_of_each_key(
    inputs: Vec<(usize, CalendarEventInput)>,
    report: &mut ImportReport,
) -> Vec<(usize, CalendarEventInput)> {
    let key = |(_, i): &(usize, CalendarEventInput)| {
        let recurrence = i
            .recurrence_id
            .as_ref()
            .map(|r| serde_json::to_string(r).unwrap_or_default());
        (i.external_id.clone(), recurrence)
    };
    let mut last: HashMap<_, usize> = HashMap::new();
    for (n, input) in inputs.iter().enumerate() {
        last.insert(key(input), n);
    }
    let mut out = Vec::with_capacity(last.len());
    for (n, input) in inputs.into_iter().enumerate() {
        let k = key(&input);
        if last.get(&k) == Some(&n) {
            out.push(input);
        } else if let Some(uid) = k.0.filter(|x| !x.starts_with(DERIVED_KEY)) {
            report.warnings.push(ImportProblem {
                line: input.0,
                message: format!("UID {uid:?} appears more than once; the last one is kept"),
                uid: Some(uid),
            });
        }
    }
    out
}

/// The prefix of the key given to an event without a `UID`.
const DERIVED_KEY: &str = "lifeos-ics:";

/// The store input for an imported event, with a content fingerprint as its etag (so an
/// unchanged event is recognised) and, for an event without a `UID`, a key derived from
/// that fingerprint (so it is not created twice).
fn keyed_input(event: CalendarEvent) -> CalendarEventInput {
    let fingerprint = fingerprint(&event);
    let mut input = CalendarEventInput::from(event);
    if input.etag.is_none() {
        input.etag = Some(format!("ics:{fingerprint}"));
    }
    if input.external_id.is_none() {
        input.external_id = Some(format!("{DERIVED_KEY}{fingerprint}"));
    }
    input
}

/// A SHA-256 of what the file says about the event (not the ids and times LifeOS assigns
/// on reading), as 32 hex digits.
fn fingerprint(event: &CalendarEvent) -> String {
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let mut content = event.clone();
    content.id = CalendarEventId::from_uuid(uuid::Uuid::nil());
    content.user_id = lifeos_core::UserId::from_uuid(uuid::Uuid::nil());
    content.series_id = None;
    content.created_at = epoch;
    content.updated_at = epoch;
    content.synced_at = None;
    // Serialising a plain data type cannot fail; an empty text would only weaken the key.
    let json = serde_json::to_string(&content).unwrap_or_default();
    // `version` (the last field) is LifeOS's count of changes, and stored fingerprints
    // predate it: left out, so they stay what they were. Inside a JSON string the quote
    // would be escaped, so the last `,"version":` is the field.
    let json = match json.rfind(",\"version\":") {
        Some(i) => format!("{}}}", &json[..i]),
        None => json,
    };
    let digest = Sha256::digest(json.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
