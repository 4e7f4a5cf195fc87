import { describe, expect, it } from 'vitest';
import { loadGeoLayers } from './geo-data.js';
import { createLocator } from './locate.js';

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const layers = loadGeoLayers();
const locator = createLocator(layers);
const { locate } = locator;

describe('locate: known places', () => {
  it('Zócalo → Ciudad de México, Cuauhtémoc, colonia Centro, a quadrant', () => {
    const hit = locate(19.4326, -99.1332);
    expect(hit?.state).toMatchObject({ code: '09', name: 'Ciudad de México' });
    expect(hit?.municipality).toEqual({ code: '09015', name: 'Cuauhtémoc' });
    expect(hit?.alcaldia).toEqual({ code: '09015', name: 'Cuauhtémoc' });
    expect(hit?.colonia?.name).toMatch(/^Centro [IVX]+$/);
    expect(hit?.colonia?.id).toMatch(/^15-\d{3}$/);
    expect(hit?.quadrant?.id).toMatch(/^[A-Z]+-\d+\.\d+\.\d+$/);
    expect(hit?.quadrant?.sector).toBe('Corredor-Centro');
    expect(hit?.quadrant?.zona).toBe('Centro');
  });

  it('Guadalajara → Jalisco 14, Guadalajara 14039, nothing CDMX-specific', () => {
    const hit = locate(20.6767, -103.3475);
    expect(hit).toEqual({
      state: { code: '14', name: 'Jalisco', shortName: 'Jalisco' },
      municipality: { code: '14039', name: 'Guadalajara' },
    });
  });

  it('Monterrey → Nuevo León 19, Monterrey 19039', () => {
    const hit = locate(25.6866, -100.3161);
    expect(hit?.state.code).toBe('19');
    expect(hit?.municipality).toEqual({ code: '19039', name: 'Monterrey' });
  });

  it('Cancún → Quintana Roo 23, Benito Juárez 23005', () => {
    const hit = locate(21.1619, -86.8515);
    expect(hit?.state.code).toBe('23');
    expect(hit?.municipality).toEqual({ code: '23005', name: 'Benito Juárez' });
  });

  it('Coyoacán centre and Tlalpan are alcaldías of CDMX', () => {
    expect(locate(19.3499, -99.1623)?.municipality.code).toBe('09003');
    expect(locate(19.2916, -99.1693)?.municipality.code).toBe('09012');
  });

  it('Mérida, Tijuana, Oaxaca de Juárez', () => {
    expect(locate(20.9674, -89.5926)?.municipality.code).toBe('31050');
    expect(locate(32.5149, -117.0382)?.municipality.code).toBe('02004');
    expect(locate(17.0654, -96.7237)?.municipality.code).toBe('20067');
  });
});

describe('locate: outside Mexico', () => {
  it('returns null at sea', () => {
    expect(locate(23.5, -94)).toBeNull(); // Gulf of Mexico
    expect(locate(20, -106)).toBeNull(); // Pacific
    expect(locate(16.8, -99.92)).toBeNull(); // a few km off Acapulco
    expect(locate(19.2, -96.05)).toBeNull(); // off the port of Veracruz
  });

  it('returns null in neighbouring countries', () => {
    expect(locate(14.6349, -90.5069)).toBeNull(); // Guatemala City
    expect(locate(32.7157, -117.1611)).toBeNull(); // San Diego
    expect(locate(29.4241, -98.4936)).toBeNull(); // San Antonio, Texas
    expect(locate(17.2534, -88.7713)).toBeNull(); // Belmopan
  });

  it('returns null for NaN and infinities, and far away', () => {
    expect(locate(Number.NaN, -99.13)).toBeNull();
    expect(locate(19.43, Number.NaN)).toBeNull();
    expect(locate(Number.POSITIVE_INFINITY, -99)).toBeNull();
    expect(locate(0, 0)).toBeNull();
    expect(locate(90, 180)).toBeNull();
  });
});

describe('locate: Mexico City border rule', () => {
  const random = seededRandom(7);
  const { municipalities, alcaldias } = locator.indexes;
  const cdmxByNational: [number, number][] = []; // national says CDMX, INEGI says outside
  const cdmxByInegi: [number, number][] = []; // INEGI says CDMX, national says another state
  for (let i = 0; i < 200_000 && (cdmxByNational.length < 50 || cdmxByInegi.length < 50); i++) {
    const lon = -99.37 + random() * 0.44;
    const lat = 19.04 + random() * 0.56;
    const national = municipalities.find(lon, lat);
    const inegi = alcaldias.find(lon, lat);
    if (national < 0) continue;
    const nationalState = layers.municipalities.features[national].stateCode;
    if (nationalState === '09' && inegi < 0) cdmxByNational.push([lat, lon]);
    if (nationalState !== '09' && inegi >= 0) cdmxByInegi.push([lat, lon]);
  }

  it('the two layers do disagree (test precondition)', () => {
    expect(cdmxByNational.length).toBeGreaterThan(10);
    expect(cdmxByInegi.length).toBeGreaterThan(10);
  });

  it('inside an INEGI 2023 alcaldía the point is in CDMX, municipality = that alcaldía', () => {
    for (const [lat, lon] of cdmxByInegi) {
      const hit = locate(lat, lon);
      const alcaldia = layers.alcaldias.features[alcaldias.find(lon, lat)];
      expect(hit?.state.code).toBe('09');
      expect(hit?.municipality).toEqual({ code: alcaldia.code, name: alcaldia.name });
      expect(hit?.alcaldia).toEqual(hit?.municipality);
    }
  });

  it('outside every INEGI alcaldía the point is not in CDMX, even where the national layer says so', () => {
    for (const [lat, lon] of cdmxByNational) {
      const hit = locate(lat, lon);
      expect(hit).not.toBeNull();
      expect(['15', '17']).toContain(hit?.state.code);
      expect(hit?.municipality.code.slice(0, 2)).toBe(hit?.state.code);
      expect(hit?.alcaldia).toBeUndefined();
      expect(hit?.colonia).toBeUndefined();
    }
  });
});

describe('locate: index and brute force agree', () => {
  const bruteForce = createLocator(layers, { strategy: 'brute-force' });
  for (const [name, bbox] of [
    ['Mexico', [-118.5, 14.3, -86.6, 32.8]],
    ['Mexico City', [-99.37, 19.04, -98.93, 19.6]],
  ] as const) {
    it(`on 20k random points in ${name}'s bbox`, () => {
      const random = seededRandom(name.length);
      let mismatches = 0;
      let found = 0;
      for (let i = 0; i < 20_000; i++) {
        const lon = bbox[0] + random() * (bbox[2] - bbox[0]);
        const lat = bbox[1] + random() * (bbox[3] - bbox[1]);
        const a = locate(lat, lon);
        if (a) found++;
        if (JSON.stringify(a) !== JSON.stringify(bruteForce.locate(lat, lon))) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(found).toBeGreaterThan(4000);
    });
  }
});
