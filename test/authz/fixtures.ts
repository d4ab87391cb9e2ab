import { JwtService } from '@nestjs/jwt';
import type { Agent as TestAgent } from 'supertest';
import { AccountTokensService } from '../../src/auth/account-tokens.service.js';
import { SessionsService } from '../../src/auth/sessions/sessions.service.js';
import { UserTokenPurpose } from '../../src/auth/user-token.entity.js';
import { Role } from '../../src/users/role.enum.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  registerBuyer,
  registerCreator,
  createProduct,
  type Account,
} from '../helpers/factories.js';
import type { TestApp } from '../helpers/test-app.js';
import { pdf } from '../helpers/uploads.js';
import { expiredToken, forgedToken } from '../helpers/tokens.js';

/** Who calls: the columns of the matrix, in the order the walk runs them. */
export const CALLERS = [
  'anonymous',
  'buyer',
  'owner',
  'otherBuyer',
  'creator',
  'otherCreator',
  'forged',
  'expired',
  'deleted',
] as const;
export type Caller = (typeof CALLERS)[number];

/** The role a signed-in caller of the walk has. */
export const roleOf = (caller: Caller): 'creator' | 'buyer' =>
  caller.toLowerCase().includes('creator') ? 'creator' : 'buyer';

/** A new session of `userId` and an access token for it, made directly (no HTTP, no bcrypt). */
export async function sessionToken(t: TestApp, caller: Caller, userId: string): Promise<string> {
  const sid = (await t.app.get(SessionsService).open(userId)).sessionId;
  return t.app.get(JwtService).signAsync({ sub: userId, role: roleOf(caller), sid });
}

/**
 * `count` tokens of sessions of their own for each signed-in caller of `callers`: a call of
 * POST /logout ends the session it is made with, so each such call spends one.
 */
export async function spareTokens(
  t: TestApp,
  f: Fixtures,
  callers: readonly Caller[],
  count: number,
): Promise<Partial<Record<Caller, string[]>>> {
  const spare: Partial<Record<Caller, string[]>> = {};
  for (const caller of callers) {
    const userId = f.callers[caller].userId;
    if (userId === null) continue;
    spare[caller] = [];
    for (let i = 0; i < count; i++) spare[caller].push(await sessionToken(t, caller, userId));
  }
  return spare;
}

export interface Fixtures {
  /** Bearer header per caller (none for anonymous); `userId` is whose purchases it may see. */
  callers: Record<Caller, { headers: Record<string, string>; userId: string | null }>;
  /** Buyer A: bought productA through the simulated checkout. */
  owner: Account;
  /** A buyer with no purchase at all. */
  buyer: Account;
  /** Buyer B: bought productB (creator B's) so there is someone else's purchase to leak. */
  otherBuyer: Account;
  creator: Account;
  otherCreator: Account;
  /** Creator A's published product with a real uploaded file, bought by the owner. */
  productA: string;
  /** Creator B's published product, bought by otherBuyer. */
  productB: string;
  /** Creator A's products kept for the routes that change them. */
  productToEdit: string;
  productToArchive: string;
  productToReplace: string;
  /** The owner's paid purchase of productA, and otherBuyer's of productB. */
  purchaseA: string;
  purchaseB: string;
  /** An open simulated checkout (a pending purchase of productA by a buyer outside the matrix). */
  openSession: string;
  /** The token of a download link for productA (the local driver's /files/:token). */
  fileToken: string;
  /** One unused refresh token of the owner per caller (POST /refresh spends it). */
  refreshTokens: Record<Caller, string>;
  /**
   * Per signed-in caller: another session of the same account, for POST /logout (which ends the
   * session it is called with), and an account of the same role, for PUT /me/password (which
   * ends every other session of the account): the rest of the walk keeps the callers' tokens.
   */
  spareSession: Partial<Record<Caller, Record<string, string>>>;
  sameRole: Partial<Record<Caller, Account>>;
  /** Per caller, an unused verification token of the owner and a reset token of an account of its own. */
  verifyTokens: Record<Caller, string>;
  resetTokens: Record<Caller, string>;
  /** Creator A's resumable uploads: declared only; created with tus (some bytes in); finished. */
  uploadToCreate: string;
  uploadInProgress: string;
  uploadToDelete: string;
  uploadFinished: string;
}

