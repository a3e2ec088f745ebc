//! `Collection.alphaDiversity`, `betaDiversity`, `unifrac`, `alphaDiversityStats`,
//! `betaDiversityStats`, `filter`, and the `DistanceMatrix` class.

use crate::error::{bad_argument, to_js as err_js};
use crate::tables::convert::{core_warnings_js, count_option, owned_strings, set, table_options};
use crate::tables::CollectionJs;
use js_sys::{Array, Float64Array, Function, Object};
use onecodex_core::ecology::{
    self as eco, AlphaMetric, AlphaStatsOptions, AlphaTest, BetaMetric, BetaStatsOptions, MatrixChoice, StatsResult,
};
use onecodex_core::results::{metadata_of_members, metadata_table, MetricOption, RankOption, Warning};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_DIVERSITY: &str = r#"
export type AlphaDiversityMetric = "chao1" | "observed_taxa" | "shannon" | "simpson";
export type BetaDiversityMetric = "aitchison" | "braycurtis" | "cityblock" | "euclidean" | "jaccard" |
  "manhattan" | "unweighted_unifrac" | "weighted_unifrac";
/** The matrix an analysis starts from: `toMatrix`'s rank and metric (default `"auto"` both). */
export interface DiversityMatrixOptions { rank?: Rank | "auto"; metric?: Metric | "auto"; }
export interface AlphaDiversityOptions extends DiversityMatrixOptions {
  /** Default `"shannon"` (natural log). `"chao1"` is deprecated, as in the Python client. */
  diversityMetric?: AlphaDiversityMetric;
}
export interface AlphaDiversity {
  classificationIds: string[];
  /** One value per classification; NaN where the metric is undefined (e.g. Shannon of an empty sample). */
  values: Float64Array;
  diversityMetric: AlphaDiversityMetric; metric: Metric; rank: Rank; warnings: Warning[];
}
export interface BetaDiversityOptions extends DiversityMatrixOptions {
  /** Default `"braycurtis"`. */
  diversityMetric?: BetaDiversityMetric;
}
export interface UnifracOptions extends DiversityMatrixOptions {
  /** Weighted (normalised, default) or unweighted UniFrac. */
  weighted?: boolean;
}
/** A metadata field, or several joined with `_` (e.g. `["site", "visit"]` gives `"gut_pre"`). */
export type GroupBy = string | string[];
export interface AlphaDiversityStatsOptions extends DiversityMatrixOptions {
  groupBy: GroupBy;
  /** Pairs samples across the two groups (only with `test: "wilcoxon"`). */
  pairedBy?: GroupBy;
  /** Default `"auto"`: Mann–Whitney U for two groups, Wilcoxon when paired, else Kruskal–Wallis. */
  test?: "auto" | "mannwhitneyu" | "kruskal" | "wilcoxon";
  diversityMetric?: AlphaDiversityMetric;
  /** Significance threshold, in (0, 1); default 0.05. Kruskal–Wallis below it, over more than two
   * groups, runs Dunn's post-hoc test. */
  alpha?: number;
  /** Refuse samples whose primary classifications come from different jobs (default true). */
  requireClassificationVersionMatch?: boolean;
}
export interface BetaDiversityStatsOptions extends DiversityMatrixOptions {
  groupBy: GroupBy;
  diversityMetric?: BetaDiversityMetric;
  /** In (0, 1); default 0.05. PERMANOVA below it, over more than two groups, runs pairwise tests. */
  alpha?: number;
  /** Default 999 (at most 1,000,000); 0 gives a NaN p-value. */
  numPermutations?: number;
  /** Seeds the permutations (default 0): the same seed gives the same p-values. */
  seed?: number;
  requireClassificationVersionMatch?: boolean;
}
/** Pairwise results over the sorted `groups`: k×k matrices, row-major. */
export interface PosthocResults {
  test: "dunn" | "pairwise_permanova";
  adjustmentMethod: "benjamini_hochberg";
  groups: string[];
  /** Benjamini–Hochberg adjusted p-values (diagonal 1). */
  adjustedPvalues: Float64Array;
  /** Unadjusted p-values (pairwise PERMANOVA only). */
  pvalues: Float64Array | null;
  /** Pairwise pseudo-F (pairwise PERMANOVA only; diagonal NaN). */
  statistics: Float64Array | null;
}
export interface DiversityStatsResults {
  statistic: number; pvalue: number; alpha: number;
  /** Samples in the test after filtering. */
  sampleSize: number;
  groupByVariable: string;
  /** Group name → number of samples, sorted by name. */
  groupSizes: Record<string, number>;
  /** The sorted group names. */
  groups: string[];
  posthoc: PosthocResults | null;
  /** The classifications that entered the test, in collection order. */
  classificationIds: string[];
  warnings: Warning[];
}
export interface AlphaDiversityStatsResults extends DiversityStatsResults {
  test: "mannwhitneyu" | "kruskal" | "wilcoxon"; pairedByVariable: string | null;
}
export interface BetaDiversityStatsResults extends DiversityStatsResults {
  test: "permanova"; numPermutations: number;
}
/** What a `Collection.filter` predicate receives for each member. */
export interface CollectionMember {
  classificationId: string;
  /** The sample object (as the API returns it), when the collection has it; else null. */
  sample: any;
  /** The member's row of `metadataTable()`, as an object keyed by column. */
  metadata: Record<string, any>;
}
"#;

