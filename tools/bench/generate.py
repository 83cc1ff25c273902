#!/usr/bin/env python3
"""Build a large, realistic lot genealogy in an Odoo 18.0 or 19.0 database, with bulk SQL.

The database must have ``trace_compliance`` (and usually ``trace_recall``) installed,
without demo data. Master data (products, bills of materials, vendors, customers) is
created with the ORM; the documents are written with ``COPY`` exactly as Odoo stores them
when they are validated: done receipts from vendors (supplier -> stock, the vendor on the
transfer and the vendor's lot number on the line), done manufacturing orders (components
stock -> production on ``move_raw_ids``, the produced lot production -> stock on
``move_finished_ids``, Odoo's consumed/produced relation ``stock_move_line_consume_rel``
between them), done deliveries to customers (stock -> customer, the customer on the
transfer), then the quants (on-hand per lot and location, as Odoo's moves leave them).
No accounting entries, valuation layers or procurement groups (19.0: production groups)
are written.

The rows follow the schema of the database they go to: each table gets the columns of
``COLUMNS`` that it has (the two series' columns differ, e.g. 18.0's ``stock_move.name``),
and the produced lot goes where the series keeps it (18.0's ``lot_producing_id`` column,
19.0's ``lot_producing_ids`` relation): see ``document_tables``. The same seed gives the
same genealogy on both series.

The shape, per simulated day (so the structure around a given day does not depend on how
many days are generated, and a lot traced at 100,000 lines has the same subgraph at
1,000,000):

- 30 raw-material lots received (20 ingredients, 4 packagings; 1 or 2 lots a day each),
  from 12 vendors, plus one lot of a process additive every 120 days (the *hub*: every
  premix using it draws on that one lot for 120 days: the widest recall there is);
- 5 levels of manufacturing: 40 premix, 30 blend, 22 base, 16 semi-finished and 30
  finished-good orders a day, each from its bill of materials (2 or 3 components, the
  finished goods with a packaging), each component drawn from 1 to 3 lots (fan-in) of
  the last 3 days, so each lot goes into several orders (fan-out);
- 80 deliveries a day of 1 to 5 finished-good lots each to one of the customers.

That is about 925 done move lines a day; days are generated until ``--lines`` is reached:
1,000,000 lines is about 1,080 days, 180,000 lots, 150,000 manufacturing orders and
86,000 deliveries.

Usage::

    python3 -m tools.bench.generate --db trace_bench --lines 1000000
"""

import argparse
import io
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from tools import odoo_env

START = datetime(2020, 1, 6)
WINDOW = 3  # days a lot stays available to the next level (and to deliveries)
HUB_PERIOD = 120  # days one hub (process additive) lot lasts
VENDORS = 12
RAW_PRODUCTS = 20
PACKAGINGS = 4
# level: (code prefix, name, number of products, manufacturing orders a day)
LEVELS = {
    1: ("PM", "Premix", 16, 40),
    2: ("BL", "Blend", 12, 30),
    3: ("BS", "Base", 10, 22),
    4: ("SF", "Semi-finished", 8, 16),
    5: ("FG", "Finished good", 20, 30),
}
DELIVERIES_PER_DAY = 80
LINES_PER_DELIVERY = ((1, 0.25), (2, 0.25), (3, 0.2), (4, 0.15), (5, 0.15))
LOTS_PER_COMPONENT = ((1, 0.6), (2, 0.3), (3, 0.1))
COPY_CHUNK = 50_000
HUB = (0, RAW_PRODUCTS + PACKAGINGS)  # (level, index) of the process additive


def load_registry(dbname):
    """The Odoo registry of ``dbname``, configured like the launcher configures Odoo."""
    odoo_env.import_odoo()
    import odoo.modules.registry  # noqa: PLC0415
    import odoo.tools  # noqa: PLC0415  (19.0's ``import odoo`` imports no subpackage)

    if not odoo.tools.config.get("trace_bench_configured"):
        pg = odoo_env.pg_settings()
        odoo.tools.config.parse_config(
            [
                f"--addons-path={odoo_env.addons_path()}",
                f"--data-dir={odoo_env.data_dir()}",
                f"--db_host={pg['host']}",
                f"--db_port={pg['port']}",
                f"--db_user={pg['user']}",
                "--http-interface=127.0.0.1",  # no server is started; 19.0 warns without it
                "--log-level=warn",
            ]
        )
        odoo.tools.config["trace_bench_configured"] = True
    return odoo.modules.registry.Registry(dbname)


