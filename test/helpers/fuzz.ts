import type { Response, Test } from 'supertest';
import { snapshotTables, type TableSnapshot } from './db-snapshot.js';
import type { TestApp } from './test-app.js';

// Fixed, so a failure reproduces; FUZZ_SEED explores other inputs. fast-check prints the seed
// and the shrunk counterexample when a property fails.
export const SEED = Number(process.env.FUZZ_SEED ?? 20260501);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
export const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * RUNS)) });

export interface Checker {
  /** Sends, then checks the invariants: no 5xx, the error shape, nothing written on a refusal. */
  check: (label: string, request: () => Test) => Promise<Response>;
  /** Takes the current tables as the state later refusals must leave unchanged. */
  rebase: () => Promise<void>;
}

export async function createChecker(t: TestApp): Promise<Checker> {
  let before: TableSnapshot = await snapshotTables(t.dataSource);
  return {
    rebase: async () => {
      before = await snapshotTables(t.dataSource);
    },
    check: async (label, request) => {
      const res = await request();
      const body = res.body as { statusCode?: unknown; code?: unknown; message?: unknown };
      const where = `${label} -> ${res.status} ${String(res.text ?? '').slice(0, 300)}`;
      if (res.status >= 500) throw new Error(`server error: ${where}`);
      // A HEAD answer carries no body by HTTP: only its status can be checked.
      const head = (res as unknown as { req: { method: string } }).req.method === 'HEAD';
      if (res.status >= 400) {
        if (
          !head &&
          (!/application\/json/.test(String(res.headers['content-type'])) ||
            body.statusCode !== res.status ||
            typeof body.code !== 'string' ||
            !/^[A-Z][A-Z_]+$/.test(body.code) ||
            typeof body.message !== 'string')
        ) {
          throw new Error(`error without the { statusCode, code, message } shape: ${where}`);
        }
        const after = await snapshotTables(t.dataSource);
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          const changed = Object.keys(after).filter(
            (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
          );
          throw new Error(`a refused request changed ${changed.join(', ')}: ${where}`);
        }
      } else {
        // An accepted request may write; later refusals are compared with the new state.
        before = await snapshotTables(t.dataSource);
      }
      return res;
    },
  };
}
