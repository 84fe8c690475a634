/** What a process under attack holds: resident memory from /proc (Linux), read by the tests. */
import { readFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Resident memory now, in MiB. */
export const rssMib = (pid: number) => statusField(pid, 'VmRSS');
/** The highest resident memory the process ever had, in MiB. */
export const peakRssMib = (pid: number) => statusField(pid, 'VmHWM');
