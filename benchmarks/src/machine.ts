import os from 'node:os';
import type { AdapterDescription } from '@mobilenets/ops';

export interface MachineInfo {
  host: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  node: string;
  /** The WebGPU adapter the benchmark found (a software one is marked so); null where webgpu is unavailable. */
  gpu: AdapterDescription | null;
}

export function machineInfo(): MachineInfo {
  return {
    host: os.hostname(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gpu: null,
  };
}
