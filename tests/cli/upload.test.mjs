// `upload`: R1/R2 pairing and its prompt (in a pseudo-terminal), --forward/--reverse, tags,
// metadata, project by name and short name, lane concatenation, file rules, --max-threads, and
// resumed uploads (after SIGKILL, after S3 went away) that send only the missing parts (the
// server's counters as witness).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CLI, cliEnv, inPty, ocx, ocxSpawn, tempHome, withServer, writeFastq } from "./support.mjs";

async function api(srv, p) {
  const r = await fetch(`${srv.api}${p}`, { headers: { authorization: `Bearer ${srv.bearerToken}` } });
  assert.equal(r.status, 200, p);
  return r.json();
}

const sampleIds = (stdout) => stdout.trim().split("\n").filter(Boolean);

/** A FASTQ file of whole records, just under `mib` MiB: `mib / 10` parts of the library's part size
 *  for it (10 MiB). */
function writeBig(file, mib) {
  const chunk = Buffer.from(`@r\n${"ACGT".repeat(250)}\n+\n${"I".repeat(1000)}\n`);
  const fd = fs.openSync(file, "w");
  for (let i = 0; i < Math.floor((mib * 1024 * 1024) / chunk.length); i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return file;
}

/** The saved states in the upload cache of a HOME. */
function savedStates(home) {
  const dir = path.join(home, ".cache", "onecodex-wasm", "uploads");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => path.join(dir, f)) : [];
}

test("pairs found are confirmed at the prompt (pseudo-terminal); declining uploads them one by one", async (t) => {
  const srv = await withServer(t, ["--samples", "2"]);
  const home = tempHome(t);
  const dir = fs.mkdtempSync(path.join(home, "reads-"));
  const r1 = writeFastq(path.join(dir, "gut_S1_R1_001.fastq"), 50, { seed: 1 });
  const r2 = writeFastq(path.join(dir, "gut_S1_R2_001.fastq"), 50, { seed: 2 });
  const solo = writeFastq(path.join(dir, "solo.fastq"), 20, { seed: 3 });
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey, TERM: "dumb" });

  const yes = await inPty([process.execPath, CLI, "upload", r1, r2, solo], { env, answers: [{ after: "Interleave them after upload? [Y/n]: ", type: "y" }] });
  assert.equal(yes.status, 0, yes.output);
  assert.deepEqual(yes.unanswered, []);
  assert.match(yes.output, /It appears there are 2 paired files \(of 3 total\):\s+gut_S1_R1_001\.fastq {2}& {2}gut_S1_R2_001\.fastq/);
  const ids = yes.output.match(/^[0-9a-f]{16}\r?$/gm).map((s) => s.trim());
  assert.equal(ids.length, 2, "one paired sample and one single");
  const created = await Promise.all(ids.map((id) => api(srv, `/api/v1/samples/${id}`)));
  const paired = created.find((s) => s.filename !== "solo.fastq");
  assert.ok(paired, "the pair is one sample");
  assert.ok(created.some((s) => s.filename === "solo.fastq"));

  const no = await inPty([process.execPath, CLI, "upload", r1, r2], { env, answers: [{ after: "[Y/n]: ", type: "n" }] });
  assert.equal(no.status, 0, no.output);
  assert.equal(no.output.match(/^[0-9a-f]{16}\r?$/gm).length, 2, "declined: two samples");

  // --no-prompt: pairs among the files given are still paired, without asking.
  const quiet = await ocx(["upload", "--no-prompt", r1, r2], { env });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(sampleIds(quiet.stdout).length, 1);
  assert.doesNotMatch(quiet.stderr, /Interleave/);
});

