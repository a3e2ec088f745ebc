//! The analyses of a [`Collection`], step by step as the Python client's `distance.py` and
//! `stats.py` run them: the matrix of `to_df` (rank and metric resolved exactly as
//! [`Collection::to_matrix`] resolves `auto`), then the metric or the test, with the client's
//! warnings returned as data.

use super::aitchison::aitchison;
use super::alpha::alpha_diversity as alpha_of_row;
use super::beta::{beta_diversity as beta_of_matrix, check_values};
use super::distance_matrix::DistanceMatrix;
use super::metrics::{AlphaMetric, AlphaTest, BetaMetric};
use super::stats::{self, SplitMix64};
use super::unifrac::unifrac;
use crate::error::{Error, Result};
use crate::results::{
    metadata_of_members, metadata_table, Collection, MatrixResult, MetadataItem, Metric, MetricOption, Rank,
    RankOption, Warning,
};
use serde_json::Value;
use std::rc::Rc;

/// Rank and metric of the matrix an analysis starts from (`auto` as in `to_matrix`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MatrixChoice {
    pub rank: RankOption,
    pub metric: MetricOption,
}

fn matrix(c: &Collection, choice: MatrixChoice) -> Result<Rc<MatrixResult>> {
    c.analysis_matrix(choice.rank, choice.metric)
}

/// Alpha diversity per classification, in collection order.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaDiversity {
    pub classification_ids: Vec<String>,
    pub values: Vec<f64>,
    pub diversity_metric: AlphaMetric,
    pub metric: Metric,
    pub rank: Rank,
    pub warnings: Vec<Warning>,
}

/// `alpha_diversity`: one value per classification (NaN where scikit-bio gives NaN).
pub fn alpha_diversity(c: &Collection, diversity_metric: AlphaMetric, choice: MatrixChoice) -> Result<AlphaDiversity> {
    let mut warnings = Vec::new();
    if diversity_metric == AlphaMetric::Chao1 {
        warnings.push(Warning::new(
            "chao1_deprecated",
            "`Chao1` is deprecated and will be removed in a future release. Please use `observed_taxa` instead.",
        ));
    }
    let r = matrix(c, choice)?;
    warnings.extend(r.warnings.iter().cloned());
    let m = &r.matrix;
    check_values(diversity_metric.as_str(), &m.values, false)?;
    let values = (0..m.n_rows()).map(|i| alpha_of_row(diversity_metric, m.row(i))).collect();
    Ok(AlphaDiversity {
        classification_ids: m.row_ids.clone(),
        values,
        diversity_metric,
        metric: r.metric,
        rank: r.rank,
        warnings,
    })
}

/// A distance matrix with what produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct BetaDiversity {
    pub matrix: DistanceMatrix,
    pub diversity_metric: BetaMetric,
    pub metric: Metric,
    pub rank: Rank,
    pub warnings: Vec<Warning>,
}

/// `beta_diversity` (and `unifrac`, `aitchison_distance`): distances between every pair of
/// classifications of the collection.
pub fn beta_diversity(c: &Collection, diversity_metric: BetaMetric, choice: MatrixChoice) -> Result<BetaDiversity> {
    let r = matrix(c, choice)?;
    let mut warnings = r.warnings.clone();
    let m = &r.matrix;
    let ids = m.row_ids.clone();
    let dm = match diversity_metric {
        BetaMetric::Aitchison => aitchison(ids, &m.values, m.n_cols())?,
        BetaMetric::WeightedUnifrac | BetaMetric::UnweightedUnifrac => {
            let (tree, tree_warnings) = c.tree(false)?;
            warnings.extend(tree_warnings);
            let pruned = tree.prune_rank(r.rank)?;
            // The client scales normalised values by 10e9 to look like counts, and scikit-bio
            // truncates whatever it gets to integers (`astype(intp)` in `_nodes_by_counts`): the
            // same here, so abundances agree to the last bit rather than to ~1e-9.
            let scale = if r.metric.is_normalized() { 10e9 } else { 1.0 };
            let counts: Vec<f64> = m.values.iter().map(|v| (v * scale).trunc()).collect();
            unifrac(&pruned, ids, &m.column_ids, &counts, diversity_metric == BetaMetric::WeightedUnifrac)?
        }
        _ => beta_of_matrix(diversity_metric, ids, &m.values, m.n_cols())?,
    };
    Ok(BetaDiversity { matrix: dm, diversity_metric, metric: r.metric, rank: r.rank, warnings })
}

