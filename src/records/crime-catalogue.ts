/**
 * The SESNSP classification of crimes (new methodology, instrument CNSP/38/15, 2015 on):
 * bien jurídico afectado → tipo → subtipo → modalidad, 7 / 40 / 55 / 98 nodes, from
 * `data/sesnsp-catalogo.csv` (source and code scheme in `data/README.md`).
 *
 * Codes are the node's position in SESNSP's published order, dotted (`4.1.5.1` = El
 * patrimonio › Robo › Robo a transeúnte en vía pública › Con violencia), so a node's
 * descendants are exactly the codes that start with its code and a dot, and a code
 * never changes meaning once released.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogueLevel, CatalogueNode, Violence } from './crime.types.js';
import { splitCsvLine } from './csv-line.js';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'sesnsp-catalogo.csv');

const LEVEL_OF: Record<string, CatalogueLevel> = {
  bien_juridico: 'legal_interest',
  tipo: 'type',
  subtipo: 'subtype',
  modalidad: 'modality',
};

/** Lower case, no accents, single spaces: how names are compared and searched. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export type CrimeCatalogue = {
  get(code: string): CatalogueNode | undefined;
  /** Every node, in SESNSP order. */
  all(): CatalogueNode[];
  children(code: string | null): CatalogueNode[];
  /** The node's code and every code below it (for filtering records classified at any level). */
  subtreeCodes(code: string): string[];
  /**
   * The most specific code that means the same: a node whose only child repeats its name
   * (Extorsión › Extorsión › Extorsión) resolves to that child, so equal crimes are stored alike.
   */
  resolve(code: string): string | undefined;
  /** Whether the classification alone says violent or not (its own mark or an ancestor's). */
  violenceOf(code: string): Violence;
  /** Accent-insensitive search by code or words (Spanish or English), best first. */
  search(query: string, limit: number): CatalogueNode[];
  /** Finds a node by its exact Spanish name (accents and case ignored), optionally under a parent. */
  findByName(name: string, parentCode?: string): CatalogueNode | undefined;
};

function build(): CrimeCatalogue {
  const lines = fs.readFileSync(FILE, 'utf8').split('\n').filter(Boolean);
  const header = splitCsvLine(lines[0]);
  if (header.join(',') !== 'code,level,nombre,name_en,violence') throw new Error(`unexpected header in ${FILE}`);
  type Raw = { code: string; level: CatalogueLevel; name: string; nameEn: string; mark: Violence };
  const raw: Raw[] = lines.slice(1).map((line) => {
    const [code, level, name, nameEn, v] = splitCsvLine(line);
    const lv = LEVEL_OF[level];
    if (!lv || !/^\d+(\.\d+){0,3}$/.test(code)) throw new Error(`bad catalogue line: ${line}`);
    return { code, level: lv, name, nameEn, mark: v === 'V' ? 'violent' : v === 'N' ? 'non_violent' : null };
  });
  const byCode = new Map(raw.map((r) => [r.code, r]));
  const parentOf = (code: string) => (code.includes('.') ? code.slice(0, code.lastIndexOf('.')) : null);
  const kids = new Map<string | null, string[]>();
  for (const r of raw) {
    const p = parentOf(r.code);
    if (p !== null && !byCode.has(p)) throw new Error(`catalogue node ${r.code} has no parent`);
    kids.set(p, [...(kids.get(p) ?? []), r.code]);
  }
  const violence = (code: string | null): Violence => {
    for (let c = code; c !== null; c = parentOf(c)) {
      const mark = byCode.get(c)?.mark;
      if (mark) return mark;
    }
    return null;
  };
  const nodes = new Map<string, CatalogueNode>();
  for (const r of raw) {
    const path: CatalogueNode['path'] = [];
    for (let p = parentOf(r.code); p !== null; p = parentOf(p)) {
      const a = byCode.get(p)!;
      path.unshift({ code: a.code, name: a.name, nameEn: a.nameEn });
    }
    nodes.set(r.code, {
      code: r.code,
      level: r.level,
      name: r.name,
      nameEn: r.nameEn,
      parentCode: parentOf(r.code),
      path,
      violence: violence(r.code),
      childCount: kids.get(r.code)?.length ?? 0,
    });
  }
  const ordered = raw.map((r) => nodes.get(r.code)!);
  const folded = new Map(
    ordered.map((n) => [
      n.code,
      { es: foldText(n.name), en: foldText(n.nameEn), trail: foldText([...n.path.map((p) => p.name), n.name].join(' ')) },
    ]),
  );

  const resolve = (code: string): string | undefined => {
    const start = nodes.get(code);
    if (!start) return undefined;
    let node: CatalogueNode = start;
    for (;;) {
      const children: string[] = kids.get(node.code) ?? [];
      const only: CatalogueNode | undefined = children.length === 1 ? nodes.get(children[0]) : undefined;
      if (!only || foldText(only.name) !== foldText(node.name)) return node.code;
      node = only;
    }
  };

  return {
    get: (code) => nodes.get(code),
    all: () => ordered,
    children: (code) => (kids.get(code) ?? []).map((c) => nodes.get(c)!),
    subtreeCodes: (code) => ordered.filter((n) => n.code === code || n.code.startsWith(`${code}.`)).map((n) => n.code),
    resolve,
    violenceOf: (code) => nodes.get(code)?.violence ?? null,
    findByName: (name, parentCode) => {
      const f = foldText(name);
      return ordered.find((n) => folded.get(n.code)!.es === f && (parentCode === undefined || n.parentCode === parentCode));
    },
    search: (query, limit) => {
      const q = foldText(query);
      if (!q) return ordered.filter((n) => n.level === 'legal_interest').slice(0, limit);
      if (/^\d+(\.\d+)*$/.test(q)) return ordered.filter((n) => n.code === q || n.code.startsWith(`${q}.`)).slice(0, limit);
      const words = q.split(' ');
      const scored: { node: CatalogueNode; score: number }[] = [];
      for (const n of ordered) {
        const f = folded.get(n.code)!;
        // Every word must appear in the node's own name (either language) or its Spanish trail.
        if (!words.every((w) => f.es.includes(w) || f.en.includes(w) || f.trail.includes(w))) continue;
        const own = words.filter((w) => f.es.includes(w) || f.en.includes(w)).length;
        const exact = f.es === q || f.en === q ? 10 : 0;
        const prefix = f.es.startsWith(q) || f.en.startsWith(q) ? 3 : 0;
        // Prefer the broader node among equals: "robo" finds the type before its 14 subtypes.
        scored.push({ node: n, score: exact + prefix + own * 2 - n.path.length * 0.5 });
      }
      return scored
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((s) => s.node);
    },
  };
}

/**
 * The crime columns of the SESNSP extracts in `shared/data/mx-crime` (new methodology,
 * `sesnsp_nm_*`), as catalogue codes: how official counts line up with records (the
 * indicators module compares the two). Their README defines each column by Tipo / Subtipo /
 * Modalidad; `secuestro` sums the five kinds of kidnapping, which the catalogue holds as the
 * modalities of 2.1.1.
 */
export const SESNSP_EXTRACT_COLUMNS: Readonly<Record<string, string>> = {
  homicidio_doloso: '1.1.1',
  homicidio_doloso_arma_fuego: '1.1.1.1',
  homicidio_culposo: '1.1.2',
  feminicidio: '1.3',
  secuestro: '2.1',
  extorsion: '4.4',
};

let shared: CrimeCatalogue | undefined;

/** The process-wide catalogue (read from disk once). */
export function crimeCatalogue(): CrimeCatalogue {
  shared ??= build();
  return shared;
}
