//! The collection's taxonomy table and the taxonomy tree.
//!
//! The table lists every taxon seen across the collection's results in first-seen order (host
//! rows excluded unless asked): that order is the column order of every matrix. The tree links
//! each taxon to its parent and supports lineage, `prune_rank` and `prune_tax_ids`.

use super::classification::ClassificationTable;
use super::metric::Rank;
use super::strings::{StringTable, NULL_CODE};
use super::Warning;
use crate::error::{Error, Result};

/// `rank_level` of a taxon whose rank is not one of the eight canonical ranks.
pub const NON_CANONICAL: u8 = u8::MAX;

/// Taxa of a collection, first-seen order. Strings are codes into one [`StringTable`].
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    strings: StringTable,
    tax_id: Vec<u32>,
    name: Vec<u32>,
    rank: Vec<u32>,
    parent: Vec<u32>,
    rank_level: Vec<u8>,
    /// string code -> taxon index (`NULL_CODE` for codes that are not tax ids)
    index_by_code: Vec<u32>,
}

impl Taxonomy {
    /// Builds the table from results in collection order. Returns it with, per table, the
    /// taxon index of each row (`NULL_CODE` for skipped host rows).
    pub fn build(tables: &[&ClassificationTable], include_host: bool) -> (Taxonomy, Vec<Vec<u32>>) {
        let mut tx = Taxonomy {
            strings: StringTable::with_capacity(tables.first().map_or(0, |t| t.len() * 3)),
            ..Default::default()
        };
        let mut maps = Vec::with_capacity(tables.len());
        for table in tables {
            let hosts = if include_host { Vec::new() } else { table.host_codes() };
            let ts = table.strings();
            // Per-table cache: local string code -> global code, for names/ranks/parents that
            // repeat (ranks especially).
            let mut map = Vec::with_capacity(table.len());
            let tax_codes = table.tax_id_codes();
            for (row, &local) in tax_codes.iter().enumerate() {
                if hosts.contains(&local) {
                    map.push(NULL_CODE);
                    continue;
                }
                let g = tx.strings.intern(ts.str_or_empty(local));
                if tx.index_by_code.len() <= g as usize {
                    tx.index_by_code.resize(g as usize + 1, NULL_CODE);
                }
                let idx = tx.index_by_code[g as usize];
                if idx != NULL_CODE {
                    map.push(idx);
                    continue;
                }
                let new = tx.tax_id.len() as u32;
                tx.index_by_code[g as usize] = new;
                tx.tax_id.push(g);
                let name = match ts.get(table.name_codes()[row]) {
                    Some(s) => tx.strings.push_unindexed(s),
                    None => NULL_CODE,
                };
                let mut global = |c: u32| match ts.get(c) {
                    Some(s) => tx.strings.intern(s),
                    None => NULL_CODE,
                };
                let rank = global(table.rank_codes()[row]);
                let parent = global(table.parent_tax_id_codes()[row]);
                tx.name.push(name);
                tx.rank.push(rank);
                tx.parent.push(parent);
                tx.rank_level.push(table.canonical_rank(row).map_or(NON_CANONICAL, |r| r.level()));
                map.push(new);
            }
            maps.push(map);
        }
        (tx, maps)
    }

    pub fn len(&self) -> usize {
        self.tax_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tax_id.is_empty()
    }

    /// The string table that the string columns' codes index.
    pub fn strings(&self) -> &StringTable {
        &self.strings
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
        &self.parent
    }

    pub fn tax_id(&self, i: usize) -> &str {
        self.strings.str_or_empty(self.tax_id[i])
    }
    pub fn name(&self, i: usize) -> Option<&str> {
        self.strings.get(self.name[i])
    }
    pub fn rank(&self, i: usize) -> Option<&str> {
        self.strings.get(self.rank[i])
    }
    pub fn parent_tax_id(&self, i: usize) -> Option<&str> {
        self.strings.get(self.parent[i])
    }

    /// The canonical rank level (species 0 … superkingdom 7), or [`NON_CANONICAL`].
    pub fn rank_level(&self, i: usize) -> u8 {
        self.rank_level[i]
    }

    pub fn canonical_rank(&self, i: usize) -> Option<Rank> {
        self.rank(i).and_then(Rank::from_canonical)
    }

