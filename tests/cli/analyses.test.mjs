// `analyses` subcommands, `await`, `classifications --results/--read-level`, `documents`,
// `jobs` and `download samples`, cross-checked with the Python CLI where it has the command.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CLI, idOf, inPty, loggedIn, ocx, ocxSpawn, python, pythonCli, withServer, writeFastq } from "./support.mjs";

const skip = !pythonCli() && "no Python CLI in the test venv";

function assertClose(a, b, where) {
  if (typeof b === "number" && typeof a === "number") {
    assert.ok(Math.abs(a - b) <= 1e-14 * Math.max(Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
  } else if (b && typeof b === "object") {
    assert.deepEqual(Object.keys(a ?? {}).sort(), Object.keys(b).sort(), where);
    for (const k of Object.keys(b)) assertClose(a[k], b[k], `${where}.${k}`);
  } else {
    assert.equal(a, b, where);
  }
}

const firstId = async (env, argv) => idOf(JSON.parse((await ocx(["--no-pretty-print", ...argv, "--limit", "1"], { env })).stdout)[0]);

test("analyses files/logs/download/await/cancel and classifications --results/--read-level, as the Python CLI", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "20"]);
  const { home, env } = loggedIn(t, srv);
  const wf = await firstId(env, ["workflows"]);
  for (const argv of [["analyses", "files", wf, "--json"], ["analyses", "files", wf], ["analyses", "logs", wf, "--tail", "5"], ["await", wf], ["analyses", "await", wf]]) {
    const [py, ours] = await Promise.all([python(argv, { env }), ocx(argv, { env })]);
    assert.equal(ours.status, py.status, `${argv.join(" ")}: ${ours.stderr}`);
    if (argv.includes("--json")) {
      const strip = (x) => JSON.parse(x).map((f) => ({ ...f, url: f.url.split("?")[0] }));
      assert.deepEqual(strip(ours.stdout), strip(py.stdout), argv.join(" "));
    } else {
      assert.equal(ours.stdout, py.stdout, argv.join(" "));
    }
  }
  const pyDir = path.join(home, "py");
  const ourDir = path.join(home, "ours");
  assert.equal((await python(["analyses", "download", wf, "-o", pyDir], { env })).status, 0);
  const d = await ocx(["analyses", "download", wf, "-o", ourDir], { env });
  assert.equal(d.status, 0, d.stderr);
  const list = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  assert.deepEqual(list(ourDir), list(pyDir));
  for (const f of list(pyDir)) assert.deepEqual(fs.readFileSync(path.join(ourDir, f)), fs.readFileSync(path.join(pyDir, f)), f);
  const again = await ocx(["analyses", "download", wf, "-o", ourDir, "-f", "results/summary.txt"], { env });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists\. Will not overwrite\./);
  const noSuch = await ocx(["analyses", "download", wf, "-f", "nope.txt"], { env });
  assert.equal(noSuch.status, 1);
  assert.match(noSuch.stderr, /has no output file\(s\): nope\.txt/);
  const cancel = await ocx(["analyses", "cancel", wf], { env });
  assert.equal(cancel.status, 1, "a finished analysis cannot be cancelled");
  const missing = await ocx(["analyses", "logs", "ffffffffffffffff"], { env });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /Could not find analysis ffffffffffffffff/);

  const cls = await firstId(env, ["classifications"]);
  const [pyRes, ourRes] = await Promise.all([python(["classifications", cls, "--results"], { env }), ocx(["classifications", cls, "--results"], { env })]);
  assert.equal(ourRes.status, 0, ourRes.stderr);
  // The same table; floats within 1e-14 relative: the package's results() parses them without
  // exact round trips (its tables parser does), which shows in the last digit of a few values.
  assertClose(JSON.parse(ourRes.stdout), JSON.parse(pyRes.stdout), "results");
  const pyRl = path.join(home, "py-rl");
  const ourRl = path.join(home, "our-rl");
  fs.mkdirSync(pyRl);
  assert.equal((await python(["classifications", cls, "--read-level", "--read-level-path", pyRl], { env })).status, 0);
  const rl = await ocx(["classifications", cls, "--read-level", "--read-level-path", `${ourRl}/`], { env });
  assert.equal(rl.status, 0, rl.stderr);
  assert.deepEqual(fs.readdirSync(ourRl), fs.readdirSync(pyRl));
  const [name] = fs.readdirSync(pyRl);
  assert.deepEqual(fs.readFileSync(path.join(ourRl, name)), fs.readFileSync(path.join(pyRl, name)));
  const both = await ocx(["classifications", cls, "--results", "--read-level"], { env });
  assert.equal(both.status, 2);
  const two = await ocx(["classifications", cls, cls.replace(/.$/, "0"), "--results"], { env });
  assert.equal(two.status, 2);
});