def pick(rng, weighted):
    """A value of ``weighted`` ((value, probability), ...), with one draw of ``rng``."""
    draw, total = rng.random(), 0.0
    for value, probability in weighted:
        total += probability
        if draw < total:
            return value
    return weighted[-1][0]


def bom_components(level, index):
    """(level, product index) of the components of product ``index`` of ``level``.

    Level 0 holds the ingredients (0-19), the packagings (20-23) and the hub (24).
    """
    if level == 1:
        parts = [(0, index * 3 % 20), (0, (index * 3 + 7) % 20)]
        if index % 4 == 0:
            parts.append((0, (index * 3 + 13) % 20))
        if index % 2 == 0:
            parts.append(HUB)
        return parts
    below = LEVELS[level - 1][2]
    step, third = {2: (5, 11), 3: (4, 9), 4: (3, 7), 5: (3, None)}[level]
    parts = [(level - 1, index % below), (level - 1, (index + step) % below)]
    if level == 5:
        parts.append((0, RAW_PRODUCTS + index % PACKAGINGS))
    elif index % (3 if level == 2 else 2) == 0:
        parts.append((level - 1, (index + third) % below))
    return parts


class Genealogy:
    """The documents of the simulated days, in memory, before they are written.

    Lots are indexes into ``lots`` ([product key, name, vendor lot number]); ``outflow``
    is what left each lot, so a lot's received or produced quantity covers it.
    """

    def __init__(self, seed, customers):
        self.seed = seed
        self.customers = customers
        self.lots = []
        self.outflow = []
        self.leftover = []
        self.events = []  # ("receipt", day, vendor, [lot]) / ("mo", ...) / ("delivery", ...)
        self.lines = 0
        self.days = 0
        self.pools = defaultdict(deque)  # product key -> (day, lot) still available
        self.hub_lot = None

    def new_lot(self, key, name, day, vendor_lot=None):
        self.lots.append((key, name, vendor_lot))
        self.outflow.append(0.0)
        self.pools[key].append((day, len(self.lots) - 1))
        return len(self.lots) - 1

    def available(self, key, day):
        pool = self.pools[key]
        while pool and pool[0][0] < day - WINDOW:
            pool.popleft()
        return [lot for _day, lot in pool]

    def draw(self, rng, lots, count):
        count = min(count, len(lots))
        return rng.sample(lots, count) if count else []

    def generate_day(self, day):
        rng = random.Random(self.seed * 1_000_003 + day)
        # Receipts: one per vendor, each lot one line.
        by_vendor = defaultdict(list)
        for index in range(RAW_PRODUCTS + PACKAGINGS):
            for extra in range(1 + (rng.random() < 0.25)):
                vendor = (index + extra) % VENDORS
                key = (0, index)
                name = f"{product_code(key)}-{day:04d}-{extra + 1:02d}"
                vendor_lot = f"V{vendor + 1:02d}-{day:04d}{index:02d}{extra}"
                by_vendor[vendor].append(self.new_lot(key, name, day, vendor_lot))
        if day % HUB_PERIOD == 0:
            self.hub_lot = self.new_lot(HUB, f"{product_code(HUB)}-{day:04d}-01", day, f"HUB-{day:04d}")
            by_vendor[VENDORS].append(self.hub_lot)
        for vendor, lots in sorted(by_vendor.items()):
            self.events.append(("receipt", day, vendor, lots))
            self.lines += len(lots)
        # Manufacturing, level by level: a level may use what the level below made today.
        made_today = defaultdict(int)
        for level, (_prefix, _name, products, per_day) in LEVELS.items():
            for order in range(per_day):
                index = (day * per_day + order) % products
                components = []
                for part in bom_components(level, index):
                    if part == HUB:
                        lots = [self.hub_lot]  # one lot in use for HUB_PERIOD days
                    else:
                        lots = self.draw(rng, self.available(part, day), pick(rng, LOTS_PER_COMPONENT))
                    used = []
                    for lot in lots:
                        quantity = float(5 + int(rng.random() * 46) if level == 1 else 1 + int(rng.random() * 20))
                        self.outflow[lot] += quantity
                        used.append((lot, quantity))
                    if used:
                        components.append((part, used))
                if not components:
                    continue
                key = (level, index)
                made_today[key] += 1
                lot = self.new_lot(key, f"{product_code(key)}-{day:04d}-{made_today[key]:02d}", day)
                self.events.append(("mo", day, level, order, key, lot, components))
                self.lines += 1 + sum(len(used) for _part, used in components)
        # Deliveries of finished goods made in the last days.
        finished = [lot for index in range(LEVELS[5][2]) for lot in self.available((5, index), day)]
        for _delivery in range(DELIVERIES_PER_DAY):
            partner = int(rng.random() * self.customers)
            count = pick(rng, LINES_PER_DELIVERY)
            lines = []
            for lot in sorted(self.draw(rng, finished, count)):
                quantity = float(1 + int(rng.random() * 12))
                self.outflow[lot] += quantity
                lines.append((lot, quantity))
            if lines:
                self.events.append(("delivery", day, partner, lines))
                self.lines += len(lines)
        self.days = day + 1

    def finish(self):
        """What each lot was received or produced with: its outflow, plus what stays in
        stock (0 to 25 %; unused lots get 10 to 100 units)."""
        rng = random.Random(self.seed)
        self.leftover = [
            float(int(out * rng.random() * 0.25)) if out else float(10 + int(rng.random() * 91)) for out in self.outflow
        ]

    def inflow(self, lot):
        return self.outflow[lot] + self.leftover[lot]


