// `scripts interleave`: two paired-end FASTQ files joined record by record, as the Python
// client's script does it (gzip'd input by name, --gzip output, --strict header check).
import fs from "node:fs";
import { CliError, UsageError } from "../lib/errors.mjs";
import { lineReader, lineWriter } from "../lib/lines.mjs";
import { exportFunctionalMetric } from "./functional-export.mjs";
import { subsetReads } from "./subset-reads.mjs";

function headersMatch(h1, h2) {
  if (h1[0] !== "@" || h2[0] !== "@") throw new CliError("invalid_file", "Invalid input FASTQ files.");
  if (h1.trim().split(" ")[0] !== h2.trim().split(" ")[0]) throw new CliError("invalid_file", "Input FASTQ files do not share headers. Check and re-run w/o --strict.");
}

/** Python's join_interleaved: 4 lines of each file in turn; the files must have as many lines. */
export async function joinInterleaved(out, f1, f2, { strict = false } = {}) {
  let b1 = [];
  let b2 = [];
  const flush = async () => {
    if (b1.length && b2.length) {
      if (b1.length !== 4 || b2.length !== 4) throw new CliError("invalid_file", "A FASTQ record is not 4 lines.");
      await out.write(b1.join("") + b2.join(""));
      b1 = [];
      b2 = [];
    }
  };
  for (let ix = 0; ; ix++) {
    const l1 = await f1.readline();
    const l2 = await f2.readline();
    // Python only notices a shorter first file (a shorter second one gives records without
    // mates); here either way is an error.
    if (l1 === "" || l2 === "") {
      if (l1 !== l2) throw new CliError("invalid_file", "Input FASTQ files do not match in length.");
      break;
    }
    if (ix % 4 === 0) {
      if (strict) headersMatch(l1, l2);
      await flush();
    }
    b1.push(l1);
    b2.push(l2);
  }
  await flush();
}

const interleave = {
  name: "interleave",
  help: "Join two FASTQ paired end read files. Defaults to interleaving reads.\n\nNote: Requires input files to be sorted.\n\nFASTQ1: First input FASTQ.\nFASTQ2: Second input FASTQ.\nOUTPUT_FASTQ: Output FASTQ file name (optional, streams to STDOUT if missing).",
  options: {
    strict: { type: "boolean", help: "Enforce that the headers of the input FASTQ files match until the first whitespace delimiter (e.g., a space)." },
    gzip: { type: "boolean", help: "Gzip output_fastq." },
  },
  args: [{ name: "FASTQ1", key: "fastq1", required: true }, { name: "FASTQ2", key: "fastq2", required: true }, { name: "OUTPUT_FASTQ", key: "output", required: false }],
  async run(ctx, o, { fastq1, fastq2, output }) {
    for (const [name, p] of [["FASTQ1", fastq1], ["FASTQ2", fastq2]]) {
      if (!fs.existsSync(p)) throw new UsageError(`Invalid value for '${name}': Path '${p}' does not exist.`);
    }
    const f1 = lineReader(fastq1);
    const f2 = lineReader(fastq2);
    const out = lineWriter(output, { gzip: o.gzip });
    try {
      await joinInterleaved(out, f1, f2, { strict: o.strict });
    } finally {
      f1.close();
      f2.close();
      await out.close();
    }
  },
};

// The Python CLI keeps the old name, hidden, with a warning.
const filterReads = {
  ...subsetReads,
  name: "filter_reads",
  hidden: true,
  run(ctx, o, a) {
    ctx.log("Warning: filter_reads will be removed in a future version. Please use subset_reads instead!");
    return subsetReads.run(ctx, o, a);
  },
};

export const scriptsCommand = { name: "scripts", help: "Assorted utility scripts", subcommands: [exportFunctionalMetric, interleave, subsetReads, filterReads] };
