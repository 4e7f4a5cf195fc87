import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getCrimeCatalogue, getMunicipalities, type CatalogueNode } from '../api.js';

/** The SESNSP catalogue (200 nodes), loaded once per page load and shared by the records pages. */
let cached: Promise<CatalogueNode[]> | null = null;
export function loadCatalogue(): Promise<CatalogueNode[]> {
  cached ??= getCrimeCatalogue()
    .then((r) => r.nodes)
    .catch((err: unknown) => {
      cached = null;
      throw err;
    });
  return cached;
}

/** The catalogue and a function naming a code in the current language (the node's trail below its legal interest). */
export function useCatalogue() {
  const { i18n } = useTranslation();
  const [nodes, setNodes] = useState<CatalogueNode[]>([]);
  useEffect(() => {
    let live = true;
    loadCatalogue()
      .then((n) => live && setNodes(n))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const en = i18n.language === 'en';
  const byCode = new Map(nodes.map((n) => [n.code, n]));
  const nameOf = (code: string) => {
    const n = byCode.get(code);
    if (!n) return code;
    const trail = [...n.path.slice(1), n].map((p) => (en ? p.nameEn : p.name));
    return trail.join(' › ');
  };
  return { nodes, nameOf, label: (n: CatalogueNode) => (en ? n.nameEn : n.name) };
}

/** Municipality names by code, fetched per state as records of that state appear. */
const municipalities = new Map<string, Promise<Map<string, string>>>();
export function useMunicipalityNames(stateCodes: string[]) {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const key = [...new Set(stateCodes)].sort().join(',');
  useEffect(() => {
    let live = true;
    const codes = key ? key.split(',') : [];
    for (const s of codes) {
      if (!municipalities.has(s)) {
        municipalities.set(
          s,
          getMunicipalities(s).then((r) => new Map(r.municipalities.map((m) => [m.code, m.name]))),
        );
      }
    }
    Promise.all(codes.map((s) => municipalities.get(s)!))
      .then((maps) => live && setNames(new Map(maps.flatMap((m) => [...m]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}
