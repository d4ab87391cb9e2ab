import { Session } from '../auth/sessions/session.entity.js';
import { UserToken } from '../auth/user-token.entity.js';
import { OutboxMessage } from '../mail/outbox.entity.js';
import { Download } from '../downloads/download.entity.js';
import { SimulatedCheckoutSession } from '../payments/simulated-checkout-session.entity.js';
import {
  SimulatedConnectedAccount,
  SimulatedRefund,
} from '../payments/simulated-connect.entities.js';
import { PayoutAccount } from '../payouts/payout-account.entity.js';
import { Product } from '../products/product.entity.js';
import { ProductVersion } from '../products/product-version.entity.js';
import { PaymentEventRecord } from '../purchases/payment-event.entity.js';
import { PaymentIssue } from '../purchases/payment-issue.entity.js';
import { Purchase } from '../purchases/purchase.entity.js';
import { UploadSession } from '../uploads/upload-session.entity.js';
import { User } from '../users/user.entity.js';

/** Every entity, listed explicitly so the app, the tests and the CLI load the same set. */
export const ENTITIES = [
  User,
  Product,
  Purchase,
  PaymentEventRecord,
  PaymentIssue,
  Download,
  SimulatedCheckoutSession,
  PayoutAccount,
  SimulatedConnectedAccount,
  SimulatedRefund,
  Session,
  UserToken,
  OutboxMessage,
  ProductVersion,
  UploadSession,
];
