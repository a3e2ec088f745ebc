// How `upload` groups the files it is given, as the Python CLI does (onecodex/input_helpers.py):
// ONT split files (`x_0.fastq`, `x_1.fastq`, …) merged per sample, R1/R2 pairs, then lanes
// (`_L001`, `_L002`, …) concatenated. Python copies each merged group into a temporary file
// first; here a group stays a list of paths, which the library streams as one file, in order.
//
// A "file" below is a path (string), a group (`{ merged: [paths], name }`) or a pair `[r1, r2]`
// of those.
import fs from "node:fs";
import path from "node:path";

const ORDINAL_MULTI_REV = /([._])\d+([._][\D._]+)$/;
const PAIRED_ORDINAL_REV = /([._][Rr])\d([._][\w.]+)$/;
const LANE = /[._]L(\d+)[._]/;
const PAIR_LANE_COMBO = /([._][rR][12])?[._]L\d+[._]([rR][12])?/g;
const LANE_NUM = /[._]L\d+([._])/g;

// Python's re.sub replaces every non-overlapping match; these patterns are anchored at `$`, so
// there is at most one. The single-digit pattern of Python is `([._])\d([._][\D._]+)$`.
const ORDINAL_SINGLE = /([._])\d([._][\D._]+)$/;

export function replaceFilenameOrdinal(filename, replacement, multiDigit = false) {
  return filename.replace(multiDigit ? ORDINAL_MULTI_REV : ORDINAL_SINGLE, `$1${replacement}$2`);
}

export function replacePairedFilenameOrdinal(filename, replacement) {
  return replaceFilenameOrdinal(filename, replacement).replace(PAIRED_ORDINAL_REV, `$1${replacement}$2`);
}

const exists = (p) => fs.existsSync(p);
const pathsOf = (f) => (typeof f === "string" ? [f] : f.merged);

/** ONT groups: files whose `_0` sibling exists, keyed by the name without the ordinal. */
export function findOntGroups(files) {
  const groups = new Map();
  for (const f of files) {
    // Python also groups a name without any ordinal (its "_0 sibling" is itself), so one plain
    // file among others triggers the merge question; only names with an ordinal count here.
    if (!ORDINAL_MULTI_REV.test(f)) continue;
    if (exists(replaceFilenameOrdinal(f, "0", true))) {
      const base = path.basename(f.replace(/[._]\d+([._][\D._]+)$/, "$1"));
      if (!groups.has(base)) groups.set(base, new Set());
      groups.get(base).add(f);
    }
  }
  return groups;
}

/**
 * Merges ONT groups (unless `merge` says no). `ask(groups)` is called when prompting: it returns
 * true, false or "cancel". Gaps in a sequence skip that group, with a warning.
 */
export async function concatenateOntGroups(files, { prompt, ask, warn }) {
  const groups = findOntGroups(files);
  if (!groups.size) return files;
  let merge = true;
  if (files.length === 1 && groups.size === 1) merge = false;
  else if (prompt) merge = await ask(groups);
  if (!merge) return files;
  const singles = new Set(files);
  const out = [];
  for (const [base, members] of groups) {
    const first = members.values().next().value;
    const expected = [...Array(members.size).keys()].map((i) => replaceFilenameOrdinal(first, String(i), true));
    const missing = expected.find((e) => !members.has(e));
    if (missing) {
      warn(`Detected a gap in the ONT file sequence for ${base}, missing file: ${path.basename(missing)}. Skipping concatenation`);
      continue;
    }
    for (const e of expected) singles.delete(e);
    out.push({ merged: expected, name: base, ont: true });
  }
  return [...singles, ...out];
}

/** R1/R2 pairs among the files; with `prompt`, the sibling of a file is pulled in even if not given. */
export async function autoDetectPairs(files, { prompt, ask }) {
  const singles = new Set(files);
  const pairs = [];
  for (const f of files) {
    if (typeof f !== "string" || !singles.has(f)) continue;
    const r1 = replacePairedFilenameOrdinal(f, "1");
    const r2 = replacePairedFilenameOrdinal(f, "2");
    if (r1 !== r2 && exists(r1) && exists(r2)) {
      const other = f === r1 ? r2 : r1;
      if (!prompt && !singles.has(other)) continue;
      pairs.push([r1, r2]);
      singles.delete(r1);
      singles.delete(r2);
    }
  }
  if (prompt && pairs.length) {
    const ok = await ask(pairs, singles.size);
    if (!ok) return files;
  }
  return [...pairs, ...singles];
}

const laneGroupName = (p) => path.basename(p).replace(PAIR_LANE_COMBO, "");
const laneOf = (p) => Number(LANE.exec(p)?.[1]);

/** Lane groups (two or more lanes numbered 1, 2, … of one read or one pair), in lane order. */
export function findMultilaneGroups(files) {
  const singles = files.filter((f) => typeof f === "string");
  const pairs = files.filter((f) => Array.isArray(f) && typeof f[0] === "string" && typeof f[1] === "string");
  const groupMap = (elems, paired) => {
    const map = new Map();
    for (const e of elems) {
      const key = paired ? e[0] : e;
      if (!LANE.test(key)) continue;
      const g = laneGroupName(key);
      if (!map.has(g)) map.set(g, []);
      map.get(g).push(e);
    }
    for (const [g, list] of map) {
      if (list.length < 2) map.delete(g);
      else list.sort((a, b) => { const x = paired ? a[0] : a; const y = paired ? b[0] : b; return x < y ? -1 : x > y ? 1 : 0; });
    }
    return map;
  };
  const multiPairs = groupMap(pairs, true);
  const multiSingles = groupMap(singles, false);
  for (const f of singles) if (LANE.test(f)) multiPairs.delete(laneGroupName(f));
  const noGaps = (map, paired) => {
    for (const [g, list] of map) {
      const ok = list.every((e, i) => (paired ? laneOf(e[0]) === i + 1 && laneOf(e[1]) === i + 1 : laneOf(e) === i + 1));
      if (!ok) map.delete(g);
    }
    return map;
  };
  return [...noGaps(multiSingles, false).values(), ...noGaps(multiPairs, true).values()];
}

const laneMergedName = (p) => path.basename(p).replace(LANE_NUM, "$1");

/** Replaces each lane group by one merged file (or pair of merged files), unless declined. */
export async function concatenateMultilaneFiles(files, { prompt, ask }) {
  const groups = findMultilaneGroups(files);
  if (!groups.length) return files;
  if (prompt && !(await ask())) return files;
  let out = [...files];
  for (const group of groups) {
    const paired = Array.isArray(group[0]);
    const merged = paired
      ? [0, 1].map((side) => ({ merged: group.map((p) => p[side]), name: laneMergedName(group[0][side]) }))
      : { merged: group, name: laneMergedName(group[0]) };
    const at = out.indexOf(group[0]);
    out = out.filter((f) => !group.includes(f));
    out.splice(Math.max(0, at), 0, merged);
  }
  return out;
}

export const allPaths = (entry) => (Array.isArray(entry) ? entry.flatMap(pathsOf) : pathsOf(entry));
export const displayName = (f) => (typeof f === "string" ? path.basename(f) : f.name);
