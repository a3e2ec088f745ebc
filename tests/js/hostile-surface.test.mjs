// The whole public surface against a generated stream of hostile arguments: every exported
// function, every method of the client, of each resource and of the tables module's classes is
// called with random JSON, cycles, deep nesting, throwing getters and toJSON, Proxies, wrong
// types, NaN and BigInt (deterministic for the seed). Every call must return, throw or reject
// with a OneCodexError, or hand back the caller's own exception; never a raw RuntimeError or
// TypeError, never an unsettled promise; and after each call the instance still works.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as client from "onecodex-wasm";
import * as tables from "onecodex-wasm/tables";
import { generatedResults } from "./generated.mjs";

const SEED = Number(process.env.HOSTILE_SEED ?? 20261204);
const CALLS_PER_FUNCTION = Number(process.env.HOSTILE_CALLS ?? 24);
const BOOM = new Error("the caller's own exception");

function rng(seed) {
  let s = BigInt(seed) | 1n;
  return () => {
    s ^= s << 13n; s &= (1n << 64n) - 1n;
    s ^= s >> 7n;
    s ^= s << 17n; s &= (1n << 64n) - 1n;
    return Number(s >> 11n) / 2 ** 53;
  };
}

function deep(n, leaf) {
  let v = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** One hostile value. */
function hostile(r, depth = 0) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const leaves = [
    () => undefined, () => null, () => true, () => 0, () => -0, () => -1, () => 1.5, () => NaN, () => Infinity,
    () => -Infinity, () => 2 ** 53 + 2, () => 2 ** 32, () => 1e308, () => 10n, () => "", () => "x".repeat(100_000),
    () => "a\u0000b", () => "\ud800", () => "$uri", () => "/api/v1/samples/abc", () => "genus", () => "abundance",
    () => "0123456789abcdef", () => "x/../y", () => Symbol("s"), () => () => BOOM, () => new Date(NaN),
    () => new Uint8Array(Math.floor(r() * 64)).map(() => Math.floor(r() * 256)), () => new ArrayBuffer(8),
    () => new Map([[1, 2]]), () => Object.create(null),
  ];
  const nodes = [
    () => [hostile(r, depth + 1), hostile(r, depth + 1)],
    () => ({ [pick(["size", "limit", "rank", "metric", "where", "sort", "$uri", "tags", "signal", "onProgress", "x"])]: hostile(r, depth + 1) }),
    () => { const o = { size: 1 }; o.self = o; return o; },
    () => { const a = [1]; a.push(a); return a; },
    () => deep(5_000 + Math.floor(r() * 50_000), 1),
    () => ({ get size() { throw BOOM; }, get limit() { throw BOOM; }, get rank() { throw BOOM; } }),
    () => ({ toJSON() { throw BOOM; } }),
    () => new Proxy({}, { get() { throw BOOM; }, ownKeys() { throw BOOM; }, has() { throw BOOM; }, getOwnPropertyDescriptor() { throw BOOM; } }),
    () => new Proxy([], { get(t, k) { if (k === "length") return 2 ** 32 - 1; throw BOOM; } }),
    () => ({ $uri: hostile(r, depth + 1) }),
    () => ({ classificationId: hostile(r, depth + 1), bytes: hostile(r, depth + 1) }),
  ];
  return depth < 3 && r() < 0.45 ? pick(nodes)() : pick(leaves)();
}

function describe(v, depth = 0) {
  try {
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "symbol" || typeof v === "function") return String(v);
    if (typeof v === "string") return v.length > 40 ? `"${v.slice(0, 20)}…" (${v.length})` : JSON.stringify(v);
    if (v === null || typeof v !== "object") return String(v);
    if (depth > 1) return Array.isArray(v) ? "[…]" : "{…}";
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
    if (Array.isArray(v)) return `[${v.slice(0, 3).map((x) => describe(x, depth + 1)).join(", ")}]`;
    return `{${Object.keys(v).slice(0, 3).map((k) => `${k}: ${describe(v[k], depth + 1)}`).join(", ")}}`;
  } catch {
    return "(a hostile object)";
  }
}

/** What a call may end in: a value, a OneCodexError, or the caller's own exception. */
function acceptable(e, isOneCodexError) {
  return e === BOOM || isOneCodexError(e);
}

const settle = (p, ms) => Promise.race([
  p.then((v) => ({ ok: v }), (e) => ({ err: e })),
  new Promise((resolve) => setTimeout(() => resolve({ never: true }), ms).unref()),
]);

/** The callable members of an object and its prototype chain (own classes only). */
function methods(obj) {
  const out = new Set();
  for (let p = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (["constructor", "free", "__destroy_into_raw", "__wbg_ptr", "then"].includes(k) || k.startsWith("__")) continue;
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (d && typeof d.value === "function") out.add(k);
    }
  }
  return [...out].sort();
}

