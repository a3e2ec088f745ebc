// Parity of the analyses with the official Python client, end to end: the local server's samples,
// the Python client's own calls (tests/python/ecology_parity.py, run in the project venv) and the
// package's in Node, at two ranks x two metrics. Tolerances are those of issue 13:
//   alpha; braycurtis, jaccard, cityblock, euclidean; UniFrac: 1e-9 relative
//   aitchison: |d² - d²py| <= 1e-12 (|x|² + |y|²) of the clr vectors (sklearn's shortcut)
//   PCoA, PCA: axes whose eigenvalue is separated from the next by > 1e-6 relative: 1e-6, after
//     the sign rules (PCoA: largest |coordinate| of an axis positive; PCA: svd_flip); proportions 1e-9
//   MDS: stress <= scikit-learn's on the same distances
//   linkage and leaf order: exact order, heights 1e-9
//   rank tests: statistic, p, Dunn's adjusted p: 1e-9
//   PERMANOVA: pseudo-F 1e-9; p = 1/(N+1) on the strong-effect field (site), elsewhere within 4σ
//     of a binomial with Python's p
//   filter: the same members with the same predicate
// Nothing is skipped: a missing method or an answer of an unknown shape fails its check. Where the
// Python client raises, the package must throw.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { OneCodex } from "onecodex-wasm";
import * as tables from "onecodex-wasm/tables";
import { withServer } from "../js/support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// ---- the package's answers, read whatever their exact container (plain arrays or typed arrays)

function method(obj, name) {
  assert.equal(typeof obj?.[name], "function", `${obj?.constructor?.name ?? "object"}.${name} is missing`);
  return obj[name].bind(obj);
}
function freeExport(name) {
  assert.equal(typeof tables[name], "function", `onecodex-wasm/tables has no export ${name}`);
  return tables[name];
}
const list = (x, what) => {
  assert.ok(x != null && typeof x.length === "number", `${what}: not an array (${typeof x})`);
  return Array.from(x);
};
const idsOf = (x, what) => list(x?.ids ?? x?.classificationIds ?? x?.rowIds, `${what}.ids`);
/** An n×k matrix, row-major, from a flat array of n*k values or nested rows. */
function rowsOf(x, n, what) {
  const a = list(x, what);
  if (a.length && typeof a[0] === "object") return a.map((r) => list(r, what));
  assert.equal(a.length % n, 0, `${what}: ${a.length} values for ${n} rows`);
  const k = a.length / n;
  return Array.from({ length: n }, (_, i) => a.slice(i * k, i * k + k));
}
/** The values of a table: the array itself, or its `values` field (arrays have a values() method). */
const tableValues = (t) => (Array.isArray(t) || ArrayBuffer.isView(t) ? t : t?.values);
const pick = (x, names, what) => {
  for (const n of names) if (x?.[n] !== undefined) return x[n];
  assert.fail(`${what}: none of ${names.join(", ")} in ${x && Object.keys(x)}`);
};

// ---- Python's JSON (NaN as null, infinities as strings)

