// What every command gets: the global options, a client built from the credentials (lazily, so
// `--help` and usage errors never load the wasm), stderr logging and the output settings.
import { CliError, UsageError } from "./errors.mjs";
import { resolveCredentials } from "./credentials.mjs";

let packageModule;
/** The package's own client (self-reference: the CLI ships inside the package). */
export async function library() {
  packageModule ??= await import("onecodex-wasm");
  return packageModule;
}

export function createContext(globals, { env = process.env, stderr = process.stderr } = {}) {
  const secrets = [];
  const ctx = {
    globals,
    env,
    pretty: !globals["no-pretty-print"],
    verbose: Boolean(globals.verbose),
    exitCode: 0,
    secrets,
    stderrIsTTY: Boolean(stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    baseUrl: env.ONE_CODEX_API_BASE || "https://app.onecodex.com",
    log(message) { stderr.write(`${message}\n`); },
    debug(message) { if (ctx.verbose) stderr.write(`${message}\n`); },
    /** A message for stderr that the run fails with (exit 1) once the command is done. */
    fail(message) { stderr.write(`${message}\n`); ctx.exitCode = 1; },
    client: undefined,
  };
  let client;
  /** The client for commands that need a login: credentials in the Python CLI's order. */
  ctx.api = async (extra = {}) => {
    if (client) return client;
    const creds = resolveCredentials({ apiKey: globals["api-key"] }, env);
    secrets.push(creds.apiKey, creds.bearerToken);
    ctx.debug(`Using credentials from ${creds.source}; server ${ctx.baseUrl}`);
    const { OneCodex } = await library();
    const options = {
      ...(creds.apiKey ? { apiKey: creds.apiKey } : { bearerToken: creds.bearerToken }),
      baseUrl: ctx.baseUrl,
      // The S3 endpoint override boto3 (so the Python CLI) reads; unset for the real service.
      ...(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? { s3Endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL } : {}),
      ...extra,
    };
    if (ctx.verbose) options.onRequest = (r) => stderr.write(`${r.method} ${r.url}\n`);
    try {
      client = new OneCodex(options);
    } catch (e) {
      throw new CliError(e.code ?? "invalid_argument", e.message);
    }
    return client;
  };
  return ctx;
}

/** Library argument errors raised by what the user typed (a filter, a sort) are bad usage. */
export function asUsage(e, what) {
  if (e && (e.code === "invalid_filter" || e.code === "invalid_argument")) return new UsageError(`Invalid value for '${what}': ${e.message}`);
  return e;
}