/** A resumable upload of creator's, its tus creation done when `bytes` is given (and sent). */
async function resumableUpload(
  http: TestAgent,
  creator: Account,
  bytes?: Buffer,
  size = 4096,
): Promise<string> {
  const started = await http
    .post('/creator/uploads')
    .set(creator.auth)
    .send({ fileName: 'matrix.pdf', size });
  if (started.status !== 201) throw new Error(`upload: ${started.status}`);
  const id = (started.body as { id: string }).id;
  if (bytes === undefined) return id;
  const tus = { ...creator.auth, 'Tus-Resumable': '1.0.0' };
  await http
    .post(`/uploads/${id}`)
    .set({ ...tus, 'Upload-Length': String(size) })
    .expect(201);
  await http
    .patch(`/uploads/${id}`)
    .set({ ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' })
    .send(bytes)
    .expect(204);
  return id;
}

/** Starts a checkout and pays it on the simulated checkout page; returns the purchase id. */
export async function buyThroughSimulatedCheckout(
  http: TestAgent,
  buyer: Account,
  productId: string,
): Promise<{ purchaseId: string; sessionId: string }> {
  const started = await http.post(`/purchase/${productId}`).set(buyer.auth).send({});
  if (started.status !== 201)
    throw new Error(`purchase: ${started.status} ${JSON.stringify(started.body)}`);
  const { purchaseId, sessionId } = started.body as { purchaseId: string; sessionId: string };
  const paid = await http
    .post(`/checkout/simulated/${sessionId}/pay`)
    .type('form')
    .send({ outcome: 'success' });
  if (paid.status !== 303) throw new Error(`pay: ${paid.status} ${JSON.stringify(paid.body)}`);
  return { purchaseId, sessionId };
}

export async function createFixtures(t: TestApp): Promise<Fixtures> {
  const http = t.http;
  const [creator, otherCreator, owner, buyer, otherBuyer, payer, doomed] = [
    await registerCreator(http),
    await registerCreator(http),
    await registerBuyer(http),
    await registerBuyer(http),
    await registerBuyer(http),
    await registerBuyer(http),
    await registerBuyer(http),
  ];
  const productA = (await createProduct(http, creator, { title: 'Product A' })).id;
  const productB = (await createProduct(http, otherCreator, { title: 'Product B' })).id;
  const productToEdit = (await createProduct(http, creator, { title: 'To edit' })).id;
  const productToArchive = (await createProduct(http, creator, { title: 'To archive' })).id;
  const productToReplace = (await createProduct(http, creator, { title: 'To replace' })).id;

  const purchaseA = (await buyThroughSimulatedCheckout(http, owner, productA)).purchaseId;
  const purchaseB = (await buyThroughSimulatedCheckout(http, otherBuyer, productB)).purchaseId;
  const open = await http.post(`/purchase/${productA}`).set(payer.auth).send({});
  if (open.status !== 201) throw new Error(`open checkout: ${open.status}`);
  const openSession = (open.body as { sessionId: string }).sessionId;

  const link = await http.get(`/download/${productA}`).set(owner.auth);
  if (link.status !== 200) throw new Error(`download: ${link.status} ${JSON.stringify(link.body)}`);
  const fileToken = new URL((link.body as { url: string }).url).pathname.split('/').pop()!;

  // Sessions opened directly (no HTTP round trip, no bcrypt): the walk only spends them.
  const sessions = t.app.get(SessionsService);
  const refreshTokens = {} as Record<Caller, string>;
  for (const caller of CALLERS) refreshTokens[caller] = (await sessions.open(owner.id)).token;
  const accounts = { buyer, owner, otherBuyer, creator, otherCreator };
  const spareSession: Fixtures['spareSession'] = {};
  const sameRole: Fixtures['sameRole'] = {};
  for (const [caller, account] of Object.entries(accounts) as [Caller, Account][]) {
    spareSession[caller] = {
      Authorization: `Bearer ${await sessionToken(t, caller, account.id)}`,
    };
    sameRole[caller] =
      roleOf(caller) === 'creator' ? await registerCreator(http) : await registerBuyer(http);
  }
  const uploadToCreate = await resumableUpload(http, creator);
  const uploadInProgress = await resumableUpload(http, creator, pdf('started').subarray(0, 16));
  const uploadToDelete = await resumableUpload(http, creator, pdf('started').subarray(0, 16));
  const full = Buffer.concat([pdf('matrix'), Buffer.alloc(4096)]).subarray(0, 4096);
  const uploadFinished = await resumableUpload(http, creator, full);

  const accountTokens = t.app.get(AccountTokensService);
  const users = t.app.get(UsersService);
  const verifyTokens = {} as Record<Caller, string>;
  const resetTokens = {} as Record<Caller, string>;
  for (const caller of CALLERS) {
    const m = t.dataSource.manager;
    verifyTokens[caller] = (
      await accountTokens.issue(m, owner.id, UserTokenPurpose.VerifyEmail, 3600)
    ).token;
    // A reset ends the other reset links of its account: one account per caller.
    const resettable = await users.create({
      email: `reset-${caller}-${owner.id}@example.com`,
      passwordHash: '$2b$04$0000000000000000000000000000000000000000000000000000.',
      role: Role.Buyer,
    });
    resetTokens[caller] = (
      await accountTokens.issue(m, resettable.id, UserTokenPurpose.ResetPassword, 3600)
    ).token;
  }

  // A real token whose account no longer exists.
  await t.dataSource.query('DELETE FROM users WHERE id = $1', [doomed.id]);

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  return {
    callers: {
      anonymous: { headers: {}, userId: null },
      buyer: { headers: buyer.auth, userId: buyer.id },
      owner: { headers: owner.auth, userId: owner.id },
      otherBuyer: { headers: otherBuyer.auth, userId: otherBuyer.id },
      creator: { headers: creator.auth, userId: creator.id },
      otherCreator: { headers: otherCreator.auth, userId: otherCreator.id },
      forged: { headers: bearer(forgedToken(owner.id, 'buyer', owner.sessionId)), userId: null },
      expired: {
        headers: bearer(expiredToken(owner.id, 'buyer', owner.sessionId, t.config.jwt.secret)),
        userId: null,
      },
      deleted: { headers: doomed.auth, userId: null },
    },
    owner,
    buyer,
    otherBuyer,
    creator,
    otherCreator,
    productA,
    productB,
    productToEdit,
    productToArchive,
    productToReplace,
    purchaseA,
    purchaseB,
    openSession,
    fileToken,
    refreshTokens,
    spareSession,
    sameRole,
    verifyTokens,
    resetTokens,
    uploadToCreate,
    uploadInProgress,
    uploadToDelete,
    uploadFinished,
  };
}
