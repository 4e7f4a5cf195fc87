import { query, request } from '../api.js';
// The wire shapes are the server's own (type-only imports: erased from the bundle).
import type { IphContent, IphSections, IphSummary, IphView, Amendment } from '../../records/iph.schemas.js';
import type { Detention, DetentionRecordInput } from '../../records/detention.schemas.js';
import type { EvidenceSummary, EvidenceView, NewEvidence, Photo, TransferInput } from '../../records/evidence.schemas.js';
import type { IphEditablePart } from '../../records/iph.types.js';

export type {
  IphContent,
  IphSections,
  IphSummary,
  IphView,
  Amendment,
  Detention,
  DetentionRecordInput,
  EvidenceSummary,
  EvidenceView,
  Photo,
};
export type { NewEvidence, TransferInput };
export type Verification = {
  intact: boolean;
  entries: number;
  headHash: string | null;
  broken: { seq: number; problem: 'modified' | 'deleted' | 'reordered' } | null;
  message: string;
};
export type EvidenceVerification = Verification & {
  photos: { id: string; sha256: string; ok: boolean; problem: 'missing' | 'modified' | null }[];
};

const enc = encodeURIComponent;

// ── IPH ─────────────────────────────────────────────────────────────────────
export const listIphs = (f: { mine?: boolean; incidentId?: string; status?: 'draft' | 'signed' } = {}) =>
  request<{ iphs: IphSummary[] }>(`/api/iph${query({ mine: f.mine ? 'true' : undefined, incidentId: f.incidentId, status: f.status })}`);
export const createIph = (body: { incidentId?: string; stateCode?: string }) => request<IphView>('/api/iph', { method: 'POST', body });
export const getIph = (id: string) => request<IphView>(`/api/iph/${enc(id)}`);
export const saveIph = (id: string, body: { expectedVersion?: number; crimeCode?: string | null; sections?: IphSections }) =>
  request<IphView>(`/api/iph/${enc(id)}`, { method: 'PATCH', body });
export const signIph = (id: string, password: string) =>
  request<IphView>(`/api/iph/${enc(id)}/sign`, { method: 'POST', body: { password } });
export const amendIph = (
  id: string,
  body: { section: IphEditablePart; field: string; newValue: unknown; reason: string; password: string },
) => request<IphView>(`/api/iph/${enc(id)}/amendments`, { method: 'POST', body });
export const verifyIph = (id: string) => request<Verification>(`/api/iph/${enc(id)}/verify`);

// ── detentions ──────────────────────────────────────────────────────────────
export const listDetentions = (f: { iphId?: string } = {}) => request<{ detentions: Detention[] }>(`/api/detentions${query(f)}`);
export const getDetention = (id: string) => request<Detention>(`/api/detentions/${enc(id)}`);
export const registerDetention = (body: { iphId?: string | null; incidentId?: string | null; record: DetentionRecordInput }) =>
  request<Detention>('/api/detentions', { method: 'POST', body });
export const updateDetention = (id: string, body: { expectedVersion?: number; record: DetentionRecordInput }) =>
  request<Detention>(`/api/detentions/${enc(id)}`, { method: 'PATCH', body });
export const handOverDetention = (
  id: string,
  body: { at: string; prosecutorAgencyId: string; authority?: string | null; receiverName: string; receiverPosition?: string | null },
) => request<Detention>(`/api/detentions/${enc(id)}/handover`, { method: 'POST', body });

// ── evidence ────────────────────────────────────────────────────────────────
export const listEvidence = (f: { iphId?: string } = {}) => request<{ items: EvidenceSummary[] }>(`/api/evidence${query(f)}`);
export const getEvidence = (id: string) => request<EvidenceView>(`/api/evidence/${enc(id)}`);
export const registerEvidence = (body: NewEvidence) => request<EvidenceView>('/api/evidence', { method: 'POST', body });
export const transferEvidence = (id: string, body: TransferInput) =>
  request<EvidenceView>(`/api/evidence/${enc(id)}/transfers`, { method: 'POST', body });
export const uploadEvidencePhoto = (id: string, file: Blob) =>
  request<Photo>(`/api/evidence/${enc(id)}/photos`, { method: 'POST', raw: file });
export const evidencePhotoUrl = (id: string, photoId: string) => `/api/evidence/${enc(id)}/photos/${enc(photoId)}`;
export const verifyEvidence = (id: string) => request<EvidenceVerification>(`/api/evidence/${enc(id)}/verify`);
