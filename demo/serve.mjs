// `npm run demo`: builds the demo and serves demo/dist on 127.0.0.1.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".cache": "text/plain" };

export function serve(dir, port = 0) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      // Cross-origin isolation gives performance.now() microsecond resolution for the timeline.
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { buildDemo } = await import("./build.mjs");
  const { out, bytes } = await buildDemo();
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await serve(out, port);
  console.log(`octet demo (JS + wasm ${((bytes.js + bytes.wasm) / 1024).toFixed(1)} KB, plan ${(bytes.plan / 1024).toFixed(0)} KB): ${url}`);
  console.log("Ctrl-C to stop.");
}
