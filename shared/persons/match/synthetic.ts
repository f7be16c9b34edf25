import { areNicknames, nicknamesOf } from './nicknames.ts';

/**
 * A seeded synthetic population with known truth, to measure the matcher (scripts/match-eval.ts and its
 * test). People get names drawn with California-like skew (many GARCIAs and MARIAs, a long tail), a DOB, a
 * sex and an address; each dose is reported by a site that re-keys them with the errors registries see, at
 * rates from the literature on immunization-registry deduplication. Hard cases are planted on purpose:
 * twins, households, very common names, and pairs of different people with the same name and DOB.
 */

export interface SyntheticDose {
  /** The true person: what the matcher is measured against. */
  truth: number;
  fields: Record<string, string | undefined>;
}

export interface Population {
  people: number;
  sites: number;
  doses: SyntheticDose[];
}

export interface PopulationOptions {
  people: number;
  sites: number;
  seed: number;
}

/** Per-field error rates of one report of a person (per dose). */
export const ERROR_RATES = {
  firstTypo: 0.05,
  lastTypo: 0.04,
  nickname: 0.05,
  swapped: 0.015,
  dobTransposed: 0.015,
  dobDigit: 0.01,
  missingSex: 0.15,
  unknownSex: 0.05,
  missingAddress: 0.2,
  missingMiddle: 0.4,
  /** People who moved between doses. */
  moved: 0.1,
  /** Women whose surname changed between doses (marriage). */
  surnameChanged: 0.01,
} as const;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FEMALE =
  'MARIA JENNIFER ELIZABETH PATRICIA JESSICA GUADALUPE MARY SUSAN MARGARET LINDA SARAH KAREN NANCY LISA ANA ROSA ALEJANDRA DANIELA SOFIA ISABEL ASHLEY EMILY MICHELLE KIMBERLY AMANDA MELISSA STEPHANIE REBECCA LAURA ANGELA TERESA VERONICA GABRIELA CHRISTINA KATHERINE SAMANTHA NICOLE ANDREA JULIA CAROLINA BRENDA DIANA YESENIA LETICIA SANDRA DEBORAH BARBARA CYNTHIA ALICIA VICTORIA EMMA OLIVIA CHLOE HANNAH MEI LAN THI NGOC HUONG PRIYA ANJALI FATIMA AISHA YUKI MIN JI HYE GRACE JOYCE HELEN JUDITH DOLORES CONSUELO JOSEFINA CATHERINE ABIGAIL MADELINE FRANCES ANN'.split(
    ' ',
  );
const MALE =
  'JOSE JUAN MICHAEL DAVID JAMES ROBERT JOHN LUIS CARLOS DANIEL CHRISTOPHER WILLIAM JOSEPH ANTHONY MIGUEL JESUS FRANCISCO ALEJANDRO RICHARD THOMAS MATTHEW ANDREW JORGE MANUEL RICARDO EDUARDO FERNANDO ROBERTO JONATHAN KEVIN BRIAN STEVEN TIMOTHY ERIC RYAN JACOB NICHOLAS BENJAMIN SAMUEL ALEXANDER GABRIEL ADRIAN OSCAR SERGIO RAUL ARMANDO VICTOR ENRIQUE RAFAEL PEDRO HECTOR MARIO JAVIER SALVADOR GERARDO IGNACIO RAMON RODOLFO ANH MINH TUAN DUC WEI JUN HIROSHI RAJ AMIT MOHAMMED ALI OMAR KENNETH EDWARD CHARLES DONALD GEORGE FRANK PATRICK PETER LAWRENCE GREGORY DOUGLAS STEPHEN'.split(
    ' ',
  );