// ---------------------------------------------------------------------------------------------
// DistanceMatrix

/// Distances between the classifications of a collection: `values` is n×n row-major, exactly
/// symmetric, with a zero diagonal.
///
/// @example
/// ```ts
/// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
/// const dm = c.betaDiversity({ diversityMetric: "braycurtis", rank: "genus" });
/// const n = dm.classificationIds.length;
/// console.log(dm.values[0 * n + 1]); // between the first two classifications
/// ```
#[wasm_bindgen(js_name = DistanceMatrix)]
pub struct DistanceMatrixJs {
    /// Read by the other analyses (ordination, clustering).
    pub(crate) dm: eco::DistanceMatrix,
    metric: String,
    rank: String,
    warnings: Vec<Warning>,
}

#[wasm_bindgen(js_class = DistanceMatrix)]
impl DistanceMatrixJs {
    /// The classifications, in row (and column) order.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity();
    /// console.log(dm.classificationIds.join(", "));
    /// ```
    #[wasm_bindgen(getter, js_name = classificationIds, unchecked_return_type = "string[]")]
    pub fn classification_ids(&self) -> Array {
        owned_strings(&self.dm.ids)
    }

    /// n×n distances, row-major (a copy).
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity();
    /// const d01 = dm.values[1];
    /// ```
    #[wasm_bindgen(getter)]
    pub fn values(&self) -> Float64Array {
        Float64Array::from(&self.dm.values[..])
    }

    /// The diversity metric that produced the distances.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).unifrac();
    /// console.log(dm.diversityMetric); // "weighted_unifrac"
    /// ```
    #[wasm_bindgen(getter, js_name = diversityMetric, unchecked_return_type = "BetaDiversityMetric")]
    pub fn diversity_metric(&self) -> String {
        self.dm.metric.clone()
    }

    /// The abundance metric of the matrix the distances came from.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity();
    /// console.log(dm.metric, dm.rank);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Metric")]
    pub fn metric(&self) -> String {
        self.metric.clone()
    }

    /// The rank of the matrix the distances came from.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity({ rank: "genus" });
    /// console.log(dm.rank); // "genus"
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Rank")]
    pub fn rank(&self) -> String {
        self.rank.clone()
    }

    /// What the Python client would have printed while computing the distances.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity();
    /// for (const w of dm.warnings) console.warn(w.code, w.message);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Array {
        core_warnings_js(&self.warnings)
    }

    /// CSV: a header of the ids after an empty cell, then one row per classification.
    ///
    /// @example
    /// ```ts
    /// const dm = (await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"])).betaDiversity();
    /// const csv = new Blob([dm.toCSV()], { type: "text/csv" });
    /// ```
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        self.dm.to_csv()
    }
}

// ---------------------------------------------------------------------------------------------
// Options