const num = (v) => (v === null ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const isErr = (v) => v && typeof v === "object" && "error" in v;

// ---- comparisons

function close(a, b, rel, what, abs = 1e-15) {
  b = num(b);
  if (Number.isNaN(b)) return assert.ok(Number.isNaN(a), `${what}: ${a}, Python NaN`);
  if (!Number.isFinite(b)) return assert.equal(a, b, what);
  const d = Math.abs(a - b);
  assert.ok(d <= abs || d <= rel * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} vs Python ${b} (Δ ${d})`);
}
function closeAll(as, bs, rel, what) {
  assert.equal(as.length, bs.length, `${what}: length`);
  as.forEach((a, i) => close(a, bs[i], rel, `${what}[${i}]`));
}
/** The same ids in the same order (the package and Python keep the collection's order). */
function sameIds(got, want, what) {
  assert.deepEqual(got, want, `${what}: ids`);
}

/** numpy's round(x, 6): half to even on x·1e6. */
function round6(x) {
  const y = x * 1e6;
  let r = Math.round(y);
  if (Math.abs(y - Math.trunc(y)) === 0.5) r = 2 * Math.round(y / 2);
  return r / 1e6;
}

/** Sign rule of the PCoA check: the largest |value| of every column positive. */
function signFix(rows, cols) {
  return rows.map((r) => r.slice(0, cols)).map((r, _, all) => r.map((v, j) => {
    let best = 0;
    for (const row of all) if (Math.abs(row[j]) > Math.abs(best)) best = row[j];
    return best < 0 ? -v : v;
  }));
}
/** Leading axes whose eigenvalue is separated from the next by > 1e-6 relative. */
function separatedAxes(eig) {
  let k = 0;
  while (k < eig.length - 1 && eig[k] > 0 && (eig[k] - eig[k + 1]) > 1e-6 * Math.abs(eig[k])) k++;
  return k;
}
function compareScores(got, want, axes, what, { fixSigns = true } = {}) {
  const g = fixSigns ? signFix(got, axes) : got;
  const w = fixSigns ? signFix(want, axes) : want;
  for (let j = 0; j < axes; j++) {
    const scale = Math.max(...w.map((r) => Math.abs(r[j])));
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs(g[i][j] - w[i][j]);
      assert.ok(d <= 1e-6 * scale, `${what}: axis ${j + 1}, sample ${i}: ${g[i][j]} vs Python ${w[i][j]}`);
    }
  }
}

/** The package's distances rounded as the client rounds them before clustering, as the plain
 * `{ classificationIds, values }` that `linkage` takes. */
function roundedDistances(dm, ids) {
  sameIds(idsOf(dm, "distances"), ids, "distances");
  return { classificationIds: ids, values: Float64Array.from(distanceValues(dm, ids.length), round6) };
}
function distanceValues(dm, n) {
  const v = dm?.values ?? (typeof dm?.toArray === "function" ? dm.toArray() : dm?.data);
  return rowsOf(v, n, "distance matrix").flat();
}

// ---- the checks of one configuration

function checkAlpha(c, cfg, py) {
  for (const [metric, want] of Object.entries(py.alpha)) {
    const what = `${cfg.rank}/${cfg.metric} alpha ${metric}`;
    const call = () => method(c, "alphaDiversity")({ rank: cfg.rank, metric: cfg.metric, diversityMetric: metric });
    if (isErr(want)) { assert.throws(call, `${what}: Python raised ${want.error}`); continue; }
    const got = call();
    sameIds(idsOf(got, what), want.ids, what);
    closeAll(list(got.values, what), want.values, 1e-9, what);
  }
}

async function checkBeta(t, c, cfg, py) {
  const out = {};
  for (const [metric, want] of Object.entries(py.beta)) {
    await t.test(metric, () => checkBetaMetric(c, cfg, metric, want, out));
  }
  return out;
}

function checkBetaMetric(c, cfg, metric, want, out) {
  {
    const what = `${cfg.rank}/${cfg.metric} beta ${metric}`;
    const call = () => method(c, "betaDiversity")({ rank: cfg.rank, metric: cfg.metric, diversityMetric: metric });
    if (isErr(want)) return assert.throws(call, `${what}: Python raised ${want.error}`);
    const dm = call();
    const n = want.ids.length;
    sameIds(idsOf(dm, what), want.ids, what);
    const got = distanceValues(dm, n);
    const exp = want.values.flat();
    if (metric === "aitchison") {
      const norm2 = want.clr_norm2;
      assert.ok(Array.isArray(norm2), `${what}: Python's clr norms`);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        const d2 = got[i * n + j] ** 2 - num(exp[i * n + j]) ** 2;
        assert.ok(Math.abs(d2) <= 1e-12 * (norm2[i] + norm2[j]), `${what}[${i},${j}]: Δd² ${d2}`);
      }
    } else {
      closeAll(got, exp, 1e-9, what);
    }
    out[metric] = dm;
    if (metric.endsWith("unifrac")) {
      // The dedicated call gives the same distances.
      const u = method(c, "unifrac")({ rank: cfg.rank, metric: cfg.metric, weighted: metric === "weighted_unifrac" });
      closeAll(distanceValues(u, n), exp, 1e-9, `${what} via unifrac()`);
    }
  }
}

