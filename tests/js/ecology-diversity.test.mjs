// Diversity, distances and statistics of a Collection through the JS API, offline: collections
// built from the results bodies of core/tests/ecology/reference.json, whose expected values were
// computed by onecodex 1.2.0 itself (core/tests/ecology/make_reference.py). Shapes, typed errors,
// a few values per analysis (the native tests compare all of them).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Collection, DistanceMatrix, isOneCodexError } from "onecodex-wasm/tables";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ref = JSON.parse(fs.readFileSync(path.join(root, "core/tests/ecology/reference.json"), "utf8"));

/** A Collection of one of the reference collections, with samples and metadata. */
function collection(name) {
  return Collection.fromResults(ref.collections[name].map((it) => ({
    classificationId: it.classificationId,
    bytes: JSON.stringify(it.results),
    jobId: it.jobId,
    jobName: it.jobName,
    sample: { $uri: `/api/v1/samples/${it.classificationId.replace(/^./, "x")}`, filename: `${it.classificationId}.fastq.gz` },
    metadata: it.metadata,
  })));
}

const throwsCode = (fn, code, re) =>
  assert.throws(fn, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

const close = (a, b, what) => {
  if (b === null) return assert.ok(Number.isNaN(a), `${what}: ${a} vs NaN`);
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-14, `${what}: ${a} vs ${b}`);
};
const allClose = (ours, theirs, what) => {
  assert.equal(ours.length, theirs.length, what);
  theirs.forEach((b, i) => close(ours[i], b, `${what}[${i}]`));
};
const find = (list, pred) => {
  const c = ref[list].find(pred);
  assert.ok(c, `no ${list} reference case`);
  return c;
};

test("alphaDiversity: shapes and values of the Python client (NaN for empty samples, chao1 warning)", () => {
  const c = collection("main");
  const r = c.alphaDiversity();
  assert.ok(r.values instanceof Float64Array);
  assert.deepEqual(r.classificationIds, c.classificationIds);
  assert.equal(r.diversityMetric, "shannon");
  assert.equal(r.metric, "abundance_w_children");
  assert.equal(r.rank, "species");
  allClose(r.values, find("alpha", (x) => x.collection === "main" && x.metric === "auto" && x.rank === "auto" && x.diversityMetric === "shannon").ok.values, "shannon");
  const sparse = collection("sparse");
  for (const diversityMetric of ["simpson", "chao1", "observed_taxa"]) {
    const o = sparse.alphaDiversity({ diversityMetric, metric: "readcount_w_children", rank: "genus" });
    const p = find("alpha", (x) => x.collection === "sparse" && x.metric === "readcount_w_children" && x.rank === "genus" && x.diversityMetric === diversityMetric);
    allClose(o.values, p.ok.values, diversityMetric);
    assert.equal(o.warnings.some((w) => w.code === "chao1_deprecated"), diversityMetric === "chao1");
  }
  assert.ok(Number.isNaN(sparse.alphaDiversity({ metric: "readcount_w_children" }).values[1]));
});

test("betaDiversity and unifrac: a DistanceMatrix (symmetric, zero diagonal, CSV) with Python's values", () => {
  const c = collection("main");
  for (const diversityMetric of ["braycurtis", "jaccard", "manhattan", "euclidean", "weighted_unifrac", "unweighted_unifrac"]) {
    const dm = c.betaDiversity({ diversityMetric, metric: "readcount_w_children" });
    assert.ok(dm instanceof DistanceMatrix);
    assert.equal(dm.diversityMetric, diversityMetric);
    const n = dm.classificationIds.length;
    const v = dm.values;
    assert.equal(v.length, n * n);
    for (let i = 0; i < n; i++) {
      assert.equal(v[i * n + i], 0);
      for (let j = 0; j < i; j++) assert.equal(v[i * n + j], v[j * n + i]);
    }
    const p = find("beta", (x) => x.collection === "main" && x.metric === "readcount_w_children" && x.rank === "auto" && x.diversityMetric === diversityMetric);
    allClose(v, p.ok.values, diversityMetric);
    dm.free();
  }
  const w = c.unifrac({ rank: "genus" });
  allClose(w.values, find("beta", (x) => x.collection === "main" && x.metric === "auto" && x.rank === "genus" && x.diversityMetric === "weighted_unifrac").ok.values, "unifrac()");
  assert.equal(c.unifrac({ weighted: false }).diversityMetric, "unweighted_unifrac");
  const csv = c.betaDiversity().toCSV().trim().split("\n");
  assert.equal(csv.length, c.length + 1);
  assert.equal(csv[0], "," + c.classificationIds.join(","));
  // Bray–Curtis 0 vs 0 is 0; Aitchison refuses an all-zero sample.
  const sparse = collection("sparse");
  const bc = sparse.betaDiversity({ metric: "readcount_w_children" });
  assert.equal(bc.values[1 * 5 + 3], 0);
  throwsCode(() => sparse.betaDiversity({ diversityMetric: "aitchison" }), "invalid_argument", /all zeros/);
});

