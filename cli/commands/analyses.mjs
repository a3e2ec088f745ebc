// `analyses [IDS]...` and its subcommands (`await`, `cancel`, `download`, `files`, `logs`), the
// top-level `await`, and `classifications` with `--results` / `--read-level`.
import fs from "node:fs";
import path from "node:path";
import { CliError, UsageError } from "../lib/errors.mjs";
import { listingCommand, LISTING_OPTIONS, runListing } from "./listing.mjs";
import { printJson, writeOut } from "../lib/output.mjs";
import { sizeText, printTable } from "../lib/table.mjs";
import { downloadProgress } from "../lib/progress.mjs";

const ANALYSIS_COLUMNS = ["id", "analysis_type", "job", "sample", "complete", "success", "created_at"];
const ANALYSIS_ID = [{ name: "ANALYSIS_ID", key: "id", required: true, type: "id" }];

function wholeAtLeast(min) {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`'${v}' is not a valid integer.`);
    if (n < min) throw new Error(`${v} is not in the range x>=${min}.`);
    return n;
  };
}

async function getAnalysis(api, id) {
  const a = await api.analyses.get(id);
  if (!a) throw new CliError("not_found", `Could not find analysis ${id} (404 status code)`);
  return a;
}

const awaitCommand = {
  name: "await",
  help: "Poll an analysis until it reaches a terminal state.",
  options: {
    timeout: { type: "string", metavar: "FLOAT", help: "Maximum number of seconds to wait. Waits indefinitely if not set.", parse: (v) => { const n = Number(v); if (!Number.isFinite(n)) throw new Error(`'${v}' is not a valid float.`); return n; } },
    "initial-interval": { type: "string", metavar: "INTEGER RANGE", default: 5, parse: wholeAtLeast(5), help: "Seconds between the first polls (minimum 5).  [default: 5; x>=5]" },
    "max-interval": { type: "string", metavar: "INTEGER RANGE", default: 120, parse: wholeAtLeast(5), help: "Upper bound (in seconds) on the polling interval after backoff (minimum 5).  [default: 120; x>=5]" },
  },
  args: ANALYSIS_ID,
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    await getAnalysis(api, id);
    let done;
    try {
      done = await api.analyses.awaitCompletion(id, {
        ...(o.timeout !== undefined ? { timeoutMs: o.timeout * 1000 } : {}),
        initialIntervalMs: o["initial-interval"] * 1000,
        maxIntervalMs: o["max-interval"] * 1000,
      });
    } catch (e) {
      if (e?.code === "timeout") throw new CliError("timeout", e.message);
      throw e;
    }
    await writeOut(`Analysis ${id} complete (success=${pyBool(done.success)}).\n`);
    if (done.error_msg) ctx.log(`Error: ${done.error_msg}`);
    if (done.success === false) ctx.exitCode = 1;
  },
};

const pyBool = (v) => (v === true ? "True" : v === false ? "False" : "None");

const cancelCommand = {
  name: "cancel",
  help: "Cancel an in-progress analysis.\n\nOnly in-progress Custom Workflow runs may be canceled, and only by the user who\ninitiated the run or an admin in their org.",
  args: ANALYSIS_ID,
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    await getAnalysis(api, id);
    const after = await api.analyses.cancel(id);
    await writeOut(`Cancellation requested for analysis ${id}.\n`);
    if (!after?.complete) ctx.log(`Cancellation is asynchronous, await using \`onecodex analyses await ${id}\``);
  },
};

const logsCommand = {
  name: "logs",
  help: "Fetch the job run logs for an analysis.",
  options: { tail: { type: "string", metavar: "INTEGER RANGE", default: 1000, parse: wholeAtLeast(1), help: "Fetch only the last N log lines.  [default: 1000; x>=1]" } },
  args: ANALYSIS_ID,
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    await getAnalysis(api, id);
    await writeOut(await api.analyses.logs(id, { tail: o.tail }));
  },
};

const filesCommand = {
  name: "files",
  help: "List the output files of an analysis.",
  options: { json: { type: "boolean", help: "Output JSON instead of prettified table" } },
  args: ANALYSIS_ID,
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    await getAnalysis(api, id);
    const files = await api.analyses.getFiles(id);
    if (o.json) return printJson(files, { pretty: ctx.pretty });
    if (!files.length) return writeOut(`Analysis ${id} has no output files.\n`);
    const rows = [...files].sort((a, b) => (a.filepath < b.filepath ? -1 : a.filepath > b.filepath ? 1 : 0)).map((f) => [f.filepath, sizeText(f.size)]);
    await printTable([["Filepath", 66], ["Size", 9]], rows);
  },
};