test("tags, metadata, project by name and by short name, --forward/--reverse", async (t) => {
  const srv = await withServer(t, ["--samples", "4"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const [project] = await api(srv, "/api/v1/projects?per_page=1");
  const f = writeFastq(path.join(home, "a.fastq"), 30);
  const r = await ocx(["upload", "--no-prompt", "-t", "cohort A", "--tag", "cli", "-md", "name=Stool 12", "--metadata", "sample_type=Metagenomic", "-md", "ignored", "-p", project.name, f], { env });
  assert.equal(r.status, 0, r.stderr);
  const [id] = sampleIds(r.stdout);
  const s = await api(srv, `/api/v1/samples/${id}`);
  assert.equal(s.project.$ref, project.$uri);
  const tags = await Promise.all(s.tags.map((t) => api(srv, t.$ref)));
  assert.deepEqual(tags.map((x) => x.name).sort(), ["cli", "cohort A"]);
  const meta = await api(srv, s.metadata.$ref);
  assert.equal(meta.name, "Stool 12");
  assert.equal(meta.sample_type, "Metagenomic");

  const byShort = await ocx(["upload", "--no-prompt", "--project", project.project_name, f], { env });
  assert.equal(byShort.status, 0, byShort.stderr);
  assert.equal((await api(srv, `/api/v1/samples/${sampleIds(byShort.stdout)[0]}`)).project.$ref, project.$uri);
  const noProject = await ocx(["upload", "--no-prompt", "-p", "no such project", f], { env });
  assert.equal(noProject.status, 1);
  assert.match(noProject.stderr, /Project no such project does not exist/);

  const fw = writeFastq(path.join(home, "x_1.fq"), 10, { seed: 5 });
  const rv = writeFastq(path.join(home, "x_2.fq"), 10, { seed: 6 });
  const pair = await ocx(["upload", "--forward", fw, "--reverse", rv], { env });
  assert.equal(pair.status, 0, pair.stderr);
  assert.equal(sampleIds(pair.stdout).length, 1);
  const half = await ocx(["upload", "--forward", fw], { env });
  assert.equal(half.status, 1);
  assert.match(half.stderr, /You must specify both forward and reverse files/);
  const both = await ocx(["upload", "--forward", fw, "--reverse", rv, f], { env });
  assert.equal(both.status, 1);
  assert.match(both.stderr, /may not pass a FILES argument/);
});

test("file rules and usage: missing, duplicate, empty files", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const missing = await ocx(["upload", path.join(home, "nope.fastq")], { env });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /Path '.*nope\.fastq' does not exist/);
  const f = writeFastq(path.join(home, "d.fastq"), 5);
  const dup = await ocx(["upload", f, f], { env });
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /Duplicate filenames/);
  const empty = path.join(home, "empty.fastq");
  fs.writeFileSync(empty, "");
  const e = await ocx(["upload", "--no-prompt", empty], { env });
  assert.equal(e.status, 1);
  assert.match(e.stderr, /^Error \[invalid_file\]: /m);
  const help = await ocx(["upload"], { env });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: onecodex-wasm upload/);
});

test("--max-threads: anything but a whole number of at least 1 is bad usage, for every upload command", async (t) => {
  const home = tempHome(t);
  const env = cliEnv(home, null);
  const f = writeFastq(path.join(home, "t.fastq"), 5);
  const cases = [
    [["--max-threads", "0"], /Invalid value for '--max-threads': 0 is not in the range x>=1\./],
    [["--max-threads=-3"], /Invalid value for '--max-threads': -3 is not in the range x>=1\./],
    [["--max-threads", "x"], /Invalid value for '--max-threads': 'x' is not a valid integer\./],
    [["--max-threads", "1.5"], /Invalid value for '--max-threads': '1\.5' is not a valid integer\./],
    [["--max-threads", ""], /Invalid value for '--max-threads': '' is not a valid integer\./],
  ];
  for (const command of [["upload"], ["documents", "upload"], ["assets", "upload"]]) {
    for (const [option, re] of cases) {
      const argv = [...command, ...option, f];
      const r = await ocx(argv, { env });
      assert.equal(r.status, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re, argv.join(" "));
      assert.match(r.stderr, new RegExp(`^Usage: onecodex-wasm ${command.join(" ")} `), "the usage line of the command");
      assert.equal(r.stdout, "", argv.join(" "));
    }
  }
});

test("--max-threads 1: several files, one at a time, each a sample of its size", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const files = ["alpha", "beta", "gamma"].map((n, i) => writeFastq(path.join(home, `${n}.fastq`), 20 + 15 * i, { seed: 40 + i }));
  const r = await ocx(["upload", "--no-prompt", "--max-threads", "1", ...files], { env });
  assert.equal(r.status, 0, r.stderr);
  const ids = sampleIds(r.stdout);
  assert.equal(ids.length, 3, r.stdout);
  const listed = await ocx(["--no-pretty-print", "samples", ...ids], { env });
  assert.equal(listed.status, 0, listed.stderr);
  const got = JSON.parse(listed.stdout).map((s) => [s.filename, s.size]).sort();
  assert.deepEqual(got, files.map((f) => [path.basename(f), fs.statSync(f).size]).sort());
});

