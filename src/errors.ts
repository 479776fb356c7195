/**
 * Every error sepconv throws on bad input is a SepconvError subclass with a stable `code`,
 * and a message that says what is wrong, where, and what to do.
 */
export class SepconvError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_SEPCONV') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A size, stride, shape or parameter that breaks a kernel's or op's rules. */
export class ShapeError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_SHAPE');
  }
}

/** A pointer or buffer that does not lie inside kernel memory (with its 16 spare bytes). */
export class BufferError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_BUFFER');
  }
}

/** A malformed model file. */
export class FormatError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_FORMAT');
  }
}

/** An operator or attribute sepconv does not implement. */
export class UnsupportedOpError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_UNSUPPORTED_OP');
  }
}

/** The JavaScript engine lacks a WebAssembly feature sepconv needs (SIMD). */
export class WasmSupportError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_WASM_SUPPORT');
  }
}

/** An image that cannot be read or written: missing, a directory, empty, truncated, corrupt or of an unsupported format. */
export class ImageError extends SepconvError {
  constructor(message: string) {
    super(message, 'E_IMAGE');
  }
}
