//! Classification results parsed straight into columns.
//!
//! The JSON is streamed through serde visitors into per-column vectors; no `serde_json::Value`
//! or per-row struct is ever built. Strings live once in a [`StringTable`] and columns hold
//! `u32` codes (`NULL_CODE` for null); numbers are `f64` with NaN for null or absent. Counts
//! exceed 2³¹ but stay far below 2⁵³, so `f64` holds them exactly.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::decode;
use super::metric::{Field, Rank};
use super::strings::{StringTable, NULL_CODE};
use crate::error::{Error, Result};

/// Column names, in the order of CSV/TSV export and `column()`.
pub const COLUMN_NAMES: [&str; 10] = [
    "tax_id",
    "name",
    "rank",
    "parent_tax_id",
    "readcount",
    "readcount_w_children",
    "abundance",
    "abundance_w_children",
    "filtered_readcount",
    "filtered_readcount_w_children",
];

/// One classification's results table, column-oriented.
#[derive(Debug, Clone)]
pub struct ClassificationTable {
    strings: StringTable,
    tax_id: Vec<u32>,
    name: Vec<u32>,
    rank: Vec<u32>,
    parent_tax_id: Vec<u32>,
    numbers: [Vec<f64>; 6],
    /// Whether any row carried the key (even as null); absent keys read as NaN.
    has_field: [bool; 6],
    n_reads: Option<f64>,
    host_tax_ids: Option<Vec<String>>,
    /// string code -> row, for codes that are tax ids (`NULL_CODE` otherwise).
    row_by_code: Vec<u32>,
}

/// A column borrowed from a table: numbers, or string codes into [`ClassificationTable::strings`].
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    Numbers(&'a [f64]),
    Strings(&'a [u32]),
}

/// One row, for convenience (`rows()` in JS); bulk access should use columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub tax_id: &'a str,
    pub name: Option<&'a str>,
    pub rank: Option<&'a str>,
    pub parent_tax_id: Option<&'a str>,
    pub readcount: f64,
    pub readcount_w_children: f64,
    pub abundance: f64,
    pub abundance_w_children: f64,
    pub filtered_readcount: f64,
    pub filtered_readcount_w_children: f64,
}

/// Per-classification statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleStats {
    pub n_reads_total: f64,
    pub n_host_reads: f64,
    pub n_nonspecific_reads: f64,
    pub n_mapped_reads: f64,
    pub n_mapped_microbial_reads: f64,
}

fn field_index(f: Field) -> usize {
    f as usize
}

