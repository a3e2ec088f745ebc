// Uploads (issue 5) from Node file paths against the local server and its real S3 (s3s, which
// verifies SigV4, part checksums, ETags on Complete and the region). Every fault is shown to have
// fired by the server's hit counters; stored objects are compared byte for byte with the input.
import test from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { OneCodex, isOneCodexError, pairFiles } from "onecodex-wasm";
import { withServer, withConnectProxy, idOf } from "./support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixtures = path.resolve(root, "../shared/fixtures/files");
const MiB = 1 << 20;
const BUCKET = "onecodex-multipart-uploads-encrypted";
const have = fs.existsSync(fixtures);
if (!have && process.env.CI === "true") throw new Error(`upload fixtures missing: ${fixtures}`);
const fixture = (name) => path.join(fixtures, name);
const sha = (buf) => crypto.createHash("sha256").update(buf).digest("hex");

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e?.stack ?? e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

async function server(t, extra = []) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-upload-"));
  t.after(() => fs.rmSync(data, { recursive: true, force: true }));
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "0", "--data", data, ...extra]);
  const requests = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, s3Endpoint: srv.s3, onRequest: (r) => requests.push(r) });
  const object = (key) => fs.readFileSync(path.join(data, "s3", BUCKET, key));
  // Parts S3 keeps for unfinished multipart uploads (of one upload id, or all).
  const leftoverParts = (id = "") => fs.readdirSync(path.join(data, "s3")).filter((f) => f.startsWith(`.upload_id-${id}`));
  const counter = (rule) => srv.addFault({ ...rule, latency: { ms: 0 } });
  return { srv, ocx, data, object, leftoverParts, counter, requests };
}

let tmp;
function bigFile(name, size, seed = 1) {
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), "ocx-upfiles-"));
  const p = path.join(tmp, name);
  const buf = Buffer.alloc(size + 4);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf.writeUInt32LE(x, i);
  }
  fs.writeFileSync(p, buf.subarray(0, size));
  return p;
}
test.after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

