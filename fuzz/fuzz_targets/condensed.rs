//! `CondensedFunctional::parse` (the 1.2.0 condensed file): bad bodies are `invalid_response`,
//! other versions `Ok(None)`; a parsed file rehydrates under every filter, and its matrices
//! have consistent dimensions for every annotation/metric pair (bad pairs: `invalid_argument`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::error::ErrorCode;
use onecodex_core::results::{
    functional_matrix, CondensedFunctional, FunctionalAnnotation, FunctionalMetric, RehydrateFilter,
};
use onecodex_fuzz::{check_typed, BODY};

fuzz_target!(|data: &[u8]| {
    let c = match CondensedFunctional::parse(data) {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => return check_typed(&e, BODY),
    };
    let all = c.rehydrate(&RehydrateFilter::default());
    assert_eq!(all.rows().count(), all.len());
    let _ = all.to_csv();
    for metric in FunctionalMetric::ALL.map(Some).into_iter().chain([None]) {
        for taxa_stratified in [None, Some(true), Some(false)] {
            for group_name in [None, Some("pathways"), Some("ko")] {
                let f = c.rehydrate(&RehydrateFilter { group_name, metric, taxa_stratified });
                assert!(f.len() <= all.len());
            }
        }
    }
    let profiles = [("p1", &c), ("p2", &c)];
    for annotation in FunctionalAnnotation::ALL {
        for metric in FunctionalMetric::ALL {
            for stratified in [false, true] {
                match functional_matrix(&profiles, annotation, metric, stratified, true, 0.0, 1 << 20) {
                    Ok(m) => {
                        let (nr, nc) = (m.row_ids.len(), m.column_ids.len());
                        assert_eq!(nr, 2);
                        assert_eq!(m.values.len(), nr * nc);
                        assert_eq!(m.column_taxon_ids.as_ref().map(Vec::len), stratified.then_some(nc));
                        assert!(m.feature_names.len() <= nc);
                        // Both rows come from the same file, so they are equal.
                        assert!(m.values[..nc]
                            .iter()
                            .zip(&m.values[nc..])
                            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan())));
                    }
                    Err(e) => check_typed(&e, &[ErrorCode::InvalidArgument]),
                }
            }
        }
    }
});
