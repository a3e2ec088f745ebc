//! The names of the diversity metrics and tests, each listed once: `parse` errors list the valid
//! names from the same list.

use crate::error::{Error, Result};

/// Declares a closed set of names: the enum, `ALL`, `as_str` and `parse` (whose error lists them).
macro_rules! names {
    ($(#[$m:meta])* $ty:ident, $what:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $($variant),+ }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            pub fn parse(s: &str) -> Result<$ty> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(Error::invalid_argument(format!(
                        concat!("unknown ", $what, " \"{}\"; expected one of: ", names!(@join $($name),+)),
                        s
                    ))),
                }
            }
        }
    };
    (@join $first:literal $(, $rest:literal)*) => { concat!($first $(, ", ", $rest)*) };
}

names! {
    /// Diversity within one sample (`alpha_diversity`).
    AlphaMetric, "alpha diversity metric" {
        Chao1 => "chao1",
        ObservedTaxa => "observed_taxa",
        Shannon => "shannon",
        Simpson => "simpson",
    }
}

names! {
    /// Distance between two samples (`beta_diversity`).
    BetaMetric, "beta diversity metric" {
        Aitchison => "aitchison",
        BrayCurtis => "braycurtis",
        CityBlock => "cityblock",
        Euclidean => "euclidean",
        Jaccard => "jaccard",
        Manhattan => "manhattan",
        UnweightedUnifrac => "unweighted_unifrac",
        WeightedUnifrac => "weighted_unifrac",
    }
}

names! {
    /// The test of `alpha_diversity_stats`.
    AlphaTest, "alpha diversity test" {
        Auto => "auto",
        Wilcoxon => "wilcoxon",
        Mannwhitneyu => "mannwhitneyu",
        Kruskal => "kruskal",
    }
}

impl BetaMetric {
    /// Metrics that refuse negative values (they read abundances as amounts).
    pub fn needs_non_negative(self) -> bool {
        !matches!(self, BetaMetric::CityBlock | BetaMetric::Manhattan | BetaMetric::Euclidean | BetaMetric::Jaccard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_errors_list_them() {
        for &m in BetaMetric::ALL {
            assert_eq!(BetaMetric::parse(m.as_str()).unwrap(), m);
        }
        let e = AlphaMetric::parse("shanon").unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidArgument);
        assert!(e.message.contains("chao1, observed_taxa, shannon, simpson"), "{}", e.message);
        let e = BetaMetric::parse("bray").unwrap_err();
        assert!(e.message.contains("braycurtis") && e.message.contains("weighted_unifrac"));
    }
}
