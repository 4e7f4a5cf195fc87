import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type Series = { label: string; values: (number | null)[]; color: string; axis?: 'left' | 'right'; kind?: 'bars' | 'line' };

/**
 * A time chart with uPlot (small, canvas-based, fast with long series): one x axis
 * of days, counts on the left axis and seconds on the right.
 */
export function MetricsChart({
  days,
  series,
  leftLabel,
  rightLabel,
  testId,
}: {
  days: string[];
  series: Series[];
  leftLabel: string;
  rightLabel: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height: 260,
        scales: { x: { time: true }, count: { auto: true }, seconds: { auto: true } },
        axes: [
          { stroke: '#334155' },
          { scale: 'count', label: leftLabel, stroke: '#334155' },
          { scale: 'seconds', label: rightLabel, side: 1, stroke: '#b45309', grid: { show: false } },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: s.kind === 'bars' ? `${s.color}55` : undefined,
            width: s.kind === 'bars' ? 1 : 2,
            scale: s.axis === 'right' ? 'seconds' : 'count',
            paths: s.kind === 'bars' ? bars : undefined,
            points: { show: s.kind !== 'bars' },
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth || 800, height: 260 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [days, series, leftLabel, rightLabel]);
  return <div ref={box} className="metrics-chart" data-testid={testId} />;
}
