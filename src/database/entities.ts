import { SimulatedCheckoutSession } from '../payments/simulated-checkout-session.entity.js';
import { Product } from '../products/product.entity.js';
import { User } from '../users/user.entity.js';

/** Every entity, listed explicitly so the app, the tests and the CLI load the same set. */
export const ENTITIES = [User, Product, SimulatedCheckoutSession];
