//! The IANA zone a `TZID` names by its text alone (issue 14's order: an IANA name, the
//! same name in any case, a Windows or Outlook name, an alias or prefixed name), and the
//! zones its words suggest when it names none, tried first when its `VTIMEZONE` is matched.

use chrono_tz::{TZ_VARIANTS, Tz};

use super::windows::windows_zone;

/// A `TZID` value without surrounding spaces and quotes (`"W. Europe Standard Time"`).
pub(crate) fn clean(tzid: &str) -> &str {
    tzid.trim().trim_matches('"')
}

/// The IANA zone a `TZID` names by itself: an IANA name, in any case, a Windows or Outlook
/// name, or an alias or prefixed name.
pub(crate) fn named_zone(tzid: &str) -> Option<Tz> {
    let tzid = clean(tzid);
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Some(tz);
    }
    if let Some(tz) = TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(tzid))
    {
        return Some(*tz);
    }
    if let Some(tz) = windows_zone(tzid) {
        return Some(tz);
    }
    // RFC 2445's own examples write "US-Eastern" for the "US/Eastern" alias.
    if !tzid.contains('/')
        && let Some((area, place)) = tzid.split_once('-')
        && let Some(tz) = TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(&format!("{area}/{place}")))
    {
        return Some(*tz);
    }
    // "/mozilla.org/20050126_1/America/New_York", "/softwarestudio.org/Olson_20011030_5/...".
    let segments: Vec<&str> = tzid.split('/').filter(|s| !s.is_empty()).collect();
    for take in (1..=segments.len().min(3)).rev() {
        let candidate = segments[segments.len() - take..].join("/");
        if let Some(tz) = TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(&candidate))
        {
            return Some(*tz);
        }
    }
    None
}

/// Zones a `TZID` that names no zone suggests, for matching its definition first: the
/// name with `_`, `-` or a space between area and place read as `/` (`Europe_Amsterdam`,
/// `America-New_York`). An exact IANA name only: cheap, and a guess the definition
/// still has to confirm.
pub(crate) fn hinted_zones(tzid: &str) -> Vec<Tz> {
    let tzid = clean(tzid);
    let mut out: Vec<Tz> = Vec::new();
    for sep in ['_', '-', ' '] {
        if let Some((area, place)) = tzid.split_once(sep)
            && let Ok(tz) = format!("{area}/{place}").parse::<Tz>()
            && !out.contains(&tz)
        {
            out.push(tz);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case_aliases_and_prefixes() {
        assert_eq!(named_zone("europe/berlin"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(named_zone("US/Eastern"), Some(chrono_tz::US::Eastern));
        assert_eq!(named_zone("US-Eastern"), Some(chrono_tz::US::Eastern));
        assert_eq!(named_zone("Not-AZone"), None);
        assert_eq!(
            named_zone("/mozilla.org/20050126_1/America/New_York"),
            Some(chrono_tz::America::New_York)
        );
        assert_eq!(
            named_zone("\"W. Europe Standard Time\""),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(named_zone("Customized Time Zone"), None);
    }

    #[test]
    fn words_of_a_tzid_suggest_zones() {
        assert_eq!(
            hinted_zones("Europe_Amsterdam"),
            vec![chrono_tz::Europe::Amsterdam]
        );
        assert_eq!(
            hinted_zones("\"America-New_York\""),
            vec![chrono_tz::America::New_York]
        );
        assert_eq!(hinted_zones("IndianReunion"), vec![]);
        assert_eq!(hinted_zones("Reunion Standard Time"), vec![]);
    }
}
