// Shared by the CLI tests: the CLI as shipped (pkg/cli, importing the package by name), run as a
// child process with a temporary HOME (so ~/.onecodex and the upload cache are the test's own),
// the local server, the Python CLI of the test venv, and a pseudo-terminal for prompts.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(root, "pkg", "cli", "onecodex.mjs");
export { withServer, idOf } from "../js/support.mjs";

/** A fresh HOME for one test, removed after it. */
export function tempHome(t) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-cli-"));
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  return home;
}

/** A fresh HOME with the server's key in ~/.onecodex (as a Python CLI login writes it), and its
 *  environment. */
export function loggedIn(t, server) {
  const home = tempHome(t);
  fs.writeFileSync(path.join(home, ".onecodex"), JSON.stringify({ api_key: server.apiKey, saved_at: "2099-01-01 00:00", updated_at: null, email: "user@example.com" }));
  return { home, env: cliEnv(home, server) };
}

/** The environment of a CLI run: only what the test gives, plus PATH. */
export function cliEnv(home, server, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, ".cache"),
    LANG: "C.UTF-8",
    ...(server ? { ONE_CODEX_API_BASE: server.api, AWS_ENDPOINT_URL_S3: server.s3 } : {}),
    ...extra,
  };
}

function run(cmd, args, { env, input, cwd, timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), child });
    });
    child.stdin.end(input ?? "");
  });
}

/** Runs our CLI: `{ status, stdout, stderr }`. */
export function ocx(args, opts) {
  return run(process.execPath, [CLI, ...args], opts);
}

/** Starts our CLI and returns the child (for kill tests). */
export function ocxSpawn(args, { env, cwd }) {
  return spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
}

let pythonBin;
/** The Python CLI (onecodex 1.2.0) of the project's test venv, or null when it cannot be made. */
export function pythonCli() {
  if (pythonBin !== undefined) return pythonBin;
  const r = spawnSync("bash", [path.join(root, "tests", "python", "setup_env.sh")], { encoding: "utf8" });
  const py = r.status === 0 ? r.stdout.trim() : "";
  const bin = py && path.join(path.dirname(py), "onecodex");
  pythonBin = bin && fs.existsSync(bin) ? bin : null;
  return pythonBin;
}

export function python(args, opts) {
  const bin = pythonCli();
  if (!bin) throw new Error("the Python CLI of the test venv is missing (tests/python/setup_env.sh)");
  return run(bin, args, opts);
}

/**
 * Runs a command in a pseudo-terminal (util-linux `script`), typing `answers` one line at a
 * time as each expected prompt appears. Resolves to `{ status, output }` (the terminal's text).
 */
export function inPty(argv, { env, cwd, answers = [], timeoutMs = 120_000 }) {
  const command = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const pending = [...answers];
    const feed = () => {
      while (pending.length && output.includes(pending[0].after)) {
        const { after, type } = pending.shift();
        output = output.replace(after, `<<${after}>>`); // each prompt is answered once
        child.stdin.write(`${type}\r`);
      }
    };
    child.stdout.on("data", (d) => { output += d.toString("utf8"); feed(); });
    child.stderr.on("data", (d) => { output += d.toString("utf8"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => { clearTimeout(timer); resolve({ status, output, unanswered: pending }); });
  });
}

/** A small FASTQ file of `n` records. */
export function writeFastq(file, n, { seed = 1, len = 60 } = {}) {
  let s = "";
  let x = seed;
  const bases = "ACGT";
  for (let i = 0; i < n; i++) {
    let seq = "";
    for (let j = 0; j < len; j++) { x = (x * 1103515245 + 12345) & 0x7fffffff; seq += bases[x % 4]; }
    s += `@read${i}\n${seq}\n+\n${"I".repeat(len)}\n`;
  }
  fs.writeFileSync(file, s);
  return file;
}
