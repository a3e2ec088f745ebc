// `jobs create|publish|run|update` as in the Python CLI, and `jobs list [IDS]...` (ours: the
// Python CLI has no job listing).
import fs from "node:fs";
import { CliError, UsageError } from "../lib/errors.mjs";
import { listingCommand } from "./listing.mjs";
import { writeOut } from "../lib/output.mjs";
import { idOf } from "../lib/output.mjs";

const JOB_TYPES = ["shell_script", "nextflow"];
const float = (v) => { const n = Number(v); if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`'${v}' is not a valid float.`); return n; };
const choice = (v) => { if (!JOB_TYPES.includes(v)) throw new Error(`'${v}' is not one of ${JOB_TYPES.map((t) => `'${t}'`).join(", ")}.`); return v; };
const existingFile = (v) => { if (!fs.existsSync(v) || fs.statSync(v).isDirectory()) throw new Error(`File '${v}' does not exist.`); return v; };

const COMMON = {
  "image-uri": { type: "string", metavar: "TEXT", help: "Fully qualified OCI image URI (shell_script jobs)." },
  "nextflow-version": { type: "string", metavar: "TEXT", help: "Nextflow version, e.g. 26.04.6 (nextflow jobs). Defaults to the latest supported." },
  "job-type": { type: "string", metavar: "[shell_script|nextflow]", parse: choice, help: "Type of job (shell_script or nextflow)." },
  description: { type: "string", metavar: "TEXT", help: "Human-readable description (markdown)." },
  cpu: { type: "string", metavar: "FLOAT", parse: float, help: "CPU cores (shell_script jobs)." },
  "ram-gb": { type: "string", metavar: "FLOAT", parse: float, help: "RAM in GB (shell_script jobs)." },
  "storage-gb": { type: "string", metavar: "FLOAT", parse: float, help: "Storage in GB (shell_script jobs)." },
  "inject-bearer-token": { type: "boolean", negatable: true, help: "Inject the user's bearer token into the job environment." },
  "repository-url": { type: "string", metavar: "TEXT", help: "HTTPS URL of the git repository." },
  "repository-tag": { type: "string", metavar: "TEXT", help: "Git tag for the repository." },
  "asset-id": { type: "string", multiple: true, metavar: "ASSET_ID", help: "Asset to associate with the job (repeatable)." },
  dependency: { type: "string", short: "d", multiple: true, metavar: "JOB_ID=OUTPUT_DIR", help: "Job dependency, e.g. -d <job_id>=<output_dir>. Repeatable." },
  "arguments-schema": { type: "string", metavar: "FILE", parse: existingFile, help: "Path to a JSON file containing the arguments schema (list of FieldGroup)." },
};

