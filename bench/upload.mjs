// `node bench/upload.mjs [MiB…]`: uploads of one file to the local S3, in the same run and with
// the same part size and concurrency, by
//   - baseline: a bare loop of fetch PUTs of the same parts, read from the file the same way, signed
//     with SigV4 (UNSIGNED-PAYLOAD) and carrying Content-MD5 from node:crypto (native code): the floor;
//     and the same loop over node:http, the transport ours uses in Node (fetch copies each body);
//   - ours: `ocx.samples.upload(path)` with its default CRC32C (in wasm), and with MD5 (in wasm);
//   - lib-storage: @aws-sdk/lib-storage's `Upload` of a file read stream with @aws-sdk/client-s3,
//     the same part size, queueSize = our concurrency, ChecksumAlgorithm CRC32C, otherwise its
//     defaults (against an http:// endpoint it also signs each part's SHA-256 and sends
//     `Expect: 100-continue`).
// Each run is a fresh process, so peak RSS is measured per contender: the growth from after the
// modules are loaded (and clients made) to the peak during the upload (VmHWM, reset through
// /proc/self/clear_refs where Linux allows it, else sampled every 10 ms). Then the peak RSS growth
// of our upload of a 4 GiB sparse file (BENCH_UPLOAD_BIG_MIB, 0 skips it).
// Env: BENCH_PART_MIB (default 8), BENCH_CONCURRENCY (default 4), BENCH_UPLOAD_ROUNDS (default 1:
// each contender once; more give medians, steadier on a busy machine), BENCH_CPU_SPLIT=1 (user and
// system CPU seconds of each run on stderr).
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
const ROUNDS = Math.max(1, Number(process.env.BENCH_UPLOAD_ROUNDS || 1));

// ---- child: one measured run ----
const rssNow = () => process.memoryUsage().rss;

// Peak RSS since `resetPeak()`: the kernel's high-water mark when it can be reset, else sampling.
function peakMeter() {
  let hwm = false;
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    hwm = true;
  } catch {
    // Not Linux, or not allowed: sample instead.
  }
  let peak = rssNow();
  const sampler = setInterval(() => (peak = Math.max(peak, rssNow())), 10);
  return () => {
    clearInterval(sampler);
    peak = Math.max(peak, rssNow());
    if (hwm) {
      const m = fs.readFileSync("/proc/self/status", "utf8").match(/VmHWM:\s+(\d+) kB/);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    }
    return { peak, how: hwm ? "VmHWM" : "sampled" };
  };
}

async function child([mode, file, api, s3, key]) {
  const size = fs.statSync(file).size;
  // Load everything a contender needs first: module load is not upload memory.
  let go;
  if (mode === "ours" || mode === "ours-md5") {
    const { OneCodex } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
    go = () => ocx.samples.upload(file, { partSize: PART, concurrency: CONC, checksum: mode === "ours" ? "crc32c" : "md5" }).done;
  } else if (mode === "lib-storage") {
    const { S3Client } = await import("@aws-sdk/client-s3");
    const { Upload } = await import("@aws-sdk/lib-storage");
    go = () => libStorage(S3Client, Upload, file, api, s3, key);
  } else {
    go = () => baseline(file, size, api, s3, key, mode === "baseline-http" ? putHttp : putFetch);
  }
  globalThis.gc?.();
  const base = rssNow();
  const meter = peakMeter();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await go();
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  if (process.env.BENCH_CPU_SPLIT) console.error(mode, "user", (c.user / 1e6).toFixed(2), "sys", (c.system / 1e6).toFixed(2));
  const { peak, how } = meter();
  console.log(JSON.stringify({ mode, size, secs, mibps: size / MiB / secs, cpu, base, rssGrowth: peak - base, how }));
}

// The same API init as the baseline, then lib-storage does the multipart upload.
async function libStorage(S3Client, Upload, file, api, s3, key) {
  const init = await initUpload(api, key);
  const client = new S3Client({
    region: "us-east-1",
    endpoint: s3,
    forcePathStyle: true,
    credentials: { accessKeyId: init.upload_aws_access_key_id, secretAccessKey: init.upload_aws_secret_access_key, sessionToken: init.upload_aws_session_token },
  });
  const up = new Upload({
    client,
    partSize: PART,
    queueSize: CONC,
    leavePartsOnError: true,
    params: { Bucket: init.s3_bucket, Key: init.file_id, Body: fs.createReadStream(file), ServerSideEncryption: "AES256", ChecksumAlgorithm: "CRC32C" },
  });
  await up.done();
  client.destroy();
}

async function initUpload(api, key) {
  const auth = "Basic " + Buffer.from(key + ":").toString("base64");
  const r = await fetch(`${api}/api/v1/samples/init_multipart_upload`, {
    method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ filename: "bench_R1.fastq" }),
  });
  if (!r.ok) throw new Error(`init: ${r.status} ${await r.text()}`);
  return r.json();
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

