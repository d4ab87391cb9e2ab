// Baseline: a bare node:http server that writes each request body to a file as it arrives
// (`req.pipe(fs.createWriteStream(...))`): HTTP on loopback plus the disk, with no parsing.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'creator-files-bench-sink-'));
let n = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST') return res.end('ok');
  const file = join(dir, String((n += 1)));
  req.pipe(createWriteStream(file)).on('finish', () => {
    res.writeHead(201, { 'Content-Type': 'application/json' }).end('{}');
    rmSync(file, { force: true });
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true });
  server.close(() => process.exit(0));
});
