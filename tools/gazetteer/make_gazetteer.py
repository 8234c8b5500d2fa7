#!/usr/bin/env python3
"""make_gazetteer.py: a realistic address-point CSV for the fictional demo city of Riverton.

    tools/gazetteer/make_gazetteer.py [--count N] [--seed S] [-o FILE]

Writes `address,lat,long,zip` rows (RFC 4180, UTF-8, LF line ends), sorted by street and house
number. The city is laid out like a US city: a grid of numbered avenues running north-south and
tree-named streets running east-west, longer named roads at an angle, and short lanes, courts,
places and ways in the neighbourhoods. Each street is a straight line; a house number is a
distance along it (100 numbers a block), even numbers on one side and odd on the other, so
coordinates move steadily along a street. ZIP codes follow the part of town. A few streets carry
non-ASCII names ("Calle Ñandú", "Côte Brillante Lane") to exercise diacritic-insensitive search.

Deterministic: the same --count and --seed always give the same file. Python 3 stdlib only.
The demo city ships assets/demo/gazetteer.csv made with the defaults; the gazetteer benchmark
makes 100,000 rows with this script at run time.
"""
import argparse
import csv
import math
import random
import sys

CENTER_LAT, CENTER_LON = 40.05, -74.95
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTER_LAT))
BLOCK_M = 105.0  # one hundred house numbers
SETBACK_M = 14.0  # from the centre line to a front door

# Addresses that the UI tests type; they always exist in the file.
MUST_HAVE = [("Main Street", 120), ("Oak Avenue", 45), ("Calle Ñandú", 12), ("Pine Road", 9)]

ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "11th",
            "12th", "13th", "14th", "15th", "16th", "17th", "18th", "19th", "20th", "21st",
            "22nd", "23rd", "24th"]

TREES = ["Oak", "Elm", "Maple", "Pine", "Cedar", "Birch", "Walnut", "Chestnut", "Spruce",
         "Willow", "Ash", "Hickory", "Poplar", "Magnolia", "Sycamore", "Dogwood", "Cherry",
         "Laurel", "Juniper", "Aspen", "Locust", "Linden", "Hemlock", "Cypress", "Beech",
         "Holly", "Mulberry", "Hawthorn"]

# Long roads across town: (name, bearing in degrees from east, counter-clockwise).
ROADS = [("Main Street", 0), ("River Road", 20), ("Market Street", 0), ("Broad Street", 90),
         ("Church Street", 5), ("Mill Road", 35), ("Bridge Street", 80), ("Water Street", 15),
         ("Park Avenue", 95), ("Franklin Boulevard", 60), ("Washington Avenue", 88),
         ("Lincoln Avenue", 2), ("Jefferson Street", 92), ("Madison Avenue", 3),
         ("Riverside Drive", 25), ("Ferry Road", 120), ("Old Turnpike Road", 140),
         ("Canal Street", 10), ("College Avenue", 70), ("Station Road", 110),
         ("Harbor Boulevard", 30), ("Liberty Street", 85), ("Union Street", 175),
         ("Academy Street", 93), ("Highland Avenue", 45), ("Greenwood Avenue", 130),
         ("Delaware Avenue", 15), ("Hamilton Street", 178), ("Kings Highway", 50),
         ("Schoolhouse Lane", 100), ("North Broad Street", 90), ("South Broad Street", 90),
         ("East River Road", 20), ("West Main Street", 0), ("Calle Ñandú", 65),
         ("Avenida Peñasco", 155)]

# Neighbourhood names for the short streets, and the suffixes they take.
NAMES = ["Lakeview", "Sunset", "Meadow", "Orchard", "Brookside", "Hillcrest", "Fairview",
         "Glenwood", "Ridge", "Valley", "Spring", "Prospect", "Pleasant", "Garden", "Forest",
         "Heritage", "Colonial", "Harvest", "Quarry", "Foundry", "Tannery", "Cooper", "Miller",
         "Weaver", "Fletcher", "Bishop", "Carver", "Dalton", "Ellison", "Fenwick", "Grayson",
         "Hartley", "Ingram", "Jensen", "Kendall", "Lowell", "Merritt", "Norwood", "Ogden",
         "Preston", "Quincy", "Radcliffe", "Sheffield", "Thornton", "Upton", "Vernon",
         "Whitman", "Yardley", "Bayberry", "Clover", "Foxglove", "Heather", "Primrose",
         "Thistle", "Wren", "Heron", "Kingfisher", "Osprey", "Sparrow", "Bluebird",
         "Côte Brillante", "Saint-Rémi", "Müller", "O'Brien", "Zoë", "Belle Fontaine"]
SHORT_SUFFIXES = ["Lane", "Court", "Place", "Way", "Drive", "Road", "Street", "Lane", "Court"]

# ZIP codes by part of town: (zip, east-west half or None, north-south half or None).
ZIPS = {"centre": "08071", "ne": "08072", "nw": "08073", "se": "08074", "sw": "08075"}


