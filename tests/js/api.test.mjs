// The built package imported by name as an ES module, as a Node user does.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { OneCodex, encodeWhere, encodeSort, isOneCodexError, version } from "onecodex-wasm";

test("encodeWhere gives the Python client's wire JSON", () => {
  assert.equal(
    encodeWhere({ filename: { $icontains: "a b/c" }, project: "4b53797444f846c4" }),
    '{"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4"}',
  );
  // Coercions: list -> $in, model object -> $ref, several operators on one field.
  assert.equal(
    encodeWhere({ size: [1, 2], owner: { $uri: "/api/v1/users/u1", email: "a@b" }, created_at: { $gte: "2026-01-01T00:00:00+00:00", $lt: "2027-01-01T00:00:00+00:00" } }),
    '{"size": {"$in": [1, 2]}, "owner": {"$ref": "/api/v1/users/u1"}, "created_at": {"$gte": "2026-01-01T00:00:00+00:00", "$lt": "2027-01-01T00:00:00+00:00"}}',
  );
  assert.equal(encodeWhere({ id: ["a1"] }, "projects"), '{"$uri": {"$in": ["/api/v1/projects/a1"]}}');
});

test("a bad filter throws a OneCodexError naming field and operator", () => {
  assert.throws(() => encodeWhere({ size: { $between: [1] } }), (e) => {
    assert.ok(e instanceof Error);
    assert.ok(isOneCodexError(e));
    assert.equal(e.name, "OneCodexError");
    assert.equal(e.code, "invalid_filter");
    assert.match(e.message, /'size'.*\$between/);
    return true;
  });
  assert.equal(isOneCodexError(new Error("x")), false);
});

test("listingUrl is the exact request of the recorded Python client", () => {
  const ocx = new OneCodex({ apiKey: "k", baseUrl: "http://localhost:3000" });
  assert.equal(
    ocx.listingUrl("samples", { filename: { $icontains: "a b/c" }, project: "4b53797444f846c4" }),
    "http://localhost:3000/api/v1/samples?where=%7B%22filename%22%3A+%7B%22%24icontains%22%3A+%22a+b%2Fc%22%7D%2C+%22project%22%3A+%224b53797444f846c4%22%7D&sort=%7B%7D&per_page=100&expand=all",
  );
  assert.match(ocx.listingUrl("projects", null, { sort: ["size", "^name"], page: 3 }), /sort=%7B%22size%22%3A\+true%2C\+%22name%22%3A\+false%7D&per_page=100&expand=all&page=3$/);
  assert.equal(encodeSort("^filename"), '{"filename": false}');
  ocx.free();
});

test("client options are validated and secrets are not readable", () => {
  const ocx = new OneCodex({ apiKey: "secret-key", bearerToken: "tok" });
  assert.equal(ocx.baseUrl, "https://app.onecodex.com");
  assert.equal(ocx.authScheme, "bearer");
  assert.equal(ocx.region, "us-east-1");
  assert.ok(!JSON.stringify(Object.entries(ocx)).includes("secret-key"));
  assert.throws(() => new OneCodex({ apiKey: "secret-key", baseUrl: "http://example.com" }), (e) => e.code === "invalid_argument" && /clear text/.test(e.message) && !e.message.includes("secret-key"));
  assert.throws(() => new OneCodex({ timeoutMs: -1 }), (e) => e.code === "invalid_argument" && /timeoutMs/.test(e.message));
  assert.throws(() => new OneCodex({ baseURL: "https://x" }), (e) => e.code === "invalid_argument" && /baseURL/.test(e.message));
});

test("ESM and CommonJS entries share one instance and the package version", () => {
  const require = createRequire(import.meta.url);
  const cjs = require("onecodex-wasm");
  assert.equal(cjs.OneCodex, OneCodex);
  const manifest = JSON.parse(readFileSync(new URL(import.meta.resolve("onecodex-wasm/package.json")), "utf8"));
  assert.equal(version(), manifest.version);
});