    pub fn index_of(&self, tax_id: &str) -> Option<usize> {
        let c = self.strings.code_of(tax_id)?;
        self.index_of_code(c)
    }

    fn index_of_code(&self, c: u32) -> Option<usize> {
        match self.index_by_code.get(c as usize) {
            Some(&i) if i != NULL_CODE => Some(i as usize),
            _ => None,
        }
    }

    /// The parent's index, when the parent is itself in the table.
    pub fn parent_index(&self, i: usize) -> Option<usize> {
        let p = self.parent[i];
        if p == NULL_CODE {
            None
        } else {
            self.index_of_code(p)
        }
    }

    /// step 3 (`_get_highest_unclassified_tax_id`): for a taxon more specific than
    /// `level`, the highest canonical ancestor still below `level` when no ancestor sits at
    /// `level`; `None` when the taxon is classified at `level`. Non-canonical nodes are
    /// skipped; a missing parent ends the walk like the root does. A cycle is an error.
    pub fn highest_unclassified(&self, start: usize, level: u8) -> Result<Option<usize>> {
        let mut cur = Some(start);
        let mut highest = start;
        let mut steps = 0usize;
        while let Some(i) = cur {
            let l = self.rank_level[i];
            if l != NON_CANONICAL {
                if l > level {
                    break;
                }
                if l == level {
                    return Ok(None);
                }
                highest = i;
            }
            steps += 1;
            if steps > self.len() {
                return Err(Error::invalid_response(format!(
                    "taxonomy has a cycle through tax_id {}",
                    self.tax_id(start)
                )));
            }
            cur = self.parent_index(i);
        }
        Ok(Some(highest))
    }
}

/// A node of a [`TaxonomyTree`].
#[derive(Debug, Clone, PartialEq)]
pub struct TreeNode {
    pub tax_id: String,
    pub name: Option<String>,
    pub rank: Option<String>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

/// A taxonomy tree rooted at tax id `"1"`. Nodes are indexed in first-seen order.
#[derive(Debug, Clone)]
pub struct TaxonomyTree {
    nodes: Vec<TreeNode>,
    root: usize,
    index: StringTable,
}

impl TaxonomyTree {
    /// Builds the tree of a taxonomy table. A parent missing from the table (other than for the
    /// root) gives a warning and leaves the node detached; no root `"1"` or a cycle is an error.
    pub fn build(tax: &Taxonomy) -> Result<(TaxonomyTree, Vec<Warning>)> {
        let mut warnings = Vec::new();
        let mut nodes: Vec<TreeNode> = (0..tax.len())
            .map(|i| TreeNode {
                tax_id: tax.tax_id(i).to_owned(),
                name: tax.name(i).map(str::to_owned),
                rank: tax.rank(i).map(str::to_owned),
                parent: None,
                children: Vec::new(),
            })
            .collect();
        let root = tax.index_of("1").ok_or_else(|| Error::invalid_response("taxonomy has no root (tax_id \"1\")"))?;
        for i in 0..tax.len() {
            if i == root {
                continue;
            }
            match tax.parent_index(i) {
                Some(p) => {
                    nodes[i].parent = Some(p);
                    nodes[p].children.push(i);
                }
                None => warnings.push(Warning::new(
                    "missing_parent",
                    format!(
                        "parent {} of tax_id {} is not in the results; the taxon is left out of the tree",
                        tax.parent_tax_id(i).unwrap_or("null"),
                        tax.tax_id(i)
                    ),
                )),
            }
        }
        // A parent chain that never ends is a cycle (0 = unvisited, 1 = on path, 2 = done).
        let mut state = vec![0u8; nodes.len()];
        for start in 0..nodes.len() {
            let mut path = Vec::new();
            let mut cur = Some(start);
            while let Some(i) = cur {
                match state[i] {
                    2 => break,
                    1 => {
                        return Err(Error::invalid_response(format!(
                            "taxonomy has a cycle through tax_id {}",
                            nodes[i].tax_id
                        )))
                    }
                    _ => {
                        state[i] = 1;
                        path.push(i);
                        cur = nodes[i].parent;
                    }
                }
            }
            for i in path {
                state[i] = 2;
            }
        }
        let mut index = StringTable::with_capacity(nodes.len());
        for n in &nodes {
            index.intern(&n.tax_id);
        }
        Ok((TaxonomyTree { nodes, root, index }, warnings))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn root(&self) -> usize {
        self.root
    }

    pub fn node(&self, i: usize) -> &TreeNode {
        &self.nodes[i]
    }

    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    pub fn find(&self, tax_id: &str) -> Option<usize> {
        // Codes are assigned in node order and tax ids are unique, so code == node index.
        self.index.code_of(tax_id).map(|c| c as usize)
    }

    /// Ancestors then the node itself (root first). `None` for an unknown tax id.
    pub fn lineage(&self, tax_id: &str) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut cur = Some(self.find(tax_id)?);
        while let Some(i) = cur {
            out.push(i);
            cur = self.nodes[i].parent;
        }
        out.reverse();
        Some(out)
    }

