import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each version's reference profile: its training data's distribution per input feature and of its
 * score (bin edges with counts), which monitoring compares live predictions against. Null for
 * versions registered before profiles existed.
 */
export class ModelReferenceProfile1796100000000 implements MigrationInterface {
  name = 'ModelReferenceProfile1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE model_versions ADD COLUMN reference_profile jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE model_versions DROP COLUMN reference_profile`);
  }
}
