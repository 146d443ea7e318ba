// ONNX external data: a tensor whose bytes live in another file (PyTorch's
// dynamo exporter writes `<model>.onnx.data` beside the model). The importer
// itself reads no files (it also runs in a browser): the caller passes a
// resolver that returns a file's bytes by its `location`, relative to the
// model's folder. Everything a hostile model controls is checked here before
// it is used: the location (relative, inside the model's folder, no NUL), the
// offset and length (decimal integers within the file, the length the
// tensor's element count needs), how many files and bytes are read.
import { fail } from "../errors.js";
import { describeValue } from "../model/graph.js";

/** Returns the whole file at `location` (already checked by checkExternalLocation), relative to the model's folder. */
export type ExternalReader = (location: string) => Uint8Array;

/** Most distinct external files one model may name (PyTorch can write one per tensor). */
export const MAX_EXTERNAL_FILES = 4096;
/** Most bytes read from external files for one model, all files together (4 GiB). */
export const MAX_EXTERNAL_BYTES = 2 ** 32;
const MAX_LOCATION_LENGTH = 4096;

/** The files one import has read, by normalized location, so that a file holding many tensors is read once. */
export class ExternalFiles {
  private readonly files = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly read: ExternalReader | undefined, private readonly file: string) {}

  get(location: string, where: string): Uint8Array {
    const path = checkExternalLocation(location, where);
    const known = this.files.get(path);
    if (known) return known;
    if (!this.read) {
      fail("MODEL_FORMAT", `${where}: keeps its data in the external file ${describeValue(location)}, and this import has no way to read files (a browser has none); load ${this.file} from disk (Node: loadModel, \`octet infer --model\`) or give importOnnx a readExternal resolver`);
    }
    if (this.files.size >= MAX_EXTERNAL_FILES) fail("MODEL_FORMAT", `${where}: the model names more than ${MAX_EXTERNAL_FILES} external data files`);
    const data = this.read(path);
    if (!(data instanceof Uint8Array)) fail("MODEL_FORMAT", `${where}: the external data resolver returned no bytes for ${describeValue(location)}`);
    this.bytes += data.length;
    if (this.bytes > MAX_EXTERNAL_BYTES) fail("MODEL_FORMAT", `${where}: external data files add up to more than ${MAX_EXTERNAL_BYTES} bytes`);
    this.files.set(path, data);
    return data;
  }
}

/**
 * A tensor's `location` as a normalized relative path ("a/b.data"), or a
 * named error: empty, too long, NUL, absolute (/x, \x, C:x, a URL scheme) or
 * leaving the model's folder through "..". Backslashes count as separators.
 */
export function checkExternalLocation(location: string, where: string): string {
  const bad = (why: string): never => fail("MODEL_FORMAT", `${where}: external data location ${describeValue(location)} ${why}`);
  if (typeof location !== "string" || location.length === 0) bad("is empty");
  if (location.length > MAX_LOCATION_LENGTH) bad(`is longer than ${MAX_LOCATION_LENGTH} characters`);
  if (location.includes("\0")) bad("contains a NUL character");
  if (/^[\\/]/.test(location) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) bad("is an absolute path; octet reads external data only from the model's folder");
  const parts: string[] = [];
  for (const part of location.split(/[\\/]/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) bad("leaves the model's folder (..); octet reads external data only from the model's folder");
      parts.pop();
    } else parts.push(part);
  }
  if (parts.length === 0) bad("names no file");
  return parts.join("/");
}

/** A decimal integer string (ONNX stores offset and length as text). */
function parseCount(value: string | null | undefined, where: string, key: string): number {
  if (typeof value !== "string" || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    fail("MODEL_FORMAT", `${where}: external data ${key} ${describeValue(value ?? "(missing)")} is not a non-negative decimal integer`);
  }
  return Number(value);
}

/** The `need` bytes of a tensor kept in an external file, checked against the file's size. */
export function externalTensorBytes(
  entries: readonly { key?: string | null; value?: string | null }[], where: string, need: number, files: ExternalFiles | undefined,
): Uint8Array {
  const fields = new Map<string, string>();
  for (const e of entries) {
    const key = e.key ?? "";
    if (fields.has(key)) fail("MODEL_FORMAT", `${where}: external data key ${describeValue(key)} is given twice`);
    fields.set(key, e.value ?? "");
  }
  const location = fields.get("location");
  if (location === undefined) fail("MODEL_FORMAT", `${where}: data_location is EXTERNAL but external_data has no "location"`);
  const offset = fields.has("offset") ? parseCount(fields.get("offset"), where, "offset") : 0;
  const length = fields.has("length") ? parseCount(fields.get("length"), where, "length") : need;
  if (length !== need) fail("MODEL_FORMAT", `${where}: external data length ${length} bytes, expected ${need} for the tensor's dims and type`);
  if (!files) return fail("MODEL_FORMAT", `${where}: keeps its data in the external file ${describeValue(location)}, and this import cannot read files`);
  const data = files.get(location, where);
  if (offset > data.length || need > data.length - offset) {
    fail("MODEL_FORMAT", `${where}: external data at offset ${offset}, ${need} bytes, goes past the end of ${describeValue(location)} (${data.length} bytes)`);
  }
  return data.subarray(offset, offset + need);
}
