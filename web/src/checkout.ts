// The payment page sends the buyer back with the checkout session id only; the purchase it
// belongs to is kept here (this tab) when the checkout starts. It stays for the tab's life, so
// the page that waits for `paid` still finds it after a reload; signing out forgets it.
import { STORAGE_PREFIX } from './api';

const key = (sessionId: string) => `${STORAGE_PREFIX}checkout.${sessionId}`;

export function rememberCheckout(sessionId: string | null, purchaseId: string): void {
  if (sessionId !== null) sessionStorage.setItem(key(sessionId), purchaseId);
}

export function checkoutPurchase(sessionId: string): string | null {
  return sessionStorage.getItem(key(sessionId));
}
