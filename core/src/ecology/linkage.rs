//! Hierarchical clustering of a distance matrix: scipy's `linkage` matrix and its dendrogram leaf
//! order (`dendrogram(Z)["ivl"]`), as the heatmaps cluster samples.
//!
//! Each method runs scipy's own algorithm (the minimum spanning tree for `single`, the
//! nearest-neighbour chain for `average`/`complete`/`weighted`, the generic algorithm with a heap
//! for `centroid`/`median`), scanning clusters in the same order and comparing with the same strict
//! `<`, so that tied distances resolve into the same tree as in Python.

use super::distance_matrix::DistanceMatrix;
use super::ordination::checked_len;
use crate::{Error, Result};

/// How the distance between two clusters is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkageMethod {
    Average,
    Single,
    Complete,
    Weighted,
    Centroid,
    Median,
}

impl LinkageMethod {
    /// The method names, as the Python client spells them.
    pub const NAMES: [&'static str; 6] = ["average", "single", "complete", "weighted", "centroid", "median"];

    pub fn parse(name: &str) -> Result<LinkageMethod> {
        Ok(match name {
            "average" => LinkageMethod::Average,
            "single" => LinkageMethod::Single,
            "complete" => LinkageMethod::Complete,
            "weighted" => LinkageMethod::Weighted,
            "centroid" => LinkageMethod::Centroid,
            "median" => LinkageMethod::Median,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "linkage method must be one of: {} (got \"{name}\")",
                    Self::NAMES.join(", ")
                )))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LinkageMethod::Average => "average",
            LinkageMethod::Single => "single",
            LinkageMethod::Complete => "complete",
            LinkageMethod::Weighted => "weighted",
            LinkageMethod::Centroid => "centroid",
            LinkageMethod::Median => "median",
        }
    }

    /// The Lance–Williams update: the distance from cluster i to the union of x and y. The
    /// arithmetic is in scipy's order (sizes multiplied as integers first) for identical bits.
    fn update(self, d_xi: f64, d_yi: f64, d_xy: f64, size_x: usize, size_y: usize) -> f64 {
        let (sx, sy) = (size_x as f64, size_y as f64);
        let sum = (size_x + size_y) as f64;
        match self {
            LinkageMethod::Single => {
                if d_xi < d_yi {
                    d_xi
                } else {
                    d_yi
                }
            }
            LinkageMethod::Complete => {
                if d_xi > d_yi {
                    d_xi
                } else {
                    d_yi
                }
            }
            LinkageMethod::Average => (sx * d_xi + sy * d_yi) / sum,
            LinkageMethod::Weighted => 0.5 * (d_xi + d_yi),
            LinkageMethod::Centroid => {
                { (((sx * d_xi * d_xi) + (sy * d_yi * d_yi)) - ((size_x * size_y) as f64 * d_xy * d_xy) / sum) / sum }
                    .sqrt()
            }
            LinkageMethod::Median => (0.5 * (d_xi * d_xi + d_yi * d_yi) - 0.25 * d_xy * d_xy).sqrt(),
        }
    }
}

/// One row of the linkage matrix: clusters `left` < `right` (ids < n are samples, n + k is the
/// cluster made by row k) merged at `height` into a cluster of `size` samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub left: usize,
    pub right: usize,
    pub height: f64,
    pub size: usize,
}

/// The clustering of `ids`: n − 1 merges, and the samples in dendrogram order.
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    pub ids: Vec<String>,
    pub method: LinkageMethod,
    pub merges: Vec<Merge>,
    /// Sample indices left to right, as scipy's `dendrogram(Z)["ivl"]`.
    pub leaves: Vec<usize>,
}

impl Linkage {
    /// scipy's (n − 1) × 4 matrix, row-major: left, right, height, size.
    pub fn matrix(&self) -> Vec<f64> {
        self.merges.iter().flat_map(|m| [m.left as f64, m.right as f64, m.height, m.size as f64]).collect()
    }

    /// The sample ids in dendrogram order.
    pub fn ordered_ids(&self) -> Vec<&str> {
        self.leaves.iter().filter_map(|&i| self.ids.get(i).map(String::as_str)).collect()
    }
}

