#!/usr/bin/env node
// List samples matching a filter, page by page, as a table.
//
//   ONE_CODEX_API_KEY=… node examples/list-samples.mjs [--name-ends .fastq.gz] [--min-size 1000000] [--limit 50]
//
// Credentials and the API base come from the environment (ONE_CODEX_API_KEY or
// ONE_CODEX_BEARER_TOKEN, ~/.onecodex, ONE_CODEX_API_BASE), as with the Python client.
import { parseArgs } from "node:util";
import { OneCodex, where, isOneCodexError } from "onecodex-wasm";

const { values: args } = parseArgs({
  options: {
    "name-ends": { type: "string", default: ".fastq.gz" },
    "min-size": { type: "string", default: "0" },
    limit: { type: "string", default: "50" },
  },
});

const ocx = new OneCodex();
const filter = where.samples.field("filename").iendswith(args["name-ends"])
  .and(where.samples.field("size").gte(Number(args["min-size"])));

try {
  let n = 0;
  console.log(["id", "size (MB)", "created", "filename"].join("\t"));
  for await (const s of ocx.samples.iter(filter, { sort: ["size"], limit: Number(args.limit) })) {
    console.log([s.$uri.split("/").pop(), (s.size / 1e6).toFixed(1), s.created_at.slice(0, 10), s.filename].join("\t"));
    n++;
  }
  console.error(`${n} sample(s)`);
} catch (e) {
  console.error(isOneCodexError(e) ? `error (${e.code}): ${e.message}` : e);
  process.exitCode = 1;
}
