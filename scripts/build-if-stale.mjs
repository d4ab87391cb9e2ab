// Runs `npm run build` only when something it compiles changed since the last build made here,
// so a second `npm start` (or `npm run seed`) with no change starts at once. Plain JavaScript:
// it runs before there is a dist/ to run.
//   node scripts/build-if-stale.mjs          build if stale, then record the build
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

// What `npm run build` reads. Directories count too: a deleted or renamed file changes its
// directory's mtime.
const INPUTS = [
  'src',
  'scripts',
  'migrations',
  'bench',
  'web',
  'client/src',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'ormconfig.ts',
];
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.vite']);
const STAMP = join('dist', '.build-stamp');
const ENTRY = join('dist', 'src', 'main.js');

/** @param {string} path the newest mtime under it, 0 when missing */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      if (!SKIP.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
    }
  }
  return latest;
}

function builtAt() {
  if (!existsSync(ENTRY)) return -1;
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

const inputs = Math.max(...INPUTS.map(newest));
if (inputs <= builtAt()) process.exit(0);

// The stamp takes the time the build started: a file saved during the build is newer than it.
const started = new Date();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync('dist', { recursive: true });
writeFileSync(STAMP, "the sources were built at this file's mtime (scripts/build-if-stale.mjs)\n");
utimesSync(STAMP, started, started);
