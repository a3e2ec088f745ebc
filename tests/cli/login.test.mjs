// `login` / `logout`: the email and password prompts in a pseudo-terminal (password not echoed),
// the server's login page + CSRF flow, `--api-key K login` checked against the account, and
// ~/.onecodex shared with the Python CLI both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CLI, cliEnv, inPty, ocx, python, pythonCli, tempHome, withServer } from "./support.mjs";

const EMAIL = "user@example.com";
const PASSWORD = "demo-password"; // server/src/api/login.rs

test("login in a terminal: prompts, hidden password, ~/.onecodex written; logout removes it", async (t) => {
  const srv = await withServer(t, ["--samples", "3"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv, { TERM: "dumb" });
  const r = await inPty([process.execPath, CLI, "login"], {
    env,
    answers: [{ after: "Please enter your One Codex email: ", type: EMAIL }, { after: "(typing will be hidden): ", type: PASSWORD }],
  });
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.unanswered, []);
  assert.ok(!r.output.includes(PASSWORD), "the password is not echoed");
  assert.match(r.output, /credentials file was successfully created/);
  const creds = JSON.parse(fs.readFileSync(path.join(home, ".onecodex"), "utf8"));
  assert.equal(creds.api_key, srv.apiKey);
  assert.equal(creds.email, EMAIL);
  assert.match(creds.saved_at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.equal(fs.statSync(path.join(home, ".onecodex")).mode & 0o077, 0, "owner-only");

  const again = await ocx(["login"], { env });
  assert.equal(again.status, 0);
  assert.match(again.stderr, /Credentials file already exists \(~\/\.onecodex\)\. Logout first\./);

  assert.equal((await ocx(["samples", "--limit", "1"], { env })).status, 0, "the saved key is used");
  const out = await ocx(["logout"], { env });
  assert.equal(out.status, 0);
  assert.match(out.stderr, /Successfully removed One Codex credentials/);
  assert.ok(!fs.existsSync(path.join(home, ".onecodex")));
  const none = await ocx(["logout"], { env });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /No One Codex API keys found/);
});

test("login: a wrong password, and --api-key K login checked against the account's email", async (t) => {
  const srv = await withServer(t, ["--samples", "3"]);
  const home = tempHome(t);
  const env = cliEnv(home, srv);
  const wrong = await ocx(["login"], { env, input: `${EMAIL}\nnot-the-password\n` });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /could not verify your credentials/);
  assert.ok(!fs.existsSync(path.join(home, ".onecodex")));

  const mismatch = await ocx(["--api-key", srv.apiKey, "login"], { env, input: "someone@else.org\n" });
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.stderr, /do not match the provided email/);
  assert.ok(!fs.existsSync(path.join(home, ".onecodex")), "removed again");

  const ok = await ocx(["--api-key", srv.apiKey, "login"], { env, input: `${EMAIL}\n` });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(home, ".onecodex"), "utf8")).api_key, srv.apiKey);
});

test("login by one CLI, samples by the other", { skip: !pythonCli() && "no Python CLI in the test venv" }, async (t) => {
  const srv = await withServer(t, ["--samples", "4"]);
  const pyHome = tempHome(t);
  const pyEnv = cliEnv(pyHome, srv);
  const pyLogin = await python(["login"], { env: pyEnv, input: `${EMAIL}\n${PASSWORD}\n` });
  assert.equal(pyLogin.status, 0, pyLogin.stderr);
  const ours = await ocx(["samples"], { env: pyEnv });
  assert.equal(ours.status, 0, ours.stderr);
  assert.equal(JSON.parse(ours.stdout).length, 4);
  const ourLogout = await ocx(["logout"], { env: pyEnv });
  assert.equal(ourLogout.status, 0);
  assert.ok(!fs.existsSync(path.join(pyHome, ".onecodex.lock")), "the lock file goes with it, as Python removes it");

  const home = tempHome(t);
  const env = cliEnv(home, srv);
  assert.equal((await ocx(["login"], { env, input: `${EMAIL}\n${PASSWORD}\n` })).status, 0);
  const py = await python(["samples"], { env });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(JSON.parse(py.stdout).length, 4);
  const pyLogout = await python(["logout"], { env });
  assert.equal(pyLogout.status, 0, pyLogout.stderr);
  assert.ok(!fs.existsSync(path.join(home, ".onecodex")));
});
