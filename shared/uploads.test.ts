import { cloudFileInFolder, paymentQrFolder } from './uploads';

test('a payment QR file id is accepted only inside the caller’s own folder', () => {
  const mine = paymentQrFolder('o_alice');
  expect(mine).toBe('payment-qr/o_alice');
  expect(cloudFileInFolder('cloud://env-1.bucket/payment-qr/o_alice/123-abc.png', mine)).toBe(true);
  for (const id of [
    'cloud://env-1.bucket/payment-qr/o_bob/123.png', // someone else's
    'cloud://env-1.bucket/payment-qr/o_alice', // the folder itself
    'cloud://env-1.bucket/payment-qr/o_alice/', // nothing in it
    'cloud://env-1.bucket/payment-qr/o_alice2/x.png', // a folder that starts the same
    'cloud://env-1.bucket/payment-qr/o_alice/../o_bob/x.png',
    'cloud://env-1.bucket/payment-qr/o_alice/./x.png',
    'cloud://env-1.bucket/license/o_alice/x.png',
    'cloud://env-1.bucket//payment-qr/o_alice/x.png',
    'cloud://env-1.bucket/payment-qr/o_alice/a b.png',
    'https://example.com/payment-qr/o_alice/x.png',
    'cloud://payment-qr/o_alice/x.png',
  ]) {
    expect([id, cloudFileInFolder(id, mine)]).toEqual([id, false]);
  }
});
