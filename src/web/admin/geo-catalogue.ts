import { useEffect, useState } from 'react';
import { getMunicipalities, getStates, type CodeName } from '../api.js';

/** The states and municipalities catalogue (INEGI), downloaded once per page load. */
let statesPromise: Promise<CodeName[]> | null = null;
const municipalities = new Map<string, Promise<CodeName[]>>();

function loadStates(): Promise<CodeName[]> {
  if (!statesPromise) {
    statesPromise = getStates().then((r) => r.states);
    statesPromise.catch(() => (statesPromise = null));
  }
  return statesPromise;
}

function loadMunicipalities(stateCode: string): Promise<CodeName[]> {
  let p = municipalities.get(stateCode);
  if (!p) {
    p = getMunicipalities(stateCode).then((r) => r.municipalities);
    municipalities.set(stateCode, p);
    p.catch(() => municipalities.delete(stateCode));
  }
  return p;
}

export function useStates(): CodeName[] {
  const [states, setStates] = useState<CodeName[]>([]);
  useEffect(() => {
    let live = true;
    loadStates()
      .then((s) => live && setStates(s))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return states;
}

export function useMunicipalities(stateCode: string | null): CodeName[] {
  const [list, setList] = useState<CodeName[]>([]);
  useEffect(() => {
    let live = true;
    setList([]);
    if (!stateCode) return;
    loadMunicipalities(stateCode)
      .then((m) => live && setList(m))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [stateCode]);
  return list;
}

/** Names of the municipalities with these codes (their state is the first two digits). */
export function useMunicipalityNames(codes: readonly string[]): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const key = [...new Set(codes)].sort().join(',');
  useEffect(() => {
    let live = true;
    const states = [...new Set(key ? key.split(',').map((c) => c.slice(0, 2)) : [])];
    void Promise.all(states.map((s) => loadMunicipalities(s).catch(() => [] as CodeName[]))).then((lists) => {
      if (!live) return;
      setNames(new Map(lists.flat().map((m) => [m.code, m.name])));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}
