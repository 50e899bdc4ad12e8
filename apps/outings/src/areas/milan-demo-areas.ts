/** A GeoJSON polygon (RFC 7946): rings of [longitude, latitude], the first ring the outline. */
export type Polygon = { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };

export type AreaSeed = { code: string; name: string; district: number; shape: Polygon };

// Around a point: about 500 m by 500 m at Milan's latitude. The demo shapes are rough squares
// around places where the units go every night, two per Municipio; the city's own count areas
// (150 for racCONTAMI) replace them with a migration of their own when the City hands them over.
function around(longitude: number, latitude: number): Polygon {
  const dLon = 0.0032;
  const dLat = 0.00225;
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  const corner = (x: number, y: number): [number, number] => [round(longitude + x), round(latitude + y)];
  return {
    type: 'Polygon',
    coordinates: [
      [
        corner(-dLon, -dLat),
        corner(dLon, -dLat),
        corner(dLon, dLat),
        corner(-dLon, dLat),
        corner(-dLon, -dLat),
      ],
    ],
  };
}

/** The demo set of Milan's areas, grouped by the nine Municipi. */
export const milanDemoAreas: AreaSeed[] = [
  { code: 'duomo', name: 'Piazza del Duomo', district: 1, shape: around(9.19, 45.4642) },
  { code: 'cadorna', name: 'Stazione Cadorna', district: 1, shape: around(9.1757, 45.4683) },
  { code: 'stazione-centrale', name: 'Stazione Centrale', district: 2, shape: around(9.2045, 45.4862) },
  { code: 'loreto', name: 'Piazzale Loreto', district: 2, shape: around(9.2165, 45.4857) },
  { code: 'lambrate', name: 'Stazione Lambrate', district: 3, shape: around(9.2369, 45.4847) },
  { code: 'citta-studi', name: 'Città Studi', district: 3, shape: around(9.227, 45.478) },
  { code: 'rogoredo', name: 'Stazione Rogoredo', district: 4, shape: around(9.2388, 45.4334) },
  { code: 'corvetto', name: 'Piazzale Corvetto', district: 4, shape: around(9.2233, 45.4405) },
  { code: 'abbiategrasso', name: 'Piazzale Abbiategrasso', district: 5, shape: around(9.18, 45.43) },
  { code: 'gratosoglio', name: 'Gratosoglio', district: 5, shape: around(9.175, 45.41) },
  { code: 'porta-genova', name: 'Stazione Porta Genova', district: 6, shape: around(9.1706, 45.4537) },
  { code: 'piazza-napoli', name: 'Piazza Napoli', district: 6, shape: around(9.151, 45.451) },
  { code: 'piazzale-lotto', name: 'Piazzale Lotto', district: 7, shape: around(9.143, 45.478) },
  { code: 'baggio', name: 'Baggio', district: 7, shape: around(9.088, 45.462) },
  { code: 'piazzale-firenze', name: 'Piazzale Firenze', district: 8, shape: around(9.157, 45.489) },
  { code: 'certosa', name: 'Stazione Certosa', district: 8, shape: around(9.14, 45.504) },
  { code: 'porta-garibaldi', name: 'Stazione Porta Garibaldi', district: 9, shape: around(9.1875, 45.4845) },
  { code: 'bovisa', name: 'Stazione Bovisa', district: 9, shape: around(9.159, 45.502) },
];
