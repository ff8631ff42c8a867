/**
 * The `payment` cloud function: the WeChat Pay notification for orders and deposit purchases
 * (server/payments.ts). Named as `functionName` in cloudPay.unifiedOrder. Returns { errcode: 0, errmsg: 'OK' }.
 */
import cloud from 'wx-server-sdk';
import { paymentMain } from '../../server/payments';

// No bootstrap check (a database round trip on every notification): WeChat Pay notifies only trades that an order
// or a deposit purchase started, and those exist only in a bootstrapped database.
export const main = paymentMain(() => String(cloud.getWXContext().SOURCE ?? ''));
