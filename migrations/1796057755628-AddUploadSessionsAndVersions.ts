import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resumable uploads (upload_sessions) and the file history of products (product_versions).
 * Every existing product gets its current file as a version row. products.sha256 becomes
 * nullable: a resumable upload straight to Supabase Storage never passes through the API.
 */
export class AddUploadSessionsAndVersions1796057755628 implements MigrationInterface {
  name = 'AddUploadSessionsAndVersions1796057755628';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "product_versions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "product_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "file_key" character varying(500) NOT NULL,
        "file_name" character varying(255) NOT NULL,
        "file_size" bigint NOT NULL,
        "content_type" character varying(255) NOT NULL,
        "sha256" character(64),
        "note" character varying(1000),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_product_versions" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_product_versions_product_version" ON "product_versions" ("product_id", "version")`,
    );
    await queryRunner.query(
      `ALTER TABLE "product_versions" ADD CONSTRAINT "FK_product_versions_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // The file each product has now is its latest version; older ones were deleted until now.
    await queryRunner.query(`
      INSERT INTO "product_versions"
        ("product_id", "version", "file_key", "file_name", "file_size", "content_type", "sha256", "created_at")
      SELECT "id", "file_version", "file_key", "file_name", "file_size", "content_type", "sha256", "updated_at"
      FROM "products"`);

    await queryRunner.query(
      `CREATE TYPE "public"."upload_session_status" AS ENUM('pending', 'complete', 'refused', 'expired')`,
    );
    await queryRunner.query(`
      CREATE TABLE "upload_sessions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "creator_id" uuid NOT NULL,
        "file_name" character varying(255) NOT NULL,
        "content_type" character varying(255) NOT NULL,
        "size" bigint NOT NULL,
        "storage_key" character varying(500) NOT NULL,
        "status" "public"."upload_session_status" NOT NULL DEFAULT 'pending',
        "product_id" uuid,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "attached_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_upload_sessions_size" CHECK ("size" > 0),
        CONSTRAINT "PK_upload_sessions" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_upload_sessions_status_expires" ON "upload_sessions" ("status", "expires_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_upload_sessions_creator_created" ON "upload_sessions" ("creator_id", "created_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "upload_sessions" ADD CONSTRAINT "FK_upload_sessions_creator" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "products" ALTER COLUMN "sha256" DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A hash that was never computed cannot be made up: refuse rather than store a false one.
    const [{ n }] = (await queryRunner.query(
      `SELECT count(*)::int AS n FROM "products" WHERE "sha256" IS NULL`,
    )) as { n: number }[];
    if (n > 0) {
      throw new Error(
        `${n} product(s) have no SHA-256 (resumable uploads to Supabase); replace their files before reverting`,
      );
    }
    await queryRunner.query(`ALTER TABLE "products" ALTER COLUMN "sha256" SET NOT NULL`);
    await queryRunner.query(`DROP TABLE "upload_sessions"`);
    await queryRunner.query(`DROP TYPE "public"."upload_session_status"`);
    await queryRunner.query(`DROP TABLE "product_versions"`);
  }
}
