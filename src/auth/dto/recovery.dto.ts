import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { ByteLength } from './credentials.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset link', minLength: 20, maxLength: 100 })
  @IsString()
  @Length(20, 100)
  token: string;

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

export class VerifyEmailDto {
  @ApiProperty({
    description: 'The token from the verification link',
    minLength: 20,
    maxLength: 100,
  })
  @IsString()
  @Length(20, 100)
  token: string;
}

export class AcceptedDto {
  @ApiProperty({
    example: 'If an account exists for this address, a reset link is on its way',
  })
  message: string;
}
