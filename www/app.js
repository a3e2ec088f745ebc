// The demo page: everything here goes through the wasm package, imported as a user would.
import { encodeWhere, version } from "onecodex-wasm";

// Which operators each sample field takes (API_SPEC.md §4.4 and §16): the page only offers those.
const FIELDS = {
  filename: ["$iendswith", "$icontains", "$istartswith", "$eq", "$ne", "$in"],
  size: ["$gte", "$gt", "$lte", "$lt", "$eq", "$ne", "$between", "$in"],
  created_at: ["$gte", "$gt", "$lte", "$lt", "$between"],
  status: ["$eq", "$ne", "$in"],
  visibility: ["$eq", "$ne", "$in"],
};
const NUMERIC = new Set(["size"]);

const $ = (id) => document.getElementById(id);

function fillOptions(select, values) {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
}

function operand(field, op, raw) {
  const parse = (s) => (NUMERIC.has(field) ? Number(s) : s.trim());
  if (op === "$in" || op === "$between") return raw.split(",").map(parse);
  return parse(raw);
}

function update() {
  const field = $("field").value;
  const op = $("operator").value;
  try {
    $("where-preview").textContent = encodeWhere({ [field]: { [op]: operand(field, op, $("value").value) } });
    $("filter-error").textContent = "";
  } catch (e) {
    $("where-preview").textContent = "";
    $("filter-error").textContent = `${e.code}: ${e.message}`;
  }
}

fillOptions($("field"), Object.keys(FIELDS));
fillOptions($("operator"), FIELDS.filename);
$("field").addEventListener("change", () => {
  fillOptions($("operator"), FIELDS[$("field").value]);
  update();
});
$("operator").addEventListener("change", update);
$("value").addEventListener("input", update);
update();
$("status").textContent = `onecodex-wasm ${version()} ready.`;
document.body.dataset.ready = "true";
