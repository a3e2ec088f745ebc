// The command tree of `onecodex-wasm` (the Python `onecodex` CLI's commands and options, plus
// listing options and `matrix`) and the run: parse, dispatch, report failures, exit status.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { commandPath, helpText, PROG, resolve, splitGlobals } from "./lib/args.mjs";
import { describeFailure, EXIT_USAGE, redact, UsageError } from "./lib/errors.mjs";
import { createContext } from "./lib/context.mjs";
import { validApiKey } from "./lib/credentials.mjs";
import { listingCommand } from "./commands/listing.mjs";
import { analysesCommand, classificationsCommand, topLevelAwait } from "./commands/analyses.mjs";
import { assetsCommand, documentsCommand } from "./commands/files.mjs";
import { jobsCommand } from "./commands/jobs.mjs";
import { authCommands } from "./commands/auth.mjs";
import { uploadCommand } from "./commands/upload.mjs";
import { downloadCommand } from "./commands/download.mjs";
import { matrixCommand } from "./commands/matrix.mjs";
import { scriptsCommand } from "./commands/scripts.mjs";

export const GLOBAL_OPTIONS = {
  "api-key": { type: "string", metavar: "<str:api_key>", help: "Manually provide a One Codex API key", parse: (v) => { try { return validApiKey(v); } catch (e) { throw new UsageError(`Invalid value for '--api-key': ${e.message}`); } } },
  "no-pretty-print": { type: "boolean", help: "Do not pretty-print JSON responses (compact JSON)" },
  verbose: { type: "boolean", short: "v", help: "Log extra information to STDERR" },
  telemetry: { type: "boolean", negatable: true, default: true, help: "Accepted for compatibility; nothing is ever sent." },
  version: { type: "boolean", help: "Show the version and exit." },
};

const ANALYSIS_COLUMNS = ["id", "analysis_type", "job", "sample", "complete", "success", "created_at"];

export function commandTree() {
  return {
    name: "",
    help: "One Codex v1 API command line interface.",
    globalOptions: GLOBAL_OPTIONS,
    subcommands: [
      analysesCommand,
      assetsCommand,
      { ...topLevelAwait },
      classificationsCommand,
      documentsCommand,
      downloadCommand,
      jobsCommand,
      ...authCommands,
      matrixCommand,
      listingCommand({ name: "panels", label: "Panels", help: "Retrieve performed in silico panel results.\n\nWith no arguments, lists all panels in your account. Pass one or more panel\nIDs to fetch those panels specifically.", tableColumns: ANALYSIS_COLUMNS }),
      scriptsCommand,
      listingCommand({ name: "samples", label: "Samples", help: "Retrieve uploaded samples.\n\nWith no arguments, lists all samples in your account. Pass one or more sample\nIDs to fetch those samples specifically:\n\n    onecodex-wasm samples <id1> <id2> ...", tableColumns: ["id", "filename", "size", "created_at", "visibility"] }),
      uploadCommand,
      listingCommand({ name: "workflows", label: "Workflows", help: "Retrieve performed workflow results.\n\nWith no arguments, lists all workflows in your account. Pass one or more\nworkflow IDs to fetch those workflows specifically.", tableColumns: ANALYSIS_COLUMNS }),
    ],
  };
}

function version() {
  const manifest = new URL("../package.json", import.meta.url);
  try {
    return JSON.parse(fs.readFileSync(fileURLToPath(manifest), "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** Runs one command line; resolves to the exit status. */
export async function main(argv, { env = process.env } = {}) {
  const root = commandTree();
  let ctx = null;
  try {
    const { values: globals, rest } = splitGlobals(argv, GLOBAL_OPTIONS);
    if (globals.version) {
      process.stdout.write(`${PROG}, version ${version()}\n`);
      return 0;
    }
    if (globals.help || !rest.length) {
      resolve(root, []); // links the tree for the usage line
      process.stdout.write(helpText(root));
      return 0;
    }
    const r = resolve(root, rest);
    if (r.help) {
      (r.toStderr ? process.stderr : process.stdout).write(helpText(r.cmd));
      return r.toStderr ? EXIT_USAGE : 0;
    }
    ctx = createContext(globals, { env });
    const outcome = await r.cmd.run(ctx, r.values, r.args);
    // A command given nothing to do prints its help, as the Python CLI does.
    if (outcome === "help") process.stdout.write(helpText(r.cmd));
    return ctx.exitCode;
  } catch (e) {
    const f = describeFailure(e);
    const secrets = ctx?.secrets ?? [];
    if (e instanceof UsageError) {
      if (e.command) process.stderr.write(`${helpText(e.command).split("\n")[0]}\nTry '${commandPath(e.command)} -h' for help.\n\n`);
      process.stderr.write(`Error: ${redact(f.message, secrets)}\n`);
    } else if (f.exitCode === 0) {
      process.stderr.write(`${f.message}\n`);
    } else {
      process.stderr.write(`Error [${f.code}]: ${redact(f.message, secrets)}\n`);
      if (ctx?.verbose && e?.stack) process.stderr.write(`${redact(e.stack, secrets)}\n`);
    }
    return f.exitCode;
  }
}
