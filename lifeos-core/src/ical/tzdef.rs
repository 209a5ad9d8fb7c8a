//! Resolving the `TZID`s an imported file uses (issue 14's order): an IANA name, the same
//! name in any case, a Windows or Outlook name, a known alias or prefix
//! (`/mozilla.org/20050126_1/Europe/Berlin`), and otherwise the file's own `VTIMEZONE`
//! definition. A definition's offsets come from its `STANDARD` and `DAYLIGHT` observances
//! (their `DTSTART`, `RRULE` and `RDATE`, RFC 5545 section 3.6.5); it is read as the IANA
//! zone whose offsets equal them over the years the file's times use, preferring the zone
//! its `X-LIC-LOCATION` names when that one matches (where they disagree, the definition
//! wins), then one its `TZID` spells with another separator (`Europe_Amsterdam`), then
//! the zones of the Windows table, then every other. A definition no IANA zone matches
//! keeps its own offsets: its times become instants. A `TZID` with no definition at all is
//! read as floating time (the user's zone). Names are read in `tzname.rs`, observances in
//! `observance.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};

use super::observance::{Observance, observances};
use super::parse::{Component, split_list};
use super::tzname::{clean, hinted_zones, named_zone};
use super::windows::preferred_zones;
use crate::calendar::EventTime;
use crate::recurrence::{Series, Window};

/// At most this many years of a file's span are compared against IANA zones.
const MAX_SPAN_YEARS: i32 = 50;

/// How the times written with one `TZID` are read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reading {
    /// In an IANA zone.
    Zone(Tz),
    /// With the file's own definition's offsets, as instants.
    Offsets(Definition),
    /// As floating time.
    Floating,
}

/// A warning about how a `TZID` was read, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TzWarning {
    pub line: usize,
    pub message: String,
}

/// The reading of every `TZID` a file uses, decided once per `TZID`.
#[derive(Debug, Default)]
pub(crate) struct Zones {
    readings: BTreeMap<String, Reading>,
}

impl Zones {
    /// Decides how each `TZID` used in `events` is read, given the file's `VTIMEZONE`
    /// components; the warnings say where a time is not read in a zone named by the file.
    pub(crate) fn resolve(
        vtimezones: &[&Component],
        events: &[&Component],
    ) -> (Zones, Vec<TzWarning>) {
        let mut definitions: BTreeMap<String, &Component> = BTreeMap::new();
        for c in vtimezones {
            if let Some(id) = c.get("TZID") {
                definitions.entry(clean(&id.value).to_string()).or_insert(c);
            }
        }
        // Each TZID's first use and the years its values fall in.
        let mut uses: BTreeMap<String, (usize, i32, i32)> = BTreeMap::new();
        for event in events {
            for p in &event.properties {
                let Some(tzid) = p.param("TZID") else {
                    continue;
                };
                for value in split_list(&p.value) {
                    let year = value
                        .trim()
                        .get(..4)
                        .and_then(|y| y.parse::<i32>().ok())
                        .unwrap_or(1970);
                    let entry = uses
                        .entry(clean(tzid).to_string())
                        .or_insert((p.line, year, year));
                    entry.0 = entry.0.min(p.line);
                    entry.1 = entry.1.min(year);
                    entry.2 = entry.2.max(year);
                }
            }
        }
        let mut zones = Zones::default();
        let mut warnings = Vec::new();
        for (tzid, (line, first, last)) in uses {
            let reading = match named_zone(&tzid) {
                Some(tz) => Reading::Zone(tz),
                None => match definitions.get(&tzid) {
                    None => {
                        warnings.push(TzWarning {
                            line,
                            message: format!(
                                "TZID {tzid:?} is not a known time zone and the file has no VTIMEZONE for it: its times are read as floating (the user's zone)"
                            ),
                        });
                        Reading::Floating
                    }
                    Some(c) => match Definition::parse(c) {
                        Err(problem) => {
                            warnings.push(TzWarning {
                                line: c.line,
                                message: format!(
                                    "the VTIMEZONE of TZID {tzid:?} cannot be read ({problem}): its times are read as floating (the user's zone)"
                                ),
                            });
                            Reading::Floating
                        }
                        Ok(definition) => {
                            let last = last.max(first + 1).min(first + MAX_SPAN_YEARS);
                            let (reading, warning) = definition.reading(first, last);
                            warnings.extend(warning);
                            reading
                        }
                    },
                },
            };
            zones.readings.insert(tzid, reading);
        }
        (zones, warnings)
    }

