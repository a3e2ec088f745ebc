//! Ordination and clustering for JavaScript: `Collection.pca`, and the free `pcoa`, `mds` and
//! `linkage` of a distance matrix. Converts options and results; the computing is in
//! `onecodex_core::ecology`.

use crate::convert::array_items;
use crate::error::{bad_argument, to_js as err_js};
use crate::tables::convert::{core_warnings_js, table_options};
use crate::tables::CollectionJs;
use js_sys::{Array, Float64Array, Object, Reflect};
use onecodex_core::ecology::linkage::{linkage as core_linkage, LinkageMethod};
use onecodex_core::ecology::ordination::{self as ord, MdsOptions};
use onecodex_core::ecology::{BetaMetric, DistanceMatrix, MatrixChoice};
use onecodex_core::results::{MetricOption, RankOption, Warning};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ORDINATION: &str = r#"
/** Distances between samples: `values` is n × n, row-major (symmetric, zero diagonal). */
export interface DistanceMatrixInput { classificationIds: string[]; values: Float64Array | number[]; }
/** Options of `Collection.pca`; `auto` resolves as in `toMatrix`. */
export interface PcaOptions { rank?: Rank | "auto"; metric?: Metric | "auto"; }
/** PCA of a collection's matrix: k = min(samples, taxa) components, largest variance first. */
export interface PcaResult {
  /** The classifications analysed (rows of `scores`). */
  classificationIds: string[];
  /** The taxa (columns of `components`), and their names. */
  columnIds: string[]; columnNames: string[];
  /** Number of components, k. */
  componentsCount: number;
  /** Samples × k, row-major: the centred matrix projected on the components. */
  scores: Float64Array;
  /** k × taxa, row-major: unit vectors, each signed so that its largest loading is positive. */
  components: Float64Array;
  explainedVarianceRatio: Float64Array;
  metric: Metric; rank: Rank; warnings: Warning[];
}
/** Options of `mds`. */
export interface MdsOptions {
  /** Seed of the random starts, a whole number from 0 to 4294967295 (default 3). */
  seed?: number;
}
/** A 2-D embedding by metric MDS (SMACOF). */
export interface MdsResult {
  classificationIds: string[];
  /** n × 2, row-major. */
  coordinates: Float64Array;
  /** Raw stress: the sum over pairs of (embedding distance − distance)². */
  stress: number;
  /** Iterations of the best of the 4 runs. */
  iterations: number;
  warnings: Warning[];
}
export type LinkageMethod = "average" | "single" | "complete" | "weighted" | "centroid" | "median";
export interface LinkageOptions { method?: LinkageMethod; }
/** A hierarchical clustering. */
export interface LinkageResult {
  classificationIds: string[];
  method: LinkageMethod;
  /** (n − 1) × 4, row-major, as scipy's linkage matrix: the two clusters merged (ids < n are
   * samples, n + k the cluster of row k), their distance, and the size of the new cluster. */
  matrix: Float64Array;
  /** Sample indices in dendrogram order, left to right. */
  leaves: number[];
  /** The classification ids in dendrogram order. */
  orderedIds: string[];
}
"#;

fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &key.into(), &value.into());
}

fn strings(items: impl IntoIterator<Item = impl AsRef<str>>) -> Array {
    items.into_iter().map(|s| JsValue::from_str(s.as_ref())).collect()
}

/// A `DistanceMatrixInput` (or any object with `classificationIds` and `values`, such as a
/// class with those getters), checked: n × n finite, non-negative, symmetric, zero diagonal.
fn distance_matrix(what: &str, value: &JsValue) -> Result<DistanceMatrix, JsValue> {
    const SHAPE: &str = "expects { classificationIds: string[], values: Float64Array | number[] }";
    if !value.is_object() {
        return Err(bad_argument(what, SHAPE));
    }
    let ids_js = Reflect::get(value, &"classificationIds".into())?;
    if !Array::is_array(&ids_js) {
        return Err(bad_argument(what, SHAPE));
    }
    let ids = array_items(what, &ids_js)?
        .iter()
        .map(|v| v.as_string().ok_or_else(|| bad_argument(what, "classificationIds must be strings")))
        .collect::<Result<Vec<_>, _>>()?;
    let values_js = Reflect::get(value, &"values".into())?;
    let values: Vec<f64> = if values_js.is_instance_of::<Float64Array>() {
        Float64Array::from(values_js).to_vec()
    } else if Array::is_array(&values_js) {
        array_items(what, &values_js)?
            .iter()
            .map(|v| v.as_f64().ok_or_else(|| bad_argument(what, "values must be numbers")))
            .collect::<Result<_, _>>()?
    } else {
        return Err(bad_argument(what, SHAPE));
    };
    DistanceMatrix::new(ids, values, "").map_err(|mut e| {
        e.message = format!("{what}: {}", e.message);
        err_js(e)
    })
}

