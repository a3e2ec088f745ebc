//! A collection of classification results and its matrices.
//!
//! `to_matrix` follows `to_classification_df` of the Python client step by step; the order of
//! the steps matters (normalisation precedes threshold and top-N). Only the columns that survive
//! the rank filter (plus the taxa summed into `No <rank>`) are ever filled, so the dense matrix
//! is `samples × kept columns`, and its size is checked before it is allocated.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use super::classification::ClassificationTable;
use super::metric::{Metric, MetricOption, Normalization, Rank, RankOption};
use super::strings::NULL_CODE;
use super::taxonomy::{Taxonomy, TaxonomyTree, NON_CANONICAL};
use super::Warning;
use crate::error::{Error, Result};

/// Sorts column indices by `keys[c]`, descending, NaN last, ties in their current order. One
/// non-generic function so that every caller shares one copy of the sort in wasm.
pub(crate) fn sort_desc_by_key(cols: &mut [usize], keys: &[f64]) {
    cols.sort_by(|&a, &b| match (keys[a].is_nan(), keys[b].is_nan()) {
        (false, false) => keys[b].total_cmp(&keys[a]),
        (x, y) => x.cmp(&y),
    });
}

/// Default ceiling on a matrix's memory: 512 MiB (wasm32 has at most 4 GiB in all).
pub const DEFAULT_MAX_MATRIX_BYTES: usize = 512 << 20;

/// One classification offered to a collection.
#[derive(Debug, Clone)]
pub struct CollectionItem {
    pub classification_id: String,
    pub table: ClassificationTable,
    /// The classification's `success`; unsuccessful ones are skipped (or refused) per.
    pub success: bool,
    /// The analysis job's id: more than one in a collection gives the "multiple analysis
    /// types" warning.
    pub job_id: Option<String>,
    /// The analysis job's name, for `auto` rank and the warning's text.
    pub job_name: Option<String>,
    /// The sample, for BIOM columns: `{id, filename, metadata}` as the API returns them.
    pub sample: Option<SampleInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SampleInfo {
    pub sample_id: String,
    pub filename: Option<String>,
    /// The sample's metadata object (`$uri` and `sample` are dropped on export).
    pub metadata: serde_json::Value,
}

impl SampleInfo {
    /// The sample of a sample object (with its `$uri`) and its metadata object; `None` without
    /// a `$uri`. Metadata that is not an object is left out.
    pub fn from_objects(sample: &serde_json::Value, metadata: &serde_json::Value) -> Option<Self> {
        Some(SampleInfo {
            sample_id: crate::refs::object_id(sample)?.to_string(),
            filename: sample.get("filename").and_then(serde_json::Value::as_str).map(str::to_string),
            metadata: if metadata.is_object() { metadata.clone() } else { serde_json::Value::Null },
        })
    }
}

impl CollectionItem {
    pub fn new(classification_id: impl Into<String>, table: ClassificationTable) -> Self {
        CollectionItem {
            classification_id: classification_id.into(),
            table,
            success: true,
            job_id: None,
            job_name: None,
            sample: None,
        }
    }
}

/// Classification results in collection order. Immutable once built, so its taxonomy tables
/// (with and without host rows) are built once, on first use.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    items: Vec<CollectionItem>,
    warnings: Vec<Warning>,
    taxonomy: [OnceCell<(Taxonomy, Vec<Vec<u32>>)>; 2],
    /// The matrices the analyses and charts asked for, by their options, most recent last.
    matrices: RefCell<Vec<(MatrixOptions, Rc<MatrixResult>)>>,
}

/// How many matrices a collection keeps, and the largest it keeps: a dashboard's calls share one
/// rank and metric (the analyses and each kind of chart ask with their own options), and a
/// matrix too big to keep is cheap next to what uses it.
const KEPT_MATRICES: usize = 4;
const KEPT_MATRIX_BYTES: usize = 64 << 20;

/// Wide (one row per classification) or long (one record per cell, column-major).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableFormat {
    #[default]
    Wide,
    Long,
}

