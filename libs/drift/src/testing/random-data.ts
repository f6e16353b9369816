// Seeded random samples for the reference specs: the same data on every run and machine.

/** mulberry32: a small seeded uniform generator on [0, 1). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a uniform generator. */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export type Shape = 'normal' | 'ties' | 'integers' | 'wide' | 'lognormal';

/** n draws of a shape, shifted by `shift` (in units of the shape's spread). */
export function sample(u: () => number, n: number, shape: Shape, shift: number): number[] {
  const z = normal(u);
  return Array.from({ length: n }, () => {
    const x = z() + shift;
    switch (shape) {
      case 'ties':
        return Math.round(x * 4) / 4;
      case 'integers':
        return Math.round(x * 3);
      case 'wide':
        return x * 1e6 + 1e9;
      case 'lognormal':
        return Math.exp(x);
      default:
        return x;
    }
  });
}

/** n categories drawn with weights; `categories` names them. */
export function categories(u: () => number, n: number, names: string[], weights: number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let r = u() * total;
    for (let i = 0; i < names.length; i++) {
      r -= weights[i];
      if (r < 0) return names[i];
    }
    return names[names.length - 1];
  });
}
