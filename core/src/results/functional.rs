//! Functional profiles: the server's `/results` table, the condensed file of
//! 1.2.0 (parsing, the rehydrated table with its filters, and the
//! collection matrix), and the `filtered_results` query with Python-style booleans.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::classification::{number_id_text, push_field, push_number, TaxIdString};
use super::decode;
use super::strings::{StringTable, NULL_CODE};
use crate::error::{Error, Result};

/// `FunctionalAnnotations` (no `gene_family`: it is a group name, not an annotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionalAnnotation {
    Pathways,
    Metacyc,
    Eggnog,
    Go,
    Ko,
    Ec,
    Pfam,
    Reaction,
}

impl FunctionalAnnotation {
    pub const ALL: [FunctionalAnnotation; 8] = [
        FunctionalAnnotation::Pathways,
        FunctionalAnnotation::Metacyc,
        FunctionalAnnotation::Eggnog,
        FunctionalAnnotation::Go,
        FunctionalAnnotation::Ko,
        FunctionalAnnotation::Ec,
        FunctionalAnnotation::Pfam,
        FunctionalAnnotation::Reaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunctionalAnnotation::Pathways => "pathways",
            FunctionalAnnotation::Metacyc => "metacyc",
            FunctionalAnnotation::Eggnog => "eggnog",
            FunctionalAnnotation::Go => "go",
            FunctionalAnnotation::Ko => "ko",
            FunctionalAnnotation::Ec => "ec",
            FunctionalAnnotation::Pfam => "pfam",
            FunctionalAnnotation::Reaction => "reaction",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown functional annotation \"{s}\"; expected one of pathways, metacyc, eggnog, go, ko, ec, pfam, reaction"
            ))
        })
    }
}

/// `FunctionalAnnotationsMetric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionalMetric {
    Rpk,
    Cpm,
    Abundance,
    CompleteAbundance,
    Coverage,
}

impl FunctionalMetric {
    pub const ALL: [FunctionalMetric; 5] = [
        FunctionalMetric::Rpk,
        FunctionalMetric::Cpm,
        FunctionalMetric::Abundance,
        FunctionalMetric::CompleteAbundance,
        FunctionalMetric::Coverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunctionalMetric::Rpk => "rpk",
            FunctionalMetric::Cpm => "cpm",
            FunctionalMetric::Abundance => "abundance",
            FunctionalMetric::CompleteAbundance => "complete_abundance",
            FunctionalMetric::Coverage => "coverage",
        }
    }

    /// Plot label.
    pub fn label(self) -> &'static str {
        match self {
            FunctionalMetric::Rpk => "RPK",
            FunctionalMetric::Cpm => "CPM",
            FunctionalMetric::Abundance => "Abundance",
            FunctionalMetric::CompleteAbundance => "Complete Abundance",
            FunctionalMetric::Coverage => "Coverage",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown functional metric \"{s}\"; expected one of rpk, cpm, abundance, complete_abundance, coverage"
            ))
        })
    }

    /// An optional annotation and metric as users give them (`metric` may be `"all"`): each
    /// parsed, and the pair checked when both are given.
    pub fn parse_selection(
        annotation: Option<&str>,
        metric: Option<&str>,
    ) -> Result<(Option<FunctionalAnnotation>, Option<FunctionalMetric>)> {
        let annotation = annotation.map(FunctionalAnnotation::parse).transpose()?;
        let metric = match metric {
            None | Some("all") => None,
            Some(m) => Some(FunctionalMetric::parse(m)?),
        };
        if let (Some(a), Some(m)) = (annotation, metric) {
            m.check_pair(a)?;
        }
        Ok((annotation, metric))
    }

    /// Allowed pairs: pathways → abundance | complete_abundance | coverage; others → cpm | rpk.
    pub fn check_pair(self, annotation: FunctionalAnnotation) -> Result<()> {
        let ok = match annotation {
            FunctionalAnnotation::Pathways => matches!(
                self,
                FunctionalMetric::Abundance | FunctionalMetric::CompleteAbundance | FunctionalMetric::Coverage
            ),
            _ => matches!(self, FunctionalMetric::Cpm | FunctionalMetric::Rpk),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_argument(format!(
                "metric {} cannot be retrieved for functional group {}",
                self.as_str(),
                annotation.as_str()
            )))
        }
    }
}

