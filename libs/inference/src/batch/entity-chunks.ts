/** Entity ids in chunks of `size` (the last one smaller), each id checked to be a non-empty string. */
export async function* entityChunks(
  entities: Iterable<string> | AsyncIterable<string>,
  size: number,
): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  let k = 0;
  for await (const id of entities) {
    if (typeof id !== 'string' || id.length === 0)
      throw new TypeError(`entities[${k}] must be a non-empty string, got ${JSON.stringify(id)}`);
    k++;
    chunk.push(id);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
