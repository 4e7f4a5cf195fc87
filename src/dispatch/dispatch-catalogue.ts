import { defaultCatalogue, getType, relatedTypes, requiredCapabilities, searchCatalogue, type CatalogueEntry } from './catalogue.js';
import type { Capability, Priority } from './dispatch.types.js';

/** The slice of the national incident catalogue (CNIE) that dispatch rules need. */
export type CatalogueEntryView = {
  code: string;
  name: string;
  nameEn: string;
  typeName: string;
  subtypeName: string;
  priority: Priority;
  improper: boolean;
};

export type DispatchCatalogue = {
  get: (code: string) => CatalogueEntryView | undefined;
  /** Spanish name of a code, or the code itself when unknown. */
  name: (code: string) => string;
  search: (query: string, limit: number) => CatalogueEntryView[];
  /** Every type in force (replaced codes left out), by code. */
  list: () => CatalogueEntryView[];
  capabilities: (code: string) => Capability[];
  related: (a: string, b: string) => boolean;
};

/** The catalogue in force (v3 changes applied to the v2 table), behind the interface the services use. */
export function createDispatchCatalogue(): DispatchCatalogue {
  const cat = defaultCatalogue();
  const view = (e: CatalogueEntry): CatalogueEntryView => ({
    code: e.code,
    name: e.nameEs,
    nameEn: e.nameEn,
    typeName: e.typeName,
    subtypeName: e.subtypeName,
    priority: e.priority,
    improper: e.improper,
  });
  // Codes moved or replaced in v3 resolve to their replacement; the old code is not offered for new incidents.
  const get = (code: string) => {
    const e = getType(code, cat);
    return e ? view(e) : undefined;
  };
  return {
    get,
    name: (code) => get(code)?.name ?? code,
    search: (query, limit) => searchCatalogue(cat, query, limit).map((h) => view(h.entry)),
    list: () => cat.entries.filter((e) => !e.replacedBy).map(view),
    capabilities: (code) => {
      const e = getType(code, cat);
      return e ? requiredCapabilities(e) : [];
    },
    related: (a, b) => relatedTypes(a, b, cat),
  };
}
