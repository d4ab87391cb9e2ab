import type { MigrationInterface } from 'typeorm';
import { CreateUsers1795677160299 } from './1795677160299-CreateUsers.js';
import { CreateProducts1795677480871 } from './1795677480871-CreateProducts.js';
import { CreatePurchases1795677699111 } from './1795677699111-CreatePurchases.js';
import { CreateSimulatedCheckoutSessions1795678165829 } from './1795678165829-CreateSimulatedCheckoutSessions.js';
import { AddPurchasesStatsIndex1795679470321 } from './1795679470321-AddPurchasesStatsIndex.js';
import { DropRedundantPurchasesIndex1795688979861 } from './1795688979861-DropRedundantPurchasesIndex.js';
import { CreateSessions1796057568156 } from './1796057568156-CreateSessions.js';
import { CreatePaymentIssues1796057625203 } from './1796057625203-CreatePaymentIssues.js';
import { AddUploadSessionsAndVersions1796057755628 } from './1796057755628-AddUploadSessionsAndVersions.js';
import { AddPurchaseProviderCheckedAt1796058658957 } from './1796058658957-AddPurchaseProviderCheckedAt.js';
import { CreateOutboxAndUserTokens1796059077809 } from './1796059077809-CreateOutboxAndUserTokens.js';
import { AddCreatorPayouts1796059987337 } from './1796059987337-AddCreatorPayouts.js';
import { AddOutboxRetentionIndex1796068412345 } from './1796068412345-AddOutboxRetentionIndex.js';
import { PartialPendingEventIndexes1796078819942 } from './1796078819942-PartialPendingEventIndexes.js';

type MigrationClass = new () => MigrationInterface;

/** Every migration in order. Never edit one that has landed: add a new one. */
export const MIGRATIONS: MigrationClass[] = [
  CreateUsers1795677160299,
  CreateProducts1795677480871,
  CreatePurchases1795677699111,
  CreateSimulatedCheckoutSessions1795678165829,
  AddPurchasesStatsIndex1795679470321,
  DropRedundantPurchasesIndex1795688979861,
  CreateSessions1796057568156,
  CreatePaymentIssues1796057625203,
  AddUploadSessionsAndVersions1796057755628,
  AddPurchaseProviderCheckedAt1796058658957,
  CreateOutboxAndUserTokens1796059077809,
  AddCreatorPayouts1796059987337,
  AddOutboxRetentionIndex1796068412345,
  PartialPendingEventIndexes1796078819942,
];