/// The query string of the (pre-1.2.0) `filtered_results` endpoint, booleans rendered
/// Python-style: `functional_group=pathways&metric=coverage&taxa_stratified=True`.
pub fn filtered_results_query(
    annotation: FunctionalAnnotation,
    metric: FunctionalMetric,
    taxa_stratified: bool,
) -> Result<String> {
    metric.check_pair(annotation)?;
    Ok(format!(
        "functional_group={}&metric={}&taxa_stratified={}",
        annotation.as_str(),
        metric.as_str(),
        if taxa_stratified { "True" } else { "False" }
    ))
}

/// Features that are bookkeeping, not functions; dropped whenever a metric is chosen.
fn is_special_feature(id: &str) -> bool {
    matches!(id, "UNMAPPED" | "UNGROUPED" | "UNINTEGRATED")
}

// ---------------------------------------------------------------------------------------------
// The row table (server `/results`, `filtered_results`, and the rehydrated condensed file).

/// `taxa_stratified` codes of [`FunctionalTable::taxa_stratified`].
pub const STRATIFIED_FALSE: u8 = 0;
pub const STRATIFIED_TRUE: u8 = 1;
pub const STRATIFIED_NULL: u8 = 2;

/// Functional results rows in columns; strings are codes into one string table.
#[derive(Debug, Clone, Default)]
pub struct FunctionalTable {
    strings: StringTable,
    group_name: Vec<u32>,
    id: Vec<u32>,
    name: Vec<u32>,
    metric: Vec<u32>,
    taxa_stratified: Vec<u8>,
    taxon_id: Vec<u32>,
    taxon_name: Vec<u32>,
    value: Vec<f64>,
    n_reads: Option<f64>,
    n_mapped: Option<f64>,
}

/// One row of a [`FunctionalTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionalRow<'a> {
    pub group_name: Option<&'a str>,
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub metric: Option<&'a str>,
    pub taxa_stratified: Option<bool>,
    pub taxon_id: Option<&'a str>,
    pub taxon_name: Option<&'a str>,
    pub value: f64,
}

