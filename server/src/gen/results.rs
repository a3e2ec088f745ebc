//! Analysis results generated on demand from (seed, analysis id).
//! Classification tables satisfy the invariants of API_SPEC §8.2 exactly.

use super::taxonomy::{taxonomy, Selection};
use crate::rng::{hs, Rng};
use serde_json::{json, Map, Value};

/// Table flavour of a classification (decided by its id).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavour {
    /// Abundances present; filtered counts equal raw ones.
    Full,
    /// No abundance estimates: abundances null, filtered counts about half the raw ones.
    NoAbundance,
    /// Older format: no `abundance_w_children` and no filtered counts.
    Old,
}

pub fn flavour(seed: u64, cid: &str) -> Flavour {
    match hs(seed, "flav", cid) % 10 {
        0 => Flavour::NoAbundance,
        1 => Flavour::Old,
        _ => Flavour::Full,
    }
}

/// How the pre-signed results file is encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    Zstd,
    Gzip,
    Plain,
}

pub fn encoding(seed: u64, id: &str) -> Encoding {
    match hs(seed, "enc", id) % 8 {
        0 => Encoding::Gzip,
        1 => Encoding::Plain,
        _ => Encoding::Zstd,
    }
}

pub fn encode(enc: Encoding, json: &[u8]) -> Vec<u8> {
    match enc {
        Encoding::Plain => json.to_vec(),
        Encoding::Zstd => zstd::bulk::compress(json, 3).unwrap_or_else(|_| json.to_vec()),
        Encoding::Gzip => {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = e.write_all(json);
            e.finish().unwrap_or_else(|_| json.to_vec())
        }
    }
}

struct Row {
    node: usize,
    children: Vec<usize>, // row indices
    rc: u64,
    rcw: u64,
    frc: u64,
    frcw: u64,
    ab: Option<f64>,
    abw: f64,
}