test("lanes are concatenated in lane order into one sample", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const l1 = writeFastq(path.join(home, "s_S1_L001_R1_001.fastq"), 40, { seed: 7 });
  const l2 = writeFastq(path.join(home, "s_S1_L002_R1_001.fastq"), 40, { seed: 8 });
  const r = await ocx(["upload", "--no-prompt", l2, l1], { env });
  assert.equal(r.status, 0, r.stderr);
  const [id] = sampleIds(r.stdout);
  const s = await api(srv, `/api/v1/samples/${id}`);
  assert.equal(s.filename, "s_S1_R1_001.fastq", "named as the Python CLI names the merged file");
  assert.equal(s.size, fs.statSync(l1).size + fs.statSync(l2).size);
  const out = path.join(home, "out");
  const d = await ocx(["download", "samples", out, "-s", id], { env });
  assert.equal(d.status, 0, d.stderr);
  const [file] = fs.readdirSync(out);
  assert.deepEqual(fs.readFileSync(path.join(out, file)), Buffer.concat([fs.readFileSync(l1), fs.readFileSync(l2)]));
});

test("an upload killed with SIGKILL is resumed by the same command: only the missing parts are sent", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  // Ten parts, four at a time.
  const big = writeBig(path.join(home, "big.fastq"), 100);
  // Every part takes a while, so the kill lands mid-upload; the rule's hits count the parts sent.
  const slow = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 1500 } });
  const cacheDir = path.join(home, ".cache", "onecodex-wasm", "uploads");
  const child = ocxSpawn(["upload", "--no-prompt", big], { env });
  const statePath = await new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const files = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json")) : [];
      const state = files.length ? JSON.parse(fs.readFileSync(path.join(cacheDir, files[0]), "utf8")) : null;
      if (state && partsDone(state) >= 2) { clearInterval(poll); resolve(path.join(cacheDir, files[0])); }
      if (Date.now() - started > 90_000) { clearInterval(poll); reject(new Error("no state with 2 parts saved")); }
    }, 50);
  });
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
  const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
  assert.ok(!JSON.stringify(state).includes(srv.apiKey), "the saved state holds no API key");
  assert.equal(fs.statSync(statePath).mode & 0o077, 0, "owner-only");
  const done = partsDone(state);
  const total = partsTotal(state);
  assert.ok(done >= 2 && done < total, `killed mid-upload (${done} of ${total})`);

  // Requests the killed process had already sent can still be counted after it died (a busy
  // server reads them late): the count is taken once it has stopped moving.
  const before = await settledHits(srv, slow);
  const again = await ocx(["upload", "--no-prompt", big], { env });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /Resuming the upload of big\.fastq/);
  const sent = (await srv.faultHits(slow)) - before;
  // Parts in flight at the kill may still have reached S3 (the resume lists them): at most the rest.
  assert.ok(sent >= 1 && sent <= total - done, `only the parts S3 did not have: sent ${sent}, ${done} of ${total} were done`);
  assert.ok(!fs.existsSync(statePath), "the state is removed once the upload completes");
  const [id] = sampleIds(again.stdout);
  assert.equal((await api(srv, `/api/v1/samples/${id}`)).size, fs.statSync(big).size);
});

