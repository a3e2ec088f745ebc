//! The clustering behind the heatmaps, as the client's `_cluster_by_sample` / `_cluster_by_taxa`
//! run it: distances rounded to 6 decimals (numpy's `round`, so that float noise cannot reorder a
//! tie), scipy's `linkage`, and the link coordinates of scipy's `dendrogram`.

use super::plot_error;
use crate::ecology::linkage::{linkage, Linkage, LinkageMethod, Merge};
use crate::ecology::{beta_diversity, BetaDiversity, BetaMetric, DistanceMatrix, MatrixChoice};
use crate::error::Result;
use crate::results::{Collection, Metric, MetricOption, Rank, RankOption};

/// numpy's `round(x, 6)`: half to even on x·10⁶.
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

/// The rounded distances between the members `keep` (indices into `dm`) of a distance matrix.
pub(crate) fn rounded_submatrix(dm: &DistanceMatrix, keep: &[usize]) -> Result<DistanceMatrix> {
    let n = dm.len();
    let keep: Vec<usize> = keep.iter().copied().filter(|&i| i < n).collect();
    let ids = keep.iter().map(|&i| dm.ids[i].clone()).collect();
    let values = keep.iter().flat_map(|&i| keep.iter().map(move |&j| round6(dm.values[i * n + j]))).collect();
    DistanceMatrix::new(ids, values, dm.metric.clone())
}

/// Rounded Euclidean distances between `points` (equal lengths; NaN already replaced).
pub(crate) fn euclidean_rounded(ids: Vec<String>, points: &[Vec<f64>]) -> Result<DistanceMatrix> {
    let n = points.len();
    let mut values = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let d = round6(crate::ecology::beta::euclidean(&points[i], &points[j]));
            values[i * n + j] = d;
            values[j * n + i] = d;
        }
    }
    DistanceMatrix::new(ids, values, "euclidean")
}

/// The client's `_compute_distance`: a beta diversity of the whole collection by the names it
/// takes (`bray-curtis` and `manhattan` among them). Euclidean is not one of them.
pub(crate) fn compute_distance(c: &Collection, rank: Rank, metric: Metric, name: &str) -> Result<BetaDiversity> {
    let diversity = match name {
        "braycurtis" | "bray-curtis" | "bray curtis" => BetaMetric::BrayCurtis,
        "manhattan" | "cityblock" => BetaMetric::CityBlock,
        "jaccard" => BetaMetric::Jaccard,
        "weighted_unifrac" => BetaMetric::WeightedUnifrac,
        "unweighted_unifrac" => BetaMetric::UnweightedUnifrac,
        "aitchison" => BetaMetric::Aitchison,
        _ => {
            let names: Vec<&str> = BetaMetric::ALL.iter().map(|m| m.as_str()).filter(|m| *m != "euclidean").collect();
            return Err(plot_error(format!("distance_metric must be one of: {} (got \"{name}\")", names.join(", "))));
        }
    };
    beta_diversity(c, diversity, MatrixChoice { rank: RankOption::Rank(rank), metric: MetricOption::Metric(metric) })
}

/// scipy's `linkage` of the distances with a method by its name.
pub(crate) fn cluster(dm: &DistanceMatrix, method: &str) -> Result<Linkage> {
    linkage(dm, LinkageMethod::parse(method)?)
}

/// The ⊓ links of scipy's `dendrogram` (no sorting, no truncation), in its order: each merge
/// after the links of its left then its right subtree. `icoord` runs along the leaves (leaf k at
/// 10k + 5), `dcoord` is the height.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct DendrogramLinks {
    pub icoord: Vec<[f64; 4]>,
    pub dcoord: Vec<[f64; 4]>,
    pub leaves: usize,
}

/// The links of a tree of `n` leaves. Iterative: a deep tree must not exhaust the wasm stack.
pub(crate) fn dendrogram_links(merges: &[Merge], n: usize) -> DendrogramLinks {
    /// A subtree's position: its centre along the leaves, its width, its height.
    type Placed = (f64, f64, f64);
    enum Step {
        Visit(usize, f64),
        /// Both children placed: pop them and draw the link of merge `k`.
        Join(usize),
        /// The left child is placed: place the right one after it.
        Right(usize, f64),
    }
    let mut out = DendrogramLinks { leaves: n, ..DendrogramLinks::default() };
    if n < 2 || merges.len() + 1 != n {
        return out;
    }
    let mut placed: Vec<Placed> = Vec::new();
    let mut steps = vec![Step::Visit(2 * n - 2, 0.0)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Visit(node, iv) if node < n => placed.push((iv + 5.0, 10.0, 0.0)),
            Step::Visit(node, iv) => {
                let Some(m) = merges.get(node - n) else { continue };
                steps.push(Step::Join(node - n));
                steps.push(Step::Right(m.right, iv));
                steps.push(Step::Visit(m.left, iv));
            }
            Step::Right(node, iv) => {
                let width = placed.last().map_or(0.0, |p| p.1);
                steps.push(Step::Visit(node, iv + width));
            }
            Step::Join(k) => {
                let (Some(b), Some(a)) = (placed.pop(), placed.pop()) else { continue };
                let h = merges.get(k).map_or(0.0, |m| m.height);
                out.icoord.push([a.0, a.0, b.0, b.0]);
                out.dcoord.push([a.2, h, h, b.2]);
                placed.push(((a.0 + b.0) / 2.0, a.1 + b.1, h));
            }
        }
    }
    out
}

