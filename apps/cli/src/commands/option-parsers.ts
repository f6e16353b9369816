import { InvalidArgumentError } from 'commander';

/** A commander option parser taking a whole number from 1 to `max`, refusing anything else with the range. */
export function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`expected an integer from 1 to ${max}.`);
    return n;
  };
}
