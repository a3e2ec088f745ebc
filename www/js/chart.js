// Several samples: a stacked bar chart of the top genera (Vega-Lite through vega-embed, bundled
// locally) from a collection fetched by the package, and CSV export of the matrix.
import { vegaEmbed } from "../vendor/vega.js";
import { describeError } from "./errors.js";

const $ = (id) => document.getElementById(id);
const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

function matrixCsv(m, labels) {
  const lines = [["sample", ...m.columnNames].map(csvCell).join(",")];
  for (let r = 0; r < m.rowIds.length; r++) {
    const row = Array.from(m.values.subarray(r * m.columnIds.length, (r + 1) * m.columnIds.length));
    lines.push([labels[r], ...row].map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}

export function createChart(getClient, shownSamples) {
  let collection = null;
  let labels = [];

  $("chart-samples").addEventListener("click", async () => {
    const ocx = getClient();
    const samples = shownSamples().filter((s) => s.primary_classification).slice(0, 12);
    if (!ocx || samples.length === 0) return;
    $("chart-note").textContent = `Fetching ${samples.length} classification(s)…`;
    try {
      collection?.free();
      collection = await ocx.collection(samples, {
        skipMissing: true,
        onProgress: (p) => { $("chart-note").textContent = `Fetched ${p.done} of ${p.total}…`; },
      });
      const byClassification = new Map(samples.map((s) => [s.primary_classification.$ref?.split("/").pop() ?? s.primary_classification.$uri?.split("/").pop(), s.filename]));
      const bar = collection.barChart({ rank: "genus", topN: 10 });
      labels = bar.rowIds.map((id) => byClassification.get(id) ?? id);
      const chart = collection.barChart({ rank: "genus", topN: 10, labels });
      await vegaEmbed("#chart", chart.spec, { actions: false, renderer: "svg" });
      $("chart-note").textContent = `Top 10 genera of ${bar.rowIds.length} sample(s) (${chart.valueName}).`;
      $("export-matrix").disabled = false;
      document.body.dataset.chart = String(bar.rowIds.length);
    } catch (e) {
      $("chart-note").textContent = describeError(e);
    }
  });

  $("export-matrix").addEventListener("click", () => {
    if (!collection) return;
    const m = collection.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
    const url = URL.createObjectURL(new Blob([matrixCsv(m, labels)], { type: "text/csv" }));
    Object.assign(document.createElement("a"), { href: url, download: "genus-matrix.csv" }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
}
