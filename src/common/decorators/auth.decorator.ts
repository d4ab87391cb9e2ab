import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorDto } from '../error.dto.js';
import { Role } from '../../users/role.enum.js';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_ROLES = 'auth:roles';

/** The only way out of the global JWT guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * A signed-in route. With roles, only those roles may call it (403 FORBIDDEN_ROLE otherwise).
 * Ownership of rows is checked in the services, not here.
 */
export function Auth(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({
      type: ErrorDto,
      description: 'No valid bearer token (UNAUTHENTICATED)',
    }),
    ...(roles.length > 0
      ? [
          ApiForbiddenResponse({
            type: ErrorDto,
            description: `Only for ${roles.join(' or ')} accounts (FORBIDDEN_ROLE)`,
          }),
        ]
      : []),
  );
}
