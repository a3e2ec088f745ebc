// `scripts export_functional_metric`: one CSV of a functional metric for a project's samples or
// given sample ids, long or wide, as the Python client's script writes it (its headers, value
// format and row order), from the package's functional tables.
import fs from "node:fs";
import { CliError } from "../lib/errors.mjs";
import { idOf } from "../lib/output.mjs";
import { progress } from "../lib/progress.mjs";

const PATHWAY_METRICS = { abundance: "Abundance", complete_abundance: "CompleteAbundance", coverage: "Coverage" };
const OTHER_METRICS = { cpm: "Cpm", rpk: "Rpk" };
const ANNOTATIONS = ["pathways", "metacyc", "eggnog", "go", "ko", "ec", "pfam", "reaction"];
const metricsFor = (annotation) => (annotation === "pathways" ? PATHWAY_METRICS : OTHER_METRICS);

/** Python's csv.writer (excel dialect): quotes only fields with `,`, `"`, CR or LF; CRLF rows. */
export function pyCsvRow(cells) {
  return `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")}\r\n`;
}

/** Python's f"{x:.{digits}f}": correctly rounded from the binary value, exact ties to even. */
export function pyFixed(x, digits) {
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const tie = new RegExp(`\\.\\d{${digits}}50*$`).test(exact);
  if (!tie) return x.toFixed(digits);
  const scaled = Math.trunc(Math.abs(x) * 10 ** digits);
  const kept = scaled % 2 === 0 ? scaled : scaled + 1;
  return `${x < 0 ? "-" : ""}${(kept / 10 ** digits).toFixed(digits)}`;
}

/** Python's parse_functional_taxon_name: the species of `s__Genus_species`, with spaces. */
export function taxonName(name) {
  const m = /s__([\p{L}\p{N}_]+)/iu.exec(name);
  return m ? m[1].split("_").filter(Boolean).join(" ") : name;
}

// A run's sample: a reference, or the sample itself when the listing expanded it.
const sampleUri = (run) => run.sample?.$ref ?? run.sample?.$uri;
const valueText = (v) => (v === null || v === undefined || Number.isNaN(v) ? "" : pyFixed(v, 3));

async function projectOf(api, given) {
  if (/^[0-9a-f]{16}$/i.test(given)) {
    const p = await api.projects.get(given.toLowerCase()).catch(() => null);
    if (p) return p;
  }
  const [p] = await api.projects.where({ name: given }, { limit: 1 });
  if (!p) throw new CliError("not_found", `No project exists with name or ID '${given}'.`);
  return p;
}

