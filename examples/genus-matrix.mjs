#!/usr/bin/env node
// Export the genus matrix of a project's samples to CSV (rows: samples, columns: genera).
//
//   ONE_CODEX_API_KEY=… node examples/genus-matrix.mjs PROJECT_ID > genus.csv
import { OneCodex, isOneCodexError } from "onecodex-wasm";

const project = process.argv[2];
if (!project) {
  console.error("usage: node examples/genus-matrix.mjs PROJECT_ID");
  process.exit(2);
}
const ocx = new OneCodex();
const quote = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

try {
  const samples = await ocx.samples.where({ project });
  const collection = await ocx.collection(samples, {
    onProgress: ({ done, total }) => process.stderr.write(`\rfetched ${done}/${total} results`),
  });
  process.stderr.write("\n");
  for (const w of collection.warnings) console.error(`warning: ${w.message}`);
  const m = collection.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
  const names = new Map(samples.map((s) => [(s.primary_classification?.$ref ?? s.primary_classification?.$uri ?? "").split("/").pop(), s.filename]));
  console.log(["classification_id", "filename", ...m.columnNames].map(quote).join(","));
  const n = m.columnIds.length;
  m.rowIds.forEach((id, r) => {
    console.log([id, names.get(id) ?? "", ...m.values.subarray(r * n, (r + 1) * n)].map(quote).join(","));
  });
  console.error(`${m.rowIds.length} samples × ${n} genera`);
} catch (e) {
  console.error(isOneCodexError(e) ? `error (${e.code}): ${e.message}` : e);
  process.exitCode = 1;
}
