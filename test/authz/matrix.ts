import { randomUUID } from 'node:crypto';
import { pdf, type Part } from '../helpers/uploads.js';
import type { Caller, Fixtures } from './fixtures.js';

/** A status alone, or a status and the error code the body must carry (`'403 NOT_PURCHASED'`). */
export type Expected = number | `${number} ${string}`;

/** One expected answer per caller, in the order of CALLERS. */
export type Row = [
  anonymous: Expected,
  buyer: Expected,
  owner: Expected,
  otherBuyer: Expected,
  creator: Expected,
  otherCreator: Expected,
  forged: Expected,
  expired: Expected,
  deleted: Expected,
];

const U = '401 UNAUTHENTICATED';
const ROLE = '403 FORBIDDEN_ROLE';
const NF = '404 NOT_FOUND';
const NOPE = '403 NOT_PURCHASED';

/**
 * Every route of the app (method and path as `listRoutes` gives them) and what each caller gets.
 * The callers: nobody; a buyer with no purchase; the buyer who bought the object (productA /
 * purchaseA); another buyer (with purchases of their own); the creator who owns the object;
 * another creator; then three bad tokens for the owner: signed with another secret, expired,
 * and one of an account since deleted. Public routes ignore a token, good or bad.
 * A route in the app without a row here, or a row without a route, fails the walk.
 */
