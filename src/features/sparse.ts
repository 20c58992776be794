/**
 * Rows of hashed sparse binary features, stored compactly (CSR): row r's feature slots are
 * `ids[starts[r] .. starts[r + 1])`. Every feature has value 1.
 */
export class SparseRows {
  private idBuffer: Uint32Array;
  private idCount = 0;
  private startBuffer: Uint32Array;
  private rowCount = 0;

  /** `capacity`: feature slots to reserve (it grows as needed). */
  constructor(capacity = 1 << 16) {
    this.idBuffer = new Uint32Array(Math.max(16, capacity));
    this.startBuffer = new Uint32Array(Math.max(16, capacity >> 6));
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Add one row; `slots` may be reused by the caller afterwards. */
  push(slots: ArrayLike<number>, length = slots.length): void {
    if (this.idCount + length > this.idBuffer.length) {
      const grown = new Uint32Array(Math.max(this.idBuffer.length * 2, this.idCount + length));
      grown.set(this.idBuffer.subarray(0, this.idCount));
      this.idBuffer = grown;
    }
    for (let i = 0; i < length; i++) this.idBuffer[this.idCount++] = slots[i] as number;
    if (this.rowCount + 2 > this.startBuffer.length) {
      const grown = new Uint32Array(this.startBuffer.length * 2);
      grown.set(this.startBuffer);
      this.startBuffer = grown;
    }
    this.startBuffer[++this.rowCount] = this.idCount;
  }

  /** The feature slots of row r (a view, not a copy). */
  row(r: number): Uint32Array {
    return this.idBuffer.subarray(this.startBuffer[r], this.startBuffer[r + 1]);
  }
}