/// A small collection for the plots' tests: five samples over four genera, the last without
/// abundances, with a filename and a custom `site` each.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::results::{ClassificationTable, Collection, MetadataItem};
    use serde_json::json;

    /// Readcounts of genera 11, 12, 13, 14 per sample; abundances are the shares, except for s5.
    const COUNTS: [(&str, [f64; 4], &str); 5] = [
        ("s1", [50.0, 30.0, 20.0, 0.0], "soil"),
        ("s2", [45.0, 35.0, 15.0, 5.0], "soil"),
        ("s3", [5.0, 10.0, 40.0, 45.0], "water"),
        ("s4", [0.0, 15.0, 45.0, 40.0], "water"),
        ("s5", [30.0, 30.0, 20.0, 20.0], "water"),
    ];

    pub(crate) fn collection() -> (Collection, Vec<MetadataItem>) {
        let mut tables = Vec::new();
        let mut meta = Vec::new();
        for (id, counts, site) in COUNTS {
            let total: f64 = counts.iter().sum();
            let mut rows =
                vec![json!({ "tax_id": "2", "parent_tax_id": "1", "name": "Bacteria", "rank": "superkingdom",
                "readcount": 0, "readcount_w_children": total, "abundance": null })];
            for (k, &n) in counts.iter().enumerate() {
                let abundance = if id == "s5" { json!(null) } else { json!(n / total) };
                rows.push(json!({ "tax_id": (11 + k).to_string(), "parent_tax_id": "2", "name": format!("Genus{k}"),
                    "rank": "genus", "readcount": n, "readcount_w_children": n, "abundance": abundance }));
            }
            let body = json!({ "n_reads": total, "table": rows }).to_string();
            tables.push((id.to_string(), ClassificationTable::parse_json(body.as_bytes()).expect("fixture")));
            meta.push(MetadataItem {
                classification_id: Some(id.into()),
                sample: json!({ "filename": format!("{id}.fq") }),
                metadata: json!({ "custom": { "site": site } }),
                project_name: None,
            });
        }
        (Collection::from_tables(tables).expect("fixture"), meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_numpys() {
        assert_eq!(round6(0.1234565), 0.123456);
        assert_eq!(round6(2.5e-6), 2e-6);
        assert_eq!(round6(3.5e-6), 4e-6);
        assert_eq!(round6(0.9945331), 0.994533);
        assert_eq!(round6(1.0000005), 1.000001);
    }

    #[test]
    fn euclidean_distances_are_rounded_and_symmetric() {
        // √(0.5² + 1.2²) = 1.3 exactly; √(1² + 2²) = 2.2360679… rounds down
        let points = [vec![0.0, 0.0], vec![0.5, 1.2], vec![1.0, 2.0]];
        let dm = euclidean_rounded(vec!["a".into(), "b".into(), "c".into()], &points).unwrap();
        assert_eq!(dm.get(0, 1), 1.3);
        assert_eq!(dm.get(2, 0), 2.236068);
        assert_eq!(dm.get(0, 2), dm.get(2, 0));
        let sub = rounded_submatrix(&dm, &[2, 0, 9]).unwrap();
        assert_eq!(sub.ids, ["c", "a"]);
        assert_eq!(sub.values, [0.0, 2.236068, 2.236068, 0.0]);
    }

    #[test]
    fn dendrogram_links_follow_scipy() {
        // d(0,1) = 1, d(0,2) = 4, d(1,2) = 2, average: {0,1} at 1, then 2 joins at 3; scipy
        // draws leaves 2, 0, 1 at 5, 15, 25.
        let d = DistanceMatrix::new(
            vec!["a".into(), "b".into(), "c".into()],
            vec![0.0, 1.0, 4.0, 1.0, 0.0, 2.0, 4.0, 2.0, 0.0],
            "t",
        )
        .unwrap();
        let l = cluster(&d, "average").unwrap();
        let links = dendrogram_links(&l.merges, 3);
        assert_eq!(links.icoord, vec![[15.0, 15.0, 25.0, 25.0], [5.0, 5.0, 20.0, 20.0]]);
        assert_eq!(links.dcoord, vec![[0.0, 1.0, 1.0, 0.0], [0.0, 3.0, 3.0, 1.0]]);
        assert!(cluster(&d, "ward").is_err());
        assert_eq!(dendrogram_links(&[], 1).icoord.len(), 0);
    }
}