/// A new collection of the members `keep` marks (`SampleCollection.filter`).
pub fn filter(c: &Collection, keep: &[bool]) -> Result<Collection> {
    if keep.len() != c.len() {
        return Err(Error::invalid_argument("filter: one decision per member is needed"));
    }
    let items = c.items().iter().zip(keep).filter(|(_, &k)| k).map(|(it, _)| it.clone()).collect();
    Collection::new(items, true)
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Options of [`alpha_diversity_stats`]; defaults as in the Python client.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaStatsOptions {
    pub diversity_metric: AlphaMetric,
    pub matrix: MatrixChoice,
    /// Metadata fields; more than one are joined with `_`.
    pub group_by: Vec<String>,
    pub paired_by: Option<Vec<String>>,
    pub test: AlphaTest,
    pub alpha: f64,
    pub require_classification_version_match: bool,
}

impl Default for AlphaStatsOptions {
    fn default() -> Self {
        AlphaStatsOptions {
            diversity_metric: AlphaMetric::Shannon,
            matrix: MatrixChoice::default(),
            group_by: Vec::new(),
            paired_by: None,
            test: AlphaTest::Auto,
            alpha: 0.05,
            require_classification_version_match: true,
        }
    }
}

/// Options of [`beta_diversity_stats`]; defaults as in the Python client, plus `seed`.
#[derive(Debug, Clone, PartialEq)]
pub struct BetaStatsOptions {
    pub diversity_metric: BetaMetric,
    /// Unlike the Python client, whose `beta_diversity_stats` ignores its `metric` argument
    /// (always the automatic metric), the metric given here is used.
    pub matrix: MatrixChoice,
    pub group_by: Vec<String>,
    pub alpha: f64,
    pub num_permutations: usize,
    /// Seeds the permutations: the same seed gives the same p-values.
    pub seed: u64,
    pub require_classification_version_match: bool,
}

impl Default for BetaStatsOptions {
    fn default() -> Self {
        BetaStatsOptions {
            diversity_metric: BetaMetric::BrayCurtis,
            matrix: MatrixChoice::default(),
            group_by: Vec::new(),
            alpha: 0.05,
            num_permutations: 999,
            seed: 0,
            require_classification_version_match: true,
        }
    }
}

/// A post-hoc test's results (`PosthocResults`): k×k row-major matrices over `groups` (sorted).
#[derive(Debug, Clone, PartialEq)]
pub struct Posthoc {
    pub test: &'static str,
    pub adjustment_method: &'static str,
    pub groups: Vec<String>,
    pub adjusted_pvalues: Vec<f64>,
    pub pvalues: Option<Vec<f64>>,
    pub statistics: Option<Vec<f64>>,
}

/// `AlphaDiversityStatsResults` / `BetaDiversityStatsResults`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsResult {
    pub test: &'static str,
    pub statistic: f64,
    pub pvalue: f64,
    pub alpha: f64,
    pub sample_size: usize,
    pub group_by_variable: String,
    /// Group name → size, sorted by name.
    pub group_sizes: Vec<(String, usize)>,
    pub paired_by_variable: Option<String>,
    /// PERMANOVA only.
    pub num_permutations: Option<usize>,
    pub posthoc: Option<Posthoc>,
    /// Classification ids that entered the test, in collection order.
    pub classification_ids: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// The metric `auto` resolves to: it decides which samples lack abundances.
fn resolved_metric(c: &Collection, choice: MatrixChoice) -> Metric {
    match choice.metric {
        MetricOption::Auto => c.automatic_metric(),
        MetricOption::Metric(m) => m,
    }
}

fn stats_error(msg: impl Into<String>) -> Error {
    Error::invalid_argument(msg)
}

fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(stats_error("`alpha` must be between 0 and 1 (exclusive)."))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} sample{}", if n > 1 { many } else { one })
}

