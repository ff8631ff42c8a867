/**
 * The `payment` cloud function: the WeChat Pay notification for orders and deposit purchases
 * (server/payments.ts). Named as `functionName` in cloudPay.unifiedOrder. Returns { errcode: 0, errmsg: 'OK' }.
 */
import cloud from 'wx-server-sdk';
import { ensureBootstrap } from '../../server/config';
import { paymentMain } from '../../server/payments';

const inner = paymentMain(() => String(cloud.getWXContext().SOURCE ?? ''));

export const main = async (event: unknown) => {
  await ensureBootstrap();
  return inner(event);
};
