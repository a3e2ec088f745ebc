// `documents list|upload|download` and `assets list|upload`.
import fs from "node:fs";
import path from "node:path";
import { CliError, UsageError } from "../lib/errors.mjs";
import { LISTING_OPTIONS, listingQuery, matching, printListing } from "./listing.mjs";
import { idOf } from "../lib/output.mjs";
import { printTable, sizeText } from "../lib/table.mjs";
import { progress } from "../lib/progress.mjs";
import { MAX_THREADS_OPTION } from "../lib/args.mjs";

const byNewest = (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at);
const day = (iso) => (iso ? String(iso).slice(0, 10) : "");

/** `--json` is the Python CLI's switch; `--format` (and the query options) are ours. */
async function listFiles(ctx, o, resource, empty, tableOf) {
  const q = listingQuery(o);
  const api = await ctx.api();
  const items = matching(api[resource], q.where, q.options);
  if (o.json || o.format) return printListing(ctx, items, o.json ? "json" : q.format, ["id", "filename", "size", "created_at"]);
  const all = [];
  for await (const page of items) all.push(...page);
  if (!all.length) { ctx.log(empty); return; }
  await tableOf(api, all.sort(byNewest));
}

async function uploadFiles(ctx, files, resource, extra) {
  const api = await ctx.api();
  const total = files.reduce((s, f) => s + fs.statSync(f).size, 0);
  const bar = progress(ctx, "Uploading...", total);
  let base = 0;
  for (const f of files) {
    const size = fs.statSync(f).size;
    const up = api[resource].upload(f, { ...extra, onProgress: (p) => bar.update(base + p.loaded, total) });
    const obj = await up.done;
    base += size;
    ctx.debug(`${f} uploaded as ${idOf(obj)}`);
  }
  bar.done();
}

const documentsList = {
  name: "list",
  help: "List files available to you",
  options: { json: { type: "boolean", help: "Output JSON instead of prettified table" }, ...LISTING_OPTIONS },
  run: (ctx, o) => listFiles(ctx, o, "documents", "You haven't uploaded any files yet, and no files have been shared with you.", async (api, docs) => {
    const uploaders = await api.resolveAll(docs.map((d) => d.uploader ?? null)).catch(() => docs.map(() => null));
    await printTable([["ID", 16], ["Name", 32], ["Owner", 23], ["Size", 9], ["Created On", 10]],
      docs.map((d, i) => [idOf(d), d.filename, uploaders[i]?.email ?? "", d.size ? sizeText(d.size) : "N/A", day(d.created_at)]));
  }),
};

const documentsUpload = {
  name: "upload",
  help: "Upload a file to the Document Portal",
  options: { "max-threads": MAX_THREADS_OPTION },
  args: [{ name: "FILES", key: "files", variadic: true }],
  async run(ctx, o, { files }) {
    if (!files.length) return "help";
    for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`Invalid value for '[FILES]...': Path '${f}' does not exist.`);
    await uploadFiles(ctx, files, "documents", {});
  },
};

const documentsDownload = {
  name: "download",
  help: "Download a file that has been shared with you",
  options: { "output-document": { type: "string", short: "O", metavar: "PATH", help: "Write document to PATH" } },
  args: [{ name: "FILE_ID", key: "id", required: true, type: "id" }],
  async run(ctx, o, { id }) {
    const api = await ctx.api();
    const doc = await api.documents.get(id);
    if (!doc) throw new CliError("not_found", `Could not find document ${id} (404 status code)`);
    const dest = o["output-document"];
    if (dest === "-" || dest === "/dev/stdout") {
      const { Writable } = await import("node:stream");
      await api.documents.download(doc, { writable: Writable.toWeb(process.stdout) });
      return;
    }
    const bar = progress(ctx, doc.filename ?? id, doc.size);
    const r = await api.documents.download(doc, { path: dest ?? ".", onProgress: bar.update });
    bar.done();
    ctx.log(`${id} saved to ${path.relative(".", r.path) || r.path}`);
  },
};

const assetsList = {
  name: "list",
  help: "List assets available to you",
  options: { json: { type: "boolean", help: "Output JSON instead of prettified table" }, ...LISTING_OPTIONS },
  run: (ctx, o) => listFiles(ctx, o, "assets", "You haven't uploaded any assets yet.", async (api, assets) => {
    await printTable([["ID", 16], ["Filename", 32], ["Status", 10], ["Created On", 10]],
      assets.map((a) => [idOf(a), a.filename, a.status ?? "", day(a.created_at)]));
  }),
};

const assetsUpload = {
  name: "upload",
  help: "Upload an asset to One Codex.",
  options: { "max-threads": MAX_THREADS_OPTION, name: { type: "string", metavar: "TEXT", help: "Name of the asset" } },
  args: [{ name: "FILE", key: "file", required: true }],
  async run(ctx, o, { file }) {
    if (o.name === "") return "help";
    if (!fs.existsSync(file)) throw new UsageError(`Invalid value for 'FILE': Path '${file}' does not exist.`);
    await uploadFiles(ctx, [file], "assets", o.name ? { name: o.name } : {});
  },
};

export const documentsCommand = { name: "documents", help: "Access files in the Document Portal", subcommands: [documentsList, documentsUpload, documentsDownload] };
export const assetsCommand = { name: "assets", help: "Manage Assets.", subcommands: [assetsList, assetsUpload] };
