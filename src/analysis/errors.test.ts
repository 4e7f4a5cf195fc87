import { describe, expect, it } from 'vitest';
import { analysisError, finiteArray, isAnalysisError, oneOf } from './errors.js';
import { giStar } from './gistar.js';
import { latticeContiguity } from './weights.js';

describe('analysis errors', () => {
  it('are plain Errors with a stable code and field, recognisable without a class', () => {
    const e = analysisError('analysis_bad_bandwidth', 'radius', 'radius must be > 0');
    expect(e).toBeInstanceOf(Error);
    expect(isAnalysisError(e)).toBe(true);
    expect({ name: e.name, code: e.code, field: e.field, message: e.message }).toEqual({
      name: 'AnalysisError',
      code: 'analysis_bad_bandwidth',
      field: 'radius',
      message: 'radius must be > 0',
    });
    expect(isAnalysisError(new Error('x'))).toBe(false);
    expect(isAnalysisError('analysis_bad_k')).toBe(false);
    try {
      giStar([1, 1], latticeContiguity(1, 2, 'rook'));
    } catch (thrown) {
      expect(isAnalysisError(thrown) && thrown.code).toBe('analysis_no_variance');
    }
  });

  it('finiteArray returns a Float64Array input as is (no copy) and converts the others once', () => {
    const f = Float64Array.from([1, 2]);
    expect(finiteArray(f, 'v')).toBe(f);
    expect(finiteArray(Int32Array.from([1, 2]), 'v')).toEqual(f);
    expect(finiteArray([1, 2], 'v')).toEqual(f);
    expect(() => finiteArray(null as unknown as number[], 'v')).toThrow(/expected an array/);
    expect(oneOf(undefined, 'k', ['a', 'b'], 'a')).toBe('a');
  });
});