/// Python's `str()` of a metadata value (`None`/null is missing).
pub(crate) fn python_str(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let t = crate::results::classification::float_text(f);
            // Python writes integral floats with ".0" and exponents as "e+20"
            Some(if t.contains(['.', 'e', 'n', 'i']) { t.replace("e", "e+").replace("e+-", "e-") } else { t + ".0" })
        }
        other => Some(other.to_string()),
    }
}

/// The metadata values of one (possibly joined) field per classification, as `_metadata_fetch`
/// with `coerce_missing_composite_fields=False` builds them: each part `str()`-ed, joined by
/// `_`, missing when any part is. Errors for unknown and non-categorical fields.
fn field_values(
    table_columns: &[String],
    rows: &[Vec<Value>],
    fields: &[String],
) -> Result<(String, Vec<Option<String>>)> {
    if fields.is_empty() {
        return Err(stats_error("`group_by` needs at least one metadata field"));
    }
    let mut cols = Vec::with_capacity(fields.len());
    for f in fields {
        let Some(c) = table_columns.iter().position(|c| c == f) else {
            return Err(stats_error(format!(
                "Metadata field {f} not found. Choose from: {}",
                table_columns.join(", ")
            )));
        };
        // pandas makes a column of numbers (and nulls) numeric: not categorical
        let mut non_null = rows.iter().map(|r| &r[c]).filter(|v| !v.is_null()).peekable();
        if non_null.peek().is_some() && non_null.all(Value::is_number) {
            return Err(stats_error(format!(
                "Metadata field {f} is numeric; grouping needs categorical fields (strings or booleans)"
            )));
        }
        cols.push(c);
    }
    let values = rows
        .iter()
        .map(|r| {
            let parts: Option<Vec<String>> = cols.iter().map(|&c| python_str(&r[c])).collect();
            // pandas joins onto an empty string and strips the leading `_`s: the same here
            parts.map(|p| p.join("_").trim_start_matches('_').to_owned())
        })
        .collect();
    Ok((fields.join("_"), values))
}

/// Samples, their group (and pair) keys, after the client's filters.
struct Groups {
    /// Indices into the collection, collection order.
    members: Vec<usize>,
    keys: Vec<String>,
    pairs: Vec<Option<String>>,
    group_by_variable: String,
    paired_by_variable: Option<String>,
}

fn metadata_rows(c: &Collection, meta: &[MetadataItem]) -> (Vec<String>, Vec<Vec<Value>>) {
    let t = metadata_table(&metadata_of_members(&c.classification_ids(), meta));
    (t.columns, t.rows)
}

fn select_groups(
    c: &Collection,
    meta: &[MetadataItem],
    group_by: &[String],
    paired_by: Option<&[String]>,
    metric: Metric,
    warnings: &mut Vec<Warning>,
) -> Result<Groups> {
    let (columns, rows) = metadata_rows(c, meta);
    let (group_by_variable, keys) = field_values(&columns, &rows, group_by)?;
    let paired = match paired_by {
        Some(p) => Some(field_values(&columns, &rows, p)?),
        None => None,
    };
    let mut members: Vec<usize> = (0..c.len()).collect();
    let mut drop = |members: &mut Vec<usize>, keep: &dyn Fn(usize) -> bool, why: &str, code: &'static str| {
        let before = members.len();
        members.retain(|&i| keep(i));
        let n = before - members.len();
        if n > 0 {
            let (was, were) = (" was", "s were");
            warnings.push(Warning::new(
                code,
                format!(
                    "{} excluded from the test as {why}",
                    plural(n, was, were),
                    why = why.replace("{they}", if n > 1 { "they were" } else { "it was" })
                ),
            ));
        }
    };
    drop(&mut members, &|i| keys[i].is_some(), "{they} missing `group_by` metadata.", "missing_group_by");
    if let Some((_, p)) = &paired {
        drop(&mut members, &|i| p[i].is_some(), "{they} missing `paired_by` metadata.", "missing_paired_by");
    }
    if metric.is_abundance() {
        let without = c.classification_ids_without_abundances();
        let ids = c.classification_ids();
        drop(
            &mut members,
            &|i| !without.contains(&ids[i]),
            "{they} missing abundance calculations.",
            "missing_abundances",
        );
    }
    Ok(Groups {
        keys: keys.into_iter().map(Option::unwrap_or_default).collect(),
        pairs: paired.as_ref().map_or_else(|| vec![None; c.len()], |(_, p)| p.clone()),
        members,
        group_by_variable,
        paired_by_variable: paired.map(|(name, _)| name),
    })
}

