/**
 * Copies the runtime data files from the shared source directory into `src/geo/data/`.
 *
 *   npx tsx src/geo/data/copy-source-data.ts <source-dir>
 *
 * The two CSVs and the national and colonias topologies are copied unchanged (already minified JSON).
 * The police topology keeps only `cuadrantes_2016` and `sectores_2016` with the arcs they use:
 * the renumbered 2023 plan (`cuadrantes_2023`) shares no arc with them and is not used at runtime.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractTopologyObjects, readTopology } from '../geo-data.js';

const sourceDir = process.argv[2];
if (!sourceDir) {
  console.error('usage: tsx src/geo/data/copy-source-data.ts <source-dir>');
  process.exit(2);
}
const target = (file: string): URL => new URL(`./${file}`, import.meta.url);

for (const file of [
  'mx-municipios-estados.topo.json',
  'cdmx-colonias.topo.json',
  'mx-estados-poblacion-2020.csv',
  'mx-municipios-poblacion-2020.csv',
]) {
  // Read + write rather than copyFile: the source files are read-only and copyFile keeps the mode.
  writeFileSync(target(file), readFileSync(join(sourceDir, file)));
  console.log(`copied ${file}`);
}

const quadrants = readTopology(join(sourceDir, 'cdmx-policia-cuadrantes.topo.json'));
const pruned = extractTopologyObjects(quadrants, ['cuadrantes_2016', 'sectores_2016']);
const json = JSON.stringify(pruned);
writeFileSync(target('cdmx-policia-cuadrantes.topo.json'), json);
console.log(
  `wrote cdmx-policia-cuadrantes.topo.json: ${pruned.arcs.length} of ${quadrants.arcs.length} arcs, ${(json.length / 1e6).toFixed(3)} MB`,
);
