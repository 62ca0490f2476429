// The Calendar API on 127.0.0.1 and a free port, trusting a real authorization server.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiOptions } from '../src/app.js';
import { AUDIENCE, type Issuer } from '../../../packages/resource/test/support/issuer.js';

export interface RunningApi {
  url: string;
  app: FastifyInstance;
  dataDir: string;
  close(): Promise<void>;
}

export async function startApi(issuer: Issuer, options: Partial<ApiOptions> = {}): Promise<RunningApi> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'calendar-api-test-'));
  const app = await buildApi({ issuer: issuer.url, audience: AUDIENCE, dataDir, ...options });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    dataDir,
    close: async () => {
      await app.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Call {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** One request to the API; `token` goes in the Authorization header. */
export async function call(api: RunningApi, method: string, path: string, options: { token?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export function subOf(token: string): string {
  return String((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: unknown }).sub);
}

export const EVENT = { title: 'Lunch with the Duchess', start: '2026-05-04T12:00:00Z', end: '2026-05-04T13:00:00+00:00' };
