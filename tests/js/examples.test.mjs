// The Node examples in examples/ run as a user runs them, against the local server, with
// credentials from the environment.
import test from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { withServer } from "./support.mjs";

const run = promisify(execFile);

test("examples/list-samples.mjs lists matching samples, largest first", async (t) => {
  const srv = await withServer(t, ["--samples", "80"]);
  const env = { ...process.env, ONE_CODEX_API_KEY: srv.apiKey, ONE_CODEX_API_BASE: srv.api };
  const { stdout, stderr } = await run("node", ["examples/list-samples.mjs", "--name-ends", ".fastq.gz", "--min-size", "1000000", "--limit", "5"], { env });
  const rows = stdout.trim().split("\n").slice(1).map((l) => l.split("\t"));
  assert.equal(rows.length, 5);
  assert.match(stderr, /5 sample\(s\)/);
  const sizes = rows.map((r) => Number(r[1]));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), "sorted by size, largest first");
  assert.ok(rows.every((r) => r[3].toLowerCase().endsWith(".fastq.gz") && Number(r[1]) >= 1.0));
  const bad = await run("node", ["examples/list-samples.mjs"], { env: { ...env, ONE_CODEX_API_KEY: "wrong" } }).catch((e) => e);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /error \(unauthorized\)/);
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixtures = path.resolve(root, "../shared/fixtures/files");
const have = fs.existsSync(fixtures);
if (!have && process.env.CI === "true") throw new Error(`fixtures missing: ${fixtures}`);

test("examples: upload a pair with a progress bar, wait for its analysis, export a project's genus matrix", { skip: !have && "fixtures missing" }, async (t) => {
  const srv = await withServer(t, ["--samples", "40", "--classify-delay-ms", "2000"]);
  const env = { ...process.env, ONE_CODEX_API_KEY: srv.apiKey, ONE_CODEX_API_BASE: srv.api };

  const up = await run("node", ["examples/upload.mjs", path.join(fixtures, "test_R2_L001.fq.gz"), path.join(fixtures, "test_R1_L001.fq.gz"), "--tag", "example", "--s3-endpoint", srv.s3], { env });
  const [sampleId, name] = up.stdout.trim().split("\t");
  assert.match(name, /test_R1_L001\.fq\.gz \+ test_R2_L001\.fq\.gz/, "paired, R1 named first");
  assert.match(up.stderr, /\[#{30}\] 100% done/, "the bar reached 100%");

  const auth = { authorization: "Basic " + Buffer.from(srv.apiKey + ":").toString("base64") };
  const sample = await (await fetch(`${srv.api}/api/v1/samples/${sampleId}`, { headers: auth })).json();
  const analysisId = (sample.primary_classification.$ref ?? sample.primary_classification.$uri).split("/").pop();
  const wait = await run("node", ["examples/wait-for-analysis.mjs", analysisId, "--timeout-minutes", "1"], { env });
  const state = JSON.parse(wait.stdout);
  assert.deepEqual([state.id, state.complete, state.success], [analysisId, true, true]);
  assert.ok(!state.error_msg, "no error message on success (the API sends null or \"\")");

  const projects = await (await fetch(`${srv.api}/api/v1/projects?per_page=100`, { headers: auth })).json();
  let best = null;
  for (const p of projects) {
    const id = p.$uri.split("/").pop();
    const r = await run("node", ["examples/genus-matrix.mjs", id], { env, maxBuffer: 64 << 20 }).catch((e) => e);
    if (r.code === undefined && r.stdout.trim().split("\n").length > 2) { best = r; break; }
  }
  assert.ok(best, "some project has several classified samples");
  const lines = best.stdout.trim().split("\n");
  assert.match(lines[0], /^classification_id,filename,/);
  const cols = lines[0].split(",").length;
  assert.ok(lines.slice(1).every((l) => l.split(",").length === cols));
  assert.match(best.stderr, /\d+ samples × \d+ genera/);
});