impl TableFormat {
    pub fn parse(s: &str) -> Result<TableFormat> {
        match s {
            "wide" => Ok(TableFormat::Wide),
            "long" => Ok(TableFormat::Long),
            _ => Err(Error::invalid_argument(format!("table format must be one of: long, wide (got \"{s}\")"))),
        }
    }
}

/// Options of [`Collection::to_matrix`]; defaults as in the Python client.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixOptions {
    pub rank: RankOption,
    pub metric: MetricOption,
    /// Keep the N columns with the largest sums (0 or `None`: all).
    pub top_n: Option<usize>,
    /// Keep columns whose maximum is ≥ this (0 or `None`: all; Python truthiness).
    pub threshold: Option<f64>,
    pub remove_zeros: bool,
    pub include_host: bool,
    pub include_taxa_missing_rank: bool,
    pub fill_missing: bool,
    pub filler: f64,
    pub format: TableFormat,
    /// Refuse a matrix whose values would take more than this many bytes.
    pub max_bytes: usize,
}

impl Default for MatrixOptions {
    fn default() -> Self {
        MatrixOptions {
            rank: RankOption::Auto,
            metric: MetricOption::Auto,
            top_n: None,
            threshold: None,
            remove_zeros: true,
            include_host: false,
            include_taxa_missing_rank: false,
            fill_missing: true,
            filler: 0.0,
            format: TableFormat::Wide,
            max_bytes: DEFAULT_MAX_MATRIX_BYTES,
        }
    }
}

/// A dense matrix: rows are classification ids, columns tax ids (plus `No <rank>`), values
/// row-major.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub row_ids: Vec<String>,
    pub column_ids: Vec<String>,
    pub column_names: Vec<String>,
    pub values: Vec<f64>,
}

/// The long form of a matrix: one record per cell, column-major (for each taxon, for each
/// classification), zeros included. Indices point into the matrix's `row_ids`/`column_ids`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LongTable {
    pub row_index: Vec<u32>,
    pub column_index: Vec<u32>,
    pub values: Vec<f64>,
}

impl Matrix {
    pub fn n_rows(&self) -> usize {
        self.row_ids.len()
    }

    pub fn n_cols(&self) -> usize {
        self.column_ids.len()
    }

    pub fn get(&self, row: usize, col: usize) -> Option<f64> {
        if row < self.n_rows() && col < self.n_cols() {
            Some(self.values[row * self.n_cols() + col])
        } else {
            None
        }
    }

    pub fn column_index(&self, id: &str) -> Option<usize> {
        self.column_ids.iter().position(|c| c == id)
    }

    pub fn row_index(&self, id: &str) -> Option<usize> {
        self.row_ids.iter().position(|c| c == id)
    }

    /// One row's values.
    pub fn row(&self, row: usize) -> &[f64] {
        let n = self.n_cols();
        &self.values[row * n..(row + 1) * n]
    }

    /// One column's values (copied: storage is row-major).
    pub fn column(&self, col: usize) -> Vec<f64> {
        (0..self.n_rows()).map(|r| self.values[r * self.n_cols() + col]).collect()
    }

    pub fn to_long(&self) -> LongTable {
        let (nr, nc) = (self.n_rows(), self.n_cols());
        let mut t = LongTable {
            row_index: Vec::with_capacity(nr * nc),
            column_index: Vec::with_capacity(nr * nc),
            values: Vec::with_capacity(nr * nc),
        };
        for c in 0..nc {
            for r in 0..nr {
                t.row_index.push(r as u32);
                t.column_index.push(c as u32);
                t.values.push(self.values[r * nc + c]);
            }
        }
        t
    }

    /// Wide table as CSV: header `classification_id,<column ids…>`.
    pub fn to_csv(&self) -> String {
        use super::classification::{push_field, push_number};
        let mut out = String::from("classification_id");
        for c in &self.column_ids {
            out.push(',');
            push_field(&mut out, c, ',');
        }
        out.push('\n');
        for r in 0..self.n_rows() {
            push_field(&mut out, &self.row_ids[r], ',');
            for &v in self.row(r) {
                out.push(',');
                push_number(&mut out, v);
            }
            out.push('\n');
        }
        out
    }
}

