// A bump allocator over a wasm instance's memory. Kernels never allocate:
// the host reserves every buffer here once (at build / context creation) and
// passes raw pointers. Growing the memory detaches old typed-array views, so
// views are always made fresh from `memory.buffer`.
import { fail } from "../errors.js";

const PAGE = 65536;

export class Arena {
  readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number;
  private readonly onExtentChange: (lo: number, hi: number) => void;

  constructor(memory: WebAssembly.Memory, heapBase: number, onExtentChange: (lo: number, hi: number) => void) {
    this.memory = memory;
    this.base = alignUp(heapBase, 64);
    this.top = this.base;
    this.onExtentChange = onExtentChange;
    onExtentChange(this.base, this.top);
  }

  /** Reserves `bytes` (zero-filled), aligned to 64 bytes; returns the pointer. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) fail("BAD_ARGUMENT", `arena: cannot allocate ${bytes} bytes`);
    const ptr = alignUp(this.top, 64);
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        fail("BAD_ARGUMENT", `arena: cannot grow wasm memory by ${pages} pages to ${end} bytes`);
      }
    }
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    this.top = end;
    this.onExtentChange(this.base, this.top);
    return ptr;
  }

  /** Bytes reserved so far. */
  used(): number {
    return this.top - this.base;
  }

  /** Position to return to with `release`, for scratch that lives one call. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark < this.base || mark > this.top) fail("BAD_ARGUMENT", `arena: bad release mark ${mark}`);
    this.top = mark;
    this.onExtentChange(this.base, this.top);
  }

  get bytesInUse(): number {
    return this.top - this.base;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  i8(ptr: number, length: number): Int8Array {
    return new Int8Array(this.memory.buffer, ptr, length);
  }
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  allocF32(length: number): number {
    return this.alloc(length * 4);
  }
  allocI32(length: number): number {
    return this.alloc(length * 4);
  }
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
