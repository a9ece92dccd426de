/**
 * Carving one workspace into regions. Every fast path lays out its buffers
 * (packed weights, index tables, image tiles, output tiles) with this, so
 * the memory a call needs is the `top` of its layout and nothing else.
 */

/** Sequential regions of a workspace, each starting on a 64-byte boundary. */
export class Layout {
  /** Bytes used so far: the workspace size this layout needs. */
  top = 0;

  /**
   * Reserves `count` elements of `bytesPerElement` bytes.
   * @returns the region's byte address
   * @example const a = new Layout().take(100, 8); // 0
   */
  take(count: number, bytesPerElement: number): number {
    const at = this.top;
    this.top += Math.ceil((count * bytesPerElement) / 64) * 64;
    return at;
  }
}

/** The smallest multiple of `m` that is ≥ `n`. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/**
 * How large a tile of output positions may grow: a tile holds about
 * `elements` float64s of its widest buffer (e.g. O/g rows × positions in the
 * forward), and never more than `maxPositions` positions; at least one
 * output row. The tests lower these to push small shapes across many tiles.
 */
export const TILING = { elements: 32768, maxPositions: 4096 };

/** Positions per tile for a buffer of `rows` rows per position. */
export function tilePositions(rows: number): number {
  return Math.max(1, Math.min(TILING.maxPositions, Math.floor(TILING.elements / rows)));
}
