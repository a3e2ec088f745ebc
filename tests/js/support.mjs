// Shared by the client tests: the local One Codex server (a real HTTP + S3 server on free ports)
// and its fault admin. Faults are asserted through their hit counters, never just assumed.
import http from "node:http";
import net from "node:net";
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

/** A forward proxy as undici uses one (a CONNECT tunnel to the target), closed after the test:
 * `url` for HTTP(S)_PROXY, and `proxied`, the host:port of every tunnel asked for. */
export async function withConnectProxy(t) {
  const proxied = [];
  // A forward proxy as undici uses one: a CONNECT tunnel to the target.
  const proxy = http.createServer((req, res) => res.writeHead(405).end());
  proxy.on("connect", (req, socket, head) => {
    proxied.push(req.url);
    const [host, port] = req.url.split(":");
    const upstream = net.connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => proxy.close(r)));
  return { url: `http://127.0.0.1:${proxy.address().port}`, proxied };
}
