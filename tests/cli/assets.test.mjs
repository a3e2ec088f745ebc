// `assets upload` and `assets list`: an upload listed (JSON and table) with its name, file name and
// size; the file rules (a missing file is bad usage, exit 2; an empty one the library refuses,
// exit 1) and nothing uploaded by them. The JSON shape of `assets list` against the Python CLI's
// is in listings.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cliEnv, idOf, ocx, tempHome, withServer } from "./support.mjs";

async function listAssets(env) {
  const r = await ocx(["--no-pretty-print", "assets", "list", "--json"], { env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The assets of `after` not in `before`. */
const added = (before, after) => after.filter((a) => !before.some((b) => b.$uri === a.$uri));

function writeFasta(file, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += `>contig${i}\n${"ACGTTGCA".repeat(10 + (i % 7))}\n`;
  fs.writeFileSync(file, s);
  return file;
}

test("assets upload --name: assets list shows it with that name, its file name and size", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const before = await listAssets(env);
  const f = writeFasta(path.join(home, "reference.fa"), 200);
  const r = await ocx(["assets", "upload", "--name", "Gut reference v2", f], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(srv.apiKey), "the API key is never printed");
  const [asset, ...more] = added(before, await listAssets(env));
  assert.deepEqual(more, [], "one asset added");
  assert.ok(asset, "the upload is listed");
  assert.equal(asset.name, "Gut reference v2");
  assert.equal(asset.filename, "reference.fa");
  assert.equal(asset.size, fs.statSync(f).size);
  assert.match(asset.status, /^(importing|available)$/);
  const table = await ocx(["assets", "list"], { env: { ...env, COLUMNS: "200" } });
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`^${idOf(asset)}\\s+reference\\.fa\\s`, "m"), "a row of the table");

  // Without --name the server names it after the file; `--name ""` prints the help, as in Python.
  const listed = await listAssets(env);
  const plain = writeFasta(path.join(home, "plasmids.fasta"), 20);
  assert.equal((await ocx(["assets", "upload", plain], { env })).status, 0);
  const [unnamed] = added(listed, await listAssets(env));
  assert.equal(unnamed?.name, "plasmids.fasta");
  assert.equal(unnamed.size, fs.statSync(plain).size);
  const help = await ocx(["assets", "upload", "--name", "", plain], { env });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: onecodex-wasm assets upload \[OPTIONS\] FILE/);
  assert.equal((await listAssets(env)).length, listed.length + 1, "the help uploads nothing");
});

test("assets upload: a missing file is bad usage, an empty one is refused; nothing is uploaded", async (t) => {
  const srv = await withServer(t, ["--samples", "1"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey });
  const before = await listAssets(env);
  const missing = await ocx(["assets", "upload", "--name", "x", path.join(home, "nope.fa")], { env });
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /^Error: Invalid value for 'FILE': Path '.*nope\.fa' does not exist\.$/m);
  assert.equal(missing.stdout, "");
  const empty = path.join(home, "empty.fa");
  fs.writeFileSync(empty, "");
  const e = await ocx(["assets", "upload", empty], { env });
  assert.equal(e.status, 1, e.stderr);
  assert.match(e.stderr, /^Error \[invalid_file\]: .*empty/m);
  assert.equal(e.stdout, "");
  const none = await ocx(["assets", "upload"], { env });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /Missing argument 'FILE'/);
  assert.deepEqual(added(before, await listAssets(env)), []);
});