def product_label(key):
    """The default code and the name of the product ``key`` (level, index)."""
    level, index = key
    number = index + 1
    if level:
        prefix, name = LEVELS[level][:2]
        return f"{prefix}{number:02d}", f"{name} {number:02d}"
    if index < RAW_PRODUCTS:
        return f"RM{number:02d}", f"Ingredient {number:02d}"
    if index < RAW_PRODUCTS + PACKAGINGS:
        return f"PK{number - RAW_PRODUCTS:02d}", f"Packaging {number - RAW_PRODUCTS:02d}"
    return "HUB", "Process additive"


def product_code(key):
    return product_label(key)[0]


def product_name(key):
    return product_label(key)[1]


class CopyWriter:
    """Rows buffered per table and written with COPY, in the order of ``tables``.

    A row is a dict of the values of its columns by name; the columns written are those of
    ``tables`` (the ones the table has), so a row may name a column that only the other
    series has. The first row of each table must name every column of ``expected``."""

    def __init__(self, cr, tables, expected):
        self.cr = cr
        self.tables = tables  # name -> columns, in foreign-key order
        self.expected = expected  # name -> the columns every row names
        self.buffers = {name: [] for name in tables}
        self.counts = dict.fromkeys(tables, 0)

    def add(self, table, row):
        buffer = self.buffers[table]
        if not buffer and not self.counts[table] and set(row) != set(self.expected[table]):
            raise ValueError(f"{table}: a row names {sorted(set(row) ^ set(self.expected[table]))} unexpectedly")
        buffer.append(row)
        if len(buffer) >= COPY_CHUNK:
            self.flush()

    def flush(self):
        from psycopg2 import sql  # noqa: PLC0415

        for table, columns in self.tables.items():
            rows = self.buffers[table]
            if not rows:
                continue
            data = io.StringIO()
            for row in rows:
                data.write("\t".join(r"\N" if row[column] is None else str(row[column]) for column in columns))
                data.write("\n")
            data.seek(0)
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            self.cr.copy_expert(statement.as_string(self.cr._obj), data)
            self.counts[table] += len(rows)
            rows.clear()


