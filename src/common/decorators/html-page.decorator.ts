import { applyDecorators, Header } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';

/**
 * A route that answers a page for a browser (the checkout and onboarding pages): the answer's
 * Content-Type, and a 200 documented as `text/html`. Only the page is HTML: the route's errors
 * are JSON in the usual shape like everywhere else (the exception filter writes them), so they
 * are documented as on any other route (`type: ErrorDto`). That is why this does not use
 * ApiProduces, which would give every response of the route the page's media type.
 */
export const HtmlPage = (description = 'An HTML page') =>
  applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    ApiOkResponse({ description, content: { 'text/html': { schema: { type: 'string' } } } }),
  );
