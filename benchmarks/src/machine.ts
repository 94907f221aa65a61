import os from 'node:os';

export interface MachineInfo {
  host: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  return {
    host: os.hostname(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