# The columns the documents are written with, per table in foreign-key order: every column
# that either series stores for them (the produced lot: ``ProducingLot``). A table gets those
# it has (``document_tables``):
#   18.0 only: stock_lot.product_uom_id, stock_picking.date, stock_move.name, scrapped, is_done,
#              order_finished_lot_id, stock_move_line.reference;
#   19.0 only: stock_picking.shipping_weight, stock_move.packaging_uom_id, packaging_uom_qty and
#              stock_account's is_in, is_out, is_dropship, value.
COLUMNS = {
    "stock_lot": (
        "id product_id product_uom_id company_id name vendor_lot_number quality_status "
        "create_uid create_date write_uid write_date"
    ).split(),
    "stock_picking": (
        "id name picking_type_id location_id location_dest_id partner_id company_id user_id move_type state "
        "priority is_locked has_deadline_issue shipping_weight scheduled_date date date_done create_uid "
        "create_date write_uid write_date"
    ).split(),
    "mrp_production": (
        "id name product_id product_uom_id product_qty product_uom_qty qty_producing "
        "picking_type_id location_src_id location_dest_id production_location_id bom_id user_id company_id "
        "state consumption priority backorder_sequence is_locked is_planned date_start date_finished "
        "create_uid create_date write_uid write_date"
    ).split(),
    "stock_move": (
        "id name reference origin sequence company_id product_id product_uom location_id location_dest_id "
        "partner_id picking_id picking_type_id warehouse_id state priority procure_method product_qty "
        "product_uom_qty quantity packaging_uom_id packaging_uom_qty picked scrapped propagate_cancel additional "
        "is_done unit_factor manual_consumption production_id raw_material_production_id bom_line_id "
        "order_finished_lot_id is_in is_out is_dropship value to_refund date create_uid create_date write_uid "
        "write_date"
    ).split(),
    "stock_move_line": (
        "id move_id picking_id production_id company_id product_id product_uom_id lot_id location_id "
        "location_dest_id state reference quantity quantity_product_uom picked vendor_lot_number date "
        "create_uid create_date write_uid write_date"
    ).split(),
    "stock_move_line_consume_rel": ["consume_line_id", "produce_line_id"],
}


@dataclass
class ProducingLot:
    """Where a manufacturing order keeps the lot it produces, from the registry: its
    ``compat.PRODUCING_LOT_FIELD`` is a column of ``mrp_production`` (18.0's
    ``lot_producing_id``) or a relation table (19.0's ``lot_producing_ids``:
    ``mrp_production_stock_lot_rel``)."""

    column: str | None  # the mrp_production column, or None
    relation: str | None  # the relation table, or None
    production_column: str | None = None
    lot_column: str | None = None

    @classmethod
    def of(cls, env):
        from odoo.addons.trace_compliance import compat  # noqa: PLC0415

        field = env["mrp.production"]._fields[compat.PRODUCING_LOT_FIELD]
        if field.type == "many2many":
            return cls(None, field.relation, field.column1, field.column2)
        return cls(field.name, None)

    def columns(self):
        """The columns of the relation table (none without one)."""
        return [self.production_column, self.lot_column] if self.relation else []


def document_tables(cr, producing):
    """The tables the documents are written to, in foreign-key order, with the columns of
    each that ``COLUMNS`` and the produced lot (``producing``) name and the database has;
    and the columns named that it has not (the other series'). Fails when the database
    requires a column that no row gives a value for."""
    expected = {}
    for table, columns in COLUMNS.items():
        expected[table] = list(columns)
        if table == "mrp_production":
            if producing.column:
                expected[table].append(producing.column)
            if producing.relation:
                expected[producing.relation] = producing.columns()
    cr.execute(
        """
        SELECT table_name, column_name, is_nullable = 'NO' AND column_default IS NULL
          FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ANY(%s)
        """,
        [list(expected)],
    )
    present, required = defaultdict(set), defaultdict(set)
    for table, column, is_required in cr.fetchall():
        present[table].add(column)
        if is_required:
            required[table].add(column)
    tables = {table: [c for c in columns if c in present[table]] for table, columns in expected.items()}
    missing = sorted(f"{table}.{column}" for table in tables for column in required[table] - set(tables[table]))
    if missing:
        raise RuntimeError(f"The generator writes no value for the required columns {', '.join(missing)}")
    absent = [f"{table}.{c}" for table, columns in COLUMNS.items() for c in columns if c not in present[table]]
    return tables, expected, absent


def next_id(cr, table):
    from psycopg2 import sql  # noqa: PLC0415

    cr.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(sql.Identifier(table)).as_string(cr._obj))
    return cr.fetchone()[0]


