import { describe, expect, it } from 'vitest';
import { checkPassword, hashPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('hashes with scrypt, salted, and verifies', async () => {
    const a = await hashPassword('correcto caballo batería grapa');
    const b = await hashPassword('correcto caballo batería grapa');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correcto caballo batería grapa', a)).toBe(true);
    expect(await verifyPassword('correcto caballo bateria grapa', a)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$garbage')).toBe(false);
  });

  it.each([
    ['short-pass1', null, 'too_short'],
    ['qwertyuiop123', null, 'common'],
    ['iloveyou2026!', null, 'common'],
    ['Contraseña123456', null, 'common'],
    ['1234567890123', null, 'common'],
    ['zzzzzzzzzzzzzzzz', null, 'repetitive'],
    ['mi-nombre-es-jperez!', 'jperez', 'contains_username'],
    ['tres perros cruzan el río', null, null],
  ])('%s → %s', (password, username, expected) => {
    expect(checkPassword(password, username ?? '')).toBe(expected);
  });
});
