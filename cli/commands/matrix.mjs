// `matrix`: a classification matrix (rows: classifications, columns: taxa) of some samples as
// CSV, built by the package's tables module: the samples given by id, a project's, or tagged.
import fs from "node:fs";
import { CliError, UsageError } from "../lib/errors.mjs";
import { csvLine, idOf, writeOut } from "../lib/output.mjs";
import { progress } from "../lib/progress.mjs";

const positiveInt = (v) => { const n = Number(v); if (!Number.isInteger(n) || n < 1) throw new Error(`'${v}' is not a whole number ≥ 1.`); return n; };

async function projectOf(api, given) {
  if (/^[0-9a-f]{16}$/i.test(given)) {
    const p = await api.projects.get(given.toLowerCase()).catch(() => null);
    if (p) return p;
  }
  for (const field of ["name", "project_name"]) {
    const [p] = await api.projects.where({ [field]: given }, { limit: 1 });
    if (p) return p;
  }
  throw new CliError("not_found", `No project exists with name or ID '${given}'.`);
}

async function samplesFor(ctx, api, o, ids) {
  // Sample URIs (a bare id would be read as a classification's).
  if (ids.length) return ids.map((id) => ({ $uri: `/api/v1/samples/${id}` }));
  const where = {};
  if (o.project) where.project = idOf(await projectOf(api, o.project));
  let samples = await api.samples.where(Object.keys(where).length ? where : null);
  if (o.tags.length) {
    const wanted = new Set();
    for (const name of o.tags) {
      const [tag] = await api.tags.where({ name }, { limit: 1 });
      if (tag) wanted.add(tag.$uri); else ctx.log(`Warning: No tag found: '${name}'.`);
    }
    samples = samples.filter((s) => (s.tags ?? []).some((t) => wanted.has(t.$ref)));
  }
  return samples;
}

export const matrixCommand = {
  name: "matrix",
  help: "Write a classification matrix as CSV: one row per sample's classification, one column per\ntaxon (tax ids; --names for taxon names), for the samples given by ID, a project, or tags.",
  options: {
    project: { type: "string", short: "p", metavar: "TEXT", help: "Samples of a project (by UUID, name or short name)." },
    tags: { type: "string", short: "t", multiple: true, metavar: "TEXT", help: "Samples with any of these tag names." },
    rank: { type: "string", default: "auto", metavar: "RANK", help: "Taxonomic rank (superkingdom … species), or auto.  [default: auto]" },
    metric: { type: "string", default: "auto", metavar: "METRIC", help: "readcount_w_children, abundance_w_children, normalized_readcount_w_children, …, or auto.  [default: auto]" },
    top: { type: "string", metavar: "N", parse: positiveInt, help: "Keep the N most abundant taxa (by mean)." },
    names: { type: "boolean", help: "Column headers are taxon names instead of tax ids." },
    output: { type: "string", short: "o", metavar: "FILE", help: "Write to FILE instead of stdout." },
  },
  args: [{ name: "SAMPLE_IDS", key: "ids", variadic: true, type: "id" }],
  async run(ctx, o, { ids }) {
    if (ids.length && (o.project || o.tags.length)) throw new UsageError("SAMPLE_IDS cannot be combined with --project or --tags.");
    const api = await ctx.api();
    const samples = await samplesFor(ctx, api, o, ids);
    if (!samples.length) throw new CliError("not_found", "No samples match the filter criteria.");
    const bar = progress(ctx, "Fetching results", undefined, { unit: "count" });
    const collection = await api.collection(samples, { onProgress: ({ done, total }) => bar.update(done, total) });
    bar.done();
    let m;
    try {
      m = collection.toMatrix({ rank: o.rank, metric: o.metric, ...(o.top ? { topN: o.top } : {}) });
    } catch (e) {
      if (e?.code === "invalid_argument") throw new UsageError(e.message);
      throw e;
    }
    for (const w of m.warnings ?? []) ctx.log(`Warning: ${w.message ?? JSON.stringify(w)}`);
    const header = ["classification_id", ...(o.names ? m.columnNames : m.columnIds)];
    const cols = m.columnIds.length;
    let text = csvLine(header);
    m.rowIds.forEach((row, r) => {
      text += csvLine([row, ...Array.from(m.values.subarray(r * cols, (r + 1) * cols), (v) => String(v))]);
    });
    if (o.output) fs.writeFileSync(o.output, text);
    else await writeOut(text);
    ctx.log(`${m.rowIds.length} classifications × ${cols} taxa at rank ${m.rank}, metric ${m.metric}`);
  },
};
