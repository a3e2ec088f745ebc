//! Helpers shared by the fuzz targets: the typed-error check, and structured inputs (built with
//! `arbitrary`) for the targets that need whole classification tables and collections rather
//! than raw bytes: small tax-id and rank alphabets so that cycles, missing parents, duplicate
//! tax ids, host rows and unknown ranks come up often.
//!
//! Tables are always written as JSON and read back through `ClassificationTable::parse`, so
//! the structured targets exercise the real parser too, never a back door.

use arbitrary::Arbitrary;
use onecodex_core::error::{Error, ErrorCode};
use onecodex_core::results::{ClassificationTable, Collection, CollectionItem, SampleInfo};
use serde_json::{json, Map, Value};

/// Every failure must be one of the `allowed` typed codes; anything else is a contract bug.
pub fn check_typed(e: &Error, allowed: &[ErrorCode]) {
    assert!(allowed.contains(&e.code), "unexpected error code {:?} (allowed {allowed:?}): {}", e.code, e.message);
    assert!(!e.message.is_empty(), "an error without a message");
}

/// The error code of a bad body.
pub const BODY: &[ErrorCode] = &[ErrorCode::InvalidResponse];
/// The error codes of a bad body or bad options.
pub const BODY_OR_ARG: &[ErrorCode] = &[ErrorCode::InvalidResponse, ErrorCode::InvalidArgument];

/// Tables and collections stay small: the interesting cases need few rows, and small inputs
/// keep executions fast.
pub const MAX_ROWS: usize = 48;
pub const MAX_ITEMS: usize = 6;

/// A JSON number (or null: non-finite floats cannot be JSON numbers).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Num {
    Small(u8),
    Int(i64),
    Float(f64),
    Null,
}

impl Num {
    pub fn to_json(self) -> Value {
        match self {
            Num::Small(v) => json!(v),
            Num::Int(v) => json!(v),
            Num::Float(v) if v.is_finite() => json!(v),
            _ => Value::Null,
        }
    }
}

/// Tax ids: the root `"1"`, a few numbers, the human host, and the empty string.
pub fn tax_text(b: u8) -> String {
    match b % 16 {
        0 => "1".into(),
        14 => "9606".into(),
        15 => String::new(),
        n => (n + 1).to_string(),
    }
}

/// Ranks: the eight canonical ones, NCBI's others, and wrong spellings.
pub const RANKS: [&str; 13] = [
    "species",
    "genus",
    "family",
    "order",
    "class",
    "phylum",
    "kingdom",
    "superkingdom",
    "no rank",
    "strain",
    "Species",
    "",
    "subspecies",
];

#[derive(Arbitrary, Debug)]
pub struct RowSpec {
    pub tax: u8,
    pub parent: Option<u8>,
    pub name: Option<u8>,
    /// An index into [`RANKS`]; past its end, null.
    pub rank: u8,
    pub numbers: [Num; 6],
}

#[derive(Arbitrary, Debug)]
pub struct TableSpec {
    pub n_reads: Option<Num>,
    pub hosts: Option<Vec<u8>>,
    pub rows: Vec<RowSpec>,
    /// `% 8 == 7`: keep rows whose tax id repeats (the parser must refuse them) instead of
    /// dropping them. Rare on purpose: a refused table ends the input early.
    pub duplicates: u8,
    /// Bit i: numeric key i is written at all (absent keys and null values differ).
    pub fields: u8,
    /// Tax ids as JSON numbers where they are numeric (the API does both).
    pub numeric_ids: bool,
}

const NUMBER_KEYS: [&str; 6] = [
    "readcount",
    "readcount_w_children",
    "abundance",
    "abundance_w_children",
    "filtered_readcount",
    "filtered_readcount_w_children",
];

impl TableSpec {
    fn keeps_duplicates(&self) -> bool {
        self.duplicates % 8 == 7
    }