def zip_for(x, y):
    """The ZIP of a point (metres east and north of the centre)."""
    if abs(x) < 1300 and abs(y) < 1000:
        return ZIPS["centre"]
    return ZIPS[("n" if y >= 0 else "s") + ("e" if x >= 0 else "w")]


class Street:
    def __init__(self, name, x0, y0, bearing, blocks):
        self.name, self.x0, self.y0 = name, x0, y0
        self.dx, self.dy = math.cos(math.radians(bearing)), math.sin(math.radians(bearing))
        self.blocks = blocks

    def capacity(self):
        return self.blocks * 100 - 1

    def point(self, number, rnd):
        """Latitude and longitude of a front door: along the street, on the side of its parity."""
        d = number / 100.0 * BLOCK_M
        side = 1.0 if number % 2 == 0 else -1.0
        off = SETBACK_M + rnd.uniform(-3.0, 3.0)
        x = self.x0 + self.dx * d - self.dy * off * side
        y = self.y0 + self.dy * d + self.dx * off * side
        return (round(CENTER_LAT + y / M_PER_DEG_LAT, 6),
                round(CENTER_LON + x / M_PER_DEG_LON, 6), zip_for(x, y))


def lay_out(rnd, scale):
    """The streets of Riverton; scale lengthens every street (more numbers for big --count)."""
    streets = []
    # Numbered avenues run north from the south edge, 260 m apart, west to east.
    for i, n in enumerate(ORDINALS):
        x = -3100 + i * 270
        streets.append(Street(f"{n} Avenue", x, -2900, 90, int(rnd.randint(40, 55) * scale)))
    # Tree streets run east from the west edge, 220 m apart, alternating Street and Avenue.
    for i, t in enumerate(TREES):
        y = -2800 + i * 210
        suffix = ("Avenue" if t in ("Oak", "Maple", "Cedar", "Walnut", "Linden")
                  else "Road" if t in ("Pine", "Hemlock") else "Street")
        streets.append(Street(f"{t} {suffix}", -3300, y, 0, int(rnd.randint(45, 62) * scale)))
    # Long roads start somewhere on the edge of town and cross it at their bearing.
    for name, bearing in ROADS:
        a = math.radians(bearing)
        x0 = -math.cos(a) * 3000 + rnd.uniform(-600, 600)
        y0 = -math.sin(a) * 2600 + rnd.uniform(-600, 600)
        streets.append(Street(name, x0, y0, bearing, int(rnd.randint(30, 58) * scale)))
    # Short streets in the neighbourhoods.
    for name in NAMES:
        suffix = rnd.choice(SHORT_SUFFIXES)
        x0, y0 = rnd.uniform(-3200, 3000), rnd.uniform(-2800, 2600)
        bearing = rnd.choice([0, 90, 180, 270]) + rnd.uniform(-25, 25)
        streets.append(Street(f"{name} {suffix}", x0, y0, bearing,
                              max(3, int(rnd.randint(3, 12) * scale))))
    names = set()
    for s in streets:
        assert s.name not in names, s.name
        names.add(s.name)
    return streets


def generate(count, seed):
    rnd = random.Random(seed)
    base = lay_out(random.Random(seed), 1.0)
    capacity = sum(s.capacity() for s in base)
    # Keep the city no more than 40% built up: big counts lengthen the streets.
    scale = max(1.0, count / (0.4 * capacity))
    streets = lay_out(random.Random(seed), scale) if scale > 1.0 else base
    weights = [s.capacity() for s in streets]
    total = sum(weights)
    by_name = {s.name: s for s in streets}
    chosen = {s.name: set() for s in streets}
    for name, number in MUST_HAVE:
        if count > len(MUST_HAVE):
            chosen[name].add(number)
    # Each street's share of the count follows its length; numbers are drawn without repeats,
    # denser near the start of the street (the old town), as real towns grow outwards.
    remaining = count - sum(len(v) for v in chosen.values())
    quotas = [int(remaining * w / total) for w in weights]
    short = remaining - sum(quotas)
    for i in rnd.sample(range(len(streets)), short):
        quotas[i] += 1
    for s, q in zip(streets, quotas):
        picked = chosen[s.name]
        cap = s.capacity()
        while q > 0:
            n = 1 + int(cap * rnd.random() ** 1.3)
            if n not in picked:
                picked.add(n)
                q -= 1
    rows = []
    for name in sorted(chosen, key=lambda n: (n.casefold(), n)):
        s = by_name[name]
        for number in sorted(chosen[name]):
            lat, lon, z = s.point(number, rnd)
            rows.append((f"{number} {name}", f"{lat:.6f}", f"{lon:.6f}", z))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description="Writes a gazetteer CSV for the demo city of Riverton.")
    ap.add_argument("--count", type=int, default=6000, help="how many address points (default 6000)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    args = ap.parse_args(argv)
    if args.count < 1 or args.count > 5_000_000:
        ap.error("--count must be between 1 and 5,000,000")
    rows = generate(args.count, args.seed)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")
    try:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["address", "lat", "long", "zip"])
        w.writerows(rows)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
