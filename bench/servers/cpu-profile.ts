// Loaded with `node --import` into the app when BENCH_PROFILE is set: records a V8 CPU profile
// and writes it on SIGTERM (`--cpu-prof` writes nothing when Nest's shutdown hook re-raises the
// signal). Read it with `node dist/bench/profile-top.js <file>`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');

process.once('SIGTERM', () => {
  void session.post('Profiler.stop').then(({ profile }) => {
    const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `app-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`CPU profile written to ${file}\n`);
    process.exit(0);
  });
});
