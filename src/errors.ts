// Every failure octet reports on purpose is an OctetError with a stable code,
// so callers (CLI, browser demo, tests) can tell bad input from bugs.
export type OctetErrorCode =
  | "IDX_FORMAT"
  | "MODEL_FORMAT"
  | "PLAN_FORMAT"
  | "WEIGHTS_FORMAT"
  | "SHAPE_MISMATCH"
  | "UNKNOWN_LAYER"
  | "BAD_OPTION"
  | "WASM_UNSUPPORTED"
  | "OUT_OF_BOUNDS"
  | "DEVICE_FAULT"
  | "BAD_ARGUMENT";

export class OctetError extends Error {
  readonly code: OctetErrorCode;
  constructor(code: OctetErrorCode, message: string) {
    super(message);
    this.name = "OctetError";
    this.code = code;
  }
}

export function fail(code: OctetErrorCode, message: string): never {
  throw new OctetError(code, message);
}
