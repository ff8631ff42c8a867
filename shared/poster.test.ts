import { b62ToDigits, decodePosterScene, digitsToB62, encodePosterScene, posterPage, SCENE_MAX } from './poster';

describe('the poster scene (issue 15: store, product and referrer in 32 characters)', () => {
  test('digits go to base 62 and back exactly, leading zeros kept', () => {
    expect(digitsToB62('0')).toBe('A'); // 10 in base 62
    expect(digitsToB62('61')).toBe('2b'); // 161 = 2·62 + 37
    for (const d of ['0', '00', '0042', '123456', '99999999', '000000000000', '999999999999', '2026112820301212345678', '0000000000000000000000']) {
      expect(b62ToDigits(digitsToB62(d))).toBe(d);
    }
    expect(b62ToDigits('!!')).toBeNull();
    expect(b62ToDigits('0')).toBeNull(); // no leading 1: not one of ours
  });

  test('the longest ids fit in 30 characters, and decode to what was encoded', () => {
    const t = { merchantId: 'm999999999999', productId: 'p2026112823595999999999', referrerUserNo: '999999999999' };
    const scene = encodePosterScene(t)!;
    expect(scene.length).toBe(30);
    expect(scene.length).toBeLessThanOrEqual(SCENE_MAX);
    expect(scene).toMatch(/^[0-9A-Za-z.]+$/); // characters WeChat allows in a scene
    expect(decodePosterScene(scene)).toEqual(t);
    expect(decodePosterScene(encodeURIComponent(scene))).toEqual(t); // the page gets it URL-encoded
  });

  test('a store alone, a store and a referrer, a store and a product', () => {
    const store = { merchantId: 'm100234' };
    expect(encodePosterScene(store)).toBe(`P${digitsToB62('100234')}..`);
    expect(decodePosterScene(encodePosterScene(store))).toEqual(store);
    const shared = { merchantId: 'm100234', referrerUserNo: '004567' };
    expect(decodePosterScene(encodePosterScene(shared))).toEqual(shared);
    const product = { merchantId: 'm100234', productId: 'p2026112820301212345678' };
    expect(decodePosterScene(encodePosterScene(product))).toEqual(product);
    expect(posterPage(product)).toBe('pages/product/index');
    expect(posterPage(store)).toBe('pages/merchant/index');
  });

  test('ids the server does not make are refused, and foreign scenes are not posters', () => {
    expect(encodePosterScene({ merchantId: 'shop1' })).toBeNull();
    expect(encodePosterScene({ merchantId: 'm100234', productId: 'pABC' })).toBeNull();
    expect(encodePosterScene({ merchantId: 'm100234', referrerUserNo: '12' })).toBeNull();
    expect(decodePosterScene('m=m100234')).toBeNull(); // the pay code's scene
    expect(decodePosterScene('')).toBeNull();
    expect(decodePosterScene(undefined)).toBeNull();
    expect(decodePosterScene('P..')).toBeNull();
    expect(decodePosterScene('P1.%E0%A4%A.')).toBeNull(); // malformed escape
    expect(decodePosterScene(`P${digitsToB62('12')}..`)).toBeNull(); // a store number shorter than 4 digits
  });
});
