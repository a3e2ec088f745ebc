//! UniFrac on the taxonomy tree as the Python client builds it: every taxon a node with a branch
//! of length 1 (the root `"1"` included), under an extra root with no branch (scikit-bio wants
//! a root with at most two children). Weighted UniFrac is normalised (scikit-bio
//! `normalized=True`); unweighted compares presence.

use super::beta::{check_shape, check_values, pairwise};
use super::distance_matrix::DistanceMatrix;
use crate::error::{Error, Result};
use crate::results::TaxonomyTree;

/// UniFrac distances between the rows of a `ids.len() × column_tax_ids.len()` matrix whose
/// columns are tips of `tree` (already pruned to the matrix's rank).
pub fn unifrac(
    tree: &TaxonomyTree,
    ids: Vec<String>,
    column_tax_ids: &[String],
    values: &[f64],
    weighted: bool,
) -> Result<DistanceMatrix> {
    let name = if weighted { "weighted_unifrac" } else { "unweighted_unifrac" };
    let n_cols = column_tax_ids.len();
    check_shape(name, &ids, values, n_cols)?;
    check_values(name, values, false)?;
    let order = tree.post_order();
    let n_nodes = tree.len();
    // Column -> tip node; scikit-bio refuses taxa that are not tips of the tree.
    let mut tip_of_column = Vec::with_capacity(n_cols);
    let mut missing = 0usize;
    for t in column_tax_ids {
        match tree.find(t) {
            Some(i) if tree.node(i).children.is_empty() => tip_of_column.push(i),
            _ => missing += 1,
        }
    }
    if missing > 0 {
        return Err(Error::invalid_argument(format!(
            "{name}: {missing} taxa are not tips of the taxonomy tree (missing parents, or taxa below other taxa of the same rank)"
        )));
    }
    // Distance of each node to the extra root: one per node on the path, "1" included.
    let mut depth = vec![0.0f64; n_nodes];
    for &i in order.iter().rev() {
        depth[i] = tree.node(i).parent.map_or(1.0, |p| depth[p] + 1.0);
    }
    let tips: Vec<usize> = order.iter().copied().filter(|&i| tree.node(i).children.is_empty()).collect();
    let n = ids.len();
    // Per sample: the amount under each node (post-order sums), as proportions when weighted.
    let mut node_values = vec![0.0f64; n * n_nodes];
    for r in 0..n {
        let nv = &mut node_values[r * n_nodes..(r + 1) * n_nodes];
        for (c, &tip) in tip_of_column.iter().enumerate() {
            nv[tip] += values[r * n_cols + c];
        }
        for &i in &order {
            if let Some(p) = tree.node(i).parent {
                nv[p] += nv[i];
            }
        }
        let total: f64 = tips.iter().map(|&t| nv[t]).sum();
        if weighted && total > 0.0 {
            nv.iter_mut().for_each(|v| *v /= total);
        }
    }
    let row = |r: usize| &node_values[r * n_nodes..(r + 1) * n_nodes];
    pairwise(ids, n, name, |i, j| {
        let (u, v) = (row(i), row(j));
        if weighted {
            let (su, sv): (f64, f64) = (tips.iter().map(|&t| u[t]).sum(), tips.iter().map(|&t| v[t]).sum());
            if su == 0.0 && sv == 0.0 {
                return 0.0;
            }
            let dist: f64 = order.iter().map(|&k| (u[k] - v[k]).abs()).sum();
            let norm: f64 = tips.iter().map(|&t| depth[t] * (u[t] + v[t])).sum();
            dist / norm
        } else {
            let (mut unique, mut observed) = (0.0f64, 0.0f64);
            for &k in &order {
                let (a, b) = (u[k] > 0.0, v[k] > 0.0);
                unique += (a != b) as u8 as f64;
                observed += (a || b) as u8 as f64;
            }
            if observed == 0.0 {
                0.0
            } else {
                unique / observed
            }
        }
    })
}