const fast = { retryDelaysMs: [0, 20, 20, 20] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("uploads from Node paths", { skip: !have && "fixtures missing" }, async (t) => {
  const { srv, ocx, object, leftoverParts, counter, requests } = await server(t);
  t.beforeEach(() => srv.clearFaults());

  await t.test("a small FASTQ: one PUT, sample fetched after the callback, bytes equal", async () => {
    const puts = await counter({ target: "s3", operation: "PutObject" });
    const phases = new Set();
    const up = ocx.samples.upload(fixture("test.fq"), { metadata: { name: "small one" }, tags: ["up"], onProgress: (p) => phases.add(p.phase) });
    const sample = await up.done;
    assert.equal(sample.filename, "test.fq");
    assert.equal(await srv.faultHits(puts), 1);
    assert.equal(await up.cancel(), false, "nothing to cancel once done");
    const st = up.state();
    assert.equal(st.files.length, 1);
    assert.equal(sha(object(st.files[0].key)), sha(fs.readFileSync(fixture("test.fq"))));
    assert.equal(st.callback_done, true);
    assert.equal(idOf(sample), st.result_id);
    for (const p of ["init", "uploading", "finalizing", "done"]) assert.ok(phases.has(p), `phase ${p} seen`);
    const meta = await ocx.resolve(sample.metadata);
    assert.equal(meta.name, "small one");
  });

  await t.test("secrets: the API key never goes to S3, upload credentials never to the API", async () => {
    const up = ocx.samples.upload(fixture("test.fa"));
    await up.done;
    const st = up.state();
    for (const r of requests) assert.ok(!JSON.stringify(r).includes(st.credentials.secret_access_key));
    assert.ok(!JSON.stringify(st).includes(srv.apiKey), "the state holds no API key");
  });

  await t.test("a pair: R2 first, then R1, one callback", async () => {
    const callbacks = await counter({ target: "api", path: "/api/import_file_from_s3" });
    const r1 = fixture("test_paired_filtering_R1_001.fastq.gz");
    const r2 = fixture("test_paired_filtering_R2_001.fastq.gz");
    const up = ocx.samples.upload([r1, r2]);
    const sample = await up.done;
    assert.equal(await srv.faultHits(callbacks), 1);
    const st = up.state();
    assert.deepEqual(st.files.map((f) => f.role), ["r2", "r1"]);
    assert.equal(sha(object(st.files[0].key)), sha(fs.readFileSync(r2)));
    assert.equal(sha(object(st.files[1].key)), sha(fs.readFileSync(r1)));
    assert.equal(sample.filename, path.basename(r1));
  });

  await t.test("lane files of one read uploaded as one file, in order, from consecutive ranges", async () => {
    const l1 = bigFile("s_S1_L001_R1_001.fastq", 3 * MiB + 3, 3);
    const l2 = bigFile("s_S1_L002_R1_001.fastq", 4 * MiB + 1, 4);
    const up = ocx.samples.upload([[l1, l2]], { partSize: 5 * MiB });
    const sample = await up.done;
    assert.equal(sample.filename, "s_S1_R1_001.fastq");
    const st = up.state();
    assert.equal(sha(object(st.files[0].key)), sha(Buffer.concat([fs.readFileSync(l1), fs.readFileSync(l2)])));
  });

  await t.test("a 20 MiB file in 5 MiB parts with a 503, a 500, a dropped connection and a bad digest, each retried", async () => {
    const file = bigFile("big_R1.fastq", 20 * MiB + 12345);
    const faults = [
      await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 1, respond: { status: 503, body: "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>" }, times: 1 }),
      await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 500 }, times: 1 }),
      await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 3, drop_after_bytes: 1000, times: 1 }),
      await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 4, respond: { status: 400, body: "<Error><Code>BadDigest</Code><Message>The CRC32C you specified did not match the calculated checksum.</Message></Error>" }, times: 1 }),
    ];
    const parts = await counter({ target: "s3", operation: "UploadPart" });
    const states = [];
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, concurrency: 3, ...fast, onStateChange: (s) => states.push(s) });
    const sample = await up.done;
    for (const f of faults) assert.equal(await srv.faultHits(f), 1, `fault ${f} fired once`);
    assert.equal(await srv.faultHits(parts), 5, "5 parts sent once each (the faulted ones answered before the counter)");
    const st = up.state();
    assert.equal(st.files[0].parts.length, 5);
    assert.equal(sha(object(st.files[0].key)), sha(fs.readFileSync(file)));
    assert.deepEqual([1, 2, 3, 4, 5].filter((n) => !states.some((s) => s.files[0].parts.length === n)), [], "onStateChange after every part");
    assert.equal(sample.size, 20 * MiB + 12345);
    assert.deepEqual(leftoverParts(st.files[0].upload_id), []);
  });

  await t.test("a lost CreateMultipartUpload answer: the upload S3 made is found and used, none made twice", async () => {
    const file = bigFile("lost_create_R1.fastq", 11 * MiB);
    const cut = await srv.addFault({ target: "s3", operation: "CreateMultipartUpload", drop_after_bytes: 1, times: 1 });
    const creates = await counter({ target: "s3", operation: "CreateMultipartUpload" });
    const lists = await counter({ target: "s3", operation: "ListMultipartUploads" });
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, ...fast });
    const sample = await up.done;
    assert.deepEqual([await srv.faultHits(cut), await srv.faultHits(creates), await srv.faultHits(lists)], [1, 0, 1],
      "one create (its answer cut), one look for it, no second create");
    const st = up.state();
    assert.equal(sha(object(st.files[0].key)), sha(fs.readFileSync(file)));
    assert.equal(sample.size, 11 * MiB);
    assert.deepEqual(leftoverParts(), [], "no multipart upload left in S3");
  });

  await t.test("a stalled part is aborted and sent again", async () => {
    const file = bigFile("stall_R1.fastq", 11 * MiB);
    const stall = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, latency: { ms: 7000 }, times: 1 });
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, stallTimeoutMs: 5000, ...fast });
    await up.done;
    assert.equal(await srv.faultHits(stall), 1);
    assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(file)));
  });

  await t.test("the callback answers 502, then succeeds", async () => {
    const cb = await srv.addFault({ target: "api", path: "/api/import_file_from_s3", respond: { status: 502 }, times: 1 });
    const up = ocx.samples.upload(fixture("test.fq"), fast);
    const sample = await up.done;
    assert.equal(await srv.faultHits(cb), 1);
    assert.equal(sample.filename, "test.fq");
  });

  await t.test("pause and resume", async () => {
    const file = bigFile("pause_R1.fastq", 16 * MiB);
    const slow = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 300 } });
    const phases = [];
    let up;
    let paused = false;
    up = ocx.samples.upload(file, {
      partSize: 5 * MiB,
      concurrency: 1,
      onProgress: (p) => phases.push(p.phase),
      onStateChange: (s) => {
        if (!paused && s.files[0].parts.length === 1) {
          paused = true;
          up.pause();
        }
      },
    });
    while (!paused) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 600));
    const during = up.state().files[0].parts.length;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(up.state().files[0].parts.length, during, "nothing is sent while paused");
    assert.ok(phases.includes("paused"));
    up.resume();
    await up.done;
    assert.ok((await srv.faultHits(slow)) >= 4);
    assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(file)));
  });

  await t.test("pause aborts the parts in flight at once; resume sends them again", async () => {
    const file = bigFile("held_R1.fastq", 25 * MiB, 21);
    // Every part is held 1500 ms at S3 before its body is read: an aborted part never lands.
    const held = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 1500 } });
    const phases = [];
    const progress = [];
    const up = ocx.samples.upload(file, {
      partSize: 5 * MiB,
      concurrency: 2,
      onProgress: (p) => {
        phases.push([p.phase, performance.now()]);
        if (p.phase === "uploading") progress.push(p);
      },
    });
    while ((await srv.faultHits(held)) < 2) await sleep(10);
    const id = up.state().files[0].upload_id;
    const t0 = performance.now();
    up.pause();
    while (!phases.some(([p]) => p === "paused")) await sleep(5);
    const took = phases.find(([p]) => p === "paused")[1] - t0;
    assert.ok(took < 700, `paused ${took.toFixed(0)} ms after pause(), not once the held parts were answered`);
    // Past the hold: a part still being sent would be stored now.
    await sleep(2000);
    assert.equal(await srv.faultHits(held), 2, "two parts reached S3, nothing more was sent while paused");
    assert.equal(up.state().files[0].parts.length, 0);
    assert.deepEqual(leftoverParts(id), [], "the aborted parts were not stored (S3 has no part of the upload)");
    // The kernel took some bytes of the held parts: node:http's write callbacks count them.
    assert.ok(progress.some((p) => p.partsDone === 0 && p.loaded > 0), "byte-granular progress in Node before any part was done");
    up.resume();
    await up.done;
    assert.equal(await srv.faultHits(held), 7, "the 2 aborted parts sent again: 5 parts, 7 requests");
    assert.equal(up.state().files[0].parts.length, 5);
    assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(file)));
  });

  await t.test("retries exhausted: the upload fails resumable; a new client resumes from state() without re-sending done parts", async () => {
    const file = bigFile("resume_R1.fastq", 26 * MiB);
    const fail = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 4, respond: { status: 500 }, times: 3 });
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, concurrency: 1, retryDelaysMs: [0, 10] });
    // The 500 comes before the body is read, so the client may see a reset connection instead.
    await assert.rejects(up.done, (e) => {
      assert.ok(["s3_error", "network"].includes(e.code), e.code);
      assert.match(e.message, /part 4 of resume_R1.fastq/);
      return true;
    });
    assert.equal(await srv.faultHits(fail), 3);
    const saved = JSON.stringify(up.state());
    const done = JSON.parse(saved).files[0].parts.map((p) => p.number);
    assert.ok([1, 2, 3].every((n) => done.includes(n)) && !done.includes(4), `done: ${done}`);
    assert.ok(leftoverParts(JSON.parse(saved).files[0].upload_id).length > 0, "the multipart upload is kept");
    await srv.clearFaults();
    // As after a crash: a new client, the state from storage, the same file picked again.
    const parts = await counter({ target: "s3", operation: "UploadPart" });
    const lists = await counter({ target: "s3", operation: "ListParts" });
    const ocx2 = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, s3Endpoint: srv.s3 });
    const up2 = ocx2.samples.resumeUpload(saved, file, { listPartsPageSize: 2 });
    const sample = await up2.done;
    assert.equal(await srv.faultHits(parts), 6 - done.length, "only the parts S3 did not have are sent");
    assert.equal(await srv.faultHits(lists), Math.ceil(done.length / 2), "ListParts paginated with max-parts=2 (at least 2 pages)");
    assert.equal(sha(object(up2.state().files[0].key)), sha(fs.readFileSync(file)));
    assert.equal(idOf(sample), JSON.parse(saved).sample_id);
    await srv.clearFaults();
  });

  await t.test("resume after the process is killed: a new process sends only the parts S3 lacks", async () => {
    const file = bigFile("killed_R1.fastq", 21 * MiB, 11); // 5 parts of 5 MiB
    const stateFile = path.join(tmp, "killed.state.json");
    // Part 4 hangs at S3, so the first process cannot finish; it saves its state after every part.
    const hold = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 4, latency: { ms: 120_000 } });
    const script = [
      `import fs from "node:fs";`,
      `import { OneCodex } from "onecodex-wasm";`,
      `const ocx = new OneCodex(JSON.parse(process.env.OCX_OPTIONS));`,
      `const up = ocx.samples.upload(process.env.OCX_FILE, { partSize: ${5 * MiB}, concurrency: 1,`,
      `  onStateChange: (s) => fs.writeFileSync(process.env.OCX_STATE, JSON.stringify(s)) });`,
      `up.done.catch(() => {});`,
    ].join("\n");
    const env = { ...process.env, OCX_FILE: file, OCX_STATE: stateFile,
      OCX_OPTIONS: JSON.stringify({ apiKey: srv.apiKey, baseUrl: srv.api, s3Endpoint: srv.s3 }) };
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: root, env, stdio: "inherit" });
    const partsSaved = () => (fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")).files[0].parts.length : 0);
    for (let waited = 0; !(partsSaved() === 3 && (await srv.faultHits(hold)) === 1); waited += 50) {
      assert.ok(waited < 60_000, `the first process did not get to part 4 (${partsSaved()} parts saved)`);
      await sleep(50);
    }
    child.kill("SIGKILL");
    await once(child, "exit");
    await srv.clearFaults();

    const saved = fs.readFileSync(stateFile, "utf8");
    assert.deepEqual(JSON.parse(saved).files[0].parts.map((p) => p.number).sort(), [1, 2, 3]);
    const parts = await counter({ target: "s3", operation: "UploadPart" });
    const up = ocx.samples.resumeUpload(saved, file);
    const sample = await up.done;
    assert.equal(await srv.faultHits(parts), 2, "parts 4 and 5 only");
    assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(file)));
    assert.equal(idOf(sample), JSON.parse(saved).sample_id);
    await srv.clearFaults();
  });

  await t.test("resume refuses a different file", async () => {
    const file = bigFile("other_R1.fastq", 12 * MiB, 7);
    const fail = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 500 }, times: 1 });
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, concurrency: 1, retryDelaysMs: [] });
    await assert.rejects(up.done, (e) => ["s3_error", "network"].includes(e.code));
    assert.equal(await srv.faultHits(fail), 1);
    const st = up.state();
    const impostor = path.join(path.dirname(file), "x", path.basename(file));
    fs.mkdirSync(path.dirname(impostor), { recursive: true });
    const bytes = fs.readFileSync(file);
    bytes[10] ^= 0xff;
    fs.writeFileSync(impostor, bytes);
    fs.utimesSync(impostor, fs.statSync(file).atime, fs.statSync(file).mtime);
    await rejectsWith(ocx.samples.resumeUpload(st, impostor).done, "invalid_file");
    await rejectsWith(ocx.samples.resumeUpload(st, fixture("test.fq")).done, "invalid_file");
    await ocx.samples.resumeUpload(st, file).done;
  });

  await t.test("another upload's credentials are refused by S3", async () => {
    const a = bigFile("a_R1.fastq", 12 * MiB, 8);
    const fail = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 500 }, times: 1 });
    const upA = ocx.samples.upload(a, { partSize: 5 * MiB, concurrency: 1, retryDelaysMs: [] });
    await assert.rejects(upA.done, (e) => ["s3_error", "network"].includes(e.code));
    assert.equal(await srv.faultHits(fail), 1);
    const upB = ocx.samples.upload(fixture("test.fq"));
    await upB.done;
    const stolen = { ...upA.state(), credentials: upB.state().credentials };
    await assert.rejects(ocx.samples.resumeUpload(stolen, a, { retryDelaysMs: [] }).done, (e) => isOneCodexError(e) && e.code !== "ok");
    // A failed upload can still be cancelled: its multipart upload is aborted.
    assert.equal(await upA.cancel(), true);
    assert.deepEqual(leftoverParts(upA.state().files[0].upload_id ?? "none"), []);
  });

  await t.test("cancel mid-way: the multipart upload is aborted and cancel_upload posted", async () => {
    const file = bigFile("cancel_R1.fastq", 21 * MiB);
    const slow = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 400 } });
    const aborts = await counter({ target: "s3", operation: "AbortMultipartUpload" });
    const cancels = await counter({ target: "api", path: "/api/v1/samples/cancel_upload" });
    let up;
    let started = false;
    up = ocx.samples.upload(file, { partSize: 5 * MiB, concurrency: 1, onStateChange: (s) => { if (s.files[0].parts.length) started = true; } });
    while (!started) await new Promise((r) => setTimeout(r, 20));
    const id = up.state().files[0].upload_id;
    assert.ok(leftoverParts(id).length > 0);
    assert.equal(await up.cancel(), true);
    await rejectsWith(up.done, "aborted");
    assert.equal(await srv.faultHits(aborts), 1);
    assert.equal(await srv.faultHits(cancels), 1);
    assert.ok(await srv.faultHits(slow) >= 1);
    assert.deepEqual(leftoverParts(id), [], "no multipart upload left in S3");
    await srv.clearFaults();
  });

  await t.test("an AbortSignal cancels too", async () => {
    const file = bigFile("signal_R1.fastq", 11 * MiB);
    await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 400 } });
    const ctrl = new AbortController();
    const up = ocx.samples.upload(file, { partSize: 5 * MiB, signal: ctrl.signal, onStateChange: (s) => s.files[0].upload_id && ctrl.abort() });
    await rejectsWith(up.done, "aborted");
    assert.deepEqual(leftoverParts(up.state().files[0].upload_id ?? "none"), []);
    assert.equal(up.state().files[0].upload_id, null, "aborted");
  });

  await t.test("preupload, then upload into the pre-uploaded sample", async () => {
    const pre = await ocx.samples.preupload({ metadata: { name: "waiting" }, tags: ["pre"] });
    assert.match(pre.sample_id, /^[0-9a-f]{16}$/);
    const up = ocx.samples.upload(fixture("test.fq"), { sampleId: pre.sample_id });
    const sample = await up.done;
    assert.equal(idOf(sample), pre.sample_id);
    assert.equal(sample.filename, "test.fq");
    assert.throws(() => ocx.samples.upload(fixture("test.fq"), { sampleId: 5 }), (e) => e.code === "invalid_argument");
    await rejectsWith(ocx.samples.upload(fixture("test.fq"), { sampleId: "a", externalSampleId: "b" }).done, "invalid_argument");
  });

  await t.test("a document and an asset", async () => {
    const up = ocx.documents.upload(fixture("test.fa"));
    const doc = await up.done;
    assert.equal(doc.filename, "test.fa");
    assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(fixture("test.fa"))));
    const asset = await ocx.assets.upload(fixture("test.fq"), { name: "my asset" }).done;
    assert.equal(asset.name, "my asset");
  });

  await t.test("bad inputs are invalid_file before any request", async () => {
    const before = requests.length;
    const empty = path.join(tmp, "empty.fastq");
    fs.writeFileSync(empty, "");
    await rejectsWith(ocx.samples.upload(empty).done, "invalid_file", (e) => /empty/.test(e.message));
    await rejectsWith(ocx.samples.upload(fixture("Röö.fastq")).done, "invalid_file", (e) => /ASCII|coerceAscii/i.test(e.message));
    await rejectsWith(ocx.samples.upload([fixture("test.fq"), fixture("test.fa")]).done, "invalid_file");
    await rejectsWith(ocx.samples.upload(path.join(tmp, "missing.fastq")).done, "invalid_file");
    await rejectsWith(ocx.samples.upload(path.join(tmp, "notes.txt.exe")).done, "invalid_file");
    assert.equal(requests.length, before, "no request was made");
    assert.throws(() => ocx.samples.upload(fixture("test.fq"), { bogus: 1 }), (e) => e.code === "invalid_argument");
    const coerced = ocx.samples.upload(fixture("Röö.fastq"), { coerceAscii: true });
    assert.equal((await coerced.done).filename, "Roo.fastq");
  });

  await t.test("a ReadableStream without a size, in odd chunks; a failed part is resent from the kept bytes", async () => {
    const bytes = fs.readFileSync(bigFile("stream_R1.fastq", 12 * MiB + 777, 9));
    const fail = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 503 }, times: 1 });
    let at = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (at >= bytes.length) return c.close();
        const n = Math.min(bytes.length - at, 333_333);
        c.enqueue(bytes.subarray(at, at + n));
        at += n;
      },
    });
    const up = ocx.samples.upload({ name: "stream_R1.fastq", stream }, { partSize: 5 * MiB, ...fast });
    const sample = await up.done;
    assert.equal(await srv.faultHits(fail), 1);
    assert.equal(sample.size, bytes.length);
    assert.equal(up.state().files[0].parts.length, 3);
    assert.equal(sha(object(up.state().files[0].key)), sha(bytes));
    // A stream cannot be read again: resuming one is refused.
    await rejectsWith(ocx.samples.resumeUpload(up.state(), { name: "stream_R1.fastq", stream: new ReadableStream() }).done, "invalid_argument");
  });

  await t.test("a small ReadableStream with its size", async () => {
    const bytes = fs.readFileSync(fixture("test.fq"));
    const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(bytes)); c.close(); } });
    const up = ocx.samples.upload({ name: "streamed.fq", stream, size: bytes.length });
    assert.equal((await up.done).filename, "streamed.fq");
    assert.equal(sha(object(up.state().files[0].key)), sha(bytes));
  });

  await t.test("a failure nobody recognises (a stream that errors) is not retried and surfaces as internal", async () => {
    const parts = await counter({ target: "s3", operation: "UploadPart" });
    let pulls = 0;
    const stream = new ReadableStream({
      pull(c) {
        pulls += 1;
        if (pulls === 1) return c.enqueue(new Uint8Array(6 * MiB));
        c.error(new TypeError("the source broke"));
      },
    });
    const up = ocx.samples.upload({ name: "broken_R1.fastq", stream }, { partSize: 5 * MiB, ...fast });
    await rejectsWith(up.done, "internal", (e) => /the source broke/.test(e.message));
    assert.equal(pulls, 2, "the stream was not read again");
    assert.ok((await srv.faultHits(parts)) <= 1, "at most part 1 was sent, once");
  });

  await t.test("pairFiles", () => {
    const names = ["a_R1.fastq.gz", "a_R2.fastq.gz", "b_L001_R1_001.fq", "b_L002_R1_001.fq", "b_L001_R2_001.fq", "b_L002_R2_001.fq", "c_R1.fq", "single.fa"];
    const g = pairFiles(names);
    assert.deepEqual(g.pairs, [
      { r1: ["a_R1.fastq.gz"], r2: ["a_R2.fastq.gz"] },
      { r1: ["b_L001_R1_001.fq", "b_L002_R1_001.fq"], r2: ["b_L001_R2_001.fq", "b_L002_R2_001.fq"] },
    ]);
    assert.deepEqual(g.singles, [["single.fa"]]);
    assert.deepEqual(g.leftover.map((l) => l.file), ["c_R1.fq"]);
  });
});

