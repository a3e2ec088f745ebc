//! A fixed synthetic NCBI-like taxonomy (about 16,000 nodes) shared by every classification.
//! Membership of a taxon in a classification is a cheap pure function of (seed, classification id),
//! so `tax_ids` filters need no stored tables.

use super::profiles::Profile;
use crate::rng::{h, Rng};
use std::sync::OnceLock;

pub struct Node {
    pub tax_id: u32,
    pub parent: Option<usize>,
    pub name: String,
    pub rank: &'static str,
    pub children: Vec<usize>,
}

pub struct Taxonomy {
    pub nodes: Vec<Node>,
    /// Indices of genus nodes (the unit of selection).
    pub genera: Vec<usize>,
    pub by_tax_id: std::collections::HashMap<u32, usize>,
    pub human: usize,
    pub mouse: usize,
}

const SYL: [&str; 48] = [
    "bac", "ter", "oi", "des", "lac", "to", "ba", "cil", "lus", "strep", "coc", "cus", "pre", "vo", "tel", "la",
    "clos", "tri", "di", "um", "fae", "ca", "li", "ak", "ker", "man", "si", "ru", "mi", "no", "bu", "ty", "ri", "vi",
    "brio", "ci", "tro", "en", "te", "ro", "sta", "phy", "lo", "my", "co", "pseu", "mo", "na",
];

