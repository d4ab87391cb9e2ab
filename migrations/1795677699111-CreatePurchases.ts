import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePurchases1795677699111 implements MigrationInterface {
  name = 'CreatePurchases1795677699111';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."purchase_status" AS ENUM('pending', 'paid', 'failed', 'expired', 'refunded', 'disputed')`,
    );
    await queryRunner.query(`CREATE TYPE "public"."dispute_status" AS ENUM('open', 'won', 'lost')`);
    await queryRunner.query(
      `CREATE TABLE "purchases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "buyer_id" uuid NOT NULL, "product_id" uuid NOT NULL, "amount_cents" integer NOT NULL, "currency" character varying(3) NOT NULL, "status" "public"."purchase_status" NOT NULL, "refunded_cents" integer NOT NULL DEFAULT '0', "dispute_status" "public"."dispute_status", "provider" character varying(20) NOT NULL, "provider_session_id" character varying(255), "checkout_url" text, "checkout_expires_at" TIMESTAMP WITH TIME ZONE, "provider_payment_id" character varying(255), "paid_at" TIMESTAMP WITH TIME ZONE, "refunded_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_purchases_refunded" CHECK ("refunded_cents" >= 0), CONSTRAINT "CHK_purchases_amount" CHECK ("amount_cents" >= 0), CONSTRAINT "PK_purchases" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_product_paid" ON "purchases"("product_id", "paid_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_buyer_paid" ON "purchases"("buyer_id", "paid_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_payment" ON "purchases"("provider_payment_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_purchases_session" ON "purchases"("provider_session_id")`,
    );
    // The database, not the code, guarantees one live purchase per buyer and product.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_purchases_live" ON "purchases" ("buyer_id", "product_id") WHERE "status" IN ('pending', 'paid', 'disputed')`,
    );
    await queryRunner.query(
      `CREATE TABLE "downloads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "product_id" uuid NOT NULL, "purchase_id" uuid, "file_version" integer NOT NULL, "ip" character varying(64), "user_agent" character varying(512), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_downloads" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_downloads_user_created" ON "downloads"("user_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_downloads_product_created" ON "downloads"("product_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "payment_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "event_id" character varying(255) NOT NULL, "type" character varying(100) NOT NULL, "purchase_id" uuid, "provider_payment_id" character varying(255), "payload" jsonb NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_payment_events_event" UNIQUE ("provider", "event_id"), CONSTRAINT "PK_payment_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_purchase" ON "payment_events"("purchase_id", "processed_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_payment" ON "payment_events"("provider_payment_id", "processed_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD CONSTRAINT "FK_purchases_buyer" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD CONSTRAINT "FK_purchases_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "downloads" ADD CONSTRAINT "FK_downloads_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "downloads" ADD CONSTRAINT "FK_downloads_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "downloads" ADD CONSTRAINT "FK_downloads_purchase" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "downloads" DROP CONSTRAINT "FK_downloads_purchase"`);
    await queryRunner.query(`ALTER TABLE "downloads" DROP CONSTRAINT "FK_downloads_product"`);
    await queryRunner.query(`ALTER TABLE "downloads" DROP CONSTRAINT "FK_downloads_user"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP CONSTRAINT "FK_purchases_product"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP CONSTRAINT "FK_purchases_buyer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_payment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_purchase"`);
    await queryRunner.query(`DROP TABLE "payment_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_downloads_product_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_downloads_user_created"`);
    await queryRunner.query(`DROP TABLE "downloads"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_purchases_live"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_purchases_session"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_purchases_payment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_purchases_buyer_paid"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_purchases_product_paid"`);
    await queryRunner.query(`DROP TABLE "purchases"`);
    await queryRunner.query(`DROP TYPE "public"."dispute_status"`);
    await queryRunner.query(`DROP TYPE "public"."purchase_status"`);
  }
}
