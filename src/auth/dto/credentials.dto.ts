import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsString,
  Length,
  MaxLength,
  registerDecorator,
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import { UserDto } from '../../users/dto/user.dto.js';

/** Measures UTF-8 bytes, not characters: bcrypt reads only the first 72 bytes of a password. */
export function ByteLength(min: number, max: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'byteLength',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be from ${min} to ${max} bytes long`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          Buffer.byteLength(value) >= min &&
          Buffer.byteLength(value) <= max,
      },
    });
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class LoginDto {
  @ApiProperty({ example: 'demo-creator@example.com', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

  @ApiProperty({
    example: 'demo-creator-password',
    minLength: 8,
    maxLength: 72,
    format: 'password',
  })
  @IsString()
  @ByteLength(1, 72)
  password: string;
}

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

  @ApiProperty({
    example: 'correct horse battery',
    minLength: 8,
    maxLength: 72,
    format: 'password',
    description: '8 to 72 bytes (UTF-8)',
  })
  @IsString()
  @ByteLength(8, 72)
  password: string;

  @ApiPropertyOptional({
    example: 'Ada',
    maxLength: 100,
    description: 'Defaults to the part of the email before @',
  })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName?: string;
}

export class TokenDto {
  @ApiProperty({
    description:
      'A JWT to send as `Authorization: Bearer <token>`; it names its session and stops working when the session ends',
  })
  access_token: string;

  @ApiProperty({ enum: ['bearer'], example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ description: 'Lifetime of the access token in seconds', example: 900 })
  expires_in: number;

  @ApiProperty({
    description:
      'Single-use token for `POST /refresh`, which answers with the next one. Also set as the ' +
      'HttpOnly `refresh_token` cookie. Using one a second time ends the session.',
  })
  refresh_token: string;

  @ApiProperty({
    description: 'Seconds until the session ends unless it is refreshed',
    example: 2592000,
  })
  refresh_expires_in: number;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last token response; browsers may leave it out and send the `refresh_token` cookie instead',
    maxLength: 200,
  })
  // Left out is fine; null is not (IsOptional would let null through).
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @MaxLength(200)
  refresh_token?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', maxLength: 72 })
  @IsString()
  @ByteLength(1, 72)
  currentPassword: string;

  @ApiProperty({
    format: 'password',
    minLength: 8,
    maxLength: 72,
    description: '8 to 72 bytes (UTF-8)',
  })
  @IsString()
  @ByteLength(8, 72)
  newPassword: string;
}
