import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { EmlFileTransport } from './eml-file.transport.js';

const mail = (id: string) => ({
  id,
  to: 'buyer@example.com',
  subject: `Message ${id}`,
  text: 'Hello',
  html: '<p>Hello</p>',
});

describe('EmlFileTransport', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes each message as a whole .eml file, also after its directory was removed', async () => {
    root = mkdtempSync(join(tmpdir(), 'eml-transport-'));
    const dir = join(root, 'mail');
    const transport = new EmlFileTransport(dir, 'Shop <no-reply@example.com>');
    await transport.send(mail('00000000-0000-4000-8000-000000000001'));
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/-0{8}-0{4}-4000-8000-0{11}1\.eml$/)]);

    // Someone clears the mail folder while the app runs: the next message makes it again.
    rmSync(dir, { recursive: true });
    await transport.send(mail('00000000-0000-4000-8000-000000000002'));
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/2\.eml$/)]);
    expect(readFileSync(join(dir, files[0]), 'utf8')).toContain('Subject: Message');
  });
});
