/**
 * Analysis yields the CPU to the request thread. On a small machine the 911 consoles and the map share
 * two or four cores: a worker busy with a map question must not slow an incident's creation. Linux
 * schedules threads separately, so a worker lowers its own priority (nice): under contention the
 * request thread (nice 0) gets about ten times the CPU of a nice-10 worker, and when the machine is
 * idle the worker still runs at full speed. Elsewhere (no /proc/thread-self) nothing changes.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Raises this thread's nice value (lowers its priority); returns the value set, or null where unsupported. */
export function lowerThreadPriority(nice: number): number | null {
  try {
    // "/proc/thread-self" → "<pid>/task/<tid>": the id setpriority(2) takes for one thread.
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return os.getPriority(tid);
  } catch {
    return null;
  }
}
