import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/payments/drivers/stripe.driver.js';

/**
 * A stand-in for the Stripe API on 127.0.0.1, for the routes the Stripe driver uses:
 * POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id,
 * POST /v1/checkout/sessions/:id/expire, and for Connect POST /v1/accounts,
 * GET /v1/accounts/:id, POST /v1/account_links, POST /v1/accounts/:id/login_links and
 * POST /v1/refunds. It records every request and, as Stripe does, replays the first answer for a
 * repeated Idempotency-Key, or answers 400 idempotency_error when the key comes back with other
 * parameters.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  /** The form body decoded into nested objects and arrays (values stay strings). */
  params: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
}

/** `ok`: answer normally; `error`: 500 with Stripe's error shape; `hang`: never answer. */
export type FakeStripeMode = 'ok' | 'error' | 'hang';

export interface FakeStripe {
  /** Base URL to give as STRIPE_API_BASE. */
  url: string;
  requests: RecordedRequest[];
  /** Checkout Sessions by id, as the fake stores them. */
  sessions: Map<string, Stripe.Checkout.Session>;
  setMode(mode: FakeStripeMode): void;
  /** Holds every answer this long, as a slow network would (0: answer at once). */
  setDelay(ms: number): void;
  /** Changes a stored session, e.g. `{ status: 'complete', payment_status: 'paid' }`. */
  updateSession(id: string, patch: Partial<Stripe.Checkout.Session>): Stripe.Checkout.Session;
  /** Marks a session complete and paid with a new PaymentIntent id, as after a card payment. */
  completeSession(
    id: string,
    paymentStatus?: Stripe.Checkout.Session.PaymentStatus,
  ): Stripe.Checkout.Session;
  /** Connected accounts by id. */
  accounts: Map<string, Stripe.Account>;
  /** Changes a connected account, e.g. after onboarding `{ details_submitted: true, ... }`. */
  updateAccount(id: string, patch: Partial<Stripe.Account>): Stripe.Account;
  /** The charge of a completed session's PaymentIntent, as refunds change it. */
  charges: Map<string, Stripe.Charge>;
  close(): Promise<void>;
}

export const randomStripeId = (prefix: string) =>
  `${prefix}_test_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Decodes `a[b][0][c]=1` form bodies into nested objects, as Stripe (and qs) read them. */
export function decodeStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[segment] = value;
        return;
      }
      container[segment] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
      node = container[segment] as Record<string, unknown>;
    });
  }
  return root;
}

function sessionFrom(params: Record<string, unknown>): Stripe.Checkout.Session {
  const id = randomStripeId('cs');
  const lineItems = (params.line_items ?? []) as {
    quantity?: string;
    price_data?: { unit_amount?: string; currency?: string };
  }[];
  const amount = lineItems.reduce(
    (sum, item) => sum + Number(item.price_data?.unit_amount ?? 0) * Number(item.quantity ?? 1),
    0,
  );
  const created = Math.floor(Date.now() / 1000);
  return buildCheckoutSession({
    id,
    amount_total: amount,
    amount_subtotal: amount,
    currency: lineItems[0]?.price_data?.currency ?? null,
    client_reference_id: (params.client_reference_id as string | undefined) ?? null,
    metadata: (params.metadata as Record<string, string> | undefined) ?? {},
    customer_email: (params.customer_email as string | undefined) ?? null,
    success_url: (params.success_url as string | undefined) ?? null,
    cancel_url: (params.cancel_url as string | undefined) ?? null,
    created,
    expires_at: params.expires_at === undefined ? created + 86400 : Number(params.expires_at),
    url: `https://checkout.stripe.com/c/pay/${id}`,
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomBytes(8).toString('hex')}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const stripeError = (type: string, message: string, code?: string) => ({
  error: { type, message, ...(code && { code }) },
});

