// The kernel ABI this build implements: the hash of the description in
// src/runtime/kernel-abi.ts. The host refuses a build that reports another.
const KERNEL_ABI: u32 = 0x9a2c5b93;

export function kernelAbi(): u32 {
  return KERNEL_ABI;
}
