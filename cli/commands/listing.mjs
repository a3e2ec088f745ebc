// The listing commands (`samples`, `analyses`, `classifications`, `panels`, `workflows`,
// `jobs list`, `documents list`, `assets list`): every object, or the ones named by id, printed
// as the API's JSON objects; `--where/--sort/--limit` go through the library's own checks;
// `--format json|ndjson|csv|table` (ndjson written as pages arrive).
import { UsageError } from "../lib/errors.mjs";
import { asUsage } from "../lib/context.mjs";
import { columnsOf, csvLine, printJson, tableText, writeOut, compactJson } from "../lib/output.mjs";

export const FORMATS = ["json", "ndjson", "csv", "table"];

export const LISTING_OPTIONS = {
  where: { type: "string", metavar: "JSON", help: "Filter, as a JSON object of the API's query grammar (e.g. '{\"filename\": {\"$iendswith\": \".fastq.gz\"}}')." },
  sort: { type: "string", multiple: true, metavar: "FIELD", help: "Sort by a field, descending (`^field`: ascending); repeatable or comma-separated, first is first." },
  limit: { type: "string", metavar: "N", help: "At most N objects." },
  format: { type: "string", metavar: "json|ndjson|csv|table", help: "Output format (default json)." },
};

/** The query of a listing from its options, checked before any request. */
export function listingQuery(values) {
  let where = null;
  if (values.where !== undefined) {
    try {
      where = JSON.parse(values.where);
    } catch (e) {
      throw new UsageError(`Invalid value for '--where': not JSON (${e.message})`);
    }
    if (!where || typeof where !== "object" || Array.isArray(where)) throw new UsageError("Invalid value for '--where': must be a JSON object");
  }
  const sort = (values.sort ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  let limit;
  if (values.limit !== undefined) {
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(values.limit)) throw new UsageError(`Invalid value for '--limit': '${values.limit}' is not a number`);
    limit = Number(values.limit);
  }
  const format = values.format ?? "json";
  if (!FORMATS.includes(format)) throw new UsageError(`Invalid value for '--format': '${format}' is not one of ${FORMATS.join(", ")}`);
  return { where, options: { ...(sort.length ? { sort } : {}), ...(limit !== undefined ? { limit } : {}) }, format };
}

const isRef = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$ref === "string";
const EXPAND_BATCH = 200;

/**
 * References one level down replaced by the objects they name, as the Python CLI prints them
 * (`.metadata.name`, `.tags[].name`, `.owner.email` work the same in jq); the referenced
 * objects keep their own references. One request per resource for the whole batch.
 */
export async function expandRefs(api, objects) {
  const refs = new Map();
  for (const o of objects) {
    for (const v of Object.values(o)) {
      for (const r of Array.isArray(v) ? v : [v]) if (isRef(r)) refs.set(r.$ref, r);
    }
  }
  if (!refs.size) return objects;
  const list = [...refs.values()];
  const resolved = await api.resolveAll(list);
  const byUri = new Map(list.map((r, i) => [r.$ref, resolved[i] ?? r]));
  const swap = (v) => (isRef(v) ? byUri.get(v.$ref) ?? v : v);
  return objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map(swap) : swap(v)])));
}

// Each batch (a page of a listing) is expanded and passed on as soon as it arrives.
async function* expanded(api, batches) {
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i += EXPAND_BATCH) yield* await expandRefs(api, batch.slice(i, i + EXPAND_BATCH));
  }
}

/** Prints objects in the chosen format; `batches` gives arrays of objects (streamed for ndjson). */
export async function printListing(ctx, batches, format, tableColumns) {
  const items = expanded(await ctx.api(), batches);
  if (format === "ndjson") {
    for await (const it of items) await writeOut(`${compactJson(it)}\n`);
    return;
  }
  const all = [];
  for await (const it of items) all.push(it);
  if (format === "json") return printJson(all, { pretty: ctx.pretty });
  if (format === "csv") {
    const cols = columnsOf(all, ["$uri"]);
    await writeOut(csvLine(cols));
    for (const it of all) await writeOut(csvLine(cols.map((c) => it[c])));
    return;
  }
  const present = tableColumns.filter((c) => c === "id" || all.some((it) => c in it));
  await writeOut(tableText(all, present.length ? present : columnsOf(all)));
}

/** Objects by id (in the order given, each once); missing ones are reported and fail the run. */
export async function* byIds(ctx, resource, label, ids) {
  for (const id of [...new Set(ids)]) {
    let obj;
    try {
      obj = await resource.get(id);
    } catch (e) {
      if (e?.status) { ctx.fail(`Could not find ${label} ${id} (${e.status} status code)`); continue; }
      throw e;
    }
    if (obj === null || obj === undefined) ctx.fail(`Could not find ${label} ${id} (404 status code)`);
    else yield [obj];
  }
}

/** The pages of objects matching the query, as they arrive; a bad query is bad usage. */
export async function* matching(resource, where, options) {
  let stream;
  try {
    stream = resource.pages(where, options);
  } catch (e) {
    throw asUsage(e, where ? "--where" : "--sort");
  }
  for (;;) {
    let page;
    try {
      page = await stream.next();
    } catch (e) {
      throw asUsage(e, "--where");
    }
    if (!page) return;
    yield [...page];
  }
}

/** Runs a listing: by ids when given, else the query. */
export async function runListing(ctx, { resource, label, tableColumns }, values, ids) {
  const q = listingQuery(values);
  if (ids.length && (values.where !== undefined || q.options.sort || q.options.limit !== undefined)) {
    throw new UsageError("--where, --sort and --limit list objects; they cannot be combined with IDs.");
  }
  const api = await ctx.api();
  const res = api[resource];
  const items = ids.length ? byIds(ctx, res, label, ids) : matching(res, q.where, q.options);
  await printListing(ctx, items, q.format, tableColumns);
}

/** A listing command: `name [IDS]...` with the listing options. */
export function listingCommand({ name, resource = name, label, help, tableColumns, extra = {} }) {
  return {
    name,
    help,
    options: { ...LISTING_OPTIONS, ...extra.options },
    args: [{ name: "IDS", key: "ids", variadic: true, type: "id" }],
    run: extra.run ?? ((ctx, values, args) => runListing(ctx, { resource, label, tableColumns }, values, args.ids)),
    subcommands: extra.subcommands,
  };
}
