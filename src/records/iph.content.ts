import type { IphContent } from './iph.schemas.js';
import type { IphEditablePart } from './iph.types.js';

/**
 * Pure functions over an IPH's content, shared by the server and the web client
 * (type-only imports: nothing here pulls zod into the bundle).
 */

export function emptyContent(): IphContent {
  return {
    handover: {},
    responder: {},
    knowledge: {},
    place: {},
    narrative: {},
    annexA: { detentions: [] },
    annexB: {},
    annexC: { vehicles: [] },
    annexD: { weapons: [], objects: [] },
    annexE: { interviews: [] },
    annexF: {},
    annexG: {},
  };
}

/** Keys that would reach an object's prototype: refused in any path. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

export function splitPath(path: string): string[] | null {
  const parts = path.split('.');
  return parts.every((p) => p.length > 0 && !FORBIDDEN_KEYS.has(p)) ? parts : null;
}

/** The value at `path` (dot-separated keys and array indices), or undefined. */
export function getPath(root: unknown, path: string): unknown {
  const parts = splitPath(path);
  if (!parts) return undefined;
  let cur: unknown = root;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) return undefined;
      cur = cur[Number(p)];
    } else if (cur && typeof cur === 'object') {
      cur = Object.prototype.hasOwnProperty.call(cur, p) ? (cur as Record<string, unknown>)[p] : undefined;
    } else return undefined;
  }
  return cur;
}

/**
 * A copy of `root` with `value` at `path`. The parent must exist: an object gets the key,
 * an array the index (at most one past its end, which appends). Returns null when the
 * path cannot be set.
 */
export function setPath<T>(root: T, path: string, value: unknown): T | null {
  const parts = splitPath(path);
  if (!parts) return null;
  const copy = structuredClone(root) as unknown;
  let cur: unknown = copy;
  for (const [i, p] of parts.entries()) {
    const last = i === parts.length - 1;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) return null;
      const idx = Number(p);
      if (idx > cur.length || (!last && idx === cur.length)) return null;
      if (last) cur[idx] = value;
      else cur = cur[idx];
    } else if (cur && typeof cur === 'object') {
      const obj = cur as Record<string, unknown>;
      if (last) obj[p] = value;
      else {
        if (obj[p] === undefined || obj[p] === null) obj[p] = {};
        cur = obj[p];
      }
    } else return null;
  }
  return copy as T;
}

export type AmendmentLike = { section: IphEditablePart; field: string; newValue: unknown; seq: number };

/** The content as it reads now: the signed original with every amendment applied in order. */
export function applyAmendments(content: IphContent, amendments: readonly AmendmentLike[]): IphContent {
  let out = content;
  for (const a of [...amendments].sort((x, y) => x.seq - y.seq)) {
    const next = setPath(out, `${a.section}.${a.field}`, a.newValue);
    if (next) out = next;
  }
  return out;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** What a signature needs, as codes (labels: server `records.required.*`, client `iph.required.*`) and the field at fault. */
export type MissingItem = {
  code: 'crimeCode' | 'responderName' | 'institution' | 'knowledgeHow' | 'knownAt' | 'place' | 'narrative' | 'handover';
  field: string;
};

/**
 * The least an IPH must say before its first responder signs it: the classification,
 * who responded, how and when the facts became known, where, the narrative, and, when
 * people were detained, to which authority they were handed.
 */
export function missingForSignature(content: IphContent, crimeCode: string | null, detentions: number): MissingItem[] {
  const out: MissingItem[] = [];
  if (blank(crimeCode)) out.push({ code: 'crimeCode', field: 'crimeCode' });
  if (blank(content.responder.fullName)) out.push({ code: 'responderName', field: 'responder.fullName' });
  if (blank(content.responder.institution)) out.push({ code: 'institution', field: 'responder.institution' });
  if (blank(content.knowledge.how)) out.push({ code: 'knowledgeHow', field: 'knowledge.how' });
  if (blank(content.knowledge.knownAt)) out.push({ code: 'knownAt', field: 'knowledge.knownAt' });
  if (blank(content.place.municipalityCode) || blank(content.place.stateCode)) out.push({ code: 'place', field: 'place.municipalityCode' });
  if (blank(content.narrative.text)) out.push({ code: 'narrative', field: 'narrative.text' });
  if (detentions > 0 && (blank(content.handover.at) || (blank(content.handover.authority) && blank(content.handover.prosecutorAgencyId))))
    out.push({ code: 'handover', field: 'handover.at' });
  return out;
}
