// A filter the user typed that cannot be compiled: Wireshark's message and the columns it is about, so
// the filter bar can underline them. Never thrown past `compileFilter`.

export class FilterError extends Error {
  constructor(
    message: string,
    /** First column (0-based, in UTF-16 units of the filter text) the message is about. */
    readonly start: number,
    /** One past the last column. */
    readonly end: number,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}
