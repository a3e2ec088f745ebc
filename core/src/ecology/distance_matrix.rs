//! A square matrix of distances between samples.

use crate::{Error, ErrorCode, Result};

/// Distances between `ids.len()` samples: `values` is n×n row-major, exactly symmetric, with a
/// zero diagonal. `metric` names what produced it (e.g. `"braycurtis"`).
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceMatrix {
    pub ids: Vec<String>,
    pub values: Vec<f64>,
    pub metric: String,
}

impl DistanceMatrix {
    /// Checks the shape and the invariants (finite, non-negative, symmetric, zero diagonal).
    pub fn new(ids: Vec<String>, values: Vec<f64>, metric: impl Into<String>) -> Result<Self> {
        let n = ids.len();
        if values.len() != n * n {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("a distance matrix of {n} samples needs {} values, got {}", n * n, values.len()),
            ));
        }
        for i in 0..n {
            if values[i * n + i] != 0.0 {
                return Err(Error::new(ErrorCode::InvalidArgument, format!("distance matrix: diagonal {i} is not 0")));
            }
            for j in 0..i {
                let (a, b) = (values[i * n + j], values[j * n + i]);
                if !(a.is_finite() && a >= 0.0) || a != b {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("distance matrix: ({i}, {j}) must be finite, ≥ 0 and symmetric"),
                    ));
                }
            }
        }
        Ok(DistanceMatrix { ids, values, metric: metric.into() })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The distance between samples `i` and `j` (both < `len()`).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.len() + j]
    }

    /// CSV: a header of the ids after an empty cell, then one row per sample.
    pub fn to_csv(&self) -> String {
        use crate::results::classification::{push_field, push_number};
        let mut out = String::new();
        for id in &self.ids {
            out.push(',');
            push_field(&mut out, id, ',');
        }
        out.push('\n');
        for (i, id) in self.ids.iter().enumerate() {
            push_field(&mut out, id, ',');
            for &v in &self.values[i * self.len()..(i + 1) * self.len()] {
                out.push(',');
                push_number(&mut out, v);
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_ids_on_both_axes() {
        let d = DistanceMatrix::new(vec!["a".into(), "b,c".into()], vec![0.0, 0.5, 0.5, 0.0], "braycurtis").unwrap();
        assert_eq!(d.to_csv(), ",a,\"b,c\"\na,0,0.5\n\"b,c\",0.5,0\n");
    }
}