async function checkPcoa(t, c, cfg, py) {
  for (const [metric, want] of Object.entries(py.pcoa)) {
    await t.test(metric, () => checkPcoaMetric(c, cfg, metric, want));
  }
}

function checkPcoaMetric(c, cfg, metric, want) {
  {
    const what = `${cfg.rank}/${cfg.metric} pcoa ${metric}`;
    const call = () => method(c, "pcoa")({ rank: cfg.rank, metric: cfg.metric, diversityMetric: metric });
    if (isErr(want)) return assert.throws(call, `${what}: Python raised ${want.error}`);
    const got = call();
    sameIds(idsOf(got, what), want.ids, what);
    const eig = want.eigvals.map(num);
    const axes = separatedAxes(eig);
    assert.ok(axes >= 2, `${what}: only ${axes} separated axes in Python's`);
    closeAll(list(pick(got, ["eigvals", "eigenvalues"], what), what).slice(0, axes), eig.slice(0, axes), 1e-6, `${what} eigvals`);
    const prop = list(pick(got, ["proportionExplained", "proportion_explained"], what), what);
    closeAll(prop.slice(0, axes), want.proportion_explained.slice(0, axes), 1e-9, `${what} proportions`);
    const coords = rowsOf(pick(got, ["coordinates", "samples", "scores"], what), want.ids.length, what);
    compareScores(coords, want.coordinates, axes, what);
  }
}

function checkPca(c, cfg, py) {
  const want = py.pca;
  const what = `${cfg.rank}/${cfg.metric} pca`;
  const call = () => method(c, "pca")({ rank: cfg.rank, metric: cfg.metric });
  if (isErr(want)) return assert.throws(call, `${what}: Python raised ${want.error}`);
  const got = call();
  sameIds(idsOf(got, what), want.ids, what);
  const ev = want.explained_variance.map(num);
  const axes = Math.min(separatedAxes(ev), 10);
  assert.ok(axes >= 2, `${what}: only ${axes} separated axes in Python's`);
  const ratio = list(pick(got, ["explainedVarianceRatio", "explained_variance_ratio", "proportionExplained"], what), what);
  closeAll(ratio.slice(0, axes), want.explained_variance_ratio.slice(0, axes), 1e-9, `${what} explained variance ratio`);
  // scikit-learn's svd_flip has already fixed each component's sign: the package must follow
  // the same rule, so the scores are compared as they are.
  const scores = rowsOf(pick(got, ["scores", "coordinates", "transformed"], what), want.ids.length, what);
  compareScores(scores, want.scores, axes, what, { fixSigns: false });
}

function checkMds(c, cfg, py) {
  for (const [metric, want] of Object.entries(py.mds)) {
    const what = `${cfg.rank}/${cfg.metric} mds ${metric}`;
    const call = () => method(c, "mds")({ rank: cfg.rank, metric: cfg.metric, diversityMetric: metric });
    if (isErr(want)) { assert.throws(call, `${what}: Python raised ${want.error}`); continue; }
    const got = call();
    sameIds(idsOf(got, what), want.ids, what);
    const stress = num(pick(got, ["stress"], what));
    assert.ok(stress <= num(want.stress) * (1 + 1e-9), `${what}: stress ${stress} > scikit-learn's ${want.stress}`);
  }
}

