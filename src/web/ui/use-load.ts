import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';

export type Loaded<T> = { data: T | null; error: string | null; loading: boolean; reload: () => void; setData: (v: T) => void };

/** Loads data on mount (and when `key` changes); keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: string, fallbackError: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const fallbackRef = useRef(fallbackError);
  fallbackRef.current = fallbackError;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef
      .current()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!live) return;
        setError(err instanceof ApiError ? err.message : fallbackRef.current);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [key, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}
