// Listings: JSON as the Python CLI shapes it (cross-checked against the Python CLI of the test
// venv on the same server), --where/--sort/--limit checked by the library and evaluated by the
// server, --format ndjson/csv/table, objects by id, missing ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cliEnv, idOf, loggedIn, ocx, python, pythonCli, tempHome, withServer } from "./support.mjs";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;

/** Python's JSON and ours agree: every field Python prints is ours too, with the same value
 *  (timestamps as instants: Python writes some with `Z`), referenced objects by their URI. */
function assertSameShape(py, ours, where) {
  if (Array.isArray(py)) {
    assert.ok(Array.isArray(ours), `${where}: an array`);
    assert.equal(ours.length, py.length, `${where}: length`);
    py.forEach((p, i) => assertSameShape(p, ours[i], `${where}[${i}]`));
    return;
  }
  if (py && typeof py === "object") {
    assert.ok(ours && typeof ours === "object", `${where}: an object`);
    const uri = py.$uri ?? py.$ref;
    if (uri !== undefined) assert.equal(ours.$uri ?? ours.$ref, uri, `${where}: the same object`);
    // Referenced objects are printed through Python's models, which add defaults of their own
    // (`job_args: {}`): below the top level, the fields both have must agree.
    const nested = where.includes(".");
    for (const k of Object.keys(py)) {
      if (nested && !(k in ours)) continue;
      // Python's models also add empty defaults the API does not send (`job_args: {}` on analyses).
      if (!(k in ours) && isEmptyDefault(py[k])) continue;
      assert.ok(k in ours, `${where}.${k} is missing`);
      assertSameShape(py[k], ours[k], `${where}.${k}`);
    }
    return;
  }
  // Pre-signed links are signed per request: the same link up to its signature.
  if (typeof py === "string" && py.includes("signature=") && typeof ours === "string") {
    assert.equal(ours.split("?")[0], py.split("?")[0], where);
    return;
  }
  if (typeof py === "string" && ISO.test(py) && typeof ours === "string") {
    assert.equal(Date.parse(ours.replace(/(\.\d{3})\d+/, "$1")), Date.parse(py.replace(/(\.\d{3})\d+/, "$1")), `${where}: the same instant`);
    return;
  }
  assert.deepEqual(ours, py, where);
}

const isEmptyDefault = (v) => v === null || (Array.isArray(v) && !v.length) || (v && typeof v === "object" && !Object.keys(v).length);
const byUri = (a, b) => (a.$uri < b.$uri ? -1 : a.$uri > b.$uri ? 1 : 0);

