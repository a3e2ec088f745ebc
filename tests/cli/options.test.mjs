// Options not covered elsewhere: upload into a pre-uploaded sample (--sample-id,
// --external-sample-id), `await`'s --timeout and interval ranges, download's --tags when no
// such tag exists, and the accepted --telemetry flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { OneCodex } from "onecodex-wasm";
import { idOf, loggedIn, ocx, withServer, writeFastq } from "./support.mjs";

test("upload into a pre-uploaded sample by --sample-id and by --external-sample-id", async (t) => {
  const srv = await withServer(t, ["--samples", "3"]);
  const { home, env } = loggedIn(t, srv);
  const api = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const reads = writeFastq(path.join(home, "pre.fastq"), 200, { seed: 5 });

  const { sample_id: byId } = await api.samples.preupload({});
  const a = await ocx(["upload", "--no-prompt", "--sample-id", byId, reads], { env });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout.trim(), byId, "the pre-uploaded sample, not a new one");
  assert.equal((await api.samples.get(byId)).size, fs.statSync(reads).size);

  const { sample_id: byExternal } = await api.samples.preupload({ metadata: { external_sample_id: "EXT-42" } });
  const b = await ocx(["upload", "--no-prompt", "--external-sample-id", "EXT-42", reads], { env });
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout.trim(), byExternal);
  assert.equal((await api.samples.get(byExternal)).size, fs.statSync(reads).size);

  const unknown = await ocx(["upload", "--no-prompt", "--external-sample-id", "NO-SUCH", reads], { env });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /No pre-uploaded sample with external_sample_id NO-SUCH/);
  assert.equal(unknown.stdout, "");
  // One sample takes one file (or one pair).
  const other = writeFastq(path.join(home, "other.fastq"), 50, { seed: 6 });
  const two = await ocx(["upload", "--no-prompt", "--sample-id", byId, reads, other], { env });
  assert.notEqual(two.status, 0);
  assert.match(two.stderr, /only specify a single file or pair of files/);
  const badId = await ocx(["upload", "--no-prompt", "--sample-id", "not-an-id", reads], { env });
  assert.equal(badId.status, 2);
  assert.match(badId.stderr, /--sample-id/);
});

test("await: --timeout ends the wait with a timeout error; the intervals are ranges", async (t) => {
  // Classifications stay running for ten minutes, so the wait can only end by the timeout.
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "600000"]);
  const { home, env } = loggedIn(t, srv);
  const reads = writeFastq(path.join(home, "slow.fastq"), 100, { seed: 7 });
  const up = await ocx(["upload", "--no-prompt", reads], { env });
  assert.equal(up.status, 0, up.stderr);
  const api = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const [classification] = await api.classifications.where({ sample: up.stdout.trim() });
  assert.ok(classification && !classification.complete, "a running classification");
  const id = idOf(classification);

  const started = Date.now();
  const waited = await ocx(["await", id, "--timeout", "1.5", "--initial-interval", "5", "--max-interval", "5"], { env });
  assert.equal(waited.status, 1, waited.stderr);
  assert.match(waited.stderr, /timeout/i);
  assert.equal(waited.stdout, "");
  assert.ok(Date.now() - started < 30_000, "ended by the timeout, not by the analysis");
  for (const [argv, text] of [
    [["--max-interval", "4"], /'--max-interval': 4 is not in the range x>=5/],
    [["--initial-interval", "1"], /'--initial-interval': 1 is not in the range x>=5/],
    [["--timeout", "soon"], /'soon' is not a valid float/],
  ]) {
    const r = await ocx(["await", id, ...argv], { env });
    assert.equal(r.status, 2, argv.join(" "));
    assert.match(r.stderr, text);
  }
});

test("download samples --tags: a tag that does not exist matches no sample (Python downloads them all)", async (t) => {
  const srv = await withServer(t, ["--samples", "3"]);
  const { home, env } = loggedIn(t, srv);
  const out = path.join(home, "out");
  const r = await ocx(["download", "samples", out, "--tags", "no such tag", "--no-prompt"], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /No tag found: 'no such tag'/);
  assert.match(r.stderr, /No samples match the filter criteria; nothing to download/);
  assert.ok(!fs.existsSync(out), "nothing downloaded");
});

test("--telemetry and --no-telemetry are accepted and change nothing", async (t) => {
  const srv = await withServer(t, ["--samples", "3"]);
  const { env } = loggedIn(t, srv);
  // Pre-signed links in the objects are signed anew each second: compared without their query.
  const unsigned = (stdout) => JSON.parse(stdout.replace(/\?expires=[^"]*/g, ""));
  const plain = await ocx(["samples", "--limit", "2"], { env });
  assert.equal(plain.status, 0, plain.stderr);
  for (const flag of ["--telemetry", "--no-telemetry"]) {
    const r = await ocx([flag, "samples", "--limit", "2"], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(unsigned(r.stdout), unsigned(plain.stdout), flag);
  }
});