/** The request body of create/update from the options, `undefined` fields left out (as Python). */
function jobFields(o, { jobType }) {
  if (o["repository-tag"] !== undefined && o["repository-url"] === undefined) throw new UsageError("Invalid value for '--repository-tag': --repository-tag requires --repository-url.");
  const deps = o.dependency.map((d) => {
    const i = d.indexOf("=");
    if (i <= 0 || i === d.length - 1) throw new UsageError(`Invalid value for '-d/--dependency': Expected <job_id>=<output_dir>, got '${d}'.`);
    return { job: { $ref: `/api/v1/jobs/${d.slice(0, i)}` }, output_dir: d.slice(i + 1) };
  });
  let schema;
  if (o["arguments-schema"]) {
    try { schema = JSON.parse(fs.readFileSync(o["arguments-schema"], "utf8")); } catch (e) { throw new UsageError(`Invalid value for '--arguments-schema': ${e.message}`); }
  }
  const fields = {
    name: o.name,
    script: o.script !== undefined ? fs.readFileSync(o.script, "utf8") : undefined,
    image_uri: o["image-uri"],
    nextflow_version: o["nextflow-version"],
    job_type: jobType,
    description: o.description,
    cpu: o.cpu,
    ram_gb: o["ram-gb"],
    storage_gb: o["storage-gb"],
    inject_bearer_token: o["inject-bearer-token"],
    repository: o["repository-url"] !== undefined ? { url: o["repository-url"], tag: o["repository-tag"] ?? null } : undefined,
    assets: o["asset-id"].length ? o["asset-id"].map((a) => ({ $ref: `/api/v1/assets/${a}` })) : undefined,
    dependencies: deps.length ? deps : undefined,
    arguments_schema: schema,
    autorun_on_org_sample_upload: o["autorun-on-org-sample-upload"],
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const JOB_ID = { name: "JOB_ID", key: "job", required: true, type: "id" };

const run = {
  name: "run",
  help: "Run a OneCodex job with optional arguments.",
  options: {
    arg: { type: "string", short: "a", multiple: true, metavar: "TEXT", help: "Additional runtime arguments, example: -a min_quality=1 -a adapter=AGATC. Always interpreted as a string. For typed arguments, use --args-json" },
    "args-json": { type: "string", metavar: "TEXT", help: "Runtime arguments as a JSON object (preserves non-string types). Mutually exclusive with -a/--arg." },
    "dependency-override": { type: "string", short: "d", multiple: true, metavar: "TEXT", help: "Override a dependency with an existing analysis, example: -d <analysis_id> or -d <analysis_id>=<relative_download_path>." },
    "populate-default-arguments": { type: "boolean", negatable: true, default: true, help: "Populate job arguments with their defaults on the server (default: enabled)." },
    await: { type: "boolean", help: "Block until the new analysis reaches a terminal state." },
    description: { type: "string", metavar: "TEXT", help: "Human-readable description. Maximum 250 characters." },
  },
  args: [JOB_ID, { name: "SAMPLE_ID", key: "sample", required: true, type: "id" }],
  async run(ctx, o, { job, sample }) {
    if (o.arg.length && o["args-json"] !== undefined) throw new UsageError("Invalid value for '--args-json': Cannot combine -a/--arg with --args-json.");
    let jobArgs = {};
    if (o["args-json"] !== undefined) {
      try { jobArgs = JSON.parse(o["args-json"]); } catch (e) { throw new UsageError(`Invalid value for '--args-json': Invalid JSON: ${e.message}`); }
      if (!jobArgs || typeof jobArgs !== "object" || Array.isArray(jobArgs)) throw new UsageError("Invalid value for '--args-json': Expected a JSON object (e.g. '{\"key\": value}').");
    } else {
      for (const a of o.arg) {
        const i = a.indexOf("=");
        if (i < 0) throw new UsageError(`Invalid value for '-a/--arg': Expected key=value format, got '${a}'.`);
        jobArgs[a.slice(0, i)] = a.slice(i + 1);
      }
    }
    const dependencies = o["dependency-override"].map((d) => {
      const i = d.indexOf("=");
      const analysis = i < 0 ? d : d.slice(0, i);
      if (!analysis) throw new UsageError(`Invalid value for '-d/--dependency-override': Expected <analysis_id> or <analysis_id>=<download_path>, got '${d}'.`);
      return { analysis, downloadPath: i < 0 || i === d.length - 1 ? null : d.slice(i + 1) };
    });
    const api = await ctx.api();
    const analysis = await api.jobs.run(job, sample, {
      jobArgs, populateDefaultArguments: o["populate-default-arguments"],
      ...(dependencies.length ? { dependencies } : {}), ...(o.description !== undefined ? { description: o.description } : {}),
    });
    const id = idOf(analysis);
    await writeOut(`Job run created successfully. New analysis ID: ${id}\n`);
    if (!o.await) return ctx.log(`Get its status using \`onecodex analyses ${id}\``);
    const done = await api.analyses.awaitCompletion(id);
    await writeOut(`Analysis ${id} complete (success=${done.success === true ? "True" : done.success === false ? "False" : "None"}).\n`);
    if (done.error_msg) ctx.log(`Error: ${done.error_msg}`);
    if (done.success === false) ctx.exitCode = 1;
  },
};

const publish = {
  name: "publish",
  help: "Publish a custom job.\n\nWARNING: You can't undo it.",
  options: { "autorun-on-org-sample-upload": { type: "boolean", help: "Auto-run this job on every newly uploaded org sample (admins only)." } },
  args: [JOB_ID],
  async run(ctx, o, { job }) {
    const api = await ctx.api();
    await api.jobs.publish(job, o["autorun-on-org-sample-upload"] ? { autorunOnOrgSampleUpload: true } : {});
    await writeOut("Job published successfully.\n");
  },
};

const create = {
  name: "create",
  help: "Create a new Job.",
  options: {
    name: { type: "string", required: true, metavar: "TEXT", help: "Human-readable name of the job.  [required]" },
    script: { type: "string", required: true, metavar: "FILE", parse: existingFile, help: "Path to the script file to be executed.  [required]" },
    ...COMMON,
  },
  async run(ctx, o) {
    if (o["job-type"] === "nextflow") {
      if (o["image-uri"] !== undefined) throw new UsageError("Invalid value for '--image-uri': --image-uri is not supported for Nextflow jobs, use --nextflow-version instead.");
    } else {
      if (o["image-uri"] === undefined) throw new UsageError("Invalid value for '--image-uri': --image-uri is required.");
      if (o["nextflow-version"] !== undefined) throw new UsageError("Invalid value for '--nextflow-version': --nextflow-version requires --job-type nextflow.");
    }
    const api = await ctx.api();
    const job = await api.jobs.create(jobFields(o, { jobType: o["job-type"] }));
    await writeOut(`Created job ${idOf(job)}: ${job.name}\n`);
  },
};

const update = {
  name: "update",
  help: "Update an existing Job.",
  options: {
    name: { type: "string", metavar: "TEXT", help: "Human-readable name of the job." },
    script: { type: "string", metavar: "FILE", parse: existingFile, help: "Path to the script file to be executed." },
    ...COMMON,
    "autorun-on-org-sample-upload": { type: "boolean", negatable: true, help: "Auto-run this job on every newly uploaded org sample (admins only)." },
  },
  args: [JOB_ID],
  async run(ctx, o, { job }) {
    if (o["job-type"] !== undefined) throw new UsageError("Invalid value for '--job-type': --job-type cannot be changed after job creation.");
    const fields = jobFields(o, {});
    if (!Object.keys(fields).length) throw new UsageError("No fields provided to update.");
    const api = await ctx.api();
    if (!(await api.jobs.get(job))) throw new CliError("not_found", `Could not find job ${job} (404 status code)`);
    const updated = await api.jobs.update(job, fields);
    await writeOut(`Updated job ${job}: ${updated.name}\n`);
  },
};

const list = listingCommand({ name: "list", resource: "jobs", label: "Jobs", help: "List jobs (all, or the ones given by ID).", tableColumns: ["id", "name", "analysis_type", "public", "created_at"] });

export const jobsCommand = { name: "jobs", help: "One Codex platform Job management.", subcommands: [create, list, publish, run, update] };
