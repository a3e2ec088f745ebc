//! Read-level rows that line up with the reads of an uploaded file: one row per FASTQ/FASTA
//! record (for a pair, R1's and R2's rows of a pair next to each other), so tools that walk a
//! FASTX file and the TSV together (`subset_reads`) see a result for each record. Tax ids come
//! from the classification's own generated profile; about 1 in 10 rows is low confidence.

use super::results::{encode, Encoding};
use super::taxonomy::{taxonomy, Selection};
use crate::rng::{hs, Rng};
use std::io::Read;

/// Records of a FASTQ (4 lines each) or FASTA (`>` lines) file, gzip'd or not.
pub fn count_records(file: &[u8]) -> usize {
    let plain;
    let bytes: &[u8] = if file.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut out)
            .is_err()
        {
            return 0;
        }
        plain = out;
        &plain
    } else {
        file
    };
    if bytes.first() == Some(&b'>') {
        return bytes
            .split(|b| *b == b'\n')
            .filter(|l| l.first() == Some(&b'>'))
            .count();
    }
    let lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    lines / 4
}

/// The TSV (gzip) for `reads` records, pairs on consecutive rows when `paired`.
pub fn aligned_tsv_gz(seed: u64, cid: &str, reads: usize, paired: bool) -> Vec<u8> {
    let t = taxonomy();
    let nodes = Selection::new(seed, cid).nodes();
    let mut r = Rng::new(hs(seed, "readlevel-aligned", cid));
    let mut s = String::from("Tax ID\tN Hits\tSeq Len\tPassed Filter\n");
    for _ in 0..reads {
        for _ in 0..if paired { 2 } else { 1 } {
            let tax_id = match nodes.get(r.below(nodes.len().max(1) as u64) as usize) {
                Some(n) => t
                    .nodes
                    .get(*n)
                    .map(|x| x.tax_id.to_string())
                    .unwrap_or_default(),
                None => String::new(),
            };
            let pf = if r.chance(0.9) { "T" } else { "F" };
            s.push_str(&format!(
                "{tax_id}\t{}\t{}\t{pf}\n",
                r.range(1, 60),
                r.range(100, 151)
            ));
        }
    }
    encode(Encoding::Gzip, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn counts_fastq_fasta_and_gzip_records() {
        let fq = b"@a\nACGT\n+\nIIII\n@b\nAC\n+\nII\n";
        assert_eq!(count_records(fq), 2);
        assert_eq!(count_records(b">x\nAC\nGT\n>y\nA\n"), 2);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(fq).unwrap();
        assert_eq!(count_records(&gz.finish().unwrap()), 2);
        assert_eq!(count_records(b""), 0);
    }

    #[test]
    fn one_row_per_read_two_per_pair() {
        let rows = |gz: Vec<u8>| {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut s)
                .unwrap();
            s.lines().count() - 1
        };
        assert_eq!(rows(aligned_tsv_gz(1, "0123456789abcdef", 7, false)), 7);
        assert_eq!(rows(aligned_tsv_gz(1, "0123456789abcdef", 7, true)), 14);
    }
}
