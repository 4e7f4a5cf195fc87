/** The request bodies of the dispatch benchmark's load, shared by its phases and its child process. */
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
// Mostly MEDIA/BAJA types: no supervisor alert falls due (60 s for ALTA) while a phase runs.
const TYPES = ['30101', '30404', '30422', '31101', '30307'];

const jitter = () => Math.round((Math.random() - 0.5) * 0.02 * 1e6) / 1e6; // ±0.01° ≈ ±1.1 km
export const incidentBody = (n: number) => ({
  typeCode: TYPES[n % TYPES.length]!,
  location: { lat: ZOCALO.lat + jitter(), lon: ZOCALO.lon + jitter(), address: `Centro ${n}` },
  note: `Carga de prueba ${n}`,
});
export const callBody = (n: number) => ({
  ani: `+52 55 ${String(10_000_000 + n).slice(-8)}`,
  callerLocation: { lat: ZOCALO.lat + jitter(), lon: ZOCALO.lon + jitter(), uncertaintyM: 30 },
});
