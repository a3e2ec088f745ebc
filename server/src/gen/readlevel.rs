//! Read-level rows that line up with the reads of an uploaded file: one row per FASTQ/FASTA
//! record (for a pair, R1's and R2's rows of a pair next to each other), so tools that walk a
//! FASTX file and the TSV together (`subset_reads`) see a result for each record. Tax ids come
//! from the classification's own generated profile; about 1 in 10 rows is low confidence.

use super::results::{encode, Encoding};
use super::taxonomy::{taxonomy, Selection};
use crate::rng::{hs, Rng};
use std::io::{BufRead, BufReader};

/// Records of a FASTQ (4 lines each) or FASTA (`>` lines) stream, gzip'd or not, read in
/// blocks (an uploaded file may be gigabytes).
pub fn count_records_in(mut input: impl BufRead) -> usize {
    let gz = input.fill_buf().map(|b| b.starts_with(&[0x1f, 0x8b])).unwrap_or(false);
    let mut reader: Box<dyn BufRead> =
        if gz { Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(input))) } else { Box::new(input) };
    let (mut lines, mut headers, mut first, mut at_line_start) = (0usize, 0usize, None, true);
    loop {
        let block = match reader.fill_buf() {
            Ok([]) | Err(_) => break,
            Ok(b) => b,
        };
        for &c in block {
            if at_line_start && c != b'\n' {
                first.get_or_insert(c);
                lines += 1;
                if c == b'>' {
                    headers += 1;
                }
            }
            at_line_start = c == b'\n';
        }
        let n = block.len();
        reader.consume(n);
    }
    if first == Some(b'>') {
        headers
    } else {
        lines / 4
    }
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
                Some(n) => t.nodes.get(*n).map(|x| x.tax_id.to_string()).unwrap_or_default(),
                None => String::new(),
            };
            let pf = if r.chance(0.9) { "T" } else { "F" };
            s.push_str(&format!("{tax_id}\t{}\t{}\t{pf}\n", r.range(1, 60), r.range(100, 151)));
        }
    }
    encode(Encoding::Gzip, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn counts_fastq_fasta_and_gzip_records() {
        let fq = b"@a\nACGT\n+\nIIII\n@b\nAC\n+\nII\n";
        assert_eq!(count_records_in(&fq[..]), 2);
        assert_eq!(count_records_in(&b">x\nAC\nGT\n>y\nA\n"[..]), 2);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(fq).unwrap();
        assert_eq!(count_records_in(&gz.finish().unwrap()[..]), 2);
        assert_eq!(count_records_in(&b""[..]), 0);
    }

    #[test]
    fn one_row_per_read_two_per_pair() {
        let rows = |gz: Vec<u8>| {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut s).unwrap();
            s.lines().count() - 1
        };
        assert_eq!(rows(aligned_tsv_gz(1, "0123456789abcdef", 7, false)), 7);
        assert_eq!(rows(aligned_tsv_gz(1, "0123456789abcdef", 7, true)), 14);
    }
}
