// Arguments a caller gets wrong, or builds to hurt: cycles, nesting deep enough to exhaust a
// recursive reader, getters and toJSON that throw, and numbers JSON cannot carry. Each gets a
// typed error (or the caller's own exception back) and the instance keeps working afterwards.
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex, encodeWhere, isOneCodexError, where } from "onecodex-wasm";

const client = () => new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1", retry: { retries: 0 } });

/** The instance still works: a client, an encoding and the error check. */
function assertAlive() {
  assert.equal(client().authScheme, "basic");
  assert.equal(encodeWhere({ size: 1 }), '{"size": 1}');
  assert.throws(() => where.samples.field("nope"), (e) => isOneCodexError(e) && e.code === "invalid_filter");
}

/** `call` throws synchronously or rejects with a OneCodexError of `code` whose message matches. */
async function assertRefused(call, code, message) {
  await assert.rejects(async () => call(), (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

function nested(depth, leaf) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

test("a circular filter is invalid_argument, and the instance survives", async () => {
  const f = { size: { $gt: 1 } };
  f.self = f;
  await assertRefused(() => encodeWhere(f), "invalid_argument", /circular/);
  await assertRefused(() => client().samples.where(f), "invalid_argument", /circular/);
  assertAlive();
});

test("nesting 100,000 deep is refused before it reaches wasm", async () => {
  await assertRefused(() => encodeWhere(nested(100_000, 1)), "invalid_argument", /nested more than 100 levels/);
  const ocx = client();
  await assertRefused(() => ocx.metadata.update("4ba6ea2f5e5e4a4e", { custom: nested(10_000, 1) }), "invalid_argument", /nested/);
  await assertRefused(() => ocx.jobs.run("e7b8d93a4a6c4b5c", "0ee172af60e84f61", { jobArgs: nested(10_000, 1) }), "invalid_argument", /nested/);
  assertAlive();
});

test("a throwing getter gives the caller's own error back, thousands of times, without damage", async () => {
  const boom = new Error("getter says no");
  const filter = { get size() { throw boom; } };
  const options = { get limit() { throw boom; } };
  const ocx = client();
  for (let i = 0; i < 3000; i++) {
    assert.throws(() => encodeWhere(filter), (e) => e === boom);
    await assert.rejects(async () => ocx.samples.where(null, options), (e) => e === boom);
  }
  const toJson = { toJSON() { throw boom; } };
  assert.throws(() => where.samples.field("size").gte(1).and(toJson), (e) => e === boom);
  assertAlive();
});

test("NaN and Infinity are refused instead of being sent as null or read as 'no limit'", async () => {
  const ocx = client();
  await assertRefused(() => encodeWhere({ size: NaN }), "invalid_argument", /'size' is NaN/);
  await assertRefused(() => ocx.samples.where({ size: { $gt: Infinity } }), "invalid_argument", /Infinity/);
  await assertRefused(() => ocx.samples.where(null, { limit: NaN }), "invalid_argument", /'limit' is NaN/);
  await assertRefused(() => ocx.samples.where(null, { limit: Infinity }), "invalid_argument", /Infinity/);
  await assertRefused(() => encodeWhere({ size: 10n }), "invalid_argument", /BigInt/);
  assertAlive();
});

test("ids of the wrong type are invalid_argument, not a crash of the instance", async () => {
  const ocx = client();
  for (const bad of [123, null, undefined, {}, { $uri: 5 }, () => "x", "a/b"]) {
    await assertRefused(() => ocx.samples.get(bad), "invalid_argument");
    await assertRefused(() => ocx.samples.delete(bad), "invalid_argument");
    await assertRefused(() => ocx.analyses.awaitCompletion(bad), "invalid_argument");
    await assertRefused(() => ocx.jobs.run(bad, "0ee172af60e84f61"), "invalid_argument");
  }
  // An object with a $uri is taken for its id: the request is made (and fails: nothing listens).
  await assert.rejects(ocx.samples.get({ $uri: "/api/v1/samples/0ee172af60e84f61" }), (e) => isOneCodexError(e) && e.code === "network");
  assertAlive();
});

test("durations beyond what a timer can wait, or below zero, are refused when the client is made", async () => {
  const made = (options) => new OneCodex({ apiKey: "k", baseUrl: "http://127.0.0.1:1", ...options });
  for (const timeoutMs of [2 ** 31, 1e300, NaN, -1, 0]) {
    await assertRefused(() => made({ timeoutMs }), "invalid_argument", /timeoutMs/);
  }
  await assertRefused(() => made({ retry: { maxDelayMs: -1 } }), "invalid_argument", /maxDelayMs/);
  await assertRefused(() => made({ retry: { backoffMs: [0, 2 ** 31] } }), "invalid_argument", /backoffMs/);
  assert.equal(made({ timeoutMs: 2 ** 31 - 1 }).timeoutMs, 2 ** 31 - 1);
  assertAlive();
});