    /// The time `local` written with `tzid`, or `None` when it cannot be represented.
    pub(crate) fn read(&self, tzid: &str, local: NaiveDateTime) -> Option<EventTime> {
        let tzid = clean(tzid);
        match self.readings.get(tzid) {
            Some(Reading::Zone(tz)) => Some(EventTime::Zoned { local, tz: *tz }),
            Some(Reading::Offsets(definition)) => {
                let offset = definition.offset_for_local(local);
                local
                    .checked_sub_signed(Duration::seconds(i64::from(offset)))
                    .map(|t| EventTime::Utc(t.and_utc()))
            }
            Some(Reading::Floating) => Some(EventTime::Floating(local)),
            // Every TZID of the events was resolved; another component's TZID is read by name.
            None => named_zone(tzid)
                .map(|tz| EventTime::Zoned { local, tz })
                .or(Some(EventTime::Floating(local))),
        }
    }
}

/// A file's `VTIMEZONE`: its observances and its `X-LIC-LOCATION`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Definition {
    tzid: String,
    location: Option<String>,
    observances: Vec<Observance>,
    line: usize,
    /// Onsets as (UTC seconds, offset after), sorted; filled by [`Definition::reading`].
    onsets: Vec<(i64, i32)>,
}

/// `tz`'s offset (seconds east of UTC) at UTC second `t`.
fn tz_offset(tz: Tz, t: i64) -> Option<i32> {
    DateTime::<Utc>::from_timestamp(t, 0).map(|t| {
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    })
}

fn year_start(year: i32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
}

impl Definition {
    /// Reads the observances of a `VTIMEZONE`.
    fn parse(c: &Component) -> Result<Definition, String> {
        let observances = observances(c)?;
        if observances.is_empty() {
            return Err("it has no STANDARD or DAYLIGHT observance".into());
        }
        Ok(Definition {
            tzid: c
                .get("TZID")
                .map(|p| clean(&p.value).to_string())
                .unwrap_or_default(),
            location: c.get("X-LIC-LOCATION").map(|p| clean(&p.value).to_string()),
            observances,
            line: c.line,
            onsets: Vec::new(),
        })
    }

    /// The onsets of every observance from `first - 2` through `last + 1` (local years),
    /// as (UTC seconds, offset after), sorted. Earlier onsets do not matter: the offset
    /// at the span's start is set by the latest onset before it, which yearly rules put
    /// within the year before.
    fn compute_onsets(&mut self, first: i32, last: i32) {
        let (Some(from), Some(to)) = (year_start(first - 2), year_start(last + 2)) else {
            return;
        };
        let mut onsets = Vec::new();
        for o in &self.observances {
            let mut locals = vec![o.start];
            locals.extend(o.rdates.iter().copied());
            if let Some(rule) = &o.rule
                && let Ok(series) =
                    Series::from_rule(EventTime::Floating(o.start), Some(rule.clone()))
                && let Ok(expansion) = series.expand(&Window::Local { from, to })
            {
                locals.extend(
                    expansion
                        .occurrences
                        .iter()
                        .filter_map(|occ| match occ.start {
                            EventTime::Floating(t) => Some(t),
                            _ => None,
                        }),
                );
            }
            for local in locals {
                if local < from || local >= to {
                    continue;
                }
                let utc = local.and_utc().timestamp() - i64::from(o.from);
                onsets.push((utc, o.to));
            }
        }
        onsets.sort_unstable();
        onsets.dedup();
        if onsets.is_empty() {
            // No onset in the span: the observance starting last before it is in force.
            if let Some(o) = self
                .observances
                .iter()
                .filter(|o| o.start < from)
                .max_by_key(|o| o.start)
            {
                onsets.push((i64::MIN, o.to));
            }
        }
        self.onsets = onsets;
    }

    /// The offset in force at UTC second `t`.
    fn offset_at(&self, t: i64) -> i32 {
        match self.onsets.partition_point(|(at, _)| *at <= t) {
            0 => self
                .observances
                .iter()
                .min_by_key(|o| o.start)
                .map_or(0, |o| o.from),
            n => self.onsets[n - 1].1,
        }
    }

    /// The offset a local time is read with: the one in force at the instant it names (in
    /// a gap or an overlap, the offset before the change, as RFC 5545 reads such times).
    fn offset_for_local(&self, local: NaiveDateTime) -> i32 {
        let l = local.and_utc().timestamp();
        let mut offsets: Vec<i32> = self.onsets.iter().map(|(_, o)| *o).collect();
        offsets.extend(self.observances.iter().map(|o| o.from));
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        offsets.dedup();
        // The largest offset is the earliest instant: in an overlap, the first reading.
        for o in &offsets {
            if self.offset_at(l - i64::from(*o)) == *o {
                return *o;
            }
        }
        // In a gap: the offset in force just before it.
        let earliest = offsets.first().copied().unwrap_or(0);
        self.offset_at(l - i64::from(earliest) - 1)
    }

