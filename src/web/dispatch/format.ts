import { useSyncExternalStore } from 'react';
import type { Priority, UnitStatus } from '../api.js';

/** One shared one-second clock for every ticking age on the page. */
let now = Date.now();
const tickers = new Set<() => void>();
let timer: number | null = null;

function subscribeClock(fn: () => void): () => void {
  tickers.add(fn);
  if (timer === null) {
    timer = window.setInterval(() => {
      now = Date.now();
      tickers.forEach((t) => t());
    }, 1000);
  }
  return () => {
    tickers.delete(fn);
    if (!tickers.size && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(subscribeClock, () => now);
}

/** Elapsed time as m:ss, or h:mm:ss from an hour on. */
export function formatElapsed(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export const formatDistance = (m: number, locale: string) =>
  m < 1000
    ? `${Math.round(m)} m`
    : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(m / 1000)} km`;

export const etaMinutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

export function formatTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

export function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }).format(new Date(iso));
}

/** Map and badge colours: priority (red, orange, yellow) and unit status. */
export const PRIORITY_COLOR: Record<Priority, string> = { ALTA: '#c62828', MEDIA: '#e67e00', BAJA: '#c9a400' };
export const UNIT_STATUS_COLOR: Record<UnitStatus, string> = {
  available: '#1b7f3b',
  dispatched: '#0d5bd7',
  en_route: '#6a1b9a',
  on_scene: '#d84315',
  returning: '#00838f',
  out_of_service: '#6b7783',
};

/** A fresh Idempotency-Key. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