/// `groupBy`/`pairedBy`: a field name or a list of them. Read as JSON and matched by hand: a
/// serde `untagged` enum would link serde's buffering deserializer into the wasm.
fn fields(what: &str, v: Option<serde_json::Value>) -> Result<Option<Vec<String>>, JsValue> {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s])),
        Some(Value::Array(a)) => a
            .into_iter()
            .map(|x| match x {
                Value::String(s) => Ok(s),
                _ => Err(bad_argument(what, "must be a field name or a list of field names")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad_argument(what, "must be a field name or a list of field names")),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AlphaJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    diversity_metric: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BetaJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    diversity_metric: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UnifracJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    weighted: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AlphaStatsJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    diversity_metric: Option<String>,
    group_by: Option<serde_json::Value>,
    paired_by: Option<serde_json::Value>,
    test: Option<String>,
    alpha: Option<f64>,
    require_classification_version_match: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BetaStatsJsOptions {
    rank: Option<String>,
    metric: Option<String>,
    diversity_metric: Option<String>,
    group_by: Option<serde_json::Value>,
    alpha: Option<f64>,
    num_permutations: Option<f64>,
    seed: Option<f64>,
    require_classification_version_match: Option<bool>,
}

fn matrix_choice(rank: Option<&str>, metric: Option<&str>) -> Result<MatrixChoice, JsValue> {
    Ok(MatrixChoice {
        rank: RankOption::parse(rank.unwrap_or("auto")).map_err(err_js)?,
        metric: MetricOption::parse(metric.unwrap_or("auto")).map_err(err_js)?,
    })
}

fn group_by(what: &str, g: Option<serde_json::Value>) -> Result<Vec<String>, JsValue> {
    match fields("groupBy", g)? {
        Some(f) if !f.is_empty() => Ok(f),
        _ => Err(bad_argument(what, "groupBy (a metadata field, or a list of fields) is required")),
    }
}

fn matrix_js(r: eco::BetaDiversity) -> DistanceMatrixJs {
    DistanceMatrixJs {
        dm: r.matrix,
        metric: r.metric.as_str().into(),
        rank: r.rank.as_str().into(),
        warnings: r.warnings,
    }
}

fn f64s_or_null(v: &Option<Vec<f64>>) -> JsValue {
    v.as_deref().map_or(JsValue::NULL, |v| Float64Array::from(v).into())
}

fn stats_js(r: &StatsResult) -> Object {
    let o = Object::new();
    set(&o, "test", r.test);
    set(&o, "statistic", r.statistic);
    set(&o, "pvalue", r.pvalue);
    set(&o, "alpha", r.alpha);
    set(&o, "sampleSize", r.sample_size as f64);
    set(&o, "groupByVariable", r.group_by_variable.as_str());
    let sizes = Object::new();
    for (k, n) in &r.group_sizes {
        set(&sizes, k, *n as f64);
    }
    set(&o, "groupSizes", sizes);
    set(&o, "groups", r.group_sizes.iter().map(|(k, _)| JsValue::from_str(k)).collect::<Array>());
    let posthoc: JsValue = match &r.posthoc {
        None => JsValue::NULL,
        Some(p) => {
            let ph = Object::new();
            set(&ph, "test", p.test);
            set(&ph, "adjustmentMethod", p.adjustment_method);
            set(&ph, "groups", owned_strings(&p.groups));
            set(&ph, "adjustedPvalues", Float64Array::from(&p.adjusted_pvalues[..]));
            set(&ph, "pvalues", f64s_or_null(&p.pvalues));
            set(&ph, "statistics", f64s_or_null(&p.statistics));
            ph.into()
        }
    };
    set(&o, "posthoc", posthoc);
    set(&o, "classificationIds", owned_strings(&r.classification_ids));
    set(&o, "warnings", core_warnings_js(&r.warnings));
    o
}

/// Metadata items in collection order (a member without one gets an empty item).
#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// Diversity within each classification (`alpha_diversity`): Shannon (natural log),
    /// Simpson (1 − Σp²), observed taxa or Chao1 (bias-corrected; deprecated), on the matrix
    /// `toMatrix({ rank, metric })` gives.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { classificationIds, values } = c.alphaDiversity({ diversityMetric: "shannon", rank: "species" });
    /// classificationIds.forEach((id, i) => console.log(id, values[i]));
    /// ```
    #[wasm_bindgen(js_name = alphaDiversity, unchecked_return_type = "AlphaDiversity")]
    pub fn alpha_diversity(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AlphaDiversityOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let o: AlphaJsOptions = table_options("alphaDiversity options", options)?;
        let dm = AlphaMetric::parse(o.diversity_metric.as_deref().unwrap_or("shannon")).map_err(err_js)?;
        let r = eco::alpha_diversity(&self.c, dm, matrix_choice(o.rank.as_deref(), o.metric.as_deref())?)
            .map_err(err_js)?;
        let out = Object::new();
        set(&out, "classificationIds", owned_strings(&r.classification_ids));
        set(&out, "values", Float64Array::from(&r.values[..]));
        set(&out, "diversityMetric", r.diversity_metric.as_str());
        set(&out, "metric", r.metric.as_str());
        set(&out, "rank", r.rank.as_str());
        set(&out, "warnings", core_warnings_js(&r.warnings));
        Ok(out.into())
    }

    /// Distances between every pair of classifications (`beta_diversity`): Bray–Curtis (two
    /// empty samples are 0 apart), Jaccard (presence/absence), city block (= Manhattan),
    /// Euclidean, Aitchison (zeros replaced multiplicatively, then clr; an empty sample is an
    /// error), or weighted (normalised) / unweighted UniFrac on the collection's taxonomy tree.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const dm = c.betaDiversity({ diversityMetric: "aitchison", rank: "genus" });
    /// console.log(dm.toCSV());
    /// ```
    #[wasm_bindgen(js_name = betaDiversity)]
    pub fn beta_diversity(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BetaDiversityOptions")] options: Option<JsValue>,
    ) -> Result<DistanceMatrixJs, JsValue> {
        let o: BetaJsOptions = table_options("betaDiversity options", options)?;
        let dm = BetaMetric::parse(o.diversity_metric.as_deref().unwrap_or("braycurtis")).map_err(err_js)?;
        let r =
            eco::beta_diversity(&self.c, dm, matrix_choice(o.rank.as_deref(), o.metric.as_deref())?).map_err(err_js)?;
        Ok(matrix_js(r))
    }

    /// UniFrac distances (`unifrac`): the same as `betaDiversity` with `"weighted_unifrac"`
    /// (default) or `"unweighted_unifrac"`.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const weighted = c.unifrac();
    /// const unweighted = c.unifrac({ weighted: false, rank: "genus" });
    /// ```
    pub fn unifrac(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "UnifracOptions")] options: Option<JsValue>,
    ) -> Result<DistanceMatrixJs, JsValue> {
        let o: UnifracJsOptions = table_options("unifrac options", options)?;
        let dm = if o.weighted.unwrap_or(true) { BetaMetric::WeightedUnifrac } else { BetaMetric::UnweightedUnifrac };
        let r =
            eco::beta_diversity(&self.c, dm, matrix_choice(o.rank.as_deref(), o.metric.as_deref())?).map_err(err_js)?;
        Ok(matrix_js(r))
    }

    /// Tests whether alpha diversity differs between the groups of a metadata field
    /// (`alpha_diversity_stats`): Mann–Whitney U, Wilcoxon (paired) or Kruskal–Wallis with
    /// Dunn's post-hoc test (Benjamini–Hochberg). Samples missing the field, without abundances
    /// (for abundance metrics) or without a diversity value are left out, then groups of one
    /// sample, each with a warning; fewer than two groups left is an error.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(await ocx.classifications.where({ complete: true, success: true }));
    /// const r = c.alphaDiversityStats({ groupBy: "site", diversityMetric: "shannon" });
    /// console.log(r.test, r.statistic, r.pvalue, r.groupSizes);
    /// if (r.posthoc) console.log(r.posthoc.groups, r.posthoc.adjustedPvalues);
    /// const paired = c.alphaDiversityStats({ groupBy: "visit", pairedBy: "subject" }); // Wilcoxon
    /// ```
    #[wasm_bindgen(js_name = alphaDiversityStats, unchecked_return_type = "AlphaDiversityStatsResults")]
    pub fn alpha_diversity_stats(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlphaDiversityStatsOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        const WHAT: &str = "alphaDiversityStats options";
        let o: AlphaStatsJsOptions = table_options(WHAT, Some(options))?;
        let d = AlphaStatsOptions::default();
        let opts = AlphaStatsOptions {
            diversity_metric: AlphaMetric::parse(o.diversity_metric.as_deref().unwrap_or("shannon")).map_err(err_js)?,
            matrix: matrix_choice(o.rank.as_deref(), o.metric.as_deref())?,
            group_by: group_by(WHAT, o.group_by)?,
            paired_by: fields("pairedBy", o.paired_by)?,
            test: AlphaTest::parse(o.test.as_deref().unwrap_or("auto")).map_err(err_js)?,
            alpha: o.alpha.unwrap_or(d.alpha),
            require_classification_version_match: o
                .require_classification_version_match
                .unwrap_or(d.require_classification_version_match),
        };
        let r = eco::alpha_diversity_stats(&self.c, &self.meta, &opts).map_err(err_js)?;
        let out = stats_js(&r);
        set(&out, "pairedByVariable", r.paired_by_variable.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        Ok(out.into())
    }

    /// Tests whether the distances differ between the groups of a metadata field
    /// (`beta_diversity_stats`): PERMANOVA, and pairwise PERMANOVA (Benjamini–Hochberg) when
    /// significant over more than two groups. The permutations are seeded (`seed`, default 0),
    /// so results repeat; they are not numpy's, so p-values differ from Python's by chance
    /// only. Unlike the Python client, which ignores its `metric` argument here, `metric` is
    /// used.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(await ocx.classifications.where({ complete: true, success: true }));
    /// const r = c.betaDiversityStats({ groupBy: "site", diversityMetric: "braycurtis", numPermutations: 999, seed: 1 });
    /// console.log(`pseudo-F ${r.statistic}, p = ${r.pvalue}`);
    /// ```
    #[wasm_bindgen(js_name = betaDiversityStats, unchecked_return_type = "BetaDiversityStatsResults")]
    pub fn beta_diversity_stats(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BetaDiversityStatsOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        const WHAT: &str = "betaDiversityStats options";
        let o: BetaStatsJsOptions = table_options(WHAT, Some(options))?;
        let d = BetaStatsOptions::default();
        let num_permutations = count_option("numPermutations", o.num_permutations)?.unwrap_or(d.num_permutations);
        if num_permutations > 1_000_000 {
            return Err(bad_argument("numPermutations", "must be at most 1,000,000"));
        }
        let seed = match o.seed {
            None => d.seed,
            Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => s as u64,
            Some(_) => return Err(bad_argument("seed", "must be a whole number from 0 to 2^53 − 1")),
        };
        let opts = BetaStatsOptions {
            diversity_metric: BetaMetric::parse(o.diversity_metric.as_deref().unwrap_or("braycurtis"))
                .map_err(err_js)?,
            matrix: matrix_choice(o.rank.as_deref(), o.metric.as_deref())?,
            group_by: group_by(WHAT, o.group_by)?,
            alpha: o.alpha.unwrap_or(d.alpha),
            num_permutations,
            seed,
            require_classification_version_match: o
                .require_classification_version_match
                .unwrap_or(d.require_classification_version_match),
        };
        let r = eco::beta_diversity_stats(&self.c, &self.meta, &opts).map_err(err_js)?;
        let out = stats_js(&r);
        set(&out, "numPermutations", r.num_permutations.unwrap_or(0) as f64);
        Ok(out.into())
    }

    /// A new collection of the members `predicate` returns a truthy value for
    /// (`SampleCollection.filter`). It receives `{ classificationId, sample, metadata }`: the
    /// sample object (when the collection has it) and the member's `metadataTable()` row.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(await ocx.classifications.where({ complete: true, success: true }));
    /// const gut = c.filter(({ metadata }) => metadata.site === "gut");
    /// const fastq = c.filter(({ sample }) => sample?.filename?.endsWith(".fastq.gz"));
    /// ```
    pub fn filter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(member: CollectionMember) => unknown")] predicate: JsValue,
    ) -> Result<CollectionJs, JsValue> {
        let Some(f) = predicate.dyn_ref::<Function>() else {
            return Err(bad_argument("filter", "expects a function"));
        };
        let members = metadata_of_members(&self.c.classification_ids(), &self.meta);
        let table = metadata_table(&members);
        let mut keep = Vec::with_capacity(members.len());
        for (m, row) in members.iter().zip(&table.rows) {
            let member = Object::new();
            set(&member, "classificationId", m.classification_id.as_deref().unwrap_or(""));
            set(&member, "sample", crate::convert::to_js(&m.sample)?);
            let meta = serde_json::Value::Object(table.columns.iter().cloned().zip(row.iter().cloned()).collect());
            set(&member, "metadata", crate::convert::to_js(&meta)?);
            keep.push(f.call1(&JsValue::UNDEFINED, &member)?.is_truthy());
        }
        let c = eco::filter(&self.c, &keep).map_err(err_js)?;
        let ids = c.classification_ids();
        let meta = self
            .meta
            .iter()
            .filter(|m| m.classification_id.as_deref().is_some_and(|id| ids.contains(&id)))
            .cloned()
            .collect();
        Ok(CollectionJs { c, meta, pre_warnings: Vec::new(), link_base: self.link_base.clone() })
    }
}
