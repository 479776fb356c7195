/** One entry of the kernel manifest. Dispatch, tests and benches all read these. */
export interface KernelInfo {
  /** Grammar: `<dtype>-<op>-<tile>[-<variant>]`, e.g. 'f32-gemm-2x16', 'f32-dwconv-3x3s2-x4'. */
  readonly name: string;
  /** The assembly/ folder the kernel lives in: `<dtype>-<op>`, e.g. 'f32-gemm'. */
  readonly folder: string;
  /** Operation family, e.g. 'gemm', 'dwconv'. */
  readonly op: string;
  readonly dtype: 'f32';
  readonly tile: string;
  readonly variant?: string;
  /** Name of the wasm export: the name with '-' replaced by '_'. */
  readonly exportName: string;
  /** One line: what it computes and its constraints. */
  readonly summary: string;
  /** Where its plain TypeScript reference lives, 'src/reference/<file>.ts#<function>'. */
  readonly reference: string;
}

export function defineKernel(spec: {
  op: string;
  tile: string;
  variant?: string;
  summary: string;
  reference: string;
}): KernelInfo {
  const name = `f32-${spec.op}-${spec.tile}${spec.variant ? `-${spec.variant}` : ''}`;
  return {
    name,
    folder: `f32-${spec.op}`,
    op: spec.op,
    dtype: 'f32',
    tile: spec.tile,
    variant: spec.variant,
    exportName: name.replace(/-/g, '_'),
    summary: spec.summary,
    reference: spec.reference,
  };
}
