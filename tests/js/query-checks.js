// Query checks shared by Node (tests/js/queries.test.mjs) and Chromium (tests/page/queries.test.mjs):
// plain ESM with no Node imports, so the same code runs in both. `setFault(rule)` installs a
// server fault and resolves to a function giving its hit count (the caller talks to the admin).

function check(ok, message) {
  if (!ok) throw new Error(message);
}

function equal(a, b, message) {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  check(x === y, `${message}: ${x.slice(0, 300)} !== ${y.slice(0, 300)}`);
}

const idOf = (o) => o.$uri.split("/").pop();
const ids = (objects) => objects.map(idOf).sort();
const ref = (v) => (v == null ? null : (v.$ref ?? v.$uri));

/** Each operator returns exactly what a local evaluation over all samples keeps. */
export async function operatorChecks(ocx) {
  const all = await ocx.samples.where();
  check(all.length >= 200, `expected at least 200 samples, got ${all.length}`);
  const someSize = all[17].size;
  const sizes = all.map((s) => s.size).sort((a, b) => a - b);
  const [lo, hi] = [sizes[40], sizes[120]];
  const dates = all.map((s) => s.created_at).sort();
  const mid = dates[Math.floor(dates.length / 2)];
  const project = all.find((s) => s.project)?.project;
  const name = all[3].filename;
  const cases = [
    [{ filename: name }, (s) => s.filename === name],
    [{ filename: { $ne: name } }, (s) => s.filename !== name],
    [{ filename: { $in: [name, all[9].filename] } }, (s) => s.filename === name || s.filename === all[9].filename],
    [{ filename: { $contains: "_R1" } }, (s) => s.filename.includes("_R1")],
    [{ filename: { $icontains: "_r1" } }, (s) => s.filename.toLowerCase().includes("_r1")],
    [{ filename: { $startswith: "soil" } }, (s) => s.filename.startsWith("soil")],
    [{ filename: { $istartswith: "SOIL" } }, (s) => s.filename.toLowerCase().startsWith("soil")],
    [{ filename: { $endswith: ".fastq.gz" } }, (s) => s.filename.endsWith(".fastq.gz")],
    [{ filename: { $iendswith: ".FASTQ.GZ" } }, (s) => s.filename.toLowerCase().endsWith(".fastq.gz")],
    [{ size: someSize }, (s) => s.size === someSize],
    [{ size: { $gt: lo } }, (s) => s.size > lo],
    [{ size: { $gte: lo } }, (s) => s.size >= lo],
    [{ size: { $lt: hi } }, (s) => s.size < hi],
    [{ size: { $lte: hi } }, (s) => s.size <= hi],
    [{ size: { $between: [lo, hi] } }, (s) => s.size >= lo && s.size <= hi],
    [{ size: { $gte: lo, $lt: hi } }, (s) => s.size >= lo && s.size < hi],
    [{ size: [sizes[0], sizes[1]] }, (s) => s.size === sizes[0] || s.size === sizes[1]],
    [{ created_at: { $gte: mid } }, (s) => Date.parse(s.created_at) >= Date.parse(mid)],
    [{ created_at: { $lt: mid } }, (s) => Date.parse(s.created_at) < Date.parse(mid)],
    [{ status: { $in: ["available"] } }, (s) => s.status === "available"],
    [{ status: { $ne: "available" } }, (s) => s.status !== "available"],
    [{ visibility: "private" }, (s) => s.visibility === "private"],
    [{ error_msg: null }, (s) => s.error_msg == null],
    [{ project: ref(project) }, (s) => ref(s.project) === ref(project)],
    [{ project: null }, (s) => s.project == null],
    [{ project: { $ne: ref(project) } }, (s) => ref(s.project) !== ref(project)],
  ];
  for (const [filter, keep] of cases) {
    equal(ids(await ocx.samples.where(filter)), ids(all.filter(keep)), JSON.stringify(filter));
  }
  const discriminating = cases.filter(([, keep]) => { const n = all.filter(keep).length; return n > 0 && n < all.length; });
  check(discriminating.length >= 20, `only ${discriminating.length} discriminating cases`);
  return cases.length;
}

/** Page-style pages fetched concurrently under random latency keep their order. */
export async function concurrentOrderCheck(ocx, setFault) {
  const sequential = (await ocx.classifications.where(null, { concurrency: 1 })).map(idOf);
  check(sequential.length > 200, "several pages of classifications");
  const hits = await setFault({ target: "api", method: "GET", path: "/api/v1/classifications", latency: { ms: 10, jitter_ms: 300 } });
  const concurrent = (await ocx.classifications.where()).map(idOf);
  equal(concurrent, sequential, "order");
  check((await hits()) >= 3, "the latency fault fired on the concurrent pages");
}

/** 429 with Retry-After and 503 then success are survived; the faults really fired. */
export async function retryChecks(ocx, setFault) {
  let hits = await setFault({ target: "api", method: "GET", path: "/api/v1/projects", respond: { status: 429, retry_after: 1 }, times: 1 });
  const started = Date.now();
  check((await ocx.projects.where()).length > 0, "projects after a 429");
  check((await hits()) === 1, "the 429 fired once");
  check(Date.now() - started >= 900, "waited as Retry-After said");
  hits = await setFault({ target: "api", method: "GET", path: "/api/v1/account", respond: { status: 503, retry_after: 0 }, times: 2 });
  check(!!(await ocx.account()).user, "account after two 503s");
  check((await hits()) === 2, "both 503s fired");
}

/** Abort in the middle of iter(): the first page is yielded, the next request is aborted. */
export async function abortMidIterCheck(ocx) {
  const ctl = new AbortController();
  let seen = 0;
  let code = null;
  try {
    for await (const _ of ocx.samples.iter(null, { signal: ctl.signal })) {
      seen++;
      if (seen === 1) ctl.abort();
    }
  } catch (e) {
    code = e.code;
  }
  equal([code, seen], ["aborted", 100], "aborted after the first page");
}

/** A wrong key is unauthorized; another user's private sample is forbidden. */
export async function accessChecks(OneCodex, api, apiKey, outsiderPrivateSample) {
  const codeOf = async (p) => { try { await p; return null; } catch (e) { return [e.name, e.code, e.status]; } };
  equal(await codeOf(new OneCodex({ apiKey: "wrong-key", baseUrl: api }).samples.where()), ["OneCodexError", "unauthorized", 401], "wrong key");
  equal(await codeOf(new OneCodex({ apiKey, baseUrl: api }).samples.get(outsiderPrivateSample)), ["OneCodexError", "forbidden", 403], "private sample");
}
