import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A covering index for the creator figures: every column the stats and the sales list read
 * from purchases, in (product, paid time, id) order, so that they are answered by index-only
 * range scans, without visiting the table.
 */
export class AddPurchasesStatsIndex1795679470321 implements MigrationInterface {
  name = 'AddPurchasesStatsIndex1795679470321';

  async up(queryRunner: QueryRunner): Promise<void> {
    // IF NOT EXISTS: on a large live table, an operator may build it first with
    // CREATE INDEX CONCURRENTLY (which cannot run in a migration's transaction).
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_purchases_product_paid_cover" ON "purchases" ("product_id", "paid_at", "id") INCLUDE ("amount_cents", "refunded_cents", "currency", "buyer_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_purchases_product_paid_cover"`);
  }
}
