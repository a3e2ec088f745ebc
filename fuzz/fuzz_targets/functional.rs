//! `FunctionalTable::parse` (server `/results` of a functional profile): bad bodies are
//! `invalid_response`; a parsed table filters and exports without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::results::FunctionalTable;
use onecodex_fuzz::{check_typed, BODY};

fuzz_target!(|data: &[u8]| {
    let t = match FunctionalTable::parse(data) {
        Ok(t) => t,
        Err(e) => return check_typed(&e, BODY),
    };
    assert_eq!(t.rows().count(), t.len());
    assert_eq!(t.values().len(), t.len());
    let csv = t.to_csv();
    assert!(csv.lines().count() > t.len());
    // Filtering keeps a subset, whatever the group names are.
    let first_group = t.rows().next().and_then(|r| r.group_name.map(str::to_owned));
    for group in [None, first_group.as_deref(), Some("pathways")] {
        for stratified in [false, true] {
            let f = t.filter(group, stratified);
            assert!(f.len() <= t.len());
            let _ = f.to_csv();
        }
    }
});
