// The CLI as users get it: `npm pack` of pkg/, installed into a fresh project, run through
// `npx onecodex-wasm` (the package's `bin`), against the local server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cliEnv, root, tempHome, withServer } from "./support.mjs";

test("npx onecodex-wasm works right after npm install", async (t) => {
  const home = tempHome(t);
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", home], { cwd: path.join(root, "pkg"), encoding: "utf8" }));
  const files = packed[0].files.map((f) => f.path);
  assert.ok(files.includes("cli/onecodex.mjs") && files.includes("cli/main.mjs"), "the CLI is in the tarball");
  const app = path.join(home, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", path.join(home, packed[0].filename)], { cwd: app, stdio: "ignore", env: { ...process.env, HOME: home } });
  assert.ok(fs.existsSync(path.join(app, "node_modules", ".bin", "onecodex-wasm")), "the bin is linked");

  const srv = await withServer(t, ["--samples", "3"]);
  const env = { ...cliEnv(home, srv, { ONE_CODEX_API_KEY: srv.apiKey }), npm_config_cache: path.join(home, ".npm") };
  const npx = (args) => spawnSync("npx", ["--no-install", "onecodex-wasm", ...args], { cwd: app, env, encoding: "utf8" });
  const version = npx(["--version"]);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), `onecodex-wasm, version ${packed[0].version}`);
  const list = npx(["--no-pretty-print", "samples"]);
  assert.equal(list.status, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).length, 3);
});
