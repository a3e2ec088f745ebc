// The built package loaded with require(), as a CommonJS Node script does.
const test = require("node:test");
const assert = require("node:assert/strict");
const { OneCodex, encodeWhere, isOneCodexError } = require("onecodex-wasm");

test("require() gives a ready module", () => {
  assert.equal(encodeWhere({ filename: "é" }), '{"filename": "\\u00e9"}');
  const ocx = new OneCodex({ baseUrl: "http://127.0.0.1:8080/" });
  assert.equal(ocx.baseUrl, "http://127.0.0.1:8080");
  assert.equal(ocx.authScheme, "none");
});

test("errors are OneCodexErrors in CommonJS too", () => {
  try {
    encodeWhere({ filename: { $startswith: "" } });
    assert.fail("expected a throw");
  } catch (e) {
    assert.ok(isOneCodexError(e));
    assert.equal(e.code, "invalid_filter");
  }
});
