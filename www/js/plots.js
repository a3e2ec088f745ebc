// The plots panel: the Python client's charts over the samples shown (or all samples of the
// current filter), computed by the package in a Web Worker and drawn with vega-embed (bundled
// locally). PNG/SVG export, the chart's data as CSV, and the group test under the chart.
import { vegaEmbed } from "../vendor/vega.js";
import { describeError } from "./errors.js";

const $ = (id) => document.getElementById(id);
const csvCell = (v) => (/[",\n]/.test(String(v ?? "")) ? `"${String(v).replace(/"/g, '""')}"` : String(v ?? ""));

// Which choices each plot takes, and how the field is used (group, colour, facet; the distance
// heatmap has no such option: there the field only chooses the groups of the test under it).
const PLOTS = {
  bargraph: { topN: true, field: "groupBy", label: "group bars by" },
  heatmap: { topN: true, field: "haxis", label: "facet by" },
  distance: { beta: true, label: "test groups of" },
  pca: { field: "color", label: "colour by" },
  pcoa: { beta: true, field: "color", label: "colour by" },
  metadata: { alpha: true, field: "haxis", label: "group by" },
  functional: { topN: true, functional: true, field: "haxis", label: "facet by" },
};
const BETA = ["braycurtis", "jaccard", "cityblock", "euclidean", "aitchison", "weighted_unifrac", "unweighted_unifrac"];
const ALPHA = ["shannon", "simpson", "observed_taxa", "chao1"];

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement("a"), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The rows the chart draws, as CSV: its largest inline dataset (the others are dendrograms or
// loadings).
function chartCsv(spec) {
  const sets = Object.values(spec.datasets ?? {}).filter(Array.isArray);
  const rows = sets.reduce((a, b) => (b.length > a.length ? b : a), spec.data?.values ?? []);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

function statsLine(s) {
  if (!s) return "";
  if (s.error) return `No group test: ${describeError(s.error)}`;
  const groups = Object.entries(s.groups).map(([g, n]) => `${g} (${n})`).join(", ");
  const name = { permanova: "PERMANOVA", kruskal: "Kruskal–Wallis", mannwhitneyu: "Mann–Whitney U", wilcoxon: "Wilcoxon" }[s.test] ?? s.test;
  return `${name}: statistic ${s.statistic.toPrecision(4)}, p = ${s.pvalue.toPrecision(3)} over ${groups}.`;
}

export function createPlots(getConnection, shownSamples, currentFilter) {
  let worker = null;
  let seq = 0;
  let view = null;
  let spec = null;
  const pending = new Map();

  const status = (text) => { $("plot-status").textContent = text; };
  const fail = (e) => { $("plot-error").textContent = describeError(e); status(""); document.body.dataset.plotError = e.code ?? "error"; };

  function call(msg, onProgress) {
    if (!worker) {
      worker = new Worker(new URL("./plots-worker.js", import.meta.url), { type: "module" });
      worker.onmessage = ({ data }) => {
        const p = pending.get(data.id);
        if (!p) return;
        if (data.type === "progress") return p.onProgress?.(data);
        pending.delete(data.id);
        data.type === "error" ? p.reject(data.error) : p.resolve(data);
      };
      worker.onerror = (ev) => {
        for (const p of pending.values()) p.reject({ name: "Error", message: ev.message || "the plots worker failed to start" });
        pending.clear();
        worker = null;
      };
    }
    const id = ++seq;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ ...msg, id });
    });
  }

  // A choice and its label, shown only for the plots that take it.
  const offer = (id, on) => {
    $(`${id}-row`).hidden = !on;
    document.querySelector(`label[for=${id}]`).hidden = !on;
  };

  function showChoices() {
    const p = PLOTS[$("plot-kind").value];
    offer("plot-diversity", p.alpha || p.beta);
    const list = p.alpha ? ALPHA : BETA;
    if (!list.includes($("plot-diversity").value)) {
      $("plot-diversity").replaceChildren(...list.map((m) => new Option(m, m)));
    }
    offer("plot-topn", p.topN);
    offer("plot-rank", !p.functional);
    $("plot-field-label").textContent = `Metadata field (${p.label})`;
  }

  function options(kind) {
    const p = PLOTS[kind];
    const o = {};
    if (!p.functional) {
      o.rank = $("plot-rank").value;
      o.metric = $("plot-metric").value;
    }
    if (p.topN && $("plot-topn").value) o.topN = Number($("plot-topn").value);
    if (p.beta) o.diversityMetric = $("plot-diversity").value;
    if (p.alpha) o.vaxis = $("plot-diversity").value;
    const field = $("plot-field").value;
    if (field && p.field) o[p.field] = field;
    return { options: o, groupBy: field || undefined };
  }

  async function loadSamples() {
    const connection = getConnection();
    if (!connection) return fail({ name: "OneCodexError", code: "invalid_argument", message: "connect first" });
    $("plot-error").textContent = "";
    const source = $("plot-source").value;
    const msg = source === "filter"
      ? { type: "load", connection, filter: currentFilter() }
      : { type: "load", connection, samples: shownSamples().filter((s) => s.primary_classification) };
    status("Loading results…");
    delete document.body.dataset.plotSamples;
    const t0 = performance.now();
    const r = await call(msg, (p) => status(p.phase === "samples" ? `Listing samples: ${p.done}…` : `Fetched ${p.done} of ${p.total} results…`));
    const fields = r.fields.filter((f) => f.categorical || f.numeric);
    const keep = $("plot-field").value;
    $("plot-field").replaceChildren(new Option("(none)", ""), ...fields.map((f) => new Option(`${f.name}${f.numeric ? " (numeric)" : ""}`, f.name)));
    if (fields.some((f) => f.name === keep)) $("plot-field").value = keep;
    document.body.dataset.plotSamples = String(r.samples);
    status(`${r.samples} sample(s) loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s` + (r.skipped ? ` (${r.skipped} without results skipped)` : "") + ".");
    return performance.now();
  }

  async function draw(loadedAt) {
    const kind = $("plot-kind").value;
    const { options: o, groupBy } = options(kind);
    $("plot-error").textContent = "";
    delete document.body.dataset.plotError;
    delete document.body.dataset.plot;
    status(`Drawing ${$("plot-kind").selectedOptions[0].textContent}…`);
    const r = await call({ type: "plot", kind, options: o, groupBy });
    spec = r.spec;
    view?.finalize();
    view = (await vegaEmbed("#plot", spec, { actions: false, renderer: "svg" })).view;
    $("plot-stats").textContent = statsLine(r.stats);
    const since = loadedAt ? `, ${((performance.now() - loadedAt) / 1000).toFixed(2)} s after the results loaded` : "";
    status(`Built in ${(r.seconds * 1000).toFixed(0)} ms${since}.`);
    const warnings = [...new Set([...r.warnings, ...(r.stats?.warnings ?? [])].map((w) => w.message))];
    $("plot-warnings").replaceChildren(...warnings.map((w) => Object.assign(document.createElement("li"), { textContent: w })));
    for (const b of ["plot-png", "plot-svg", "plot-csv"]) $(b).disabled = false;
    document.body.dataset.plot = kind;
  }

  let loaded = false;
  $("plot-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const at = loaded ? null : await loadSamples();
      if (at === undefined) return;
      loaded = true;
      await draw(at);
    } catch (e) {
      fail(e);
    }
  });
  $("plot-load").addEventListener("click", async () => {
    try {
      loaded = false;
      if ((await loadSamples()) !== undefined) loaded = true;
    } catch (e) {
      fail(e);
    }
  });
  $("plot-source").addEventListener("change", () => { loaded = false; });
  $("plot-kind").addEventListener("change", showChoices);
  showChoices();

  $("plot-png").addEventListener("click", async () => {
    const url = await view.toImageURL("png", 2);
    Object.assign(document.createElement("a"), { href: url, download: `${$("plot-kind").value}.png` }).click();
  });
  $("plot-svg").addEventListener("click", async () => download(`${$("plot-kind").value}.svg`, new Blob([await view.toSVG()], { type: "image/svg+xml" })));
  $("plot-csv").addEventListener("click", () => download(`${$("plot-kind").value}.csv`, new Blob([chartCsv(spec)], { type: "text/csv" })));

  return { reset: () => { loaded = false; } };
}
