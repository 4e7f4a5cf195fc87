import { useTranslation } from 'react-i18next';
import './heat-grid.css';
import { heatColor, rgbaCss } from './colors.js';

/** The colour of a count in the hour × weekday grid: white at 0, the heat ramp (opaque) up to the maximum. */
export function gridCellColor(count: number, max: number): string {
  if (!(count > 0) || !(max > 0)) return '#ffffff';
  const [r, g, b] = heatColor(0.15 + 0.85 * (count / max));
  return rgbaCss([r, g, b, 255]);
}

/**
 * Crimes by hour of day (columns) and weekday (rows, Monday first) as a table of coloured cells:
 * readable by screen readers, printable without the map's WebGL.
 */
export function HeatGrid({ counts, testId, caption }: { counts: number[][]; testId: string; caption: string }) {
  const { t } = useTranslation();
  const max = Math.max(0, ...counts.flat());
  return (
    <div className="table-wrap">
      <table className="heat-grid" data-testid={testId} data-max={max}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('crimeMap.filters.weekdays')}</span>
            </th>
            {Array.from({ length: 24 }, (_, h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
            <th scope="col">{t('profile.totalShort')}</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((row, d) => (
            <tr key={d}>
              <th scope="row">{t(`crimeMap.weekdayShort.${d + 1}`)}</th>
              {row.map((n, h) => (
                <td
                  key={h}
                  style={{ background: gridCellColor(n, max), color: n > max * 0.6 ? '#fff' : undefined }}
                  title={t('profile.heatCell', { day: t(`crimeMap.weekday.${d + 1}`), hour: h, n })}
                >
                  {n || ''}
                </td>
              ))}
              <td className="heat-grid-total">{row.reduce((a, b) => a + b, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
