// Credentials in the Python CLI's order (`--api-key`, ONE_CODEX_BEARER_TOKEN, ONE_CODEX_API_KEY,
// ~/.onecodex), and ~/.onecodex itself: the same JSON file and the same lock file
// (`~/.onecodex.lock`) the Python CLI uses, so either tool sees the other's login. Python locks
// with flock(2) (the `filelock` package); Node has no flock, so the file is read and written
// through util-linux `flock(1)`, which takes that same lock. Without flock(1) it goes unlocked.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError } from "./errors.mjs";

export const API_KEY_LENGTH = 32;
const LOCK_WAIT_SECONDS = "10";

export function credsFile() {
  return path.join(os.homedir(), ".onecodex");
}

let flockMissing;
function underLock(file, command, input) {
  if (flockMissing === undefined) flockMissing = spawnSync("flock", ["--version"]).error !== undefined;
  if (flockMissing) return null;
  const r = spawnSync("flock", ["-x", "-w", LOCK_WAIT_SECONDS, `${file}.lock`, "sh", "-c", command, "sh", file], { input, encoding: "utf8" });
  if (r.status !== 0) {
    throw new CliError("credentials", `Could not use ${collapseUser(file)}: ${(r.stderr || "").trim() || `the lock ${collapseUser(file)}.lock is held`}`);
  }
  return r.stdout;
}

export function collapseUser(p) {
  const home = os.homedir();
  return p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
}

/** The parsed credentials file, or null when there is none. */
export function readCreds(file = credsFile()) {
  if (!fs.existsSync(file)) return null;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new CliError("credentials", `Please check the permissions on ${collapseUser(file)}`);
  }
  const text = underLock(file, 'cat "$1"') ?? fs.readFileSync(file, "utf8");
  try {
    const creds = JSON.parse(text);
    if (creds && typeof creds === "object" && !Array.isArray(creds)) return creds;
  } catch {}
  throw new CliError("credentials", `Your ${collapseUser(file)} credentials file appears to be corrupted. Please delete it and re-authorize.`);
}

/** Writes the credentials file (owner-only: it holds an API key), replacing it whole. */
export function writeCreds(creds, file = credsFile()) {
  const text = JSON.stringify(creds);
  const locked = underLock(file, 'umask 077 && cat > "$1.tmp" && mv "$1.tmp" "$1"', text);
  if (locked === null) fs.writeFileSync(file, text, { mode: 0o600 });
}

/** Removes the file and its lock; false when there was no file. */
export function removeCreds(file = credsFile()) {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if (e.code === "ENOENT") return false;
    if (e.code === "EACCES" || e.code === "EPERM") throw new CliError("credentials", `Please check the permissions on ${collapseUser(file)}`);
    throw e;
  }
  try { fs.unlinkSync(`${file}.lock`); } catch {}
  return true;
}

/** Python's `%Y-%m-%d %H:%M` timestamp, local time. */
export function savedAt(d = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The client options for a command that needs a login, in the Python CLI's order. */
export function resolveCredentials({ apiKey }, env = process.env) {
  if (apiKey) return { apiKey, source: "--api-key" };
  if (env.ONE_CODEX_BEARER_TOKEN) return { bearerToken: env.ONE_CODEX_BEARER_TOKEN, source: "ONE_CODEX_BEARER_TOKEN" };
  if (env.ONE_CODEX_API_KEY) return { apiKey: env.ONE_CODEX_API_KEY, source: "ONE_CODEX_API_KEY" };
  const fromFile = readCreds()?.api_key;
  if (fromFile) return { apiKey: fromFile, source: collapseUser(credsFile()) };
  throw new CliError("unauthenticated", "The command you specified requires authentication. Please login first.");
}

export function validApiKey(value) {
  if (value.length !== API_KEY_LENGTH) throw new Error(`API Key must be 32 characters long, not ${value.length}`);
  return value;
}