// One part PUT over node:http (the transport ours uses in Node): the Buffer written as it is.
let agent;
async function putHttp(url, headers, buf) {
  const http = await import("node:http");
  agent ??= new http.Agent({ keepAlive: true });
  const res = await new Promise((ok, bad) => {
    const q = http.request(url, { method: "PUT", headers: { ...headers, "content-length": String(buf.length) }, agent }, ok);
    q.on("error", bad);
    q.end(buf);
  });
  let text = "";
  for await (const c of res) text += c;
  return { ok: res.statusCode < 300, status: res.statusCode, text, etag: res.headers.etag };
}

async function putFetch(url, headers, buf) {
  const r = await fetch(url, { method: "PUT", body: buf, headers });
  const text = await r.text();
  return { ok: r.ok, status: r.status, text, etag: r.headers.get("etag") };
}

async function baseline(file, size, api, s3, key, put = putFetch) {
  const init = await initUpload(api, key);
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
      const r = await put(url, sign("PUT", url, { "content-md5": md5 }, creds), buf);
      if (!r.ok) throw new Error(`part ${n}: ${r.status} ${r.text}`);
      etags[n - 1] = r.etag;
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
    const c = spawn(process.execPath, ["--expose-gc", self, "--child", ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
      // The SDK's notice that its 2027 versions need Node 22: noise in the figures.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
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

// A sparse file: no disk space or write time for its bytes (zeros); reading it costs page copies only.
function makeSparse(dir, mib) {
  const p = path.join(dir, `bench_sparse_${mib}_R1.fastq`);
  fs.closeSync(fs.openSync(p, "w"));
  fs.truncateSync(p, mib * MiB);
  return p;
}

// The server keeps every uploaded object: empty its bucket between runs (disk space).
function emptyBucket(data) {
  const bucket = path.join(data, "s3", "onecodex-multipart-uploads-encrypted");
  fs.rmSync(bucket, { recursive: true, force: true });
  fs.mkdirSync(bucket);
}

export async function benchUpload(sizes = [1024], bigMib = Number(process.env.BENCH_UPLOAD_BIG_MIB ?? 4096)) {
  const { startServer } = await import("../scripts/server.mjs");
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-bench-up-"));
  const srv = await startServer(["--samples", "1", "--classify-delay-ms", "0", "--data", data]);
  const bound = ((CONC + 1) * PART) / MiB + 64;
  const mb = (b) => `${(b / MiB).toFixed(0).padStart(4)} MiB`;
  // CPU seconds of the uploading process per GiB: what the client costs, steadier than the rate
  // on a shared machine.
  const fmt = (r) =>
    `${r.mibps.toFixed(0).padStart(5)} MiB/s  ${(r.cpu / (r.size / 1024 / MiB)).toFixed(1).padStart(5)} CPU s/GiB  peak RSS growth ${mb(r.rssGrowth)} (after load ${mb(r.base).trim()})`;
  try {
    console.log(`\n== upload to the local S3 (part ${PART / MiB} MiB, concurrency ${CONC}; RSS growth goal (c+1)·part+64 MiB = ${bound} MiB)`);
    for (const mib of sizes) {
      const file = makeFile(data, mib);
      const args = [file, srv.api, srv.s3, srv.apiKey];
      // Rounds interleave the contenders, so a busy spell of the machine hits all of them; each
      // figure is then the median round by rate.
      const modes = ["baseline", "baseline-http", "ours", "ours-md5", "lib-storage"];
      const runs = Object.fromEntries(modes.map((m) => [m, []]));
      for (let i = 0; i < ROUNDS; i++) {
        for (const mode of modes) {
          runs[mode].push(await run([mode, ...args]));
          emptyBucket(data);
        }
      }
      const median = (xs) => [...xs].sort((a, b) => a.mibps - b.mibps)[xs.length >> 1];
      const r = Object.fromEntries(modes.map((m) => [m, median(runs[m])]));
      const x = (a, b) => `${(a.mibps / b.mibps).toFixed(2)}×`;
      console.log(`${mib} MiB file (${ROUNDS > 1 ? `median of ${ROUNDS} rounds; ` : ""}peak RSS by ${r.ours.how})`);
      const vs = (o) => `${x(o, r.baseline)} the floor, ${x(o, r["baseline-http"])} the node:http floor, ${x(o, r["lib-storage"])} lib-storage`;
      console.log(`  floor: fetch PUTs, MD5 in node:crypto      ${fmt(r.baseline)}`);
      console.log(`  same floor over node:http                  ${fmt(r["baseline-http"])}`);
      console.log(`  lib-storage Upload (CRC32C)                ${fmt(r["lib-storage"])}`);
      console.log(`  ours (CRC32C in wasm)                      ${fmt(r.ours)}   ${vs(r.ours)}`);
      console.log(`  ours (MD5 in wasm)                         ${fmt(r["ours-md5"])}   ${vs(r["ours-md5"])}`);
      fs.rmSync(file);
    }
    if (bigMib > 0) {
      const file = makeSparse(data, bigMib);
      const big = await run(["ours", file, srv.api, srv.s3, srv.apiKey]);
      console.log(`${bigMib} MiB sparse file`);
      console.log(`  ours (CRC32C in wasm)                      ${fmt(big)}   (goal ${bound} MiB)`);
      fs.rmSync(file);
      emptyBucket(data);
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
  await benchUpload(sizes.length ? sizes : [1024]);
}
