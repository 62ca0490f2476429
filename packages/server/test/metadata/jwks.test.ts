// The JWKS endpoint (RFC 7517 §5; RFC 8414 `jwks_uri`): public keys only, each with kid, alg
// and use, so resource servers verify RFC 9068 access tokens with nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.close());

async function jwks(): Promise<{ response: Response; keys: Record<string, unknown>[] }> {
  const response = await fetch(`${server.url}/jwks`, { headers: { origin: 'https://rs.example' } });
  return { response, keys: ((await response.json()) as { keys: Record<string, unknown>[] }).keys };
}

describe('JWKS (RFC 7517 §5)', () => {
  it('answers 200 JSON with at least one key, CORS allowed', async () => {
    const { response, keys } = await jwks();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(keys.length).toBeGreaterThan(0);
  });

  it('publishes only public members: no d, p, q, dp, dq, qi or k', async () => {
    const { keys } = await jwks();
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key, member).not.toHaveProperty(member);
    }
  });

  it('every key has a kid, alg and use=sig; the ES256 key is a P-256 EC key', async () => {
    const { keys } = await jwks();
    const kids = keys.map((k) => k.kid);
    expect(new Set(kids).size).toBe(keys.length);
    for (const key of keys) {
      expect(typeof key.kid).toBe('string');
      expect(key.use).toBe('sig');
      expect(['ES256', 'RS256']).toContain(key.alg);
    }
    expect(keys.find((k) => k.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('is the same document at jwks_uri from the metadata, and stable across requests', async () => {
    const meta = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
    const viaMetadata = (await (await fetch(meta.jwks_uri)).json()) as unknown;
    expect(viaMetadata).toEqual({ keys: (await jwks()).keys });
  });
});
