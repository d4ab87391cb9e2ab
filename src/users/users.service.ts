import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { Role } from './role.enum.js';
import { User } from './user.entity.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  /** Creates an account (inside the caller's transaction when given one). */
  async create(
    input: { email: string; passwordHash: string; role: Role; displayName?: string },
    m?: EntityManager,
  ): Promise<User> {
    const email = normalizeEmail(input.email);
    const users = m?.getRepository(User) ?? this.users;
    try {
      return await users.save(
        users.create({
          email,
          passwordHash: input.passwordHash,
          role: input.role,
          displayName: input.displayName?.trim() || email.split('@')[0],
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_users_email')) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.EmailTaken,
          'An account with this email already exists',
        );
      }
      throw error;
    }
  }
}