test("alphaDiversityStats: Kruskal with Dunn, Mann–Whitney, Wilcoxon, as stats.py", () => {
  const c = collection("main");
  const k = c.alphaDiversityStats({ groupBy: "site", diversityMetric: "simpson" });
  const pk = find("alphaStats", (x) => x.collection === "main" && x.options.group_by === "site" && x.options.diversity_metric === "simpson").ok;
  assert.equal(k.test, "kruskal");
  close(k.statistic, pk.statistic, "H");
  close(k.pvalue, pk.pvalue, "p");
  assert.deepEqual(k.groupSizes, pk.groupSizes);
  assert.deepEqual(k.groups, ["gut", "oral", "skin"]);
  assert.equal(k.sampleSize, pk.sampleSize);
  assert.equal(k.posthoc.test, "dunn");
  allClose(k.posthoc.adjustedPvalues, pk.posthoc.adjustedPvalues, "dunn");
  assert.deepEqual(k.warnings.map((w) => w.code), ["missing_group_by", "small_groups"]);
  const w = c.alphaDiversityStats({ groupBy: "visit", pairedBy: "subject" });
  const pw = find("alphaStats", (x) => x.collection === "main" && x.options.group_by === "visit" && x.options.paired_by === "subject" && !x.options.metric).ok;
  assert.equal(w.test, "wilcoxon");
  assert.equal(w.pairedByVariable, "subject");
  close(w.pvalue, pw.pvalue, "wilcoxon p");
  const j = c.alphaDiversityStats({ groupBy: ["site", "treated"] });
  assert.equal(j.groupByVariable, "site_treated");
  assert.ok(j.groups.includes("gut_True"));
});

test("betaDiversityStats: PERMANOVA pseudo-F as scikit-bio, p within chance, deterministic for a seed", () => {
  const c = collection("main");
  const r = c.betaDiversityStats({ groupBy: "site", seed: 3 });
  const p = find("betaStats", (x) => x.collection === "main" && x.options.group_by === "site" && !x.options.diversity_metric).ok;
  assert.equal(r.test, "permanova");
  assert.equal(r.numPermutations, 999);
  close(r.statistic, p.statistic, "pseudo-F");
  assert.ok(Math.abs(r.pvalue - p.pvalue) <= 4 * Math.sqrt(p.pvalue * (1 - p.pvalue) / 999) + 1 / 999, `${r.pvalue} vs ${p.pvalue}`);
  assert.deepEqual(c.betaDiversityStats({ groupBy: "site", seed: 3 }), r);
  if (r.posthoc) {
    assert.equal(r.posthoc.test, "pairwise_permanova");
    assert.ok(r.posthoc.statistics instanceof Float64Array && r.posthoc.pvalues instanceof Float64Array);
  }
  assert.ok(Number.isNaN(c.betaDiversityStats({ groupBy: "treated", numPermutations: 0 }).pvalue));
});

test("filter: a new Collection of the members the predicate keeps", () => {
  const c = collection("main");
  const seen = [];
  const gut = c.filter((m) => { seen.push(m); return m.metadata.site === "gut"; });
  assert.ok(gut instanceof Collection);
  assert.equal(gut.length, 4);
  assert.equal(seen.length, c.length);
  assert.equal(seen[0].classificationId, c.classificationIds[0]);
  assert.equal(seen[0].sample.filename, `${c.classificationIds[0]}.fastq.gz`);
  assert.equal(gut.alphaDiversity().values.length, 4);
  assert.deepEqual(gut.metadataTable().rows.length, 4);
  assert.equal(c.filter(() => 0).length, 0);
  assert.throws(() => c.filter(() => { throw new Error("boom"); }), /boom/);
  throwsCode(() => c.filter("site"), "invalid_argument");
});

test("bad input: typed errors that name what is valid, never a panic", () => {
  const c = collection("main");
  throwsCode(() => c.alphaDiversity({ diversityMetric: "shanon" }), "invalid_argument", /chao1, observed_taxa, shannon, simpson/);
  throwsCode(() => c.betaDiversity({ diversityMetric: "bray" }), "invalid_argument", /braycurtis/);
  throwsCode(() => c.betaDiversity({ metrc: "readcount" }), "invalid_argument", /unknown field `metrc`, expected one of `rank`, `metric`, `diversityMetric`$/);
  throwsCode(() => c.alphaDiversityStats({ groupBy: "nonexistent" }), "invalid_argument", /not found/);
  throwsCode(() => c.alphaDiversityStats({ groupBy: "age" }), "invalid_argument", /numeric/);
  throwsCode(() => c.alphaDiversityStats({ groupBy: "visit", test: "wilcoxon" }), "invalid_argument", /paired_by/);
  throwsCode(() => c.alphaDiversityStats({ groupBy: "site", alpha: 1.5 }), "invalid_argument", /alpha/);
  throwsCode(() => c.alphaDiversityStats({ groupBy: "site", test: "ttest" }), "invalid_argument", /kruskal/);
  throwsCode(() => c.alphaDiversityStats({}), "invalid_argument", /groupBy/);
  throwsCode(() => c.betaDiversityStats({ groupBy: "site", numPermutations: -1 }), "invalid_argument");
  throwsCode(() => c.betaDiversityStats({ groupBy: "site", numPermutations: 1.5 }), "invalid_argument");
  throwsCode(() => c.betaDiversityStats({ groupBy: "site", seed: -1 }), "invalid_argument");
  throwsCode(() => collection("sparse").betaDiversityStats({ groupBy: "group" }), "invalid_argument", /at least 2 groups/);
  const one = c.filter((m) => m.classificationId === c.classificationIds[0]);
  throwsCode(() => one.betaDiversity(), "invalid_argument", /at least 2/);
  // The instance still works after all of these.
  assert.equal(c.alphaDiversity().values.length, c.length);
});
