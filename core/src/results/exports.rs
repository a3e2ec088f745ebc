//! Derived outputs of a collection: BIOM 1.0.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::collection::Collection;
use super::metric::Field;
use super::taxonomy::TaxonomyTree;
use crate::error::Result;

impl Collection {
    /// BIOM 1.0 (`to_otu`): raw `readcount` of every canonical-rank taxon in each result (host
    /// rows included, zeros kept), rows sorted by tax id as strings, row metadata `taxonomy` =
    /// the names at the eight canonical ranks of the lineage. `date` is the caller's (ISO 8601;
    /// the core has no clock).
    pub fn to_biom(&self, biom_id: Option<&str>, date: &str) -> Result<Value> {
        let (tax, maps) = self.taxonomy_with_maps(true);
        let (tree, _warnings) = TaxonomyTree::build(tax)?;
        let mut columns = Vec::with_capacity(self.len());
        // tax id -> [(column, count)], in column order
        let mut rows: BTreeMap<&str, Vec<(usize, i64)>> = BTreeMap::new();
        for (col, (item, map)) in self.items().iter().zip(maps).enumerate() {
            let (sample_id, filename, metadata) = match &item.sample {
                Some(s) => {
                    let mut m = match &s.metadata {
                        Value::Object(m) => m.clone(),
                        _ => Map::new(),
                    };
                    m.remove("$uri");
                    m.remove("sample");
                    (Value::from(s.sample_id.clone()), Value::from(s.filename.clone()), Value::Object(m))
                }
                None => (Value::Null, Value::Null, Value::Object(Map::new())),
            };
            columns.push(json!({
                "id": item.classification_id,
                "sample_id": sample_id,
                "sample_filename": filename,
                "metadata": metadata,
            }));
            let rc = item.table.numbers(Field::Readcount);
            for (row, &t) in map.iter().enumerate() {
                if tax.rank_level(t as usize) == super::taxonomy::NON_CANONICAL {
                    continue;
                }
                let v = rc[row];
                let count = if v.is_finite() { v as i64 } else { 0 };
                let entry = rows.entry(tax.tax_id(t as usize)).or_default();
                // A tax id appears once per table, so the last write per column is the only one.
                entry.push((col, count));
            }
        }
        let mut out_rows = Vec::with_capacity(rows.len());
        let mut data = Vec::new();
        for (row_id, (tax_id, hits)) in rows.iter().enumerate() {
            let names = tree.canonical_lineage_names(tax_id).unwrap_or_default();
            out_rows.push(json!({"id": tax_id, "metadata": {"taxonomy": names}}));
            for &(col, count) in hits {
                data.push(json!([row_id, col, count]));
            }
        }
        Ok(json!({
            "id": biom_id,
            "format": "Biological Observation Matrix 1.0.0",
            "format_url": "http://biom-format.org",
            "type": "OTU table",
            "generated_by": "One Codex API V1",
            "date": date,
            "rows": out_rows,
            "columns": columns,
            "matrix_type": "sparse",
            "matrix_element_type": "int",
            "shape": [rows.len(), self.len()],
            "data": data,
        }))
    }
}
