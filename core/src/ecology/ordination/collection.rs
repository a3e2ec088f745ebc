//! Ordination of a `Collection`, with the Python client's checks: at least 3 samples, and for
//! abundance metrics the classifications without abundances left out (with a warning).

use super::{mds, pca, pcoa, round_distances, Mds, MdsOptions, Pca, Pcoa};
use crate::ecology::collection::{beta_diversity, MatrixChoice};
use crate::ecology::distance_matrix::DistanceMatrix;
use crate::ecology::metrics::BetaMetric;
use crate::results::{Collection, Metric, MetricOption, Rank, RankOption, Warning};
use crate::{Error, Result};

/// PCA of a collection's matrix, with what `auto` resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionPca {
    /// The classifications analysed (rows of `scores`).
    pub ids: Vec<String>,
    /// The taxa (columns of `components`).
    pub column_ids: Vec<String>,
    pub column_names: Vec<String>,
    pub metric: Metric,
    pub rank: Rank,
    pub pca: Pca,
    pub warnings: Vec<Warning>,
}

/// PCA of `to_matrix({ rank, metric })`, as `plot_pca` computes it.
pub fn collection_pca(c: &Collection, rank: RankOption, metric: MetricOption) -> Result<CollectionPca> {
    const WHAT: &str = "PCA";
    at_least_three(c.len(), WHAT, "")?;
    let r = c.analysis_matrix(rank, metric)?;
    let mut warnings = r.warnings.clone();
    let m = &r.matrix;
    let cols = m.n_cols();
    let (mut ids, mut values) = (Vec::new(), Vec::new());
    let without = if r.metric.is_abundance() { c.classification_ids_without_abundances() } else { Vec::new() };
    for (i, id) in m.row_ids.iter().enumerate() {
        if !without.contains(&id.as_str()) {
            ids.push(id.clone());
            values.extend_from_slice(m.row(i));
        }
    }
    if !without.is_empty() {
        warnings.push(omitted(without.len(), WHAT));
        at_least_three(ids.len(), WHAT, " after leaving out samples with no abundances")?;
    }
    let pca = pca(&values, ids.len(), cols)?;
    Ok(CollectionPca {
        ids,
        column_ids: m.column_ids.clone(),
        column_names: m.column_names.clone(),
        metric: r.metric,
        rank: r.rank,
        pca,
        warnings,
    })
}

/// PCoA of a collection by a beta diversity metric, as `plot_pcoa` computes it: the distances
/// of `beta_diversity` (warnings kept), then [`collection_pcoa`].
pub fn pcoa_of(c: &Collection, diversity: BetaMetric, choice: MatrixChoice) -> Result<(Pcoa, Vec<Warning>)> {
    let b = beta_diversity(c, diversity, choice)?;
    let (p, more) = collection_pcoa(c, b.metric, &b.matrix)?;
    Ok((p, b.warnings.into_iter().chain(more).collect()))
}

/// Metric MDS of a collection by a beta diversity metric, as `plot_mds(method="smacof")`.
pub fn mds_of(
    c: &Collection,
    diversity: BetaMetric,
    choice: MatrixChoice,
    options: &MdsOptions,
) -> Result<(Mds, Vec<Warning>)> {
    let b = beta_diversity(c, diversity, choice)?;
    let (m, more) = collection_mds(c, b.metric, &b.matrix, options)?;
    Ok((m, b.warnings.into_iter().chain(more).collect()))
}

/// PCoA of distances between a collection's classifications (`dm`, computed with `metric`), as
/// `plot_mds(method="pcoa")`: distances rounded to 6 decimals first.
pub fn collection_pcoa(c: &Collection, metric: Metric, dm: &DistanceMatrix) -> Result<(Pcoa, Vec<Warning>)> {
    let (dm, warnings) = analysed_distances(c, metric, dm, "PCoA")?;
    Ok((pcoa(&round_distances(&dm, 6))?, warnings))
}

/// Metric MDS of distances between a collection's classifications, as
/// `plot_mds(method="smacof")`.
pub fn collection_mds(
    c: &Collection,
    metric: Metric,
    dm: &DistanceMatrix,
    options: &MdsOptions,
) -> Result<(Mds, Vec<Warning>)> {
    let (dm, warnings) = analysed_distances(c, metric, dm, "MDS")?;
    Ok((mds(&dm, options)?, warnings))
}

/// `dm` restricted to the classifications the Python client plots: all of them, less those
/// without abundances for an abundance metric. Every id of `dm` must be in the collection.
fn analysed_distances(
    c: &Collection,
    metric: Metric,
    dm: &DistanceMatrix,
    what: &str,
) -> Result<(DistanceMatrix, Vec<Warning>)> {
    at_least_three(c.len(), what, "")?;
    let ids = c.classification_ids();
    if let Some(stranger) = dm.ids.iter().find(|id| !ids.contains(&id.as_str())) {
        return Err(Error::invalid_argument(format!(
            "{what}: the distance matrix has classification {stranger}, which is not in the collection"
        )));
    }
    let without = if metric.is_abundance() { c.classification_ids_without_abundances() } else { Vec::new() };
    let mut warnings = Vec::new();
    if !without.is_empty() {
        warnings.push(omitted(without.len(), what));
        at_least_three(c.len() - without.len(), what, " after leaving out samples with no abundances")?;
    }
    let keep: Vec<usize> = (0..dm.ids.len()).filter(|&i| !without.contains(&dm.ids[i].as_str())).collect();
    let n = dm.ids.len();
    if keep.len() == n || dm.values.len() != n * n {
        // nothing left out (or a malformed matrix, which the analysis refuses)
        return Ok((dm.clone(), warnings));
    }
    let values = keep.iter().flat_map(|&i| keep.iter().map(move |&j| dm.values[i * n + j])).collect();
    let ids = keep.iter().map(|&i| dm.ids[i].clone()).collect();
    Ok((DistanceMatrix { ids, values, metric: dm.metric.clone() }, warnings))
}

fn at_least_three(n: usize, what: &str, after: &str) -> Result<()> {
    if n < 3 {
        return Err(Error::invalid_argument(format!("{what} needs at least 3 samples{after}, got {n}")));
    }
    Ok(())
}

fn omitted(count: usize, what: &str) -> Warning {
    Warning::new(
        "samples_without_abundances",
        format!("{count} sample(s) have no abundances calculated and have been omitted from the {what}"),
    )
}