/// Clusters the samples of `dm` (at least 2) with `method`.
pub fn linkage(dm: &DistanceMatrix, method: LinkageMethod) -> Result<Linkage> {
    let n = checked_len(dm, 2, "linkage")?;
    let condensed = Condensed::from_matrix(dm);
    let merges = match method {
        LinkageMethod::Single => mst_single(&condensed),
        LinkageMethod::Average | LinkageMethod::Complete | LinkageMethod::Weighted => nn_chain(condensed, method),
        LinkageMethod::Centroid | LinkageMethod::Median => generic(condensed, method)?,
    };
    let leaves = dendrogram_leaves(&merges, n);
    Ok(Linkage { ids: dm.ids.clone(), method, merges, leaves })
}

/// Unreachable for finite distances (the closest pair is merged, so the centroid and median
/// updates stay ≥ ¾ of its distance): an error rather than a panic all the same.
fn no_neighbour(method: LinkageMethod) -> Error {
    Error::invalid_argument(format!("{} linkage found no nearest cluster: distances must be finite", method.as_str()))
}

/// The leaves of the tree left to right (the left child first), as scipy's dendrogram lists them
/// without sorting. Iterative: a deep tree must not exhaust the wasm stack.
pub fn dendrogram_leaves(merges: &[Merge], n: usize) -> Vec<usize> {
    let mut leaves = Vec::with_capacity(n);
    if n == 1 {
        leaves.push(0);
        return leaves;
    }
    let mut stack = vec![2 * n - 2];
    while let Some(node) = stack.pop() {
        if node < n {
            leaves.push(node);
        } else if let Some(m) = merges.get(node - n) {
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    leaves
}

/// The upper triangle of a distance matrix, row by row (scipy's condensed form).
struct Condensed {
    n: usize,
    d: Vec<f64>,
}

impl Condensed {
    fn from_matrix(dm: &DistanceMatrix) -> Condensed {
        let n = dm.ids.len();
        let mut d = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for i in 0..n {
            d.extend_from_slice(&dm.values[i * n + i + 1..(i + 1) * n]);
        }
        Condensed { n, d }
    }

    /// Index of (i, j), i ≠ j.
    fn at(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        self.n * i - i * (i + 1) / 2 + (j - i - 1)
    }

    fn get(&self, i: usize, j: usize) -> f64 {
        self.d[self.at(i, j)]
    }

    fn set(&mut self, i: usize, j: usize, v: f64) {
        let k = self.at(i, j);
        self.d[k] = v;
    }
}

/// The root of `x`, compressing the path to it.
fn find(parent: &mut [usize], x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    let mut p = x;
    while parent[p] != root {
        let up = parent[p];
        parent[p] = root;
        p = up;
    }
    root
}

/// Rows were recorded as (cluster slot, cluster slot, height) out of order: sort them by height
/// (stably, as scipy's mergesort) and give each merge its cluster ids and size with a union-find.
fn label(mut rows: Vec<(usize, usize, f64)>, n: usize) -> Vec<Merge> {
    rows.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut size = vec![1usize; 2 * n - 1];
    let mut next = n;
    rows.into_iter()
        .map(|(x, y, height)| {
            let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
            parent[rx] = next;
            parent[ry] = next;
            size[next] = size[rx] + size[ry];
            let merge = Merge { left: rx.min(ry), right: rx.max(ry), height, size: size[next] };
            next += 1;
            merge
        })
        .collect()
}

/// Single linkage: Prim's minimum spanning tree from sample 0.
// Index scans, in scipy's order: the order decides ties.
#[allow(clippy::needless_range_loop)]
fn mst_single(dists: &Condensed) -> Vec<Merge> {
    let n = dists.n;
    let mut merged = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut rows = Vec::with_capacity(n - 1);
    let (mut x, mut y) = (0usize, 0usize);
    for _ in 0..n - 1 {
        let mut current_min = f64::INFINITY;
        merged[x] = true;
        for i in 0..n {
            if merged[i] {
                continue;
            }
            let dist = dists.get(x, i);
            if nearest[i] > dist {
                nearest[i] = dist;
            }
            if nearest[i] < current_min {
                y = i;
                current_min = nearest[i];
            }
        }
        rows.push((x, y, current_min));
        x = y;
    }
    label(rows, n)
}

/// Average, complete and weighted linkage: the nearest-neighbour chain, preferring the previous
/// chain element on ties (so that the chain cannot cycle).
// Index scans, in scipy's order: the order decides ties.
#[allow(clippy::needless_range_loop)]
fn nn_chain(mut d: Condensed, method: LinkageMethod) -> Vec<Merge> {
    let n = d.n;
    let mut size = vec![1usize; n];
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n - 1);
    let mut y = 0usize;
    for _ in 0..n - 1 {
        if chain.is_empty() {
            if let Some(first) = (0..n).find(|&i| size[i] > 0) {
                chain.push(first);
            }
        }
        let (mut x, mut current_min);
        loop {
            x = chain[chain.len() - 1];
            if chain.len() > 1 {
                y = chain[chain.len() - 2];
                current_min = d.get(x, y);
            } else {
                current_min = f64::INFINITY;
            }
            for i in 0..n {
                if size[i] == 0 || i == x {
                    continue;
                }
                let dist = d.get(x, i);
                if dist < current_min {
                    current_min = dist;
                    y = i;
                }
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break;
            }
            chain.push(y);
        }
        chain.truncate(chain.len() - 2);
        if x > y {
            std::mem::swap(&mut x, &mut y);
        }
        let (nx, ny) = (size[x], size[y]);
        rows.push((x, y, current_min));
        size[x] = 0;
        size[y] = nx + ny;
        for i in 0..n {
            if size[i] == 0 || i == y {
                continue;
            }
            let v = method.update(d.get(i, x), d.get(i, y), current_min, nx, ny);
            d.set(i, y, v);
        }
    }
    label(rows, n)
}

/// Centroid and median linkage: Müllner's generic algorithm, each cluster keeping a nearest
/// neighbour candidate among the clusters of higher index, in a binary heap of lower bounds.
// Index scans, in scipy's order: the order decides ties.
#[allow(clippy::needless_range_loop)]
fn generic(mut d: Condensed, method: LinkageMethod) -> Result<Vec<Merge>> {
    let n = d.n;
    let mut size = vec![1usize; n];
    let mut cluster_id: Vec<usize> = (0..n).collect();
    let mut neighbor = vec![0usize; n - 1];
    let mut min_dist = vec![0.0f64; n - 1];
    for x in 0..n - 1 {
        let (y, dist) = nearest_above(&d, &size, x).ok_or_else(|| no_neighbour(method))?;
        neighbor[x] = y;
        min_dist[x] = dist;
    }
    let mut heap = Heap::new(&min_dist);
    let mut merges = Vec::with_capacity(n - 1);
    for k in 0..n - 1 {
        let (mut x, mut y, mut dist) = (0usize, 0usize, 0.0f64);
        // A bounded loop, as scipy's: the true pair is found within n − k re-evaluations.
        for _ in 0..n - k {
            let (key, value) = heap.min();
            x = key;
            dist = value;
            y = neighbor[x];
            if dist == d.get(x, y) {
                break;
            }
            let (ny, nd) = nearest_above(&d, &size, x).ok_or_else(|| no_neighbour(method))?;
            y = ny;
            dist = nd;
            neighbor[x] = y;
            min_dist[x] = dist;
            heap.change_value(x, dist);
        }
        heap.remove_min();
        let (mut id_x, mut id_y) = (cluster_id[x], cluster_id[y]);
        let (nx, ny) = (size[x], size[y]);
        if id_x > id_y {
            std::mem::swap(&mut id_x, &mut id_y);
        }
        merges.push(Merge { left: id_x, right: id_y, height: dist, size: nx + ny });
        size[x] = 0;
        size[y] = nx + ny;
        cluster_id[y] = n + k;
        for z in 0..n {
            if size[z] == 0 || z == y {
                continue;
            }
            let v = method.update(d.get(z, x), d.get(z, y), dist, nx, ny);
            d.set(z, y, v);
        }
        for z in 0..x {
            if size[z] > 0 && neighbor[z] == x {
                neighbor[z] = y;
            }
        }
        for z in 0..y {
            if size[z] == 0 {
                continue;
            }
            let dz = d.get(z, y);
            if dz < min_dist[z] {
                neighbor[z] = y;
                min_dist[z] = dz;
                heap.change_value(z, dz);
            }
        }
        if y < n - 1 {
            let (z, dz) = nearest_above(&d, &size, y).ok_or_else(|| no_neighbour(method))?;
            neighbor[y] = z;
            min_dist[y] = dz;
            heap.change_value(y, dz);
        }
    }
    Ok(merges)
}

/// The nearest live cluster of index above `x` (the first on ties), or None when none is closer
/// than infinity (NaN distances).
// Index scans, in scipy's order: the order decides ties.
#[allow(clippy::needless_range_loop)]
fn nearest_above(d: &Condensed, size: &[usize], x: usize) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    let mut current_min = f64::INFINITY;
    for i in x + 1..d.n {
        if size[i] == 0 {
            continue;
        }
        let dist = d.get(x, i);
        if dist < current_min {
            current_min = dist;
            best = Some((i, dist));
        }
    }
    best
}

