/** Bad input to `pulse drift`: a file, a line, a column or an option, said in the message. */
export class DriftInputError extends Error {
  override readonly name = 'DriftInputError';
}
