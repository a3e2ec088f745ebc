// Results and tables offline, through the JS API: the real fixtures of ../shared/fixtures (§9.3
// and §9.4 golden values, the multi-sample `No genus` check), typed errors on bad input, memory.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import {
  parseClassificationResults, parseFunctionalResults, functionalMatrix, Collection, ClassificationTable, isOneCodexError,
} from "onecodex-wasm/tables";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = path.resolve(root, "../shared/fixtures/api/v1");
const haveFixtures = fs.existsSync(FIXTURES);
if (!haveFixtures && process.env.CI === "true") throw new Error(`fixtures missing at ${FIXTURES} (required when CI=true)`);
const skip = haveFixtures ? false : `fixtures not found at ${FIXTURES}`;
const zstd = (id) => fs.readFileSync(path.join(FIXTURES, "classifications", id, "results", "index.json.zstd"));
const GOLDEN = "6579e99943f84ad2";

const throwsCode = (fn, code, re) =>
  assert.throws(fn, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

const r4 = (xs) => Array.from(xs, (x) => Math.round(x * 1e4) / 1e4);
const desc = (xs) => Array.from(xs).sort((a, b) => b - a);

test("ClassificationTable from a real zstd fixture: columns, lookup, rows, stats (§9.3)", { skip }, () => {
  const t = parseClassificationResults(zstd(GOLDEN));
  assert.ok(t instanceof ClassificationTable);
  assert.equal(t.length, 1698);
  assert.equal(t.n_reads, 32742710);
  assert.deepEqual(t.host_tax_ids, ["9606"]);
  const rc = t.column("readcount");
  assert.ok(rc instanceof Float64Array);
  assert.equal(rc.length, t.length);
  const taxIds = t.column("tax_id");
  assert.ok(Array.isArray(taxIds) && taxIds.length === t.length);
  const i = t.rowOf("9606");
  assert.equal(taxIds[i], "9606");
  assert.equal(t.get("9606").name, "Homo sapiens");
  assert.equal(t.row(i).readcount, rc[i]);
  assert.equal(t.rowOf("no-such-taxon"), undefined);
  assert.equal(t.column("parent_tax_id")[t.rowOf("1")], null, "root has a null parent");
  const rows = t.rows();
  assert.equal(rows.length, t.length);
  assert.equal(rows.reduce((s, r) => s + r.readcount, 0), 25444333);
  assert.deepEqual(t.stats(), {
    n_reads_total: 32742710, n_host_reads: 109585, n_nonspecific_reads: 807721,
    n_mapped_reads: 25444333, n_mapped_microbial_reads: 24527027,
  });
  const csv = t.toCSV().split("\n");
  assert.equal(csv[0], t.columns.join(","));
  assert.equal(csv.filter(Boolean).length, t.length + 1);
  assert.equal(t.toTSV().split("\n")[0], t.columns.join("\t"));
  throwsCode(() => t.column("nope"), "invalid_argument", /unknown column/);
  t.free();
});

test("the same results parse from gzip, plain bytes and a string", { skip }, () => {
  const t = parseClassificationResults(zstd(GOLDEN));
  const json = t.toJSONText();
  for (const input of [json, Buffer.from(json), zlib.gzipSync(json), new Uint8Array(Buffer.from(json)).buffer]) {
    const u = parseClassificationResults(input);
    assert.equal(u.length, t.length);
    assert.deepEqual(Array.from(u.column("readcount_w_children")), Array.from(t.column("readcount_w_children")));
    u.free();
  }
  t.free();
});

const GOLDEN_TOP6 = [
  ["readcount", "species", [4417519, 283510, 212457, 179055, 172214, 128158]],
  ["readcount_w_children", "species", [4417519, 754966, 283510, 226485, 214160, 212457]],
  ["normalized_readcount", "species", [0.5487, 0.0352, 0.0264, 0.0222, 0.0214, 0.0159]],
  ["normalized_readcount_w_children", "species", [0.4483, 0.0766, 0.0288, 0.023, 0.0217, 0.0216]],
  ["normalized_readcount_w_children", "genus", [0.3564, 0.2649, 0.0594, 0.0582, 0.046, 0.0441]],
  ["abundance_w_children", "genus", [0.297, 0.2439, 0.0631, 0.0445, 0.0419, 0.041]],
  ["abundance_w_children", "species", [0.2439, 0.0685, 0.0646, 0.0324, 0.0324, 0.0287]],
  ["prop_classified_w_children", "species", [0.1801, 0.0308, 0.0116, 0.0092, 0.0087, 0.0087]],
  ["prop_classified_w_children", "phylum", [0.511, 0.2645, 0.1887, 0.012, 0.0008, 0.0]],
  ["prop_readcount", "species", [0.1349, 0.0087, 0.0065, 0.0055, 0.0053, 0.0039]],
  ["normalized_filtered_readcount", "species", [0.5487, 0.0352, 0.0264, 0.0222, 0.0214, 0.0159]],
  ["normalized_filtered_readcount_w_children", "species", [0.4483, 0.0766, 0.0288, 0.023, 0.0217, 0.0216]],
];

test("§9.4 golden values, every metric and rank, through Collection.toMatrix", { skip }, async (t) => {
  const c = Collection.fromResults([{ classificationId: GOLDEN, bytes: zstd(GOLDEN) }]);
  assert.deepEqual(c.classificationIds, [GOLDEN]);
  for (const [metric, rank, want] of GOLDEN_TOP6) {
    await t.test(`${metric}, ${rank}`, () => {
      const m = c.toMatrix({ metric, rank, topN: 6 });
      assert.equal(m.format, "wide");
      assert.deepEqual(m.rowIds, [GOLDEN]);
      assert.equal(m.columnIds.length, 6);
      assert.ok(m.values instanceof Float64Array);
      assert.equal(m.metric, metric);
      assert.equal(m.rank, rank);
      assert.deepEqual(r4(desc(m.values)), want);
    });
  }
  const full = c.toMatrix({ metric: "abundance_w_children", rank: "species" });
  assert.ok(Math.abs(full.values.reduce((a, b) => a + b, 0) - 1) < 1e-9, "abundance row sums to 1");
  const auto = c.toMatrix();
  assert.equal(auto.metric, "abundance_w_children", "auto metric: the sample has abundances");
  assert.equal(auto.rank, "species", "auto rank follows an abundance metric");
  c.free();
});

test("§9.4 multi-sample check: No genus, shape, first columns; long format; refusal of a too-large matrix", { skip }, () => {
  const ids = ["6579e99943f84ad2", "b50c176668234fe7", "e0422602de41479f"];
  const c = Collection.fromResults(ids.map((id) => ({ classificationId: id, bytes: zstd(id) })));
  const m = c.toMatrix({ metric: "readcount_w_children", rank: "genus", includeTaxaMissingRank: true, removeZeros: false });
  assert.equal(m.rowIds.length, 3);
  assert.equal(m.columnIds.length, 475);
  assert.equal(m.values.length, 3 * 475);
  const k = m.columnIds.indexOf("No genus");
  assert.equal(k, m.columnIds.length - 1, "No genus comes last");
  assert.deepEqual([0, 1, 2].map((r) => m.values[r * m.columnIds.length + k]), [233369, 176153, 1014664]);

  const tax = c.toMatrix({ metric: "readcount_w_children", rank: "superkingdom", removeZeros: false });
  assert.ok(tax.columnNames.length === tax.columnIds.length);

  const long = c.toMatrix({ metric: "readcount_w_children", rank: "genus", format: "long", topN: 3 });
  assert.equal(long.format, "long");
  assert.equal(long.records.length, 9);
  assert.deepEqual(Object.keys(long.records[0]), ["classification_id", "tax_id", long.valueName]);
  assert.deepEqual(long.records.slice(0, 3).map((r) => r.classification_id), ids, "column-major");

  throwsCode(() => c.toMatrix({ rank: "genus", maxBytes: 1000 }), "invalid_argument");
  throwsCode(() => c.toMatrix({ rank: "subgenus" }), "invalid_argument", /unknown rank/);
  throwsCode(() => c.toMatrix({ metric: "bogus" }), "invalid_argument");
  throwsCode(() => c.toMatrix({ topN: -1 }), "invalid_argument");
  throwsCode(() => c.toMatrix({ nonsense: 1 }), "invalid_argument");
  assert.deepEqual(c.warnings, []);
  c.free();
});

test("taxonomy tree, BIOM, bar chart, metadata table, table copies", { skip }, () => {
  const ids = ["6579e99943f84ad2", "b50c176668234fe7"];
  const c = Collection.fromResults(ids.map((id) => ({
    classificationId: id, bytes: zstd(id),
    sample: { $uri: `/api/v1/samples/s${id}`, filename: `${id}.fq.gz`, created_at: "2024-01-01T00:00:00Z" },
    metadata: { $uri: `/api/v1/metadata/m${id}`, name: `sample ${id}`, custom: { site: "gut" } },
  })));
  const tree = c.tree();
  assert.equal(tree.root().tax_id, "1");
  const lineage = tree.lineage("239935");
  assert.equal(lineage[0].tax_id, "1");
  assert.equal(lineage.at(-1).name, "Akkermansia muciniphila");
  const genera = tree.pruneRank("genus");
  assert.ok(genera.length < tree.length);
  assert.ok(genera.nodes().every((n) => n.rank === "genus" || n.children.length > 0));
  const small = tree.pruneTaxIds(["239935"]);
  assert.deepEqual(small.nodes().map((n) => n.tax_id).reverse(), lineage.map((n) => n.tax_id));
  assert.throws(() => tree.pruneRank("nope"), (e) => e.code === "invalid_argument");
  assert.equal(tree.node("nope"), undefined);

  const biom = c.toBiom({ biomId: "x", date: "2024-01-01T00:00:00" });
  assert.equal(biom.format, "Biological Observation Matrix 1.0.0");
  assert.equal(biom.columns.length, 2);
  assert.equal(biom.columns[0].id, ids[0]);
  assert.ok(biom.data.every(([r, col, v]) => Number.isInteger(r) && Number.isInteger(col) && Number.isInteger(v)));

  // plotBargraph: the top 5 genera plus Other stack to 1 in each bar; offline links go to the
  // public web app unless linkBase says otherwise.
  const bar = c.plotBargraph({ metric: "normalized_readcount_w_children", rank: "genus", topN: 5 });
  const rows = bar.spec.datasets[bar.spec.data.name];
  assert.equal(rows.length, 2 * 6);
  assert.ok(rows.some((r) => r.tax_name === "Other"));
  for (const id of ids) {
    const sum = rows.filter((r) => r.classification_id === id).reduce((a, r) => a + r["Normalized Readcount With Children"], 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `bar ${id} sums to 1 with Other (${sum})`);
  }
  assert.equal(rows[0].url, `https://app.onecodex.com/classification/${rows[0].classification_id}`);
  assert.match(bar.spec.$schema, /vega-lite\/v6/);
  assert.equal(bar.spec.encoding.color.sort[0], "Other");
  assert.deepEqual(bar.warnings, []);
  const labelled = c.plotBargraph({ rank: "genus", label: (m) => `${m.site}:${m.filename}`, sortX: (l) => [...l].sort().reverse() });
  const labels = [...new Set(labelled.spec.datasets[labelled.spec.data.name].map((r) => r.Label))];
  assert.deepEqual(labels, ids.map((id) => `gut:${id}.fq.gz`));
  assert.deepEqual(labelled.spec.encoding.x.sort, [...labels].sort().reverse());
  assert.throws(() => c.plotBargraph({ label: () => 1 }), (e) => e.code === "invalid_argument" && /Expected string/.test(e.message));
  assert.throws(() => c.plotBargraph({ sortX: ["a"] }), (e) => e.code === "invalid_argument" && /same items/.test(e.message));
  assert.throws(() => c.plotBargraph({ groupBy: "site", haxis: "site" }), (e) => e.code === "invalid_argument");
  assert.throws(() => c.plotBargraph({ topN: null, threshold: null }), (e) => e.code === "invalid_argument");
  assert.throws(() => c.plotBargraph({ top_n: 5 }), (e) => e.code === "invalid_argument" && /top_n/.test(e.message));
  const grouped = c.plotBargraph({ rank: "genus", groupBy: "site" });
  assert.deepEqual([...new Set(grouped.spec.datasets[grouped.spec.data.name].map((r) => r.site))], ["gut"]);
  const linked = Collection.fromResults(ids.map((id) => ({ classificationId: id, bytes: zstd(id) })), { linkBase: "https://app.example.org" });
  const linkedRows = linked.plotBargraph().spec;
  assert.ok(linkedRows.datasets[linkedRows.data.name].every((r) => r.url.startsWith("https://app.example.org/classification/")));
  linked.free();
  // Links are hrefs a click opens: only http(s) bases are taken.
  for (const linkBase of ["javascript:alert(1)", "//evil.example", "https://x\"onmouseover"]) {
    assert.throws(() => Collection.fromResults(ids.map((id) => ({ classificationId: id, bytes: zstd(id) })), { linkBase }),
      (e) => e.code === "invalid_argument" && /linkBase/.test(e.message), linkBase);
  }

  const md = c.metadataTable();
  assert.equal(md.index, "classification_id");
  assert.ok(md.columns.includes("site"));
  assert.equal(md.rows.length, 2);
  assert.equal(md.rows[0][md.columns.indexOf("filename")], `${ids[0]}.fq.gz`);

  const t = c.table(ids[1]);
  assert.equal(t.rowOf("1") !== undefined, true);
  t.free();
  assert.equal(c.table("nope"), undefined);
  for (const o of [small, genera, tree, c]) o.free();
});

test("functional results: a server /results fixture, a condensed file, the functional matrix", { skip }, () => {
  const fp = fs.readFileSync(path.join(FIXTURES, "functional_profiles", "31ddae978aff475f", "results", "index.json"));
  const t = parseFunctionalResults(fp);
  assert.ok(t.length > 0);
  assert.ok(t.column("value") instanceof Float64Array);
  const strat = t.column("taxa_stratified");
  assert.ok(strat.every((b) => b === true || b === false || b === null));
  const rows = t.rows();
  assert.equal(rows.length, t.length);
  const pathways = t.filter("pathways", false);
  assert.ok(pathways.rows().every((r) => r.group_name === "pathways" && r.taxa_stratified === false));

  const condensed = JSON.stringify({
    version: 1, n_reads: 871218, n_mapped: 345093.0,
    taxonomy: { nodes: [{ id: "562", name: "Escherichia coli" }] },
    results: {
      go: [["GO:0000015", "phosphopyruvate hydratase complex", 10.0, 5.0, [["562", 6.0, 3.0], ["0", 4.0, 2.0]]],
        ["GO:0000016", "GO:0000016", 1.0, 0.5, []], ["UNMAPPED", "UNMAPPED", 900.0, 450.0, []]],
      pathways: [["PWY-1", "pathway one", 7.0, 1.0, 3.0, [["562", 4.0, 1.0, 2.0]]]],
    },
  });
  const c = parseFunctionalResults(zlib.gzipSync(condensed));
  assert.equal(c.n_reads, 871218);
  const first = c.rows()[0];
  assert.deepEqual([first.group_name, first.id, first.metric, first.value], ["go", "GO:0000015", "cpm", 10]);
  const m = functionalMatrix([{ id: "p1", bytes: condensed }, { id: "p2", bytes: condensed }], { annotation: "go", metric: "cpm", taxaStratified: true });
  assert.deepEqual(m.rowIds, ["p1", "p2"]);
  assert.deepEqual(m.columnIds, ["GO:0000015", "GO:0000015"]);
  assert.deepEqual(m.columnTaxonIds, ["562", "0"]);
  assert.deepEqual(Array.from(m.values), [6, 4, 6, 4]);
  assert.throws(() => functionalMatrix([{ id: "p", bytes: condensed }], { annotation: "go", metric: "coverage" }), (e) => e.code === "invalid_argument");
  // The options the client's ocx.functionalMatrix reads the same way; concurrency is its alone.
  for (const bad of [{ maxBytes: -1 }, { maxBytes: 0.5 }, { concurrency: 2 }]) {
    assert.throws(() => functionalMatrix([{ id: "p", bytes: condensed }], bad), (e) => e.code === "invalid_argument" && /maxBytes|concurrency/.test(e.message), JSON.stringify(bad));
  }
  for (const o of [t, pathways, c]) o.free();
});

test("bad input is a typed error, never a panic", () => {
  const good = JSON.stringify({ n_reads: 10, host_tax_ids: [], table: [
    { tax_id: "1", parent_tax_id: null, name: "root", rank: "no rank", readcount: 1, readcount_w_children: 3 },
    { tax_id: "2", parent_tax_id: "1", name: "B", rank: "superkingdom", readcount: 2, readcount_w_children: 2, abundance: 0 },
  ] });
  const ok = parseClassificationResults(good);
  assert.equal(ok.length, 2);
  assert.ok(Number.isNaN(ok.column("abundance")[0]), "absent abundance is NaN");
  assert.equal(ok.column("abundance")[1], 0, "integer 0 abundance (Appendix D)");
  ok.free();
  const cases = [
    "", "{", "[]", "{\"table\": 5}", good.slice(0, good.length - 7),
    JSON.stringify({ table: [{ tax_id: "1", parent_tax_id: null, name: "r", rank: "no rank", readcount: "x", readcount_w_children: 1 }] }),
    JSON.stringify({ table: [{ tax_id: "1", readcount: 1, readcount_w_children: 1 }, { tax_id: "1", readcount: 1, readcount_w_children: 1 }] }),
    new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]), new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]),
    zlib.gzipSync(good).subarray(0, 20),
  ];
  for (const bad of cases) throwsCode(() => parseClassificationResults(bad), "invalid_response");
  throwsCode(() => parseClassificationResults(42), "invalid_argument");
  throwsCode(() => parseFunctionalResults("{\"table\": {}}"), "invalid_response");
  throwsCode(() => Collection.fromResults([{ classificationId: "a", bytes: "{" }]), "invalid_response", /classification a/);
  throwsCode(() => Collection.fromResults([{ classificationId: "a", bytes: good }, { classificationId: "a", bytes: good }]), "invalid_argument", /duplicate/);
  throwsCode(() => Collection.fromResults("nope"), "invalid_argument");
  // The module still works after all of these (no panic killed the instance).
  assert.equal(parseClassificationResults(good).length, 2);
});