test("S3's region error: re-signed for the region it names", { skip: !have && "fixtures missing" }, async (t) => {
  const { srv, ocx, object } = await server(t, ["--s3-region", "eu-west-1"]);
  const file = bigFile("region_R1.fastq", 11 * MiB, 5);
  const up = ocx.samples.upload(file, { partSize: 5 * MiB });
  await up.done;
  assert.equal(up.state().region, "eu-west-1");
  assert.equal(sha(object(up.state().files[0].key)), sha(fs.readFileSync(file)));
  assert.equal((await srv.info()).s3_region, "eu-west-1");
});

test("Node with HTTP_PROXY: the S3 requests of an upload go through the proxy too", { skip: !have && "fixtures missing" }, async (t) => {
  const { srv, object } = await server(t);
  const { url: proxyUrl, proxied } = await withConnectProxy(t);
  const file = bigFile("proxied_R1.fastq", 11 * MiB, 31);
  const script = `
    import { OneCodex } from "onecodex-wasm";
    const ocx = new OneCodex({ apiKey: ${JSON.stringify(srv.apiKey)}, baseUrl: ${JSON.stringify(srv.api)}, s3Endpoint: ${JSON.stringify(srv.s3)} });
    const up = ocx.samples.upload(${JSON.stringify(file)}, { partSize: 5 * 1024 * 1024 });
    await up.done;
    console.log(JSON.stringify(up.state().files[0]));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_PROXY$|_proxy$/.test(k)));
  const { stdout } = await promisify(execFile)("node", ["--input-type=module", "-e", script], {
    cwd: root,
    env: { ...clean, HTTP_PROXY: proxyUrl },
  });
  const st = JSON.parse(stdout);
  assert.equal(st.parts.length, 3);
  assert.ok(proxied.includes(new URL(srv.s3).host), `S3 tunnelled through the proxy: ${proxied}`);
  assert.equal(sha(object(st.key)), sha(fs.readFileSync(file)));
});
