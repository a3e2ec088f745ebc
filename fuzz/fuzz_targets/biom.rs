//! `Collection::to_biom` (BIOM 1.0 export): a taxonomy without root or with a cycle is
//! `invalid_response`; a document's shape matches its rows, columns and sparse data.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onecodex_fuzz::{check_typed, CollectionSpec, BODY};

#[derive(Arbitrary, Debug)]
struct Input {
    collection: CollectionSpec,
    biom_id: Option<u8>,
}

fuzz_target!(|input: Input| {
    let Some(c) = input.collection.build() else {
        return;
    };
    let id = input.biom_id.map(|b| format!("biom{b}"));
    let doc = match c.to_biom(id.as_deref(), "2024-01-02T03:04:05") {
        Ok(d) => d,
        Err(e) => return check_typed(&e, BODY),
    };
    let rows = doc["rows"].as_array().expect("rows");
    let cols = doc["columns"].as_array().expect("columns");
    assert_eq!(cols.len(), c.len());
    assert_eq!(doc["shape"], serde_json::json!([rows.len(), cols.len()]));
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().expect("row id")).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "row ids not sorted and unique");
    for r in rows {
        assert_eq!(r["metadata"]["taxonomy"].as_array().map(Vec::len), Some(8));
    }
    for d in doc["data"].as_array().expect("data") {
        let (r, col) = (d[0].as_u64().expect("row"), d[1].as_u64().expect("column"));
        assert!((r as usize) < rows.len() && (col as usize) < cols.len());
        assert!(d[2].is_i64());
    }
    for col in cols {
        let meta = col["metadata"].as_object().expect("column metadata");
        assert!(!meta.contains_key("$uri") && !meta.contains_key("sample"));
    }
});
