// Writes the committed seed corpus of each fuzz target into fuzz/corpus/<target>/: small
// synthetic inputs made here (never copies of ../shared/fixtures). Deterministic, so running it
// again rewrites the same files. Needs the `zstd` CLI for the zstd seeds (gzip is Node's zlib).
// Usage: node fuzz/make-seeds.mjs
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.join(here, "corpus");

const zstd = (buf, ...flags) => execFileSync("zstd", ["-q", "-c", ...flags], { input: buf });
const gzip = (buf, level = 6) => zlib.gzipSync(buf, { level });
const bytes = (x) => (Buffer.isBuffer(x) ? x : Buffer.from(typeof x === "string" ? x : JSON.stringify(x)));

// A small deterministic PRNG (mulberry32) for the structured targets' byte seeds.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function write(target, seeds) {
  const dir = path.join(corpus, target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(seeds)) {
    const b = bytes(data);
    if (b.length > 20_000) throw new Error(`${target}/${name} is ${b.length} bytes: keep seeds small`);
    writeFileSync(path.join(dir, name), b);
  }
  console.log(`${target}: ${Object.keys(seeds).length} seeds`);
}

// --- classification results (API_SPEC §8.2) ---------------------------------------------------
const row = (tax_id, parent_tax_id, name, rank, n = {}) => ({
  tax_id, parent_tax_id, name, rank,
  readcount: 10, readcount_w_children: 20, abundance: null, abundance_w_children: null, ...n,
});
const classification = {
  n_reads: 1000,
  host_tax_ids: ["9606"],
  table: [
    row("1", null, "root", "no rank", { readcount: 5, readcount_w_children: 900 }),
    row("2", "1", "Bacteria", "superkingdom"),
    row("1224", "2", "Proteobacteria", "phylum"),
    row("1236", "1224", "Gammaproteobacteria", "class"),
    row("91347", "1236", "Enterobacterales", "order"),
    row("543", "91347", "Enterobacteriaceae", "family"),
    row("561", "543", "Escherichia", "genus", { abundance: 0.1, abundance_w_children: 0.6 }),
    row("562", "561", "Escherichia coli", "species", { abundance: 0.5, abundance_w_children: 0.5 }),
    row("83333", "562", "E. coli K-12", "no rank", { abundance: 0.0 }),
    row("9606", "1", "Homo sapiens", "species", { readcount: 100, readcount_w_children: 100 }),
  ],
};
const json = (v) => JSON.stringify(v);
const classText = json(classification);
const big = { ...classification, table: Array.from({ length: 40 }, (_, i) => row(String(1000 + i), "1", `taxon ${i}`, i % 2 ? "species" : "genus", { readcount: i, readcount_w_children: i * 2.5 })) };
big.table.unshift(row("1", null, "root", "no rank"));

write("classification", {
  "small.json": classText,
  "pretty.json": JSON.stringify(classification, null, 2),
  "bom.json": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(classText)]),
  "small.json.gz": gzip(classText),
  "small.json.zst": zstd(Buffer.from(classText)),
  "big.json.zst": zstd(Buffer.from(json(big)), "-19"),
  "numeric-ids.json": `{"n_reads": 10, "host_tax_ids": [9606], "table": [{"tax_id": 1, "parent_tax_id": null, "rank": "no rank", "name": "root", "readcount": 1.0}, {"tax_id": 562.0, "parent_tax_id": 1, "rank": "species", "name": null, "readcount": 3e2}]}`,
  "filtered.json": json({ table: [{ tax_id: "1", filtered_readcount: 5, filtered_readcount_w_children: 7, readcount: null }] }),
  "empty-table.json": `{"table": []}`,
  "no-table.json": `{"n_reads": 5}`,
  "duplicate-taxid.json": `{"table": [{"tax_id": "5"}, {"tax_id": 5}]}`,
  "null-taxid.json": `{"table": [{"tax_id": null}]}`,
  "missing-taxid.json": `{"table": [{"name": "x"}]}`,
  "wrong-types.json": `{"n_reads": "ten", "table": [{"tax_id": "1", "readcount": "3", "rank": 7}]}`,
  "nested.json": `{"extra": {"a": [1, {"b": null}]}, "table": [{"tax_id": "1", "other": [[], {}]}], "table2": 1}`,
  "two-tables.json": `{"table": [{"tax_id": "1"}], "table": [{"tax_id": "2"}]}`,
  "floats.json": `{"n_reads": 1.5e3, "table": [{"tax_id": 1e20, "abundance": -0.0, "readcount": 123456789012345678}]}`,
  "unicode.json": `{"table": [{"tax_id": "\\u00e9", "name": "Bact\\u00e9ries \\"a, b\\"\\n", "rank": "genus"}]}`,
  "truncated.json": classText.slice(0, 200),
  "trailing.json": classText + " x",
  "not-object.json": `[1, 2, 3]`,
  "not-utf8.json": Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0x22, 0x7d]),
});

