// `node bench/upload.mjs [MiB…]`: our multipart upload from a Node file path against a bare
// baseline to the same local S3 in the same run: the same parts (same part size and concurrency),
// read from the file the same way, signed with SigV4 (UNSIGNED-PAYLOAD) and sent with plain fetch
// PUTs carrying Content-MD5 from node:crypto (native code: a hard floor). Prints throughput ratios
// and the peak RSS growth of each run (each in a fresh process) against file size.
// Env: BENCH_PART_MIB (default 8), BENCH_CONCURRENCY (default 4).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), "..");
const MiB = 1 << 20;
const PART = Number(process.env.BENCH_PART_MIB || 8) * MiB;
const CONC = Number(process.env.BENCH_CONCURRENCY || 4);

// ---- child: one measured run ----
async function child([mode, file, api, s3, key]) {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const size = fs.statSync(file).size;
  const t0 = performance.now();
  if (mode === "ours" || mode === "ours-md5") {
    const { OneCodex } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
    await ocx.samples.upload(file, { partSize: PART, concurrency: CONC, checksum: mode === "ours" ? "crc32c" : "md5" }).done;
  } else {
    await baseline(file, size, api, s3, key);
  }
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({ mode, size, secs, mibps: size / MiB / secs, rssGrowth: peak - base }));
}

const hmac = (k, s) => crypto.createHmac("sha256", k).update(s).digest();
const sha256hex = (s) => crypto.createHash("sha256").update(s).digest("hex");
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

function sign(method, url, headers, creds, region = "us-east-1") {
  const u = new URL(url);
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const h = { ...headers, host: u.host, "x-amz-date": amzDate, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  if (creds.token) h["x-amz-security-token"] = creds.token;
  const names = Object.keys(h).map((k) => k.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const query = [...u.searchParams].map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
  const canonical = [method, u.pathname, query, names.map((n) => `${n}:${lower[n]}\n`).join(""), names.join(";"), "UNSIGNED-PAYLOAD"].join("\n");
  const scope = `${date}/${region}/s3/aws4_request`;
  const sts = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac("AWS4" + creds.secret, date), region), "s3"), "aws4_request");
  const sig = crypto.createHmac("sha256", key).update(sts).digest("hex");
  h.authorization = `AWS4-HMAC-SHA256 Credential=${creds.id}/${scope}, SignedHeaders=${names.join(";")}, Signature=${sig}`;
  delete h.host;
  return h;
}

async function baseline(file, size, api, s3, key) {
  const auth = "Basic " + Buffer.from(key + ":").toString("base64");
  const init = await (await fetch(`${api}/api/v1/samples/init_multipart_upload`, {
    method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ filename: "bench_R1.fastq" }),
  })).json();
  const creds = { id: init.upload_aws_access_key_id, secret: init.upload_aws_secret_access_key, token: init.upload_aws_session_token };
  const obj = `${s3}/${init.s3_bucket}/${init.file_id}`;
  const created = await fetch(obj + "?uploads=", { method: "POST", headers: sign("POST", obj + "?uploads=", { "x-amz-server-side-encryption": "AES256" }, creds) });
  const uploadId = (await created.text()).match(/<UploadId>([^<]+)</)[1];
  const fh = await fs.promises.open(file, "r");
  const count = Math.ceil(size / PART);
  const etags = new Array(count);
  let next = 1;
  async function worker() {
    while (next <= count) {
      const n = next++;
      const start = (n - 1) * PART;
      const len = Math.min(PART, size - start);
      const buf = Buffer.allocUnsafe(len);
      await fh.read(buf, 0, len, start);
      const md5 = crypto.createHash("md5").update(buf).digest("base64");
      const url = `${obj}?partNumber=${n}&uploadId=${enc(uploadId)}`;
      const r = await fetch(url, { method: "PUT", body: buf, headers: sign("PUT", url, { "content-md5": md5 }, creds) });
      if (!r.ok) throw new Error(`part ${n}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      etags[n - 1] = r.headers.get("etag");
    }
  }
  await Promise.all(Array.from({ length: CONC }, worker));
  await fh.close();
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
  const curl = `${obj}?uploadId=${enc(uploadId)}`;
  const done = await fetch(curl, { method: "POST", body: xml, headers: sign("POST", curl, {}, creds) });
  if (!done.ok) throw new Error(`complete: ${done.status} ${await done.text()}`);
}

// ---- parent ----
function run(args) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [self, "--child", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop())) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

function makeFile(dir, mib) {
  const p = path.join(dir, `bench_${mib}_R1.fastq`);
  const fd = fs.openSync(p, "w");
  const block = crypto.randomBytes(MiB);
  for (let i = 0; i < mib; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return p;
}

export async function benchUpload(sizes = [256, 1024]) {
  const { startServer } = await import("../scripts/server.mjs");
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-bench-up-"));
  const srv = await startServer(["--samples", "1", "--classify-delay-ms", "0", "--data", data]);
  const fmt = (r) => `${r.mibps.toFixed(0).padStart(5)} MiB/s  peak RSS growth ${(r.rssGrowth / MiB).toFixed(0).padStart(4)} MiB`;
  try {
    console.log(`\n== upload to the local S3 (part ${PART / MiB} MiB, concurrency ${CONC}; RSS bound (c+1)·part+64 MiB = ${((CONC + 1) * PART) / MiB + 64} MiB)`);
    for (const mib of sizes) {
      const file = makeFile(data, mib);
      const args = [file, srv.api, srv.s3, srv.apiKey];
      const floor = await run(["baseline", ...args]);
      const ours = await run(["ours", ...args]);
      const md5 = await run(["ours-md5", ...args]);
      console.log(`${mib} MiB file`);
      console.log(`  baseline (fetch PUTs, MD5)   ${fmt(floor)}`);
      console.log(`  ours (CRC32C in wasm)        ${fmt(ours)}   ${(ours.mibps / floor.mibps).toFixed(2)}× the baseline`);
      console.log(`  ours (MD5 in wasm)           ${fmt(md5)}   ${(md5.mibps / floor.mibps).toFixed(2)}× the baseline`);
      fs.rmSync(file);
      fs.rmSync(path.join(data, "s3", "onecodex-multipart-uploads-encrypted"), { recursive: true, force: true });
      fs.mkdirSync(path.join(data, "s3", "onecodex-multipart-uploads-encrypted"));
    }
  } finally {
    await srv.stop();
    fs.rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  await child(process.argv.slice(3));
} else if (process.argv[1] === self) {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  await benchUpload(sizes.length ? sizes : [256, 1024]);
}
