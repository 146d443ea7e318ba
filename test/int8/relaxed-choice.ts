// Prints the start-up instruction-set choice (OCTET_ISA) of this engine as JSON, for relaxed.test.ts.
import { releaseIsa } from "../../src/runtime/wasm-source-node.js";
import { OctetError } from "../../src/errors.js";

try {
  const c = releaseIsa();
  console.log(JSON.stringify({ isa: c.isa, reason: c.reason }));
} catch (e) {
  console.log(JSON.stringify({ error: e instanceof OctetError ? `${e.code}: ${e.message}` : String(e) }));
}
