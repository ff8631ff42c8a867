/**
 * The local runtime's wx-server-sdk: the same export shape as the real package (a CommonJS-style object
 * with init, DYNAMIC_CURRENT_ENV, getWXContext, database, callFunction, cloudPay, openapi, uploadFile,
 * getTempFileURL, deleteFile, downloadFile, logger), working against the current local cloud.
 *
 * Jest maps `wx-server-sdk` here and tsconfig `paths` does too, so these types are what cloud functions
 * compile against. The deployed bundle keeps the real wx-server-sdk (external); only the local runtime
 * puts this module in its place. docs/localcloud.md lists what is supported and how it differs.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { currentInvocation, currentRuntime, WXContext } from '../context';
import { Database, DatabaseOptions, EngineAccess } from '../db/api';
import { CloudError } from '../errors';

export type { WXContext } from '../context';
export type {
  Database, DatabaseOptions, CollectionReference, DocumentReference, Query, Transaction, TransactionCollection,
  TransactionDocument, Aggregate, AnyDoc, GetResult, DocGetResult, AddResult, UpdateResult, SetResult,
  RemoveResult, CountResult, AggregateResult,
} from '../db/api';

/** `cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })`: the environment the function runs in. */
export const DYNAMIC_CURRENT_ENV: unique symbol = Symbol.for('DYNAMIC_CURRENT_ENV') as any;

export interface InitOptions {
  env?: string | symbol | { database?: string; functions?: string; storage?: string; default?: string };
  traceUser?: boolean;
  timeout?: number;
}

let initOptions: InitOptions = {};

export function init(options: InitOptions = {}): void {
  initOptions = { ...options };
}

/** The caller's identity and the invocation's source, injected by WeChat (cannot be forged by a client). */
export function getWXContext(): WXContext {
  const inv = currentInvocation();
  if (!inv) {
    // Outside exports.main the real SDK reads process.env and has no caller.
    return { ENV: typeof initOptions.env === 'string' ? initOptions.env : undefined };
  }
  return { ...inv.wx };
}

const access: EngineAccess = {
  engine: () => currentRuntime().engine,
  now: () => currentRuntime().clock.now(),
};

export function database(options: DatabaseOptions = {}): Database {
  return new Database(access, options);
}

export interface CallFunctionResult {
  result: any;
  errMsg: string;
  requestID: string;
}

/** Call another cloud function. The callee sees the caller's OPENID and SOURCE `<caller's SOURCE>,scf`. */
export async function callFunction(options: { name: string; data?: Record<string, any>; config?: { env?: string } }): Promise<CallFunctionResult> {
  if (!options || typeof options.name !== 'string') {
    throw new CloudError('INVALID_PARAM', -1, 'cloud.callFunction:fail name must be a string');
  }
  return currentRuntime().callFromFunction(options.name, options.data ?? {});
}

export interface CloudPayResult {
  returnCode: string;
  returnMsg?: string;
  resultCode?: string;
  errCode: number | string;
  errCodeDes?: string;
  errMsg: string;
  [k: string]: any;
}

export interface UnifiedOrderParams {
  body: string;
  outTradeNo: string;
  spbillCreateIp: string;
  subMchId: string;
  totalFee: number;
  envId: string;
  functionName: string;
  nonceStr: string;
  tradeType?: 'JSAPI';
  attach?: string;
  detail?: string;
  feeType?: string;
  timeStart?: string;
  timeExpire?: string;
  goodsTag?: string;
  limitPay?: string;
  [k: string]: any;
}

export interface UnifiedOrderResult extends CloudPayResult {
  prepayId?: string;
  /** Pass as-is to wx.requestPayment. */
  payment?: { appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string; [k: string]: any };
}

export interface RefundParams {
  sub_mch_id: string;
  nonce_str: string;
  out_trade_no?: string;
  transaction_id?: string;
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
  refund_desc?: string;
  functionName?: string;
  envId?: string;
  [k: string]: any;
}

