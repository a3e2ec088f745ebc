// Hostile arguments and the public surfaces they are thrown at, shared by the Node test
// (tests/js/hostile-surface.test.mjs) and the Chromium one (tests/page/hostile-surface.test.mjs):
// random JSON, cycles, deep nesting, throwing getters and toJSON, Proxies, wrong types, NaN and
// BigInt, deterministic for a seed. A call may return, throw or reject with a OneCodexError, or
// hand back the caller's own exception; anything else (a raw RuntimeError or TypeError, a promise
// that never settles, an instance that stops working) is a failure. Loaded by URL in a page, so
// it imports nothing.

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
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ never: true }), ms);
    timer?.unref?.(); // Node: the wait alone does not keep the process alive
  }),
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

/** Calls every target `calls` times with hostile arguments; checks each outcome and the
 * instance after it. Returns the number of calls and the failures (empty when all held). */
async function exercise(targets, isOneCodexError, alive, { seed, calls: perFunction }) {
  const r = rng(seed);
  const failures = [];
  let calls = 0;
  for (const [name, fn] of targets) {
    for (let i = 0; i < perFunction; i++) {
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
        return { calls, failures, targets: targets.length };
      }
    }
  }
  return { calls, failures, targets: targets.length };
}

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** The client's surface: its exported functions, the client, every resource, the filter builder. */
export async function clientSurface(client, options) {
  const { OneCodex, isOneCodexError } = client;
  const ocx = new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1", retry: { retries: 0 }, timeoutMs: 2000 });
  const alive = () => {
    check(new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1" }).authScheme === "basic", "new OneCodex fails");
    check(client.encodeWhere({ size: 1 }) === '{"size": 1}', "encodeWhere fails");
    check(isOneCodexError(new Error("x")) === false, "isOneCodexError fails");
  };
  const targets = [];
  for (const k of ["encodeSort", "encodeWhere", "filterableFields", "isOneCodexError", "pairFiles"]) targets.push([k, client[k]]);
  targets.push(["new OneCodex", (...a) => new OneCodex(...a)]);
  for (const m of methods(ocx)) targets.push([`ocx.${m}`, (...a) => ocx[m](...a)]);
  const proto = Object.getPrototypeOf(ocx);
  const resources = Object.getOwnPropertyNames(proto).filter((k) => {
    const d = Object.getOwnPropertyDescriptor(proto, k);
    return d?.get && ocx[k] && typeof ocx[k] === "object" && methods(ocx[k]).includes("get");
  });
  check(resources.length >= 15, `resources: ${resources}`);
  for (const res of resources) {
    const api = ocx[res];
    for (const m of methods(api)) targets.push([`ocx.${res}.${m}`, (...a) => api[m](...a)]);
  }
  for (const res of Object.keys(client.where)) targets.push([`where.${res}.field`, (...a) => client.where[res].field(...a)]);
  const f = client.where.samples.field("size").gte(1);
  for (const m of methods(f)) targets.push([`Filter.${m}`, (...a) => f[m](...a)]);
  return exercise(targets, isOneCodexError, alive, options);
}

/** The tables module's surface: its exports and the methods of a collection, a table, a tree
 * and a distance matrix built from `items` ({ classificationId, bytes }). */
export async function tablesSurface(tables, items, options) {
  const { Collection, isOneCodexError } = tables;
  items = items.map((x, i) => ({ ...x, metadata: { custom: { site: ["a", "b"][i % 2] } } }));
  const collection = Collection.fromResults(items);
  const table = tables.parseClassificationResults(items[0].bytes);
  const tree = collection.tree();
  const dm = collection.betaDiversity({});
  const alive = () => {
    const c = Collection.fromResults(items.slice(0, 2));
    check(c.classificationIds.length === 2, "Collection.fromResults fails");
    c.free();
    check(isOneCodexError(new Error("x")) === false, "isOneCodexError fails");
    // The objects under test are still usable: no call left one borrowed or freed.
    check(collection.classificationIds.length === items.length, "the collection is unusable");
    check(table.length > 0 && tree.nodes().length > 0, "the table or the tree is unusable");
    check(dm.classificationIds.length === items.length, "the distance matrix is unusable");
  };
  const targets = [];
  for (const k of ["decodeResults", "functionalMatrix", "linkage", "mds", "parseClassificationResults", "parseFunctionalResults", "pcoa"]) {
    targets.push([k, tables[k]]);
  }
  targets.push(["Collection.fromResults", (...a) => Collection.fromResults(...a)]);
  for (const [name, obj] of [["collection", collection], ["table", table], ["tree", tree], ["distances", dm]]) {
    for (const m of methods(obj)) targets.push([`${name}.${m}`, (...a) => obj[m](...a)]);
  }
  try {
    return await exercise(targets, isOneCodexError, alive, options);
  } finally {
    for (const x of [collection, table, tree, dm]) x.free();
  }
}
