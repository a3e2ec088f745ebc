// `upload FILES...`: the Python CLI's grouping (ONT groups, R1/R2 pairs, lanes) and prompts,
// tags, metadata, project by id, name or short name; each sample a resumable multipart upload
// of the library whose state is kept in the cache folder until it completes.
import fs from "node:fs";
import path from "node:path";
import { CliError, UsageError } from "../lib/errors.mjs";
import { allPaths, autoDetectPairs, concatenateMultilaneFiles, concatenateOntGroups, displayName } from "../lib/inputs.mjs";
import { confirm, prompt as ask } from "../lib/prompt.mjs";
import { progress } from "../lib/progress.mjs";
import { StateStore, uploadKey } from "../lib/resume.mjs";
import { idOf, writeOut } from "../lib/output.mjs";
import { MAX_THREADS_OPTION, oneCodexId } from "../lib/args.mjs";

const MAX_SAMPLES_AT_ONCE = 8;

/** `-md key=value` pairs; entries without `=` are ignored, as in the Python CLI. */
export function parseMetadata(list) {
  const out = {};
  for (const kv of list) {
    const i = kv.indexOf("=");
    if (i >= 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** A project by id, then by name, then by short name (`project_name`), as the Python client. */
export async function findProject(api, given) {
  if (/^[0-9a-f]{16}$/i.test(given)) {
    const p = await api.projects.get(given.toLowerCase()).catch((e) => (e?.status === 404 ? null : Promise.reject(e)));
    if (p) return p;
  }
  for (const field of ["name", "project_name"]) {
    const found = await api.projects.where({ [field]: given }, { limit: 1 }).catch((e) => (e?.code === "invalid_filter" ? [] : Promise.reject(e)));
    if (found.length) return found[0];
  }
  throw new CliError("not_found", `Project ${given} does not exist. Please create the project in One Codex then try again.`);
}

/**
 * What the library takes for one file entry: a path; lanes as a list of paths (streamed back to
 * back, named as Python names them); an ONT group as one File over the parts' lazy file-backed
 * Blobs, named as Python names it (its newest mtime keeps it the same file for a resume).
 */
async function libraryFile(f) {
  if (typeof f === "string") return f;
  if (!f.ont) return f.merged;
  const blobs = await Promise.all(f.merged.map((p) => fs.openAsBlob(p)));
  return new File(blobs, f.name, { lastModified: Math.floor(Math.max(...f.merged.map((p) => fs.statSync(p).mtimeMs))) });
}
const libraryFiles = (entry) => Promise.all((Array.isArray(entry) ? entry : [entry]).map(libraryFile));

async function ontPrompt(groups) {
  const nFiles = [...groups.values()].reduce((s, g) => s + g.size, 0);
  for (;;) {
    const a = await ask(`It appears there are ${groups.size} sample(s) split across ${nFiles} individual file(s). \nWould you like to merge files by sample?\n[Y]es; [n]o; [d]isplay files; [c]ancel (Y, n, d, c) [Y]`, { default: "Y" });
    if (a === "Y") return true;
    if (a === "n") return false;
    if (a === "c") throw new CliError("cancelled", "Upload canceled", { exitCode: 0 });
    if (a === "d") {
      for (const [name, members] of groups) {
        process.stderr.write(`${name}\n`);
        const list = [...members];
        list.forEach((m, i) => process.stderr.write(`${i === list.length - 1 ? "└──" : "├──"} ${m}\n`));
        process.stderr.write("\n");
      }
      continue;
    }
    process.stderr.write(`Error: '${a}' is not one of 'Y', 'n', 'd', 'c'.\n`);
  }
}

function pairPrompt(pairs, singles) {
  const list = pairs.map(([a, b]) => `\n  ${path.basename(a)}  &  ${path.basename(b)}`).join("");
  return confirm(`It appears there are ${pairs.length * 2} paired files (of ${pairs.length * 2 + singles} total):${list}\nInterleave them after upload?`, { defaultYes: true });
}

/** The entries to upload: each a path, a merged group, or a pair of those. */
export async function planUploads(ctx, o, files) {
  if ((o.forward || o.reverse) && !(o.forward && o.reverse)) throw new CliError("usage", "You must specify both forward and reverse files");
  if (o.forward) {
    if (files.length) throw new CliError("usage", "You may not pass a FILES argument when using the  --forward and --reverse options.");
    files = [[o.forward, o.reverse]];
  } else {
    if (new Set(files).size !== files.length) throw new CliError("usage", "Duplicate filenames detected in command line--please specific each file only once");
    files = await concatenateOntGroups(files, { prompt: o.prompt, ask: ontPrompt, warn: (m) => ctx.log(m) });
    files = await autoDetectPairs(files, { prompt: o.prompt, ask: pairPrompt });
  }
  return concatenateMultilaneFiles(files, { prompt: o.prompt, ask: () => confirm("This data appears to have been split across multiple sequencing lanes.\nConcatenate lanes before upload?", { defaultYes: true }) });
}

async function uploadOne(ctx, api, entry, options, store, onProgress) {
  const paths = allPaths(entry);
  const key = uploadKey(ctx.baseUrl, "sample", paths, options);
  const files = await libraryFiles(entry);
  const run = { ...options, onProgress, onStateChange: (s) => store.save(key, s) };
  const saved = store.load(key);
  let up;
  if (saved) {
    ctx.log(`Resuming the upload of ${displayName(Array.isArray(entry) ? entry[0] : entry)}`);
    try {
      up = api.samples.resumeUpload(saved, files, run);
    } catch (e) {
      ctx.debug(`The saved state cannot be resumed (${e.message}); starting again`);
      store.remove(key);
    }
  }
  up ??= api.samples.upload(files, run);
  let sample;
  try {
    sample = await up.done;
  } catch (e) {
    // A state the server no longer knows (expired, cancelled) is dropped; the next run starts over.
    if (saved && e?.code !== "network" && e?.code !== "timeout" && e?.code !== "upload_failed") store.remove(key);
    throw e;
  }
  store.remove(key);
  return sample;
}

export const uploadCommand = {
  name: "upload",
  help: "Upload a FASTA or FASTQ (optionally gzip'd) to One Codex.",
  options: {
    "max-threads": MAX_THREADS_OPTION,
    "coerce-ascii": { type: "boolean", help: "automatically rename unicode filenames to ASCII" },
    forward: { type: "string", metavar: "PATH", help: "Specify a forward reads file" },
    reverse: { type: "string", metavar: "PATH", help: "Specify a reverse reads file" },
    prompt: { type: "boolean", negatable: true, default: true, help: "Manually prompt about automatic paired file interleaving. Setting --no-prompt will allow running without any user intervention, e.g. in a script." },
    tag: { type: "string", short: "t", multiple: true, metavar: "TEXT", help: "Add one or more tags to all uploaded samples e.g., `--tag \"Cohort A\"`." },
    metadata: { type: "string", longShort: "md", multiple: true, metavar: "TEXT", help: "Add metadata to all uploaded samples, e.g. `-md starred=true -md name=\"Sample 1\"`." },
    project: { type: "string", short: "p", metavar: "TEXT", help: "Associate uploaded files with a project (by UUID, name or short name)." },
    "sample-id": { type: "string", metavar: "ID", help: "Upload into a pre-uploaded sample with this ID.", parse: (v) => oneCodexId(v, "--sample-id") },
    "external-sample-id": { type: "string", metavar: "TEXT", help: "Upload into the pre-uploaded sample with this external sample ID." },
  },
  args: [{ name: "FILES", key: "files", variadic: true }],
  async run(ctx, o, { files }) {
    for (const f of [...files, o.forward, o.reverse].filter(Boolean)) {
      if (!fs.existsSync(f)) throw new UsageError(`Invalid value for '[FILES]...': Path '${f}' does not exist.`);
    }
    if (!files.length && !o.forward && !o.reverse) return "help";
    const api = await ctx.api();
    const entries = await planUploads(ctx, o, files);
    if ((o["sample-id"] || o["external-sample-id"]) && entries.length > 1) {
      throw new CliError("usage", "Please only specify a single file or pair of files to upload if using `sample_id` or `external_sample_id`");
    }
    const metadata = parseMetadata(o.metadata);
    const options = {
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(o.tag.length ? { tags: o.tag } : {}),
      ...(o.project ? { project: idOf(await findProject(api, o.project)) } : {}),
      ...(o["coerce-ascii"] ? { coerceAscii: true } : {}),
      ...(o["sample-id"] ? { sampleId: o["sample-id"] } : {}),
      ...(o["external-sample-id"] ? { externalSampleId: o["external-sample-id"] } : {}),
    };
    const total = entries.flatMap(allPaths).reduce((s, p) => s + fs.statSync(p).size, 0);
    const bar = progress(ctx, "Uploading...", total);
    const loaded = new Map();
    const store = new StateStore();
    const queue = entries.map((e, i) => [e, i]);
    const results = [];
    const failures = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [entry, i] = next;
        const onProgress = (p) => { loaded.set(i, p.loaded); bar.update([...loaded.values()].reduce((a, b) => a + b, 0), total); };
        try {
          results[i] = await uploadOne(ctx, api, entry, options, store, onProgress);
        } catch (e) {
          failures.push([entry, e]);
        }
      }
    };
    const threads = Math.min(o["max-threads"], MAX_SAMPLES_AT_ONCE);
    await Promise.all(Array.from({ length: Math.min(threads, entries.length) }, worker));
    if (!failures.length) bar.done();
    for (const s of results) if (s) await writeOut(`${idOf(s)}\n`);
    if (failures.length === 1 && entries.length === 1) throw failures[0][1];
    for (const [entry, e] of failures) ctx.fail(`Error [${e?.code ?? "internal"}]: ${displayName(Array.isArray(entry) ? entry[0] : entry)}: ${e?.message ?? e}`);
  },
};
