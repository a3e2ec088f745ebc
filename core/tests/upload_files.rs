//! File rules (§6.2): names, ASCII, sizes, FASTX extensions, R1/R2, and grouping many files.

use onecodex_core::upload::files::*;
use onecodex_core::upload::transliterate;
use onecodex_core::ErrorCode;

#[test]
fn names_are_basenames_and_must_be_ascii() {
    assert_eq!(check_filename("/data/run/a.fq", false).unwrap(), CheckedName { name: "a.fq".into(), coerced: false });
    assert_eq!(check_filename("C:\\data\\a.fq", false).unwrap().name, "a.fq");
    let e = check_filename("/data/François.fq", false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(
        e.message.contains("must be ASCII") && e.message.contains("Francois.fq") && e.message.contains("coerceAscii"),
        "{}",
        e.message
    );
    assert_eq!(check_filename("François.fq", true).unwrap(), CheckedName { name: "Francois.fq".into(), coerced: true });
    assert_eq!(check_filename("Málaga.fasta", true).unwrap().name, "Malaga.fasta");
    assert_eq!(check_filename("Röö.fastq", true).unwrap().name, "Roo.fastq");
    assert_eq!(transliterate("plain.fq"), "plain.fq");
}

#[test]
fn bad_names_are_refused() {
    for bad in ["", "/data/", "..", "a\u{0}b.fq", "tab\there.fq", "   "] {
        let e = check_filename(bad, true).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFile, "{bad:?}");
    }
}

#[test]
fn empty_and_too_large_files_are_refused() {
    let e = check_size("a.fq", 0, 100).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("a.fq is empty"), "{}", e.message);
    let e = check_size("a.fq", 101, 100).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("too large"), "{}", e.message);
    check_size("a.fq", 100, 100).unwrap();
}

#[test]
fn fastx_extensions_follow_get_fastx_format() {
    for (name, want) in [
        ("a.fq", Some(FastxFormat::Fastq)),
        ("a.fastq.gz", Some(FastxFormat::Fastq)),
        ("a.fq.bz2", Some(FastxFormat::Fastq)),
        ("a.fq.gzip", Some(FastxFormat::Fastq)),
        ("a.fa", Some(FastxFormat::Fasta)),
        ("a.fna.bzip", Some(FastxFormat::Fasta)),
        ("a.fasta.bz", Some(FastxFormat::Fasta)),
        ("a.FQ", None),       // case-sensitive, as in Python
        ("a.fq.gz.gz", None), // one compression suffix only
        ("a.txt", None),
        ("fq", None),
        ("dir.fq/a.txt", None),
    ] {
        assert_eq!(fastx_format(name), want, "{name}");
    }
}

#[test]
fn r1_r2_naming_rules() {
    for r1 in ["s_R1.fq", "s_r1.fq", "s_1.fq", "s.1.fastq", "s_R1_001.fastq.gz", "test_R1_L001.fq.gz", "s.R1.fq"] {
        assert!(is_r1(r1) && !is_r2(r1), "{r1}");
    }
    for r2 in ["s_R2.fq", "s_2.fq", "test_R2_L001.fq.gz"] {
        assert!(is_r2(r2) && !is_r1(r2), "{r2}");
    }
    for neither in ["s1.fq", "sR1.fq", "s_R1fq", "s_R12.fq", "s_3.fq"] {
        assert!(!is_r1(neither) && !is_r2(neither), "{neither}");
    }
}

#[test]
fn check_pair_accepts_either_order_and_explains_refusals() {
    assert_eq!(check_pair("s_R1.fq.gz", "s_R2.fq.gz").unwrap(), (0, 1));
    assert_eq!(check_pair("s_R2.fq.gz", "s_R1.fq.gz").unwrap(), (1, 0));
    let e = check_pair("a.fq", "b.fq").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("_R1/_1 and _R2/_2"), "{}", e.message);
    let e = check_pair("s_R1.fa", "s_R2.fa").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("s_R1.fa is not a FASTQ file"), "{}", e.message);
    let e = check_pair("s_R1.fq", "s_R1.fq").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
}

#[test]
fn pair_files_groups_pairs_lanes_and_leftovers() {
    let names = [
        "a_S1_L001_R1_001.fastq.gz", // 0
        "a_S1_L002_R2_001.fastq.gz", // 1
        "a_S1_L001_R2_001.fastq.gz", // 2
        "a_S1_L002_R1_001.fastq.gz", // 3
        "b_R1.fq",                   // 4
        "b_R2.fq",                   // 5
        "c_R1.fq",                   // 6: no R2
        "d.fq",                      // 7: single-end
        "e_L002.fq",                 // 8: single-end lanes, out of order
        "e_L001.fq",                 // 9
        "f_L001_R1.fq",              // 10: lanes that do not match
        "f_L002_R2.fq",              // 11
        "/dir/g_2.fq",               // 12: R2 only
    ];
    let g = pair_files(&names);
    assert_eq!(g.pairs, vec![PairGroup { r1: vec![0, 3], r2: vec![2, 1] }, PairGroup { r1: vec![4], r2: vec![5] }]);
    assert_eq!(g.singles, vec![vec![7], vec![9, 8]]);
    let left: Vec<usize> = g.leftover.iter().map(|l| l.index).collect();
    assert_eq!(left, vec![6, 10, 11, 12]);
    assert!(g.leftover[0].reason.contains("without a matching read 2"));
    assert!(g.leftover[1].reason.contains("lane"));
    assert!(g.leftover[3].reason.contains("read 2 without"));
}

#[test]
fn pair_files_handles_duplicates_and_nothing() {
    assert_eq!(pair_files::<&str>(&[]), Grouping::default());
    // The same read twice (two folders): not a pair.
    let g = pair_files(&["x/s_R1.fq", "y/s_R1.fq", "s_R2.fq"]);
    assert!(g.pairs.is_empty());
    assert_eq!(g.leftover.len(), 3);
    let g = pair_files(&["x/d.fq", "y/d.fq"]);
    assert!(g.singles.is_empty());
    assert_eq!(g.leftover.len(), 2);
}

#[test]
fn lane_groups_are_named_without_the_lane() {
    assert_eq!(lane_group_name("/run/s_S1_L001_R1_001.fastq.gz"), "s_S1_R1_001.fastq.gz");
    assert_eq!(lane_group_name("e_L002.fq"), "e.fq");
    assert_eq!(lane_group_name("plain_R1.fq"), "plain_R1.fq");
    assert_eq!(lane_group_name("s_L01_R1.fq"), "s_L01_R1.fq", "three digits only");
}
