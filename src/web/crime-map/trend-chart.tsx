import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A small line chart of counts over time (uPlot): `starts` are bucket start dates (YYYY-MM-DD).
 * `data-drawn` holds the number of points drawn, for tests.
 */
export function TrendChart({
  starts,
  counts,
  label,
  testId,
  height = 150,
}: {
  starts: string[];
  counts: number[];
  label: string;
  testId: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  // The data by value: callers may pass new arrays of the same figures on every render.
  const key = JSON.stringify([starts, counts]);
  useEffect(() => {
    const el = box.current;
    const [starts, counts] = JSON.parse(key) as [string[], number[]];
    if (!el || !starts.length) return;
    const xs = starts.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: el.clientWidth || 300,
        height,
        legend: { show: false },
        cursor: { y: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { stroke: '#334155', size: 30, font: '11px system-ui' },
          { stroke: '#334155', size: 40, font: '11px system-ui' },
        ],
        series: [{}, { label, stroke: '#c2410c', width: 2, fill: 'rgba(194,65,12,0.12)', points: { show: starts.length <= 36 } }],
      },
      [xs, counts],
      el,
    );
    el.dataset.drawn = String(counts.length);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 300, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      delete el.dataset.drawn;
    };
  }, [key, label, height]);
  return <div ref={box} className="cm-chart" data-testid={testId} role="img" aria-label={label} />;
}