impl Groups {
    /// Drops groups of fewer than two members (warning), then requires two groups or more.
    fn drop_small_groups(&mut self, warnings: &mut Vec<Warning>) -> Result<()> {
        let sizes = self.sizes();
        let before = self.members.len();
        let keys = &self.keys;
        self.members.retain(|&i| sizes.iter().any(|(k, n)| *k == keys[i] && *n >= 2));
        let n = before - self.members.len();
        if n > 0 {
            warnings.push(Warning::new(
                "small_groups",
                format!(
                    "{} excluded from the test as {} belonged to group(s) of size < 2.",
                    plural(n, " was", "s were"),
                    if n > 1 { "they" } else { "it" }
                ),
            ));
        }
        let k = self.sizes().len();
        if k < 2 {
            return Err(stats_error(format!(
                "`group_by` must have at least 2 groups to test between after filtering (found {k})."
            )));
        }
        Ok(())
    }

    /// (group, size), sorted by group name.
    fn sizes(&self) -> Vec<(String, usize)> {
        let mut sizes: Vec<(String, usize)> = Vec::new();
        for &i in &self.members {
            match sizes.iter_mut().find(|(k, _)| *k == self.keys[i]) {
                Some((_, n)) => *n += 1,
                None => sizes.push((self.keys[i].clone(), 1)),
            }
        }
        sizes.sort_by(|a, b| a.0.cmp(&b.0));
        sizes
    }

    fn single_job(&self, c: &Collection) -> Result<()> {
        let items = c.items();
        let first = self.members.first().and_then(|&i| items[i].job_id.as_deref());
        if self.members.iter().any(|&i| items[i].job_id.as_deref() != first) {
            return Err(stats_error(
                "To prevent the possibility of false results due to differences in database versions, running statistical tests is disabled for collections of samples with different database versions as their primary classifications.",
            ));
        }
        Ok(())
    }

    fn exactly_two(&self) -> Result<()> {
        let k = self.sizes().len();
        if k != 2 {
            return Err(stats_error(format!(
                "`group_by` must have exactly 2 groups to test between after filtering (found {k})."
            )));
        }
        Ok(())
    }

    fn result(&self, c: &Collection, test: &'static str, statistic: f64, pvalue: f64, alpha: f64) -> StatsResult {
        let ids = c.classification_ids();
        StatsResult {
            test,
            statistic,
            pvalue,
            alpha,
            sample_size: self.members.len(),
            group_by_variable: self.group_by_variable.clone(),
            group_sizes: self.sizes(),
            paired_by_variable: self.paired_by_variable.clone(),
            num_permutations: None,
            posthoc: None,
            classification_ids: self.members.iter().map(|&i| ids[i].to_owned()).collect(),
            warnings: Vec::new(),
        }
    }
}

