//! Query building: where filters, sort, listing URLs (API_SPEC.md §4).
