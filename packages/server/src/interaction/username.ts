// Usernames are compared after Unicode normalization and case folding (SECURITY-CATALOG D-11,
// after RFC 8265's UsernameCaseMapped profile), so `ALICE` and full-width `ａｌｉｃｅ` can never be
// a second account aliasing `alice`.

const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;

/** The lookup key of a username, or null when it is not an acceptable username. */
export function usernameKey(username: string): string | null {
  const key = username.normalize('NFKC').toLowerCase().normalize('NFKC');
  return USERNAME.test(key) ? key : null;
}

export const USERNAME_RULE = '1 to 64 letters, digits, or . _ @ + -';
