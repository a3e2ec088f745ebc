//! MLST/panel and workflow results as JSON (§8.5–8.6) and the metadata table (§9.6).

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::error::ErrorCode;
use onecodex_core::results::{
    metadata_in_order, metadata_of_members, metadata_table, parse_json_results, MetadataItem, MlstResults,
};
use serde_json::{json, Value};

#[test]
fn mlst_fixture_typed_and_round_trips() {
    let b = need!(fixture_bytes("mlsts/cff9548162fa4c9b/results/index.json"));
    let r = MlstResults::parse(&b).unwrap();
    let results = r.results().unwrap();
    assert_eq!(results[0].st, json!(42));
    assert_eq!(results[0].alleles.len(), 6);
    assert_eq!(results[0].alleles[0].gene, "arcC");
    let s = r.summary().unwrap().unwrap();
    assert_eq!((s.complete_match, s.n_alleles_matched, s.n_alleles_total), (Some(false), Some(4), Some(6)));
    let markers = r.panel_markers().unwrap();
    let common = &markers.iter().find(|(k, _)| k == "Common").unwrap().1;
    assert_eq!(common.n_reads, Some(30782.0));
    assert!(markers.iter().any(|(_, m)| m.status.as_deref() == Some("present")));
    // verbatim
    let original: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(r.raw, original);
    let bad = MlstResults::parse(b"{\"mlstResults\": {\"results\": 3}}").unwrap();
    assert_eq!(bad.results().unwrap_err().code, ErrorCode::InvalidResponse);
    assert_eq!(MlstResults::parse(b"[1]").unwrap_err().code, ErrorCode::InvalidResponse);
}

#[test]
fn workflow_results_are_json() {
    let b = need!(fixture_bytes("workflows/abcde12345fedcba/results/index.json"));
    let v = parse_json_results(&b).unwrap();
    assert_eq!(v["workflowResults"]["steps"][0]["name"], "step_one");
    assert_eq!(parse_json_results(b"{\"a\": ").unwrap_err().code, ErrorCode::InvalidResponse);
}

#[test]
fn metadata_table_from_fixture_objects() {
    let samples: Vec<Value> = serde_json::from_slice(&need!(fixture_bytes("samples/index.json"))).unwrap();
    let metadata: Vec<Value> = serde_json::from_slice(&need!(fixture_bytes("metadata/index.json"))).unwrap();
    let items: Vec<MetadataItem> = samples
        .iter()
        .take(5)
        .map(|s| {
            let mref = s["metadata"]["$ref"].as_str().unwrap();
            let m = metadata.iter().find(|m| m["$uri"] == mref).unwrap().clone();
            MetadataItem {
                classification_id: s["primary_classification"]["$ref"]
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap().to_string()),
                sample: s.clone(),
                metadata: m,
                project_name: None,
            }
        })
        .collect();
    let t = metadata_table(&items);
    assert_eq!(t.index, "classification_id");
    assert_eq!(
        &t.columns[..19],
        [
            "date_collected",
            "date_sequenced",
            "description",
            "external_sample_id",
            "library_type",
            "location_lat",
            "location_lon",
            "location_string",
            "name",
            "platform",
            "sample_type",
            "starred",
            "updated_at",
            "classification_id",
            "sample_id",
            "metadata_id",
            "created_at",
            "filename",
            "project"
        ]
    );
    assert!(t.columns.iter().any(|c| c == "totalige"));
    let col = |name: &str| t.columns.iter().position(|c| c == name).unwrap();
    let r0 = &t.rows[0];
    assert_eq!(r0[col("sample_id")], "7428cca4nocaffe1");
    assert_eq!(r0[col("metadata_id")], "a7fc7e43nocaffe1");
    assert_eq!(r0[col("classification_id")], "464a7ebcnocaffe1");
    assert_eq!(r0[col("filename")], "nocaffe1.fastq.gz");
    assert_eq!(r0[col("project")], "");
    assert_eq!(r0[col("totalige")], json!(112.0));
    assert_eq!(r0[col("name")], "no abundance sample 1");
    assert_eq!(r0[col("updated_at")], Value::Null);
    assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
}

#[test]
fn metadata_table_index_custom_overrides_and_projects() {
    let item = |cid: Option<&str>, sid: &str, custom: Value, project: Value| MetadataItem {
        classification_id: cid.map(str::to_string),
        sample: json!({"$uri": format!("/api/v1/samples/{sid}"), "filename": "f", "project": project}),
        metadata: json!({"$uri": format!("/api/v1/metadata/m{sid}"), "name": "orig", "custom": custom}),
        project_name: None,
    };
    let t = metadata_table(&[
        item(Some("c1"), "s1", json!({"name": "custom name", "ph": 7}), json!({"name": "Proj"})),
        item(Some("c2"), "s2", json!({"site": "gut"}), Value::Null),
    ]);
    assert_eq!(t.index, "classification_id");
    assert_eq!(&t.columns[19..], ["ph", "site"]);
    let name = t.columns.iter().position(|c| c == "name").unwrap();
    assert_eq!(t.rows[0][name], "custom name");
    assert_eq!(t.rows[1][name], "orig");
    assert_eq!(t.rows[0][18], "Proj");
    assert_eq!(t.rows[1][19], Value::Null);
    let t = metadata_table(&[item(None, "s1", json!({}), Value::Null), item(None, "s2", json!({}), Value::Null)]);
    assert_eq!(t.index, "sample_id");
}

#[test]
fn metadata_follows_the_collection_order_first_item_per_id() {
    let item = |id: &str, name: &str| MetadataItem {
        classification_id: Some(id.into()),
        metadata: json!({ "name": name }),
        ..MetadataItem::default()
    };
    let items = [item("c2", "second"), item("c1", "first"), item("c2", "again")];
    let ids = ["c1", "c2", "c3"];
    let names: Vec<Option<&Value>> =
        metadata_in_order(&ids, &items).into_iter().map(|m| m.map(|m| &m.metadata["name"])).collect();
    assert_eq!(names, [Some(&json!("first")), Some(&json!("second")), None]);
    let members = metadata_of_members(&ids, &items);
    assert_eq!(members.len(), 3, "every member has a row");
    assert_eq!(members[2], MetadataItem { classification_id: Some("c3".into()), ..MetadataItem::default() });
    assert_eq!(members[1].metadata["name"], "second");
}
