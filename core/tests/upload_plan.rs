//! Part planning: the §6.1 ladder, single PUT under 8 MiB, overrides, lane files as one object.

use onecodex_core::upload::plan::*;
use onecodex_core::ErrorCode;

const GIB: u64 = 1 << 30;

#[test]
fn ladder_matches_the_spec_examples() {
    assert_eq!(ladder_part_size(50 * GIB).unwrap(), 10 * MIB);
    assert_eq!(ladder_part_size(100 * GIB).unwrap(), 20 * MIB);
    assert_eq!(ladder_part_size(200 * GIB).unwrap(), 30 * MIB);
    // Largest file for each size, and one byte more moves up a step (§6.1 table).
    for (chunk, largest) in [
        (10, 104_847_114_240u64),
        (20, 209_694_228_480),
        (30, 314_541_342_720),
        (50, 524_235_571_200),
        (100, 1_048_471_142_400),
    ] {
        assert_eq!(ladder_part_size(largest).unwrap(), chunk * MIB, "{largest}");
        if chunk < 100 {
            assert!(ladder_part_size(largest + 1).unwrap() > chunk * MIB);
        }
    }
    // 1 TiB is refused; the message gives the real limit (9,999 parts, Appendix C.12).
    let e = ladder_part_size(1 << 40).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("1048471142400"), "{}", e.message);
    assert_eq!(MAX_FILE_SIZE, 1_048_471_142_400);
    assert_eq!(UNKNOWN_SIZE_PART, 25 * MIB);
}

#[test]
fn small_files_are_one_put() {
    let p = Plan::new(&[SINGLE_PUT_LIMIT - 1], None).unwrap();
    assert!(p.single_put);
    assert_eq!(p.part_count(), 1);
    assert_eq!(p.part(1), Some(Part { number: 1, start: 0, end: SINGLE_PUT_LIMIT - 1 }));
    let p = Plan::new(&[SINGLE_PUT_LIMIT], None).unwrap();
    assert!(!p.single_put);
    assert_eq!(p.part_size, 10 * MIB);
    assert_eq!(p.part_count(), 1);
}

#[test]
fn parts_cover_the_file_exactly() {
    let size = 64 * MIB + 123;
    let p = Plan::new(&[size], None).unwrap();
    assert_eq!(p.part_count(), 7);
    let parts: Vec<Part> = p.parts().collect();
    assert_eq!(parts.len(), 7);
    assert_eq!(parts[0], Part { number: 1, start: 0, end: 10 * MIB });
    assert_eq!(parts[6], Part { number: 7, start: 60 * MIB, end: size });
    for w in parts.windows(2) {
        assert_eq!(w[0].end, w[1].start);
        assert_eq!(w[0].number + 1, w[1].number);
    }
    assert_eq!(p.part(0), None);
    assert_eq!(p.part(8), None);
    assert_eq!(p.total(), size);
}

#[test]
fn part_size_override_is_checked() {
    let p = Plan::new(&[100 * MIB], Some(5 * MIB)).unwrap();
    assert_eq!(p.part_count(), 20);
    let p = Plan::new(&[100 * MIB], Some(5 * GIB)).unwrap();
    assert_eq!(p.part_count(), 1);
    for bad in [5 * MIB - 1, 5 * GIB + 1, 0] {
        let e = Plan::new(&[100 * MIB], Some(bad)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
        assert!(e.message.contains("5 MiB"), "{}", e.message);
    }
    // 10,000 parts are allowed with an override; 10,001 are not, and the message says what fits.
    assert_eq!(Plan::new(&[10_000 * 5 * MIB], Some(5 * MIB)).unwrap().part_count(), 10_000);
    let e = Plan::new(&[10_000 * 5 * MIB + 1], Some(5 * MIB)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("10001 parts"), "{}", e.message);
    assert_eq!(max_file_size(Some(5 * MIB)), 50_000 * MIB);
    assert_eq!(max_file_size(None), MAX_FILE_SIZE);
}

#[test]
fn empty_or_missing_sources_are_refused() {
    let e = Plan::new(&[], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let e = Plan::new(&[0], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    let e = Plan::new(&[10, 0, 10], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("file 2"), "{}", e.message);
    let e = Plan::new(&[u64::MAX, 1], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
}

#[test]
fn lane_files_map_parts_to_consecutive_slices() {
    // Three lanes: 12 MiB, 3 MiB, 20 MiB = 35 MiB in 10 MiB parts.
    let lanes = [12 * MIB, 3 * MIB, 20 * MIB];
    let p = Plan::new(&lanes, None).unwrap();
    assert_eq!(p.part_count(), 4);
    let s = |n| {
        let part = p.part(n).unwrap();
        p.slices(part.start, part.end)
    };
    assert_eq!(s(1), vec![SourceSlice { source: 0, start: 0, end: 10 * MIB }]);
    assert_eq!(
        s(2),
        vec![
            SourceSlice { source: 0, start: 10 * MIB, end: 12 * MIB },
            SourceSlice { source: 1, start: 0, end: 3 * MIB },
            SourceSlice { source: 2, start: 0, end: 5 * MIB },
        ]
    );
    assert_eq!(s(4), vec![SourceSlice { source: 2, start: 15 * MIB, end: 20 * MIB }]);
    // Every byte of every lane is sent exactly once, in order.
    let mut covered = vec![0u64; 3];
    for part in p.parts() {
        let slices = p.slices(part.start, part.end);
        assert_eq!(slices.iter().map(|x| x.end - x.start).sum::<u64>(), part.len());
        for x in slices {
            assert_eq!(x.start, covered[x.source]);
            covered[x.source] = x.end;
        }
    }
    assert_eq!(covered, lanes);
}

#[test]
fn streams_of_unknown_length_grow_part_by_part() {
    let mut p = Plan::streaming(None).unwrap();
    assert_eq!((p.part_size, p.single_put, p.open), (25 * MIB, false, true));
    assert_eq!(p.part_count(), 0);
    assert_eq!(p.grow(25 * MIB, false).unwrap(), Some(Part { number: 1, start: 0, end: 25 * MIB }));
    // Only the last part may be short, and none may be longer.
    assert_eq!(p.grow(10, false).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(p.grow(25 * MIB + 1, true).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(p.grow(10, true).unwrap(), Some(Part { number: 2, start: 25 * MIB, end: 25 * MIB + 10 }));
    assert!(!p.open);
    assert_eq!(p.grow(10, true).unwrap_err().code, ErrorCode::InvalidArgument, "closed");
    // A stream whose end comes right after a full part closes without a new part.
    let mut p = Plan::streaming(Some(5 * MIB)).unwrap();
    p.grow(5 * MIB, false).unwrap();
    assert_eq!(p.grow(0, true).unwrap(), None);
    assert_eq!((p.part_count(), p.open), (1, false));
    // Empty streams are empty files.
    let mut p = Plan::streaming(None).unwrap();
    assert_eq!(p.grow(0, true).unwrap_err().code, ErrorCode::InvalidFile);
    assert_eq!(Plan::streaming(Some(1)).unwrap_err().code, ErrorCode::InvalidArgument);
    // At most 10,000 parts.
    let mut p = Plan::streaming(Some(5 * MIB)).unwrap();
    p.sources[0] = 10_000 * 5 * MIB;
    let e = p.grow(5 * MIB, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidFile);
    assert!(e.message.contains("too large"), "{}", e.message);
    // A known-size plan cannot grow.
    assert_eq!(Plan::new(&[10], None).unwrap().grow(10, true).unwrap_err().code, ErrorCode::InvalidArgument);
}