impl FunctionalTable {
    /// Parses a `/results` (or `filtered_results`) body: zstd, gzip or plain JSON.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let text = decode::decode(bytes)?;
        Self::parse_json(&text)
    }

    /// A table from results bytes (any compression): a condensed file, rehydrated with `filter`,
    /// or the server's `/results` JSON, which takes no filter (the server chose its rows).
    pub fn parse_results_or_condensed(bytes: &[u8], filter: &RehydrateFilter<'_>) -> Result<Self> {
        let text = decode::decode(bytes)?;
        if CondensedFunctional::is_condensed(&text) {
            return match CondensedFunctional::parse(&text)? {
                Some(c) => Ok(c.rehydrate(filter)),
                None => Err(Error::invalid_response(
                    "condensed functional results of an unsupported version (only version 1 is read)",
                )),
            };
        }
        if filter.selects_rows() {
            return Err(Error::invalid_argument(
                "annotation, metric and taxaStratified select rows of a condensed file; \
                 /results JSON has the rows the server chose",
            ));
        }
        Self::parse_json(&text)
    }

    pub fn parse_json(json: &[u8]) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let mut t = FunctionalTable::default();
        let r = de.deserialize_map(TopVisitor(&mut t)).and_then(|()| de.end());
        match r {
            Ok(()) => Ok(t),
            Err(e) => Err(Error::invalid_response(format!("functional results: {e}"))),
        }
    }

    pub fn len(&self) -> usize {
        self.value.len()
    }
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
    pub fn n_reads(&self) -> Option<f64> {
        self.n_reads
    }
    pub fn n_mapped(&self) -> Option<f64> {
        self.n_mapped
    }
    /// The string table that the string columns' codes index.
    pub fn strings(&self) -> &StringTable {
        &self.strings
    }
    pub fn group_name_codes(&self) -> &[u32] {
        &self.group_name
    }
    pub fn id_codes(&self) -> &[u32] {
        &self.id
    }
    pub fn name_codes(&self) -> &[u32] {
        &self.name
    }
    pub fn metric_codes(&self) -> &[u32] {
        &self.metric
    }
    /// 0 false, 1 true, 2 null ([`STRATIFIED_FALSE`] …).
    pub fn taxa_stratified(&self) -> &[u8] {
        &self.taxa_stratified
    }
    pub fn taxon_id_codes(&self) -> &[u32] {
        &self.taxon_id
    }
    pub fn taxon_name_codes(&self) -> &[u32] {
        &self.taxon_name
    }
    pub fn values(&self) -> &[f64] {
        &self.value
    }

    pub fn row(&self, i: usize) -> Option<FunctionalRow<'_>> {
        if i >= self.len() {
            return None;
        }
        let s = |c: u32| self.strings.get(c);
        Some(FunctionalRow {
            group_name: s(self.group_name[i]),
            id: s(self.id[i]),
            name: s(self.name[i]),
            metric: s(self.metric[i]),
            taxa_stratified: match self.taxa_stratified[i] {
                STRATIFIED_FALSE => Some(false),
                STRATIFIED_TRUE => Some(true),
                _ => None,
            },
            taxon_id: s(self.taxon_id[i]),
            taxon_name: s(self.taxon_name[i]),
            value: self.value[i],
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = FunctionalRow<'_>> + '_ {
        (0..self.len()).filter_map(move |i| self.row(i))
    }

    /// The Python client's local `table()` helper: rows with this stratification and, if given, this
    /// group name.
    pub fn filter(&self, group_name: Option<&str>, taxa_stratified: bool) -> FunctionalTable {
        let want = if taxa_stratified { STRATIFIED_TRUE } else { STRATIFIED_FALSE };
        let mut out = FunctionalTable { n_reads: self.n_reads, n_mapped: self.n_mapped, ..Default::default() };
        for i in 0..self.len() {
            if self.taxa_stratified[i] != want {
                continue;
            }
            if let Some(g) = group_name {
                if self.strings.get(self.group_name[i]) != Some(g) {
                    continue;
                }
            }
            if let Some(r) = self.row(i) {
                out.push(&r);
            }
        }
        out
    }

    fn push(&mut self, r: &FunctionalRow<'_>) {
        let mut s = |v: Option<&str>| v.map_or(NULL_CODE, |v| self.strings.intern(v));
        let g = s(r.group_name);
        let id = s(r.id);
        let name = s(r.name);
        let metric = s(r.metric);
        let tid = s(r.taxon_id);
        let tname = s(r.taxon_name);
        self.group_name.push(g);
        self.id.push(id);
        self.name.push(name);
        self.metric.push(metric);
        self.taxon_id.push(tid);
        self.taxon_name.push(tname);
        self.taxa_stratified.push(match r.taxa_stratified {
            Some(false) => STRATIFIED_FALSE,
            Some(true) => STRATIFIED_TRUE,
            None => STRATIFIED_NULL,
        });
        self.value.push(r.value);
    }

    /// CSV with the columns of the Python exporter's rows:
    /// `group_name,id,name,metric,value,taxa_stratified,taxon_id,taxon_name`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("group_name,id,name,metric,value,taxa_stratified,taxon_id,taxon_name\n");
        for r in self.rows() {
            for (j, v) in [r.group_name, r.id, r.name, r.metric].iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                push_field(&mut out, v.unwrap_or(""), ',');
            }
            out.push(',');
            push_number(&mut out, r.value);
            out.push(',');
            out.push_str(match r.taxa_stratified {
                Some(true) => "True",
                Some(false) => "False",
                None => "",
            });
            for v in [r.taxon_id, r.taxon_name] {
                out.push(',');
                push_field(&mut out, v.unwrap_or(""), ',');
            }
            out.push('\n');
        }
        out
    }
}

struct TopVisitor<'a>(&'a mut FunctionalTable);

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a functional results object with a table")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let t = self.0;
        let mut saw_table = false;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*k {
                "n_reads" => t.n_reads = map.next_value::<Num>()?.opt(),
                "n_mapped" => t.n_mapped = map.next_value::<Num>()?.opt(),
                "table" => {
                    map.next_value_seed(RowsSeed(t))?;
                    saw_table = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !saw_table {
            return Err(de::Error::missing_field("table"));
        }
        Ok(())
    }
}

struct RowsSeed<'a>(&'a mut FunctionalTable);