/** Where each output file goes, refusing anything outside OUTDIR or already there (as Python). */
function planDownloads(id, files, outdir) {
  const plan = new Map();
  for (const f of files) {
    const out = path.resolve(outdir, f.filepath.replace(/^\/+/, ""));
    if (out === outdir || !out.startsWith(outdir + path.sep)) throw new CliError("invalid_argument", `Refusing to write '${f.filepath}' outside of ${outdir}.`);
    if (fs.existsSync(out)) throw new CliError("file_exists", `${out} already exists. Will not overwrite.`);
    if (plan.has(out)) throw new CliError("invalid_argument", `Analysis ${id} lists both '${plan.get(out).filepath}' and '${f.filepath}' as output files, which both resolve to ${out}.`);
    plan.set(out, f);
  }
  for (const [out, f] of plan) {
    for (let parent = path.dirname(out); parent !== outdir; parent = path.dirname(parent)) {
      if (plan.has(parent)) throw new CliError("invalid_argument", `Analysis ${id} lists '${plan.get(parent).filepath}' as an output file and as a directory containing '${f.filepath}'.`);
      if (fs.existsSync(parent) && !fs.statSync(parent).isDirectory()) throw new CliError("invalid_argument", `Cannot save '${f.filepath}': ${parent} already exists and is not a directory.`);
    }
  }
  return plan;
}

const downloadCommand = {
  name: "download",
  help: "Download the output files of an analysis.",
  options: {
    out: { type: "string", short: "o", default: ".", metavar: "DIRECTORY", help: "Directory where output file(s) will be saved. Created if it doesn't exist.  [default: .]" },
    file: { type: "string", short: "f", multiple: true, metavar: "TEXT", help: "Download a specific output file by its filepath (see `onecodex analyses files`). Can be passed multiple times. By default, all output files are downloaded." },
  },
  args: ANALYSIS_ID,
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    await getAnalysis(api, id);
    let files = await api.analyses.getFiles(id);
    if (o.file.length) {
      const missing = o.file.filter((p) => !files.some((f) => f.filepath === p));
      if (missing.length) throw new CliError("not_found", `Analysis ${id} has no output file(s): ${missing.join(", ")}`);
      files = o.file.map((p) => files.find((f) => f.filepath === p));
    }
    if (!files.length) return ctx.log(`Analysis ${id} has no output files.`);
    const outdir = path.resolve(o.out);
    for (const [out, f] of planDownloads(id, files, outdir)) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const bar = downloadProgress(ctx, f.filepath, f.size);
      await api.analyses.downloadFile(id, f.filepath, { path: out, onProgress: bar.update });
      bar.done();
      ctx.log(`${f.filepath} saved to ${out}`);
    }
  },
};

export const analysesCommand = listingCommand({
  name: "analyses",
  label: "Analyses",
  help: "Retrieve performed analyses.\n\nWith no arguments, lists all analyses in your account. Pass one or more\nanalysis IDs to fetch those analyses specifically.",
  tableColumns: ANALYSIS_COLUMNS,
  extra: { subcommands: [awaitCommand, cancelCommand, downloadCommand, filesCommand, logsCommand] },
});

export const topLevelAwait = { ...awaitCommand };

export const classificationsCommand = {
  name: "classifications",
  help: "Retrieve performed metagenomic classifications.\n\nWith no arguments, lists all classifications in your account. Pass one or\nmore classification IDs to fetch those classifications specifically.",
  options: {
    "read-level": { type: "boolean", help: "Get the read-level data as a .tsv file" },
    "read-level-path": { type: "string", default: "./", metavar: "PATH", help: "Output path or directory for a .tsv file with the raw read-level results. Defaults to original filename in the current working directory" },
    results: { type: "boolean", help: "Get a JSON array of the metagenomic classification results table" },
    ...LISTING_OPTIONS,
  },
  args: [{ name: "CLASSIFICATIONS", key: "ids", variadic: true, type: "id" }],
  async run(ctx, o, { ids }) {
    if (!o.results && !o["read-level"]) {
      return runListing(ctx, { resource: "classifications", label: "Classifications", tableColumns: ANALYSIS_COLUMNS }, o, ids);
    }
    if (o.results && o["read-level"]) throw new UsageError("Can only request one of read-level data or results data at a time");
    const what = o.results ? "results" : "read-level";
    if (ids.length !== 1) throw new UsageError(`Can only request ${what} data on one Classification at a time`);
    const api = await ctx.api();
    const [id] = ids;
    const c = await api.classifications.get(id);
    if (!c) throw new CliError("not_found", `Could not find classification ${id} (404 status code)`);
    if (o.results) {
      const results = await api.classifications.results(id);
      return printJson(results, { pretty: ctx.pretty });
    }
    let dest = o["read-level-path"];
    // A path ending in a slash is a folder (made if missing). In a folder the file is named as
    // the Python CLI names it: the last segment of the read-level link.
    if (/[\\/]$/.test(dest)) fs.mkdirSync(dest, { recursive: true });
    if (fs.existsSync(dest) && fs.statSync(dest).isDirectory()) {
      const url = await api.classifications.readlevelUrl(id);
      dest = path.join(dest, decodeURIComponent(new URL(url).pathname.split("/").pop() || `${id}.tsv.gz`));
    }
    const bar = downloadProgress(ctx, "read-level", undefined);
    const r = await api.classifications.downloadReadlevel(id, { path: dest, onProgress: bar.update });
    bar.done();
    ctx.log(`Read-level data saved to ${r.path}`);
  },
};
