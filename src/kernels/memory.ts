import { BufferError } from '../errors.js';

/** Kernels may read up to this many bytes past the end of any buffer (SIMD tails), never write. */
export const SPARE_BYTES = 16;
/** Bytes below this offset are never handed out, so pointer 0 can mean "absent". */
export const ARENA_BASE = 1024;
const PAGE = 65536;

/**
 * A bump allocator over the kernels' single linear memory. Every allocation is aligned
 * (16 bytes by default) and the arena keeps SPARE_BYTES of memory after its top, so
 * kernels may over-read the last buffer harmlessly. Views must be re-taken after an
 * allocation (memory.grow detaches the old ArrayBuffer): use f32()/write()/read().
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly base: number;
  private topByte: number;

  constructor(memory: WebAssembly.Memory, base = ARENA_BASE) {
    this.memory = memory;
    this.base = base;
    this.topByte = base;
  }

  /** First free byte. */
  get top(): number {
    return this.topByte;
  }

  /** Current size of the linear memory in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Grows memory so that [0, bytes) is addressable. */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new BufferError(
        `kernel memory cannot grow from ${have} to ${bytes} bytes (${(e as Error).message}); ` +
          'use a smaller model or input, or release other sessions first',
      );
    }
  }

  /** Allocates `bytes` bytes aligned to `align` (a power of two, >= 4). Returns the pointer. */
  alloc(bytes: number, align = 16): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new BufferError(`arena.alloc: size ${bytes} must be a non-negative integer number of bytes`);
    }
    if (!Number.isInteger(align) || align < 4 || (align & (align - 1)) !== 0) {
      throw new BufferError(`arena.alloc: alignment ${align} must be a power of two >= 4`);
    }
    const ptr = (this.topByte + align - 1) & ~(align - 1);
    this.ensure(ptr + bytes + SPARE_BYTES);
    this.topByte = ptr + bytes;
    return ptr;
  }

  /** Allocates room for `n` float32 values (16-byte aligned). */
  allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  /**
   * Allocates `bytes` so that the buffer ends exactly SPARE_BYTES before the end of memory:
   * the worst case for over-reads. 4-byte aligned only. For tests and fuzzing.
   */
  allocAtEnd(bytes: number): number {
    this.ensure(this.topByte + bytes + SPARE_BYTES);
    const ptr = this.byteLength - SPARE_BYTES - bytes;
    this.topByte = this.byteLength;
    return ptr;
  }

  /** A position to return to with release(). */
  mark(): number {
    return this.topByte;
  }

  /** Frees everything allocated since `mark` (memory stays grown). */
  release(mark: number): void {
    if (mark < this.base || mark > this.topByte) {
      throw new BufferError(`arena.release: mark ${mark} is outside [${this.base}, ${this.topByte}]`);
    }
    this.topByte = mark;
  }

  /** Frees everything. */
  reset(): void {
    this.topByte = this.base;
  }

  /** A live Float32Array view of `n` floats at `ptr` (invalidated by the next memory growth). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** Copies `src` into memory at `ptr`. */
  write(ptr: number, src: ArrayLike<number>): void {
    this.f32(ptr, src.length).set(src);
  }

  /** Allocates a buffer holding a copy of `src` and returns its pointer. */
  put(src: ArrayLike<number>, align = 16): number {
    const ptr = this.alloc(src.length * 4, align);
    this.write(ptr, src);
    return ptr;
  }

  /** Copies `n` floats out of memory. */
  read(ptr: number, n: number): Float32Array {
    return this.f32(ptr, n).slice();
  }
}