function checkLinkage(c, cfg, py) {
  const ids = py.linkage.average.ids;
  const dm = roundedDistances(method(c, "betaDiversity")({ rank: cfg.rank, metric: cfg.metric, diversityMetric: "braycurtis" }), ids);
  for (const [how, want] of Object.entries(py.linkage)) {
    const what = `${cfg.rank}/${cfg.metric} linkage ${how}`;
    const call = () => freeExport("linkage")(dm, { method: how });
    if (isErr(want)) { assert.throws(call, `${what}: Python raised ${want.error}`); continue; }
    const got = call();
    const z = rowsOf(pick(got, ["linkage", "matrix", "z", "Z"], what), ids.length - 1, what);
    want.linkage.forEach((row, i) => {
      assert.deepEqual([z[i][0], z[i][1], z[i][3]], [row[0], row[1], row[3]], `${what}: merge ${i}`);
      close(z[i][2], row[2], 1e-9, `${what}: height ${i}`);
    });
    assert.deepEqual(list(pick(got, ["leaves", "order", "leafOrder"], what), what), want.leaves, `${what}: leaf order`);
  }
}

function checkRankTests(c, cfg, py) {
  for (const [field, want] of Object.entries(py.alpha_stats)) {
    const what = `${cfg.rank}/${cfg.metric} alphaDiversityStats ${field}`;
    const call = () => method(c, "alphaDiversityStats")({ groupBy: field, rank: cfg.rank, metric: cfg.metric, diversityMetric: "shannon" });
    if (isErr(want)) { assert.throws(call, `${what}: Python raised ${want.error}`); continue; }
    const got = call();
    assert.equal(got.test, want.test, `${what}: test`);
    close(got.statistic, want.statistic, 1e-9, `${what}: statistic`);
    close(pick(got, ["pvalue", "pValue"], what), want.pvalue, 1e-9, `${what}: p`);
    if (want.posthoc) {
      const adj = pick(got.posthoc, ["adjustedPvalues", "adjusted_pvalues"], `${what} posthoc`);
      assert.deepEqual(list(adj.groups ?? got.posthoc.groups, what), want.posthoc.adjusted_pvalues.groups, `${what}: Dunn groups`);
      const n = want.posthoc.adjusted_pvalues.groups.length;
      closeAll(rowsOf(tableValues(adj), n, what).flat(), want.posthoc.adjusted_pvalues.values.flat(), 1e-9, `${what}: Dunn adjusted p`);
    } else {
      assert.ok(got.posthoc == null, `${what}: a posthoc where Python has none`);
    }
  }
}

/** |p - pPy| within 4σ of a binomial with Python's p over N permutations. */
function pWithin4Sigma(p, pPy, n, what) {
  const sigma = Math.sqrt(Math.max(pPy * (1 - pPy), 1 / n) / n);
  assert.ok(Math.abs(p - pPy) <= 4 * sigma, `${what}: p ${p} vs Python ${pPy} (4σ = ${4 * sigma})`);
}

function checkPermanova(c, cfg, py, fields, permutations) {
  for (const [field, want] of Object.entries(py.beta_stats)) {
    const what = `${cfg.rank}/${cfg.metric} betaDiversityStats ${field}`;
    const call = () => method(c, "betaDiversityStats")({
      groupBy: field, rank: cfg.rank, metric: cfg.metric, diversityMetric: "braycurtis", numPermutations: permutations,
    });
    if (isErr(want)) { assert.throws(call, `${what}: Python raised ${want.error}`); continue; }
    const got = call();
    close(got.statistic, want.statistic, 1e-9, `${what}: pseudo-F`);
    const p = pick(got, ["pvalue", "pValue"], what);
    if (field === fields.strong) {
      assert.equal(want.pvalue, 1 / (permutations + 1), `${what}: Python's p is not minimal; the data lost its effect`);
      assert.equal(p, 1 / (permutations + 1), `${what}: p`);
    } else {
      pWithin4Sigma(p, want.pvalue, permutations, what);
    }
    if (want.posthoc) {
      const ph = got.posthoc;
      assert.ok(ph, `${what}: no pairwise PERMANOVA where Python has one`);
      const groups = want.posthoc.statistics.groups;
      const n = groups.length;
      assert.deepEqual(list(ph.statistics?.groups ?? ph.groups, what), groups, `${what}: pairwise groups`);
      const stat = rowsOf(tableValues(ph.statistics), n, what).flat().map((v) => (v === null ? NaN : v));
      const pv = rowsOf(tableValues(ph.pvalues), n, what).flat();
      want.posthoc.statistics.values.flat().forEach((s, k) => {
        if (s !== null) close(stat[k], s, 1e-9, `${what}: pairwise pseudo-F ${k}`);
      });
      want.posthoc.pvalues.values.flat().forEach((q, k) => {
        if (k % (n + 1) !== 0) pWithin4Sigma(pv[k], q, permutations, `${what}: pairwise p ${k}`);
      });
    } else {
      assert.ok(got.posthoc == null, `${what}: a posthoc where Python has none`);
    }
  }
}

