// Global options, help, bad usage (exit 2), credentials in the Python CLI's order, a wrong key,
// server faults (exit 1, error code on stderr, never the key).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CLI, cliEnv, ocx, tempHome, withServer } from "./support.mjs";

const KEY = "0123456789abcdef0123456789abcdef"; // the local server's default key
const WRONG = "ffffffffffffffffffffffffffffffff";

test("help, version and bad usage", async (t) => {
  const home = tempHome(t);
  const env = cliEnv(home, null);
  const help = await ocx(["--help"], { env });
  assert.equal(help.status, 0);
  for (const c of ["analyses", "assets", "await", "classifications", "documents", "download", "jobs", "login", "logout", "panels", "samples", "upload", "workflows"]) {
    assert.match(help.stdout, new RegExp(`^  ${c} `, "m"), `${c} listed`);
  }
  const version = await ocx(["--version"], { env });
  assert.equal(version.status, 0);
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "../../pkg/package.json"), "utf8"));
  assert.equal(version.stdout.trim(), `onecodex-wasm, version ${manifest.version}`);

  // -h on every command and subcommand of the shipped CLI's tree, on stdout, exit 0.
  const { commandTree } = await import(pathToFileURL(path.join(path.dirname(CLI), "main.mjs")).href);
  const paths = (command, prefix = []) =>
    (command.subcommands ?? []).flatMap((c) => [[...prefix, c.name], ...paths(c, [...prefix, c.name])]);
  const every = paths(commandTree());
  assert.ok(every.length > 30, `${every.length} commands`);
  for (const argv of every) {
    const r = await ocx([...argv, "-h"], { env });
    assert.equal(r.status, 0, argv.join(" "));
    assert.match(r.stdout, new RegExp(`^Usage: onecodex-wasm ${argv.join(" ")} `), argv.join(" "));
    assert.equal(r.stderr, "");
  }

  const cases = [
    [["samples", "--bogus"], /No such option: --bogus/],
    [["--bogus", "samples"], /No such option: --bogus/],
    [["nosuch"], /No such command 'nosuch'/],
    [["analyses", "await"], /Missing argument 'ANALYSIS_ID'/],
    [["analyses", "await", "xyz"], /is not a valid One Codex ID/],
    [["samples", "--where"], /requires an argument/],
    [["samples", "--where", "{not json"], /Invalid value for '--where': not JSON/],
    [["samples", "--where", "[1]"], /must be a JSON object/],
    [["samples", "--format", "xml"], /Invalid value for '--format'/],
    [["samples", "--limit", "ten"], /Invalid value for '--limit'/],
    [["--api-key", "short", "samples"], /API Key must be 32 characters long, not 5/],
    [["analyses", "await", "0123456789abcdef", "--initial-interval", "2"], /x>=5/],
    [["jobs"], /Usage: onecodex-wasm jobs/],
    [["download", "samples", "out", "-s", "0123456789abcdef", "--project", "p"], /cannot be combined/],
  ];
  for (const [argv, re] of cases) {
    const r = await ocx(argv, { env });
    assert.equal(r.status, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(" "));
    assert.equal(r.stdout, "", `${argv.join(" ")} prints nothing on stdout`);
  }
});

test("credentials: --api-key, then ONE_CODEX_BEARER_TOKEN, then ONE_CODEX_API_KEY, then ~/.onecodex", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const home = tempHome(t);
  const list = (env, pre = []) => ocx([...pre, "samples", "--limit", "1"], { env: cliEnv(home, srv, env) });

  const none = await list({});
  assert.equal(none.status, 1);
  assert.match(none.stderr, /requires authentication\. Please login first/);

  fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: KEY, saved_at: "2026-01-01 00:00", updated_at: null, email: "user@example.com" }));
  assert.equal((await list({})).status, 0, "the file alone works");
  // Each source shadows the ones after it: a wrong value there must fail the run.
  const wrongEnvKey = await list({ ONE_CODEX_API_KEY: WRONG });
  assert.equal(wrongEnvKey.status, 1, "ONE_CODEX_API_KEY comes before ~/.onecodex");
  assert.doesNotMatch(wrongEnvKey.stderr, new RegExp(WRONG), "the key is never printed");
  assert.match(wrongEnvKey.stderr, /^Error \[\w+\]: /m);
  assert.equal((await list({ ONE_CODEX_API_KEY: WRONG, ONE_CODEX_BEARER_TOKEN: srv.bearerToken })).status, 0, "the bearer token comes before ONE_CODEX_API_KEY");
  assert.equal((await list({ ONE_CODEX_BEARER_TOKEN: "wrong-token" })).status, 1);
  assert.equal((await list({ ONE_CODEX_BEARER_TOKEN: "wrong-token" }, ["--api-key", KEY])).status, 0, "--api-key comes first");
  const wrongFlag = await list({}, ["--api-key", WRONG]);
  assert.equal(wrongFlag.status, 1);
  assert.doesNotMatch(wrongFlag.stderr + wrongFlag.stdout, new RegExp(WRONG));

  fs.writeFileSync(path.join(home, ".onecodex"), "{corrupt");
  const corrupt = await list({});
  assert.equal(corrupt.status, 1);
  assert.match(corrupt.stderr, /appears to be corrupted/);
});

test("server faults end with exit 1 and the error code; --verbose logs requests on stderr only", async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { ONE_CODEX_API_KEY: KEY });
  const fault = await srv.addFault({ target: "api", method: "GET", path: "/api/v1/samples", respond: { status: 500 }, times: 1 });
  const r = await ocx(["samples"], { env });
  assert.equal(r.status, 1);
  assert.equal(await srv.faultHits(fault), 1);
  assert.match(r.stderr, /^Error \[\w+\]: .*500/m);
  assert.equal(r.stdout, "");

  const v = await ocx(["-v", "--no-telemetry", "samples", "--limit", "2"], { env });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/samples/);
  assert.doesNotMatch(v.stderr, new RegExp(KEY));
  assert.equal(JSON.parse(v.stdout).length, 2);
});
