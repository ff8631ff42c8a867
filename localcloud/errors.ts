/**
 * Errors shaped like the ones wx-server-sdk rejects with: an Error whose `errCode` and `errMsg` say what
 * the cloud says, plus a string `code` (the CloudBase error code, e.g. DATABASE_TRANSACTION_CONFLICT).
 */
export class CloudError extends Error {
  errCode: number | string;
  errMsg: string;
  code: string;
  constructor(code: string, errCode: number | string, errMsg: string) {
    super(errMsg);
    this.name = 'CloudError';
    this.code = code;
    this.errCode = errCode;
    this.errMsg = errMsg;
  }
}

/** The message CloudBase gives for a transaction conflict ([ResourceUnavailable.TransactionConflict]). */
export const CONFLICT_MESSAGE =
  '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.';

export function conflictError(detail?: string): CloudError {
  const e = new CloudError('DATABASE_TRANSACTION_CONFLICT', 'DATABASE_TRANSACTION_CONFLICT', CONFLICT_MESSAGE + (detail ? ` (${detail})` : ''));
  return e;
}

export function txFailError(detail: string): CloudError {
  return new CloudError('DATABASE_TRANSACTION_FAIL', 'DATABASE_TRANSACTION_FAIL', `[ResourceUnavailable.TransactionNotExist] ${detail}`);
}

export function collectionNotExist(api: string, name: string): CloudError {
  return new CloudError(
    'DATABASE_COLLECTION_NOT_EXIST',
    -502005,
    `${api}:fail -502005 database collection not exists. [ResourceNotFound] Db or Table not exist: ${name}. ` +
      `(local runtime: declare the collection in localcloud/indexes.json — the cloud needs it created in the console too)`,
  );
}

export function docNotExist(api: string, id: string): CloudError {
  return new CloudError('DATABASE_DOCUMENT_NOT_EXIST', -502004, `${api}:fail document with _id ${id} does not exist`);
}

export function requestFailed(api: string, detail: string): CloudError {
  return new CloudError('DATABASE_REQUEST_FAILED', -502001, `${api}:fail -502001 database request fail. ${detail}`);
}

export function invalidParam(api: string, detail: string): CloudError {
  return new CloudError('INVALID_PARAM', -501001, `${api}:fail -501001 ${detail}`);
}