/// A binary min-heap of values keyed 0..len, with changeable values; its sift order is scipy's,
/// which decides which of several equal minima comes out first.
struct Heap {
    index_by_key: Vec<usize>,
    key_by_index: Vec<usize>,
    values: Vec<f64>,
    size: usize,
}

impl Heap {
    fn new(values: &[f64]) -> Heap {
        let size = values.len();
        let mut heap = Heap {
            index_by_key: (0..size).collect(),
            key_by_index: (0..size).collect(),
            values: values.to_vec(),
            size,
        };
        for i in (0..size / 2).rev() {
            heap.sift_down(i);
        }
        heap
    }

    fn min(&self) -> (usize, f64) {
        (self.key_by_index[0], self.values[0])
    }

    fn remove_min(&mut self) {
        self.swap(0, self.size - 1);
        self.size -= 1;
        self.sift_down(0);
    }

    fn change_value(&mut self, key: usize, value: f64) {
        let index = self.index_by_key[key];
        let old = self.values[index];
        self.values[index] = value;
        if value < old {
            self.sift_up(index);
        } else {
            self.sift_down(index);
        }
    }

    fn sift_up(&mut self, mut index: usize) {
        while index > 0 {
            let parent = (index - 1) >> 1;
            if self.values[parent] > self.values[index] {
                self.swap(index, parent);
                index = parent;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut index: usize) {
        let mut child = 2 * index + 1;
        while child < self.size {
            if child + 1 < self.size && self.values[child + 1] < self.values[child] {
                child += 1;
            }
            if self.values[index] > self.values[child] {
                self.swap(index, child);
                index = child;
                child = 2 * index + 1;
            } else {
                break;
            }
        }
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.values.swap(i, j);
        let (ki, kj) = (self.key_by_index[i], self.key_by_index[j]);
        self.key_by_index[i] = kj;
        self.key_by_index[j] = ki;
        self.index_by_key[ki] = j;
        self.index_by_key[kj] = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dm(n: usize, values: &[f64]) -> DistanceMatrix {
        DistanceMatrix::new((0..n).map(|i| format!("s{i}")).collect(), values.to_vec(), "test").unwrap()
    }

    #[test]
    fn two_samples_merge_once() {
        let l = linkage(&dm(2, &[0.0, 0.5, 0.5, 0.0]), LinkageMethod::Average).unwrap();
        assert_eq!(l.matrix(), vec![0.0, 1.0, 0.5, 2.0]);
        assert_eq!(l.leaves, vec![0, 1]);
    }

    #[test]
    fn three_samples_by_hand() {
        // d(0,1) = 1, d(0,2) = 4, d(1,2) = 2: 0 and 1 merge at 1; then 2 joins cluster 3.
        let d = dm(3, &[0.0, 1.0, 4.0, 1.0, 0.0, 2.0, 4.0, 2.0, 0.0]);
        for (method, height) in [
            (LinkageMethod::Single, 2.0),
            (LinkageMethod::Complete, 4.0),
            (LinkageMethod::Average, 3.0),
            (LinkageMethod::Weighted, 3.0),
            // √((16 + 4) / 2 − 1/4) and √(0.5·(16 + 4) − 0.25)
            (LinkageMethod::Centroid, (9.75f64).sqrt()),
            (LinkageMethod::Median, (9.75f64).sqrt()),
        ] {
            let l = linkage(&d, method).unwrap();
            assert_eq!(l.merges[0], Merge { left: 0, right: 1, height: 1.0, size: 2 }, "{method:?}");
            assert_eq!((l.merges[1].left, l.merges[1].right, l.merges[1].size), (2, 3, 3), "{method:?}");
            assert!((l.merges[1].height - height).abs() < 1e-12, "{method:?}: {}", l.merges[1].height);
            assert_eq!(l.leaves, vec![2, 0, 1], "{method:?}");
        }
    }

    #[test]
    fn unknown_method_lists_the_valid_ones() {
        let e = LinkageMethod::parse("ward").unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidArgument);
        assert!(e.message.contains("average, single, complete, weighted, centroid, median"), "{}", e.message);
    }
}