// prettier-ignore
export const MATRIX: Record<string, Row> = {
  //                                             anonymous buyer   owner   otherBuyer creator otherCreator forged expired deleted
  'POST /register/creator':                     [201,      201,    201,    201,       201,    201,         201,   201,    201],
  'POST /register/buyer':                       [201,      201,    201,    201,       201,    201,         201,   201,    201],
  'POST /login':                                [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /me':                                    [U,        200,    200,    200,       200,    200,         U,     U,      U],
  // The refresh token is the credential (each caller spends one of the owner's); a bearer token plays no part.
  'POST /refresh':                              [200,      200,    200,    200,       200,    200,         200,   200,    200],
  // Each signed-in caller ends a spare session of their own account.
  'POST /logout':                               [U,        204,    204,    204,       204,    204,         U,     U,      U],
  // Each signed-in caller changes the password of an account of the same role (it ends the other sessions).
  'PUT /me/password':                           [U,        204,    204,    204,       204,    204,         U,     U,      U],
  // Same answer for every caller, whether or not the address has an account (5 an hour per address).
  'POST /password/forgot':                      [202,      202,    202,    202,       202,    202,         202,   202,    202],
  // The emailed token is the credential (one per caller); a bearer token plays no part.
  'POST /password/reset':                       [204,      204,    204,    204,       204,    204,         204,   204,    204],
  'POST /email/verify':                         [204,      204,    204,    204,       204,    204,         204,   204,    204],
  'POST /email/verify/resend':                  [U,        202,    202,    202,       202,    202,         U,     U,      U],
  'GET /health':                                [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /health/ready':                          [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'POST /creator/upload':                       [U,        ROLE,   ROLE,   ROLE,      201,    201,         U,     U,      U],
  'GET /creator/products':                      [U,        ROLE,   ROLE,   ROLE,      200,    200,         U,     U,      U],
  'GET /creator/products/:id':                  [U,        ROLE,   ROLE,   ROLE,      200,    NF,          U,     U,      U],
  'PATCH /creator/products/:id':                [U,        ROLE,   ROLE,   ROLE,      200,    NF,          U,     U,      U],
  'DELETE /creator/products/:id':               [U,        ROLE,   ROLE,   ROLE,      204,    NF,          U,     U,      U],
  'PUT /creator/products/:id/file':             [U,        ROLE,   ROLE,   ROLE,      200,    NF,          U,     U,      U],
  'GET /creator/products/:id/versions':         [U,        ROLE,   ROLE,   ROLE,      200,    NF,          U,     U,      U],
  // The creator turns the finished upload into a product; then it is used, and it was never
  // the other creator's (404 either way).
  'POST /creator/products':                     [U,        ROLE,   ROLE,   ROLE,      201,    NF,          U,     U,      U],
  'POST /creator/uploads':                      [U,        ROLE,   ROLE,   ROLE,      201,    201,         U,     U,      U],
  'GET /creator/uploads/:id':                   [U,        ROLE,   ROLE,   ROLE,      200,    NF,          U,     U,      U],
  // The tus server of the local driver: a session answers only its creator.
  'POST /uploads/:id':                          [U,        ROLE,   ROLE,   ROLE,      201,    NF,          U,     U,      U],
  // A HEAD answer has no body, so no error code to compare: statuses only.
  'HEAD /uploads/:id':                          [401,      403,    403,    403,       200,    404,         401,   401,    401],
  'PATCH /uploads/:id':                         [U,        ROLE,   ROLE,   ROLE,      204,    NF,          U,     U,      U],
  'DELETE /uploads/:id':                        [U,        ROLE,   ROLE,   ROLE,      204,    NF,          U,     U,      U],
  // Each creator sees figures and sales of their own products only (the leak walk checks it).
  'GET /creator/stats':                         [U,        ROLE,   ROLE,   ROLE,      200,    200,         U,     U,      U],
  'GET /creator/sales':                         [U,        ROLE,   ROLE,   ROLE,      200,    200,         U,     U,      U],
  // The matrix app runs in the default platform payouts mode: there is nothing to onboard.
  'GET /creator/payouts':                       [U,        ROLE,   ROLE,   ROLE,      200,    200,         U,     U,      U],
  'POST /creator/payouts/onboarding':           [U,        ROLE,   ROLE,   ROLE,      '409 CONFLICT', '409 CONFLICT', U, U, U],
  'POST /creator/payouts/dashboard':            [U,        ROLE,   ROLE,   ROLE,      '409 CONFLICT', '409 CONFLICT', U, U, U],
  'GET /payouts/return':                        [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /payouts/refresh':                       [200,      200,    200,    200,       200,    200,         200,   200,    200],
  // The link id is the capability, as a Stripe Account Link is; in platform mode none exists.
  'GET /payouts/simulated/onboarding/:linkId':  [NF,       NF,     NF,     NF,        NF,     NF,          NF,    NF,     NF],
  'POST /payouts/simulated/onboarding/:linkId/complete': [NF, NF,  NF,     NF,        NF,     NF,          NF,    NF,     NF],
  'POST /payouts/simulated/onboarding/:linkId/leave':    [NF, NF,  NF,     NF,        NF,     NF,          NF,    NF,     NF],
  // A partial refund of the owner's purchase: its creator may, another creator sees no such sale.
  'POST /creator/sales/:purchaseId/refund':     [U,        ROLE,   ROLE,   ROLE,      202,    NF,          U,     U,      U],
  'GET /products':                              [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /products/:id':                          [200,      200,    200,    200,       200,    200,         200,   200,    200],
  // buyer and otherBuyer start a checkout of productA; the owner has paid for it already.
  'POST /purchase/:productId':                  [U,        201,    '409 ALREADY_OWNED', 201, ROLE, ROLE,   U,     U,      U],
  'GET /purchases/:id':                         [U,        NF,     200,    NF,        ROLE,   ROLE,        U,     U,      U],
  'GET /mypurchases':                           [U,        200,    200,    200,       ROLE,   ROLE,        U,     U,      U],
  'GET /download/:productId':                   [U,        NOPE,   200,    NOPE,      200,    NF,     U,      U,      U],
  // The signed token in the path is the credential; the bearer token plays no part.
  'GET /files/:token':                          [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /checkout/success':                      [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'GET /checkout/cancel':                       [200,      200,    200,    200,       200,    200,         200,   200,    200],
  // The session id is the capability, as a Stripe Checkout URL is; paying twice changes nothing.
  'GET /checkout/simulated/:sessionId':         [200,      200,    200,    200,       200,    200,         200,   200,    200],
  'POST /checkout/simulated/:sessionId/pay':    [303,      303,    303,    303,       303,    303,         303,   303,    303],
  'POST /checkout/simulated/:sessionId/cancel': [303,      303,    303,    303,       303,    303,         303,   303,    303],
  // Only a Stripe signature authenticates a webhook (none is valid with the simulated driver).
  'POST /webhooks/stripe':                      ['400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID', '400 WEBHOOK_SIGNATURE_INVALID'],
};

/** How to call a route: its path parameters and a valid body, so answers reflect access only. */
export interface RouteRequest {
  params?: (f: Fixtures) => Record<string, string>;
  /** Headers in place of the caller's own (routes that end the session they are called with). */
  headers?: (f: Fixtures, caller: Caller) => Record<string, string>;
  json?: (f: Fixtures, caller: Caller) => object;
  form?: Record<string, string>;
  multipart?: () => Part[];
  raw?: { body: string; contentType: string; headers?: Record<string, string> };
}

const UNKNOWN_LINK = `sim_link_${'0'.repeat(24)}`;

const fileOnly = (): Part[] => [
  { name: 'file', filename: 'new.pdf', content: pdf(randomUUID()), contentType: 'application/pdf' },
];

export const REQUESTS: Record<string, RouteRequest> = {
  'POST /register/creator': {
    json: () => ({ email: `c-${randomUUID()}@example.com`, password: 'correct horse battery' }),
  },
  'POST /register/buyer': {
    json: () => ({ email: `b-${randomUUID()}@example.com`, password: 'correct horse battery' }),
  },
  'POST /login': { json: (f) => ({ email: f.owner.email, password: f.owner.password }) },
  'POST /refresh': { json: (f, caller) => ({ refresh_token: f.refreshTokens[caller] }) },
  'POST /password/forgot': {
    json: (f, caller) => ({ email: caller === 'owner' ? f.owner.email : `${caller}@example.com` }),
  },
  'POST /password/reset': {
    json: (f, caller) => ({ token: f.resetTokens[caller], newPassword: 'a new password' }),
  },
  'POST /email/verify': { json: (f, caller) => ({ token: f.verifyTokens[caller] }) },
  'POST /logout': { headers: (f, caller) => f.spareSession[caller] ?? f.callers[caller].headers },
  'PUT /me/password': {
    headers: (f, caller) => f.sameRole[caller]?.auth ?? f.callers[caller].headers,
    json: (f, caller) => ({
      currentPassword: f.sameRole[caller]?.password ?? 'correct horse battery',
      newPassword: 'a new password for the matrix',
    }),
  },
  'POST /creator/upload': {
    multipart: () => [
      { name: 'title', value: 'Matrix upload' },
      { name: 'priceCents', value: '900' },
      ...fileOnly(),
    ],
  },
  'GET /creator/products/:id': { params: (f) => ({ id: f.productA }) },
  'PATCH /creator/products/:id': {
    params: (f) => ({ id: f.productToEdit }),
    json: () => ({ title: 'Edited title', priceCents: 2500 }),
  },
  'DELETE /creator/products/:id': { params: (f) => ({ id: f.productToArchive }) },
  'PUT /creator/products/:id/file': {
    params: (f) => ({ id: f.productToReplace }),
    multipart: fileOnly,
  },
  'GET /creator/products/:id/versions': { params: (f) => ({ id: f.productA }) },
  'POST /creator/products': {
    json: (f) => ({ uploadId: f.uploadFinished, title: 'From a resumable upload', priceCents: 0 }),
  },
  'POST /creator/uploads': { json: () => ({ fileName: 'matrix.pdf', size: 1024 }) },
  'GET /creator/uploads/:id': { params: (f) => ({ id: f.uploadInProgress }) },
  'POST /uploads/:id': {
    params: (f) => ({ id: f.uploadToCreate }),
    raw: {
      body: '',
      contentType: 'text/plain',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '4096' },
    },
  },
  'HEAD /uploads/:id': {
    params: (f) => ({ id: f.uploadInProgress }),
    raw: { body: '', contentType: 'text/plain', headers: { 'Tus-Resumable': '1.0.0' } },
  },
  'PATCH /uploads/:id': {
    params: (f) => ({ id: f.uploadInProgress }),
    raw: {
      body: 'more bytes',
      contentType: 'application/offset+octet-stream',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '16' },
    },
  },
  'DELETE /uploads/:id': {
    params: (f) => ({ id: f.uploadToDelete }),
    raw: { body: '', contentType: 'text/plain', headers: { 'Tus-Resumable': '1.0.0' } },
  },
  'GET /products/:id': { params: (f) => ({ id: f.productA }) },
  'POST /purchase/:productId': { params: (f) => ({ productId: f.productA }), json: () => ({}) },
  'GET /purchases/:id': { params: (f) => ({ id: f.purchaseA }) },
  'GET /download/:productId': { params: (f) => ({ productId: f.productA }) },
  'GET /files/:token': { params: (f) => ({ token: f.fileToken }) },
  'GET /checkout/simulated/:sessionId': { params: (f) => ({ sessionId: f.openSession }) },
  'POST /checkout/simulated/:sessionId/pay': {
    params: (f) => ({ sessionId: f.openSession }),
    form: { outcome: 'success' },
  },
  'POST /checkout/simulated/:sessionId/cancel': { params: (f) => ({ sessionId: f.openSession }) },
  'POST /creator/payouts/onboarding': { json: () => ({}) },
  'POST /creator/sales/:purchaseId/refund': {
    params: (f) => ({ purchaseId: f.purchaseA }),
    json: () => ({ amountCents: 1 }),
  },
  'GET /payouts/simulated/onboarding/:linkId': { params: () => ({ linkId: UNKNOWN_LINK }) },
  'POST /payouts/simulated/onboarding/:linkId/complete': {
    params: () => ({ linkId: UNKNOWN_LINK }),
  },
  'POST /payouts/simulated/onboarding/:linkId/leave': { params: () => ({ linkId: UNKNOWN_LINK }) },
  'POST /webhooks/stripe': {
    raw: {
      body: JSON.stringify({ id: 'evt_matrix', type: 'checkout.session.completed' }),
      contentType: 'application/json',
      headers: { 'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
    },
  },
};