def master_data(env, customers):
    """Products, bills of materials, vendors and customers (ORM); returns the ids the
    documents need."""
    Partner = env["res.partner"].with_context(tracking_disable=True)
    vendors = Partner.create(
        [{"name": f"Bench Vendor {n + 1:02d}", "is_company": True, "supplier_rank": 1} for n in range(VENDORS + 1)]
    )
    country = env.ref("base.us")
    clients = Partner.create(
        [
            {
                "name": f"Bench Customer {n + 1:05d}",
                "is_company": True,
                "customer_rank": 1,
                "street": f"{n + 1} Market Street",
                "city": "Springfield",
                "zip": f"{10000 + n % 90000}",
                "country_id": country.id,
                "email": f"recalls{n + 1}@customer{n + 1}.example.com",
                "phone": f"+1 555 {n % 10000:04d}",
            }
            for n in range(customers)
        ]
    )
    Product = env["product.product"].with_context(tracking_disable=True)
    # A category of its own: 19.0 has no "All" category (product.product_category_all).
    category = env["product.category"].create({"name": "Bench products"})
    keys = [(0, n) for n in range(RAW_PRODUCTS + PACKAGINGS + 1)]
    keys += [(level, n) for level, (_p, _n, count, _d) in LEVELS.items() for n in range(count)]
    products = Product.create(
        [
            {
                "name": product_name(key),
                "default_code": product_code(key),
                "is_storable": True,
                "tracking": "lot",
                "categ_id": category.id,
            }
            for key in keys
        ]
    )
    product_ids = dict(zip(keys, products.ids, strict=True))
    boms = env["mrp.bom"].create(
        [
            {
                "product_tmpl_id": products[keys.index(key)].product_tmpl_id.id,
                "product_qty": 1.0,
                "consumption": "flexible",
                "bom_line_ids": [
                    (0, 0, {"product_id": product_ids[part], "product_qty": 1.0}) for part in bom_components(*key)
                ],
            }
            for key in keys
            if key[0]
        ]
    )
    bom_ids, bom_line_ids = {}, {}
    for key, bom in zip([key for key in keys if key[0]], boms, strict=True):
        bom_ids[key] = bom.id
        for part, bom_line in zip(bom_components(*key), bom.bom_line_ids.sorted("id"), strict=True):
            bom_line_ids[key, part] = bom_line.id
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    # The defaults the ORM gives a new move that the documents would not set otherwise
    # (stock_account's to_refund: True on 19.0, none on 18.0).
    Move = env["stock.move"]
    move_defaults = Move.default_get([name for name in ("to_refund",) if name in Move._fields])
    return {
        "vendors": vendors.ids,
        "customers": clients.ids,
        "products": product_ids,
        "boms": bom_ids,
        "bom_lines": bom_line_ids,
        "uom": env.ref("uom.product_uom_unit").id,
        "company": env.company.id,
        "user": env.ref("base.user_admin").id,
        "warehouse": warehouse,
        "stock": warehouse.lot_stock_id.id,
        "supplier": env.ref("stock.stock_location_suppliers").id,
        "customer": env.ref("stock.stock_location_customers").id,
        "production": products[0].property_stock_production.id,
        "in_type": warehouse.in_type_id,
        "out_type": warehouse.out_type_id,
        "mo_type": warehouse.manu_type_id,
        "to_refund": move_defaults.get("to_refund"),
        "producing": ProducingLot.of(env),
    }


