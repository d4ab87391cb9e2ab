// A local SMTP server (the Nodemailer project's smtp-server) that accepts every message and
// keeps only counts: how many arrived, how many distinct Message-IDs, and when each arrived.
// SMTP on SMTP_PORT; GET /stats?nth=<n> on PORT answers those figures as JSON, with the time of
// the n-th arrival (1-based).
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';

const arrivals: number[] = [];
const ids = new Set<string>();

const smtp = new SMTPServer({
  authOptional: true,
  // Plain SMTP on loopback, as a relay on the same host would be.
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData: (stream, _session, callback) => {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 4096) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
      if (id !== undefined) ids.add(id);
      arrivals.push(Date.now());
      callback();
    });
  },
});
smtp.listen(Number(process.env.SMTP_PORT), '127.0.0.1');

const http = createServer((req, res) => {
  const nth = Number(new URL(req.url ?? '/', 'http://sink').searchParams.get('nth') ?? 0);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      received: arrivals.length,
      distinctIds: ids.size,
      lastAt: arrivals.at(-1) ?? null,
      nthAt: arrivals[nth - 1] ?? null,
    }),
  );
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => smtp.close(() => http.close(() => process.exit(0))));
