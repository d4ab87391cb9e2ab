import { RequestMethod } from '@nestjs/common';
// The keys under which @Controller/@Get store a route's path and method.
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../src/common/decorators/auth.decorator.js';
import { RATE_LIMIT } from '../../src/common/rate-limit/rate-limit.decorator.js';
import type { TestApp } from './test-app.js';

export interface RouteInfo {
  method: string;
  path: string;
  isPublic: boolean;
  roles: string[] | undefined;
  /** The @RateLimit bucket, if the route has one. */
  rateLimit: string | undefined;
}

/** Every route of the app with its declared access, read from the controllers' metadata. */
export function listRoutes(t: TestApp): RouteInfo[] {
  const modules = t.app.get(ModulesContainer);
  const scanner = new MetadataScanner();
  const reflector = t.app.get(Reflector);
  const routes: RouteInfo[] = [];
  const controllers = [...modules.values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of controllers) {
    const instance = wrapper.instance;
    const controller = wrapper.metatype as new () => object;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[name] as () => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      routes.push({
        method,
        path: `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'),
        isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) === true,
        roles: reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, [
          handler,
          controller,
        ]),
        rateLimit: reflector.get<string | undefined>(RATE_LIMIT, handler),
      });
    }
  }
  return routes;
}
