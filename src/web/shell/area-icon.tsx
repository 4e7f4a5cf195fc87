import type { AreaId } from './areas.js';

/** Line icons (24×24, stroke) for the work areas; decorative. */
const PATHS: Record<AreaId, string> = {
  dispatch: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z',
  // sliders
  dispatchSettings: 'M4 6h10 M18 6h2 M16 4v4 M4 12h4 M12 12h8 M10 10v4 M4 18h12 M20 18h0 M18 16v4',
  metrics: 'M4 20V4 M4 20h16 M8 16v-5 M12 16V8 M16 16v-3 M20 16V6',
  // a trend line over a map pin
  indicators: 'M3 20h18 M4 16l5-5 4 3 7-8 M17 6h3v3',
  command: 'M4 20V10l8-6 8 6v10M9 20v-6h6v6M12 4v3',
  field: 'M12 3l7 3v5c0 5-3 8-7 10-4-2-7-5-7-10V6z M9 12l2 2 4-4',
  records: 'M7 3h8l4 4v14H7z M15 3v4h4 M10 11h6 M10 15h6 M4 7v14h11',
  video: 'M3 7h12v10H3z M15 10l6-3v10l-6-3',
  crimeRecords: 'M5 3h14v18H5z M8 7h8 M8 11h8 M8 15h5',
  crimeImport: 'M12 3v12 M7 10l5 5 5-5 M4 17v4h16v-4',
  crimeMap: 'M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2z M9 4v14 M15 6v14',
  fusion:
    'M12 12m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0 M12 3v3 M12 18v3 M3 12h3 M18 12h3 M5.6 5.6l2.1 2.1 M16.3 16.3l2.1 2.1 M5.6 18.4l2.1-2.1 M16.3 7.7l2.1-2.1',
  training: 'M2 9l10-5 10 5-10 5z M6 11v5c3 2 9 2 12 0v-5 M22 9v6',
  admin: 'M12 8m-4 0a4 4 0 1 0 8 0a4 4 0 1 0-8 0 M4 21a8 8 0 0 1 16 0',
  audit: 'M6 3h9l4 4v14H6z M14 3v5h5 M9 12h7 M9 16h7',
};

export function AreaIcon({ id }: { id: AreaId }) {
  return (
    <svg className="area-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path d={PATHS[id]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