function stamp(d = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}-${p(d.getMinutes())}`;
}

export const exportFunctionalMetric = {
  name: "export_functional_metric",
  help: "Export a single CSV file containing functional metric data for requested samples. Both long and wide formats are supported.",
  options: {
    out: { type: "string", short: "o", metavar: "TEXT", help: "A CSV filename for where to save the output" },
    annotation: { type: "string", short: "a", required: true, metavar: "TEXT", help: `Choose a functional annotation that you'd like to pull from the functional results, one of: ${ANNOTATIONS.join(", ")}.` },
    metric: { type: "string", short: "m", required: true, metavar: "TEXT", help: "Choose a functional metric: abundance, complete_abundance or coverage for pathways; cpm or rpk for other annotations." },
    "not-taxa-stratified": { type: "boolean", help: "Skip taxa stratification of the results." },
    project: { type: "string", short: "p", metavar: "TEXT", help: "Provide the project from which the samples should be exported. Can be project name or id. Provide either this option or explicit sample ids." },
    "sample-ids": { type: "string", short: "s", metavar: "TEXT", help: "Provide a comma separated list of sample ids for the samples that should be exported. Provide either this option or a project." },
    "table-format": { type: "string", default: "long", metavar: "TEXT", help: "Choose either the wide format or long (default)." },
  },
  async run(ctx, o) {
    if (!o.project && !o["sample-ids"]) throw new CliError("invalid_argument", "Either --project or --sample-ids needs to be provided");
    if (o.project && o["sample-ids"]) throw new CliError("invalid_argument", "Only one of --project or --sample-ids can be provided");
    const metric = o.metric.toLowerCase();
    const annotation = o.annotation.toLowerCase();
    if (!ANNOTATIONS.includes(annotation)) throw new CliError("invalid_argument", `Invalid annotation: '${annotation}'`);
    if (!(metric in metricsFor(annotation))) throw new CliError("invalid_argument", `Metric: '${metric}' is not a valid metric for annotation: '${annotation}'`);
    const stratified = !o["not-taxa-stratified"];
    const out = o.out ?? `functional_${annotation}_${metric}_${stamp()}.csv`;
    const api = await ctx.api();
    let samples;
    if (o.project) {
      ctx.log(`Fetching samples for project: ${o.project}`);
      samples = await api.samples.where({ project: idOf(await projectOf(api, o.project)) });
    } else {
      ctx.log(`Fetching samples: ${o["sample-ids"]}`);
      // By id, one request each (Python filters on `uuid`, a field the API may not take).
      const ids = [...new Set(o["sample-ids"].split(",").map((x) => x.trim()).filter(Boolean))];
      samples = (await Promise.all(ids.map((id) => api.samples.get(id).catch(() => null)))).filter(Boolean);
    }
    if (!samples.length) throw new CliError("not_found", "No matching samples found");
    const byUri = new Map(samples.map((s) => [s.$uri, s]));
    const runs = await api.functionalProfiles.where({ sample: { $in: samples.map(idOf) } });
    // Each run's sample metadata: expanded already in some listings, else resolved in one go.
    const metaOf = (run) => byUri.get(sampleUri(run))?.metadata ?? null;
    const refs = runs.map(metaOf).filter((m) => m && m.$ref);
    const resolved = refs.length ? await api.resolveAll(refs) : [];
    const metaByUri = new Map(refs.map((m, i) => [m.$ref, resolved[i]]));
    const metadata = runs.map((r) => { const m = metaOf(r); return m?.$ref ? metaByUri.get(m.$ref) ?? null : m; });
    const base = stratified ? ["Function ID", "Function Name", "Taxon ID", "Taxon Name"] : ["Function ID", "Function Name"];
    const long = o["table-format"] === "long";
    const fd = fs.openSync(out, "w");
    if (long) {
      const head = stratified ? ["Functional Run ID", "Sample Name", "Sample ID", "Function ID", "Function Name", "Taxon ID", "Taxon Name"] : ["Functional Run ID", "Sample Name", "Sample ID", "Function ID", "Function Name"];
      fs.writeSync(fd, pyCsvRow([...head, metricsFor(annotation)[metric]]));
    }
    const wideHeaders = [...base];
    const wideRows = new Map(); // key → [cells…, value per run]
    const bar = progress(ctx, "Downloading functional results", runs.length, { unit: "count" });
    try {
      for (const [i, run] of runs.entries()) {
        const sample = byUri.get(sampleUri(run));
        const sampleId = sample ? idOf(sample) : "";
        const sampleName = metadata[i]?.name || sample?.filename || "";
        const runId = idOf(run);
        const table = await api.functionalProfiles.table(runId, { annotation, metric, taxaStratified: stratified });
        const rows = table.rows();
        table.free?.();
        if (long) {
          let text = "";
          for (const r of rows) {
            const cells = [runId, sampleName, sampleId, r.id ?? "", r.name ?? ""];
            if (stratified) cells.push(String(r.taxon_id || ""), taxonName(r.taxon_name || ""));
            cells.push(valueText(r.value));
            text += pyCsvRow(cells);
          }
          fs.writeSync(fd, text);
        } else {
          const column = wideHeaders.length;
          wideHeaders.push(`${sampleName} (run id ${runId})`);
          for (const r of rows) {
            const tid = String(r.taxon_id || "");
            const tname = taxonName(r.taxon_name || "");
            const key = stratified ? JSON.stringify([r.id, tname, tid]) : String(r.id);
            if (!wideRows.has(key)) wideRows.set(key, { cells: stratified ? [r.id ?? "", r.name ?? "", tid, tname] : [r.id ?? "", r.name ?? ""], values: new Map(), functionId: r.id });
            wideRows.get(key).values.set(column, valueText(r.value));
          }
        }
        bar.update(i + 1, runs.length);
      }
      bar.done();
      if (!long) {
        ctx.log("Pivoting to wide format table");
        // Function names as first seen for an id (Python's function_names), whatever the taxon.
        const names = new Map();
        for (const row of wideRows.values()) if (!names.has(row.functionId)) names.set(row.functionId, row.cells[1]);
        fs.writeSync(fd, pyCsvRow(wideHeaders));
        for (const row of wideRows.values()) {
          const cells = [...row.cells];
          cells[1] = names.get(row.functionId) ?? "";
          for (let c = base.length; c < wideHeaders.length; c++) cells.push(row.values.get(c) ?? "");
          fs.writeSync(fd, pyCsvRow(cells));
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    ctx.log(`Exported ${runs.length} functional results`);
  },
};
