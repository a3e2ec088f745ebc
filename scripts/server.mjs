// `npm run server -- [flags]`: builds the local One Codex API + S3 server (server/) in release
// mode when it is missing or older than its sources, then runs the binary itself and forwards
// SIGINT/SIGTERM to it. Flags are the binary's (--port, --s3-port, --seed, --samples, …).
//
// Also a module for tests: `const srv = await startServer(["--samples", "50"])` gives
// { api, s3, apiKey, bearerToken, child, stop() }.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Its own target folder: the server is built with a faster, unwinding profile than the wasm
// release profile of the workspace (no LTO, opt-level 3, panics caught per request).
const targetDir = process.env.ONECODEX_SERVER_TARGET_DIR || path.join(root, "target", "server");
const binary = path.join(targetDir, "release", process.platform === "win32" ? "onecodex-server.exe" : "onecodex-server");

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function serverBinary({ quiet = false } = {}) {
  if (process.env.ONECODEX_SERVER_BIN) return process.env.ONECODEX_SERVER_BIN;
  const sources = Math.max(
    newestSource(path.join(root, "server", "src")),
    fs.statSync(path.join(root, "server", "Cargo.toml")).mtimeMs,
    fs.existsSync(path.join(root, "Cargo.lock")) ? fs.statSync(path.join(root, "Cargo.lock")).mtimeMs : 0,
  );
  const built = fs.existsSync(binary) ? fs.statSync(binary).mtimeMs : 0;
  if (built < sources) {
    if (!quiet) console.error("building onecodex-server (release)…");
    const r = spawnSync("cargo", ["build", "--release", "-p", "onecodex-server", "--bin", "onecodex-server"], {
      cwd: root,
      stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
      env: {
        ...process.env,
        CARGO_TARGET_DIR: targetDir,
        CARGO_PROFILE_RELEASE_LTO: "false",
        CARGO_PROFILE_RELEASE_OPT_LEVEL: "3",
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "16",
        CARGO_PROFILE_RELEASE_PANIC: "unwind",
      },
    });
    if (r.status !== 0) throw new Error("cargo build of onecodex-server failed");
  }
  return binary;
}

/** Starts a server on free ports and resolves once it printed its addresses. */
export function startServer(args = []) {
  const child = spawn(serverBinary({ quiet: true }), ["--port", "0", "--s3-port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const info = {};
    const lines = readline.createInterface({ input: child.stdout });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`onecodex-server exited early (${code})`)));
    lines.on("line", (line) => {
      const i = line.indexOf(": ");
      if (i > 0) info[line.slice(0, i)] = line.slice(i + 2);
      if (line.startsWith("data: ")) {
        child.removeAllListeners("exit");
        resolve({
          api: info.api,
          s3: info.s3,
          apiKey: info["api key"],
          bearerToken: info["bearer token"],
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const bin = serverBinary();
  const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