/// What `to_matrix` returns: the matrix, what `auto` resolved to, and the warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixResult {
    pub matrix: Matrix,
    pub metric: Metric,
    pub rank: Rank,
    pub format: TableFormat,
    /// The value column name of the long format (the metric's display name).
    pub value_name: &'static str,
    pub warnings: Vec<Warning>,
}

impl Collection {
    /// Builds a collection. With `skip_missing`, unsuccessful classifications are left
    /// out with a warning; without it they are an error. Duplicate ids are an error; more than
    /// one job name gives a warning.
    pub fn new(items: Vec<CollectionItem>, skip_missing: bool) -> Result<Collection> {
        let mut warnings = Vec::new();
        let mut kept: Vec<CollectionItem> = Vec::with_capacity(items.len());
        let mut seen = super::strings::StringTable::with_capacity(items.len());
        for item in items {
            let before = seen.len();
            seen.intern(&item.classification_id);
            if seen.len() == before {
                return Err(Error::invalid_argument(format!(
                    "a collection cannot contain duplicate objects (classification {} appears twice)",
                    item.classification_id
                )));
            }
            if !item.success {
                if skip_missing {
                    warnings.push(Warning::new(
                        "classification_not_successful",
                        format!("Classification {} not successful. Skipping.", item.classification_id),
                    ));
                    continue;
                }
                return Err(Error::invalid_argument(format!(
                    "classification {} was not successful",
                    item.classification_id
                )));
            }
            kept.push(item);
        }
        // Unique jobs by id (by name when an item has no job id), as the Python client does.
        let mut jobs: Vec<(&str, &str)> = Vec::new();
        for it in &kept {
            let key = it.job_id.as_deref().or(it.job_name.as_deref());
            if let Some(k) = key {
                if !jobs.iter().any(|(j, _)| *j == k) {
                    jobs.push((k, it.job_name.as_deref().unwrap_or(k)));
                }
            }
        }
        let job_names: Vec<&str> = jobs.iter().map(|(_, n)| *n).collect();
        if jobs.len() > 1 {
            warnings.push(Warning::new(
                "multiple_analysis_types",
                format!("SampleCollection contains multiple analysis types: {}", job_names.join(", ")),
            ));
        }
        Ok(Collection { items: kept, warnings, taxonomy: Default::default(), matrices: Default::default() })
    }