    pub fn to_json(&self) -> Vec<u8> {
        let id = |b: u8| {
            let t = tax_text(b);
            match t.parse::<u64>() {
                Ok(n) if self.numeric_ids => json!(n),
                _ => Value::from(t),
            }
        };
        let mut seen = Vec::new();
        let mut rows = Vec::new();
        for r in self.rows.iter().take(MAX_ROWS) {
            let t = tax_text(r.tax);
            if seen.contains(&t) && !self.keeps_duplicates() {
                continue;
            }
            seen.push(t);
            let mut o = Map::new();
            o.insert("tax_id".into(), id(r.tax));
            o.insert("parent_tax_id".into(), r.parent.map_or(Value::Null, id));
            o.insert("name".into(), r.name.map_or(Value::Null, |n| Value::from(format!("taxon {n}"))));
            o.insert("rank".into(), RANKS.get(r.rank as usize).map_or(Value::Null, |&s| Value::from(s)));
            for (i, key) in NUMBER_KEYS.iter().enumerate() {
                if self.fields & (1 << i) != 0 {
                    o.insert((*key).into(), r.numbers[i].to_json());
                }
            }
            rows.push(Value::Object(o));
        }
        let mut top = Map::new();
        if let Some(n) = self.n_reads {
            top.insert("n_reads".into(), n.to_json());
        }
        if let Some(h) = &self.hosts {
            top.insert("host_tax_ids".into(), h.iter().take(4).map(|&b| id(b)).collect());
        }
        top.insert("table".into(), Value::Array(rows));
        serde_json::to_vec(&Value::Object(top)).expect("a Value always serialises")
    }

    /// The table through the real parser; `None` (after checking the error is typed) when the
    /// parser refuses it, as it must for duplicate tax ids.
    pub fn parse(&self) -> Option<ClassificationTable> {
        match ClassificationTable::parse(&self.to_json()) {
            Ok(t) => Some(t),
            Err(e) => {
                check_typed(&e, BODY);
                assert!(self.keeps_duplicates(), "a table without duplicates was refused: {}", e.message);
                None
            }
        }
    }
}

const JOBS: [&str; 3] = ["One Codex Database", "One Codex Database (2019)", "Targeted Loci"];

#[derive(Arbitrary, Debug)]
pub struct ItemSpec {
    pub table: TableSpec,
    /// Classification ids from a small alphabet, so that duplicates come up.
    pub id: u8,
    /// `% 8 == 7`: an unsuccessful classification (skipped or refused per).
    pub status: u8,
    pub job: Option<u8>,
    pub sample: Option<(u8, Option<u8>, bool)>,
}

#[derive(Arbitrary, Debug)]
pub struct CollectionSpec {
    pub items: Vec<ItemSpec>,
    pub skip_missing: bool,
}

impl CollectionSpec {
    /// The collection, or `None` after checking that the refusal was a typed error.
    pub fn build(&self) -> Option<Collection> {
        let mut items = Vec::new();
        for it in self.items.iter().take(MAX_ITEMS) {
            let table = it.table.parse()?;
            let mut item = CollectionItem::new(format!("c{}", it.id % 32), table);
            item.success = it.status % 8 != 7;
            item.job_id = it.job.map(|j| format!("job{}", j % 3));
            item.job_name = it.job.map(|j| JOBS[j as usize % 3].to_string());
            item.sample = it.sample.map(|(s, f, meta)| SampleInfo {
                sample_id: format!("s{s}"),
                filename: f.map(|f| format!("reads{f}.fastq.gz")),
                metadata: if meta {
                    json!({"$uri": "/api/v1/metadata/m", "sample": {"$ref": "x"}, "name": "n"})
                } else {
                    Value::Null
                },
            });
            items.push(item);
        }
        match Collection::new(items, self.skip_missing) {
            Ok(c) => Some(c),
            Err(e) => {
                check_typed(&e, &[ErrorCode::InvalidArgument]);
                None
            }
        }
    }
}
