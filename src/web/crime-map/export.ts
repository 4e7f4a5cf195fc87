import type { Feature, FeatureCollection, Geometry } from 'geojson';

/** One legend block: a title, swatches (with how many cells each has) or a colour ramp. */
export type LegendItem = { color: string; label: string; count?: number; hatched?: boolean };
export type LegendBlock = {
  title: string;
  items?: LegendItem[];
  ramp?: { colors: string[]; min: string; max: string };
  note?: string;
};

/** A CSV field quoted when needed (RFC 4180); numbers with a point, never a locale's comma. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(12))) : '') : String(v);
  // A leading =, +, - or @ would be run as a formula by spreadsheets: prefix it (OWASP CSV injection).
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A representative point of a polygon feature: the mean of its outer ring's vertices (for the CSV's lon/lat). */
export function featureCentre(f: Feature<Geometry | null>): [number, number] | null {
  const g = f.geometry;
  if (!g) return null;
  const ring =
    g.type === 'Polygon'
      ? g.coordinates[0]
      : g.type === 'MultiPolygon'
        ? g.coordinates[0]?.[0]
        : g.type === 'Point'
          ? [g.coordinates]
          : null;
  if (!ring?.length) return null;
  // A closed ring repeats its first vertex: leave it out of the mean.
  const pts =
    ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring;
  const lon = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const lat = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  return [Number(lon.toFixed(6)), Number(lat.toFixed(6))];
}

/**
 * The features' properties as CSV: the given columns in order, then lon/lat of each feature's
 * centre. Line ends CRLF, as RFC 4180 and spreadsheets expect.
 */
export function featuresToCsv(fc: FeatureCollection<Geometry | null>, columns: readonly string[]): string {
  const lines = [[...columns, 'lon', 'lat'].join(',')];
  for (const f of fc.features) {
    const props = (f.properties ?? {}) as Record<string, unknown>;
    const c = featureCentre(f);
    lines.push([...columns.map((k) => csvField(props[k])), csvField(c?.[0]), csvField(c?.[1])].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Saves a blob under a file name (an anchor with `download`). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const LEGEND_WIDTH = 280;

/** The height the legend needs when drawn by {@link drawLegend}. */
function legendHeight(blocks: readonly LegendBlock[]): number {
  let h = 16;
  for (const b of blocks) {
    h += 22;
    h += (b.items?.length ?? 0) * 20;
    if (b.ramp) h += 36;
    if (b.note) h += 18;
    h += 10;
  }
  return h;
}

/** Draws the legend on a 2D canvas at (x, y), as the HTML legend shows it. */
export function drawLegend(g: CanvasRenderingContext2D, blocks: readonly LegendBlock[], x: number, y: number): void {
  g.save();
  g.fillStyle = 'rgba(255,255,255,0.95)';
  g.strokeStyle = '#8a9aa9';
  g.fillRect(x, y, LEGEND_WIDTH, legendHeight(blocks));
  g.strokeRect(x + 0.5, y + 0.5, LEGEND_WIDTH - 1, legendHeight(blocks) - 1);
  let cy = y + 12;
  for (const b of blocks) {
    g.fillStyle = '#111c26';
    g.font = 'bold 13px system-ui, sans-serif';
    g.textBaseline = 'top';
    g.fillText(b.title, x + 10, cy, LEGEND_WIDTH - 20);
    cy += 22;
    for (const it of b.items ?? []) {
      g.fillStyle = it.color;
      g.fillRect(x + 10, cy, 16, 14);
      g.strokeStyle = '#475569';
      g.strokeRect(x + 10.5, cy + 0.5, 15, 13);
      g.fillStyle = '#111c26';
      g.font = '12px system-ui, sans-serif';
      g.fillText(it.count === undefined ? it.label : `${it.label} (${it.count})`, x + 34, cy + 1, LEGEND_WIDTH - 44);
      cy += 20;
    }
    if (b.ramp) {
      const grad = g.createLinearGradient(x + 10, 0, x + LEGEND_WIDTH - 10, 0);
      b.ramp.colors.forEach((c, i) => grad.addColorStop(i / Math.max(1, b.ramp!.colors.length - 1), c));
      g.fillStyle = grad;
      g.fillRect(x + 10, cy, LEGEND_WIDTH - 20, 14);
      g.fillStyle = '#111c26';
      g.font = '12px system-ui, sans-serif';
      g.fillText(b.ramp.min, x + 10, cy + 18);
      const w = g.measureText(b.ramp.max).width;
      g.fillText(b.ramp.max, x + LEGEND_WIDTH - 10 - w, cy + 18);
      cy += 36;
    }
    if (b.note) {
      g.fillStyle = '#3c4b59';
      g.font = 'italic 11px system-ui, sans-serif';
      g.fillText(b.note, x + 10, cy, LEGEND_WIDTH - 20);
      cy += 18;
    }
    cy += 10;
  }
  g.restore();
}

/**
 * The view as one picture: the map's canvas (kept with `preserveDrawingBuffer`) on white, a title
 * line on top, and the legend in the lower-left corner.
 */
export function composeMapPng(mapCanvas: HTMLCanvasElement, title: string, blocks: readonly LegendBlock[]): HTMLCanvasElement {
  const head = 34;
  const out = document.createElement('canvas');
  out.width = mapCanvas.width;
  out.height = mapCanvas.height + head;
  const g = out.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(mapCanvas, 0, head);
  g.fillStyle = '#111c26';
  g.font = 'bold 15px system-ui, sans-serif';
  g.textBaseline = 'middle';
  g.fillText(title, 12, head / 2, out.width - 24);
  if (blocks.length) drawLegend(g, blocks, 12, Math.max(head + 8, out.height - legendHeight(blocks) - 12));
  return out;
}

/** A canvas as a PNG download. */
export function downloadCanvasPng(canvas: HTMLCanvasElement, fileName: string): void {
  canvas.toBlob((blob) => blob && downloadBlob(blob, fileName), 'image/png');
}
