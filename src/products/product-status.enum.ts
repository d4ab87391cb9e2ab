export enum ProductStatus {
  Published = 'published',
  Unpublished = 'unpublished',
  /** Gone from the catalogue and from new sales; buyers keep their access. */
  Archived = 'archived',
}