impl ClassificationTable {
    /// Parses a results body: zstd, gzip or plain JSON bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let text = decode::decode(bytes)?;
        Self::parse_json(&text)
    }

    /// Parses JSON text (already decompressed).
    pub fn parse_json(json: &[u8]) -> Result<Self> {
        // Validate UTF-8 once for the whole body (fast), so strings need no per-string check.
        let text = std::str::from_utf8(json)
            .map_err(|e| Error::invalid_response(format!("classification results are not UTF-8 text: {e}")))?;
        // Pre-size from the body length (a row is ~260 bytes of JSON) to avoid regrowth.
        let rows = json.len() / 240 + 16;
        let mut b = Builder { strings: StringTable::with_capacity(rows * 2), ..Default::default() };
        b.reserve(rows);
        let mut de = serde_json::Deserializer::from_str(text);
        let res = TopSeed(&mut b).deserialize(&mut de).and_then(|()| de.end());
        match res {
            Ok(()) => b.finish(),
            Err(e) => {
                Err(b.error.take().unwrap_or_else(|| Error::invalid_response(format!("classification results: {e}"))))
            }
        }
    }

    pub fn len(&self) -> usize {
        self.tax_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tax_id.is_empty()
    }

    /// The string table that every string column's codes index.
    pub fn strings(&self) -> &StringTable {
        &self.strings
    }

    #[inline]
    pub fn str(&self, code: u32) -> Option<&str> {
        self.strings.get(code)
    }

    pub fn tax_id_codes(&self) -> &[u32] {
        &self.tax_id
    }
    pub fn name_codes(&self) -> &[u32] {
        &self.name
    }
    pub fn rank_codes(&self) -> &[u32] {
        &self.rank
    }
    pub fn parent_tax_id_codes(&self) -> &[u32] {
        &self.parent_tax_id
    }

    /// A numeric column (NaN for null/absent).
    pub fn numbers(&self, f: Field) -> &[f64] {
        &self.numbers[field_index(f)]
    }

    /// Whether the results carried this key on any row (older results lack some).
    pub fn has_field(&self, f: Field) -> bool {
        self.has_field[field_index(f)]
    }

    /// A column by its results key (see [`COLUMN_NAMES`]).
    pub fn column(&self, name: &str) -> Result<Column<'_>> {
        Ok(match name {
            "tax_id" => Column::Strings(&self.tax_id),
            "name" => Column::Strings(&self.name),
            "rank" => Column::Strings(&self.rank),
            "parent_tax_id" => Column::Strings(&self.parent_tax_id),
            _ => match Field::from_key(name) {
                Some(f) => Column::Numbers(self.numbers(f)),
                None => {
                    return Err(Error::invalid_argument(format!(
                        "unknown column \"{name}\"; columns are {}",
                        COLUMN_NAMES.join(", ")
                    )))
                }
            },
        })
    }

    /// A string column resolved to strings (`None` for null).
    pub fn string_column(&self, name: &str) -> Result<Vec<Option<&str>>> {
        match self.column(name)? {
            Column::Strings(codes) => Ok(codes.iter().map(|&c| self.strings.get(c)).collect()),
            Column::Numbers(_) => Err(Error::invalid_argument(format!("column \"{name}\" holds numbers"))),
        }
    }

    /// `n_reads`, when the results have it.
    pub fn n_reads(&self) -> Option<f64> {
        self.n_reads
    }

    /// `host_tax_ids`, when the results have them.
    pub fn host_tax_ids(&self) -> Option<&[String]> {
        self.host_tax_ids.as_deref()
    }

    /// The row index of a tax id.
    pub fn row_of(&self, tax_id: &str) -> Option<usize> {
        let code = self.strings.code_of(tax_id)?;
        self.row_of_code(code)
    }

    #[inline]
    pub(crate) fn row_of_code(&self, code: u32) -> Option<usize> {
        match self.row_by_code.get(code as usize) {
            Some(&r) if r != NULL_CODE => Some(r as usize),
            _ => None,
        }
    }

    pub fn tax_id(&self, row: usize) -> &str {
        self.strings.str_or_empty(self.tax_id[row])
    }

    /// One row; panics-free: `None` past the end.
    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        if i >= self.len() {
            return None;
        }
        let n = |f: Field| self.numbers[field_index(f)][i];
        Some(Row {
            tax_id: self.strings.str_or_empty(self.tax_id[i]),
            name: self.strings.get(self.name[i]),
            rank: self.strings.get(self.rank[i]),
            parent_tax_id: self.strings.get(self.parent_tax_id[i]),
            readcount: n(Field::Readcount),
            readcount_w_children: n(Field::ReadcountWChildren),
            abundance: n(Field::Abundance),
            abundance_w_children: n(Field::AbundanceWChildren),
            filtered_readcount: n(Field::FilteredReadcount),
            filtered_readcount_w_children: n(Field::FilteredReadcountWChildren),
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.len()).filter_map(move |i| self.row(i))
    }

    /// Canonical rank of a row, if its rank is one of the eight.
    pub fn canonical_rank(&self, row: usize) -> Option<Rank> {
        self.strings.get(self.rank[row]).and_then(Rank::from_canonical)
    }

    /// Codes of the host tax ids that occur in the string table.
    pub(crate) fn host_codes(&self) -> Vec<u32> {
        self.host_tax_ids.iter().flatten().filter_map(|h| self.strings.code_of(h)).collect()
    }

    /// `n_mapped_reads − n_host_reads − n_nonspecific_reads`; missing host ids count as
    /// none, as in the Python client.
    pub fn n_mapped_microbial_reads(&self) -> f64 {
        let (mapped, host, nonspec) = self.read_sums();
        mapped - host - nonspec
    }

    fn read_sums(&self) -> (f64, f64, f64) {
        let hosts = self.host_codes();
        let nonspecific: Vec<u32> = ["1", "131567"].iter().filter_map(|t| self.strings.code_of(t)).collect();
        let rc = self.numbers(Field::Readcount);
        let (mut mapped, mut host, mut nonspec) = (0.0, 0.0, 0.0);
        for (i, &v) in rc.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            mapped += v;
            let code = self.tax_id[i];
            if hosts.contains(&code) {
                host += v;
            }
            if nonspecific.contains(&code) {
                nonspec += v;
            }
        }
        (mapped, host, nonspec)
    }

    /// statistics. Requires `n_reads` and `host_tax_ids` in the results.
    pub fn stats(&self) -> Result<SampleStats> {
        let n_reads = self
            .n_reads
            .ok_or_else(|| Error::invalid_response("classification results have no n_reads; statistics need it"))?;
        if self.host_tax_ids.is_none() {
            return Err(Error::invalid_response("classification results have no host_tax_ids; statistics need them"));
        }
        let (mapped, host, nonspec) = self.read_sums();
        Ok(SampleStats {
            n_reads_total: n_reads,
            n_host_reads: host,
            n_nonspecific_reads: nonspec,
            n_mapped_reads: mapped,
            n_mapped_microbial_reads: mapped - host - nonspec,
        })
    }

    /// The results as JSON again (`n_reads`, `host_tax_ids`, `table`), with the keys these
    /// results carried; integral numbers are written as integers, NaN as null.
    pub fn to_json(&self) -> String {
        let fields: Vec<Field> = Field::ALL.into_iter().filter(|&f| self.has_field(f)).collect();
        let mut out = String::with_capacity(self.len() * 200 + 64);
        let text = |out: &mut String, s: Option<&str>| match s {
            // Serialising a &str cannot fail.
            Some(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            None => out.push_str("null"),
        };
        out.push('{');
        if let Some(n) = self.n_reads {
            out.push_str("\"n_reads\": ");
            push_number(&mut out, n);
            out.push_str(", ");
        }
        if let Some(h) = &self.host_tax_ids {
            out.push_str("\"host_tax_ids\": [");
            for (i, t) in h.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                text(&mut out, Some(t));
            }
            out.push_str("], ");
        }
        out.push_str("\"table\": [");
        for r in 0..self.len() {
            if r > 0 {
                out.push_str(", ");
            }
            out.push_str("{\"tax_id\": ");
            text(&mut out, self.strings.get(self.tax_id[r]));
            for (key, col) in [("name", &self.name), ("rank", &self.rank), ("parent_tax_id", &self.parent_tax_id)] {
                out.push_str(", \"");
                out.push_str(key);
                out.push_str("\": ");
                text(&mut out, self.strings.get(col[r]));
            }
            for &f in &fields {
                out.push_str(", \"");
                out.push_str(f.key());
                out.push_str("\": ");
                let v = self.numbers(f)[r];
                if v.is_nan() {
                    out.push_str("null");
                } else {
                    push_number(&mut out, v);
                }
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    pub fn to_csv(&self) -> String {
        self.to_delimited(',')
    }

    pub fn to_tsv(&self) -> String {
        self.to_delimited('\t')
    }

    /// Header then one line per row: the string columns, then every numeric key the results
    /// carry. Null is an empty field; integral numbers print without a fraction.
    pub fn to_delimited(&self, sep: char) -> String {
        let fields: Vec<Field> = Field::ALL.into_iter().filter(|&f| self.has_field(f)).collect();
        let mut out = String::with_capacity(self.len() * 96 + 128);
        let mut header: Vec<&str> = COLUMN_NAMES[..4].to_vec();
        header.extend(fields.iter().map(|f| f.key()));
        for (i, h) in header.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            out.push_str(h);
        }
        out.push('\n');
        for r in 0..self.len() {
            for (j, col) in [&self.tax_id, &self.name, &self.rank, &self.parent_tax_id].iter().enumerate() {
                if j > 0 {
                    out.push(sep);
                }
                push_field(&mut out, self.strings.get(col[r]).unwrap_or(""), sep);
            }
            for &f in &fields {
                out.push(sep);
                push_number(&mut out, self.numbers(f)[r]);
            }
            out.push('\n');
        }
        out
    }
}

/// Appends a CSV/TSV field, quoting it (RFC 4180) when it holds the separator, a quote or a
/// line break.
pub(crate) fn push_field(out: &mut String, s: &str, sep: char) {
    if s.contains([sep, '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Appends a number: empty for NaN, integer text when integral, else Rust's shortest
/// round-trip form (the same digits as Python's `repr`).
pub(crate) fn push_number(out: &mut String, v: f64) {
    use std::fmt::Write;
    if v.is_nan() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
    } else {
        out.push_str(&float_text(v));
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming parser.

#[derive(Default)]
struct Builder {
    strings: StringTable,
    tax_id: Vec<u32>,
    name: Vec<u32>,
    rank: Vec<u32>,
    parent_tax_id: Vec<u32>,
    numbers: [Vec<f64>; 6],
    has_field: [bool; 6],
    n_reads: Option<f64>,
    host_tax_ids: Option<Vec<String>>,
    row_by_code: Vec<u32>,
    saw_table: bool,
    /// A typed error raised inside a visitor (serde only carries strings).
    error: Option<Error>,
}

impl Builder {
    fn reserve(&mut self, rows: usize) {
        for v in [&mut self.tax_id, &mut self.name, &mut self.rank, &mut self.parent_tax_id] {
            v.reserve(rows);
        }
        for v in self.numbers.iter_mut() {
            v.reserve(rows);
        }
        self.row_by_code.reserve(rows * 2);
    }

    fn finish(self) -> Result<ClassificationTable> {
        if !self.saw_table {
            return Err(Error::invalid_response("classification results: missing \"table\""));
        }
        Ok(ClassificationTable {
            strings: self.strings,
            tax_id: self.tax_id,
            name: self.name,
            rank: self.rank,
            parent_tax_id: self.parent_tax_id,
            numbers: self.numbers,
            has_field: self.has_field,
            n_reads: self.n_reads,
            host_tax_ids: self.host_tax_ids,
            row_by_code: self.row_by_code,
        })
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum TopKey {
    NReads,
    HostTaxIds,
    Table,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum RowKey {
    TaxId,
    ParentTaxId,
    Name,
    Rank,
    Readcount,
    ReadcountWChildren,
    Abundance,
    AbundanceWChildren,
    FilteredReadcount,
    FilteredReadcountWChildren,
    #[serde(other)]
    Other,
}

struct TopSeed<'a>(&'a mut Builder);

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a results object with n_reads, host_tax_ids and table")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let b = self.0;
        while let Some(key) = map.next_key::<TopKey>()? {
            match key {
                TopKey::NReads => {
                    let v = map.next_value_seed(NumSeed)?;
                    b.n_reads = if v.is_nan() { None } else { Some(v) };
                }
                TopKey::HostTaxIds => {
                    let v: Option<Vec<TaxIdString>> = map.next_value()?;
                    b.host_tax_ids = v.map(|v| v.into_iter().map(|t| t.0).collect());
                }
                TopKey::Table => {
                    map.next_value_seed(TableSeed(b))?;
                    b.saw_table = true;
                }
                TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct TableSeed<'a>(&'a mut Builder);

impl<'de> DeserializeSeed<'de> for TableSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TableSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of taxon rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let b = self.0;
        if let Some(n) = seq.size_hint() {
            b.tax_id.reserve(n);
        }
        while seq.next_element_seed(RowSeed(b))?.is_some() {}
        Ok(())
    }
}

struct RowSeed<'a>(&'a mut Builder);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a taxon row object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let b = self.0;
        let mut tax = None;
        let (mut name, mut rank, mut parent) = (NULL_CODE, NULL_CODE, NULL_CODE);
        let mut nums = [f64::NAN; 6];
        let mut num = |map: &mut A, f: Field, b: &mut Builder| -> std::result::Result<(), A::Error> {
            nums[field_index(f)] = map.next_value_seed(NumSeed)?;
            b.has_field[field_index(f)] = true;
            Ok(())
        };
        while let Some(key) = map.next_key::<RowKey>()? {
            match key {
                RowKey::TaxId => {
                    let c = map.next_value_seed(InternSeed { t: &mut b.strings, numbers: true })?;
                    if c == NULL_CODE {
                        return Err(de::Error::custom("a row has a null tax_id"));
                    }
                    tax = Some(c);
                }
                RowKey::ParentTaxId => parent = map.next_value_seed(InternSeed { t: &mut b.strings, numbers: true })?,
                RowKey::Name => name = map.next_value_seed(NameSeed(&mut b.strings))?,
                RowKey::Rank => rank = map.next_value_seed(InternSeed { t: &mut b.strings, numbers: false })?,
                RowKey::Readcount => num(&mut map, Field::Readcount, b)?,
                RowKey::ReadcountWChildren => num(&mut map, Field::ReadcountWChildren, b)?,
                RowKey::Abundance => num(&mut map, Field::Abundance, b)?,
                RowKey::AbundanceWChildren => num(&mut map, Field::AbundanceWChildren, b)?,
                RowKey::FilteredReadcount => num(&mut map, Field::FilteredReadcount, b)?,
                RowKey::FilteredReadcountWChildren => num(&mut map, Field::FilteredReadcountWChildren, b)?,
                RowKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(tax) = tax else {
            return Err(de::Error::custom(format!("row {} has no tax_id", b.tax_id.len())));
        };
        let row = b.tax_id.len() as u32;
        if b.row_by_code.len() <= tax as usize {
            b.row_by_code.resize(tax as usize + 1, NULL_CODE);
        }
        if b.row_by_code[tax as usize] != NULL_CODE {
            let t = b.strings.str_or_empty(tax).to_owned();
            b.error =
                Some(Error::invalid_response(format!("classification results: duplicate tax_id \"{t}\" in table")));
            return Err(de::Error::custom("duplicate tax_id"));
        }
        b.row_by_code[tax as usize] = row;
        b.tax_id.push(tax);
        b.name.push(name);
        b.rank.push(rank);
        b.parent_tax_id.push(parent);
        for (col, v) in b.numbers.iter_mut().zip(nums) {
            col.push(v);
        }
        Ok(())
    }
}

/// A JSON number (int or float) or null (-> NaN). Anything else is an error.
struct NumSeed;

impl<'de> DeserializeSeed<'de> for NumSeed {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<f64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumSeed {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or null")
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<f64, E> {
        Ok(v)
    }
    fn visit_unit<E>(self) -> std::result::Result<f64, E> {
        Ok(f64::NAN)
    }
    fn visit_none<E>(self) -> std::result::Result<f64, E> {
        Ok(f64::NAN)
    }
}

/// Writes a numeric id as text: integral floats lose their `.0` (`76517.0` -> `"76517"`).
pub(crate) fn number_id_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        format!("{}", v as i64)
    } else {
        float_text(v)
    }
}

/// Shortest round-trip text of a float through serde_json's formatter (already linked for
/// JSON): `core::fmt`'s float printing would add ~10 KB of wasm. Non-finite values print as
/// Python does (`nan`, `inf`).
pub(crate) fn float_text(v: f64) -> String {
    match serde_json::Number::from_f64(v) {
        Some(n) => n.to_string(),
        None if v.is_nan() => "nan".into(),
        None if v > 0.0 => "inf".into(),
        None => "-inf".into(),
    }
}

/// A string (or, for ids, a number normalised to text) interned into the table; null -> `NULL_CODE`.
struct InternSeed<'a> {
    t: &'a mut StringTable,
    numbers: bool,
}

impl<'de> DeserializeSeed<'de> for InternSeed<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for InternSeed<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.numbers { "a string, number or null" } else { "a string or null" })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<u32, E> {
        Ok(self.t.intern(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<u32, E> {
        Ok(NULL_CODE)
    }
    fn visit_none<E>(self) -> std::result::Result<u32, E> {
        Ok(NULL_CODE)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<u32, E> {
        if !self.numbers {
            return Err(E::invalid_type(de::Unexpected::Signed(v), &self));
        }
        Ok(self.t.intern(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<u32, E> {
        if !self.numbers {
            return Err(E::invalid_type(de::Unexpected::Unsigned(v), &self));
        }
        Ok(self.t.intern(&v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<u32, E> {
        if !self.numbers {
            return Err(E::invalid_type(de::Unexpected::Float(v), &self));
        }
        Ok(self.t.intern(&number_id_text(v)))
    }
}

/// A taxon name (string or null), stored without indexing: names are nearly unique, so
/// hashing them buys nothing.
struct NameSeed<'a>(&'a mut StringTable);

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NameSeed<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<u32, E> {
        Ok(self.0.push_unindexed(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<u32, E> {
        Ok(NULL_CODE)
    }
    fn visit_none<E>(self) -> std::result::Result<u32, E> {
        Ok(NULL_CODE)
    }
}

/// A tax id given as a string or a number.
pub(crate) struct TaxIdString(pub String);

impl<'de> Deserialize<'de> for TaxIdString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TaxIdString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tax id (string or number)")
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<TaxIdString, E> {
                Ok(TaxIdString(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<TaxIdString, E> {
                Ok(TaxIdString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<TaxIdString, E> {
                Ok(TaxIdString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<TaxIdString, E> {
                Ok(TaxIdString(number_id_text(v)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const SMALL: &str = r#"{"n_reads": 100, "host_tax_ids": ["9606"], "extra": {"x": [1]},
      "table": [
        {"tax_id": "1", "parent_tax_id": null, "name": "root", "rank": "no rank",
         "readcount": 10, "readcount_w_children": 60, "abundance": null, "unknown": true},
        {"tax_id": 816, "parent_tax_id": "1", "name": "Bacteroides, \"the\" genus", "rank": "genus",
         "readcount": 20, "readcount_w_children": 40.0, "abundance": 0},
        {"tax_id": 817.0, "parent_tax_id": "816", "name": "B. fragilis", "rank": "species",
         "readcount": 20, "readcount_w_children": 20, "abundance": 0.75},
        {"tax_id": "9606", "parent_tax_id": "1", "name": "Homo sapiens", "rank": "species",
         "readcount": 10, "readcount_w_children": 10, "abundance": 0}]}"#;

    #[test]
    fn parses_quirks_into_columns() {
        let t = ClassificationTable::parse_json(SMALL.as_bytes()).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t.n_reads(), Some(100.0));
        assert_eq!(t.host_tax_ids().unwrap(), &["9606".to_string()]);
        assert_eq!(t.row_of("816"), Some(1));
        assert_eq!(t.row_of("817"), Some(2));
        assert_eq!(t.row_of("root"), None);
        assert!(t.has_field(Field::Abundance));
        assert!(!t.has_field(Field::AbundanceWChildren));
        assert!(t.numbers(Field::AbundanceWChildren)[0].is_nan());
        assert_eq!(t.numbers(Field::Abundance)[1], 0.0);
        assert!(t.numbers(Field::Abundance)[0].is_nan());
        let r = t.row(2).unwrap();
        assert_eq!(r.parent_tax_id, Some("816"));
        assert_eq!(r.abundance, 0.75);
        assert_eq!(t.row(0).unwrap().parent_tax_id, None);
        assert_eq!(t.canonical_rank(1), Some(Rank::Genus));
        assert_eq!(t.canonical_rank(0), None);
        let s = t.stats().unwrap();
        assert_eq!(s.n_mapped_reads, 60.0);
        assert_eq!(s.n_host_reads, 10.0);
        assert_eq!(s.n_nonspecific_reads, 10.0);
        assert_eq!(s.n_mapped_microbial_reads, 40.0);
        assert_eq!(s.n_reads_total, 100.0);
    }

    #[test]
    fn csv_quotes_and_tsv_round_trip() {
        let t = ClassificationTable::parse_json(SMALL.as_bytes()).unwrap();
        let csv = t.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "tax_id,name,rank,parent_tax_id,readcount,readcount_w_children,abundance");
        assert_eq!(lines[1], "1,root,no rank,,10,60,");
        assert_eq!(lines[2], "816,\"Bacteroides, \"\"the\"\" genus\",genus,1,20,40,0");
        assert_eq!(lines[3], "817,B. fragilis,species,816,20,20,0.75");
        let tsv = t.to_tsv();
        assert_eq!(tsv.lines().nth(2).unwrap(), "816\t\"Bacteroides, \"\"the\"\" genus\"\tgenus\t1\t20\t40\t0");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let cases: &[&str] = &[
            "",
            "[]",
            "{\"n_reads\": 1}",
            "{\"table\": [{\"name\": \"x\"}]}",
            "{\"table\": [{\"tax_id\": \"1\", \"readcount\": \"12\"}]}",
            "{\"table\": [{\"tax_id\": \"1\", \"name\": 5}]}",
            "{\"table\": [{\"tax_id\": null}]}",
            "{\"table\": [{\"tax_id\": \"1\"}, {\"tax_id\": \"1\"}]}",
            "{\"table\": [{\"tax_id\": \"1\"}",
            "{\"table\": []} trailing",
            "{\"table\": {}}",
            "{\"n_reads\": \"many\", \"table\": []}",
        ];
        for c in cases {
            let e = ClassificationTable::parse_json(c.as_bytes()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidResponse, "{c}: {e}");
        }
        let e = ClassificationTable::parse_json(b"{\"table\": [{\"tax_id\": \"1\"}, {\"tax_id\": 1}]}").unwrap_err();
        assert!(e.message.contains("duplicate tax_id \"1\""), "{e}");
    }

    /// Found by fuzz/classification: serde_json parses floats best-effort by default (its
    /// `float_roundtrip` feature, correctly rounded like Python's `json`, costs ~9 KB gzip of
    /// wasm), so a 17-digit number can land one ULP from Python's value and `to_json` output can
    /// parse back one ULP away. Never more: this pins that bound.
    #[test]
    fn floats_round_trip_through_to_json_within_one_ulp() {
        let body = br#"{"n_reads": 1.2345678901477531e17, "table": [{"tax_id": "1",
            "readcount": 123456789014775308, "abundance": 1.2345678901477531e17,
            "abundance_w_children": 0.30000000000000004}]}"#;
        let t = ClassificationTable::parse_json(body).unwrap();
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).abs();
        let exact: f64 = "1.2345678901477531e17".parse().unwrap();
        assert!(ulps(t.n_reads().unwrap(), exact) <= 1);
        assert!(ulps(t.numbers(Field::Abundance)[0], exact) <= 1);
        assert_eq!(t.numbers(Field::Readcount)[0], 123456789014775308u64 as f64);
        assert!(ulps(t.numbers(Field::AbundanceWChildren)[0], 0.1 + 0.2) <= 1);
        let again = ClassificationTable::parse_json(t.to_json().as_bytes()).unwrap();
        assert!(ulps(again.n_reads().unwrap(), t.n_reads().unwrap()) <= 1);
        for f in Field::ALL {
            let (a, b) = (again.numbers(f)[0], t.numbers(f)[0]);
            assert!(ulps(a, b) <= 1 || (a.is_nan() && b.is_nan()), "{f:?}: {a} vs {b}");
        }
    }

    #[cfg(feature = "exact-floats")]
    #[test]
    fn floats_are_read_as_python_reads_them() {
        // Values serde_json's fast parser rounds one ULP off; Python's json (and Rust's str::parse)
        // round them correctly.
        let body = br#"{"n_reads": 1.2345678901477531e17, "table": [{"tax_id": "1",
            "readcount": 1, "abundance": 0.30000000000000004, "abundance_w_children": 2.2250738585072011e-308}]}"#;
        let t = ClassificationTable::parse_json(body).unwrap();
        assert_eq!(t.n_reads().unwrap().to_bits(), "1.2345678901477531e17".parse::<f64>().unwrap().to_bits());
        assert_eq!(t.numbers(Field::Abundance)[0].to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(
            t.numbers(Field::AbundanceWChildren)[0].to_bits(),
            "2.2250738585072011e-308".parse::<f64>().unwrap().to_bits()
        );
        let again = ClassificationTable::parse_json(t.to_json().as_bytes()).unwrap();
        for f in Field::ALL {
            let (a, b) = (again.numbers(f)[0], t.numbers(f)[0]);
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{f:?}: {a} vs {b}");
        }
    }

    #[test]
    fn column_access_by_name() {
        let t = ClassificationTable::parse_json(SMALL.as_bytes()).unwrap();
        match t.column("readcount").unwrap() {
            Column::Numbers(v) => assert_eq!(v, &[10.0, 20.0, 20.0, 10.0]),
            _ => panic!("expected numbers"),
        }
        assert_eq!(
            t.string_column("rank").unwrap(),
            vec![Some("no rank"), Some("genus"), Some("species"), Some("species")]
        );
        assert_eq!(t.column("nope").unwrap_err().code, ErrorCode::InvalidArgument);
    }
}