fn word(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for _ in 0..n {
        let syl: &&str = r.pick(&SYL);
        s.push_str(syl);
    }
    s
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl Taxonomy {
    fn add(&mut self, tax_id: u32, parent: Option<usize>, name: String, rank: &'static str) -> usize {
        let i = self.nodes.len();
        self.nodes.push(Node { tax_id, parent, name, rank, children: vec![] });
        if let Some(p) = parent {
            self.nodes[p].children.push(i);
        }
        self.by_tax_id.insert(tax_id, i);
        i
    }

    fn build() -> Taxonomy {
        let mut t = Taxonomy { nodes: vec![], genera: vec![], by_tax_id: Default::default(), human: 0, mouse: 0 };
        let root = t.add(1, None, "root".into(), "no rank");
        let cell = t.add(131567, Some(root), "cellular organisms".into(), "no rank");
        let bact = t.add(2, Some(cell), "Bacteria".into(), "superkingdom");
        let arch = t.add(2157, Some(cell), "Archaea".into(), "superkingdom");
        let euk = t.add(2759, Some(cell), "Eukaryota".into(), "superkingdom");
        let vir = t.add(10239, Some(root), "Viruses".into(), "superkingdom");
        // Host lineages with their real ids.
        let metazoa = t.add(33208, Some(euk), "Metazoa".into(), "kingdom");
        let chordata = t.add(7711, Some(metazoa), "Chordata".into(), "phylum");
        let mammalia = t.add(40674, Some(chordata), "Mammalia".into(), "class");
        let primates = t.add(9443, Some(mammalia), "Primates".into(), "order");
        let hominidae = t.add(9604, Some(primates), "Hominidae".into(), "family");
        let homo = t.add(9605, Some(hominidae), "Homo".into(), "genus");
        t.human = t.add(9606, Some(homo), "Homo sapiens".into(), "species");
        let rodentia = t.add(9989, Some(mammalia), "Rodentia".into(), "order");
        let muridae = t.add(10066, Some(rodentia), "Muridae".into(), "family");
        let mus = t.add(10088, Some(muridae), "Mus".into(), "genus");
        t.mouse = t.add(10090, Some(mus), "Mus musculus".into(), "species");
        let fungi = t.add(4751, Some(euk), "Fungi".into(), "kingdom");

        let mut r = Rng::new(0x7A40_0001);
        let mut next_id: u32 = 1_000_000;
        let mut used = std::collections::HashSet::new();
        let mut uniq = |r: &mut Rng, n: usize| loop {
            let w = word(r, n);
            if used.insert(w.clone()) {
                return w;
            }
        };
        for (top, phyla) in [(bact, 30usize), (arch, 4), (fungi, 4), (vir, 6)] {
            for _ in 0..phyla {
                next_id += 1;
                let p = t.add(next_id, Some(top), cap(&uniq(&mut r, 2)) + "ota", "phylum");
                for _ in 0..r.range(2, 4) {
                    next_id += 1;
                    let c = t.add(next_id, Some(p), cap(&uniq(&mut r, 2)) + "ia", "class");
                    for _ in 0..r.range(2, 4) {
                        next_id += 1;
                        let o = t.add(next_id, Some(c), cap(&uniq(&mut r, 2)) + "ales", "order");
                        for _ in 0..r.range(1, 4) {
                            next_id += 1;
                            let fam = t.add(next_id, Some(o), cap(&uniq(&mut r, 2)) + "aceae", "family");
                            for _ in 0..r.range(2, 6) {
                                next_id += 1;
                                let gname = cap(&uniq(&mut r, 3));
                                let g = t.add(next_id, Some(fam), gname.clone(), "genus");
                                t.genera.push(g);
                                for _ in 0..r.range(1, 7) {
                                    next_id += 1;
                                    let ep = word(&mut r, 2) + *r.pick(&["is", "us", "ii", "ae", "um"]);
                                    let sname = format!("{gname} {ep}");
                                    let s = t.add(next_id, Some(g), sname.clone(), "species");
                                    if r.chance(0.15) {
                                        for k in 0..r.range(1, 2) {
                                            next_id += 1;
                                            let rank = if k == 0 { "strain" } else { "subspecies" };
                                            t.add(
                                                next_id,
                                                Some(s),
                                                format!("{sname} str. {}", r.range(100, 9999)),
                                                rank,
                                            );
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        t
    }
}

pub fn taxonomy() -> &'static Taxonomy {
    static T: OnceLock<Taxonomy> = OnceLock::new();
    T.get_or_init(Taxonomy::build)
}

/// Which taxa a classification contains: a pure function of (seed, classification id).
pub struct Selection {
    seed: u64,
    cid_hash: u64,
    pub profile: Profile,
    pub host: Option<usize>,
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

impl Selection {
    pub fn new(seed: u64, cid: &str) -> Selection {
        let profile = Profile::new(seed, cid);
        let x = profile.hash();
        let host = profile.site.host(x);
        Selection { seed, cid_hash: x, profile, host }
    }
    fn hn(&self, label: &str, node: usize) -> f64 {
        unit(h(self.seed ^ self.cid_hash, label, node as u64))
    }
    fn genus_in(&self, g: usize) -> bool {
        self.profile.has_genus(g)
    }
    /// Does the classification have reads for this node (by readcount_w_children)? The host
    /// species hangs from the root, as in the API's tables, so its lineage is not in.
    pub fn contains(&self, node: usize) -> bool {
        let t = taxonomy();
        let n = &t.nodes[node];
        if Some(node) == self.host || node == 0 {
            return true;
        }
        if n.tax_id < 1_000_000 && !matches!(n.tax_id, 1 | 131567 | 2 | 2157 | 2759 | 10239 | 4751) {
            return false; // a host lineage node
        }
        match n.rank {
            "genus" => self.genus_in(node),
            "species" => self.species_in(node),
            "strain" | "subspecies" => {
                let sp = n.parent.unwrap_or(0);
                self.species_in(sp) && self.hn("st", node) < 0.5
            }
            _ => n.children.iter().any(|&c| self.contains(c)),
        }
    }
    /// The parent of a contained node in the classification's table (the root for the host).
    pub fn parent(&self, node: usize) -> Option<usize> {
        if Some(node) == self.host {
            return Some(0);
        }
        taxonomy().nodes.get(node).and_then(|n| n.parent)
    }
    fn species_in(&self, s: usize) -> bool {
        let t = taxonomy();
        let g = t.nodes[s].parent.unwrap_or(0);
        if t.nodes[g].rank != "genus" || !self.genus_in(g) {
            return false;
        }
        // The first species of a selected genus is always present.
        t.nodes[g].children.first() == Some(&s) || self.hn("s", s) < 0.45
    }
    pub fn contains_tax_id(&self, tax_id: &str) -> bool {
        let t = taxonomy();
        match tax_id.parse::<u32>().ok().and_then(|i| t.by_tax_id.get(&i)) {
            Some(&n) => self.contains(n),
            None => false,
        }
    }
    /// Every contained node, parents before children (the host right after the root).
    pub fn nodes(&self) -> Vec<usize> {
        let t = taxonomy();
        let mut out = vec![];
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            if Some(i) == self.host || !self.contains(i) {
                continue;
            }
            out.push(i);
            if i == 0 {
                out.extend(self.host);
            }
            for &c in t.nodes[i].children.iter().rev() {
                stack.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        let t = super::taxonomy();
        let sp = t.nodes.iter().filter(|n| n.rank == "species").count();
        eprintln!("nodes {} genera {} species {}", t.nodes.len(), t.genera.len(), sp);
        for k in 0..10 {
            let s = super::Selection::new(1, &format!("{k:016x}"));
            eprintln!("site {:?} rows {}", s.profile.site, s.nodes().len());
        }
    }
}
