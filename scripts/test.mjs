// `npm test`: everything that must hold before a change lands, in order of speed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const report = path.join(os.tmpdir(), `openc5-vitest-${process.pid}.json`);
const steps = [
  ['formato (prettier)', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['lint (eslint)', bin('eslint'), ['--max-warnings', '0', '.']],
  ['tipos (tsc)', bin('tsc'), ['--noEmit', '-p', '.']],
  ['web (vite build)', bin('vite'), ['build', '--logLevel', 'warn']],
  [
    'pruebas (vitest: unitarias, API en SQLite y PostgreSQL, navegador)',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  ],
];

/** One plain closing line that any CI reads: 'Tests: N passed, N failed, N skipped'. */
function summary() {
  if (!fs.existsSync(report)) return;
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  fs.rmSync(report);
  console.log(`\nTests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}

for (const [label, cmd, args] of steps) {
  const t0 = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`✖ ${label} falló (código ${r.status ?? r.signal})`);
    summary();
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
summary();
