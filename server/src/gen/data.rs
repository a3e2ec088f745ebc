//! Deterministic generation of every seeded object from `--seed` and `--samples`.

use super::profiles::site_of;
use super::taxonomy::taxonomy;
use crate::model::*;
use crate::rng::Rng;
use crate::store::*;
use crate::timefmt;
use serde_json::{json, Value};

pub const USER_EMAILS: [&str; 3] = ["user@example.com", "colleague@example.com", "outsider@example.net"];
pub const TAG_NAMES: [&str; 20] = [
    "high host",
    "isolate",
    "complex",
    "unclassified",
    "gut",
    "skin",
    "soil",
    "water",
    "control",
    "batch-1",
    "batch-2",
    "batch-3",
    "resequenced",
    "clinical",
    "environmental",
    "mock community",
    "low biomass",
    "urgent",
    "qc-pass",
    "qc-fail",
];

/// A custom job owned by the outsider: its details answer 403.
pub const OUTSIDER_JOB: &str = "Outsider private workflow";

struct Gen {
    r: Rng,
    t: f64,
}

impl Gen {
    fn id(&mut self) -> String {
        self.r.hex_id()
    }
    /// A timestamp a little after the previous one.
    fn ts(&mut self) -> String {
        self.t += 600.0 + self.r.f64() * 7200.0;
        timefmt::format(self.t)
    }
}

fn r#ref(id: &str) -> Value {
    Value::String(id.to_string())
}