def write_documents(cr, genealogy, ids, tables, expected):
    """Every document of ``genealogy`` with COPY, in chronological order (ids grow with time),
    to ``tables`` ({table: columns}, from ``document_tables``)."""
    writer = CopyWriter(cr, tables, expected)
    first = {table: next_id(cr, table) for table, columns in tables.items() if "id" in columns}
    counter = dict(first)

    def new(table):
        counter[table] += 1
        return counter[table] - 1

    company, user, uom = ids["company"], ids["user"], ids["uom"]
    products, producing, to_refund = ids["products"], ids["producing"], ids["to_refund"]
    lot_base = first["stock_lot"]
    stamp = START.strftime("%Y-%m-%d %H:%M:%S")
    for index, (key, name, vendor_lot) in enumerate(genealogy.lots):
        writer.add(
            "stock_lot",
            {"id": lot_base + index, "product_id": products[key], "product_uom_id": uom, "company_id": company,
             "name": name, "vendor_lot_number": vendor_lot, "quality_status": "released",
             "create_uid": user, "create_date": stamp, "write_uid": user, "write_date": stamp},
        )  # fmt: skip
    counter["stock_lot"] = lot_base + len(genealogy.lots)  # the sequence follows (setval below)
    writer.flush()
    in_type, out_type, mo_type = ids["in_type"], ids["out_type"], ids["mo_type"]
    # Numbered after the documents already there (none in a new database; the demo's).
    numbers = {
        kind: picking_type.sequence_id.number_next_actual - 1
        for kind, picking_type in (("in", in_type), ("out", out_type), ("mo", mo_type))
    }

    def picking(kind, picking_type, source, dest, partner, when):
        numbers[kind] += 1
        picking_id = new("stock_picking")
        name = f"{picking_type.sequence_id.prefix}{numbers[kind]:05d}"
        writer.add(
            "stock_picking",
            {"id": picking_id, "name": name, "picking_type_id": picking_type.id, "location_id": source,
             "location_dest_id": dest, "partner_id": partner, "company_id": company, "user_id": user,
             "move_type": "direct", "state": "done", "priority": "0", "is_locked": True, "has_deadline_issue": False,
             "shipping_weight": 0.0, "scheduled_date": when, "date": when, "date_done": when,
             "create_uid": user, "create_date": when, "write_uid": user, "write_date": when},
        )  # fmt: skip
        return picking_id, name

    def move(name, reference, product, qty, source, dest, when, partner=None, picking_id=None, picking_type=None,
             production=None, raw_production=None, bom_line=None, finished_lot=None, warehouse=None):  # fmt: skip
        move_id = new("stock_move")
        manufacturing = bool(production or raw_production)
        writer.add(
            "stock_move",
            {"id": move_id, "name": name, "reference": reference, "origin": reference if manufacturing else None,
             "sequence": 10, "company_id": company, "product_id": product, "product_uom": uom, "location_id": source,
             "location_dest_id": dest, "partner_id": partner, "picking_id": picking_id,
             "picking_type_id": picking_type, "warehouse_id": warehouse, "state": "done", "priority": "0",
             "procure_method": "make_to_stock", "product_qty": qty, "product_uom_qty": qty, "quantity": qty,
             "packaging_uom_id": uom, "packaging_uom_qty": qty, "picked": True, "scrapped": False,
             "propagate_cancel": not manufacturing, "additional": False, "is_done": True,
             # Odoo divides an order's move by what remains to produce, or 1 once done; others: 1.
             "unit_factor": qty if manufacturing else 1.0, "manual_consumption": False,
             "production_id": production, "raw_material_production_id": raw_production, "bom_line_id": bom_line,
             "order_finished_lot_id": finished_lot,
             # Entering or leaving the valued stock (products at cost 0: no value).
             "is_in": dest == ids["stock"], "is_out": source == ids["stock"], "is_dropship": False, "value": 0.0,
             "to_refund": to_refund, "date": when, "create_uid": user, "create_date": when, "write_uid": user,
             "write_date": when},
        )  # fmt: skip
        return move_id

    def line(move_id, picking_id, production, product, lot, qty, source, dest, reference, when, vendor_lot=None):
        line_id = new("stock_move_line")
        writer.add(
            "stock_move_line",
            {"id": line_id, "move_id": move_id, "picking_id": picking_id, "production_id": production,
             "company_id": company, "product_id": product, "product_uom_id": uom, "lot_id": lot_base + lot,
             "location_id": source, "location_dest_id": dest, "state": "done", "reference": reference,
             "quantity": qty, "quantity_product_uom": qty, "picked": True, "vendor_lot_number": vendor_lot,
             "date": when, "create_uid": user, "create_date": when, "write_uid": user, "write_date": when},
        )  # fmt: skip
        return line_id

    warehouse_id = ids["warehouse"].id
    for event in genealogy.events:
        kind, day = event[0], event[1]
        if kind == "receipt":
            _kind, _day, vendor, lots = event
            when = (START + timedelta(days=day, hours=6)).strftime("%Y-%m-%d %H:%M:%S")
            partner = ids["vendors"][vendor]
            picking_id, name = picking("in", in_type, ids["supplier"], ids["stock"], partner, when)
            for lot in lots:
                key = genealogy.lots[lot][0]
                qty = genealogy.inflow(lot)
                move_id = move(
                    product_name(key), name, products[key], qty, ids["supplier"], ids["stock"], when,
                    partner=partner, picking_id=picking_id, picking_type=in_type.id,
                )  # fmt: skip
                line(move_id, picking_id, None, products[key], lot, qty, ids["supplier"], ids["stock"], name, when,
                     vendor_lot=genealogy.lots[lot][2])  # fmt: skip
        elif kind == "mo":
            _kind, _day, level, order, key, lot, components = event
            when = (START + timedelta(days=day, hours=6 + level, minutes=order)).strftime("%Y-%m-%d %H:%M:%S")
            numbers["mo"] += 1
            production = new("mrp_production")
            name = f"{mo_type.sequence_id.prefix}{numbers['mo']:05d}"
            qty = genealogy.inflow(lot)
            values = {
                "id": production, "name": name, "product_id": products[key], "product_uom_id": uom, "product_qty": qty,
                "product_uom_qty": qty, "qty_producing": qty, "picking_type_id": mo_type.id,
                "location_src_id": ids["stock"], "location_dest_id": ids["stock"],
                "production_location_id": ids["production"], "bom_id": ids["boms"][key], "user_id": user,
                "company_id": company, "state": "done", "consumption": "flexible", "priority": "0",
                "backorder_sequence": 0, "is_locked": True, "is_planned": False, "date_start": when,
                "date_finished": when, "create_uid": user, "create_date": when, "write_uid": user, "write_date": when,
            }  # fmt: skip
            if producing.column:
                values[producing.column] = lot_base + lot
            writer.add("mrp_production", values)
            if producing.relation:
                writer.add(
                    producing.relation, {producing.production_column: production, producing.lot_column: lot_base + lot}
                )
            consumed = []
            for part, used in components:
                move_qty = sum(quantity for _lot, quantity in used)
                move_id = move(
                    name, name, products[part], move_qty, ids["stock"], ids["production"], when,
                    picking_type=mo_type.id, raw_production=production, bom_line=ids["bom_lines"][key, part],
                    finished_lot=lot_base + lot, warehouse=warehouse_id,
                )  # fmt: skip
                for used_lot, quantity in used:
                    consumed.append(
                        line(move_id, None, production, products[part], used_lot, quantity, ids["stock"],
                             ids["production"], name, when)
                    )  # fmt: skip
            move_id = move(
                name, name, products[key], qty, ids["production"], ids["stock"], when,
                picking_type=mo_type.id, production=production, warehouse=warehouse_id,
            )  # fmt: skip
            produced = line(move_id, None, None, products[key], lot, qty, ids["production"], ids["stock"], name, when)
            for consumed_line in consumed:
                writer.add(
                    "stock_move_line_consume_rel", {"consume_line_id": produced, "produce_line_id": consumed_line}
                )
        else:
            _kind, _day, partner_index, lines = event
            when = (START + timedelta(days=day, hours=17)).strftime("%Y-%m-%d %H:%M:%S")
            partner = ids["customers"][partner_index]
            picking_id, name = picking("out", out_type, ids["stock"], ids["customer"], partner, when)
            by_product = defaultdict(list)
            for lot, quantity in lines:
                by_product[genealogy.lots[lot][0]].append((lot, quantity))
            for key, product_lines in by_product.items():
                move_id = move(
                    product_name(key), name, products[key], sum(q for _l, q in product_lines), ids["stock"],
                    ids["customer"], when, partner=partner, picking_id=picking_id, picking_type=out_type.id,
                )  # fmt: skip
                for lot, quantity in product_lines:
                    line(move_id, picking_id, None, products[key], lot, quantity, ids["stock"], ids["customer"],
                         name, when)  # fmt: skip
    writer.flush()
    for table, start in first.items():
        cr.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table, max(counter[table] - 1, start)))
    return writer.counts, numbers, first