/// The `/results` payload of a classification: a community profile of its site
/// (`profiles.rs`) spread over the taxonomy tree.
pub fn classification(seed: u64, cid: &str) -> Value {
    let t = taxonomy();
    let sel = Selection::new(seed, cid);
    let profile = &sel.profile;
    let flav = flavour(seed, cid);
    let mut r = Rng::new(hs(seed, "clsrows", cid));
    let nodes = sel.nodes();
    let mut row_of = std::collections::HashMap::with_capacity(nodes.len());
    let mut rows: Vec<Row> = Vec::with_capacity(nodes.len());
    for &n in &nodes {
        row_of.insert(n, rows.len());
        rows.push(Row { node: n, children: vec![], rc: 0, rcw: 0, frc: 0, frcw: 0, ab: None, abw: 0.0 });
    }
    for i in 0..rows.len() {
        if let Some(pi) = sel.parent(rows[i].node).and_then(|p| row_of.get(&p).copied()) {
            rows[pi].children.push(i);
        }
    }
    // Each genus's share of the classified reads: some on the genus itself, the rest over its
    // species (the first one most), a little of a species' on its strains; every species and
    // strain in the table keeps at least one read.
    let n_classified = profile.classified_reads(&mut r) as f64;
    let genera: Vec<(usize, f64)> = (0..rows.len())
        .filter(|&i| t.nodes[rows[i].node].rank == "genus")
        .map(|i| (i, profile.weight(rows[i].node, &mut r)))
        .collect();
    let total_weight: f64 = genera.iter().map(|g| g.1).sum();
    for (gi, w) in genera {
        let reads = if total_weight > 0.0 { n_classified * w / total_weight } else { 0.0 };
        let on_genus = 0.05 + 0.25 * r.f64();
        rows[gi].rc = (reads * on_genus) as u64;
        let species = rows[gi].children.clone();
        let shares: Vec<f64> =
            (0..species.len()).map(|k| if k == 0 { 1.0 } else { 10f64.powf(-2.0 + 2.0 * r.f64()) }).collect();
        let share_sum: f64 = shares.iter().sum();
        for (&si, share) in species.iter().zip(shares) {
            let sp_reads = reads * (1.0 - on_genus) * share / share_sum;
            let mut on_strains = 0.0;
            for sti in rows[si].children.clone() {
                let st_reads = sp_reads * 0.15 * r.f64();
                on_strains += st_reads;
                rows[sti].rc = (st_reads as u64).max(1);
            }
            rows[si].rc = ((sp_reads - on_strains) as u64).max(1);
        }
    }
    // Reads resolved only to a rank above genus: 2-12% of the classified reads over half of
    // those rows.
    let is_higher =
        |n: usize| Some(n) != sel.host && !matches!(t.nodes[n].rank, "genus" | "species" | "strain" | "subspecies");
    let n_higher = rows.iter().filter(|row| is_higher(row.node)).count().max(1) as f64;
    let per_higher = n_classified * (0.02 + 0.1 * r.f64()) / n_higher;
    for row in rows.iter_mut() {
        if Some(row.node) == sel.host {
            row.rc = profile.host_reads(&mut r);
        } else if is_higher(row.node) && r.chance(0.5) {
            row.rc = (per_higher * 4.0 * r.f64()) as u64;
        }
        row.frc = match flav {
            Flavour::NoAbundance => (row.rc as f64 * (0.3 + 0.4 * r.f64())) as u64,
            _ => row.rc,
        };
    }
    // Abundances on non-host species, proportional to reads times a genome-size factor.
    if flav != Flavour::NoAbundance {
        let mut weights = vec![];
        for (i, row) in rows.iter().enumerate() {
            if t.nodes[row.node].rank == "species" && Some(row.node) != sel.host {
                let sub: u64 = row.rc + row.children.iter().map(|&c| rows[c].rc).sum::<u64>();
                weights.push((i, sub as f64 * (0.5 + r.f64())));
            }
        }
        let total: f64 = weights.iter().map(|w| w.1).sum();
        for (i, w) in weights {
            rows[i].ab = Some(if total > 0.0 { w / total } else { 0.0 });
        }
    }
    // Bottom-up sums (nodes are in parent-before-child order).
    for i in (0..rows.len()).rev() {
        let (mut rcw, mut frcw, mut abw) = (rows[i].rc, rows[i].frc, rows[i].ab.unwrap_or(0.0));
        for &c in &rows[i].children {
            rcw += rows[c].rcw;
            frcw += rows[c].frcw;
            abw += rows[c].abw;
        }
        rows[i].rcw = rcw;
        rows[i].frcw = frcw;
        rows[i].abw = abw;
    }
    let classified = rows.first().map_or(0, |r| r.rcw);
    let n_reads = classified + (classified as f64 * (0.05 + 0.4 * r.f64())) as u64;
    let mut table = Vec::with_capacity(rows.len());
    for row in &rows {
        let node = &t.nodes[row.node];
        let mut m = Map::new();
        m.insert("tax_id".into(), json!(node.tax_id.to_string()));
        m.insert(
            "parent_tax_id".into(),
            sel.parent(row.node).map_or(Value::Null, |p| json!(t.nodes[p].tax_id.to_string())),
        );
        m.insert("name".into(), json!(node.name));
        m.insert("rank".into(), json!(node.rank));
        m.insert("readcount".into(), json!(row.rc));
        m.insert("readcount_w_children".into(), json!(row.rcw));
        let is_host = Some(row.node) == sel.host;
        match flav {
            Flavour::NoAbundance => {
                m.insert("abundance".into(), Value::Null);
                m.insert("abundance_w_children".into(), Value::Null);
            }
            _ => {
                let ab = if is_host { json!(0) } else { row.ab.map_or(Value::Null, |a| json!(a)) };
                m.insert("abundance".into(), ab);
                if flav == Flavour::Full {
                    m.insert("abundance_w_children".into(), json!(row.abw));
                }
            }
        }
        if flav != Flavour::Old {
            m.insert("filtered_readcount".into(), json!(row.frc));
            m.insert("filtered_readcount_w_children".into(), json!(row.frcw));
        }
        table.push(Value::Object(m));
    }
    let host_tax_ids: Vec<String> = sel.host.map(|h| t.nodes[h].tax_id.to_string()).into_iter().collect();
    json!({"n_reads": n_reads, "host_tax_ids": host_tax_ids, "table": table})
}

const GROUPS: [&str; 7] = ["gene_family", "pfam", "go", "eggnog", "ec", "ko", "reaction"];

struct Feature {
    group: &'static str,
    id: String,
    name: Option<String>,
    cpm: f64,
    rpk: f64,
    contribs: Vec<(String, f64, f64)>,
}

