//! Windows time-zone names (as Outlook and Exchange write them in `TZID`) to IANA zones,
//! after CLDR's `windowsZones.xml` (territory 001), plus Outlook's display names.

use chrono_tz::Tz;

const WINDOWS: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Central Standard Time", "America/Chicago"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time (Mexico)", "America/Cancun"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("Myanmar Standard Time", "Asia/Yangon"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("Lord Howe Standard Time", "Australia/Lord_Howe"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Chatham Islands Standard Time", "Pacific/Chatham"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
];

/// Outlook's display names (`(UTC-05:00) Eastern Time (US & Canada)`, prefix removed).
const DISPLAY: &[(&str, &str)] = &[
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Central Time (US & Canada)", "America/Chicago"),
    ("Mountain Time (US & Canada)", "America/Denver"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("Arizona", "America/Phoenix"),
    ("Alaska", "America/Anchorage"),
    ("Hawaii", "Pacific/Honolulu"),
    ("Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    (
        "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
        "Europe/Berlin",
    ),
    ("Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    (
        "Belgrade, Bratislava, Budapest, Ljubljana, Prague",
        "Europe/Budapest",
    ),
    ("Sarajevo, Skopje, Warsaw, Zagreb", "Europe/Warsaw"),
    (
        "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius",
        "Europe/Kyiv",
    ),
    ("Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
    ("Osaka, Sapporo, Tokyo", "Asia/Tokyo"),
    ("Canberra, Melbourne, Sydney", "Australia/Sydney"),
    ("Auckland, Wellington", "Pacific/Auckland"),
    ("Kathmandu", "Asia/Kathmandu"),
    ("Adelaide", "Australia/Adelaide"),
    ("Coordinated Universal Time", "Etc/UTC"),
];

/// The IANA zones the Windows table maps to, in its order and without repeats: the zones
/// most calendars use, tried first when a file's own `VTIMEZONE` is matched to a zone.
pub(crate) fn preferred_zones() -> impl Iterator<Item = Tz> {
    let mut seen = std::collections::HashSet::new();
    WINDOWS
        .iter()
        .filter_map(|(_, iana)| iana.parse::<Tz>().ok())
        .filter(move |tz| seen.insert(*tz))
}

/// The IANA zone for a Windows zone name or Outlook display name, if known.
pub fn windows_zone(name: &str) -> Option<Tz> {
    let name = name.trim();
    let lookup = |table: &[(&str, &str)], key: &str| {
        table
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(key))
            .and_then(|(_, iana)| iana.parse::<Tz>().ok())
    };
    if let Some(tz) = lookup(WINDOWS, name) {
        return Some(tz);
    }
    // "(UTC-05:00) Eastern Time (US & Canada)"
    let display = match name.strip_prefix('(') {
        Some(rest) => rest.split_once(')').map_or(name, |(_, d)| d.trim()),
        None => name,
    };
    lookup(DISPLAY, display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_a_known_zone() {
        for (w, iana) in WINDOWS.iter().chain(DISPLAY) {
            assert!(iana.parse::<Tz>().is_ok(), "{w} -> {iana}");
        }
        assert_eq!(
            windows_zone("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            windows_zone("(UTC-05:00) Eastern Time (US & Canada)"),
            Some(chrono_tz::America::New_York)
        );
    }
}
