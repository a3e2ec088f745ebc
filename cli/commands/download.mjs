// `download samples OUTDIR`: all samples, a project's, tagged ones or given ids, a few files at
// a time; an existing file is never overwritten (it is skipped, and said so), and the partial
// file (`<name>.part`) of an interrupted run is continued by the next one.
import fs from "node:fs";
import path from "node:path";
import { CliError, UsageError } from "../lib/errors.mjs";
import { confirm } from "../lib/prompt.mjs";
import { progress } from "../lib/progress.mjs";
import { idOf } from "../lib/output.mjs";
import { oneCodexId } from "../lib/args.mjs";

const FILES_AT_ONCE = 3;
const MIN_SAMPLES_FOR_PROMPT = 50;

/** The Python client's name: `<first piece>_<id>.<other pieces>` of the sample's filename. */
export function downloadFilename(sample) {
  const [first, ...rest] = String(sample.filename ?? idOf(sample)).split(".");
  return [`${first}_${idOf(sample)}`, ...rest].join(".");
}

async function projectOf(api, given) {
  if (/^[0-9a-f]{16}$/i.test(given)) {
    const p = await api.projects.get(given.toLowerCase()).catch(() => null);
    if (p) return p;
  }
  const [byName] = await api.projects.where({ name: given }, { limit: 1 });
  if (byName) return byName;
  throw new CliError("not_found", `No project exists with name or ID '${given}'.`);
}

async function selectSamples(ctx, api, o) {
  let samples = [];
  if (o.sample.length) {
    for (const id of o.sample) {
      const s = await api.samples.get(id);
      if (s) samples.push(s);
      else ctx.log(`Warning: No sample found with ID '${id}'.`);
    }
  } else if (o.project) {
    const p = await projectOf(api, o.project);
    samples = await api.samples.where({ project: idOf(p) });
  } else {
    samples = await api.samples.where(null);
  }
  if (o.tags.length) {
    const wanted = new Set();
    for (const name of o.tags) {
      const [tag] = await api.tags.where({ name }, { limit: 1 });
      if (tag) wanted.add(tag.$uri);
      else ctx.log(`Warning: No tag found: '${name}'.`);
    }
    // Python downloads every sample when none of the tags exists (a typo fetches the account);
    // here no tag found means no sample matches.
    samples = samples.filter((s) => (s.tags ?? []).some((t) => wanted.has(t.$ref ?? t.$uri)));
  }
  return samples;
}

export const downloadCommand = {
  name: "download",
  help: "Download data from One Codex.",
  subcommands: [{
    name: "samples",
    help: "Download FASTA/Q files from One Codex.\n\nSamples may optionally be filtered by project and/or tags, or selected directly by ID with\n--sample. By default, all samples in your account will be downloaded.\n\nOUTDIR is the name of the output directory where downloaded files will be saved.",
    options: {
      project: { type: "string", metavar: "TEXT", help: "Filter to samples in a given project. Can be project name or UUID." },
      tags: { type: "string", short: "t", multiple: true, metavar: "TEXT", help: "Filter to samples that include *any* of these tag names." },
      sample: { type: "string", short: "s", multiple: true, metavar: "ID", parse: (v) => oneCodexId(v, "-s/--sample"), help: "Download a specific sample by its ID. Can be passed multiple times. Mutually exclusive with --project and --tags." },
      prompt: { type: "boolean", negatable: true, default: true, help: "Prompt for confirmation before downloading a large number of samples. Setting --no-prompt will allow running without any user intervention, e.g. in a script." },
    },
    args: [{ name: "OUTDIR", key: "outdir", required: true }],
    async run(ctx, o, { outdir }) {
      if (o.sample.length && (o.project || o.tags.length)) throw new UsageError("--sample-id cannot be combined with --project or --tags.");
      if (fs.existsSync(outdir) && !fs.statSync(outdir).isDirectory()) throw new UsageError(`Invalid value for 'OUTDIR': Directory '${outdir}' is a file.`);
      const api = await ctx.api();
      const samples = await selectSamples(ctx, api, o);
      if (!samples.length) return ctx.log("No samples match the filter criteria; nothing to download.");
      if (o.prompt && samples.length >= MIN_SAMPLES_FOR_PROMPT && !(await confirm(`Are you sure you'd like to download ${samples.length} samples?`))) return;
      fs.mkdirSync(outdir, { recursive: true });
      const todo = [];
      for (const s of samples) {
        const dest = path.join(outdir, downloadFilename(s));
        if (fs.existsSync(dest)) ctx.log(`Skipping download of sample ${idOf(s)} to ${dest}: the file exists`);
        else todo.push([s, dest]);
      }
      const total = todo.reduce((n, [s]) => n + (s.size ?? 0), 0);
      const bar = progress(ctx, `Downloading ${todo.length} sample${todo.length === 1 ? "" : "s"}...`, total);
      const got = new Map();
      const queue = [...todo];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [s, dest] = next;
          try {
            const onProgress = ({ bytes }) => {
              got.set(dest, bytes);
              bar.update([...got.values()].reduce((a, b) => a + b, 0), total);
            };
            const r = await api.samples.download(s, { path: dest, resume: true, onProgress });
            if (r.continued > 0) ctx.log(`Continued the partial download of sample ${idOf(s)} to ${dest}`);
            ctx.debug(`${idOf(s)} saved to ${dest}`);
          } catch (e) {
            ctx.fail(`Error [${e?.code ?? "internal"}]: skipping download of sample ${idOf(s)} to ${dest}: ${e?.message ?? e}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, todo.length) }, worker));
      bar.done();
    },
  }],
};
