import { rmSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { createTestApp } from './helpers/test-app.js';

describe('graceful stop', () => {
  it('finishes requests in flight, then refuses new connections and closes the database', async () => {
    // A slow request: registering hashes the password at cost 13 (hundreds of ms).
    const t = await createTestApp({ BCRYPT_COST: '13' });
    // Stop once the server has the request, not after a fixed delay: on a loaded machine 50 ms
    // was sometimes too early, and the connection, not yet accepted, was reset by the stop.
    const server = t.app.getHttpServer();
    const arrived = new Promise((resolve) => server.once('request', resolve));
    const inFlight = fetch(`${t.baseUrl}/register/buyer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'late@example.com', password: 'a slow password' }),
    });
    await arrived;
    // What SIGTERM and SIGINT trigger (app.enableShutdownHooks in main.ts).
    const closing = t.app.close();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    await closing;
    await expect(fetch(`${t.baseUrl}/health`)).rejects.toThrow();
    expect(t.dataSource.isInitialized).toBe(false);
    await t.database.drop();
    rmSync(t.dataDir, { recursive: true, force: true });
  });
});
