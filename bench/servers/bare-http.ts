// Baseline: the fastest a Node process can answer these bytes, with no framework at all.
import { createServer } from 'node:http';

const body = Buffer.from(process.env.BENCH_BODY_BASE64 ?? '', 'base64');
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/octet-stream';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
