import type { Actor } from '../identity/access-policy.js';
import type { Role } from '../identity/roles.js';

/**
 * Record-level rules of the IPH, the detention register and the chain of custody,
 * after the action check of the access policy (`iph.*`, `detention.*`, `evidence.*`).
 * A record outside these rules answers "not found", exactly like a missing one (AP-2).
 *
 * - RA-1 Owner agency. Field officers and commanders read the IPHs, detentions and
 *   evidence of their agency and of the agencies below it (their supervisors above see
 *   them too); analysts, call-takers, camera operators and the rest never do.
 * - RA-2 Receiving authority. A prosecutor liaison reads the IPHs handed to their
 *   prosecutor's office once signed, and the detentions handed to it; any reader of
 *   evidence reads the items their agency has held in custody.
 * - RA-3 Authors. A draft is changed only by its authors (the officer who started it and
 *   the crews of the incident's units from the same agency); only its first responder
 *   signs it; amendments are signed by one of its authors.
 * - RA-4 Jurisdiction. An IPH about a 911 incident is written by an agency of the
 *   incident's state (a federal agency anywhere), by officers who may see the incident
 *   (dispatch's DA-1, DA-2).
 * - RA-5 Immutable once signed. A signed IPH changes only through signed amendments; a
 *   detention handed to the prosecutor no longer changes; custody transfers are appended,
 *   never edited.
 * - RA-6 Custody. Only the agency holding an item hands it over, from the chain's current
 *   head (a stale or forged previous hash is refused and changes nothing).
 * - RA-7 Audit. Every read of an IPH or a detention (detainees, victims, witnesses) and
 *   every photo download is written to the audit log, as are denials and writes.
 * - RA-8 Integrity checks. Auditors verify the hash chains (IPH amendments, custody) of
 *   their agency subtree's records; the answer holds no people's data.
 */

const OWN_AGENCY_READERS: readonly Role[] = ['field_officer', 'commander'];

const has = (actor: Actor, roles: readonly Role[]) => roles.some((r) => actor.roles.includes(r));

/** RA-1: agencies whose own records the actor reads. */
export function ownedAgencies(actor: Actor): string[] {
  return has(actor, OWN_AGENCY_READERS) ? [...actor.subtree] : [];
}

/** RA-2: prosecutor's offices whose received records the actor reads. */
export function receivingOffices(actor: Actor): string[] {
  return actor.roles.includes('prosecutor_liaison') ? [...actor.subtree] : [];
}

export function canReadOwned(actor: Actor, ownerAgencyId: string): boolean {
  return has(actor, OWN_AGENCY_READERS) && actor.subtree.has(ownerAgencyId);
}

export function canReadIph(actor: Actor, iph: { agencyId: string; status: string; prosecutorAgencyId: string | null }): boolean {
  if (canReadOwned(actor, iph.agencyId)) return true;
  return (
    iph.status === 'signed' &&
    !!iph.prosecutorAgencyId &&
    actor.roles.includes('prosecutor_liaison') &&
    actor.subtree.has(iph.prosecutorAgencyId)
  );
}

export function canReadDetention(actor: Actor, d: { agencyId: string; prosecutorAgencyId: string | null }): boolean {
  if (canReadOwned(actor, d.agencyId)) return true;
  return !!d.prosecutorAgencyId && actor.roles.includes('prosecutor_liaison') && actor.subtree.has(d.prosecutorAgencyId);
}

/** RA-2 for evidence: every agency that held the item (the registering one included) reads it. */
export function canReadEvidence(actor: Actor, heldBy: readonly string[]): boolean {
  const readers: readonly Role[] = ['field_officer', 'commander', 'prosecutor_liaison'];
  return has(actor, readers) && heldBy.some((a) => actor.subtree.has(a));
}

/**
 * RA-8: integrity checks. Auditors verify the hash chains of their agency subtree's records
 * (the answer holds hashes and link numbers, no people's data); readers verify what they read.
 */
export const canVerifyOwned = (actor: Actor, agencyIds: readonly string[]) =>
  actor.roles.includes('auditor') && agencyIds.some((a) => actor.subtree.has(a));

/** RA-3: a draft's authors. */
export const isAuthor = (actor: Actor, authors: readonly string[]) =>
  actor.roles.includes('field_officer') && authors.includes(actor.userId);

/** RA-1 for writes: field officers of the record's agency (or above it). */
export const canWriteOwned = (actor: Actor, ownerAgencyId: string) =>
  actor.roles.includes('field_officer') && actor.subtree.has(ownerAgencyId);
