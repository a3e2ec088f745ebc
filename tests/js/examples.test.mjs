// The Node examples in examples/ run as a user runs them, against the local server, with
// credentials from the environment.
import test from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
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
