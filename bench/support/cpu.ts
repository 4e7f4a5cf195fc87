import fs from 'node:fs';

/**
 * CPU time of other processes, from Linux's /proc (user + system, in ms), so that a throughput
 * figure can say where the time went on a small machine shared by the server, the database and
 * the load generator. Elsewhere these return undefined and the bench prints "—".
 */
const TICK_MS = 10; // USER_HZ is 100 on every mainstream Linux build

function stat(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the rest follows its closing parenthesis.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** CPU ms of a process and its direct children (a PostgreSQL postmaster and its backends). */
export function processTreeCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined || !fs.existsSync('/proc/self/stat')) return undefined;
  const root = stat(pid);
  if (!root) return undefined;
  let total = root.cpuMs;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.ppid === pid) total += s.cpuMs;
  }
  return total;
}

/** This process's CPU ms (user + system). */
export const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Whole-machine CPU ms busy (all processes, all cores) since boot, from /proc/stat; undefined elsewhere. */
export function machineBusyMs(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]; // "cpu  user nice system idle iowait irq softirq steal …"
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4];
    return (f.reduce((t, x) => t + x, 0) - idle) * TICK_MS;
  } catch {
    return undefined;
  }
}
