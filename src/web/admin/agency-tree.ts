import type { Agency, Role } from '../api.js';

const LEVEL_RANK = { federal: 0, state: 1, municipal: 2 } as const;

/** Agencies in tree order (parents before children), each with its depth. */
export function treeOrder(agencies: readonly Agency[]): { agency: Agency; depth: number }[] {
  const ids = new Set(agencies.map((a) => a.id));
  const children = new Map<string | null, Agency[]>();
  for (const a of agencies) {
    const parent = a.parentId && ids.has(a.parentId) ? a.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(a);
    children.set(parent, list);
  }
  const sort = (list: Agency[]) =>
    list.sort(
      (x, y) =>
        LEVEL_RANK[x.level] - LEVEL_RANK[y.level] || (x.stateCode ?? '').localeCompare(y.stateCode ?? '') || x.code.localeCompare(y.code),
    );
  const out: { agency: Agency; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const a of sort(children.get(parent) ?? [])) {
      out.push({ agency: a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The agency and every agency below it. */
export function subtreeOf(agencies: readonly Agency[], rootId: string): Set<string> {
  const out = new Set<string>([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of agencies) {
      if (a.parentId && out.has(a.parentId) && !out.has(a.id)) {
        out.add(a.id);
        grew = true;
      }
    }
  }
  return out;
}

/** The agencies this administrator manages: all for a system administrator, else its own subtree. */
export function manageableAgencies(agencies: readonly Agency[], roles: readonly Role[], ownAgencyId: string): Agency[] {
  if (roles.includes('system_admin')) return [...agencies];
  const sub = subtreeOf(agencies, ownAgencyId);
  return agencies.filter((a) => sub.has(a.id));
}

/** Parents the server accepts for a new agency of this level and state. */
export function possibleParents(agencies: readonly Agency[], level: Agency['level'], stateCode: string | null): Agency[] {
  return agencies.filter(
    (p) =>
      !p.disabled &&
      LEVEL_RANK[p.level] <= LEVEL_RANK[level] &&
      (p.level === 'federal' || (stateCode !== null && p.stateCode === stateCode)),
  );
}
