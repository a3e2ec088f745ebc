// `npm run bench`: figures, not pass/fail. Run after scripts/build.mjs (npm run bench does both).
// Prints the package size against its budget and the cost of loading the module in Node.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const size = JSON.parse(fs.readFileSync(path.join(root, ".cache", "size.json"), "utf8"));
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;

console.log("== size (each browser entry: .wasm + JS glue, gzip -9)");
for (const e of size.entries) {
  console.log(`${e.entry.padEnd(21)} wasm raw ${kb(e.wasmBytes).padStart(9)}   gzip ${kb(e.gzip).padStart(9)} of ${kb(e.budgetGzip)} budget (${(100 * e.gzip / e.budgetGzip).toFixed(0)}%)`);
}

// Import time: a fresh Node process each run, the same script timed with and without the import.
function medianMs(code, runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync("node", ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
    times.push(Number(out.trim()));
  }
  times.sort((a, b) => a - b);
  return times[runs >> 1];
}
const withImport = medianMs(`const t = performance.now(); await import("onecodex-wasm"); console.log(performance.now() - t);`);
const baseline = medianMs(`const t = performance.now(); await import("node:zlib"); console.log(performance.now() - t);`);
console.log("\n== Node import (median of 7 fresh processes)");
console.log(`import "onecodex-wasm"  ${withImport.toFixed(1)} ms (module compile + instantiate)`);
console.log(`import "node:zlib"      ${baseline.toFixed(1)} ms (baseline: a built-in module)`);

// The benchmarks that need the local server, each printing its own figures.
console.log("");
const { benchList } = await import("./list.mjs");
await benchList();

// Downloads: ours against a bare fetch of the same link, and peak memory by file size.
console.log("");
execFileSync("node", [path.join(root, "bench", "download.mjs")], { cwd: root, stdio: "inherit" });

// Results and tables: parse + genus matrix against JS JSON.parse and pandas.
console.log("");
await import("./tables.mjs");

// Analyses of a collection against the Python client (bench/ecology.mjs).
console.log("");
await (await import("./ecology.mjs")).benchEcology();

// The charts' specs against the Python client's (bench/plots.mjs).
console.log("");
await (await import("./plots.mjs")).benchPlots();

console.log("");
// Uploads against the local S3 (bench/upload.mjs): a 1 GiB file by each contender, then a 4 GiB
// sparse file by ours. BENCH_UPLOAD=0 skips, BENCH_UPLOAD_MIB sets sizes, BENCH_UPLOAD_BIG_MIB=0
// skips the big file.
if (process.env.BENCH_UPLOAD !== "0") {
  const { benchUpload } = await import("./upload.mjs");
  await benchUpload((process.env.BENCH_UPLOAD_MIB || "1024").split(",").map(Number));
}

// The CLI against the Python CLI (bench/cli.mjs): upload of a 1 GiB pair, download of 20 files,
// subset_reads of a 1 GiB FASTQ.
// BENCH_CLI=0 skips.
if (process.env.BENCH_CLI !== "0") {
  console.log("");
  const { benchCli } = await import("./cli.mjs");
  await benchCli();
}