    /// A collection from `(classification id, results body)` pairs (zstd, gzip or JSON bytes),
    /// all taken as successful; an error names the classification whose body is bad.
    pub fn from_results<'a, I>(pairs: I) -> Result<Collection>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut items = Vec::new();
        for (id, bytes) in pairs {
            let table = ClassificationTable::parse(bytes).map_err(|mut e| {
                e.message = format!("classification {id}: {}", e.message);
                e
            })?;
            items.push(CollectionItem::new(id, table));
        }
        Collection::new(items, true)
    }

    /// The taxonomy table and, per classification, each row's taxon index (cached).
    pub(crate) fn taxonomy_with_maps(&self, include_host: bool) -> &(Taxonomy, Vec<Vec<u32>>) {
        self.taxonomy[include_host as usize].get_or_init(|| Taxonomy::build(&self.tables(), include_host))
    }

    /// A collection from `(classification id, table)` pairs, all taken as successful.
    pub fn from_tables<I, S>(pairs: I) -> Result<Collection>
    where
        I: IntoIterator<Item = (S, ClassificationTable)>,
        S: Into<String>,
    {
        Collection::new(pairs.into_iter().map(|(id, t)| CollectionItem::new(id, t)).collect(), true)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[CollectionItem] {
        &self.items
    }

    pub fn classification_ids(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.classification_id.as_str()).collect()
    }

    pub fn table(&self, i: usize) -> Option<&ClassificationTable> {
        self.items.get(i).map(|i| &i.table)
    }

    /// Warnings raised while building the collection.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn tables(&self) -> Vec<&ClassificationTable> {
        self.items.iter().map(|i| &i.table).collect()
    }

    /// The taxonomy table: first-seen order, host rows excluded unless `include_host`.
    pub fn taxonomy(&self, include_host: bool) -> &Taxonomy {
        &self.taxonomy_with_maps(include_host).0
    }

    /// The taxonomy tree of the collection, with its warnings (missing parents).
    pub fn tree(&self, include_host: bool) -> Result<(TaxonomyTree, Vec<Warning>)> {
        TaxonomyTree::build(self.taxonomy(include_host))
    }

    /// "Metagenomic": all classifications share exactly one job name, containing
    /// `One Codex Database`.
    pub fn is_metagenomic(&self) -> bool {
        let mut name: Option<&str> = None;
        for it in &self.items {
            match (name, it.job_name.as_deref()) {
                (_, None) => return false,
                (None, Some(j)) => name = Some(j),
                (Some(a), Some(b)) if a != b => return false,
                _ => {}
            }
        }
        name.is_some_and(|n| n.contains("One Codex Database"))
    }

    /// `abundance_w_children` when species rows with an abundance are at least half
    /// (floored) of species rows with a `readcount_w_children`; else
    /// `normalized_readcount_w_children`. Counts rows, not samples.
    pub fn automatic_metric(&self) -> Metric {
        use super::metric::Field;
        let (mut a, mut r) = (0usize, 0usize);
        for it in &self.items {
            let t = &it.table;
            let Some(species) = t.strings().code_of("species") else {
                continue;
            };
            let ab = t.numbers(Field::Abundance);
            let rwc = t.numbers(Field::ReadcountWChildren);
            for (i, &rank) in t.rank_codes().iter().enumerate() {
                if rank == species {
                    a += !ab[i].is_nan() as usize;
                    r += !rwc[i].is_nan() as usize;
                }
            }
        }
        if a >= r / 2 {
            Metric::AbundanceWChildren
        } else {
            Metric::NormalizedReadcountWChildren
        }
    }

    /// species for abundance metrics or metagenomic collections, else genus.
    pub fn automatic_rank(&self, metric: Metric) -> Rank {
        if metric.is_abundance() || self.is_metagenomic() {
            Rank::Species
        } else {
            Rank::Genus
        }
    }

    /// Classification ids with no non-null `abundance` nor `abundance_w_children` on any row.
    pub fn classification_ids_without_abundances(&self) -> Vec<&str> {
        use super::metric::Field;
        self.items
            .iter()
            .filter(|it| {
                let t = &it.table;
                !t.numbers(Field::Abundance).iter().any(|v| !v.is_nan())
                    && !t.numbers(Field::AbundanceWChildren).iter().any(|v| !v.is_nan())
            })
            .map(|it| it.classification_id.as_str())
            .collect()
    }

    /// The matrix of `rank` and `metric` with the other options at their defaults, as the
    /// analyses read it; shared as [`Collection::shared_matrix`] shares it.
    pub fn analysis_matrix(&self, rank: RankOption, metric: MetricOption) -> Result<Rc<MatrixResult>> {
        self.shared_matrix(&MatrixOptions { rank, metric, ..MatrixOptions::default() })
    }

    /// [`Collection::to_matrix`], built once per options and shared by the calls that follow (the
    /// Python client caches `to_df` the same way), so an analysis or a chart costs its own
    /// computation only.
    pub fn shared_matrix(&self, opts: &MatrixOptions) -> Result<Rc<MatrixResult>> {
        if let Some((_, m)) = self.matrices.borrow().iter().find(|(o, _)| o == opts) {
            return Ok(Rc::clone(m));
        }
        let m = Rc::new(self.to_matrix(opts)?);
        if m.matrix.values.len() * std::mem::size_of::<f64>() <= KEPT_MATRIX_BYTES {
            let mut kept = self.matrices.borrow_mut();
            if kept.len() == KEPT_MATRICES {
                kept.remove(0);
            }
            kept.push((opts.clone(), Rc::clone(&m)));
        }
        Ok(m)
    }

    /// `to_classification_df`, wide values; `format` only labels the result (use
    /// [`Matrix::to_long`] for records).
    pub fn to_matrix(&self, opts: &MatrixOptions) -> Result<MatrixResult> {
        let mut warnings = Vec::new();
        // 1. metric and rank
        let metric = match opts.metric {
            MetricOption::Auto => self.automatic_metric(),
            MetricOption::Metric(m) => m,
        };
        let rank = match opts.rank {
            RankOption::Auto => self.automatic_rank(metric),
            RankOption::Rank(r) => r,
        };
        if rank == Rank::Kingdom {
            warnings.push(Warning::new(
                "kingdom_rank",
                "Did you mean to specify rank=kingdom? Use rank=superkingdom to see Bacteria, Archaea and Eukaryota.",
            ));
        }
        if metric.is_abundance_sensitive() {
            let without = self.classification_ids_without_abundances();
            if !without.is_empty() && without.len() < self.len() {
                warnings.push(Warning::new(
                    "mixed_abundances",
                    format!(
                        "metric {} is not comparable across samples with and without abundance estimates; without abundances: {}",
                        metric.as_str(),
                        without.join(", ")
                    ),
                ));
            }
        }
        let field = metric.field();
        let is_abundance = metric.is_abundance();
        if !is_abundance {
            for it in &self.items {
                if !it.table.is_empty() && !it.table.has_field(field) {
                    return Err(Error::invalid_argument(format!(
                        "metric {} needs the results key {}, which classification {} lacks",
                        metric.as_str(),
                        field.key(),
                        it.classification_id
                    )));
                }
            }
        }
        // Per-row denominators are checked before any allocation too.
        let denoms: Option<Vec<f64>> = match metric.normalization() {
            Normalization::NReads => Some(
                self.items
                    .iter()
                    .map(|it| {
                        it.table.n_reads().ok_or_else(|| {
                            Error::invalid_response(format!(
                                "classification {} results have no n_reads, needed by {}",
                                it.classification_id,
                                metric.as_str()
                            ))
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            Normalization::MappedMicrobial => {
                Some(self.items.iter().map(|it| it.table.n_mapped_microbial_reads()).collect())
            }
            _ => None,
        };

        // 2–3. taxonomy, rank filter and `No <rank>` taxa
        let tables = self.tables();
        let (tax, maps) = self.taxonomy_with_maps(opts.include_host);
        let level = rank.level();
        let mut slot = vec![NULL_CODE; tax.len()];
        let mut kept: Vec<usize> = Vec::new();
        for (t, s) in slot.iter_mut().enumerate() {
            if tax.rank_level(t) == level {
                *s = kept.len() as u32;
                kept.push(t);
            }
        }
        let mut in_missing = vec![false; tax.len()];
        let mut any_missing = false;
        if opts.include_taxa_missing_rank {
            // The Python client walks its host-free taxonomy here even with include_host.
            let walk: &Taxonomy = self.taxonomy(false);
            for t in 0..tax.len() {
                let l = tax.rank_level(t);
                if l == NON_CANONICAL || l >= level {
                    continue;
                }
                let Some(wt) = walk.index_of(tax.tax_id(t)) else {
                    continue;
                };
                if let Some(u) = walk.highest_unclassified(wt, level)? {
                    if let Some(ui) = tax.index_of(walk.tax_id(u)) {
                        in_missing[ui] = true;
                        any_missing = true;
                    }
                }
            }
        }
        let ncols = kept.len() + any_missing as usize;
        if ncols == 0 {
            return Err(Error::invalid_argument(format!(
                "no {}-level results: no taxa kept (is rank {} correct?)",
                rank.as_str(),
                rank.as_str()
            )));
        }
        let nrows = self.len();
        let cells = nrows.checked_mul(ncols);
        let per_cell = match opts.format {
            TableFormat::Wide => 8,
            TableFormat::Long => 8 + 16,
        };
        match cells.and_then(|c| c.checked_mul(per_cell)) {
            Some(bytes) if bytes <= opts.max_bytes => {}
            _ => {
                return Err(Error::invalid_argument(format!(
                    "the matrix would have {nrows} × {ncols} cells, more than the limit of {} bytes allows; choose a coarser rank or fewer samples",
                    opts.max_bytes
                )))
            }
        }

        // 2. values
        let init = if is_abundance { f64::NAN } else { 0.0 };
        let mut values = vec![init; nrows * ncols];
        let no_col = kept.len();
        for (r, (table, map)) in tables.iter().zip(maps).enumerate() {
            let src = table.numbers(field);
            let row = &mut values[r * ncols..(r + 1) * ncols];
            if any_missing {
                row[no_col] = 0.0;
            }
            for (i, &g) in map.iter().enumerate() {
                if g == NULL_CODE {
                    continue;
                }
                let mut v = src[i];
                if !is_abundance && v.is_nan() {
                    v = 0.0;
                }
                let s = slot[g as usize];
                if s != NULL_CODE {
                    row[s as usize] = v;
                } else if in_missing[g as usize] && !v.is_nan() {
                    row[no_col] += v;
                }
            }
        }

        // 4. normalisation
        if metric.normalization() != Normalization::None {
            for r in 0..nrows {
                let row = &mut values[r * ncols..(r + 1) * ncols];
                let d = match &denoms {
                    Some(d) => d[r],
                    None => row.iter().filter(|v| !v.is_nan()).sum(),
                };
                for v in row.iter_mut() {
                    *v /= d;
                    if v.is_nan() {
                        *v = 0.0;
                    }
                }
            }
        }
        // 5. fill missing
        if opts.fill_missing && !opts.filler.is_nan() {
            for v in values.iter_mut() {
                if v.is_nan() {
                    *v = opts.filler;
                }
            }
        }
        // Per-column statistics in one row-major pass (pandas semantics: max and sum skip NaN).
        let mut nonzero = vec![false; ncols];
        let mut max = vec![f64::NAN; ncols];
        let mut sum = vec![0.0f64; ncols];
        for row in values.chunks_exact(ncols.max(1)) {
            for (c, &v) in row.iter().enumerate() {
                nonzero[c] |= v != 0.0;
                if !v.is_nan() {
                    sum[c] += v;
                    if max[c].is_nan() || v > max[c] {
                        max[c] = v;
                    }
                }
            }
        }
        let mut cols: Vec<usize> = (0..ncols).collect();
        // 6. remove zeros (NaN != 0, so NaN columns survive)
        if opts.remove_zeros {
            cols.retain(|&c| nonzero[c]);
        }
        // 7. threshold (Python truthiness: 0 disables; an all-NaN column's max is NaN: dropped)
        if let Some(th) = opts.threshold.filter(|&t| t != 0.0) {
            cols.retain(|&c| max[c] >= th);
        }
        // 8. top N by column sum, descending (the output takes that order; ties keep column
        // order)
        if let Some(n) = opts.top_n.filter(|&n| n > 0) {
            sort_desc_by_key(&mut cols, &sum);
            cols.truncate(n);
        }

        // 9. output
        let no_name = format!("No {}", rank.as_str());
        let mut m = Matrix {
            row_ids: self.items.iter().map(|i| i.classification_id.clone()).collect(),
            column_ids: Vec::with_capacity(cols.len()),
            column_names: Vec::with_capacity(cols.len()),
            values: Vec::new(),
        };
        for &c in &cols {
            if c == no_col && any_missing {
                m.column_ids.push(no_name.clone());
                m.column_names.push(no_name.clone());
            } else {
                let t = kept[c];
                m.column_ids.push(tax.tax_id(t).to_owned());
                m.column_names.push(tax.name(t).unwrap_or("").to_owned());
            }
        }
        if cols.iter().enumerate().all(|(i, &c)| i == c) && cols.len() == ncols {
            m.values = values;
        } else {
            m.values.reserve_exact(nrows * cols.len());
            for r in 0..nrows {
                let row = &values[r * ncols..(r + 1) * ncols];
                m.values.extend(cols.iter().map(|&c| row[c]));
            }
        }
        Ok(MatrixResult { matrix: m, metric, rank, format: opts.format, value_name: metric.display_name(), warnings })
    }
}
