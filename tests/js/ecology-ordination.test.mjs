// Ordination and clustering through the JS API: `pcoa`, `mds`, `linkage` of a distance matrix and
// `Collection.pca`, against the Python reference values of core/tests/ecology/ordination_reference.json
// (written by make_ordination_reference.py with scikit-bio, scikit-learn and scipy): shapes, the
// sign rules, values, and the typed errors a user gets for bad input.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pcoa, mds, linkage, PcoaResult, Collection, isOneCodexError } from "onecodex-wasm/tables";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const REF = JSON.parse(fs.readFileSync(path.join(root, "core/tests/ecology/ordination_reference.json"), "utf8"));

const ids = (n) => Array.from({ length: n }, (_, i) => `s${i}`);
const matrixOf = (c) => ({ classificationIds: ids(c.n), values: c.distances });

const close = (got, want, tol, what) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} (±${tol})`);

/** Columns 0..axes of two row-major matrices of `cols` columns. */
function closeColumns(got, want, cols, axes, tol, what) {
  assert.equal(got.length, want.length, `${what}: size`);
  for (let i = 0; i < got.length; i++) {
    if (i % cols < axes) close(got[i], want[i], tol, `${what} [${Math.floor(i / cols)}, ${i % cols}]`);
  }
}

const throwsCode = (fn, code, re) =>
  assert.throws(fn, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

test("pcoa matches scikit-bio: eigenvalues, proportions, pinned coordinates, CSV", () => {
  const cases = REF.pcoa.filter((c) => !c.rounded);
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const p = pcoa({ ...matrixOf(c), values: new Float64Array(c.distances) });
    assert.ok(p instanceof PcoaResult);
    assert.deepEqual(p.classificationIds, ids(c.n));
    assert.equal(p.dimensions, c.n);
    assert.ok(p.coordinates instanceof Float64Array && p.coordinates.length === c.n * c.n);
    const scale = Math.max(Math.abs(c.eigenvalues[0]), 1);
    p.eigenvalues.forEach((v, k) => close(v, c.eigenvalues[k], 1e-9 * scale, `${c.name} eigenvalue ${k}`));
    p.proportionExplained.forEach((v, k) => close(v, c.proportionExplained[k], 1e-9, `${c.name} proportion ${k}`));
    closeColumns(p.coordinates, c.coordinates, c.n, c.separatedAxes, 1e-6, c.name);
    // the sign rule: on every axis the coordinate of largest magnitude (the first of those tied
    // up to rounding) is positive
    for (let k = 0; k < c.n; k++) {
      const axis = Array.from({ length: c.n }, (_, i) => p.coordinates[i * c.n + k]);
      const top = Math.max(...axis.map(Math.abs));
      assert.ok(axis.find((v) => Math.abs(v) >= top * (1 - 1e-9)) >= 0, `${c.name} axis ${k}`);
    }
    const csv = p.toCSV().trimEnd().split("\n");
    assert.equal(csv[0], ["classification_id", ...Array.from({ length: c.n }, (_, k) => `PC${k + 1}`)].join(","));
    assert.equal(csv.length, c.n + 1);
    assert.equal(csv[1].split(",")[0], "s0");
    assert.deepEqual(p.warnings, []);
    p.free();
  }
  // plain arrays work as well as Float64Array
  const c = REF.pcoa[0];
  assert.deepEqual(Array.from(pcoa(matrixOf(c)).eigenvalues), Array.from(pcoa({ ...matrixOf(c), values: new Float64Array(c.distances) }).eigenvalues));
});

test("Collection.pca matches scikit-learn on the collection's matrix; samples without abundances are left out", () => {
  for (const c of REF.collectionPca) {
    const col = Collection.fromResults(c.items.map((it) => ({ classificationId: it.classificationId, bytes: JSON.stringify(it.results) })));
    const p = col.pca({ rank: "genus", metric: c.metric });
    assert.deepEqual(p.classificationIds, c.analysedIds);
    assert.equal(p.metric, c.metric);
    assert.equal(p.rank, "genus");
    assert.deepEqual([...p.columnIds].sort(), [...c.columnIds].sort());
    const k = p.componentsCount;
    assert.equal(k, Math.min(c.rows, c.cols));
    assert.ok(p.scores instanceof Float64Array && p.scores.length === c.rows * k);
    const axes = Math.min(c.separatedAxes, k);
    assert.ok(axes >= 2);
    closeColumns(p.scores, c.scores, k, axes, 1e-6, `${c.name} scores`);
    p.explainedVarianceRatio.forEach((v, a) => close(v, c.explainedVarianceRatio[a], 1e-9, `${c.name} ratio ${a}`));
    for (let a = 0; a < axes; a++) {
      p.columnIds.forEach((id, j) => {
        const wj = c.columnIds.indexOf(id);
        close(p.components[a * c.cols + j], c.components[a * c.cols + wj], 1e-6, `${c.name} component ${a} ${id}`);
      });
    }
    const leftOut = p.warnings.some((w) => w.code === "samples_without_abundances");
    assert.equal(leftOut, c.analysedIds.length < c.items.length);
    col.free();
  }
});

test("mds reaches scikit-learn's stress from the same seeded starts, deterministically", () => {
  for (const c of REF.mds) {
    const m = mds(matrixOf(c), { seed: c.seed });
    assert.deepEqual(m.classificationIds, ids(c.n));
    assert.equal(m.coordinates.length, c.n * 2);
    assert.ok(m.stress <= c.stress * (1 + 1e-9) + 1e-12, `${c.name}: stress ${m.stress} > ${c.stress}`);
    closeColumns(m.coordinates, c.coordinates, 2, 2, 1e-5, c.name);
    assert.ok(m.iterations >= 1 && m.iterations <= 3000);
  }
  const c = REF.mds[1];
  assert.deepEqual(mds(matrixOf(c)), mds(matrixOf(c), { seed: 3 })); // plot_mds's seed is the default
  assert.notDeepEqual(mds(matrixOf(c), { seed: 11 }).coordinates, mds(matrixOf(c)).coordinates);
});

test("linkage matches scipy for every method, ties included: merges, heights, leaf order", () => {
  assert.equal(new Set(REF.linkage.map((c) => c.method)).size, 6);
  for (const c of REF.linkage) {
    const what = `${c.name} ${c.method}`;
    const l = linkage(matrixOf(c), { method: c.method });
    assert.equal(l.method, c.method);
    assert.ok(l.matrix instanceof Float64Array);
    assert.equal(l.matrix.length, c.linkage.length, what);
    l.matrix.forEach((v, i) => {
      if (i % 4 === 2) close(v, c.linkage[i], 1e-9, `${what} height ${i >> 2}`);
      else assert.equal(v, c.linkage[i], `${what} merge ${i >> 2} column ${i % 4}`);
    });
    assert.deepEqual(l.leaves, c.leaves, `${what} leaves`);
    assert.deepEqual(l.orderedIds, c.leaves.map((i) => `s${i}`));
  }
  const avg = REF.linkage.find((c) => c.method === "average");
  assert.deepEqual(linkage(matrixOf(avg)), linkage(matrixOf(avg), { method: "average" })); // the default
});

test("bad input gets typed errors", () => {
  const three = { classificationIds: ["a", "b", "c"], values: [0, 1, 2, 1, 0, 1, 2, 1, 0] };
  const two = { classificationIds: ["a", "b"], values: [0, 1, 1, 0] };
  throwsCode(() => pcoa(two), "invalid_argument", /PCoA needs at least 3 samples, got 2/);
  throwsCode(() => mds(two), "invalid_argument", /MDS needs at least 3 samples, got 2/);
  throwsCode(() => linkage({ classificationIds: ["a"], values: [0] }), "invalid_argument", /at least 2 samples/);
  throwsCode(() => pcoa({ ...three, values: [0, NaN, 2, NaN, 0, 1, 2, 1, 0] }), "invalid_argument", /pcoa: distance matrix/);
  throwsCode(() => linkage({ ...three, values: [0, -1, 2, -1, 0, 1, 2, 1, 0] }), "invalid_argument", /≥ 0/);
  throwsCode(() => mds({ ...three, values: [0, 1, 2, 1.5, 0, 1, 2, 1, 0] }), "invalid_argument", /symmetric/);
  throwsCode(() => pcoa({ ...three, values: [0, 1, 2] }), "invalid_argument", /needs 9 values, got 3/);
  throwsCode(() => pcoa({ ...three, values: ["0", 1, 2, 1, 0, 1, 2, 1, 0] }), "invalid_argument", /values must be numbers/);
  throwsCode(() => pcoa([1, 2, 3]), "invalid_argument", /classificationIds/);
  throwsCode(() => pcoa(null), "invalid_argument", /classificationIds/);
  throwsCode(() => linkage(three, { method: "ward" }), "invalid_argument",
    /must be one of: average, single, complete, weighted, centroid, median \(got "ward"\)/);
  throwsCode(() => linkage(three, { methd: "single" }), "invalid_argument", /unknown field `methd`, expected `method`$/);
  for (const seed of [-1, 1.5, 2 ** 32]) throwsCode(() => mds(three, { seed }), "invalid_argument", /seed must be a whole number/);
  throwsCode(() => mds(three, { seed: NaN }), "invalid_argument", /'seed' is NaN, which is not a finite number/);
  throwsCode(() => mds(three, { seed: 3, nInit: 2 }), "invalid_argument", /unknown field `nInit`/);

  const c = REF.collectionPca[0];
  const items = c.items.map((it) => ({ classificationId: it.classificationId, bytes: JSON.stringify(it.results) }));
  const col = Collection.fromResults(items);
  throwsCode(() => col.pca({ rank: "genus", scale: true }), "invalid_argument", /unknown field `scale`/);
  throwsCode(() => col.pca({ rank: "strain" }), "invalid_argument", /rank/);
  throwsCode(() => col.pca({ metric: "reads" }), "invalid_argument", /metric/);
  throwsCode(() => Collection.fromResults(items.slice(0, 2)).pca({ rank: "genus" }), "invalid_argument", /PCA needs at least 3 samples, got 2/);
});