test("documents download (to a file and to stdout) and list, as the Python CLI", { skip }, async (t) => {
  const srv = await withServer(t, ["--samples", "2"]);
  const { home, env } = loggedIn(t, srv);
  const [py, ours] = await Promise.all([python(["documents", "list"], { env }), ocx(["documents", "list"], { env })]);
  assert.equal(ours.stdout, py.stdout, "the same table");
  const doc = idOf(JSON.parse((await ocx(["documents", "list", "--json"], { env })).stdout)[0]);
  const pyFile = path.join(home, "py.pdf");
  assert.equal((await python(["documents", "download", doc, "-O", pyFile], { env })).status, 0);
  const ourFile = path.join(home, "ours.pdf");
  const d = await ocx(["documents", "download", doc, "-O", ourFile], { env });
  assert.equal(d.status, 0, d.stderr);
  assert.deepEqual(fs.readFileSync(ourFile), fs.readFileSync(pyFile));
  const toStdout = await ocx(["documents", "download", doc, "-O", "-"], { env });
  assert.equal(toStdout.status, 0);
  assert.equal(Buffer.byteLength(toStdout.stdout, "latin1") > 0, true);
  assert.equal(toStdout.stderr, "", "nothing but the bytes, nothing on stderr");
  const up = path.join(home, "notes.txt");
  fs.writeFileSync(up, "lab notes\n");
  assert.equal((await ocx(["documents", "upload", up], { env })).status, 0);
  const docs = JSON.parse((await ocx(["documents", "list", "--json"], { env })).stdout);
  assert.ok(docs.some((x) => x.filename === "notes.txt"), "uploaded");
});

test("jobs create, update, publish, run", async (t) => {
  const srv = await withServer(t, ["--samples", "2"]);
  const { home, env } = loggedIn(t, srv);
  const script = path.join(home, "job.sh");
  fs.writeFileSync(script, "echo $SAMPLE\n");
  const c = await ocx(["jobs", "create", "--name", "count reads", "--script", script, "--image-uri", "docker.io/library/alpine:3", "--cpu", "2", "--ram-gb", "4"], { env });
  assert.equal(c.status, 0, c.stderr);
  const jobId = /^Created job ([0-9a-f]{16}): count reads$/m.exec(c.stdout)?.[1];
  assert.ok(jobId, c.stdout);
  const job = JSON.parse((await ocx(["jobs", "list", jobId], { env })).stdout)[0];
  assert.equal(job.name, "count reads");
  assert.equal((await ocx(["jobs", "create", "--name", "x", "--script", script], { env })).status, 2, "--image-uri is required");
  assert.equal((await ocx(["jobs", "create", "--name", "x", "--script", script, "--job-type", "nextflow", "--image-uri", "i"], { env })).status, 2);
  assert.equal((await ocx(["jobs", "update", jobId], { env })).status, 2, "nothing to update");
  const u = await ocx(["jobs", "update", jobId, "--name", "count reads v2"], { env });
  assert.equal(u.status, 0, u.stderr);
  assert.match(u.stdout, /^Updated job [0-9a-f]{16}: count reads v2$/m);
  assert.equal((await ocx(["jobs", "publish", jobId], { env })).stdout, "Job published successfully.\n");
  const sample = await firstId(env, ["samples"]);
  assert.equal((await ocx(["jobs", "run", jobId, sample, "-a", "x=1", "--args-json", "{}"], { env })).status, 2, "-a and --args-json exclude each other");
  assert.equal((await ocx(["jobs", "run", jobId, sample, "--args-json", "[1]"], { env })).status, 2);
  const r = await ocx(["jobs", "run", jobId, sample, "-a", "threshold=5", "--description", "rerun"], { env });
  assert.equal(r.status, 0, r.stderr);
  const analysisId = /New analysis ID: ([0-9a-f]{16})/.exec(r.stdout)?.[1];
  const [analysis] = JSON.parse((await ocx(["analyses", analysisId], { env })).stdout);
  assert.equal(analysis.sample.$uri, `/api/v1/samples/${sample}`);
  assert.equal(analysis.job.$uri, `/api/v1/jobs/${jobId}`);
});

