/** Where a resumable upload stands (GET /creator/uploads/:id). */
export enum UploadSessionStatus {
  /** Waiting for bytes, or receiving them. */
  Pending = 'pending',
  /** Every declared byte arrived; it may become a product or a version. */
  Complete = 'complete',
  /** The finished file failed the checks (type, size); its bytes were deleted. */
  Refused = 'refused',
  /** Not finished, or not used, in time; its bytes were deleted. */
  Expired = 'expired',
}
