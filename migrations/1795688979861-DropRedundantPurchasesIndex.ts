import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IDX_purchases_product_paid (product_id, paid_at) is a prefix of the covering index
 * IDX_purchases_product_paid_cover, which serves every query it served; keeping both only made
 * each purchase write update one more index.
 */
export class DropRedundantPurchasesIndex1795688979861 implements MigrationInterface {
  name = 'DropRedundantPurchasesIndex1795688979861';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."IDX_purchases_product_paid"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_product_paid" ON "purchases"("product_id", "paid_at")`,
    );
  }
}
