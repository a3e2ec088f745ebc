#!/usr/bin/env node
// Upload FASTQ/FASTA files as samples with a terminal progress bar. R1/R2 files are paired and
// lane files grouped (pairFiles), as the Python CLI does.
//
//   ONE_CODEX_API_KEY=… node examples/upload.mjs reads_R1.fastq.gz reads_R2.fastq.gz [--tag t1]
import path from "node:path";
import { parseArgs } from "node:util";
import { OneCodex, pairFiles, isOneCodexError } from "onecodex-wasm";

const { values: args, positionals: files } = parseArgs({
  allowPositionals: true,
  options: { tag: { type: "string", multiple: true, default: [] }, "s3-endpoint": { type: "string" } },
});
if (files.length === 0) {
  console.error("usage: node examples/upload.mjs FILE… [--tag TAG]");
  process.exit(2);
}

const ocx = new OneCodex(args["s3-endpoint"] ? { s3Endpoint: args["s3-endpoint"] } : undefined);
const one = (lanes) => (lanes.length === 1 ? lanes[0] : lanes);

function bar(name, p) {
  const f = p.total ? p.loaded / p.total : 0;
  const width = 30;
  const filled = Math.round(f * width);
  const rate = p.bytesPerSecond ? `${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s` : "";
  process.stderr.write(`\r${name.slice(0, 30).padEnd(30)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${p.phase} ${rate}   `);
}

const groups = pairFiles(files);
for (const { file, reason } of groups.leftover) console.error(`skipped ${file}: ${reason}`);
const jobs = [
  ...groups.pairs.map((p) => [one(p.r1), one(p.r2)]),
  ...groups.singles.map((s) => [one(s)]),
];
let failed = false;
for (const job of jobs) {
  const name = job.flat().map((f) => path.basename(f)).join(" + ");
  try {
    const sample = await ocx.samples.upload(job, { tags: args.tag, onProgress: (p) => bar(name, p) }).done;
    process.stderr.write("\n");
    console.log(`${sample.$uri.split("/").pop()}\t${name}`);
  } catch (e) {
    process.stderr.write("\n");
    console.error(isOneCodexError(e) ? `${name}: ${e.code}: ${e.message}` : e);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