/** cloudPay.* through the runtime's cloudPayCall (the profile's latency). */
const pay = <T>(fn: (rt: ReturnType<typeof currentRuntime>) => Promise<unknown>): Promise<T> => {
  const rt = currentRuntime();
  return rt.cloudPayCall(() => fn(rt)) as Promise<T>;
};

export const cloudPay = {
  unifiedOrder: (p: UnifiedOrderParams): Promise<UnifiedOrderResult> => pay((rt) => rt.pay.unifiedOrder(p)),
  queryOrder: (p: { subMchId: string; nonceStr: string; outTradeNo?: string; transactionId?: string }): Promise<CloudPayResult> =>
    pay((rt) => rt.pay.queryOrder(p)),
  closeOrder: (p: { subMchId: string; nonceStr: string; outTradeNo: string }): Promise<CloudPayResult> => pay((rt) => rt.pay.closeOrder(p)),
  refund: (p: RefundParams): Promise<CloudPayResult> => pay((rt) => rt.pay.refund(p)),
  queryRefund: (p: { sub_mch_id: string; nonce_str: string; out_trade_no?: string; out_refund_no?: string; transaction_id?: string }): Promise<CloudPayResult> =>
    pay((rt) => rt.pay.queryRefund(p)),
};

export interface SubscribeMessageParams {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string | number }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  lang?: string;
}

export const openapi = {
  subscribeMessage: {
    send: (p: SubscribeMessageParams): Promise<{ errCode: number; errMsg: string }> =>
      currentRuntime().openapiCall('subscribeMessage.send', () => currentRuntime().openapi.sendSubscribeMessage(p as unknown as Record<string, unknown>)),
  },
  wxacode: {
    getUnlimited: (p: { scene: string; page?: string; width?: number; checkPath?: boolean; envVersion?: string; autoColor?: boolean; lineColor?: object; isHyaline?: boolean }): Promise<{
      contentType: string;
      buffer: Buffer;
      errCode: number;
      errMsg: string;
    }> => currentRuntime().openapiCall('wxacode.getUnlimited', () => currentRuntime().openapi.getUnlimited(p as Record<string, unknown>)),
  },
};

export function uploadFile(p: { cloudPath: string; fileContent: Buffer | NodeJS.ReadableStream }): Promise<{ fileID: string; statusCode: number; errMsg: string }> {
  return currentRuntime().files.uploadFile(p);
}

export function getTempFileURL(p: { fileList: Array<string | { fileID: string; maxAge?: number }> }): Promise<{
  fileList: Array<{ fileID: string; tempFileURL: string; maxAge: number; status: number; errMsg: string }>;
  errMsg: string;
}> {
  return currentRuntime().files.getTempFileURL(p);
}

export function deleteFile(p: { fileList: string[] }): Promise<{ fileList: Array<{ fileID: string; status: number; errMsg: string }>; errMsg: string }> {
  return currentRuntime().files.deleteFile(p);
}

export function downloadFile(p: { fileID: string }): Promise<{ fileContent: Buffer; statusCode: number; errMsg: string }> {
  return currentRuntime().files.downloadFile(p);
}

export function logger() {
  const tag = () => `[${currentInvocation()?.functionName ?? 'cloud'}]`;
  return {
    log: (...a: unknown[]) => console.log(tag(), ...a),
    info: (...a: unknown[]) => console.info(tag(), ...a),
    warn: (...a: unknown[]) => console.warn(tag(), ...a),
    error: (...a: unknown[]) => console.error(tag(), ...a),
  };
}

/**
 * Marks this emulation (the real wx-server-sdk has no such field): lets server code tell a missing cloud
 * configuration apart from a local run, e.g. server/pay.ts platformSubMchId.
 */
export const LOCAL_RUNTIME = true;

const cloud = {
  LOCAL_RUNTIME,
  init,
  DYNAMIC_CURRENT_ENV,
  getWXContext,
  database,
  callFunction,
  cloudPay,
  openapi,
  uploadFile,
  getTempFileURL,
  deleteFile,
  downloadFile,
  logger,
};

export default cloud;