struct Pathway {
    id: String,
    name: String,
    abundance: f64,
    coverage: f64,
    metacyc_cpm: f64,
    contribs: Vec<(String, f64, f64, f64)>,
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// (n_reads, n_mapped, features, pathways, contributing taxa (id, name)).
type FunctionalParts = (u64, f64, Vec<Feature>, Vec<Pathway>, Vec<(String, String)>);

fn functional_parts(seed: u64, id: &str) -> FunctionalParts {
    let t = taxonomy();
    let mut r = Rng::new(hs(seed, "func", id));
    let n_reads = r.range(200_000, 5_000_000);
    let n_mapped = (n_reads as f64 * (0.2 + 0.5 * r.f64())).round();
    // Contributing taxa: a few genera's first species.
    let mut taxa: Vec<(String, String)> = (0..6)
        .map(|_| {
            let g = *r.pick(&t.genera);
            let s = t.nodes[g].children[0];
            (t.nodes[s].tax_id.to_string(), t.nodes[s].name.clone())
        })
        .collect();
    taxa.dedup();
    let mut feats = vec![];
    for group in GROUPS {
        let prefix = match group {
            "gene_family" => "UniRef90_A0A",
            "pfam" => "PF",
            "go" => "GO:",
            "eggnog" => "COG",
            "ec" => "EC:",
            "ko" => "K",
            _ => "RXN-",
        };
        for k in 0..r.range(8, 20) {
            let cpm = round(10f64.powf(r.f64() * 3.5));
            let rpk = round(cpm * (0.2 + r.f64()));
            let mut contribs = vec![];
            for (tid, _) in &taxa {
                if r.chance(0.4) {
                    contribs.push((tid.clone(), round(cpm * 0.3 * r.f64()), round(rpk * 0.3 * r.f64())));
                }
            }
            if r.chance(0.3) {
                contribs.push(("0".to_string(), round(cpm * 0.1), round(rpk * 0.1)));
            }
            let fid = format!("{prefix}{:05}", 100 + k * 37 + r.below(30));
            let name = if r.chance(0.7) { Some(format!("{} protein {}", group, k + 1)) } else { None };
            feats.push(Feature { group, id: fid, name, cpm, rpk, contribs });
        }
        feats.push(Feature {
            group,
            id: "UNMAPPED".into(),
            name: None,
            cpm: round(n_reads as f64 * 0.3),
            rpk: round(n_reads as f64 * 0.2),
            contribs: vec![],
        });
    }
    let mut paths = vec![];
    for k in 0..r.range(6, 15) {
        let abundance = round(10f64.powf(r.f64() * 2.5));
        let coverage = if r.chance(0.4) { 1.0 } else { round(r.f64()) };
        let metacyc_cpm = round(abundance * (1.0 + r.f64()));
        let mut contribs = vec![];
        for (tid, _) in &taxa {
            if r.chance(0.4) {
                contribs.push((
                    tid.clone(),
                    round(abundance * 0.3 * r.f64()),
                    round(r.f64()),
                    round(metacyc_cpm * 0.3 * r.f64()),
                ));
            }
        }
        paths.push(Pathway {
            id: format!("PWY-{}", 1000 + k * 13),
            name: format!("synthetic pathway {}", k + 1),
            abundance,
            coverage,
            metacyc_cpm,
            contribs,
        });
    }
    (n_reads, n_mapped, feats, paths, taxa)
}

fn strat_name(taxa: &[(String, String)], tid: &str) -> String {
    match taxa.iter().find(|t| t.0 == tid) {
        Some((_, name)) => {
            let mut it = name.split(' ');
            let g = it.next().unwrap_or("");
            let s = it.next().unwrap_or("");
            format!("g__{g}.s__{g}_{s}")
        }
        None => "unclassified".into(),
    }
}

/// `/results` of a functional profile (§8.4 server format).
pub fn functional(seed: u64, id: &str) -> Value {
    let (n_reads, n_mapped, feats, paths, taxa) = functional_parts(seed, id);
    let mut table = vec![];
    let row = |g: &str, id: &str, name: &Option<String>, metric: &str, strat: bool, tid: Option<&str>, v: f64| {
        json!({"group_name": g, "id": id, "name": name, "metric": metric, "taxa_stratified": strat,
               "taxon_id": tid, "taxon_name": tid.map(|t| strat_name(&taxa, t)), "value": v})
    };
    for p in &paths {
        let name = Some(p.name.clone());
        table.push(row("pathways", &p.id, &name, "abundance", false, None, p.abundance));
        table.push(row("pathways", &p.id, &name, "coverage", false, None, p.coverage));
        for c in &p.contribs {
            table.push(row("pathways", &p.id, &name, "abundance", true, Some(&c.0), c.1));
            table.push(row("pathways", &p.id, &name, "coverage", true, Some(&c.0), c.2));
        }
    }
    for f in &feats {
        table.push(row(f.group, &f.id, &f.name, "total_cpm", false, None, f.cpm));
        table.push(row(f.group, &f.id, &f.name, "total_rpk", false, None, f.rpk));
        for c in &f.contribs {
            table.push(row(f.group, &f.id, &f.name, "cpm", true, Some(&c.0), c.1));
            table.push(row(f.group, &f.id, &f.name, "rpk", true, Some(&c.0), c.2));
        }
    }
    json!({"n_reads": n_reads, "n_mapped": n_mapped, "table": table})
}

/// The condensed version-1 file at a functional profile's `results_uri` (§16.3).
pub fn functional_condensed(seed: u64, id: &str) -> Value {
    let (n_reads, n_mapped, feats, paths, taxa) = functional_parts(seed, id);
    let mut results = Map::new();
    for f in &feats {
        let name = f.name.clone().unwrap_or_else(|| f.id.clone());
        let contribs: Vec<Value> = f.contribs.iter().map(|c| json!([c.0, c.1, c.2])).collect();
        if let Some(a) = results.entry(f.group.to_string()).or_insert_with(|| json!([])).as_array_mut() {
            a.push(json!([f.id, name, f.cpm, f.rpk, contribs]));
        }
    }
    let pw: Vec<Value> = paths
        .iter()
        .map(|p| {
            let contribs: Vec<Value> = p.contribs.iter().map(|c| json!([c.0, c.1, c.2, c.3])).collect();
            json!([p.id, p.name, p.abundance, p.coverage, p.metacyc_cpm, contribs])
        })
        .collect();
    results.insert("pathways".into(), Value::Array(pw));
    let nodes: Vec<Value> = taxa.iter().map(|(id, name)| json!({"id": id, "name": name})).collect();
    json!({"version": 1, "n_reads": n_reads, "n_mapped": n_mapped, "taxonomy": {"nodes": nodes}, "results": results})
}

/// `/functional_profiles/<id>/filtered_results` (§8.4 mock semantics).
pub fn functional_filtered(seed: u64, id: &str, group: &str, metric: &str, stratified: bool) -> Value {
    let full = functional(seed, id);
    let metric_sent = if !stratified && group != "pathways" && (metric == "cpm" || metric == "rpk") {
        format!("total_{metric}")
    } else {
        metric.to_string()
    };
    let mut rows = vec![];
    for row in full["table"].as_array().into_iter().flatten() {
        if row["group_name"] == group && row["metric"] == metric_sent.as_str() && row["taxa_stratified"] == stratified {
            let id = row["id"].as_str().unwrap_or("");
            let rid = if stratified {
                format!("{}_{}", id, row["taxon_name"].as_str().unwrap_or(""))
            } else {
                id.to_string()
            };
            let mut m = json!({"id": rid, "name": row["name"], "value": row["value"]});
            if stratified {
                m["taxon_id"] = row["taxon_id"].clone();
                m["taxon_name"] = row["taxon_name"].clone();
            }
            rows.push(m);
        }
    }
    json!({"table": rows, "n_reads": full["n_reads"], "n_mapped": full["n_mapped"]})
}

pub fn mlst(seed: u64, id: &str) -> Value {
    let mut r = Rng::new(hs(seed, "mlst", id));
    let genes = ["arcC", "aroE", "glpF", "gmk", "pta", "tpi", "yqiL"];
    let st = r.range(1, 900);
    let alleles: Vec<Value> = genes.iter().map(|g| json!({"gene": g, "allele": r.range(1, 40)})).collect();
    let matched = r.range(4, genes.len() as u64);
    let mut panel = Map::new();
    panel.insert(
        "Common".into(),
        json!({"id": "1", "name": "Common", "description": "Reads common to all markers", "length": 0,
               "n_reads": 30782, "n_reads_full_coverage": 30782, "n_one_snp_reads": 0, "n_two_snp_reads": 0,
               "n_three_snp_reads": 0, "total_hits": 30782}),
    );
    for (k, g) in genes.iter().enumerate() {
        let present = (k as u64) < matched;
        panel.insert(
            format!("{g}_{}", k + 1),
            json!({"id": (100 + k).to_string(), "name": format!("{g}_{}", k + 1), "description": "", "length": r.range(300, 600),
                   "marker_type": "alignment", "status": if present {"present"} else {"absent"},
                   "coverage": if present {1.0} else {0.0}, "depth": (r.f64() * 2000.0 * 10.0).round() / 10.0,
                   "pct_identity": 0.99999, "n_reads": r.range(0, 6000), "n_reads_full_coverage": r.range(0, 6000),
                   "n_one_snp_reads": 0, "n_two_snp_reads": 0, "n_three_snp_reads": 0, "total_hits": 0}),
        );
    }
    json!({"mlstResults": {"results": [{"st": st, "metadata": [], "alleles": alleles}],
            "summary": {"mlst": st, "complete_match": matched == genes.len() as u64, "n_alleles_matched": matched,
                        "n_alleles_total": genes.len()}},
           "panelResults": panel})
}

pub fn panel(seed: u64, id: &str) -> Value {
    let mut r = Rng::new(hs(seed, "panel", id));
    let genes = ["blaTEM-1", "blaKPC-2", "mecA", "vanA", "tetM", "ermB", "aac(6')-Ib"];
    let mut m = Map::new();
    for (k, g) in genes.iter().enumerate() {
        let present = r.chance(0.4);
        m.insert(
            g.to_string(),
            json!({"id": (200 + k).to_string(), "name": g, "description": format!("{g} resistance gene"),
                   "length": r.range(600, 1500), "marker_type": "alignment", "status": if present {"present"} else {"absent"},
                   "coverage": if present {1.0} else {0.0}, "depth": if present {(r.f64()*500.0*10.0).round()/10.0} else {0.0},
                   "n_reads": if present {r.range(10, 5000)} else {0}}),
        );
    }
    json!({"panelResults": m})
}

pub fn workflow(_seed: u64, _id: &str) -> Value {
    json!({"workflowResults": {"summary": {"status": "complete"},
            "steps": [{"name": "step_one", "status": "complete"}, {"name": "step_two", "status": "complete"}]}})
}

pub fn alignment(seed: u64, id: &str) -> Value {
    let mut r = Rng::new(hs(seed, "aln", id));
    let len = r.range(2_000_000, 5_000_000);
    json!({"alignmentResults": {"reference_length": len, "n_reads_aligned": r.range(1000, 100000),
           "coverage": (r.f64() * 1000.0).round() / 1000.0, "mean_depth": (r.f64() * 100.0).round() / 10.0}})
}

/// Read-level TSV (gzip) for a classification: one row per read, pairs on consecutive rows.
pub fn readlevel_tsv_gz(seed: u64, cid: &str) -> Vec<u8> {
    let t = taxonomy();
    let sel = Selection::new(seed, cid);
    let nodes = sel.nodes();
    let mut r = Rng::new(hs(seed, "readlevel", cid));
    let mut s = String::from("Tax ID\tN Hits\tSeq Len\tPassed Filter\n");
    for _ in 0..200 {
        let n = nodes[r.below(nodes.len() as u64) as usize];
        let pf = if r.chance(0.9) { "T" } else { "F" };
        for _ in 0..2 {
            s.push_str(&format!("{}\t{}\t{}\t{}\n", t.nodes[n].tax_id, r.range(1, 60), r.range(100, 151), pf));
        }
    }
    encode(Encoding::Gzip, s.as_bytes())
}

pub fn logs(seed: u64, id: &str) -> String {
    let mut r = Rng::new(hs(seed, "logs", id));
    let n = r.range(20, 60);
    (1..=n).map(|i| format!("[step {i}] processed {} records\n", r.range(1000, 99999))).collect()
}

#[cfg(test)]
mod tests {
    use super::super::profiles::Site;
    use super::*;

