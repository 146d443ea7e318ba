// A device thread of a split context: which steps each device's thread runs
// (a compute step on its device, a reformat on the GPU, a copy by the device
// it leaves), and what each must wait for, as CUDA events order TensorRT's
// streams: a step waits for the last earlier step of each other device that
// touches bytes it touches (ExecutionContext.stepRegions), so liveness-shared
// buffers and copies into another device's memory stay in plan order.
import type { Plan } from "../engine/plan.js";
import type { ExecutionContext } from "../engine/context.js";
import type { Device } from "../builder/capabilities.js";
import { OctetError } from "../errors.js";
import { ABORTED } from "./protocol.js";

/** The thread that runs each step of the plan. */
export function stepOwners(plan: Plan): Device[] {
  return plan.nodes.map((node) => (node.kind === "copy" ? node.from.device : node.device));
}

/** For each step, the steps of other devices it waits for (the last one per device). */
export function stepDependencies(owners: Device[], regions: { device: Device; start: number; end: number }[][]): number[][] {
  const overlap = (a: (typeof regions)[number], b: (typeof regions)[number]) =>
    a.some((x) => b.some((y) => x.device === y.device && x.start < y.end && y.start < x.end));
  return owners.map((owner, i) => {
    const last = new Map<Device, number>();
    for (let j = 0; j < i; j++) if (owners[j] !== owner && overlap(regions[i]!, regions[j]!)) last.set(owners[j]!, j);
    return [...last.values()];
  });
}

/** What a device thread's error says when it only stopped waiting for another thread that faulted. */
export const STOPPED_WAITING = "whose thread faulted";

/** The clock every thread shares: milliseconds since the epoch (each worker's performance.now has its own origin). */
export const sharedClock = (): number => performance.timeOrigin + performance.now();

/**
 * A device thread's enqueue: its steps in plan order, each after its
 * dependencies' events reach this enqueue's count; returns the microseconds
 * spent running steps (waits excluded). A fault marks this thread's events
 * ABORTED so no other thread waits forever.
 */
export function deviceRunner(ctx: ExecutionContext, device: Device, events: Int32Array, times: Float64Array): (n: number) => number {
  const owners = stepOwners(ctx.plan);
  const deps = stepDependencies(owners, ctx.stepRegions());
  const mine = owners.flatMap((o, i) => (o === device ? [i] : []));
  const names = ctx.plan.nodes.map((nd) => nd.name);
  let count = 0;
  const wait = (j: number) => {
    for (let spins = 0; ; spins++) {
      const v = Atomics.load(events, j);
      if (v === count) return;
      if (v === ABORTED) throw new OctetError("DEVICE_FAULT", `${device.toUpperCase()} step waits on ${owners[j]!.toUpperCase()} step ${names[j]}, ${STOPPED_WAITING}`);
      if (spins > 200) Atomics.wait(events, j, v, 50);
    }
  };
  return (n) => {
    count++;
    let busy = 0;
    try {
      for (const i of mine) {
        for (const j of deps[i]!) wait(j);
        const t0 = sharedClock();
        ctx.runStep(i, n);
        const t1 = sharedClock();
        times[2 * i] = t0;
        times[2 * i + 1] = t1;
        busy += t1 - t0;
        Atomics.store(events, i, count);
        Atomics.notify(events, i);
      }
    } catch (e) {
      for (const i of mine) {
        Atomics.store(events, i, ABORTED);
        Atomics.notify(events, i);
      }
      throw e;
    }
    return Math.round(busy * 1000);
  };
}
