//! Ranks and metrics of classification matrices.

use crate::error::{Error, Result};

/// A canonical rank. `level()` is the spec's level: species 0 … superkingdom 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rank {
    Species,
    Genus,
    Family,
    Order,
    Class,
    Phylum,
    Kingdom,
    Superkingdom,
}

impl Rank {
    /// Most general first, the order of a lineage (and of BIOM `taxonomy`).
    pub const LINEAGE_ORDER: [Rank; 8] = [
        Rank::Superkingdom,
        Rank::Kingdom,
        Rank::Phylum,
        Rank::Class,
        Rank::Order,
        Rank::Family,
        Rank::Genus,
        Rank::Species,
    ];

    pub fn level(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rank::Species => "species",
            Rank::Genus => "genus",
            Rank::Family => "family",
            Rank::Order => "order",
            Rank::Class => "class",
            Rank::Phylum => "phylum",
            Rank::Kingdom => "kingdom",
            Rank::Superkingdom => "superkingdom",
        }
    }

    /// A canonical rank from its exact (lower-case) name; `None` for NCBI's other ranks.
    pub fn from_canonical(s: &str) -> Option<Rank> {
        Some(match s {
            "species" => Rank::Species,
            "genus" => Rank::Genus,
            "family" => Rank::Family,
            "order" => Rank::Order,
            "class" => Rank::Class,
            "phylum" => Rank::Phylum,
            "kingdom" => Rank::Kingdom,
            "superkingdom" => Rank::Superkingdom,
            _ => return None,
        })
    }

    /// A rank argument from a user: canonical names only.
    pub fn parse(s: &str) -> Result<Rank> {
        Rank::from_canonical(s).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown rank \"{s}\"; expected one of superkingdom, kingdom, phylum, class, order, family, genus, species, or auto"
            ))
        })
    }
}

/// A rank option: a fixed rank or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankOption {
    #[default]
    Auto,
    Rank(Rank),
}

impl RankOption {
    pub fn parse(s: &str) -> Result<RankOption> {
        if s == "auto" {
            Ok(RankOption::Auto)
        } else {
            Rank::parse(s).map(RankOption::Rank)
        }
    }
}

/// A table metric. `auto` is a separate option (`MetricOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Readcount,
    ReadcountWChildren,
    Abundance,
    AbundanceWChildren,
    PropReadcount,
    PropReadcountWChildren,
    PropClassified,
    PropClassifiedWChildren,
    NormalizedReadcount,
    NormalizedReadcountWChildren,
    FilteredReadcount,
    FilteredReadcountWChildren,
    NormalizedFilteredReadcount,
    NormalizedFilteredReadcountWChildren,
}

