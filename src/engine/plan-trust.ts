// Plans this process made (buildPlan) or proved consistent (verifyPlan):
// an execution context checks any other plan object before lowering it.
import type { Plan } from "./plan.js";

const verified = new WeakSet<Plan>();

export function markVerified<T extends Plan>(plan: T): T {
  verified.add(plan);
  return plan;
}

export function isVerified(plan: Plan): boolean {
  return verified.has(plan);
}
