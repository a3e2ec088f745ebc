// The demo page: connect, then browse samples with the filter builder. Everything goes through
// the wasm package, imported as a user would.
import { OneCodex, version } from "onecodex-wasm";
import { describeError } from "./errors.js";
import { createFilterUi } from "./filters.js";
import { createSamplesTable } from "./samples.js";
import { createSampleView } from "./sample.js";
import { createUploads } from "./upload.js";
import { createPlots } from "./plots.js";

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "onecodex-demo-api-key"; // session storage only: gone when the tab closes
let ocx = null;

const showError = (e) => { $("filter-error").textContent = describeError(e); };
const sampleView = createSampleView(() => ocx);
const table = createSamplesTable(showError, (id) => sampleView.open(id));
const filters = createFilterUi("samples");
createUploads(() => ocx, () => search());
// The worker has its own client: it gets what this page connected with.
const plots = createPlots(
  () => (ocx ? { baseUrl: $("base-url").value, apiKey: $("api-key").value, ...(config.local ? { s3Endpoint: config.s3Endpoint } : {}) } : null),
  () => table.samples(),
  () => filters.filter(false),
);

async function loadConfig() {
  try {
    const r = await fetch("/config.json");
    return r.ok ? await r.json() : {};
  } catch {
    return {};
  }
}

async function connect() {
  $("account").textContent = "Connecting…";
  try {
    ocx?.free();
    // The local server has its own S3 endpoint; the hosted API uses the bucket's default.
    const s3 = config.local ? { s3Endpoint: config.s3Endpoint } : {};
    ocx = new OneCodex({ baseUrl: $("base-url").value, apiKey: $("api-key").value, ...s3 });
    const account = await ocx.account();
    sessionStorage.setItem(KEY_STORAGE, $("api-key").value);
    $("account").textContent = `Connected as ${account.email ?? "(no e-mail)"}.`;
    document.body.dataset.connected = "true";
    await search();
  } catch (e) {
    ocx = null;
    $("account").textContent = describeError(e);
  }
}

async function search() {
  if (!ocx) return;
  try {
    plots.reset();
    await table.show(ocx, filters.filter(false), $("sort").value || undefined);
  } catch (e) {
    showError(e);
  }
}

$("connect-form").addEventListener("submit", (ev) => { ev.preventDefault(); connect(); });
$("filter-form").addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
$("sort").addEventListener("change", search);

const config = await loadConfig();
// Behind `npm start -- --proxy …` the API is this page's own origin.
$("base-url").value = config.apiBase ?? (config.proxy ? location.origin : "https://app.onecodex.com");
$("api-key").value = sessionStorage.getItem(KEY_STORAGE) ?? config.apiKey ?? "";
$("status").textContent = `onecodex-wasm ${version()} ready.`;
document.body.dataset.ready = "true";
if (config.local && $("api-key").value) connect();
