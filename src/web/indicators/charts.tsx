import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type LineSeries = { label: string; values: (number | null)[]; color: string; dash?: boolean };

/** Saves a canvas as PNG on a white background (charts draw on transparent canvases). */
export function downloadCanvas(canvas: HTMLCanvasElement, fileName: string): void {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const g = out.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(canvas, 0, 0);
  const a = document.createElement('a');
  a.href = out.toDataURL('image/png');
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** The chart's drawing (uPlot's canvas) inside a chart box. */
export const chartCanvas = (box: HTMLElement | null) => box?.querySelector('canvas') ?? null;

/**
 * A line chart over months or years (uPlot: canvas, small, fast with long series). `x` holds
 * labels "2015-01" or "2015"; they become dates on a time axis.
 */
export function LineChart({
  x,
  series,
  yLabel,
  testId,
  height = 260,
}: {
  x: string[];
  series: LineSeries[];
  yLabel: string;
  testId: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !x.length) return;
    // Years are plain numbers on the axis (one tick per year); months are dates on a time axis.
    const yearly = x.every((d) => d.length === 4);
    const xs = yearly ? x.map(Number) : x.map((d) => Date.parse(`${d}-15T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height,
        scales: { x: yearly ? { time: false, range: [xs[0] - 0.3, xs[xs.length - 1] + 0.3] } : { time: true } },
        axes: [
          yearly ? { stroke: '#334155', splits: () => xs, values: (_u, splits) => splits.map((v) => String(v)) } : { stroke: '#334155' },
          { label: yLabel, stroke: '#334155', size: 70 },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            dash: s.dash ? [6, 4] : undefined,
            spanGaps: false,
            points: { show: x.length < 40 },
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    el.dataset.drawn = String(series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
    const resize = () => plot.setSize({ width: el.clientWidth || 800, height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
      delete el.dataset.drawn;
    };
  }, [x, series, yLabel, height]);
  return <div ref={box} className="ind-chart" data-testid={testId} />;
}

/** Vertical bars with a category per bar (uPlot with an index axis labelled by name). */
export function BarChart({
  labels,
  values,
  color,
  yLabel,
  testId,
}: {
  labels: string[];
  values: (number | null)[];
  color: string;
  yLabel: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !labels.length) return;
    const xs = labels.map((_, i) => i);
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 60] }) : undefined;
    const height = 300;
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.6, labels.length - 0.4] }, y: { range: (_u, _min, max) => [0, max * 1.08 || 1] } },
        axes: [
          {
            stroke: '#334155',
            splits: () => xs,
            values: (_u, splits) => splits.map((i) => labels[i] ?? ''),
            rotate: -50,
            size: 110,
            gap: 4,
            font: '11px system-ui',
          },
          { label: yLabel, stroke: '#334155', size: 60 },
        ],
        series: [{}, { label: yLabel, stroke: color, fill: `${color}cc`, paths: bars, points: { show: false } }],
      },
      [xs, values] as uPlot.AlignedData,
      el,
    );
    el.dataset.drawn = String(values.filter((v) => v !== null).length);
    const resize = () => plot.setSize({ width: el.clientWidth || 800, height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
      delete el.dataset.drawn;
    };
  }, [labels, values, color, yLabel]);
  return <div ref={box} className="ind-chart" data-testid={testId} />;
}