test("download samples: by tag and project, skips existing files, asks before many", async (t) => {
  const srv = await withServer(t, ["--samples", "60"]);
  const { home, env } = loggedIn(t, srv);
  const up = writeFastq(path.join(home, "tagged.fastq"), 100, { seed: 3 });
  const u = await ocx(["upload", "--no-prompt", "-t", "cli-dl", up], { env });
  assert.equal(u.status, 0, u.stderr);
  const id = u.stdout.trim();
  const out = path.join(home, "out");
  const d = await ocx(["download", "samples", out, "-t", "cli-dl", "-t", "no such tag"], { env });
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stderr, /No tag found: 'no such tag'/);
  assert.deepEqual(fs.readdirSync(out), [`tagged_${id}.fastq`]);
  assert.deepEqual(fs.readFileSync(path.join(out, `tagged_${id}.fastq`)), fs.readFileSync(up));
  const again = await ocx(["download", "samples", out, "-s", id], { env });
  assert.equal(again.status, 0);
  assert.match(again.stderr, new RegExp(`Skipping download of sample ${id} to .*: the file exists`));

  // 60 generated samples: the prompt comes first; answering no downloads nothing.
  const many = path.join(home, "many");
  const no = await inPty([process.execPath, CLI, "download", "samples", many], { env: { ...env, TERM: "dumb" }, answers: [{ after: "samples? [y/N]: ", type: "n" }] });
  assert.equal(no.status, 0, no.output);
  assert.deepEqual(no.unanswered, []);
  assert.match(no.output, /Are you sure you'd like to download 6\d /);
  assert.ok(!fs.existsSync(many));

  // (The generated samples of a project are gigabytes: only the project lookup is run here.)
  const noProject = await ocx(["download", "samples", path.join(home, "p"), "--project", "no such project"], { env });
  assert.equal(noProject.status, 1);
  assert.match(noProject.stderr, /No project exists with name or ID 'no such project'/);
  const missing = await ocx(["download", "samples", path.join(home, "m"), "-s", "ffffffffffffffff"], { env });
  assert.equal(missing.status, 0);
  assert.match(missing.stderr, /No sample found with ID 'ffffffffffffffff'/);
});

test("download samples: the partial file of a killed run is continued by the next, only the rest is fetched", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const { home, env } = loggedIn(t, srv);
  const up = writeFastq(path.join(home, "long.fastq"), 12_000, { seed: 9, len: 100 }); // about 2.5 MB
  const u = await ocx(["upload", "--no-prompt", up], { env });
  assert.equal(u.status, 0, u.stderr);
  const id = u.stdout.trim();
  const out = path.join(home, "out");
  const dest = path.join(out, `long_${id}.fastq`);
  const signedPath = `/__signed/download/samples/${id}`;
  // A slow link, so the first run is killed part-way.
  const slow = await srv.addFault({ target: "api", method: "GET", path: signedPath, slow_body: { bytes_per_sec: 400_000 } });
  const child = ocxSpawn(["download", "samples", out, "-s", id], { env });
  await new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const size = fs.existsSync(`${dest}.part`) ? fs.statSync(`${dest}.part`).size : 0;
      if (size >= 500_000) { clearInterval(poll); resolve(); }
      if (Date.now() - started > 60_000) { clearInterval(poll); reject(new Error("the partial file never grew")); }
    }, 20);
  });
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
  const kept = fs.statSync(`${dest}.part`).size;
  assert.ok(kept < fs.statSync(up).size, "killed before the end");
  assert.ok(!fs.existsSync(dest), "no final file from the killed run");
  assert.ok(JSON.parse(fs.readFileSync(`${dest}.part.json`, "utf8")).etag, "the object's identity was kept");

  await srv.clearFaults();
  // Counts the requests for the link, and what they asked for.
  const count = await srv.addFault({ target: "api", method: "GET", path: signedPath, latency: { ms: 0 } });
  const again = await ocx(["download", "samples", out, "-s", id], { env });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`Continued the partial download of sample ${id}`));
  assert.equal(await srv.faultHits(count), 1, "one request, for the rest");
  assert.deepEqual(fs.readFileSync(dest), fs.readFileSync(up));
  assert.deepEqual(fs.readdirSync(out), [path.basename(dest)], "the partial file and its identity are gone");
});
