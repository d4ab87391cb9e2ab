import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { type BenchContext, type BenchResult, compare, startApp, withServer } from './lib.js';

const SECRET = 'whsec_bench_webhooks';

/** Signs a payload as Stripe does: `t=<unix seconds>,v1=<HMAC-SHA256 of "t.payload">`. */
function sign(payload: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.${payload}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * A checkout.session.completed event for a checkout this app never created: verified, recorded
 * once in payment_events and looked up in the same transaction as a real one, then ignored.
 */
function completedEvent(): string {
  const id = randomBytes(12).toString('hex');
  return JSON.stringify({
    id: `evt_bench_${id}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `cs_bench_${id}`,
        object: 'checkout.session',
        status: 'complete',
        payment_status: 'paid',
        amount_total: 1500,
        currency: 'usd',
        client_reference_id: null,
        metadata: {},
        payment_intent: `pi_bench_${id}`,
      },
    },
  });
}

/**
 * Verified Stripe webhook events processed per second (each a distinct event, signed per
 * request), against the same route answering a bad signature (the work before the database);
 * then a burst of 200 concurrent deliveries of one event: how many rows it wrote and how many
 * answers were not 2xx.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const env = {
    PAYMENTS_DRIVER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: SECRET,
  };
  return withServer(startApp(ctx, env), async (app) => {
    const url = `${app.baseUrl}/webhooks/stripe`;
    const drive = (valid: boolean, duration: number) =>
      autocannon({
        url,
        connections: ctx.connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const body = completedEvent();
              return {
                ...request,
                headers: {
                  'content-type': 'application/json',
                  'stripe-signature': valid ? sign(body) : 't=1,v1=00',
                },
                body,
              };
            },
          },
        ],
      });

    ctx.log('warm-up');
    await drive(true, ctx.warmupSeconds);
    ctx.log('distinct verified events, as fast as they are answered');
    const events = await drive(true, ctx.seconds);
    ctx.log('the same route refusing a bad signature');
    const refused = await drive(false, ctx.seconds);
    if (events.errors + events.timeouts > 0 || events.non2xx > 0) {
      throw new Error(`webhooks: ${events.errors} errors, ${events.non2xx} non-2xx answers`);
    }

    ctx.log('burst: 200 concurrent deliveries of one event');
    const body = completedEvent();
    const signature = sign(body);
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body,
        });
        const answer = (await res.json()) as { outcome?: string };
        return { status: res.status, outcome: answer.outcome };
      }),
    );
    const written = answers.filter((a) => a.status === 200 && a.outcome !== 'duplicate').length;
    const non2xx = answers.filter((a) => a.status < 200 || a.status >= 300).length;

    return [
      compare(
        'verified events processed/s',
        events.requests.average,
        'events/s',
        'bad signature refused',
        refused.requests.average,
      ),
      { name: 'verified event p50', value: events.latency.p50, unit: 'ms' },
      { name: 'verified event p99', value: events.latency.p99, unit: 'ms' },
      { name: 'burst of 200 duplicates: rows written', value: written, unit: 'rows' },
      { name: 'burst of 200 duplicates: non-2xx answers', value: non2xx, unit: 'answers' },
    ];
  });
}
