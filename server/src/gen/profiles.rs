//! Microbiome-like community profiles: which genera a classification has and how many reads each
//! gets. A classification's site (stool, skin, soil, water or a low-biomass blank) is a pure
//! function of (seed, classification id), so the sample's metadata (`custom.site`, written by
//! `data.rs`) and its results always agree without storing anything.
//!
//! Each site has a few dominant genera and a core of typical ones, disjoint between sites, plus
//! a long tail of rare genera drawn from the whole taxonomy: bar charts show the site's genera
//! instead of "Other", and `site` separates samples in ordinations and PERMANOVA.

use super::taxonomy::taxonomy;
use crate::rng::{h, hs, Rng};
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Site {
    Stool,
    Skin,
    Soil,
    Water,
    /// An extraction blank: a few hundred reads of kit contaminants and cross-talk.
    Blank,
}

pub const SITES: [Site; 5] = [Site::Stool, Site::Skin, Site::Soil, Site::Water, Site::Blank];

impl Site {
    pub fn name(self) -> &'static str {
        match self {
            Site::Stool => "stool",
            Site::Skin => "skin",
            Site::Soil => "soil",
            Site::Water => "water",
            Site::Blank => "blank",
        }
    }
    fn index(self) -> usize {
        SITES.iter().position(|&s| s == self).unwrap_or(0)
    }
    /// Host species node, decided by the classification hash `x`.
    pub fn host(self, x: u64) -> Option<usize> {
        let t = taxonomy();
        match (self, x % 20) {
            (Site::Stool, 0..=2) => Some(t.mouse),
            (Site::Stool | Site::Skin, _) => Some(t.human),
            (Site::Blank, 0..=5) => Some(t.human),
            _ => None,
        }
    }
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The site of a classification: about 30% stool, 20% each skin, soil and water, 10% blanks.
pub fn site_of(seed: u64, cid: &str) -> Site {
    match hs(seed, "site", cid) % 10 {
        0..=2 => Site::Stool,
        3 | 4 => Site::Skin,
        5 | 6 => Site::Soil,
        7 | 8 => Site::Water,
        _ => Site::Blank,
    }
}

/// Relative weights of a site's dominant genera, most abundant first (the blank's are the kit
/// contaminants).
const DOMINANT: [f64; 8] = [0.30, 0.18, 0.12, 0.08, 0.06, 0.04, 0.03, 0.02];
const CORE_GENERA: usize = 40;
const CORE_WEIGHT: f64 = 0.004;

/// A site's genera (taxonomy node indices).
pub struct Community {
    pub dominant: Vec<usize>,
    pub core: Vec<usize>,
}

/// The five communities, fixed for the fixed taxonomy: drawn without replacement from the
/// bacterial and archaeal genera, so no genus is dominant or core at two sites.
pub fn communities() -> &'static [Community; 5] {
    static C: OnceLock<[Community; 5]> = OnceLock::new();
    C.get_or_init(|| {
        let t = taxonomy();
        let mut pool: Vec<usize> = t.genera.clone();
        let mut r = Rng::new(0xC0_FFEE_5175);
        // Fisher-Yates with the fixed generator.
        for i in (1..pool.len()).rev() {
            let j = r.below(i as u64 + 1) as usize;
            pool.swap(i, j);
        }
        let mut take = |n: usize| -> Vec<usize> { pool.drain(..n.min(pool.len())).collect() };
        SITES.map(|site| {
            let dominant = take(DOMINANT.len());
            let core = if site == Site::Blank { take(4) } else { take(CORE_GENERA) };
            Community { dominant, core }
        })
    })
}

/// The genera of one classification with their relative weights (not normalised).
pub struct Profile {
    pub site: Site,
    seed: u64,
    x: u64,
    /// Probability that a genus of the whole taxonomy is in the rare tail.
    p_tail: f64,
}

/// A genus's role in a profile.
enum Role {
    Dominant(usize),
    Core,
    /// A site's dominant genus found in a blank (cross-talk between wells).
    CrossTalk,
    Tail,
}