/// The results column a metric reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Readcount,
    ReadcountWChildren,
    Abundance,
    AbundanceWChildren,
    FilteredReadcount,
    FilteredReadcountWChildren,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Readcount,
        Field::ReadcountWChildren,
        Field::Abundance,
        Field::AbundanceWChildren,
        Field::FilteredReadcount,
        Field::FilteredReadcountWChildren,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::Readcount => "readcount",
            Field::ReadcountWChildren => "readcount_w_children",
            Field::Abundance => "abundance",
            Field::AbundanceWChildren => "abundance_w_children",
            Field::FilteredReadcount => "filtered_readcount",
            Field::FilteredReadcountWChildren => "filtered_readcount_w_children",
        }
    }

    pub fn from_key(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// How a metric's row is post-processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    None,
    /// ÷ `n_reads`
    NReads,
    /// ÷ `n_mapped_microbial_reads`
    MappedMicrobial,
    /// ÷ the row sum over kept columns (incl. `No <rank>`)
    RowSum,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Readcount,
        Metric::ReadcountWChildren,
        Metric::Abundance,
        Metric::AbundanceWChildren,
        Metric::PropReadcount,
        Metric::PropReadcountWChildren,
        Metric::PropClassified,
        Metric::PropClassifiedWChildren,
        Metric::NormalizedReadcount,
        Metric::NormalizedReadcountWChildren,
        Metric::FilteredReadcount,
        Metric::FilteredReadcountWChildren,
        Metric::NormalizedFilteredReadcount,
        Metric::NormalizedFilteredReadcountWChildren,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Readcount => "readcount",
            Metric::ReadcountWChildren => "readcount_w_children",
            Metric::Abundance => "abundance",
            Metric::AbundanceWChildren => "abundance_w_children",
            Metric::PropReadcount => "prop_readcount",
            Metric::PropReadcountWChildren => "prop_readcount_w_children",
            Metric::PropClassified => "prop_classified",
            Metric::PropClassifiedWChildren => "prop_classified_w_children",
            Metric::NormalizedReadcount => "normalized_readcount",
            Metric::NormalizedReadcountWChildren => "normalized_readcount_w_children",
            Metric::FilteredReadcount => "filtered_readcount",
            Metric::FilteredReadcountWChildren => "filtered_readcount_w_children",
            Metric::NormalizedFilteredReadcount => "normalized_filtered_readcount",
            Metric::NormalizedFilteredReadcountWChildren => "normalized_filtered_readcount_w_children",
        }
    }

    pub fn parse(s: &str) -> Result<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown metric \"{s}\"; expected auto or one of {}",
                Metric::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The results key the metric reads (`results_key`).
    pub fn field(self) -> Field {
        use Metric::*;
        match self {
            Readcount | PropReadcount | PropClassified | NormalizedReadcount => Field::Readcount,
            ReadcountWChildren | PropReadcountWChildren | PropClassifiedWChildren | NormalizedReadcountWChildren => {
                Field::ReadcountWChildren
            }
            Abundance => Field::Abundance,
            AbundanceWChildren => Field::AbundanceWChildren,
            FilteredReadcount | NormalizedFilteredReadcount => Field::FilteredReadcount,
            FilteredReadcountWChildren | NormalizedFilteredReadcountWChildren => Field::FilteredReadcountWChildren,
        }
    }

    pub fn normalization(self) -> Normalization {
        use Metric::*;
        match self {
            PropReadcount | PropReadcountWChildren => Normalization::NReads,
            PropClassified | PropClassifiedWChildren => Normalization::MappedMicrobial,
            NormalizedReadcount
            | NormalizedReadcountWChildren
            | NormalizedFilteredReadcount
            | NormalizedFilteredReadcountWChildren => Normalization::RowSum,
            _ => Normalization::None,
        }
    }

    pub fn is_abundance(self) -> bool {
        matches!(self, Metric::Abundance | Metric::AbundanceWChildren)
    }

    pub fn includes_children(self) -> bool {
        self.as_str().ends_with("_w_children")
    }

    pub fn is_normalized(self) -> bool {
        self.is_abundance() || self.normalization() != Normalization::None
    }

    /// Not comparable across samples whose abundance status differs.
    pub fn is_abundance_sensitive(self) -> bool {
        use Metric::*;
        matches!(
            self,
            Readcount
                | ReadcountWChildren
                | PropReadcount
                | PropReadcountWChildren
                | PropClassified
                | PropClassifiedWChildren
                | NormalizedReadcount
                | NormalizedReadcountWChildren
        )
    }

    /// Display name: the value column of long tables and chart axes.
    pub fn display_name(self) -> &'static str {
        use Metric::*;
        match self {
            Readcount => "Readcount",
            ReadcountWChildren => "Readcount With Children",
            Abundance | AbundanceWChildren => "Relative Abundance",
            PropReadcount | PropReadcountWChildren => "Reads (Normalized)",
            PropClassified | PropClassifiedWChildren => "Classified Reads (Normalized)",
            NormalizedReadcount => "Normalized Readcount",
            NormalizedReadcountWChildren => "Normalized Readcount With Children",
            FilteredReadcount => "Readcount (Filtered)",
            FilteredReadcountWChildren => "Readcount With Children (Filtered)",
            NormalizedFilteredReadcount => "Normalized Readcount (Filtered)",
            NormalizedFilteredReadcountWChildren => "Normalized Readcount With Children (Filtered)",
        }
    }
}

/// A metric option: a fixed metric or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricOption {
    #[default]
    Auto,
    Metric(Metric),
}

impl MetricOption {
    pub fn parse(s: &str) -> Result<MetricOption> {
        if s == "auto" {
            Ok(MetricOption::Auto)
        } else {
            Metric::parse(s).map(MetricOption::Metric)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_invalid_argument() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()).unwrap(), m);
        }
        for r in Rank::LINEAGE_ORDER {
            assert_eq!(Rank::parse(r.as_str()).unwrap(), r);
        }
        let e = Metric::parse("readcounts").unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument);
        let e = Rank::parse("no rank").unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument);
        assert_eq!(MetricOption::parse("auto").unwrap(), MetricOption::Auto);
        assert_eq!(RankOption::parse("genus").unwrap(), RankOption::Rank(Rank::Genus));
    }

    #[test]
    fn flags_follow_the_spec_table() {
        assert_eq!(Rank::Species.level(), 0);
        assert_eq!(Rank::Superkingdom.level(), 7);
        assert!(Metric::AbundanceWChildren.is_abundance());
        assert!(Metric::AbundanceWChildren.includes_children());
        assert!(!Metric::Readcount.includes_children());
        assert!(Metric::PropClassified.is_normalized());
        assert!(!Metric::FilteredReadcount.is_normalized());
        assert!(!Metric::NormalizedFilteredReadcount.is_abundance_sensitive());
        assert!(Metric::NormalizedReadcount.is_abundance_sensitive());
        assert_eq!(Metric::NormalizedFilteredReadcountWChildren.field(), Field::FilteredReadcountWChildren);
        assert_eq!(Metric::PropClassified.display_name(), "Classified Reads (Normalized)");
    }
}
