//! Average ranks with ties (`scipy.stats.rankdata(method="average")`).

use crate::results::collection::sort_desc_by_key;

/// 1-based average ranks of `x` (finite values), and the sizes of the tie groups (all groups,
/// size 1 included, in sorted order).
pub fn average_ranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    // Ascending = descending on −x, with the crate's one shared sort (smaller wasm).
    let negated: Vec<f64> = x.iter().map(|v| -v).collect();
    sort_desc_by_key(&mut idx, &negated);
    let mut ranks = vec![0.0; x.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // positions i..j share the mean of ranks i+1 ..= j
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        ties.push(j - i);
        i = j;
    }
    (ranks, ties)
}

/// Σ (t³ − t) over tie groups.
pub fn tie_term(ties: &[usize]) -> f64 {
    ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_mean_rank() {
        let (r, t) = average_ranks(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r, vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(t, vec![1, 1, 2]);
        assert_eq!(tie_term(&t), 6.0);
    }
}