// --- decode (zstd, gzip, plain by magic bytes) -------------------------------------------------
const text = Buffer.from(classText);
const skippable = (payload) => {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(0x184d2a50, 0);
  h.writeUInt32LE(payload.length, 4);
  return Buffer.concat([h, payload]);
};
const gzNamed = (() => {
  // FNAME and FCOMMENT set by hand: Node's zlib never writes them.
  const g = gzip(text);
  const name = Buffer.from("results.json\0comment\0");
  const head = Buffer.from(g.subarray(0, 10));
  head[3] = 0x08 | 0x10;
  return Buffer.concat([head, name, g.subarray(10)]);
})();
const zeros = Buffer.alloc(50_000, 0x20);
write("decode", {
  "plain.json": classText,
  "bom.json": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]),
  "empty": Buffer.alloc(0),
  "gzip.gz": gzip(text),
  "gzip-store.gz": gzip(text, 0),
  "gzip-best.gz": gzip(text, 9),
  "gzip-named.gz": gzNamed,
  "gzip-two-members.gz": Buffer.concat([gzip(text.subarray(0, 100)), gzip(text.subarray(100))]),
  "gzip-empty.gz": gzip(Buffer.alloc(0)),
  "gzip-truncated.gz": gzip(text).subarray(0, 60),
  "gzip-bad-crc.gz": (() => { const g = Buffer.from(gzip(text)); g[g.length - 6] ^= 1; return g; })(),
  "gzip-spaces.gz": gzip(zeros, 9),
  "zstd.zst": zstd(text),
  "zstd-no-size.zst": zstd(text, "--no-content-size"),
  "zstd-no-check.zst": zstd(text, "--no-check"),
  "zstd-best.zst": zstd(text, "-19"),
  "zstd-two-frames.zst": Buffer.concat([zstd(text.subarray(0, 100)), zstd(text.subarray(100))]),
  "zstd-skippable.zst": Buffer.concat([skippable(Buffer.from("skip me")), zstd(text)]),
  "zstd-empty.zst": zstd(Buffer.alloc(0)),
  "zstd-spaces.zst": zstd(zeros, "-19"),
  "zstd-truncated.zst": zstd(text).subarray(0, 40),
  "zstd-magic-only": Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
  "gzip-magic-only": Buffer.from([0x1f, 0x8b]),
});

// --- functional /results table (API_SPEC §8.4) ------------------------------------------------
const frow = (group_name, id, metric, value, taxon_id = null, taxa_stratified = taxon_id !== null) => ({
  group_name, id, name: `${id} name`, metric, value, taxa_stratified, taxon_id, taxon_name: taxon_id && `taxon ${taxon_id}`,
});
const functional = {
  n_reads: 5000,
  n_mapped: 4000,
  table: [
    frow("ko", "K00001", "cpm", 12.5),
    frow("ko", "K00001", "rpk", 3),
    frow("ko", "K00001", "cpm", 2.5, "562"),
    frow("pathways", "PWY-1", "coverage", 1.0),
    frow("pathways", "PWY-1", "abundance", 0.25, 562),
    frow("eggnog", "UNMAPPED", "cpm", 100),
  ],
};
write("functional", {
  "small.json": json(functional),
  "small.json.gz": gzip(json(functional)),
  "small.json.zst": zstd(Buffer.from(json(functional))),
  "python-bools.json": `{"table": [{"group_name": "go", "id": "GO:1", "metric": "rpk", "value": 1, "taxa_stratified": "True", "taxon_id": 562.0}, {"taxa_stratified": "False"}]}`,
  "nulls.json": `{"n_reads": null, "table": [{"group_name": null, "id": null, "value": null, "taxa_stratified": null}]}`,
  "empty.json": `{"table": []}`,
  "no-table.json": `{"n_reads": 1}`,
  "bad-bool.json": `{"table": [{"taxa_stratified": "yes"}]}`,
  "bad-value.json": `{"table": [{"value": "1.5"}]}`,
  "numeric-id.json": `{"table": [{"id": 42, "value": 1}]}`,
  "truncated.json": json(functional).slice(0, 150),
});

// --- condensed functional file, version 1 (§16.3 item 13) ---------------------------------------
const condensed = {
  version: 1,
  n_reads: 5000,
  n_mapped: 4000,
  taxonomy: { nodes: [{ id: "562", name: "Escherichia coli" }, { id: 1280, name: "Staphylococcus aureus" }, { id: 0, name: null }] },
  results: {
    pathways: [
      ["PWY-1", "glycolysis", 10.5, 1.0, 20.0, [["562", 5.0, 1.0, 10.0], [1280.0, 5.5, 0.5, 10.0]]],
      ["PWY-2", "PWY-2", 3.0, 0.5, 6.0, []],
      ["UNINTEGRATED", null, 1.0, 0.0, 1.0],
    ],
    ko: [["K00001", "alcohol dehydrogenase", 12.5, 3.0, [["562", 10.0, 2.0], [null, 2.5, 1.0], ["0", 0.5, 0.1]]], ["UNMAPPED", "UNMAPPED", 100, 50]],
    eggnog: [["COG0001", null, 1, 2, []]],
  },
};
write("condensed", {
  "v1.json": json(condensed),
  "v1.json.gz": gzip(json(condensed)),
  "v1.json.zst": zstd(Buffer.from(json(condensed))),
  "v1-float-version.json": json({ ...condensed, version: 1.0, n_reads: null }),
  "v2.json": json({ ...condensed, version: 2 }),
  "string-version.json": json({ ...condensed, version: "1" }),
  "no-version.json": json({ results: {} }),
  "no-results.json": `{"version": 1}`,
  "empty-results.json": `{"version": 1, "results": {}}`,
  "repeated-group.json": `{"version": 1, "results": {"ko": [["K1", null, 1, 2]], "pathways": [], "ko": [["K2", "k", 3, 4, [["1", 1, 1]]]]}}`,
  "bad-row.json": `{"version": 1, "results": {"ko": [["K1"]]}}`,
  "bad-contribution.json": `{"version": 1, "results": {"pathways": [["P", null, 1, 1, 1, [["562", "x", 1, 1]]]]}}`,
  "numeric-feature-id.json": `{"version": 1, "results": {"go": [[7, null, 1, 2, [[1e300, 1, 2]]]]}}`,
  "truncated.json": json(condensed).slice(0, 300),
});

