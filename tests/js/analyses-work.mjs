// What the worker tests compute on every thread and platform (Node main thread, a worker_thread,
// Chromium's main thread, a Web Worker): a genus matrix and every analysis of the tables module,
// returned as plain data so that the runs can be compared with deepEqual. This file is loaded
// by URL in workers, so it imports nothing: the caller passes the tables module.

const SITES = ["gut", "oral", "skin"];
const OPTS = { rank: "genus", metric: "readcount_w_children" };

/** The items with a `site` metadata field, so that the statistics have groups. */
export function withSites(items) {
  return items.map((x, i) => ({ ...x, metadata: { custom: { site: SITES[i % SITES.length] } } }));
}

/** Typed arrays as arrays, recursively; wasm classes read through their getters (`fields`). */
function plain(x, fields) {
  if (ArrayBuffer.isView(x)) return Array.from(x);
  if (Array.isArray(x)) return x.map((v) => plain(v));
  if (x === null || typeof x !== "object") return x;
  const out = {};
  for (const k of fields ?? Object.keys(x)) out[k] = plain(x[k]);
  return out;
}

/** A result, or the error code and message of a call that threw (also compared). */
function attempt(f) {
  try {
    return f();
  } catch (e) {
    return { error: e?.code ?? String(e), message: e?.message };
  }
}

const DISTANCE_FIELDS = ["classificationIds", "values", "diversityMetric", "metric", "rank", "warnings"];
const PCOA_FIELDS = ["classificationIds", "coordinates", "dimensions", "eigenvalues", "proportionExplained", "warnings"];

export function work(tables, items) {
  const c = tables.Collection.fromResults(items);
  try {
    const m = c.toMatrix(OPTS);
    const out = { rowIds: m.rowIds, columnIds: m.columnIds, values: Array.from(m.values), analyses: {} };
    const a = out.analyses;
    for (const d of ["shannon", "simpson", "observed_taxa", "chao1"]) {
      a[`alpha ${d}`] = attempt(() => plain(c.alphaDiversity({ ...OPTS, diversityMetric: d })));
    }
    const metrics = ["braycurtis", "jaccard", "cityblock", "manhattan", "euclidean", "aitchison", "weighted_unifrac", "unweighted_unifrac"];
    for (const d of metrics) {
      a[`beta ${d}`] = attempt(() => {
        const dm = c.betaDiversity({ ...OPTS, diversityMetric: d });
        try {
          return { ...plain(dm, DISTANCE_FIELDS), csv: dm.toCSV() };
        } finally {
          dm.free();
        }
      });
    }
    a["unifrac unweighted"] = attempt(() => {
      const dm = c.unifrac({ ...OPTS, weighted: false });
      try {
        return plain(dm, DISTANCE_FIELDS);
      } finally {
        dm.free();
      }
    });
    for (const d of ["braycurtis", "weighted_unifrac"]) {
      a[`pcoa ${d}`] = attempt(() => {
        const p = c.pcoa({ ...OPTS, diversityMetric: d });
        try {
          return { ...plain(p, PCOA_FIELDS), csv: p.toCSV() };
        } finally {
          p.free();
        }
      });
    }
    a.pca = attempt(() => plain(c.pca(OPTS)));
    a.mds = attempt(() => plain(c.mds({ ...OPTS, diversityMetric: "braycurtis", seed: 7 })));
    for (const method of ["average", "single", "complete", "weighted", "centroid", "median"]) {
      a[`linkage ${method}`] = attempt(() => {
        const dm = c.betaDiversity({ ...OPTS, diversityMetric: "braycurtis" });
        try {
          return plain(tables.linkage(dm, { method }));
        } finally {
          dm.free();
        }
      });
    }
    a["alpha stats"] = attempt(() => plain(c.alphaDiversityStats({ ...OPTS, groupBy: "site" })));
    a["beta stats"] = attempt(() => plain(c.betaDiversityStats({ ...OPTS, groupBy: "site", numPermutations: 99, seed: 3 })));
    a.filter = attempt(() => {
      const f = c.filter(({ metadata }) => metadata.site !== "skin");
      try {
        return f.classificationIds;
      } finally {
        f.free();
      }
    });
    return out;
  } finally {
    c.free();
  }
}

/** The analyses every run must have produced (not errors), for the tests' own checks. */
export const EXPECTED_ANALYSES = [
  "alpha shannon", "alpha simpson", "alpha observed_taxa", "beta braycurtis", "beta weighted_unifrac",
  "beta unweighted_unifrac", "pcoa braycurtis", "pca", "mds", "linkage average", "alpha stats", "beta stats", "filter",
];
