import {
  assertClean,
  type BenchContext,
  type BenchResult,
  compare,
  comparePerCpu,
  envNumber,
  loadInTurns,
  signUp,
  startApp,
  withServer,
} from './lib.js';

/**
 * `POST /refresh` against `GET /me` for the same account, in turns. A refresh token works once,
 * so every refresh sends a token never sent before: the bench keeps a pool of live tokens,
 * minted through `POST /login` before the measured runs, takes one out for each request and
 * puts back the one each answer carries. A token used twice would end its session (401
 * REFRESH_TOKEN_REUSED), so a clean run also shows that no token was sent twice. No bcrypt is
 * involved in a refresh; the logins that mint the pool use cost 4 to be quick.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  return withServer(startApp(ctx, { BCRYPT_COST: '4' }), async (app) => {
    const account = await signUp(app.baseUrl, 'buyer');
    // A run that ends with requests in flight strands one token per connection: enough for the
    // warm-up and every turn, twice over.
    const size = ctx.connections * 2 * (envNumber('BENCH_ROUNDS', 3) + 1);
    ctx.log(`minting ${size} sessions through POST /login`);
    const pool: string[] = [];
    for (let i = 0; i < size; i += 1) {
      const res = await fetch(`${app.baseUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password: account.password }),
      });
      if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
      pool.push(((await res.json()) as { refresh_token: string }).refresh_token);
    }

    let starved = 0;
    ctx.log('POST /refresh (a fresh token each time) and GET /me, in turns');
    const results = await loadInTurns(ctx, {
      refresh: {
        url: `${app.baseUrl}/refresh`,
        method: 'POST',
        serverPid: app.pid,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const token = pool.pop();
              if (token === undefined) starved += 1;
              return {
                ...request,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ refresh_token: token ?? 'starved' }),
              };
            },
            onResponse: (status, body) => {
              if (status === 200)
                pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
            },
          },
        ],
      },
      me: {
        url: `${app.baseUrl}/me`,
        headers: { Authorization: `Bearer ${account.token}` },
        serverPid: app.pid,
      },
    });
    if (starved > 0) throw new Error(`the token pool ran dry ${starved} times`);
    assertClean(results);
    const { refresh, me } = results;
    ctx.log(`${pool.length} of ${size} tokens left in the pool (the rest were cut off in flight)`);
    return [
      compare('POST /refresh req/s', refresh.requestsPerSec, 'req/s', 'GET /me', me.requestsPerSec),
      ...comparePerCpu('POST /refresh per CPU-second', refresh, 'GET /me', me),
      compare('POST /refresh p50', refresh.p50, 'ms', 'GET /me', me.p50),
      compare('POST /refresh p99', refresh.p99, 'ms', 'GET /me', me.p99),
    ];
  });
}