// --- JSON results: MLST and panels (§8.5), and metadata items (§9.6) -----------------------------
const mlst = {
  mlstResults: {
    results: [{ st: 131, metadata: { scheme: "ecoli" }, alleles: [{ gene: "adk", allele: 53 }, { gene: "fumC", allele: "40~" }] }],
    summary: { mlst: "131", complete_match: true, n_alleles_matched: 7, n_alleles_total: 7 },
  },
  panelResults: {
    blaCTX: { id: "m1", name: "CTX-M-15", status: "present", coverage: 0.99, depth: 12.5, pct_identity: 100, n_reads: 40, marker_type: "AMR" },
    mecA: { status: "absent" },
  },
};
const items = [
  { classification_id: "c1", sample: { $uri: "/api/v1/samples/s1", filename: "a.fastq.gz", created_at: "2024-01-01", project: { name: "P" } },
    metadata: { $uri: "/api/v1/metadata/m1", name: "sample one", starred: true, custom: { site: "gut", name: "override" } } },
  { classification_id: "c1", sample: { id: "s2" }, metadata: { custom: { depth: 3 } }, project_name: "Q" },
  { sample: null, metadata: 5 },
];
write("json_results", {
  "mlst.json": json(mlst),
  "mlst.json.gz": gzip(json(mlst)),
  "mlst.json.zst": zstd(Buffer.from(json(mlst))),
  "mlst-novel.json": json({ mlstResults: { results: [{ st: "novel", alleles: [] }], summary: null } }),
  "mlst-bad-alleles.json": json({ mlstResults: { results: [{ alleles: [{ allele: 1 }] }], summary: { n_alleles_total: -1 } } }),
  "panel-bad.json": json({ panelResults: { x: { coverage: "high" }, y: [] } }),
  "metadata-items.json": json(items),
  "workflow.json": json({ outputs: [{ name: "x", value: [1, 2.5, null, true] }] }),
  "array.json": `[]`,
  "scalar.json": `42`,
  "string.json": `"text"`,
  "truncated.json": json(mlst).slice(0, 100),
});

// --- option names ---------------------------------------------------------------------------------
write("options", {
  "ranks": "auto\nspecies\ngenus\nfamily\norder\nclass\nphylum\nkingdom\nsuperkingdom\nno rank\nGenus\n",
  "metrics": "readcount\nreadcount_w_children\nabundance\nabundance_w_children\nprop_readcount\nprop_readcount_w_children\nprop_classified\nprop_classified_w_children\nnormalized_readcount\nnormalized_readcount_w_children\nfiltered_readcount\nfiltered_readcount_w_children\nnormalized_filtered_readcount\nnormalized_filtered_readcount_w_children\nreadcounts\n",
  "formats": "wide\nlong\nWide\n\n",
  "functional": "pathways\nmetacyc\neggnog\ngo\nko\nec\npfam\nreaction\nrpk\ncpm\ncomplete_abundance\ncoverage\ngene_family\n",
  "pairs": "pathways coverage\npathways abundance\npathways complete_abundance\nko cpm\nko abundance\nmetacyc rpk\npathways rpk\n",
  "odd": Buffer.from([0x61, 0x75, 0x74, 0x6f, 0x00, 0xff, 0x0a, 0x20]),
});

// --- structured targets: bytes that `arbitrary` turns into collections and options -----------------
for (const [target, seed] of [["taxonomy", 11], ["matrix", 23], ["biom", 37], ["ecology", 41]]) {
  const next = rng(seed);
  const seeds = {};
  for (let i = 0; i < 24; i++) {
    const len = [64, 256, 1024, 4096][i % 4];
    // Mostly small bytes: small counts and alphabet indices give dense, connected tables.
    seeds[`random-${String(i).padStart(2, "0")}`] = Buffer.from(
      Array.from({ length: len }, () => (next() < 0.7 ? Math.floor(next() * 24) : Math.floor(next() * 256))),
    );
  }
  write(target, seeds);
}
