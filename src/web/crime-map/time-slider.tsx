import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** How long each month stays on screen while playing. */
export const PLAY_STEP_MS = 1500;

type Props = {
  months: string[];
  /** '' = the whole period. */
  month: string;
  playing: boolean;
  onMonth: (month: string) => void;
  onPlaying: (playing: boolean) => void;
};

/** The time slider: the whole period or one month of it; "play" steps a month at a time. */
export function TimeSlider({ months, month, playing, onMonth, onPlaying }: Props) {
  const { t, i18n } = useTranslation();
  const index = month ? months.indexOf(month) + 1 : 0;
  const cb = useRef({ months, month, onMonth, onPlaying });
  cb.current = { months, month, onMonth, onPlaying };
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => {
      const { months: ms, month: m, onMonth: set, onPlaying: setPlaying } = cb.current;
      const i = m ? ms.indexOf(m) : -1;
      if (i + 1 >= ms.length) {
        setPlaying(false);
        return;
      }
      set(ms[i + 1]);
    }, PLAY_STEP_MS);
    return () => clearInterval(id);
  }, [playing]);
  const label = (m: string) => {
    const [y, mo] = m.split('-').map(Number);
    const text = new Date(Date.UTC(y, mo - 1, 15)).toLocaleDateString(i18n.language === 'en' ? 'en-US' : 'es-MX', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
  if (months.length < 2) return null;
  const text = month ? label(month) : t('crimeMap.time.whole');
  return (
    <div className="cm-time" data-testid="cm-time">
      <button
        type="button"
        className="btn btn--small"
        aria-pressed={playing}
        onClick={() => {
          if (!playing && (!month || month === months[months.length - 1])) onMonth(months[0]);
          onPlaying(!playing);
        }}
        data-testid="cm-play"
      >
        {playing ? t('crimeMap.time.pause') : t('crimeMap.time.play')}
      </button>
      <input
        type="range"
        min={0}
        max={months.length}
        step={1}
        value={index}
        onChange={(e) => {
          onPlaying(false);
          const i = Number(e.target.value);
          onMonth(i === 0 ? '' : months[i - 1]);
        }}
        aria-label={t('crimeMap.time.label')}
        aria-valuetext={text}
        data-testid="cm-time-slider"
      />
      <span className="cm-time-label" data-testid="cm-time-label" aria-live="polite">
        {text}
      </span>
    </div>
  );
}
