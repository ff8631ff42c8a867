/** The plain-language page's figures are the simulator's, regenerated; and they say what the page says. */
import * as fs from 'fs';
import * as path from 'path';
import { D } from './decimal';
import { explainerFigures, explainerModule } from './simExplainer';

describe('the plain-language page (pages/explain)', () => {
  const f = explainerFigures();

  test('shared/simExplainer.data.ts is what the simulator gives now (regenerate: npm run simulate -- --write-explainer shared/simExplainer.data.ts)', () => {
    expect(fs.readFileSync(path.join(__dirname, 'simExplainer.data.ts'), 'utf8')).toBe(explainerModule(f));
  });

  test('a purchase is converted a little each day, and each yuan earns less as the platform grows', () => {
    expect(f).toMatchObject({ purchaseYuan: '1000.00', rebateYuan: '100.00', svReceived: '1000.00', releasePerDay: '888.00', guidePrice: '2.00' });
    const [small, mid, growing, big] = f.scenarios;
    const at = (s: typeof small, day: number) => new D(s.after.find((a) => a.day === day)!.valueYuan);
    // the bigger the platform, the less the same ¥1000 purchase has received, on every checkpoint
    for (const day of [1, 30, 365, 1095]) {
      expect(at(small, day).gt(at(mid, day))).toBe(true);
      expect(at(mid, day).gt(at(big, day))).toBe(true);
      expect(at(mid, day).gte(at(growing, day))).toBe(true);
    }
    // a little each day: SV left only shrinks, points only grow
    for (const s of f.scenarios) {
      for (let i = 1; i < s.after.length; i++) {
        expect(new D(s.after[i].svLeft).lte(s.after[i - 1].svLeft)).toBe(true);
        expect(new D(s.after[i].points).gte(s.after[i - 1].points)).toBe(true);
      }
    }
    // day 1 at ¥50,000 a day: 888 × ¥2 of 61,200 SV, 2.90 % of everyone's SV converted
    expect(mid).toMatchObject({ day1SvTotal: '61200.00', day1ConvertedPercent: '2.90' });
    expect(big.halfDay).toBeNull();
  });
});