/// `alpha_diversity_stats`: Mann–Whitney U, Kruskal–Wallis (with Dunn's post-hoc test when
/// significant over more than two groups) or Wilcoxon between the groups of a metadata field.
pub fn alpha_diversity_stats(c: &Collection, meta: &[MetadataItem], o: &AlphaStatsOptions) -> Result<StatsResult> {
    check_alpha(o.alpha)?;
    let mut warnings = Vec::new();
    // Metadata first (its errors before the matrix's), as the client does.
    let metric = resolved_metric(c, o.matrix);
    let mut g = select_groups(c, meta, &o.group_by, o.paired_by.as_deref(), metric, &mut warnings)?;
    let a = alpha_diversity(c, o.diversity_metric, o.matrix)?;
    warnings.splice(0..0, a.warnings.iter().cloned());
    let before = g.members.len();
    g.members.retain(|&i| !a.values[i].is_nan());
    let n = before - g.members.len();
    if n > 0 {
        warnings.push(Warning::new(
            "missing_diversity",
            format!(
                "{} excluded from the test as no {} value was calculated for {}.",
                plural(n, " was", "s were"),
                o.diversity_metric.as_str(),
                if n > 1 { "them" } else { "it" }
            ),
        ));
    }
    g.drop_small_groups(&mut warnings)?;
    if o.require_classification_version_match {
        g.single_job(c)?;
    }
    let sizes = g.sizes();
    let test = match o.test {
        AlphaTest::Auto if sizes.len() == 2 && g.paired_by_variable.is_some() => AlphaTest::Wilcoxon,
        AlphaTest::Auto if sizes.len() == 2 => AlphaTest::Mannwhitneyu,
        AlphaTest::Auto => AlphaTest::Kruskal,
        t => t,
    };
    if g.paired_by_variable.is_some() && test != AlphaTest::Wilcoxon {
        return Err(stats_error("`paired_by` may only be specified with `test=\"wilcoxon\"`."));
    }
    let values_of =
        |name: &str| -> Vec<f64> { g.members.iter().filter(|&&i| g.keys[i] == name).map(|&i| a.values[i]).collect() };
    let groups: Vec<Vec<f64>> = sizes.iter().map(|(k, _)| values_of(k)).collect();
    let slices: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
    let mut result = match test {
        AlphaTest::Wilcoxon => {
            if g.paired_by_variable.is_none() {
                return Err(stats_error("`paired_by` must be specified with `test=\"wilcoxon\"`."));
            }
            g.exactly_two()?;
            let members_of =
                |name: &str| -> Vec<usize> { g.members.iter().copied().filter(|&i| g.keys[i] == name).collect() };
            let (m1, m2) = (members_of(&sizes[0].0), members_of(&sizes[1].0));
            if m1.len() != m2.len() {
                return Err(stats_error(format!(
                    "`group_by` must have two groups of the same size after filtering (found size {} and size {}).",
                    m1.len(),
                    m2.len()
                )));
            }
            let pair = |i: usize| g.pairs[i].clone().unwrap_or_default();
            let unique = |m: &[usize]| {
                let mut p: Vec<String> = m.iter().map(|&i| pair(i)).collect();
                p.sort();
                p.dedup();
                p.len() == m.len()
            };
            if !unique(&m1) || !unique(&m2) {
                return Err(stats_error("`paired_by` must have unique values within each group."));
            }
            // Group 2 reordered to group 1's pairs.
            let mut y = Vec::with_capacity(m1.len());
            for &i in &m1 {
                match m2.iter().find(|&&j| pair(j) == pair(i)) {
                    Some(&j) => y.push(a.values[j]),
                    None => {
                        return Err(stats_error(
                            "Every sample in one group must have a matching paired sample in the other group.",
                        ))
                    }
                }
            }
            let x: Vec<f64> = m1.iter().map(|&i| a.values[i]).collect();
            let r = stats::wilcoxon(&x, &y)?;
            g.result(c, "wilcoxon", r.statistic, r.pvalue, o.alpha)
        }
        AlphaTest::Mannwhitneyu => {
            g.exactly_two()?;
            let r = stats::mann_whitney_u(slices[0], slices[1])?;
            g.result(c, "mannwhitneyu", r.statistic, r.pvalue, o.alpha)
        }
        AlphaTest::Kruskal | AlphaTest::Auto => {
            let r = stats::kruskal(&slices)?;
            let mut out = g.result(c, "kruskal", r.statistic, r.pvalue, o.alpha);
            if r.pvalue < o.alpha && sizes.len() > 2 {
                out.posthoc = Some(Posthoc {
                    test: "dunn",
                    adjustment_method: "benjamini_hochberg",
                    groups: sizes.iter().map(|(k, _)| k.clone()).collect(),
                    adjusted_pvalues: stats::dunn_bh(&slices),
                    pvalues: None,
                    statistics: None,
                });
            }
            out
        }
    };
    result.warnings = warnings;
    Ok(result)
}