    /// Whether `tz` has this definition's offsets at every second of local years
    /// `first..=last`: equal at each of the definition's onsets and the second before it,
    /// and at noon UTC of every day (which finds any change of `tz` the definition lacks).
    fn matches(&self, tz: Tz, first: i32, last: i32) -> bool {
        let (Some(start), Some(end)) = (year_start(first), year_start(last + 1)) else {
            return false;
        };
        let (start, end) = (start.and_utc().timestamp(), end.and_utc().timestamp());
        let same = |t: i64| tz_offset(tz, t) == Some(self.offset_at(t));
        for (at, _) in self
            .onsets
            .iter()
            .filter(|(at, _)| (start..end).contains(at))
        {
            if !same(*at) || !same(at - 1) {
                return false;
            }
        }
        (0..)
            .map(|day| start + 43_200 + day * 86_400)
            .take_while(|t| *t < end)
            .all(same)
    }

    /// How this definition's times are read over local years `first..=last`, and the
    /// warning to give, if any.
    fn reading(mut self, first: i32, last: i32) -> (Reading, Option<TzWarning>) {
        self.compute_onsets(first, last);
        let located = self.location.as_deref().and_then(|l| l.parse::<Tz>().ok());
        // Zones the TZID's own words suggest ("Europe_Amsterdam") come next: the definition
        // still decides, but the usual match is then the first tried, not one of 600.
        // Lazily, each zone once (the preferred ones are in TZ_VARIANTS too): building the
        // whole list cost more than the usual search.
        let mut seen = vec![false; TZ_VARIANTS.len()];
        let candidates = located
            .into_iter()
            .chain(hinted_zones(&self.tzid))
            .chain(preferred_zones())
            .chain(TZ_VARIANTS.iter().copied())
            .filter(move |tz| match seen.get_mut(*tz as usize) {
                Some(s) => !std::mem::replace(s, true),
                None => true,
            });
        let years = if first == last {
            format!("{first}")
        } else {
            format!("{first}–{last}")
        };
        // A cheap first look before the full check: noon UTC of the span's first
        // January 1 and July 1, which tells zones with and without DST (and either
        // hemisphere) apart.
        let samples: Vec<(i64, i32)> = [(1, 1), (7, 1)]
            .iter()
            .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(first, m, d))
            .map(|d| {
                let t = d
                    .and_hms_opt(12, 0, 0)
                    .map_or(0, |t| t.and_utc().timestamp());
                (t, self.offset_at(t))
            })
            .collect();
        let quick = |tz: Tz| samples.iter().all(|&(t, o)| tz_offset(tz, t) == Some(o));
        let found = candidates
            .into_iter()
            .find(|tz| quick(*tz) && self.matches(*tz, first, last));
        match found {
            Some(tz) => {
                let warning = match (&self.location, located) {
                    (Some(location), Some(named)) if named != tz => Some(TzWarning {
                        line: self.line,
                        message: format!(
                            "TZID {:?}: X-LIC-LOCATION {location} disagrees with the VTIMEZONE's offsets; read as {} (its offsets match over {years})",
                            self.tzid,
                            tz.name()
                        ),
                    }),
                    _ => None,
                };
                (Reading::Zone(tz), warning)
            }
            None => {
                let warning = TzWarning {
                    line: self.line,
                    message: format!(
                        "TZID {:?}: no IANA time zone has the offsets of its VTIMEZONE over {years}; its times are read with those offsets as fixed instants, so recurring events will not follow later rule changes",
                        self.tzid
                    ),
                };
                (Reading::Offsets(self), Some(warning))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::parse::parse;

    fn zones_of(text: &str) -> (Zones, Vec<TzWarning>) {
        let top = parse(text).expect("parses").components;
        let cal = &top[0];
        let tzs: Vec<&Component> = cal
            .children
            .iter()
            .filter(|c| c.name == "VTIMEZONE")
            .collect();
        let events: Vec<&Component> = cal.children.iter().filter(|c| c.name == "VEVENT").collect();
        Zones::resolve(&tzs, &events)
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").expect("a local time")
    }

    /// Outlook's custom definition of US Eastern time (rules since 2007), under a name
    /// that is no IANA or Windows zone.
    const CUSTOM_EASTERN: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Customized Time Zone:20250310T090000\r\nDTEND;TZID=Customized Time Zone:20260310T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_custom_definition_follows_its_rules_and_matches_the_iana_zone() {
        let top = parse(CUSTOM_EASTERN).expect("parses").components;
        let tz = top[0]
            .children
            .iter()
            .find(|c| c.name == "VTIMEZONE")
            .expect("a VTIMEZONE");
        let mut definition = Definition::parse(tz).expect("reads");
        definition.compute_onsets(2025, 2026);
        // Its offsets equal New York's at every hour of both years.
        let ny = chrono_tz::America::New_York;
        let start = year_start(2025).expect("a date").and_utc().timestamp();
        for hour in 0..(2 * 365 * 24) {
            let t = start + hour * 3600;
            let expected = ny
                .offset_from_utc_datetime(
                    &DateTime::<Utc>::from_timestamp(t, 0)
                        .expect("in range")
                        .naive_utc(),
                )
                .fix()
                .local_minus_utc();
            assert_eq!(definition.offset_at(t), expected, "at {t}");
        }
        let (zones, warnings) = zones_of(CUSTOM_EASTERN);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            zones.read("Customized Time Zone", local("20250310T090000")),
            Some(EventTime::Zoned {
                local: local("20250310T090000"),
                tz: ny
            })
        );
    }

    #[test]
    fn the_definition_wins_over_a_disagreeing_location() {
        let text = CUSTOM_EASTERN.replace(
            "TZID:Customized Time Zone\r\n",
            "TZID:Customized Time Zone\r\nX-LIC-LOCATION:Europe/Paris\r\n",
        );
        let (zones, warnings) = zones_of(&text);
        assert_eq!(
            zones.read("Customized Time Zone", local("20250310T090000")),
            Some(EventTime::Zoned {
                local: local("20250310T090000"),
                tz: chrono_tz::America::New_York
            })
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0]
                .message
                .contains("X-LIC-LOCATION Europe/Paris disagrees"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_location_that_agrees_is_preferred() {
        let text = CUSTOM_EASTERN.replace(
            "TZID:Customized Time Zone\r\n",
            "TZID:Customized Time Zone\r\nX-LIC-LOCATION:America/Toronto\r\n",
        );
        let (zones, warnings) = zones_of(&text);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            zones.read("Customized Time Zone", local("20250310T090000")),
            Some(EventTime::Zoned {
                local: local("20250310T090000"),
                tz: chrono_tz::America::Toronto
            })
        );
    }

    #[test]
    fn a_definition_no_zone_matches_keeps_its_offsets_as_instants() {
        // DST from the first Sunday of June to the first Sunday of September at +0317.
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Odd\r\nBEGIN:STANDARD\r\nDTSTART:20000903T030000\r\nTZOFFSETFROM:+0317\r\nTZOFFSETTO:+0217\r\nRRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:20000604T020000\r\nTZOFFSETFROM:+0217\r\nTZOFFSETTO:+0317\r\nRRULE:FREQ=YEARLY;BYMONTH=6;BYDAY=1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Odd:20250110T120000\r\nDTEND;TZID=Odd:20250710T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (zones, warnings) = zones_of(text);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].message.contains("no IANA time zone"),
            "{warnings:?}"
        );
        let utc = |s: &str| EventTime::Utc(local(s).and_utc());
        // Winter: +02:17; summer: +03:17.
        assert_eq!(
            zones.read("Odd", local("20250110T120000")),
            Some(utc("20250110T094300"))
        );
        assert_eq!(
            zones.read("Odd", local("20250710T120000")),
            Some(utc("20250710T084300"))
        );
    }