impl Profile {
    pub fn new(seed: u64, cid: &str) -> Profile {
        let x = hs(seed, "cls", cid);
        let site = site_of(seed, cid);
        let p_tail = match site {
            Site::Blank => 0.004,
            _ => 0.10 + 0.16 * unit(h(x, "pg", 0)),
        };
        Profile { site, seed, x, p_tail }
    }
    pub fn hash(&self) -> u64 {
        self.x
    }
    fn hn(&self, label: &str, node: usize) -> f64 {
        unit(h(self.seed ^ self.x, label, node as u64))
    }
    fn role(&self, g: usize) -> Option<Role> {
        let c = communities();
        let own = &c[self.site.index()];
        if let Some(k) = own.dominant.iter().position(|&d| d == g) {
            // A dominant genus is missing from one sample in twenty.
            return (self.hn("dom", g) >= 0.05).then_some(Role::Dominant(k));
        }
        if own.core.contains(&g) {
            let p = if self.site == Site::Blank { 0.9 } else { 0.75 };
            return (self.hn("core", g) < p).then_some(Role::Core);
        }
        if self.site == Site::Blank && c.iter().any(|o| o.dominant.first() == Some(&g)) {
            return (self.hn("xtalk", g) < 0.5).then_some(Role::CrossTalk);
        }
        (self.hn("g", g) < self.p_tail).then_some(Role::Tail)
    }
    /// Is this genus in the classification?
    pub fn has_genus(&self, g: usize) -> bool {
        self.role(g).is_some()
    }
    /// The weight of a contained genus, drawn from `r` (log-normal around its role's level).
    pub fn weight(&self, g: usize, r: &mut Rng) -> f64 {
        let lognormal = |r: &mut Rng, sigma: f64| (sigma * normal(r)).exp();
        match self.role(g) {
            Some(Role::Dominant(k)) => DOMINANT.get(k).copied().unwrap_or(0.01) * lognormal(r, 0.5),
            Some(Role::Core) if self.site == Site::Blank => 0.05 * lognormal(r, 0.8),
            Some(Role::Core) => CORE_WEIGHT * lognormal(r, 1.0),
            Some(Role::CrossTalk) => 0.02 * lognormal(r, 0.8),
            Some(Role::Tail) => 10f64.powf(-5.5 + 2.0 * r.f64()),
            None => 0.0,
        }
    }
    /// Classified reads (the root's `readcount_w_children` before host reads), drawn from `r`.
    pub fn classified_reads(&self, r: &mut Rng) -> u64 {
        match self.site {
            Site::Blank => r.range(150, 2_500),
            _ => 10f64.powf(5.3 + 1.2 * r.f64()) as u64,
        }
    }
    /// Reads on the host species, drawn from `r`.
    pub fn host_reads(&self, r: &mut Rng) -> u64 {
        match self.site {
            Site::Blank => r.range(5, 200),
            Site::Skin => r.range(200_000, 2_000_000),
            _ => r.range(2_000, 60_000),
        }
    }
}

/// A standard normal deviate (Box-Muller).
fn normal(r: &mut Rng) -> f64 {
    let u = 1.0 - r.f64(); // (0, 1]
    let v = r.f64();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn communities_are_disjoint_between_sites() {
        let c = communities();
        let mut seen = std::collections::HashSet::new();
        for com in c.iter() {
            for &g in com.dominant.iter().chain(&com.core) {
                assert!(seen.insert(g), "genus {g} in two communities");
            }
        }
        assert_eq!(seen.len(), 4 * (8 + 40) + 8 + 4);
    }

    #[test]
    fn sites_are_spread_and_deterministic() {
        let mut n = [0usize; 5];
        for k in 0..2000 {
            let cid = format!("{k:016x}");
            assert_eq!(site_of(7, &cid), site_of(7, &cid));
            n[site_of(7, &cid).index()] += 1;
        }
        // Expected 600, 400, 400, 400, 200 of 2000.
        for (got, want) in n.iter().zip([600, 400, 400, 400, 200]) {
            assert!((*got as i64 - want).abs() < 80, "{n:?}");
        }
    }
}