const SURNAMES =
  'GARCIA HERNANDEZ LOPEZ MARTINEZ RODRIGUEZ GONZALEZ PEREZ SANCHEZ RAMIREZ TORRES FLORES RIVERA GOMEZ DIAZ REYES MORALES CRUZ ORTIZ GUTIERREZ CHAVEZ RAMOS RUIZ ALVAREZ MENDOZA CASTILLO JIMENEZ VASQUEZ ROMERO HERRERA MEDINA AGUILAR VARGAS CASTRO GUZMAN FERNANDEZ MUNOZ SALAZAR SOTO DELGADO CONTRERAS ESTRADA NAVARRO SANDOVAL CERVANTES CAMPOS VEGA LUNA DOMINGUEZ RIOS OCHOA NGUYEN TRAN LE PHAM HUYNH VO KIM LEE PARK CHOI WONG CHEN WANG LI ZHANG LIU YANG HUANG WU LIN CHANG SINGH PATEL SHAH KUMAR KHAN TANAKA SATO NAKAMURA SMITH JOHNSON WILLIAMS BROWN JONES MILLER DAVIS WILSON ANDERSON TAYLOR THOMAS MOORE JACKSON MARTIN THOMPSON WHITE HARRIS CLARK LEWIS ROBINSON WALKER YOUNG ALLEN KING WRIGHT SCOTT HILL GREEN ADAMS BAKER NELSON CARTER MITCHELL ROBERTS TURNER PHILLIPS CAMPBELL PARKER EVANS EDWARDS COLLINS STEWART MORRIS MURPHY COOK ROGERS MORGAN COOPER PETERSON BAILEY REED KELLY HOWARD COX WARD RICHARDSON WATSON BROOKS WOOD JAMES BENNETT GRAY HUGHES PRICE SANDERS MYERS LONG ROSS FOSTER OBRIEN MCDONALD SULLIVAN'.split(
    ' ',
  );
const SYLLABLES =
  'KA LO MI RA SEN TO VAL DER BER MAN SON LEY HAR WICK STEIN BAUM OVA EK ANI OLU ADE ZAR QUIN BRO FEL MOR TAN GUL'.split(
    ' ',
  );
const STREET_NAMES =
  'MAIN OAK PINE MAPLE CEDAR ELM WASHINGTON LINCOLN JEFFERSON MADISON SUNSET MISSION EL CAMINO SAN PABLO BROADWAY PARK LAKE HILL VALLEY VISTA CENTRAL FIRST SECOND THIRD FOURTH FIFTH OLIVE WALNUT CHESTNUT SYCAMORE WILLOW LAUREL MAGNOLIA ALAMEDA FIGUEROA VERMONT WESTERN NORMANDIE ATLANTIC PACIFIC OCEAN BEACH HARBOR'.split(
    ' ',
  );
const STREET_TYPES = [
  ['STREET', 'ST'],
  ['AVENUE', 'AVE'],
  ['BOULEVARD', 'BLVD'],
  ['DRIVE', 'DR'],
  ['ROAD', 'RD'],
  ['LANE', 'LN'],
  ['COURT', 'CT'],
  ['WAY', 'WAY'],
] as const;
const COUNTIES =
  'LOS ANGELES,SAN DIEGO,ORANGE,RIVERSIDE,SAN BERNARDINO,SANTA CLARA,ALAMEDA,SACRAMENTO,CONTRA COSTA,FRESNO,KERN,SAN FRANCISCO,VENTURA,SAN MATEO,SAN JOAQUIN'.split(
    ',',
  );
const ACCENTED: Record<string, string> = {
  JOSE: 'JOSÉ',
  RAMIREZ: 'RAMÍREZ',
  MUNOZ: 'MUÑOZ',
  JESUS: 'JESÚS',
  PEREZ: 'PÉREZ',
};

interface Address {
  street: string;
  street2?: string;
  city: string;
  county: string;
  zip: string;
}

interface Person {
  first: string;
  middle?: string;
  last: string;
  dob: string;
  sex: 'F' | 'M';
  address: Address;
  moved?: Address;
  newLast?: string;
}

