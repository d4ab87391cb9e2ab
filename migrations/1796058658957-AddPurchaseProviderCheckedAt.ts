import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When GET /purchases/:id last re-checked a pending checkout with the provider. */
export class AddPurchaseProviderCheckedAt1796058658957 implements MigrationInterface {
  name = 'AddPurchaseProviderCheckedAt1796058658957';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD "provider_checked_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "purchases" DROP COLUMN "provider_checked_at"`);
  }
}
