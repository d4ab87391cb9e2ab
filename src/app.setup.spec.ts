import { describe, expect, it } from '@jest/globals';
import { contentSecurityPolicy } from './app.setup.js';
import { loadConfig } from './config/app-config.js';

const base = { JWT_SECRET: 'x'.repeat(32), DATA_DIR: '/nonexistent/creator-files-spec' };

describe(contentSecurityPolicy.name, () => {
  it('lets pages connect to their own origin only with local storage', () => {
    expect(contentSecurityPolicy(loadConfig(base))['connect-src']).toEqual(["'self'"]);
  });

  it('adds Supabase Storage, where the storefront sends resumable uploads, and nothing more', () => {
    const config = loadConfig({
      ...base,
      STORAGE_DRIVER: 'supabase',
      SUPABASE_URL: 'https://abcd.supabase.co/',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key',
    });
    expect(contentSecurityPolicy(config)['connect-src']).toEqual([
      "'self'",
      'https://abcd.supabase.co',
    ]);
    expect(contentSecurityPolicy(config)['script-src']).toEqual(["'self'"]);
  });
});