function checkFilter(c, py) {
  const want = py.filter;
  assert.ok(!isErr(want), `Python's filter raised ${want?.error}`);
  // The same predicate as the Python script's: site in FILTER_SITES and filename suffix.
  const kept = method(c, "filter")((item) => {
    // The metadata row of metadataTable(): custom fields are columns of it.
    const site = item.metadata?.site;
    const filename = item.sample?.filename ?? item.metadata?.filename ?? "";
    return want.sites.includes(site) && filename.toLowerCase().endsWith(want.filename_suffix);
  });
  assert.deepEqual(list(kept.classificationIds, "filter"), want.classification_ids, "filter: members");
  kept.free?.();
}

// ---- the run

test("the analyses match the Python client's on the local server's samples", { timeout: 1_500_000 }, async (t) => {
  const srv = await withServer(t, ["--samples", "60"]);
  const python = execFileSync("bash", [path.join(root, "tests/python/setup_env.sh")], { encoding: "utf8" }).trim().split("\n").at(-1);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ecology-parity-")), "python.json");
  t.after(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
  await promisify(execFile)(python, [path.join(root, "tests/python/ecology_parity.py"), "--api", srv.api, "--out", out], {
    env: { ...process.env, HOME: path.dirname(out), ONE_CODEX_NO_TELEMETRY: "1" }, maxBuffer: 1 << 26, timeout: 1_200_000,
  });
  const py = JSON.parse(fs.readFileSync(out, "utf8"));
  assert.equal(py.onecodex, "1.2.0");
  assert.ok(py.classification_ids.length >= 40, `samples: ${py.classification_ids.length}`);

  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const c = await ocx.collection(py.classification_ids);
  t.after(() => c.free());
  assert.deepEqual(c.classificationIds, py.classification_ids);

  await t.test("filter", () => checkFilter(c, py));
  for (const cfg of py.configs) {
    await t.test(`${cfg.rank} / ${cfg.metric}`, async (t) => {
      await t.test("alpha diversity", () => checkAlpha(c, cfg, cfg));
      await t.test("beta diversity and UniFrac", (t) => checkBeta(t, c, cfg, cfg));
      await t.test("PCoA", (t) => checkPcoa(t, c, cfg, cfg));
      await t.test("PCA", () => checkPca(c, cfg, cfg));
      await t.test("MDS stress", () => checkMds(c, cfg, cfg));
      await t.test("linkage and leaf order", () => checkLinkage(c, cfg, cfg));
      await t.test("alpha diversity stats", () => checkRankTests(c, cfg, cfg));
      // Python's beta_diversity_stats drops samples by the `metric` given but computes the
      // distances with the automatic metric; the package uses `metric` for both. The two agree
      // only where `metric` is the automatic one.
      const auto = c.toMatrix({ rank: cfg.rank }).metric;
      const mixed = cfg.metric !== auto && `Python's beta_diversity_stats mixes ${cfg.metric} and ${auto}; the package honours metric`;
      await t.test("PERMANOVA and pairwise", { skip: mixed }, () => checkPermanova(c, cfg, cfg, py.fields, py.permutations));
    });
  }
});