async function exercise(t, targets, isOneCodexError, alive) {
  const r = rng(SEED);
  const failures = [];
  let calls = 0;
  for (const [name, fn] of targets) {
    for (let i = 0; i < CALLS_PER_FUNCTION; i++) {
      const args = Array.from({ length: Math.floor(r() * 4) }, () => hostile(r));
      const what = `${name}(${args.map((a) => describe(a)).join(", ")})`;
      calls++;
      let out;
      try {
        out = fn(...args);
      } catch (e) {
        if (!acceptable(e, isOneCodexError)) failures.push(`${what} threw ${e?.name}: ${String(e?.message ?? e).slice(0, 160)}`);
        out = undefined;
      }
      // A promise, or a handle whose `done` is one (an upload), must settle within the contract.
      for (const p of [out, out?.done]) {
        if (!p || typeof p.then !== "function") continue;
        const s = await settle(Promise.resolve(p), 10_000);
        if (s.never) failures.push(`${what}: the promise never settled`);
        else if ("err" in s && !acceptable(s.err, isOneCodexError)) failures.push(`${what} rejected ${s.err?.name}: ${String(s.err?.message ?? s.err).slice(0, 160)}`);
      }
      try {
        alive();
      } catch (e) {
        failures.push(`after ${what} the instance is broken: ${e}`);
        assert.fail(failures.join("\n"));
      }
    }
  }
  assert.ok(calls >= targets.length * CALLS_PER_FUNCTION);
  assert.deepEqual(failures, [], `${failures.length} of ${calls} calls ended outside the contract:\n${failures.slice(0, 40).join("\n")}`);
}

test("the client's whole surface survives hostile arguments", async (t) => {
  // Anything a call might write lands in a scratch directory.
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-hostile-"));
  process.chdir(dir);
  t.after(() => { process.chdir(cwd); fs.rmSync(dir, { recursive: true, force: true }); });
  const { OneCodex, isOneCodexError } = client;
  const ocx = new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1", retry: { retries: 0 }, timeoutMs: 2000 });
  const alive = () => {
    assert.equal(new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1" }).authScheme, "basic");
    assert.equal(client.encodeWhere({ size: 1 }), '{"size": 1}');
    assert.equal(isOneCodexError(new Error("x")), false);
  };
  const targets = [];
  for (const k of ["encodeSort", "encodeWhere", "filterableFields", "isOneCodexError", "pairFiles"]) targets.push([k, client[k]]);
  targets.push(["new OneCodex", (...a) => new OneCodex(...a)]);
  for (const m of methods(ocx)) targets.push([`ocx.${m}`, (...a) => ocx[m](...a)]);
  const resources = Object.getOwnPropertyNames(Object.getPrototypeOf(ocx)).filter((k) => {
    const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ocx), k);
    return d?.get && ocx[k] && typeof ocx[k] === "object" && methods(ocx[k]).includes("get");
  });
  assert.ok(resources.length >= 15, `resources: ${resources}`);
  for (const res of resources) {
    const api = ocx[res];
    for (const m of methods(api)) targets.push([`ocx.${res}.${m}`, (...a) => api[m](...a)]);
  }
  for (const res of Object.keys(client.where)) {
    targets.push([`where.${res}.field`, (...a) => client.where[res].field(...a)]);
  }
  const f = client.where.samples.field("size").gte(1);
  for (const m of methods(f)) targets.push([`Filter.${m}`, (...a) => f[m](...a)]);
  await exercise(t, targets, isOneCodexError, alive);
});

test("the tables module's whole surface survives hostile arguments", async (t) => {
  const { Collection, isOneCodexError } = tables;
  const items = generatedResults(t, 4).map((x, i) => ({ ...x, metadata: { custom: { site: ["a", "b"][i % 2] } } }));
  const collection = Collection.fromResults(items);
  const table = tables.parseClassificationResults(items[0].bytes);
  const tree = collection.tree();
  const dm = collection.betaDiversity({});
  t.after(() => { for (const x of [collection, table, tree, dm]) x.free(); });
  const alive = () => {
    const c = Collection.fromResults(items.slice(0, 2));
    assert.equal(c.classificationIds.length, 2);
    c.free();
    assert.equal(isOneCodexError(new Error("x")), false);
  };
  const targets = [];
  for (const k of ["decodeResults", "functionalMatrix", "linkage", "mds", "parseClassificationResults", "parseFunctionalResults", "pcoa"]) {
    targets.push([k, tables[k]]);
  }
  targets.push(["Collection.fromResults", (...a) => Collection.fromResults(...a)]);
  for (const [name, obj] of [["collection", collection], ["table", table], ["tree", tree], ["distances", dm]]) {
    for (const m of methods(obj)) targets.push([`${name}.${m}`, (...a) => obj[m](...a)]);
  }
  await exercise(t, targets, isOneCodexError, alive);
});