def write_quants(cr, first_line, stock_location, inventory_date):
    """On-hand quantity per product, lot and location, as the done moves leave it (Odoo
    keeps a quant at every location a lot went through, zero quants are cleaned up)."""
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity, reserved_quantity, in_date,
                                 inventory_quantity_set, inventory_date, create_uid, create_date, write_uid, write_date)
        SELECT moved.product_id, loc.company_id, moved.location_id, moved.lot_id, SUM(moved.quantity), 0,
               MIN(moved.date), FALSE, CASE WHEN loc.id = %(stock)s THEN %(inventory_date)s::date END,
               1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
          FROM (SELECT product_id, lot_id, location_dest_id AS location_id, quantity, date
                  FROM stock_move_line WHERE id >= %(first)s
                UNION ALL
                SELECT product_id, lot_id, location_id, -quantity, date
                  FROM stock_move_line WHERE id >= %(first)s) moved
          JOIN stock_location loc ON loc.id = moved.location_id
      GROUP BY moved.product_id, moved.lot_id, moved.location_id, loc.id, loc.company_id
        HAVING SUM(moved.quantity) <> 0
        """,
        {"first": first_line, "stock": stock_location, "inventory_date": inventory_date},
    )
    quants = cr.rowcount
    # stock.lot.location_id: the one location holding the lot, if only one does.
    cr.execute(
        """
        UPDATE stock_lot lot SET location_id = single.location_id
          FROM (SELECT lot_id, MIN(location_id) AS location_id FROM stock_quant
                 WHERE quantity > 0 AND lot_id IS NOT NULL
              GROUP BY lot_id HAVING COUNT(DISTINCT location_id) = 1) single
         WHERE lot.id = single.lot_id AND lot.location_id IS DISTINCT FROM single.location_id
        """
    )
    return quants


def generate(dbname, lines, seed=1, customers=None, log=print):
    """Build the genealogy in ``dbname`` (committed); returns a summary dict."""
    customers = customers or max(50, min(5000, lines // 200))
    started = time.time()
    genealogy = Genealogy(seed, customers)
    day = 0
    while genealogy.lines < lines:
        genealogy.generate_day(day)
        day += 1
    genealogy.finish()
    planned = time.time() - started
    log(f"planned {genealogy.lines} move lines over {genealogy.days} days in {planned:.1f}s")
    registry = load_registry(dbname)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        cr.execute("SET LOCAL synchronous_commit = off")
        cr.execute("SET LOCAL work_mem = '256MB'")
        env = api.Environment(cr, SUPERUSER_ID, {})
        step = time.time()
        ids = master_data(env, customers)
        env.flush_all()
        log(f"master data ({len(ids['products'])} products, {customers} customers) in {time.time() - step:.1f}s")
        tables, expected, absent = document_tables(cr, ids["producing"])
        log(f"columns of the other Odoo series, not in this database: {', '.join(absent) or 'none'}")
        step = time.time()
        counts, numbers, first = write_documents(cr, genealogy, ids, tables, expected)
        log(f"documents written in {time.time() - step:.1f}s: {counts}")
        step = time.time()
        # What each line is (delivery, receipt...), stored from the trace engine's hooks as on install.
        kinds = env["trace.engine"]._store_line_kinds()
        line_kinds_s = round(time.time() - step, 1)
        log(f"line kinds stored on {kinds} lines in {line_kinds_s}s")
        step = time.time()
        stock = env["stock.location"].browse(ids["stock"])
        quants = write_quants(cr, first["stock_move_line"], ids["stock"], stock._get_next_inventory_date())
        log(f"{quants} quants in {time.time() - step:.1f}s")
        # The next documents Odoo numbers follow ours.
        for kind, picking_type in (("in", ids["in_type"]), ("out", ids["out_type"]), ("mo", ids["mo_type"])):
            picking_type.sequence_id.number_next_actual = numbers[kind] + 1
        env.flush_all()
        env.invalidate_all()
        cr.commit()
    step = time.time()
    analyze(dbname, tables)
    log(f"vacuum analyze in {time.time() - step:.1f}s")
    return {
        "lines": counts["stock_move_line"],
        "moves": counts["stock_move"],
        "lots": counts["stock_lot"],
        "productions": counts["mrp_production"],
        "pickings": counts["stock_picking"],
        "receipts": numbers["in"],
        "deliveries": numbers["out"],
        "consume_links": counts["stock_move_line_consume_rel"],
        "quants": quants,
        "customers": customers,
        "days": genealogy.days,
        "levels": max(LEVELS),
        "line_kinds_s": line_kinds_s,
        "seconds": round(time.time() - started, 1),
    }


def analyze(dbname, tables):
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    conn = psycopg2.connect(dbname=dbname, **odoo_env.pg_settings())
    conn.autocommit = True
    with conn.cursor() as cr:
        for table in (*tables, "stock_quant", "res_partner"):
            cr.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="an existing database with trace_compliance installed")
    parser.add_argument("--lines", type=int, default=1_000_000, help="done move lines to generate (about)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    odoo_env.import_odoo()  # in the interpreter of the series asked for (ODOO), from here on
    summary = generate(args.db, args.lines, args.seed)
    print(summary)


if __name__ == "__main__":
    main()
