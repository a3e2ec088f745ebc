// Node fallbacks (API_SPEC §1.2, §1.5): credentials from ~/.onecodex and the environment, the base
// URL from ONE_CODEX_API_BASE, and HTTP(S)_PROXY honoured. Each case runs in a fresh Node process
// with its own HOME and environment, against the local server.
import test from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { withServer, withConnectProxy } from "./support.mjs";

const run = promisify(execFile);
const SCRIPT = `
  import { OneCodex } from "onecodex-wasm";
  const ocx = new OneCodex();
  let account = null, error = null;
  try { account = await ocx.account(); } catch (e) { error = { code: e.code, status: e.status }; }
  console.log(JSON.stringify({ baseUrl: ocx.baseUrl, scheme: ocx.authScheme, ok: !!account, error }));`;

async function client(env) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-home-"));
  if (env.credentialsFile) fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify(env.credentialsFile));
  const { credentialsFile, ...vars } = env;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^ONE_CODEX_|_PROXY$|_proxy$/.test(k)));
  const { stdout } = await run("node", ["--input-type=module", "-e", SCRIPT], { cwd: process.cwd(), env: { ...clean, HOME: home, ...vars } });
  fs.rmSync(home, { recursive: true, force: true });
  return JSON.parse(stdout);
}

test("Node reads credentials and the base URL from the environment and ~/.onecodex", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  // The credentials file comes before ONE_CODEX_API_KEY.
  let r = await client({ ONE_CODEX_API_BASE: srv.api, credentialsFile: { api_key: srv.apiKey, email: "a@b.c" }, ONE_CODEX_API_KEY: "wrong" });
  assert.deepEqual(r, { baseUrl: srv.api, scheme: "basic", ok: true, error: null });
  r = await client({ ONE_CODEX_API_BASE: srv.api, ONE_CODEX_API_KEY: srv.apiKey });
  assert.equal(r.ok, true);
  // A bearer token from the environment wins over any key.
  r = await client({ ONE_CODEX_API_BASE: srv.api, ONE_CODEX_API_KEY: "wrong", ONE_CODEX_BEARER_TOKEN: srv.bearerToken });
  assert.deepEqual([r.scheme, r.ok], ["bearer", true]);
  r = await client({ ONE_CODEX_API_BASE: srv.api, ONE_CODEX_API_KEY: "wrong" });
  assert.deepEqual(r.error, { code: "unauthorized", status: 401 });
  r = await client({});
  assert.deepEqual([r.baseUrl, r.scheme], ["https://app.onecodex.com", "none"]);
});

test("HTTP_PROXY is honoured in Node", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const { url: proxyUrl, proxied } = await withConnectProxy(t);
  const r = await client({ ONE_CODEX_API_BASE: srv.api, ONE_CODEX_API_KEY: srv.apiKey, HTTP_PROXY: proxyUrl });
  assert.equal(r.ok, true);
  assert.ok(proxied.includes(new URL(srv.api).host), `tunnelled through the proxy: ${proxied}`);
});