export function syntheticPopulation(opts: PopulationOptions): Population {
  const rnd = mulberry32(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  /** Zipf-like: the head of a list is far more common than its tail, as with real names. */
  const zipf = <T>(xs: readonly T[]): T => xs[Math.floor(xs.length * rnd() ** 2.2)]!;
  const chance = (p: number) => rnd() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  const tailName = () => {
    let s = '';
    for (let i = int(2, 3); i > 0; i--) s += pick(SYLLABLES);
    return s;
  };
  const surname = () => {
    if (chance(0.35)) return tailName();
    const s = zipf(SURNAMES);
    return chance(0.06) ? `${s}-${zipf(SURNAMES)}` : s;
  };
  const given = (sex: 'F' | 'M') => (chance(0.12) ? tailName() : zipf(sex === 'F' ? FEMALE : MALE));
  const zips = Array.from({ length: Math.max(50, Math.floor(opts.people / 60)) }, () =>
    String(int(90001, 96161)),
  );
  const cityOf = new Map(
    zips.map((z) => [z, `${pick(STREET_NAMES)} ${pick(['CITY', 'VALLEY', 'HILLS', 'PARK', ''])}`.trim()]),
  );
  const countyOf = new Map(zips.map((z) => [z, pick(COUNTIES)]));
  const address = (): Address => {
    const zip = zipf(zips);
    const [long] = pick(STREET_TYPES);
    return {
      street: `${int(1, 19999)} ${pick(STREET_NAMES)} ${long}`,
      ...(chance(0.25) ? { street2: `APT ${int(1, 400)}` } : {}),
      city: cityOf.get(zip)!,
      county: countyOf.get(zip)!,
      zip,
    };
  };
  const dob = () => {
    const d = new Date(Date.UTC(1930, 0, 1) + Math.floor(rnd() * 85 * 365.25) * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  const newPerson = (): Person => {
    const sex = chance(0.5) ? 'F' : 'M';
    const p: Person = { first: given(sex), last: surname(), dob: dob(), sex, address: address() };
    if (chance(0.6)) p.middle = chance(0.5) ? given(sex) : given(sex)[0]!;
    if (chance(ERROR_RATES.moved)) p.moved = address();
    if (sex === 'F' && chance(ERROR_RATES.surnameChanged)) p.newLast = surname();
    return p;
  };

  const people: Person[] = [];
  while (people.length < opts.people) {
    const p = newPerson();
    people.push(p);
    const r = rnd();
    if (r < 0.01) {
      // Twins: same surname, DOB and home, another given name.
      const sex = chance(0.5) ? p.sex : p.sex === 'F' ? 'M' : 'F';
      // Parents do not give twins two forms of one name (JOHN and JUAN).
      let first = given(sex);
      while (areNicknames(first, p.first)) first = given(sex);
      people.push({ ...p, first, sex, middle: undefined, newLast: undefined });
    } else if (r < 0.05) {
      // A household member: same surname and home, another generation.
      const sex = chance(0.5) ? 'F' : 'M';
      people.push({ ...newPerson(), last: p.last, address: p.address, sex, first: given(sex) });
    } else if (r < 0.0505) {
      // Two different people who share a common name and DOB (a few in any large population), living apart.
      const [first, last] = [zipf(p.sex === 'F' ? FEMALE : MALE), zipf(SURNAMES)];
      people[people.length - 1] = { ...p, first, last };
      people.push({ ...newPerson(), first, last, dob: p.dob, sex: p.sex });
    } else if (r < 0.07) {
      // The very common names.
      const [first, last, sex] = chance(0.5)
        ? ['JOSE', 'GARCIA', 'M' as const]
        : ['MARIA', 'HERNANDEZ', 'F' as const];
      people.push({ ...newPerson(), first, last, sex });
    }
  }
  people.length = opts.people;

  const sites = Array.from({ length: opts.sites }, (_, i) => ({
    iis_id: `ORG${String(100000 + i * 7)}`,
    next: 1,
  }));
  /** Each site's patient ID for a person, kept so the same person gets the same ID at the same site. */
  const patientIds = new Map<string, string>();

  const typo = (s: string): string => {
    if (s.length < 3) return s;
    const i = int(1, s.length - 1);
    const letter = String.fromCharCode(65 + int(0, 25));
    switch (int(0, 3)) {
      case 0:
        return s.slice(0, i) + letter + s.slice(i + 1);
      case 1:
        return s.slice(0, i) + s.slice(i + 1);
      case 2:
        return s.slice(0, i) + letter + s.slice(i);
      default:
        return i < s.length - 1 ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
    }
  };
  const casing = (s: string) => {
    const styled = chance(0.1) && ACCENTED[s] ? ACCENTED[s] : s;
    return chance(0.3) ? styled.charAt(0) + styled.slice(1).toLowerCase() : styled;
  };

  const report = (p: Person, truth: number, site: (typeof sites)[number], later: boolean): SyntheticDose => {
    let first = p.first;
    let last = later && p.newLast ? p.newLast : p.last;
    const nick = nicknamesOf(first);
    if (nick.length && chance(ERROR_RATES.nickname)) first = pick(nick);
    if (chance(ERROR_RATES.firstTypo)) first = typo(first);
    if (last.includes('-')) {
      const [a, b] = last.split('-') as [string, string];
      const r = rnd();
      last = r < 0.2 ? a : r < 0.3 ? b : r < 0.4 ? `${a} ${b}` : last;
    }
    if (chance(ERROR_RATES.lastTypo)) last = typo(last);
    if (chance(0.02)) last = `${last} ${pick(['JR', 'Jr.', 'III'])}`;
    if (chance(ERROR_RATES.swapped)) [first, last] = [last, first];
    let birth = p.dob;
    const [y, m, d] = birth.split('-') as [string, string, string];
    if (chance(ERROR_RATES.dobTransposed) && Number(d) <= 12 && d !== m) birth = `${y}-${d}-${m}`;
    else if (chance(ERROR_RATES.dobDigit)) {
      const i = pick([2, 3, 6, 9]);
      birth = birth.slice(0, i) + String((Number(birth[i]) + int(1, 2)) % 10) + birth.slice(i + 1);
      if (Number.isNaN(Date.parse(birth))) birth = p.dob;
    }
    const home = later && p.moved ? p.moved : p.address;
    const withAddress = !chance(ERROR_RATES.missingAddress);
    const [long, short] = STREET_TYPES.find(([l]) => home.street.endsWith(l))!;
    const street = chance(0.5) ? home.street : home.street.replace(long, chance(0.5) ? short : `${short}.`);
    const key = `${site.iis_id}|${truth}`;
    let recip = patientIds.get(key);
    // A site's EHR sometimes holds the same person twice under two IDs.
    if (!recip || chance(0.02)) {
      recip = `${site.iis_id.slice(-3)}${String(site.next++).padStart(7, '0')}`;
      patientIds.set(key, recip);
    }
    const sex = chance(ERROR_RATES.missingSex) ? undefined : chance(ERROR_RATES.unknownSex) ? 'U' : p.sex;
    return {
      truth,
      fields: {
        iis_id: site.iis_id,
        recip_id: recip,
        recip_first_name: casing(first),
        recip_middle_name: p.middle && !chance(ERROR_RATES.missingMiddle) ? p.middle : undefined,
        recip_last_name: casing(last),
        recip_dob: birth,
        recip_sex: sex,
        recip_address_street: withAddress ? casing(street) : undefined,
        recip_address_street_2: withAddress ? home.street2 : undefined,
        recip_address_city: withAddress ? home.city : undefined,
        recip_address_county: withAddress ? home.county : undefined,
        recip_address_state: withAddress ? 'CA' : undefined,
        recip_address_zip:
          withAddress || chance(0.5)
            ? chance(0.2)
              ? `${home.zip}-${int(1000, 9999)}`
              : home.zip
            : undefined,
      },
    };
  };

  const events: { day: number; dose: SyntheticDose }[] = [];
  people.forEach((p, truth) => {
    const r = rnd();
    const count = r < 0.15 ? 1 : r < 0.8 ? 2 : 3;
    let site = pick(sites);
    let day = int(0, 180);
    for (let i = 0; i < count; i++) {
      // Second doses mostly at the same site; boosters anywhere.
      if (i > 0 && (i === 2 || chance(0.45))) site = pick(sites);
      events.push({ day, dose: report(p, truth, site, i > 0) });
      day += i === 0 ? int(21, 42) : int(150, 300);
    }
  });
  events.sort((a, b) => a.day - b.day);
  return { people: opts.people, sites: opts.sites, doses: events.map((e) => e.dose) };
}
