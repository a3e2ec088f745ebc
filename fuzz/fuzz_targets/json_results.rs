//! JSON results (MLST and panels `MlstResults::parse`, any other `parse_json_results`) and the
//! sample metadata table built from such values: bad bodies are `invalid_response`, the typed
//! views refuse wrong types with `invalid_response`, and the table is rectangular.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::results::{metadata_table, parse_json_results, MetadataItem, MlstResults};
use onecodex_fuzz::{check_typed, BODY};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let value = match parse_json_results(data) {
        Ok(v) => v,
        Err(e) => {
            check_typed(&e, BODY);
            let e = MlstResults::parse(data).expect_err("MLST parse of a body that is not JSON");
            return check_typed(&e, BODY);
        }
    };
    match MlstResults::parse(data) {
        Ok(m) => {
            assert!(value.is_object());
            assert_eq!(m.raw, value);
            let errors = [m.results().err(), m.summary().err(), m.panel_markers().err()];
            for e in errors.into_iter().flatten() {
                check_typed(&e, BODY);
            }
        }
        Err(e) => {
            assert!(!value.is_object());
            check_typed(&e, BODY);
        }
    }
    // Collection items as the API returns them: {sample, metadata, classification_id?}.
    let list = match &value {
        Value::Array(a) => a.clone(),
        v => vec![v.clone()],
    };
    let items: Vec<MetadataItem> = list
        .iter()
        .map(|v| MetadataItem {
            classification_id: v.get("classification_id").and_then(Value::as_str).map(str::to_owned),
            sample: v.get("sample").cloned().unwrap_or(Value::Null),
            metadata: v.get("metadata").cloned().unwrap_or(Value::Null),
            project_name: v.get("project_name").and_then(Value::as_str).map(str::to_owned),
        })
        .collect();
    let t = metadata_table(&items);
    assert_eq!(t.rows.len(), items.len());
    assert!(t.columns.len() >= 19);
    assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
    assert!(t.index == "classification_id" || t.index == "sample_id");
});
