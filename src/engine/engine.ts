// The engine, as TensorRT splits it: it holds the verified plan and one
// kernel instance per device, into which each layer's weights are uploaded
// once (runtime/weight-cache.ts); any number of execution contexts made from
// it share those weights and hold only their own activations, scratch and
// DLA programs. A context made on its own (new ExecutionContext) has its own
// device instances, as before.
import type { Plan } from "./plan.js";
import type { Device } from "../builder/capabilities.js";
import type { Kernels } from "../runtime/kernels.js";
import { ExecutionContext, type ContextOptions, type KernelFactory } from "./context.js";
import { isVerified } from "./plan-trust.js";
import { verifyPlan } from "./plan-verify.js";

export class Engine {
  readonly plan: Plan;
  private readonly devices = new Map<Device, Kernels>();
  private contexts = 0;

  constructor(plan: Plan, private readonly makeKernels: KernelFactory) {
    this.plan = isVerified(plan) ? plan : verifyPlan(plan, "plan");
  }

  /** The engine's instance of `device`, made on first use. */
  kernels(device: Device): Kernels {
    let k = this.devices.get(device);
    if (!k) this.devices.set(device, (k = this.makeKernels(device)));
    return k;
  }

  /**
   * A context for batches up to maxBatch, sharing the engine's weights. Only
   * one context of an engine should profile DLA layers at a time (the DLA
   * instance reports layer ends to one listener).
   */
  createContext(maxBatch: number, options: ContextOptions = {}): ExecutionContext {
    this.contexts++;
    return new ExecutionContext(this.plan, (d) => this.kernels(d), maxBatch, options);
  }

  get contextCount(): number {
    return this.contexts;
  }

  /** Bytes of each device's memory in use (weights once, plus every context's activations). */
  memoryBytes(): { device: Device; bytes: number }[] {
    return [...this.devices].map(([device, k]) => ({ device, bytes: k.arena.used() }));
  }
}
