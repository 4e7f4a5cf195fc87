import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { dictionary } from '@zxcvbn-ts/language-common';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * scrypt is memory-hard (CJIS 5.6.2.1.1 asks for salted hashing resistant to
 * offline attack; memory hardness defeats GPU farms). N=2^15, r=8 uses 32 MiB and
 * about 100 ms per hash on this class of server; parameters are stored with each
 * hash so they can be raised later without invalidating old ones.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEYLEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return crypto.timingSafeEqual(key, expected);
}

/** A hash nobody's password matches, so that unknown users cost the same time as known ones. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(24).toString('base64'));
  return dummyHash;
}

const COMMON = new Set<string>(dictionary['passwords-common'] as string[]);
// Words a Mexican police user is likely to build a password from (NIST SP 800-63B
// §5.1.1.2: reject context-specific words).
const CONTEXT_WORDS = [
  'contrasena',
  'contraseña',
  'password',
  'policia',
  'seguridad',
  'mexico',
  'openc5',
  'emergencia',
  'cuadrante',
  'patrulla',
  'qwertyuiop',
  'asdfghjkl',
];

export const PASSWORD_MIN_LENGTH = 12;
export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'repetitive';

/**
 * Password rules from CJIS 5.6.2.1.1 / NIST SP 800-63B: at least 12 characters,
 * not a known common password (nor one with digits or symbols tacked on), not
 * the user name, not a run of one or two characters.
 */
export function checkPassword(password: string, username = ''): PasswordProblem | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (password.length > 256) return 'too_long';
  const lower = password.toLowerCase();
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (COMMON.has(lower) || COMMON.has(core) || CONTEXT_WORDS.includes(core)) return 'common';
  if (username.length >= 3 && lower.includes(username.toLowerCase())) return 'contains_username';
  if (new Set(lower).size <= 3) return 'repetitive';
  if (/^(0123456789|1234567890|9876543210)+/.test(lower) && /^\d+$/.test(lower)) return 'common';
  return null;
}