// The local server keeps its API state (samples, upload credentials) in memory, so a restarted
// server would not know the upload; S3 going away is its fault rules cutting every connection to
// the parts not yet sent, before S3 reads them, until the retries run out (about 20 s of the
// library's waits: 0, 1, 3, 5 and 10 s).
test("S3 lost mid-upload: exit 1 with the error code, the state kept; the same command once it is back sends only the missing parts", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  // 40 MiB: four parts, all in flight at once; parts 1 and 2 are stored, 3 and 4 never arrive.
  const big = writeBig(path.join(home, "big.fastq"), 40);
  const cuts = [await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 3, drop_after_bytes: 0 }), await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 4, drop_after_bytes: 0 })];
  const lost = await ocx(["upload", "--no-prompt", big], { env });
  assert.equal(lost.status, 1, lost.stderr);
  assert.equal(lost.stdout, "", "no sample id: nothing was created");
  assert.match(lost.stderr, /^Error \[network\]: .*resumed/m);
  assert.ok(!lost.stderr.includes(srv.apiKey), "the API key is never printed");
  for (const id of cuts) assert.ok((await srv.faultHits(id)) > 1, "each lost part was tried again before giving up");
  const states = savedStates(home);
  assert.equal(states.length, 1, "the resume state is kept");
  const state = JSON.parse(fs.readFileSync(states[0], "utf8"));
  assert.equal(partsTotal(state), 4);
  assert.equal(partsDone(state), 2, "parts 1 and 2 are recorded as stored");
  assert.ok(!JSON.stringify(state).includes(srv.apiKey), "the saved state holds no API key");

  // S3 is back: counters instead of cuts, one per lost part and one for any other part.
  await srv.clearFaults();
  const sentAgain = { 3: await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 3, latency: { ms: 0 } }), 4: await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 4, latency: { ms: 0 } }) };
  const others = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 0 } });
  const again = await ocx(["upload", "--no-prompt", big], { env });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /Resuming the upload of big\.fastq/);
  assert.equal(await srv.faultHits(sentAgain[3]), 1, "part 3 sent once");
  assert.equal(await srv.faultHits(sentAgain[4]), 1, "part 4 sent once");
  assert.equal(await srv.faultHits(others), 0, "parts 1 and 2 not sent again");
  assert.deepEqual(savedStates(home), [], "the state is removed once the upload completes");
  const [id] = sampleIds(again.stdout);
  assert.equal((await api(srv, `/api/v1/samples/${id}`)).size, fs.statSync(big).size);
});

// The library's saved state: per file its plan (part size) and the parts S3 confirmed.
/** A fault rule's hit count once it has stayed the same for 600 ms. */
async function settledHits(srv, id) {
  let last = await srv.faultHits(id);
  for (let still = 0; still < 3; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await srv.faultHits(id);
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

function partsDone(state) {
  return (state.files ?? []).reduce((n, f) => n + (f.parts ?? []).filter((p) => p.etag).length, 0);
}
function partsTotal(state) {
  return (state.files ?? []).reduce((n, f) => n + Math.ceil(f.fingerprint.size / f.plan.part_size), 0);
}


test("--coerce-ascii: a non-ASCII file name is refused, or transliterated when asked", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const f = writeFastq(path.join(home, "café_reads.fastq"), 10);
  const refused = await ocx(["upload", "--no-prompt", f], { env });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^Error \[invalid_file\]: /m);
  const ok = await ocx(["upload", "--no-prompt", "--coerce-ascii", f], { env });
  assert.equal(ok.status, 0, ok.stderr);
  const s = await api(srv, `/api/v1/samples/${sampleIds(ok.stdout)[0]}`);
  assert.equal(s.filename, "cafe_reads.fastq");
});

test("ONT split files are merged per sample at the prompt, named as the Python CLI names them", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey, TERM: "dumb" });
  const parts = [0, 1, 2].map((i) => writeFastq(path.join(home, `run7_${i}.fastq`), 20, { seed: 30 + i }));
  const r = await inPty([process.execPath, CLI, "upload", ...parts], { env, answers: [{ after: "[c]ancel (Y, n, d, c) [Y]: ", type: "Y" }] });
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /It appears there are 1 sample\(s\) split across 3 individual file\(s\)/);
  const ids = r.output.match(/^[0-9a-f]{16}\r?$/gm).map((s) => s.trim());
  assert.equal(ids.length, 1);
  const s = await api(srv, `/api/v1/samples/${ids[0]}`);
  assert.equal(s.filename, "run7.fastq");
  const out = path.join(home, "out");
  assert.equal((await ocx(["download", "samples", out, "-s", ids[0]], { env })).status, 0);
  assert.deepEqual(fs.readFileSync(path.join(out, fs.readdirSync(out)[0])), Buffer.concat(parts.map((p) => fs.readFileSync(p))));
});
