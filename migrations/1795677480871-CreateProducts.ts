import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProducts1795677480871 implements MigrationInterface {
  name = 'CreateProducts1795677480871';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."product_status" AS ENUM('published', 'unpublished', 'archived')`,
    );
    await queryRunner.query(`
      CREATE TABLE "products" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "creator_id" uuid NOT NULL,
        "title" character varying(200) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "price_cents" integer NOT NULL,
        "currency" character varying(3) NOT NULL,
        "status" "public"."product_status" NOT NULL DEFAULT 'published',
        "file_key" character varying(500) NOT NULL,
        "file_name" character varying(255) NOT NULL,
        "file_size" bigint NOT NULL,
        "content_type" character varying(255) NOT NULL,
        "sha256" character(64) NOT NULL,
        "file_version" integer NOT NULL DEFAULT '1',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_products_price" CHECK ("price_cents" >= 0),
        CONSTRAINT "CHK_products_file_size" CHECK ("file_size" > 0),
        CONSTRAINT "PK_products" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_products_creator_status_created" ON "products" ("creator_id", "status", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_products_creator_created" ON "products" ("creator_id", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_products_status_price" ON "products" ("status", "price_cents", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_products_status_created" ON "products" ("status", "created_at", "id")`,
    );
    // Search in title and description; queries must use this very expression.
    await queryRunner.query(
      `CREATE INDEX "IDX_products_search" ON "products" USING GIN (to_tsvector('simple', "title" || ' ' || "description"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "products" ADD CONSTRAINT "FK_products_creator" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "products"`);
    await queryRunner.query(`DROP TYPE "public"."product_status"`);
  }
}
