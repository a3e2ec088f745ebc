// The plots panel's worker: fetches the collection and builds every chart off the page's main
// thread, with the package imported by URL (import maps do not reach workers).
//
// Messages in:  { type: "load", id, connection: { baseUrl, apiKey, s3Endpoint? }, samples | filter }
//               { type: "plot", id, kind, options, groupBy? }
// Messages out: { type: "progress", id, done, total }, { type: "loaded", id, ... },
//               { type: "chart", id, spec, warnings, stats, seconds }, { type: "error", id, error }
// Imported dynamically: the handler below must be in place before the modules' top-level await
// ends, or the first message is dispatched to no one.
const modules = Promise.all([import("/pkg/web/index.js"), import("/pkg/tables/web/index.js")]);
let OneCodex, tables;

const MAX_SAMPLES = 300;
let ocx = null;
let connectedWith = "";
let collection = null;
let samples = []; // the sample objects of the collection
let functional = null; // their functional matrix, fetched on first use

// OneCodexError's code and status do not survive postMessage: send them as fields.
const plainError = (e) => ({ name: e?.name ?? "Error", code: e?.code, status: e?.status, message: e?.message ?? String(e) });

function client(connection) {
  const key = JSON.stringify(connection);
  if (!ocx || key !== connectedWith) {
    ocx?.free();
    const { baseUrl, apiKey, s3Endpoint } = connection;
    ocx = new OneCodex({ baseUrl, apiKey, ...(s3Endpoint ? { s3Endpoint } : {}) });
    connectedWith = key;
  }
  return ocx;
}

// The samples of a filter, page by page, up to MAX_SAMPLES.
async function samplesOf(api, filter, post) {
  const out = [];
  const pages = api.samples.pages(filter);
  try {
    for (let page = await pages.next(); page && out.length < MAX_SAMPLES; page = await pages.next()) {
      out.push(...page);
      post({ type: "progress", phase: "samples", done: out.length, total: pages.total });
    }
  } finally {
    pages.free();
  }
  return out.slice(0, MAX_SAMPLES);
}

// The metadata fields a chart can group, colour or facet by: the columns with at least two
// distinct values, numeric where every value is a number.
function fieldsOf(table) {
  return table.columns.flatMap((name, i) => {
    const values = table.rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined && v !== "");
    const distinct = new Set(values.map(String));
    if (distinct.size < 2) return [];
    const numeric = values.every((v) => typeof v === "number");
    return [{ name, numeric, categorical: !numeric && distinct.size < values.length }];
  });
}

async function load(msg, post) {
  const api = client(msg.connection);
  const wanted = msg.samples ?? (await samplesOf(api, msg.filter, post));
  samples = wanted.filter((s) => s.primary_classification).slice(0, MAX_SAMPLES);
  if (samples.length === 0) throw { name: "OneCodexError", code: "invalid_argument", message: "none of these samples has a classification" };
  collection?.free();
  collection = null;
  functional = null;
  const t0 = performance.now();
  collection = await api.collection(samples, {
    skipMissing: true,
    onProgress: (p) => post({ type: "progress", phase: "results", done: p.done, total: p.total }),
  });
  const n = collection.classificationIds.length;
  if (n === 0) throw { name: "OneCodexError", code: "invalid_argument", message: "no classification results could be fetched" };
  post({ type: "loaded", samples: n, skipped: samples.length - n, fields: fieldsOf(collection.metadataTable()), seconds: (performance.now() - t0) / 1000 });
}

const METHODS = { bargraph: "plotBargraph", heatmap: "plotHeatmap", distance: "plotDistance", pca: "plotPca", pcoa: "plotPcoa", metadata: "plotMetadata" };

async function chart(msg) {
  if (!collection) throw { name: "OneCodexError", code: "invalid_argument", message: "load samples first" };
  const t0 = performance.now();
  let plot;
  if (msg.kind === "functional") {
    // The Python client's defaults: GO terms, in copies per million.
    functional ??= await ocx.functionalMatrix(samples, { annotation: "go", metric: "cpm", taxaStratified: false });
    plot = tables.plotFunctionalHeatmap(functional, { ...msg.options, metadata: collection.metadataTable() });
  } else {
    plot = collection[METHODS[msg.kind]](msg.options);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { spec: plot.spec, warnings: plot.warnings, stats: stats(msg), seconds };
}

// The test under the chart when a grouping field is chosen: PERMANOVA on the distances, or the
// alpha-diversity test for the alpha-diversity plot.
function stats({ kind, options, groupBy }) {
  if (!groupBy) return null;
  const { rank, metric, diversityMetric } = options;
  try {
    if (kind === "metadata") {
      const r = collection.alphaDiversityStats({ groupBy, rank, metric, diversityMetric: diversityMetric ?? options.vaxis });
      return { test: r.test, statistic: r.statistic, pvalue: r.pvalue, groups: r.groupSizes, warnings: r.warnings };
    }
    if (kind === "distance" || kind === "pcoa") {
      const r = collection.betaDiversityStats({ groupBy, rank, metric, diversityMetric, numPermutations: 999 });
      return { test: r.test, statistic: r.statistic, pvalue: r.pvalue, groups: r.groupSizes, warnings: r.warnings };
    }
  } catch (e) {
    return { error: plainError(e) };
  }
  return null;
}

self.onmessage = async ({ data: msg }) => {
  const post = (m) => self.postMessage({ id: msg.id, ...m });
  try {
    [{ OneCodex }, tables] = await modules;
    if (msg.type === "load") await load(msg, post);
    else if (msg.type === "plot") post({ type: "chart", ...(await chart(msg)) });
  } catch (e) {
    post({ type: "error", error: plainError(e) });
  }
};