    /// Names at the eight canonical ranks along a lineage (superkingdom … species), `""` where
    /// the lineage has no node of that rank.
    pub fn canonical_lineage_names(&self, tax_id: &str) -> Option<[String; 8]> {
        let lineage = self.lineage(tax_id)?;
        let mut out: [String; 8] = Default::default();
        for i in lineage {
            let n = &self.nodes[i];
            if let Some(r) = n.rank.as_deref().and_then(Rank::from_canonical) {
                let slot = Rank::LINEAGE_ORDER.iter().position(|&x| x == r).unwrap_or(0);
                out[slot] = n.name.clone().unwrap_or_default();
            }
        }
        Some(out)
    }

    /// Keeps nodes of `rank` and every node with a kept descendant; drops the rest.
    pub fn prune_rank(&self, rank: Rank) -> Result<TaxonomyTree> {
        let mut keep = vec![false; self.nodes.len()];
        // Post-order without recursion: children before parents.
        for &i in self.post_order().iter() {
            let n = &self.nodes[i];
            keep[i] = n.rank.as_deref() == Some(rank.as_str()) || n.children.iter().any(|&c| keep[c]);
        }
        if !keep[self.root] {
            return Err(Error::invalid_argument(format!("no {}-level taxa in the tree", rank.as_str())));
        }
        Ok(self.subset(&keep))
    }

    /// Keeps the given tax ids and all their ancestors. Unknown ids are an error.
    pub fn prune_tax_ids<S: AsRef<str>>(&self, tax_ids: &[S]) -> Result<TaxonomyTree> {
        let mut keep = vec![false; self.nodes.len()];
        keep[self.root] = true;
        for t in tax_ids {
            let t = t.as_ref();
            let mut cur = Some(
                self.find(t).ok_or_else(|| Error::invalid_argument(format!("tax_id \"{t}\" is not in the tree")))?,
            );
            while let Some(i) = cur {
                if keep[i] && i != self.root {
                    break;
                }
                keep[i] = true;
                cur = self.nodes[i].parent;
            }
        }
        Ok(self.subset(&keep))
    }

    /// Nodes reachable from the root, children before parents.
    pub fn post_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![(self.root, false)];
        while let Some((i, expanded)) = stack.pop() {
            if expanded {
                out.push(i);
            } else {
                stack.push((i, true));
                for &c in self.nodes[i].children.iter().rev() {
                    stack.push((c, false));
                }
            }
        }
        out
    }

    fn subset(&self, keep: &[bool]) -> TaxonomyTree {
        let mut new_index = vec![usize::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if keep[i] {
                new_index[i] = nodes.len();
                nodes.push(TreeNode { children: Vec::new(), parent: None, ..n.clone() });
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if !keep[i] {
                continue;
            }
            let ni = new_index[i];
            nodes[ni].parent = n.parent.map(|p| new_index[p]).filter(|&p| p != usize::MAX);
            nodes[ni].children = n.children.iter().map(|&c| new_index[c]).filter(|&c| c != usize::MAX).collect();
        }
        let mut index = StringTable::with_capacity(nodes.len());
        for n in &nodes {
            index.intern(&n.tax_id);
        }
        TaxonomyTree { root: new_index[self.root], nodes, index }
    }
}