// ---------------------------------------------------------------------------------------------
// PCoA

/// Principal coordinates of samples, one axis per sample, largest eigenvalue first; each axis
/// signed so that its coordinate of largest magnitude is positive. Holds wasm memory: released at
/// garbage collection, or at once with `free()`.
///
/// @example
/// ```ts
/// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
/// const pc2OfB = p.coordinates[1 * p.dimensions + 1];
/// console.log(`PC1 explains ${(p.proportionExplained[0] * 100).toFixed(2)}%`, pc2OfB);
/// ```
#[wasm_bindgen(js_name = PcoaResult)]
pub struct PcoaResultJs {
    p: ord::Pcoa,
    warnings: Vec<Warning>,
}

#[wasm_bindgen(js_class = PcoaResult)]
impl PcoaResultJs {
    /// The samples, in the order of the rows of `coordinates`.
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// p.classificationIds.forEach((id, i) => console.log(id, p.coordinates[i * p.dimensions]));
    /// ```
    #[wasm_bindgen(getter, js_name = classificationIds, unchecked_return_type = "string[]")]
    pub fn classification_ids(&self) -> Array {
        strings(&self.p.ids)
    }

    /// Samples × dimensions, row-major (a copy on each read).
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// const xy = p.classificationIds.map((_, i) => [p.coordinates[i * p.dimensions], p.coordinates[i * p.dimensions + 1]]);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn coordinates(&self) -> Float64Array {
        Float64Array::from(&self.p.coordinates[..])
    }

    /// The number of axes (the number of samples).
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// console.log(p.dimensions); // 3
    /// ```
    #[wasm_bindgen(getter)]
    pub fn dimensions(&self) -> usize {
        self.p.dimensions
    }

    /// One per axis; negative ones (non-Euclidean distances) and those within 1e-8 of 0 are 0,
    /// and their axes are all zeros.
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// console.log(Array.from(p.eigenvalues));
    /// ```
    #[wasm_bindgen(getter)]
    pub fn eigenvalues(&self) -> Float64Array {
        Float64Array::from(&self.p.eigenvalues[..])
    }

    /// Each eigenvalue over the sum of the eigenvalues.
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// const label = `PC1 (${(p.proportionExplained[0] * 100).toFixed(2)}%)`;
    /// ```
    #[wasm_bindgen(getter, js_name = proportionExplained)]
    pub fn proportion_explained(&self) -> Float64Array {
        Float64Array::from(&self.p.proportion_explained[..])
    }

    /// Samples left out, and why (from a collection's PCoA).
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// for (const w of p.warnings) console.warn(w.message);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Array {
        core_warnings_js(&self.warnings)
    }

    /// The coordinates as CSV: `classification_id,PC1,PC2,…`, one row per sample.
    ///
    /// @example
    /// ```ts
    /// const p = pcoa({ classificationIds: ["a", "b", "c"], values: [0, 3, 4, 3, 0, 5, 4, 5, 0] });
    /// const csv = p.toCSV();
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.p.to_csv()
    }
}

/// Principal coordinate analysis of a distance matrix (at least 3 samples), with the numbers of
/// scikit-bio's `pcoa`. Bad matrices (too few samples, NaN, negative or asymmetric distances)
/// throw `invalid_argument`.
///
/// @example
/// ```ts
/// const p = pcoa({ classificationIds: ["a", "b", "c", "d"], values: new Float64Array([
///   0, 0.2, 0.6, 0.7,  0.2, 0, 0.5, 0.6,  0.6, 0.5, 0, 0.3,  0.7, 0.6, 0.3, 0]) });
/// console.log(p.proportionExplained[0], p.toCSV());
/// ```
#[wasm_bindgen(js_name = pcoa)]
pub fn pcoa_js(
    #[wasm_bindgen(unchecked_param_type = "DistanceMatrixInput")] distances: JsValue,
) -> Result<PcoaResultJs, JsValue> {
    let dm = distance_matrix("pcoa", &distances)?;
    let p = ord::pcoa(&dm).map_err(err_js)?;
    Ok(PcoaResultJs { p, warnings: Vec::new() })
}

// ---------------------------------------------------------------------------------------------
// MDS

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MdsJsOptions {
    seed: Option<f64>,
}

fn mds_options(options: Option<JsValue>) -> Result<MdsOptions, JsValue> {
    let o: MdsJsOptions = table_options("mds options", options)?;
    seeded(o.seed)
}

