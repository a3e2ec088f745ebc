//! `ClassificationTable::parse` (any compression, then the streaming JSON parser): bad bodies
//! are `invalid_response`; a parsed table round-trips through `to_json`, and every accessor and
//! export works on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::error::ErrorCode;
use onecodex_core::results::{ClassificationTable, Field, COLUMN_NAMES};
use onecodex_fuzz::{check_typed, BODY};

/// Equal, both null, or one ULP apart: serde_json's default float parsing is best-effort (not
/// correctly rounded; its `float_roundtrip` feature would cost ~9 KB gzip of wasm), so a printed
/// shortest-form float can parse back one ULP away. Pinned by a unit test in classification.rs.
fn same_number(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan()) || (a.to_bits() as i64 - b.to_bits() as i64).abs() <= 1
}

fn assert_same(a: &ClassificationTable, b: &ClassificationTable) {
    assert_eq!(a.len(), b.len());
    match (a.n_reads(), b.n_reads()) {
        (Some(x), Some(y)) => assert!(same_number(x, y), "n_reads {x} != {y}"),
        (x, y) => assert_eq!(x, y),
    }
    assert_eq!(a.host_tax_ids(), b.host_tax_ids());
    for f in Field::ALL {
        assert_eq!(a.has_field(f), b.has_field(f), "{f:?}");
    }
    for (x, y) in a.rows().zip(b.rows()) {
        assert_eq!((x.tax_id, x.name, x.rank, x.parent_tax_id), (y.tax_id, y.name, y.rank, y.parent_tax_id));
        let nums = |r: &onecodex_core::results::Row| {
            [
                r.readcount,
                r.readcount_w_children,
                r.abundance,
                r.abundance_w_children,
                r.filtered_readcount,
                r.filtered_readcount_w_children,
            ]
        };
        for (u, v) in nums(&x).into_iter().zip(nums(&y)) {
            assert!(same_number(u, v), "{u} != {v} for tax_id {}", x.tax_id);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let t = match ClassificationTable::parse(data) {
        Ok(t) => t,
        Err(e) => return check_typed(&e, BODY),
    };
    // Tax ids are unique and found again.
    for i in 0..t.len() {
        assert_eq!(t.row_of(t.tax_id(i)), Some(i));
        let _ = t.canonical_rank(i);
    }
    assert!(t.row(t.len()).is_none());
    for name in COLUMN_NAMES {
        t.column(name).expect("a known column");
    }
    let e = t.column("no such column").expect_err("an unknown column");
    check_typed(&e, &[ErrorCode::InvalidArgument]);
    if let Err(e) = t.stats() {
        check_typed(&e, BODY);
    }
    let _ = t.n_mapped_microbial_reads();
    let csv = t.to_csv();
    assert!(csv.lines().count() > t.len());
    let _ = t.to_tsv();
    let again = ClassificationTable::parse_json(t.to_json().as_bytes())
        .unwrap_or_else(|e| panic!("to_json output does not parse: {}", e.message));
    assert_same(&t, &again);
});