    #[test]
    fn classification_invariants_hold() {
        for k in 0..30 {
            let cid = format!("{:016x}", k * 7919 + 3);
            let v = classification(1, &cid);
            let table = v["table"].as_array().unwrap();
            let site = super::super::profiles::site_of(1, &cid);
            let rows = if site == Site::Blank { 20..=400 } else { 1500..=5500 };
            assert!(rows.contains(&table.len()), "{site:?}: rows {}", table.len());
            let mut by: std::collections::HashMap<&str, &Value> = Default::default();
            for row in table {
                assert!(by.insert(row["tax_id"].as_str().unwrap(), row).is_none());
            }
            let mut child_rc: std::collections::HashMap<&str, u64> = Default::default();
            let mut child_ab: std::collections::HashMap<&str, f64> = Default::default();
            let mut ab_sum = 0.0;
            let mut rc_sum = 0;
            for row in table {
                rc_sum += row["readcount"].as_u64().unwrap();
                ab_sum += row["abundance"].as_f64().unwrap_or(0.0);
                if let Some(p) = row["parent_tax_id"].as_str() {
                    assert!(by.contains_key(p));
                    *child_rc.entry(p).or_default() += row["readcount_w_children"].as_u64().unwrap();
                    *child_ab.entry(p).or_default() += row["abundance_w_children"].as_f64().unwrap_or(0.0);
                }
            }
            for row in table {
                let id = row["tax_id"].as_str().unwrap();
                assert_eq!(
                    row["readcount_w_children"].as_u64().unwrap(),
                    row["readcount"].as_u64().unwrap() + child_rc.get(id).copied().unwrap_or(0)
                );
                if let Some(abw) = row.get("abundance_w_children").and_then(Value::as_f64) {
                    let want = row["abundance"].as_f64().unwrap_or(0.0) + child_ab.get(id).copied().unwrap_or(0.0);
                    assert!((abw - want).abs() < 1e-9);
                }
            }
            let root = by["1"];
            assert_eq!(root["readcount_w_children"].as_u64().unwrap(), rc_sum);
            assert!(v["n_reads"].as_u64().unwrap() >= rc_sum);
            match flavour(1, &cid) {
                Flavour::NoAbundance => assert_eq!(ab_sum, 0.0),
                _ => assert!((ab_sum - 1.0).abs() < 1e-9, "sum {ab_sum}"),
            }
        }
    }

