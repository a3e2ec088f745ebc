// The whole public surface against a generated stream of hostile arguments (tests/js/hostile-values.mjs):
// every exported function and every method of the client, of each resource, of the filter
// builder and of the tables module's classes, in Node. The same runs in Chromium
// (tests/page/hostile-surface.test.mjs). HOSTILE_SEED and HOSTILE_CALLS vary the stream.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as client from "onecodex-wasm";
import * as tables from "onecodex-wasm/tables";
import { generatedResults } from "./generated.mjs";
import { clientSurface, tablesSurface } from "./hostile-values.mjs";

const options = { seed: Number(process.env.HOSTILE_SEED ?? 20261204), calls: Number(process.env.HOSTILE_CALLS ?? 24) };

function assertHeld({ calls, failures, targets }) {
  assert.ok(targets > 20 && calls >= targets * options.calls, `${calls} calls over ${targets} functions`);
  assert.deepEqual(failures, [], `${failures.length} of ${calls} calls ended outside the contract:\n${failures.slice(0, 40).join("\n")}`);
}

test("the client's whole surface survives hostile arguments", async (t) => {
  // Anything a call might write lands in a scratch directory.
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-hostile-"));
  process.chdir(dir);
  t.after(() => { process.chdir(cwd); fs.rmSync(dir, { recursive: true, force: true }); });
  assertHeld(await clientSurface(client, options));
});

test("the tables module's whole surface survives hostile arguments", async (t) => {
  assertHeld(await tablesSurface(tables, generatedResults(t, 4), options));
});
