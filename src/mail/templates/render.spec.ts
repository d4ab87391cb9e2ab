import { describe, expect, it } from '@jest/globals';
import { newVersion, purchaseReceipt, refundNotice } from './messages.js';
import { escapeHtml, formatMoney, html, oneLine } from './render.js';

describe('mail templates', () => {
  it('escape every interpolated value in HTML, but not markup made by html``', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${'"'}</p>`.value).toBe('<p><b>&lt;i&gt;</b>&quot;</p>');
  });

  it('format minor units with the currency’s own decimals', () => {
    expect(formatMoney(1250, 'usd')).toBe('$12.50');
    expect(formatMoney(500, 'jpy')).toBe('¥500');
    expect(formatMoney(99, 'eur')).toBe('€0.99');
  });

  it('keep subjects on one line', () => {
    expect(oneLine('A\r\nBcc: x@example.com\tB')).toBe('A Bcc: x@example.com B');
    const receipt = purchaseReceipt({
      productTitle: 'Evil\r\nBcc: victim@example.com',
      amountCents: 1500,
      currency: 'gbp',
      purchaseId: 'p-1',
      libraryLink: 'https://shop.example.com/app/library',
    });
    expect(receipt.subject).toBe('Your receipt: Evil Bcc: victim@example.com');
  });

  it('a receipt says product, amount with currency, order and the library link, in both bodies', () => {
    const mail = purchaseReceipt({
      productTitle: 'Presets <2026>',
      amountCents: 1999,
      currency: 'usd',
      purchaseId: 'p-1',
      libraryLink: 'https://shop.example.com/app/library',
    });
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('$19.99');
      expect(body).toContain('p-1');
      expect(body).toContain('https://shop.example.com/app/library');
    }
    expect(mail.text).toContain('Presets <2026>');
    expect(mail.html).toContain('Presets &lt;2026&gt;');
  });

  it('a refund notice says whether access remains; a new-version notice carries the note', () => {
    const facts = { productTitle: 'Book', amountCents: 1000, currency: 'eur', purchaseId: 'p' };
    expect(refundNotice({ ...facts, refundedCents: 1000, full: true }).text).toContain(
      'no longer available',
    );
    expect(refundNotice({ ...facts, refundedCents: 300, full: false }).text).toContain(
      '€3.00 in total',
    );
    const notice = newVersion({
      productTitle: 'Book',
      version: 3,
      note: 'Fixed <typos>',
      libraryLink: 'https://x/app/library',
    });
    expect(notice.text).toContain('Fixed <typos>');
    expect(notice.html).toContain('Fixed &lt;typos&gt;');
    expect(notice.text).toContain('(3)');
  });
});