    /// Genus-rank readcount_w_children of the non-host rows, largest first, and the classified
    /// reads without the host.
    fn genus_counts(v: &Value) -> (Vec<u64>, u64) {
        let hosts: Vec<&str> = v["host_tax_ids"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let table = v["table"].as_array().unwrap();
        let mut genus: Vec<u64> = table
            .iter()
            .filter(|r| r["rank"] == "genus")
            .map(|r| r["readcount_w_children"].as_u64().unwrap())
            .collect();
        genus.sort_unstable_by(|a, b| b.cmp(a));
        let host: u64 = table
            .iter()
            .filter(|r| hosts.contains(&r["tax_id"].as_str().unwrap()))
            .map(|r| r["readcount"].as_u64().unwrap())
            .sum();
        (genus, table[0]["readcount_w_children"].as_u64().unwrap() - host)
    }

    #[test]
    fn profiles_have_dominant_genera_and_blanks_have_few_reads() {
        let mut blanks = 0;
        for k in 0..60 {
            let cid = format!("{:016x}", k * 104_729 + 11);
            let v = classification(3, &cid);
            let (genus, microbial) = genus_counts(&v);
            assert!(microbial > 0, "{cid}: no microbial reads");
            if super::super::profiles::site_of(3, &cid) == Site::Blank {
                blanks += 1;
                assert!(microbial <= 5_000, "{cid}: blank with {microbial} reads");
            } else {
                // Not a flat spread: the top 10 genera hold most reads, the top one over 10%.
                let top10: u64 = genus.iter().take(10).sum();
                assert!(top10 as f64 > 0.5 * microbial as f64, "{cid}: top 10 hold {top10} of {microbial}");
                assert!(genus[0] as f64 > 0.1 * microbial as f64, "{cid}: top genus {} of {microbial}", genus[0]);
                assert!(genus.len() > 200, "{cid}: only {} genera (no long tail)", genus.len());
            }
            assert_eq!(v, classification(3, &cid), "not deterministic");
        }
        assert!(blanks > 0);
    }
}