/// `beta_diversity_stats`: PERMANOVA between the groups of a metadata field, and pairwise
/// PERMANOVA (Benjamini–Hochberg adjusted) when significant over more than two groups.
pub fn beta_diversity_stats(c: &Collection, meta: &[MetadataItem], o: &BetaStatsOptions) -> Result<StatsResult> {
    check_alpha(o.alpha)?;
    let mut warnings = Vec::new();
    let metric = resolved_metric(c, o.matrix);
    let mut g = select_groups(c, meta, &o.group_by, None, metric, &mut warnings)?;
    g.drop_small_groups(&mut warnings)?;
    if o.require_classification_version_match {
        g.single_job(c)?;
    }
    // Distances over the whole collection (as the client computes them), then the kept samples.
    let b = beta_diversity(c, o.diversity_metric, o.matrix)?;
    warnings.splice(0..0, b.warnings.iter().cloned());
    let sizes = g.sizes();
    let names: Vec<String> = sizes.iter().map(|(k, _)| k.clone()).collect();
    let group_index = |i: usize| names.iter().position(|k| *k == g.keys[i]).unwrap_or(0);
    let mut rng = SplitMix64::new(o.seed);
    let run = |members: &[usize], rng: &mut SplitMix64| -> Result<stats::Permanova> {
        let dm = sub_matrix(&b.matrix, members)?;
        // group codes 0.. in first-seen order of the sorted names
        let mut codes: Vec<usize> = members.iter().map(|&i| group_index(i)).collect();
        let mut seen: Vec<usize> = Vec::new();
        for c in codes.iter_mut() {
            let pos = match seen.iter().position(|s| s == c) {
                Some(p) => p,
                None => {
                    seen.push(*c);
                    seen.len() - 1
                }
            };
            *c = pos;
        }
        stats::permanova(&dm, &codes, o.num_permutations, rng)
    };
    let whole = run(&g.members, &mut rng)?;
    let mut result = g.result(c, "permanova", whole.statistic, whole.pvalue, o.alpha);
    result.num_permutations = Some(o.num_permutations);
    if whole.pvalue < o.alpha && whole.num_groups > 2 {
        let k = names.len();
        let (mut stat_up, mut p_up) = (Vec::new(), Vec::new());
        for a in 0..k {
            for bb in a + 1..k {
                let members: Vec<usize> =
                    g.members.iter().copied().filter(|&i| g.keys[i] == names[a] || g.keys[i] == names[bb]).collect();
                let r = run(&members, &mut rng)?;
                stat_up.push(r.statistic);
                p_up.push(r.pvalue);
            }
        }
        let adjusted = stats::benjamini_hochberg(&p_up);
        let fill = |upper: &[f64], diagonal: f64| {
            let mut m = vec![diagonal; k * k];
            let mut it = upper.iter();
            for a in 0..k {
                for bb in a + 1..k {
                    let v = it.next().copied().unwrap_or(f64::NAN);
                    m[a * k + bb] = v;
                    m[bb * k + a] = v;
                }
            }
            m
        };
        result.posthoc = Some(Posthoc {
            test: "pairwise_permanova",
            adjustment_method: "benjamini_hochberg",
            groups: names.clone(),
            adjusted_pvalues: fill(&adjusted, 1.0),
            pvalues: Some(fill(&p_up, 1.0)),
            statistics: Some(fill(&stat_up, f64::NAN)),
        });
    }
    result.warnings = warnings;
    Ok(result)
}

/// The distances among `members` (indices into `dm`), in that order.
fn sub_matrix(dm: &DistanceMatrix, members: &[usize]) -> Result<DistanceMatrix> {
    let n = members.len();
    let mut values = Vec::with_capacity(n * n);
    for &i in members {
        for &j in members {
            values.push(dm.get(i, j));
        }
    }
    DistanceMatrix::new(members.iter().map(|&i| dm.ids[i].clone()).collect(), values, dm.metric.clone())
}
