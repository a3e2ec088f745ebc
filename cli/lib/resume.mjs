// Where an unfinished upload's state lives between runs, so running the same command again
// sends only the missing parts: one JSON file per upload in the user's cache folder
// (`$XDG_CACHE_HOME/onecodex-wasm/uploads`, else `~/.cache/…`), keyed by the server, the files
// (path, size, mtime) and the options. The state holds the upload's S3 credentials (the library
// never puts the API key in it); files are owner-only and removed when the upload completes.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function cacheDir(env = process.env) {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "onecodex-wasm", "uploads");
}

/** The key of an upload: the same command on the same unchanged files gives the same key. */
export function uploadKey(baseUrl, kind, paths, options) {
  const files = paths.map((p) => {
    const abs = path.resolve(p);
    const st = fs.statSync(abs);
    return [abs, st.size, Math.floor(st.mtimeMs)];
  });
  const h = crypto.createHash("sha256").update(JSON.stringify({ baseUrl, kind, files, options })).digest("hex");
  return h.slice(0, 32);
}

export class StateStore {
  constructor(dir = cacheDir()) {
    this.dir = dir;
  }
  file(key) {
    return path.join(this.dir, `${key}.json`);
  }
  load(key) {
    try {
      return JSON.parse(fs.readFileSync(this.file(key), "utf8"));
    } catch {
      return null;
    }
  }
  /** Written whole and renamed into place: a kill mid-write leaves the previous state. */
  save(key, state) {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(tmp, this.file(key));
  }
  remove(key) {
    fs.rmSync(this.file(key), { force: true });
  }
}
