//! The taxonomy table and tree of a collection (`Collection::taxonomy`/`tree`, built from
//! tables parsed by the real parser): cycles and a missing root are `invalid_response`,
//! missing parents are warnings; a built tree is acyclic, indexes agree, and pruning keeps
//! what it was asked to keep (unknown tax ids: `invalid_argument`).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onecodex_core::error::ErrorCode;
use onecodex_core::results::{Rank, TaxonomyTree};
use onecodex_fuzz::{check_typed, tax_text, CollectionSpec, BODY};

#[derive(Arbitrary, Debug)]
struct Input {
    collection: CollectionSpec,
    include_host: bool,
    prune: Vec<u8>,
}

const ARG: &[ErrorCode] = &[ErrorCode::InvalidArgument];

fn check_tree(tree: &TaxonomyTree) {
    let n = tree.len();
    assert!(tree.root() < n);
    for i in 0..n {
        let node = tree.node(i);
        assert_eq!(tree.find(&node.tax_id), Some(i));
        for &c in &node.children {
            assert_eq!(tree.node(c).parent, Some(i));
        }
        // A lineage ends: no cycle got through.
        let lineage = tree.lineage(&node.tax_id).expect("a node's own tax id");
        assert!(lineage.len() <= n);
        assert_eq!(lineage.last(), Some(&i));
        let _ = tree.canonical_lineage_names(&node.tax_id);
    }
    let order = tree.post_order();
    assert_eq!(order.last(), Some(&tree.root()));
    let mut seen = vec![false; n];
    for &i in &order {
        assert!(!seen[i], "node {i} twice in post order");
        seen[i] = true;
    }
}

fuzz_target!(|input: Input| {
    let Some(c) = input.collection.build() else {
        return;
    };
    let tax = c.taxonomy(input.include_host);
    for i in 0..tax.len() {
        assert_eq!(tax.index_of(tax.tax_id(i)), Some(i));
        if let Some(p) = tax.parent_index(i) {
            assert!(p < tax.len());
        }
        for level in 0..8 {
            match tax.highest_unclassified(i, level) {
                Ok(Some(u)) => assert!(u < tax.len()),
                Ok(None) => {}
                Err(e) => check_typed(&e, BODY),
            }
        }
    }
    let (tree, warnings) = match c.tree(input.include_host) {
        Ok(t) => t,
        Err(e) => return check_typed(&e, BODY),
    };
    assert_eq!(tree.len(), tax.len());
    assert!(warnings.iter().all(|w| w.code == "missing_parent"));
    check_tree(&tree);
    for rank in Rank::LINEAGE_ORDER {
        match tree.prune_rank(rank) {
            Ok(p) => {
                assert!(p.len() <= tree.len());
                check_tree(&p);
            }
            Err(e) => check_typed(&e, ARG),
        }
    }
    let ids: Vec<String> = input.prune.iter().take(8).map(|&b| tax_text(b)).collect();
    match tree.prune_tax_ids(&ids) {
        Ok(p) => {
            assert!(p.len() <= tree.len());
            assert!(ids.iter().all(|id| p.find(id).is_some()));
            check_tree(&p);
        }
        Err(e) => {
            check_typed(&e, ARG);
            assert!(ids.iter().any(|id| tree.find(id).is_none()));
        }
    }
});