impl<'de> de::DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of functional rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(r) = seq.next_element::<RawRow>()? {
            let row = FunctionalRow {
                group_name: r.group_name.as_deref(),
                id: r.id.as_ref().map(|t| t.0.as_str()),
                name: r.name.as_deref(),
                metric: r.metric.as_deref(),
                taxa_stratified: r.taxa_stratified.map(|b| b.0),
                taxon_id: r.taxon_id.as_ref().map(|t| t.0.as_str()),
                taxon_name: r.taxon_name.as_deref(),
                value: r.value.0,
            };
            self.0.push(&row);
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct RawRow {
    #[serde(default)]
    group_name: Option<String>,
    #[serde(default)]
    id: Option<TaxIdString>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    taxa_stratified: Option<PyBool>,
    #[serde(default)]
    taxon_id: Option<TaxIdString>,
    #[serde(default)]
    taxon_name: Option<String>,
    #[serde(default)]
    value: Num,
}

/// A JSON number or null (NaN). Strings are refused.
#[derive(Clone, Copy, Debug)]
struct Num(f64);

impl Default for Num {
    fn default() -> Self {
        Num(f64::NAN)
    }
}

impl Num {
    fn opt(self) -> Option<f64> {
        if self.0.is_nan() {
            None
        } else {
            Some(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or null")
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_unit<E>(self) -> std::result::Result<Num, E> {
                Ok(Num(f64::NAN))
            }
            fn visit_none<E>(self) -> std::result::Result<Num, E> {
                Ok(Num(f64::NAN))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean: JSON `true`/`false`, or Python's `"True"`/`"False"` as text.
#[derive(Clone, Copy, Debug)]
struct PyBool(bool);

impl<'de> Deserialize<'de> for PyBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PyBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false, \"True\" or \"False\"")
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<PyBool, E> {
                Ok(PyBool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<PyBool, E> {
                match v {
                    "True" | "true" => Ok(PyBool(true)),
                    "False" | "false" => Ok(PyBool(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Condensed format, version 1.

/// A contribution's taxon id as the file has it (string, number or null).
#[derive(Debug, Clone, PartialEq)]
pub enum RawTaxonId {
    Str(String),
    Int(i64),
    Num(f64),
    Null,
}

impl RawTaxonId {
    /// Python's `str()` of the value, for the rehydrated table (`1280.0` stays `1280.0`).
    pub fn python_text(&self) -> Option<String> {
        match self {
            RawTaxonId::Str(s) => Some(s.clone()),
            RawTaxonId::Int(v) => Some(v.to_string()),
            RawTaxonId::Num(v) => Some(python_float_text(*v)),
            RawTaxonId::Null => None,
        }
    }

    /// The matrix's column key: null/NaN → `""`, integral floats → integer text.
    pub fn matrix_key(&self) -> String {
        match self {
            RawTaxonId::Str(s) => s.clone(),
            RawTaxonId::Int(v) => v.to_string(),
            RawTaxonId::Num(v) if v.is_nan() => String::new(),
            RawTaxonId::Num(v) => number_id_text(*v),
            RawTaxonId::Null => String::new(),
        }
    }
}

fn python_float_text(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{}.0", v as i64)
    } else {
        super::classification::float_text(v)
    }
}

impl RawTaxonId {
    /// Python `==` between dict keys: text with text, numbers with numbers (`562 == 562.0`).
    fn py_eq(&self, other: &RawTaxonId) -> bool {
        let num = |t: &RawTaxonId| match t {
            RawTaxonId::Int(i) => Some(*i as f64),
            RawTaxonId::Num(v) => Some(*v),
            _ => None,
        };
        match (self, other) {
            (RawTaxonId::Str(a), RawTaxonId::Str(b)) => a == b,
            (RawTaxonId::Null, RawTaxonId::Null) => true,
            _ => match (num(self), num(other)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl<'de> Deserialize<'de> for RawTaxonId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTaxonId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a taxon id (string, number or null)")
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<RawTaxonId, E> {
                Ok(RawTaxonId::Str(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<RawTaxonId, E> {
                Ok(RawTaxonId::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<RawTaxonId, E> {
                Ok(match i64::try_from(v) {
                    Ok(i) => RawTaxonId::Int(i),
                    Err(_) => RawTaxonId::Num(v as f64),
                })
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<RawTaxonId, E> {
                Ok(RawTaxonId::Num(v))
            }
            fn visit_unit<E>(self) -> std::result::Result<RawTaxonId, E> {
                Ok(RawTaxonId::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<RawTaxonId, E> {
                Ok(RawTaxonId::Null)
            }
        }
        d.deserialize_any(V)
    }
}

/// A non-pathway feature: `[id, name, cpm, rpk, [[taxon_id, cpm, rpk], …]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub id: String,
    pub name: Option<String>,
    pub cpm: f64,
    pub rpk: f64,
    pub contributions: Vec<(RawTaxonId, f64, f64)>,
}

/// A pathway: `[id, name, abundance, coverage, metacyc_cpm, [[taxon_id, abundance, coverage, metacyc_cpm], …]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pathway {
    pub id: String,
    pub name: Option<String>,
    pub abundance: f64,
    pub coverage: f64,
    pub metacyc_cpm: f64,
    pub contributions: Vec<(RawTaxonId, f64, f64, f64)>,
}

#[derive(Deserialize)]
struct FeatureRaw(TaxIdString, Option<String>, Num, Num, #[serde(default)] Vec<(RawTaxonId, Num, Num)>);

#[derive(Deserialize)]
struct PathwayRaw(TaxIdString, Option<String>, Num, Num, Num, #[serde(default)] Vec<(RawTaxonId, Num, Num, Num)>);

/// One group of the condensed file, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    Features(String, Vec<Feature>),
    Pathways(Vec<Pathway>),
}

/// A condensed functional results file, version 1.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CondensedFunctional {
    pub n_reads: Option<f64>,
    pub n_mapped: Option<f64>,
    /// `taxonomy.nodes[]`: id (as the file has it) → name.
    pub taxon_names: Vec<(RawTaxonId, Option<String>)>,
    pub groups: Vec<Group>,
}

struct Groups(Vec<Group>);

impl<'de> Deserialize<'de> for Groups {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Groups;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of functional groups to rows")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Groups, A::Error> {
                let mut out: Vec<Group> = Vec::new();
                // A repeated key replaces the earlier group where it stood (a Python dict).
                let put = |out: &mut Vec<Group>, g: Group| {
                    let same = |a: &Group| match (a, &g) {
                        (Group::Pathways(_), Group::Pathways(_)) => true,
                        (Group::Features(x, _), Group::Features(y, _)) => x == y,
                        _ => false,
                    };
                    match out.iter().position(same) {
                        Some(i) => out[i] = g,
                        None => out.push(g),
                    }
                };
                while let Some(k) = map.next_key::<String>()? {
                    if k == "pathways" {
                        let rows: Vec<PathwayRaw> = map.next_value()?;
                        put(
                            &mut out,
                            Group::Pathways(
                                rows.into_iter()
                                    .map(|r| Pathway {
                                        id: r.0 .0,
                                        name: r.1,
                                        abundance: r.2 .0,
                                        coverage: r.3 .0,
                                        metacyc_cpm: r.4 .0,
                                        contributions: r.5.into_iter().map(|(t, a, b, c)| (t, a.0, b.0, c.0)).collect(),
                                    })
                                    .collect(),
                            ),
                        );
                    } else {
                        let rows: Vec<FeatureRaw> = map.next_value()?;
                        put(
                            &mut out,
                            Group::Features(
                                k,
                                rows.into_iter()
                                    .map(|r| Feature {
                                        id: r.0 .0,
                                        name: r.1,
                                        cpm: r.2 .0,
                                        rpk: r.3 .0,
                                        contributions: r.4.into_iter().map(|(t, a, b)| (t, a.0, b.0)).collect(),
                                    })
                                    .collect(),
                            ),
                        );
                    }
                }
                Ok(Groups(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    version: serde_json::Value,
}

#[derive(Deserialize)]
struct CondensedRaw {
    #[serde(default)]
    n_reads: Num,
    #[serde(default)]
    n_mapped: Num,
    #[serde(default)]
    taxonomy: Option<TaxonomyRaw>,
    results: Groups,
}

#[derive(Deserialize)]
struct TaxonomyRaw {
    #[serde(default)]
    nodes: Vec<NodeRaw>,
}

#[derive(Deserialize)]
struct NodeRaw {
    id: RawTaxonId,
    #[serde(default)]
    name: Option<String>,
}

/// Filters of the rehydrated table.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RehydrateFilter<'a> {
    pub group_name: Option<&'a str>,
    pub metric: Option<FunctionalMetric>,
    pub taxa_stratified: Option<bool>,
}

impl RehydrateFilter<'_> {
    /// True when the filter keeps only some rows.
    pub fn selects_rows(&self) -> bool {
        self.group_name.is_some() || self.metric.is_some() || self.taxa_stratified.is_some()
    }
}

impl CondensedFunctional {
    /// True for the text of a condensed file: it has a top-level `version` (and `results`)
    /// where `/results` JSON has `table`.
    pub fn is_condensed(text: &[u8]) -> bool {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(default)]
            version: Option<IgnoredAny>,
        }
        serde_json::from_slice::<Probe>(text).is_ok_and(|p| p.version.is_some())
    }

    /// Parses a condensed file (any compression). `Ok(None)` when its `version` is not 1: the
    /// Python client then treats the results as unavailable.
    pub fn parse(bytes: &[u8]) -> Result<Option<Self>> {
        let text = decode::decode(bytes)?;
        let err = |e: serde_json::Error| Error::invalid_response(format!("condensed functional results: {e}"));
        let probe: VersionProbe = serde_json::from_slice(&text).map_err(err)?;
        if probe.version.as_f64() != Some(1.0) {
            return Ok(None);
        }
        let raw: CondensedRaw = serde_json::from_slice(&text).map_err(err)?;
        Ok(Some(CondensedFunctional {
            n_reads: raw.n_reads.opt(),
            n_mapped: raw.n_mapped.opt(),
            taxon_names: raw
                .taxonomy
                .map(|t| t.nodes.into_iter().map(|n| (n.id, n.name)).collect())
                .unwrap_or_default(),
            groups: raw.results.0,
        }))
    }

    /// The name of a contribution's taxon: `taxa_map.get(taxon_id)` of the Python client, where
    /// `"0"` is `unclassified` and a later node wins over an earlier one with the same id.
    fn taxon_name(&self, raw: &RawTaxonId) -> Option<String> {
        if matches!(raw, RawTaxonId::Str(s) if s == "0") {
            return Some("unclassified".into());
        }
        self.taxon_names.iter().rev().find(|(id, _)| id.py_eq(raw)).and_then(|(_, n)| n.clone())
    }

    /// The `pathways` rows (empty without that group).
    pub fn pathways(&self) -> &[Pathway] {
        self.groups
            .iter()
            .find_map(|g| match g {
                Group::Pathways(p) => Some(p.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The features of a non-pathway group (empty when the file lacks it).
    pub fn features(&self, group: &str) -> &[Feature] {
        self.groups
            .iter()
            .find_map(|g| match g {
                Group::Features(name, f) if name == group => Some(f.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The rehydrated `/results` table, optionally filtered.
    pub fn rehydrate(&self, filter: &RehydrateFilter<'_>) -> FunctionalTable {
        let mut out = FunctionalTable { n_reads: self.n_reads, n_mapped: self.n_mapped, ..Default::default() };
        let metric_filter = filter.metric;
        let keep = |group: &str, metric: &str, stratified: bool, id: &str| -> bool {
            if filter.group_name.is_some_and(|g| g != group) {
                return false;
            }
            if filter.taxa_stratified.is_some_and(|s| s != stratified) {
                return false;
            }
            if let Some(m) = metric_filter {
                if is_special_feature(id) {
                    return false;
                }
                let want = if m == FunctionalMetric::CompleteAbundance { "abundance" } else { m.as_str() };
                if want != metric {
                    return false;
                }
            }
            true
        };
        let emit = |out: &mut FunctionalTable,
                    group: &str,
                    id: &str,
                    name: Option<&str>,
                    metric: &str,
                    value: f64,
                    taxon: Option<&RawTaxonId>| {
            let stratified = taxon.is_some();
            if !keep(group, metric, stratified, id) {
                return;
            }
            let tid = taxon.and_then(|t| t.python_text());
            let tname = taxon.and_then(|t| self.taxon_name(t));
            out.push(&FunctionalRow {
                group_name: Some(group),
                id: Some(id),
                name,
                metric: Some(metric),
                taxa_stratified: Some(stratified),
                taxon_id: tid.as_deref(),
                taxon_name: tname.as_deref(),
                value,
            });
        };
        let complete_only = metric_filter == Some(FunctionalMetric::CompleteAbundance);
        // Every group but pathways, in file order.
        for g in &self.groups {
            if let Group::Features(group, features) = g {
                for f in features {
                    let name = f.name.as_deref().filter(|n| *n != f.id);
                    emit(&mut out, group, &f.id, name, "cpm", f.cpm, None);
                    emit(&mut out, group, &f.id, name, "rpk", f.rpk, None);
                    for (t, cpm, rpk) in &f.contributions {
                        emit(&mut out, group, &f.id, name, "rpk", *rpk, Some(t));
                        emit(&mut out, group, &f.id, name, "cpm", *cpm, Some(t));
                    }
                }
            }
        }
        // Then pathways: their metacyc rows follow the other groups, their pathways rows are
        // collected apart and appended at the very end (so the two are not interleaved).
        let mut pathway_table = FunctionalTable::default();
        for p in self.pathways() {
            if complete_only && p.coverage != 1.0 {
                continue;
            }
            let name = p.name.as_deref();
            let pt = &mut pathway_table;
            emit(&mut out, "metacyc", &p.id, name, "cpm", p.metacyc_cpm, None);
            emit(&mut out, "metacyc", &p.id, name, "rpk", p.abundance, None);
            emit(pt, "pathways", &p.id, name, "coverage", p.coverage, None);
            emit(pt, "pathways", &p.id, name, "abundance", p.abundance, None);
            for (t, ab, cov, cpm) in &p.contributions {
                emit(&mut out, "metacyc", &p.id, name, "rpk", *ab, Some(t));
                emit(&mut out, "metacyc", &p.id, name, "cpm", *cpm, Some(t));
                emit(pt, "pathways", &p.id, name, "coverage", *cov, Some(t));
                emit(pt, "pathways", &p.id, name, "abundance", *ab, Some(t));
            }
        }
        for r in pathway_table.rows() {
            out.push(&r);
        }
        out
    }
}

/// The functional matrix of a collection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionalMatrix {
    /// Functional profile ids, in the given order.
    pub row_ids: Vec<String>,
    /// Feature ids (first-seen order across profiles).
    pub column_ids: Vec<String>,
    /// Per column, the taxon id of a stratified matrix (`""` for unclassified/null); `None`
    /// when unstratified.
    pub column_taxon_ids: Option<Vec<String>>,
    pub values: Vec<f64>,
    /// Feature id → name, for features that produced a value (first-seen order).
    pub feature_names: Vec<(String, Option<String>)>,
}

/// The options of `to_functional_df` after defaults: one place for the
/// offline `functionalMatrix` and the online `ocx.functionalMatrix`, so both read the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunctionalMatrixSpec {
    pub annotation: FunctionalAnnotation,
    pub metric: FunctionalMetric,
    pub taxa_stratified: bool,
    pub fill_missing: bool,
    pub filler: f64,
}

impl FunctionalMatrixSpec {
    /// Defaults: annotation `pathways`, metric `coverage` for pathways and `cpm` for the other
    /// annotations (the Python default `coverage` is refused for them), `taxa_stratified` true,
    /// `fill_missing` true, `filler` 0. A metric the annotation does not have is an error here,
    /// before anything is fetched.
    pub fn resolve(
        annotation: Option<&str>,
        metric: Option<&str>,
        taxa_stratified: Option<bool>,
        fill_missing: Option<bool>,
        filler: Option<f64>,
    ) -> Result<Self> {
        let annotation = FunctionalAnnotation::parse(annotation.unwrap_or("pathways"))?;
        let metric = match metric {
            Some(m) => FunctionalMetric::parse(m)?,
            None if annotation == FunctionalAnnotation::Pathways => FunctionalMetric::Coverage,
            None => FunctionalMetric::Cpm,
        };
        metric.check_pair(annotation)?;
        Ok(FunctionalMatrixSpec {
            annotation,
            metric,
            taxa_stratified: taxa_stratified.unwrap_or(true),
            fill_missing: fill_missing.unwrap_or(true),
            filler: filler.unwrap_or(0.0),
        })
    }
}

/// Builds `to_functional_df` from condensed files: rows are profiles, columns features (or
/// `(feature, taxon)` pairs when stratified) in first-seen order; a repeated key within one
/// profile keeps its last value; empty cells NaN, then `filler` when `fill_missing` (unless the
/// filler is NaN).
#[allow(clippy::too_many_arguments)]
pub fn functional_matrix(
    profiles: &[(&str, &CondensedFunctional)],
    annotation: FunctionalAnnotation,
    metric: FunctionalMetric,
    taxa_stratified: bool,
    fill_missing: bool,
    filler: f64,
    max_bytes: usize,
) -> Result<FunctionalMatrix> {
    metric.check_pair(annotation)?;
    let mut keys = StringTable::new();
    let mut col_feature: Vec<String> = Vec::new();
    let mut col_taxon: Vec<String> = Vec::new();
    let mut names = StringTable::new();
    let mut feature_names: Vec<(String, Option<String>)> = Vec::new();
    // (row, col, value) in emission order; later writes win.
    let mut cells: Vec<(u32, u32, f64)> = Vec::new();
    for (r, (_, p)) in profiles.iter().enumerate() {
        let mut put = |id: &str, name: Option<&str>, taxon: Option<&RawTaxonId>, v: f64| {
            let (key, tkey) = match taxon {
                Some(t) => {
                    let tk = t.matrix_key();
                    (format!("{id}\u{0}{tk}"), tk)
                }
                None => (id.to_owned(), String::new()),
            };
            let before = keys.len();
            let c = keys.intern(&key);
            if keys.len() > before {
                col_feature.push(id.to_owned());
                col_taxon.push(tkey);
            }
            // dict.update: a later name replaces an earlier one, the position stays.
            let nb = names.len();
            let n = names.intern(id) as usize;
            if names.len() > nb {
                feature_names.push((id.to_owned(), name.map(str::to_owned)));
            } else {
                feature_names[n].1 = name.map(str::to_owned);
            }
            cells.push((r as u32, c, v));
        };
        match annotation {
            FunctionalAnnotation::Pathways | FunctionalAnnotation::Metacyc => {
                // (community value, contribution value) per item 17
                type Pick = fn(&Pathway) -> f64;
                type PickC = fn(&(RawTaxonId, f64, f64, f64)) -> f64;
                let (un, co): (Pick, PickC) = match (annotation, metric) {
                    (FunctionalAnnotation::Pathways, FunctionalMetric::Coverage) => (|p| p.coverage, |c| c.2),
                    (FunctionalAnnotation::Metacyc, FunctionalMetric::Cpm) => (|p| p.metacyc_cpm, |c| c.3),
                    // pathways abundance / complete_abundance, metacyc rpk
                    _ => (|p| p.abundance, |c| c.1),
                };
                for pw in p.pathways() {
                    if is_special_feature(&pw.id) {
                        continue;
                    }
                    if metric == FunctionalMetric::CompleteAbundance && pw.coverage != 1.0 {
                        continue;
                    }
                    // Pathway names (also for metacyc) are kept verbatim.
                    let name = pw.name.as_deref();
                    if taxa_stratified {
                        for c in &pw.contributions {
                            put(&pw.id, name, Some(&c.0), co(c));
                        }
                    } else {
                        put(&pw.id, name, None, un(pw));
                    }
                }
            }
            a => {
                let cpm = metric == FunctionalMetric::Cpm;
                for f in p.features(a.as_str()) {
                    if is_special_feature(&f.id) {
                        continue;
                    }
                    let name = f.name.as_deref().filter(|n| *n != f.id);
                    if taxa_stratified {
                        for c in &f.contributions {
                            put(&f.id, name, Some(&c.0), if cpm { c.1 } else { c.2 });
                        }
                    } else {
                        put(&f.id, name, None, if cpm { f.cpm } else { f.rpk });
                    }
                }
            }
        }
    }
    let (nr, nc) = (profiles.len(), col_feature.len());
    match nr.checked_mul(nc).and_then(|c| c.checked_mul(8)) {
        Some(b) if b <= max_bytes => {}
        _ => {
            return Err(Error::invalid_argument(format!(
                "the functional matrix would have {nr} × {nc} cells, more than the limit of {max_bytes} bytes allows"
            )))
        }
    }
    let mut values = vec![f64::NAN; nr * nc];
    for (r, c, v) in cells {
        values[r as usize * nc + c as usize] = v;
    }
    if fill_missing && !filler.is_nan() {
        for v in values.iter_mut() {
            if v.is_nan() {
                *v = filler;
            }
        }
    }
    Ok(FunctionalMatrix {
        row_ids: profiles.iter().map(|(id, _)| (*id).to_owned()).collect(),
        column_ids: col_feature,
        column_taxon_ids: if taxa_stratified { Some(col_taxon) } else { None },
        values,
        feature_names,
    })
}
