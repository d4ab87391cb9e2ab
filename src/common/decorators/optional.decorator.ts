import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * The field may be left out. Unlike class-validator's IsOptional, `null` is not taken for "left
 * out": it goes through the field's rules like any other value (and they refuse it), since no
 * field of this API gives null a meaning. A field that does must say so in its own rules and docs.
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