    #[test]
    fn an_rdate_observance_and_a_fixed_zone() {
        // A zone with no DST written as one STANDARD observance: India's +0530.
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:My India\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=My India:20250110T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (zones, warnings) = zones_of(text);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            zones.read("My India", local("20250110T120000")),
            Some(EventTime::Zoned {
                local: local("20250110T120000"),
                tz: chrono_tz::Asia::Kolkata
            })
        );
        // Explicit RDATE onsets (no rule) for two years of Central European time.
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:CET by dates\r\nBEGIN:DAYLIGHT\r\nDTSTART:20240331T020000\r\nRDATE:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:20231029T030000\r\nRDATE:20241027T030000,20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=CET by dates:20250110T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        // Its onsets stop after 2025, while Berlin's go on in 2026: over 2025–2026 no IANA
        // zone matches, so the onsets it lists are read as instants.
        let (zones, warnings) = zones_of(text);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let utc = |s: &str| Some(EventTime::Utc(local(s).and_utc()));
        assert_eq!(
            zones.read("CET by dates", local("20250701T120000")),
            utc("20250701T100000")
        );
        assert_eq!(
            zones.read("CET by dates", local("20251201T120000")),
            utc("20251201T110000")
        );
        // The repeated hour of 2025-10-26 is read with the offset before the change.
        assert_eq!(
            zones.read("CET by dates", local("20251026T023000")),
            utc("20251026T003000")
        );
    }

    #[test]
    fn a_tzid_without_definition_is_floating_with_a_warning() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Nowhere/Special:20250110T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (zones, warnings) = zones_of(text);
        assert_eq!(
            zones.read("Nowhere/Special", local("20250110T120000")),
            Some(EventTime::Floating(local("20250110T120000")))
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 4);
        assert!(warnings[0].message.contains("floating"), "{warnings:?}");
    }
}
