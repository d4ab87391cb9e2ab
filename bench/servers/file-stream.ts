// Baseline: the plainest way Node serves a file, `fs.createReadStream(file).pipe(res)`.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.env.BENCH_FILE ?? '';
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/octet-stream';

const server = createServer((req, res) => {
  // The harness waits for /ready before measuring.
  if (req.url === '/ready') return res.end('ok');
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': statSync(file).size });
  createReadStream(file).pipe(res);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