/** A new Express account as Stripe creates it: nothing submitted, nothing enabled yet. */
export function buildAccount(overrides: Partial<Stripe.Account> = {}): Stripe.Account {
  const account = {
    id: randomStripeId('acct'),
    object: 'account',
    type: 'express',
    business_type: null,
    capabilities: { card_payments: 'inactive', transfers: 'inactive' },
    charges_enabled: false,
    country: 'US',
    created: Math.floor(Date.now() / 1000),
    default_currency: 'usd',
    details_submitted: false,
    email: null,
    metadata: {},
    payouts_enabled: false,
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: ['business_type', 'external_account', 'tos_acceptance.date'],
      disabled_reason: 'requirements.past_due',
      errors: [],
      eventually_due: ['business_type', 'external_account', 'tos_acceptance.date'],
      past_due: ['business_type', 'external_account', 'tos_acceptance.date'],
      pending_verification: [],
    },
    ...overrides,
  };
  return account as unknown as Stripe.Account;
}

/** Account states a test moves an account through, as Stripe reports them. */
export const accountStates = {
  /** Details submitted; Stripe is verifying them. */
  submitted: (): Partial<Stripe.Account> => ({
    details_submitted: true,
    charges_enabled: false,
    payouts_enabled: false,
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: [],
      disabled_reason: 'requirements.pending_verification',
      errors: [],
      eventually_due: [],
      past_due: [],
      pending_verification: ['individual.verification.document'],
    },
  }),
  enabled: (): Partial<Stripe.Account> => ({
    details_submitted: true,
    charges_enabled: true,
    payouts_enabled: true,
    capabilities: { card_payments: 'active', transfers: 'active' },
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: [],
      disabled_reason: null,
      errors: [],
      eventually_due: [],
      past_due: [],
      pending_verification: [],
    },
  }),
  /** A requirement went past due: charges and payouts stop. */
  restricted: (): Partial<Stripe.Account> => ({
    details_submitted: true,
    charges_enabled: false,
    payouts_enabled: false,
    capabilities: { card_payments: 'inactive', transfers: 'inactive' },
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: ['individual.verification.document'],
      disabled_reason: 'requirements.past_due',
      errors: [],
      eventually_due: ['individual.verification.document'],
      past_due: ['individual.verification.document'],
      pending_verification: [],
    },
  }),
};

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Stripe.Checkout.Session>();
  const accounts = new Map<string, Stripe.Account>();
  const charges = new Map<string, Stripe.Charge>();
  /** What each session asked of its PaymentIntent (fee, destination), for its charge. */
  const intentData = new Map<string, Record<string, unknown>>();
  const replays = new Map<string, { requestBody: string; status: number; body: unknown }>();
  const sockets = new Set<Socket>();
  let mode: FakeStripeMode = 'ok';
  let delayMs = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => setTimeout(handle, delayMs));
    function handle() {
      const url = new URL(req.url ?? '/', 'http://fake-stripe');
      const body = Buffer.concat(chunks).toString('utf8');
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      const params =
        req.method === 'GET'
          ? decodeStripeForm(url.searchParams.toString())
          : decodeStripeForm(body);
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        params,
        headers: req.headers,
        idempotencyKey,
      });

      if (mode === 'hang') return;
      if (mode === 'error') {
        send(res, 500, stripeError('api_error', 'Something went wrong on the fake Stripe'));
        return;
      }
      if (!req.headers.authorization?.startsWith('Bearer sk_')) {
        send(res, 401, stripeError('invalid_request_error', 'Invalid API Key provided'));
        return;
      }

      if (req.method === 'POST' && idempotencyKey !== undefined) {
        const replay = replays.get(idempotencyKey);
        if (replay !== undefined && replay.requestBody !== body) {
          // Stripe refuses a key reused with other parameters.
          send(
            res,
            400,
            stripeError(
              'idempotency_error',
              'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            ),
          );
          return;
        }
        if (replay !== undefined) {
          send(res, replay.status, replay.body, { 'idempotent-replayed': 'true' });
          return;
        }
      }
      const answer = (status: number, answerBody: unknown) => {
        if (req.method === 'POST' && idempotencyKey !== undefined) {
          replays.set(idempotencyKey, { requestBody: body, status, body: answerBody });
        }
        send(res, status, answerBody);
      };
      const missing = (what: string, id: string) =>
        send(
          res,
          404,
          stripeError('invalid_request_error', `No such ${what}: '${id}'`, 'resource_missing'),
        );

      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const session = sessionFrom(params);
        sessions.set(session.id, session);
        intentData.set(session.id, (params.payment_intent_data ?? {}) as Record<string, unknown>);
        answer(200, session);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/accounts') {
        const account = buildAccount({
          type: params.type as Stripe.Account.Type,
          email: (params.email as string | undefined) ?? null,
          metadata: (params.metadata as Record<string, string> | undefined) ?? {},
        });
        accounts.set(account.id, account);
        answer(200, account);
        return;
      }
      const accountPath = /^\/v1\/accounts\/([^/]+)(\/login_links)?$/.exec(url.pathname);
      if (accountPath !== null) {
        const id = decodeURIComponent(accountPath[1]);
        const account = accounts.get(id);
        if (account === undefined) return missing('account', id);
        if (req.method === 'GET' && accountPath[2] === undefined) return send(res, 200, account);
        if (req.method === 'POST' && accountPath[2] !== undefined) {
          if (!account.details_submitted) {
            return send(
              res,
              400,
              stripeError(
                'invalid_request_error',
                'Cannot create a login link for an account that has not completed onboarding.',
              ),
            );
          }
          return answer(200, {
            object: 'login_link',
            created: Math.floor(Date.now() / 1000),
            url: `https://connect.stripe.com/express/${id}/${randomBytes(9).toString('base64url')}`,
          });
        }
      }
      if (req.method === 'POST' && url.pathname === '/v1/account_links') {
        const id = params.account as string;
        if (!accounts.has(id)) return missing('account', id);
        const created = Math.floor(Date.now() / 1000);
        answer(200, {
          object: 'account_link',
          created,
          expires_at: created + 300,
          url: `https://connect.stripe.com/setup/e/${id}/${randomBytes(9).toString('base64url')}`,
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const intent = params.payment_intent as string;
        const charge = charges.get(intent);
        if (charge === undefined) return missing('payment_intent', intent);
        const left = charge.amount - charge.amount_refunded;
        const amount = params.amount === undefined ? left : Number(params.amount);
        if (left === 0) {
          return answer(
            400,
            stripeError(
              'invalid_request_error',
              `Charge ${charge.id} has already been refunded.`,
              'charge_already_refunded',
            ),
          );
        }
        if (amount > left) {
          return answer(
            400,
            stripeError(
              'invalid_request_error',
              `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
              'amount_too_large',
            ),
          );
        }
        const updated = {
          ...charge,
          amount_refunded: charge.amount_refunded + amount,
          refunded: charge.amount_refunded + amount >= charge.amount,
        } as Stripe.Charge;
        charges.set(intent, updated);
        const expand = (params.expand ?? []) as string[];
        answer(200, {
          id: randomStripeId('re'),
          object: 'refund',
          amount,
          charge: expand.includes('charge') ? updated : updated.id,
          created: Math.floor(Date.now() / 1000),
          currency: charge.currency,
          metadata: params.metadata ?? {},
          payment_intent: intent,
          status: 'succeeded',
        });
        return;
      }
      const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(url.pathname);
      if (req.method === 'POST' && expire !== null) {
        const session = sessions.get(decodeURIComponent(expire[1]));
        if (session === undefined) {
          send(
            res,
            404,
            stripeError('invalid_request_error', 'No such checkout.session', 'resource_missing'),
          );
          return;
        }
        if (session.status !== 'open') {
          // Stripe: "Only Checkout Sessions with a status in [open] can be expired."
          send(
            res,
            400,
            stripeError(
              'invalid_request_error',
              `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
            ),
          );
          return;
        }
        const expired = { ...session, status: 'expired' as const, url: null };
        sessions.set(session.id, expired);
        send(res, 200, expired);
        return;
      }
      const match = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && match !== null) {
        const session = sessions.get(decodeURIComponent(match[1]));
        if (session === undefined) {
          send(
            res,
            404,
            stripeError(
              'invalid_request_error',
              `No such checkout.session: '${match[1]}'`,
              'resource_missing',
            ),
          );
          return;
        }
        send(res, 200, session);
        return;
      }
      send(res, 404, stripeError('invalid_request_error', `Unrecognized request URL`));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const updateSession = (id: string, patch: Partial<Stripe.Checkout.Session>) => {
    const session = sessions.get(id);
    if (session === undefined) throw new Error(`fake Stripe has no session ${id}`);
    const updated = { ...session, ...patch };
    sessions.set(id, updated);
    return updated;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sessions,
    accounts,
    charges,
    updateAccount: (id, patch) => {
      const account = accounts.get(id);
      if (account === undefined) throw new Error(`fake Stripe has no account ${id}`);
      const updated = { ...account, ...patch } as Stripe.Account;
      accounts.set(id, updated);
      return updated;
    },
    setMode: (next) => {
      mode = next;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    updateSession,
    completeSession: (id, paymentStatus = 'paid') => {
      const paymentIntent = randomStripeId('pi');
      const session = updateSession(id, {
        status: 'complete',
        payment_status: paymentStatus,
        payment_intent: paymentIntent,
      });
      // The PaymentIntent's charge, carrying what the session asked for it (a destination
      // charge's fee and transfer), as Stripe makes it.
      const data = intentData.get(id) ?? {};
      const transfer = data.transfer_data as { destination?: string } | undefined;
      charges.set(
        paymentIntent,
        buildCharge({
          payment_intent: paymentIntent,
          amount: session.amount_total ?? 0,
          amount_refunded: 0,
          currency: session.currency ?? 'usd',
          metadata: (data.metadata as Record<string, string> | undefined) ?? {},
          application_fee_amount:
            data.application_fee_amount === undefined ? null : Number(data.application_fee_amount),
          transfer_data: transfer?.destination
            ? { amount: null, destination: transfer.destination }
            : null,
        }),
      );
      return session;
    },
    close: async () => {
      // Hung requests keep their sockets open; end them so close() returns.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

// Event payloads shaped like Stripe's own objects (API reference: Checkout Session, Charge,
// Dispute, Event), with only the fields a webhook handler could reasonably read filled in.

export function buildCheckoutSession(
  overrides: Partial<Stripe.Checkout.Session> = {},
): Stripe.Checkout.Session {
  const created = Math.floor(Date.now() / 1000);
  const session = {
    id: randomStripeId('cs'),
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: 1500,
    amount_total: 1500,
    billing_address_collection: null,
    cancel_url: 'http://localhost:3000/checkout/cancel',
    client_reference_id: null,
    created,
    currency: 'usd',
    customer: null,
    customer_creation: 'if_required',
    customer_details: null,
    customer_email: 'buyer@example.com',
    expires_at: created + 35 * 60,
    livemode: false,
    locale: null,
    metadata: {},
    mode: 'payment',
    payment_intent: null,
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    status: 'open',
    submit_type: null,
    success_url: 'http://localhost:3000/checkout/success',
    url: null,
    ...overrides,
  };
  return session as unknown as Stripe.Checkout.Session;
}

export function buildCharge(
  overrides: Partial<Stripe.Charge> & { payment_intent: string },
): Stripe.Charge {
  const amount = overrides.amount ?? 1500;
  const refunded = overrides.amount_refunded ?? amount;
  const charge = {
    id: randomStripeId('ch'),
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: refunded,
    balance_transaction: randomStripeId('txn'),
    captured: true,
    created: Math.floor(Date.now() / 1000),
    currency: 'usd',
    customer: null,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_method: randomStripeId('pm'),
    receipt_url: null,
    refunded: refunded >= amount,
    status: 'succeeded',
    ...overrides,
  };
  return charge as unknown as Stripe.Charge;
}

export function buildDispute(
  overrides: Partial<Stripe.Dispute> & { payment_intent: string },
): Stripe.Dispute {
  const dispute = {
    id: randomStripeId('dp'),
    object: 'dispute',
    amount: 1500,
    balance_transactions: [],
    charge: randomStripeId('ch'),
    created: Math.floor(Date.now() / 1000),
    currency: 'usd',
    evidence_details: {
      due_by: Math.floor(Date.now() / 1000) + 7 * 86400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    reason: 'fraudulent',
    status: 'needs_response',
    ...overrides,
  };
  return dispute as unknown as Stripe.Dispute;
}

/** Wraps an object in a Stripe Event envelope (`evt_…`, `data.object`). */
export function buildEvent(
  type: string,
  object: object,
  overrides: { id?: string; created?: number; account?: string } = {},
): Stripe.Event {
  const event = {
    id: overrides.id ?? randomStripeId('evt'),
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: overrides.created ?? Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    // Events of a connected account name it (Connect webhook endpoints).
    ...(overrides.account !== undefined && { account: overrides.account }),
  };
  return event as unknown as Stripe.Event;
}

// The events the app subscribes to, ready to sign.
export const stripeEvents = {
  checkoutCompleted: (session: Partial<Stripe.Checkout.Session>) =>
    buildEvent(
      'checkout.session.completed',
      buildCheckoutSession({
        status: 'complete',
        payment_status: 'paid',
        payment_intent: randomStripeId('pi'),
        ...session,
      }),
    ),
  checkoutAsyncSucceeded: (session: Partial<Stripe.Checkout.Session>) =>
    buildEvent(
      'checkout.session.async_payment_succeeded',
      buildCheckoutSession({ status: 'complete', payment_status: 'paid', ...session }),
    ),
  checkoutAsyncFailed: (session: Partial<Stripe.Checkout.Session>) =>
    buildEvent(
      'checkout.session.async_payment_failed',
      buildCheckoutSession({ status: 'complete', payment_status: 'unpaid', ...session }),
    ),
  checkoutExpired: (session: Partial<Stripe.Checkout.Session>) =>
    buildEvent(
      'checkout.session.expired',
      buildCheckoutSession({ status: 'expired', payment_status: 'unpaid', ...session }),
    ),
  chargeRefunded: (charge: Partial<Stripe.Charge> & { payment_intent: string }) =>
    buildEvent('charge.refunded', buildCharge(charge)),
  disputeCreated: (dispute: Partial<Stripe.Dispute> & { payment_intent: string }) =>
    buildEvent('charge.dispute.created', buildDispute(dispute)),
  /** A Connect event: the account as it is now, sent to the Connect endpoint. */
  accountUpdated: (account: Stripe.Account, created?: number) =>
    buildEvent('account.updated', account, { account: account.id, created }),
  disputeClosed: (
    dispute: Partial<Stripe.Dispute> & { payment_intent: string; status: Stripe.Dispute.Status },
  ) => buildEvent('charge.dispute.closed', buildDispute(dispute)),
};

export interface SignedWebhook {
  /** The exact bytes to POST. */
  body: string;
  /** The Stripe-Signature header value. */
  signature: string;
}

/**
 * Signs a payload as Stripe does, with the SDK's generateTestHeaderString. `timestamp` (seconds)
 * lets a test make a stale signature.
 */
export function signWebhook(
  payload: object | string,
  secret: string,
  options: { timestamp?: number } = {},
): SignedWebhook {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return { body, signature };
}