test("listings as JSON: the same objects and shape as the Python CLI prints", { skip: !pythonCli() && "no Python CLI in the test venv" }, async (t) => {
  const srv = await withServer(t, ["--samples", "25"]);
  const { env } = loggedIn(t, srv);
  for (const argv of [["samples"], ["analyses"], ["classifications"], ["panels"], ["workflows"], ["documents", "list", "--json"], ["assets", "list", "--json"]]) {
    const [py, ours] = await Promise.all([python(argv, { env }), ocx(argv, { env })]);
    assert.equal(py.status, 0, `python ${argv.join(" ")}: ${py.stderr}`);
    assert.equal(ours.status, 0, `ours ${argv.join(" ")}: ${ours.stderr}`);
    const p = JSON.parse(py.stdout).sort(byUri);
    const o = JSON.parse(ours.stdout).sort(byUri);
    assert.ok(p.length > 0, `${argv.join(" ")} lists something`);
    assertSameShape(p, o, argv.join(" "));
  }
  // By id: the Python CLI dumps its model internals there (`_snapshot`); we print the object.
  const [first] = JSON.parse((await ocx(["samples", "--limit", "1"], { env })).stdout);
  const id = idOf(first);
  const [py, ours] = await Promise.all([python(["samples", id], { env }), ocx(["samples", id], { env })]);
  assertSameShape(JSON.parse(py.stdout).map((x) => x._snapshot), JSON.parse(ours.stdout), `samples ${id}`);
  // Pretty JSON is Python's layout byte for byte where the values are the same kind (documents
  // carry no floats): four-space indent, sorted keys, non-ASCII escaped.
  const docsPy = await python(["documents", "list", "--json"], { env });
  const docsOurs = await ocx(["documents", "list", "--json"], { env });
  assert.equal(docsOurs.stdout.split("\n")[1], docsPy.stdout.split("\n")[1]);
  assert.match(docsOurs.stdout, /^\[\n {4}\{\n {8}"\$uri": "\/api\/v1\/documents\//);
});

test("--where, --sort and --limit are evaluated by the server; formats", async (t) => {
  const srv = await withServer(t, ["--samples", "40"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const all = JSON.parse((await ocx(["--no-pretty-print", "samples"], { env })).stdout);
  assert.equal(all.length, 40);
  const sizes = all.map((s) => s.size).sort((a, b) => a - b);
  const median = sizes[20];

  const r = await ocx(["samples", "--where", JSON.stringify({ size: { $gte: median } }), "--sort", "size", "--limit", "5"], { env });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  const expected = all.filter((s) => s.size >= median).sort((a, b) => b.size - a.size).slice(0, 5);
  assert.deepEqual(got.map((s) => s.size), expected.map((s) => s.size));

  // The library refuses what the API would not take, before any request: bad usage.
  for (const [opt, value, re] of [["--where", '{"nosuchfield": 1}', /Invalid value for '--where'/], ["--where", '{"size": {"$regex": "x"}}', /Invalid value for '--where'/], ["--sort", "nosuchfield", /Invalid value for '--sort'|Invalid value for '--where'/], ["--limit=-3", "", /Invalid value for|limit/], ["--limit", "2.5", /Invalid value for|limit/]]) {
    const bad = await ocx(["samples", opt, ...(value ? [value] : [])], { env });
    assert.equal(bad.status, 2, `${opt} ${value}: ${bad.stderr}`);
    assert.match(bad.stderr, re);
  }

  const nd = await ocx(["samples", "--format", "ndjson", "--sort", "^filename"], { env });
  const lines = nd.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 40);
  assert.deepEqual(lines.map((s) => s.filename), [...all.map((s) => s.filename)].sort());
  assert.equal(lines[0].metadata.$uri, all.find((s) => s.filename === lines[0].filename).metadata.$uri, "references expanded");

  const csv = await ocx(["samples", "--format", "csv", "--limit", "3"], { env });
  const rows = csv.stdout.trimEnd().split("\r\n");
  assert.equal(rows.length, 4);
  const header = rows[0].split(",");
  assert.equal(header[0], "$uri");
  assert.ok(header.includes("filename") && header.includes("size"));

  const table = await ocx(["samples", "--format", "table", "--limit", "3"], { env: { ...env, COLUMNS: "200" } });
  const tlines = table.stdout.trimEnd().split("\n");
  assert.equal(tlines.length, 5);
  assert.match(tlines[0], /^id\s+filename\s+size/);
});

test("objects by id; a missing id fails the run after printing the others", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const all = JSON.parse((await ocx(["samples"], { env })).stdout);
  const ids = all.slice(0, 2).map(idOf);
  const ok = await ocx(["samples", ids[1], ids[0].toUpperCase(), ids[1]], { env });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).map(idOf), [ids[1], ids[0]], "in order, each once, ids case-insensitive");
  const missing = await ocx(["samples", ids[0], "ffffffffffffffff"], { env });
  assert.equal(missing.status, 1);
  assert.deepEqual(JSON.parse(missing.stdout).map(idOf), [ids[0]]);
  assert.match(missing.stderr, /Could not find Samples ffffffffffffffff \(404 status code\)/);
  const combined = await ocx(["samples", ids[0], "--limit", "1"], { env });
  assert.equal(combined.status, 2);
});
