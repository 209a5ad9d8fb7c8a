//! `.ics` import: no panic, no hang; what imports exports and imports again.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use lifeos_core::ical::{ImportOptions, export, import};
use lifeos_core::{Provider, UserId};

struct Counter(u64);

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut rng = Counter(1);
    let user = UserId::generate(now, &mut rng);
    let options = ImportOptions::new(user, Provider::Ics, now);
    if let Ok(events) = import(text, &options, &mut rng) {
        let out = export(&events);
        let again = import(&out, &options, &mut rng);
        assert!(again.is_ok(), "{out}");
    }
});