/// plot_mds's options with `seed` (a whole number from 0 to 2³² − 1) if given.
fn seeded(seed: Option<f64>) -> Result<MdsOptions, JsValue> {
    let mut out = MdsOptions::default();
    if let Some(seed) = seed {
        if !(seed.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&seed)) {
            return Err(bad_argument(
                "mds options",
                format!("seed must be a whole number from 0 to 4294967295, got {seed}"),
            ));
        }
        out.seed = seed as u32;
    }
    Ok(out)
}

fn mds_js(m: ord::Mds, warnings: &[Warning]) -> JsValue {
    let o = Object::new();
    set(&o, "classificationIds", strings(&m.ids));
    set(&o, "coordinates", Float64Array::from(&m.coordinates[..]));
    set(&o, "stress", m.stress);
    set(&o, "iterations", m.iterations as f64);
    set(&o, "warnings", core_warnings_js(warnings));
    o.into()
}

/// Metric multidimensional scaling of a distance matrix (at least 3 samples) into 2 dimensions,
/// by SMACOF as the Python client's MDS plot runs it (4 random starts, up to 3000 iterations):
/// the same `seed` gives the same result.
///
/// @example
/// ```ts
/// const m = mds({ classificationIds: ["a", "b", "c", "d"], values: [
///   0, 0.2, 0.6, 0.7,  0.2, 0, 0.5, 0.6,  0.6, 0.5, 0, 0.3,  0.7, 0.6, 0.3, 0] }, { seed: 3 });
/// console.log(m.stress, m.coordinates[0], m.coordinates[1]);
/// ```
#[wasm_bindgen(js_name = mds, unchecked_return_type = "MdsResult")]
pub fn mds_free_js(
    #[wasm_bindgen(unchecked_param_type = "DistanceMatrixInput")] distances: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MdsOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let dm = distance_matrix("mds", &distances)?;
    let opts = mds_options(options)?;
    Ok(mds_js(ord::mds(&dm, &opts).map_err(err_js)?, &[]))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CollectionOrdinationJsOptions {
    diversity_metric: Option<String>,
    rank: Option<String>,
    metric: Option<String>,
    seed: Option<f64>,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_COLLECTION_ORDINATION: &str = r#"
/** Options of `Collection.pcoa` and `Collection.mds`. */
export interface CollectionOrdinationOptions {
  /** Default `"braycurtis"`, as the Python client's `plot_pcoa` and `plot_mds`. */
  diversityMetric?: BetaDiversityMetric;
  rank?: Rank | "auto"; metric?: Metric | "auto";
  /** MDS only: the seed of its random starts (default 3, the Python client's). */
  seed?: number;
}
"#;

fn ordination_choice(
    what: &str,
    options: Option<JsValue>,
    seeds: bool,
) -> Result<(BetaMetric, MatrixChoice, Option<f64>), JsValue> {
    let o: CollectionOrdinationJsOptions = table_options(what, options)?;
    if !seeds && o.seed.is_some() {
        return Err(crate::error::bad_argument(what, "seed is an option of mds, not of pcoa"));
    }
    let diversity = BetaMetric::parse(o.diversity_metric.as_deref().unwrap_or("braycurtis")).map_err(err_js)?;
    let choice = MatrixChoice {
        rank: RankOption::parse(o.rank.as_deref().unwrap_or("auto")).map_err(err_js)?,
        metric: MetricOption::parse(o.metric.as_deref().unwrap_or("auto")).map_err(err_js)?,
    };
    Ok((diversity, choice, o.seed))
}

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// PCoA of the collection's beta diversity (default Bray–Curtis), as the Python client's
    /// `plot_pcoa` computes it: distances rounded to 6 decimals, scikit-bio's eigen-decomposition,
    /// each axis signed so that its largest coordinate is positive.
    ///
    /// @example
    /// ```ts
    /// const c = Collection.fromResults([]);
    /// const p = c.pcoa({ diversityMetric: "weighted_unifrac", rank: "genus" });
    /// console.log(p.proportionExplained[0]);
    /// ```
    #[wasm_bindgen(js_name = pcoa)]
    pub fn pcoa_method(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CollectionOrdinationOptions")] options: Option<JsValue>,
    ) -> Result<PcoaResultJs, JsValue> {
        let (diversity, choice, _) = ordination_choice("pcoa options", options, false)?;
        let (p, warnings) = ord::pcoa_of(&self.c, diversity, choice).map_err(err_js)?;
        Ok(PcoaResultJs { p, warnings })
    }

    /// Metric MDS (SMACOF) of the collection's beta diversity, as the Python client's `plot_mds`:
    /// 4 random starts of at most 3000 iterations, deterministic for a `seed`.
    ///
    /// @example
    /// ```ts
    /// const c = Collection.fromResults([]);
    /// const m = c.mds({ diversityMetric: "braycurtis", seed: 3 });
    /// console.log(m.stress, m.coordinates.length);
    /// ```
    #[wasm_bindgen(js_name = mds, unchecked_return_type = "MdsResult")]
    pub fn mds_method(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CollectionOrdinationOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let (diversity, choice, seed) = ordination_choice("mds options", options, true)?;
        let (m, warnings) = ord::mds_of(&self.c, diversity, choice, &seeded(seed)?).map_err(err_js)?;
        Ok(mds_js(m, &warnings))
    }
}

// ---------------------------------------------------------------------------------------------
// linkage

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkageJsOptions {
    method: Option<String>,
}

/// Hierarchical clustering of a distance matrix (at least 2 samples), as scipy's `linkage` with
/// `method` (default `"average"`), and the leaf order of its dendrogram. Ties resolve as in
/// scipy; round distances first (e.g. to 6 decimals) to make near-ties into ties as the Python
/// client's heatmaps do.
///
/// @example
/// ```ts
/// const l = linkage({ classificationIds: ["a", "b", "c", "d"], values: [
///   0, 0.2, 0.6, 0.7,  0.2, 0, 0.5, 0.6,  0.6, 0.5, 0, 0.3,  0.7, 0.6, 0.3, 0] }, { method: "complete" });
/// console.log(l.orderedIds, l.matrix.length / 4); // 3 merges
/// ```
#[wasm_bindgen(js_name = linkage, unchecked_return_type = "LinkageResult")]
pub fn linkage_js(
    #[wasm_bindgen(unchecked_param_type = "DistanceMatrixInput")] distances: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LinkageOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: LinkageJsOptions = table_options("linkage options", options)?;
    let method = LinkageMethod::parse(o.method.as_deref().unwrap_or("average")).map_err(err_js)?;
    let dm = distance_matrix("linkage", &distances)?;
    let l = core_linkage(&dm, method).map_err(err_js)?;
    let out = Object::new();
    set(&out, "classificationIds", strings(&l.ids));
    set(&out, "method", l.method.as_str());
    set(&out, "matrix", Float64Array::from(&l.matrix()[..]));
    set(&out, "leaves", l.leaves.iter().map(|&i| JsValue::from_f64(i as f64)).collect::<Array>());
    set(&out, "orderedIds", strings(l.ordered_ids()));
    Ok(out.into())
}

// ---------------------------------------------------------------------------------------------
// Collection.pca

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PcaJsOptions {
    rank: Option<String>,
    metric: Option<String>,
}

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// PCA of the collection's matrix at `rank` with `metric` (as `toMatrix`), centred and not
    /// scaled, with the numbers of scikit-learn's `PCA()` as the Python client's PCA plot runs it.
    /// Needs 3 samples and 2 taxa; for abundance metrics, classifications without abundances are
    /// left out (with a warning).
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c", "0c4d5e6f7a8b4c3d"]);
    /// const p = c.pca({ rank: "genus", metric: "abundance_w_children" });
    /// const k = p.componentsCount;
    /// const points = p.classificationIds.map((id, i) => ({ id, pc1: p.scores[i * k], pc2: p.scores[i * k + 1] }));
    /// console.log(`PC1 ${(p.explainedVarianceRatio[0] * 100).toFixed(2)}%`, points);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "PcaResult")]
    pub fn pca(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PcaOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let o: PcaJsOptions = table_options("pca options", options)?;
        let rank = RankOption::parse(o.rank.as_deref().unwrap_or("auto")).map_err(err_js)?;
        let metric = MetricOption::parse(o.metric.as_deref().unwrap_or("auto")).map_err(err_js)?;
        let r = ord::collection_pca(&self.c, rank, metric).map_err(err_js)?;
        let out = Object::new();
        set(&out, "classificationIds", strings(&r.ids));
        set(&out, "columnIds", strings(&r.column_ids));
        set(&out, "columnNames", strings(&r.column_names));
        set(&out, "componentsCount", r.pca.components_count as f64);
        set(&out, "scores", Float64Array::from(&r.pca.scores[..]));
        set(&out, "components", Float64Array::from(&r.pca.components[..]));
        set(&out, "explainedVarianceRatio", Float64Array::from(&r.pca.explained_variance_ratio[..]));
        set(&out, "metric", r.metric.as_str());
        set(&out, "rank", r.rank.as_str());
        set(&out, "warnings", core_warnings_js(&r.warnings));
        Ok(out.into())
    }
}
