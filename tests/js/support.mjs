// Shared by the client tests: the local One Codex server (a real HTTP + S3 server on free ports)
// and its fault admin. Faults are asserted through their hit counters, never just assumed.
import { startServer } from "../../scripts/server.mjs";

export async function withServer(t, args = ["--samples", "60"]) {
  const server = await startServer(args);
  t.after(() => server.stop());
  const admin = async (method, path = "", body) => {
    const r = await fetch(`${server.api}/__admin/${path}`, {
      method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`admin ${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return {
    ...server,
    info: () => admin("GET", "info"),
    addFault: async (rule) => (await admin("POST", "faults", rule)).ids[0],
    faultHits: async (id) => (await admin("GET", "faults")).rules.find((r) => r.id === id).hits,
    clearFaults: () => admin("DELETE", "faults"),
  };
}

export const idOf = (o) => o.$uri.split("/").pop();