pub fn generate(seed: u64, n_samples: usize) -> Store {
    let mut g = Gen { r: Rng::new(seed), t: 1_640_995_200.0 }; // 2022-01-01
    let user_ids = [g.id(), g.id(), g.id()];
    let mut st = Store::new(seed, user_ids.clone());

    for (i, uid) in user_ids.iter().enumerate() {
        let mut o = Obj::new(&USERS, uid.clone(), i as u8, false);
        o.set(&USERS, "email", USER_EMAILS[i].into());
        st.insert("users", o);
    }

    // Jobs.
    // (name, analysis_type, public, owner, job_type, draft)
    type JobSeed<'a> = (&'a str, &'a str, bool, u8, Option<&'a str>, bool);
    let jobs: [JobSeed; 12] = [
        ("One Codex Database", "classification", true, SYSTEM, None, false),
        ("One Codex Database w/NNLS", "classification", true, SYSTEM, None, false),
        ("RefSeq Complete Genomes", "classification", true, SYSTEM, None, false),
        ("Targeted Loci Database", "classification", true, SYSTEM, None, false),
        ("Functional v1", "functional", true, SYSTEM, None, false),
        ("ARD Panel v1", "panel", true, SYSTEM, None, false),
        ("One Codex S. aureus Typing", "typing", true, SYSTEM, None, false),
        ("Alignment Run", "alignment", true, SYSTEM, None, false),
        ("MSA-1000", "control", true, SYSTEM, None, false),
        ("QC workflow", "workflow", false, MAIN, Some("shell_script"), false),
        ("Draft nextflow pipeline", "workflow", false, MAIN, Some("nextflow"), true),
        (OUTSIDER_JOB, "workflow", false, OUTSIDER, Some("shell_script"), false),
    ];
    let mut job_ids = std::collections::HashMap::new();
    for (name, at, public, owner, job_type, draft) in jobs {
        let id = g.id();
        let mut o = Obj::new(&JOBS, id.clone(), owner, public);
        o.set(&JOBS, "created_at", g.ts().into());
        o.set(&JOBS, "name", name.into());
        o.set(&JOBS, "analysis_type", at.into());
        o.set(&JOBS, "public", public.into());
        o.set(&JOBS, "job_args_schema", json!({}));
        o.set(&JOBS, "job_type", job_type.map_or(Value::Null, Value::from));
        o.set(&JOBS, "draft", draft.into());
        if job_type.is_some() {
            o.extra = job_details_default(job_type.unwrap_or("shell_script"));
        }
        job_ids.insert(name, id.clone());
        st.insert("jobs", o);
    }

    // Tags (global).
    let tag_ids: Vec<String> = TAG_NAMES
        .iter()
        .map(|name| {
            let id = g.id();
            let mut o = Obj::new(&TAGS, id.clone(), SYSTEM, true);
            o.set(&TAGS, "name", (*name).into());
            st.insert("tags", o);
            id
        })
        .collect();

    // Projects.
    let mut projects: [Vec<String>; 3] = Default::default();
    let plan: [(u8, usize, usize); 3] = [(MAIN, 6, 1), (COLLEAGUE, 2, 0), (OUTSIDER, 1, 2)];
    let mut pn = 0;
    for (owner, private, public) in plan {
        for k in 0..private + public {
            pn += 1;
            let id = g.id();
            let is_public = k >= private;
            let mut o = Obj::new(&PROJECTS, id.clone(), owner, is_public);
            let handle = format!("proj_{pn:03}");
            o.set(
                &PROJECTS,
                "name",
                format!("Project {pn}: {}", ["Gut survey", "Soil", "Hospital", "Wastewater", "Mock", "Pilot"][pn % 6])
                    .into(),
            );
            o.set(&PROJECTS, "project_name", handle.into());
            o.set(&PROJECTS, "description", format!("Generated project number {pn}").into());
            o.set(
                &PROJECTS,
                "external_id",
                if pn % 2 == 0 { Value::from(format!("EXT-{pn:04}")) } else { Value::Null },
            );
            o.set(&PROJECTS, "owner", r#ref(&user_ids[owner as usize]));
            o.set(
                &PROJECTS,
                "permissions",
                json!(["can_see_files", "can_download_files", "can_edit_metadata", "can_add_files", "can_administer"]),
            );
            o.set(&PROJECTS, "public", is_public.into());
            projects[owner as usize].push(id);
            st.insert("projects", o);
        }
    }

    // Samples, metadata and analyses.
    let extra = (n_samples / 10).max(3);
    let owners: Vec<u8> =
        (0..n_samples).map(|_| MAIN).chain((0..extra).map(|_| COLLEAGUE)).chain((0..extra).map(|_| OUTSIDER)).collect();
    let span = 4.0 * 365.0 * 86_400.0 / (owners.len().max(1) as f64);
    let exts = [".fastq.gz", ".fastq.gz", ".fq.gz", ".fastq", ".fasta", ".fa.gz", ".fastq.bz2"];
    let words = ["stool", "skin", "soil", "water", "swab", "culture", "mock", "blank", "biofilm", "sputum"];
    let cls_job = job_ids["One Codex Database"].clone();
    for (i, &owner) in owners.iter().enumerate() {
        g.t = 1_640_995_200.0 + i as f64 * span + g.r.f64() * span * 0.5;
        let sid = g.id();
        let mid = g.id();
        let cid = g.id();
        let created = timefmt::format(g.t);
        let public = match owner {
            OUTSIDER => i % 2 == 0,
            _ => g.r.chance(0.1),
        };
        let failed = g.r.chance(0.02);
        let mut s = Obj::new(&SAMPLES, sid.clone(), owner, public);
        s.set(&SAMPLES, "created_at", created.clone().into());
        s.set(&SAMPLES, "updated_at", timefmt::format(g.t + 3600.0).into());
        // The site comes from the classification id, as its results do (`profiles.rs`). The
        // word's draw is kept so every other generated field stays as it was.
        let site = site_of(st.seed, &cid).name();
        let _ = g.r.pick(&words);
        let fname = format!("{site}_{:05}_S{}_R1{}", i + 1, g.r.range(1, 96), g.r.pick(&exts));
        s.set(&SAMPLES, "filename", fname.into());
        s.set(&SAMPLES, "size", (10f64.powf(6.0 + g.r.f64() * 3.4) as u64).into());
        s.set(&SAMPLES, "status", if failed { "failed" } else { "available" }.into());
        s.set(&SAMPLES, "visibility", if public { "public" } else { "private" }.into());
        s.set(
            &SAMPLES,
            "error_msg",
            if failed { Value::from("We were unable to process this file.") } else { Value::Null },
        );
        s.set(&SAMPLES, "metadata", r#ref(&mid));
        s.set(&SAMPLES, "owner", r#ref(&user_ids[owner as usize]));
        s.set(&SAMPLES, "primary_classification", r#ref(&cid));
        let projs = &projects[owner as usize];
        s.set(
            &SAMPLES,
            "project",
            if !projs.is_empty() && g.r.chance(0.6) { r#ref(&g.r.pick(projs.as_slice()).clone()) } else { Value::Null },
        );
        let mut tags = vec![];
        for _ in 0..g.r.below(4) {
            let t = g.r.pick(&tag_ids).clone();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        s.set(&SAMPLES, "tags", tags.into_iter().map(Value::String).collect::<Vec<_>>().into());
        st.insert("samples", s);

        let mut m = Obj::new(&METADATA, mid, owner, public);
        m.set(&METADATA, "sample", r#ref(&sid));
        m.set(&METADATA, "starred", g.r.chance(0.1).into());
        m.set(&METADATA, "updated_at", timefmt::format(g.t + 3600.0).into());
        m.set(
            &METADATA,
            "custom",
            json!({"batch": (i / 25) as u64 + 1, "ph": ((5.0 + g.r.f64() * 4.0) * 10.0).round() / 10.0,
                   "site": site, "region": g.r.pick(&["north", "south", "east", "west"]), "reviewed": g.r.chance(0.5)}),
        );
        let opt = |g: &mut Gen, p: f64, v: Value| if g.r.chance(p) { v } else { Value::Null };
        let dc = timefmt::format(g.t - 86_400.0 * g.r.range(2, 30) as f64);
        m.set(&METADATA, "date_collected", opt(&mut g, 0.7, dc.into()));
        let ds = timefmt::format(g.t - 86_400.0);
        m.set(&METADATA, "date_sequenced", opt(&mut g, 0.6, ds.into()));
        let _ = g.r.pick(&words);
        m.set(&METADATA, "description", format!("{site} sample {}", i + 1).into());
        m.set(&METADATA, "external_sample_id", opt(&mut g, 0.8, format!("LIMS-{:06}", i + 1).into()));
        let lt = Value::from(*g.r.pick(&LIBRARY_TYPES));
        m.set(&METADATA, "library_type", opt(&mut g, 0.8, lt));
        let pf = Value::from(*g.r.pick(&PLATFORMS));
        m.set(&METADATA, "platform", opt(&mut g, 0.85, pf));
        let sty = Value::from(*g.r.pick(&SAMPLE_TYPES));
        m.set(&METADATA, "sample_type", opt(&mut g, 0.85, sty));
        if g.r.chance(0.5) {
            m.set(&METADATA, "location_lat", (((g.r.f64() * 180.0 - 90.0) * 1e4).round() / 1e4).into());
            m.set(&METADATA, "location_lon", (((g.r.f64() * 360.0 - 180.0) * 1e4).round() / 1e4).into());
            m.set(&METADATA, "location_string", format!("Site {}", g.r.range(1, 50)).into());
        }
        m.set(&METADATA, "name", format!("Sample {}", i + 1).into());
        st.insert("metadata", m);

        let ats = timefmt::format(g.t + 1800.0);
        let add_analysis = |st: &mut Store, coll: &'static str, id: String, job: &str, ok: bool| {
            let schema = schema_of(coll).expect("schema");
            let mut a = Obj::new(schema, id, owner, public);
            a.set(schema, "created_at", ats.clone().into());
            a.set(schema, "updated_at", ats.clone().into());
            a.set(schema, "complete", true.into());
            a.set(schema, "success", ok.into());
            a.set(schema, "error_msg", if ok { "" } else { "We were unable to process this file." }.into());
            a.set(schema, "job", r#ref(job));
            a.set(schema, "sample", r#ref(&sid));
            a.set(schema, "cost", Value::Null);
            a.set(schema, "draft", false.into());
            a.set(schema, "dependencies", json!([]));
            if coll == "alignments" {
                let tx = taxonomy();
                let gn = tx.genera[(crate::rng::hs(st.seed, "alntax", &a.id) % tx.genera.len() as u64) as usize];
                a.set(schema, "tax_id", tx.nodes[gn].tax_id.to_string().into());
            }
            st.insert(coll, a);
        };
        add_analysis(&mut st, "classifications", cid, &cls_job, !failed);
        if i % 19 == 3 {
            let id = g.id();
            add_analysis(&mut st, "classifications", id, &job_ids["RefSeq Complete Genomes"], true);
        }
        if i % 4 == 1 {
            let id = g.id();
            add_analysis(&mut st, "functional_profiles", id, &job_ids["Functional v1"], true);
        }
        if i % 20 == 7 {
            let id = g.id();
            add_analysis(&mut st, "alignments", id, &job_ids["Alignment Run"], true);
        }
        if i % 25 == 5 {
            let id = g.id();
            add_analysis(&mut st, "panels", id, &job_ids["ARD Panel v1"], true);
            let id = g.id();
            add_analysis(&mut st, "mlsts", id, &job_ids["One Codex S. aureus Typing"], true);
        }
        if i % 30 == 11 && owner == MAIN {
            let id = g.id();
            add_analysis(&mut st, "workflows", id, &job_ids["QC workflow"], true);
        }
    }

    // Documents and assets.
    g.t = 1_700_000_000.0;
    for k in 0..6u8 {
        let id = g.id();
        let uploader = if k < 4 { MAIN } else { COLLEAGUE };
        let mut o = Obj::new(&DOCUMENTS, id, uploader, false);
        o.set(&DOCUMENTS, "created_at", g.ts().into());
        o.set(&DOCUMENTS, "filename", format!("report_{}.pdf", k + 1).into());
        o.set(&DOCUMENTS, "size", g.r.range(10_000, 900_000).into());
        o.set(&DOCUMENTS, "uploader", r#ref(&user_ids[uploader as usize]));
        let shared = if uploader == MAIN { vec![r#ref(&user_ids[1])] } else { vec![r#ref(&user_ids[0])] };
        o.set(&DOCUMENTS, "downloaders", shared.into());
        st.insert("documents", o);
    }
    for (k, name) in ["reference.fa.gz", "adapters.fasta", "config.json"].iter().enumerate() {
        let id = g.id();
        let mut o = Obj::new(&ASSETS, id, MAIN, false);
        o.set(&ASSETS, "created_at", g.ts().into());
        o.set(&ASSETS, "name", format!("asset {}", k + 1).into());
        o.set(&ASSETS, "filename", (*name).into());
        o.set(&ASSETS, "size", g.r.range(1_000, 5_000_000).into());
        o.set(&ASSETS, "status", "available".into());
        o.set(&ASSETS, "uploader", r#ref(&user_ids[0]));
        st.insert("assets", o);
    }

    // Experimental: taxa (the top of the taxonomy), genomes, assemblies, annotation sets.
    let tx = taxonomy();
    let mut taxon_obj = std::collections::HashMap::new();
    for (ni, node) in tx.nodes.iter().enumerate().take(400) {
        let id = g.id();
        let mut o = Obj::new(&TAXA, id.clone(), SYSTEM, true);
        o.set(&TAXA, "created_at", g.ts().into());
        o.set(&TAXA, "name", node.name.clone().into());
        o.set(&TAXA, "taxon_id", node.tax_id.to_string().into());
        o.set(&TAXA, "rank", node.rank.into());
        o.set(&TAXA, "parent", node.parent.and_then(|p| taxon_obj.get(&p).cloned()).map_or(Value::Null, Value::String));
        taxon_obj.insert(ni, id);
        st.insert("taxa", o);
    }
    let species_taxa: Vec<String> = (0..400)
        .filter(|&i| i < tx.nodes.len() && tx.nodes[i].rank == "species")
        .filter_map(|i| taxon_obj.get(&i).cloned())
        .collect();
    for k in 0..40 {
        let gid = g.id();
        let aid = g.id();
        let asid = g.id();
        let created = g.ts();
        let mut ge = Obj::new(&GENOMES, gid.clone(), SYSTEM, true);
        ge.set(&GENOMES, "created_at", created.clone().into());
        ge.set(&GENOMES, "assemblies", json!([aid]));
        ge.set(&GENOMES, "description", format!("Reference genome {}", k + 1).into());
        ge.set(&GENOMES, "name", format!("Genome {}", k + 1).into());
        ge.set(&GENOMES, "primary_assembly", r#ref(&aid));
        ge.set(&GENOMES, "tags", json!([]));
        let taxon = if species_taxa.is_empty() { Value::Null } else { r#ref(&species_taxa[k % species_taxa.len()]) };
        ge.set(&GENOMES, "taxon", taxon);
        st.insert("genomes", ge);
        let mut a = Obj::new(&ASSEMBLIES, aid.clone(), MAIN, k % 3 == 0);
        a.set(&ASSEMBLIES, "created_at", created.clone().into());
        a.set(&ASSEMBLIES, "filename", format!("assembly_{}.fasta", k + 1).into());
        a.set(&ASSEMBLIES, "genome", r#ref(&gid));
        a.set(&ASSEMBLIES, "input_samples", json!([]));
        a.set(&ASSEMBLIES, "owner", r#ref(&user_ids[0]));
        a.set(&ASSEMBLIES, "primary_annotation_set", r#ref(&asid));
        a.set(&ASSEMBLIES, "size", g.r.range(1_000_000, 6_000_000).into());
        a.set(&ASSEMBLIES, "visibility", if k % 3 == 0 { "public" } else { "private" }.into());
        st.insert("assemblies", a);
        let mut an = Obj::new(&ANNOTATION_SETS, asid, MAIN, true);
        an.set(&ANNOTATION_SETS, "created_at", created.into());
        an.set(&ANNOTATION_SETS, "assembly", r#ref(&aid));
        st.insert("annotation_sets", an);
    }
    st
}

/// Hidden fields of a custom job, returned by `/jobs/<id>/details`.
pub fn job_details_default(job_type: &str) -> serde_json::Map<String, Value> {
    let v = json!({
        "description": "A custom workflow", "job_type": job_type, "script": "echo hello",
        "image_uri": if job_type == "nextflow" { Value::Null } else { "docker.io/library/ubuntu:24.04".into() },
        "cpu": 2, "ram_gb": 4, "storage_gb": 20,
        "repository": {"url": "https://github.com/example/workflow", "tag": null},
        "assets": [], "dependencies": [],
        "arguments_schema": [{"fields": [{"name": "min_quality", "type": "integer", "default": 20}]}],
        "inject_bearer_token": false, "autorun_on_org_sample_upload": false,
        "nextflow_version": if job_type == "nextflow" { "26.04.6" } else { "" }
    });
    v.as_object().cloned().unwrap_or_default()
}
