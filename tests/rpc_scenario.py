"""The documents of the external API suite, made over XML-RPC only, as an integration would.

The names are those of the demo story (docs/user-guide.md, "The demo story": Northfield
Mills' lot NM-2611-017 is our flour lot FL-261101, loaf lot BRD-261102 is made of both
doughs, monitor PM5-25-0002 went to Lakeside Cardiology...), so the examples of
docs/api.md run against it unchanged:

    receipts   FL-261101 (vendor lot NM-2611-017, 300 kg, Northfield Mills)
               FL-261102 (VG-26-4471, 200 kg, Valley Grain Co.), SA-261101 (ASW-118-B, 50 kg)
               SB200-24-0001..0004 (Circuitech Electronics)
    doughs     DGH-261101 = 98 FL-261101 + 2 SA-261101          (100 kg)
               DGH-261102 = 50 FL-261101 + 48 FL-261102 + 2 SA   (100 kg)
    loaves     BRD-261101 = 80 DGH-261101                        (100, batch record)
               BRD-261102 = 20 DGH-261101 + 60 DGH-261102        (100, batch record)
    monitors   PM5-25-000n = SB200-24-000n, n = 1..3             (device history records)
    shipped    FreshMart 50 BRD-261101, Corner Bakery 30 BRD-261102, Harbor Deli 20 BRD-261102,
               St. Mary Clinic PM5-25-0001, Lakeside Cardiology PM5-25-0002,
               Northside Medical Center PM5-25-0003 (on a sale order)

Users (password: ``<login>-Pw1``): ``tracer`` (Traceability and Recall User), ``auditor``
(Traceability Auditor), ``stock_user`` (Inventory User, no traceability), ``plain``
(internal user only), ``other`` (every traceability group, in another company only).

A new check is one test taking the ``scenario`` fixture, e.g. the warranty of a serial::

    def test_warranty_lookup(scenario):
        found = scenario.client("tracer")("stock.lot", "warranty_lookup", "PM5-25-0003")
        # PM5-25-0003: Northside Medical Center, on sale order ``scenario.sale_order_id``

(``scenario.lots``, ``partners``, ``products``, ``pickings``, ``productions``, ``users``
hold the ids by name.)
"""

import json
import urllib.request
from dataclasses import dataclass, field

from json2_keys import generate_api_key

from tools.harness import set_move_lines
from tools.odoo_rpc import XmlRpc

# GTINs of the scenario's flour and of Northfield Mills' wheat (GS1's example prefix 0871000).
FLOUR_GTIN = "08710000001014"
WHEAT_GTIN = "08710000002028"
EPCIS_CAPTURE_GROUP = "trace_compliance.group_trace_epcis_capture"

VENDORS = ("Northfield Mills", "Valley Grain Co.", "Atlantic Salt Works", "Circuitech Electronics")
CUSTOMERS = (
    "FreshMart Supermarkets",
    "Corner Bakery Café",
    "Harbor Deli",
    "St. Mary Clinic",
    "Lakeside Cardiology",
    "Northside Medical Center",
)
USERS = {
    "tracer": ("rpc.tracer", ["trace_recall.group_recall_user", "stock.group_stock_user"]),
    "auditor": ("rpc.auditor", ["trace_compliance.group_trace_auditor"]),
    "stock_user": ("rpc.stock", ["stock.group_stock_user"]),
    "plain": ("rpc.plain", ["base.group_user"]),
    "other": (
        "rpc.other",
        ["trace_recall.group_recall_manager", "trace_compliance.group_trace_manager", "stock.group_stock_manager"],
    ),
}


def password(login):
    return f"{login}-Pw1"


@dataclass
class Scenario:
    admin: XmlRpc
    company_id: int = 0
    other_company_id: int = 0
    partners: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    boms: dict = field(default_factory=dict)
    lots: dict = field(default_factory=dict)
    pickings: dict = field(default_factory=dict)
    productions: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    certificate_type_id: int = 0

    def client(self, user):
        """An XML-RPC client logged in as one of the scenario's users (or ``admin``)."""
        if user == "admin":
            return self.admin
        return self.client_for(USERS[user][0])

    # ------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------
    def build(self):
        rpc = self.admin
        self.company_id = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
        warehouse = rpc(
            "stock.warehouse",
            "search_read",
            [["company_id", "=", self.company_id]],
            ["lot_stock_id", "in_type_id", "out_type_id"],
            limit=1,
        )[0]
        self.stock_location = warehouse["lot_stock_id"][0]
        self.in_type, self.out_type = warehouse["in_type_id"][0], warehouse["out_type_id"][0]
        self.supplier_location = rpc.ref("stock.stock_location_suppliers")
        self.customer_location = rpc.ref("stock.stock_location_customers")
        kg, unit = rpc.ref("uom.product_uom_kgm"), rpc.ref("uom.product_uom_unit")

        # Our partners belong to our company: another company's users never see them.
        for name in VENDORS + CUSTOMERS:
            self.partners[name] = rpc(
                "res.partner", "create", {"name": name, "is_company": True, "company_id": self.company_id}
            )
        for key, name, tracking, uom, batch_record in (
            ("flour", "Wheat Flour T55", "lot", kg, False),
            ("salt", "Sea Salt, fine", "lot", kg, False),
            ("dough", "Bread Dough, country", "lot", kg, False),
            ("bread", "Country Loaf 800 g", "lot", unit, True),
            ("board", "Sensor Board SB-200", "serial", unit, False),
            ("monitor", "Patient Monitor PM-5", "serial", unit, True),
        ):
            self.products[key] = rpc(
                "product.product",
                "create",
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "tracking": tracking,
                    "uom_id": uom,
                    "trace_batch_record": batch_record,
                    # Lots take their product's company: without one they are shared by all companies.
                    "company_id": self.company_id,
                    # The flour's GTIN: Northfield Mills' EPCIS events name it (capture_vendor_events).
                    **({"barcode": FLOUR_GTIN} if key == "flour" else {}),
                },
            )
        self.boms["dough"] = self._bom("dough", 100, [("flour", 98), ("salt", 2)])
        self.boms["bread"] = self._bom("bread", 100, [("dough", 80)])
        self.boms["monitor"] = self._bom("monitor", 1, [("board", 1)])
        self.certificate_type_id = rpc(
            "trace.certificate.type",
            "create",
            {"name": "Certificate of Analysis", "code": "COA", "validity_days": 365, "file_required": True},
        )

        self.pickings["receipt_northfield"] = self.receive(
            "Northfield Mills", [("flour", "FL-261101", 300, "NM-2611-017")]
        )
        self.pickings["receipt_valley"] = self.receive("Valley Grain Co.", [("flour", "FL-261102", 200, "VG-26-4471")])
        self.pickings["receipt_salt"] = self.receive("Atlantic Salt Works", [("salt", "SA-261101", 50, "ASW-118-B")])
        self.pickings["receipt_boards"] = self.receive(
            "Circuitech Electronics", [("board", f"SB200-24-000{n}", 1, f"CT-8841-{n}") for n in range(1, 5)]
        )
        self.productions["DGH-261101"] = self.produce(
            "dough", 100, "DGH-261101", {"flour": [("FL-261101", 98)], "salt": [("SA-261101", 2)]}
        )
        self.productions["DGH-261102"] = self.produce(
            "dough",
            100,
            "DGH-261102",
            {"flour": [("FL-261101", 50), ("FL-261102", 48)], "salt": [("SA-261101", 2)]},
        )
        self.productions["BRD-261101"] = self.produce("bread", 100, "BRD-261101", {"dough": [("DGH-261101", 80)]})
        self.productions["BRD-261102"] = self.produce(
            "bread", 100, "BRD-261102", {"dough": [("DGH-261101", 20), ("DGH-261102", 60)]}
        )
        for n in (1, 2, 3):
            self.productions[f"PM5-25-000{n}"] = self.produce(
                "monitor", 1, f"PM5-25-000{n}", {"board": [(f"SB200-24-000{n}", 1)]}
            )
        self.pickings["delivery_freshmart"] = self.deliver("FreshMart Supermarkets", [("bread", "BRD-261101", 50)])
        self.pickings["delivery_corner"] = self.deliver("Corner Bakery Café", [("bread", "BRD-261102", 30)])
        self.pickings["delivery_harbor"] = self.deliver("Harbor Deli", [("bread", "BRD-261102", 20)])
        self.pickings["delivery_stmary"] = self.deliver("St. Mary Clinic", [("monitor", "PM5-25-0001", 1)])
        self.pickings["delivery_lakeside"] = self.deliver("Lakeside Cardiology", [("monitor", "PM5-25-0002", 1)])
        self.sale_order_id = self.sell("Northside Medical Center", [("monitor", "PM5-25-0003", 1)])

        self._create_users()
        self.capture_vendor_events()
        return self

    def capture_vendor_events(self):
        """Northfield Mills, as a vendor does with its own system: its portal user (group
        *EPCIS Capture*, an API key) posts to ``/epcis/capture`` the shipping event of the
        flour we received as FL-261101 (its lot NM-2611-017) and the milling that made that
        flour from its wheat WH-3. Returns the capture job's URL."""
        login = "rpc_epcis_northfield"
        user = self.admin(
            "res.users",
            "create",
            {
                "name": "Northfield Mills EDI",
                "login": login,
                "password": password(login),
                "partner_id": self.admin(
                    "res.partner",
                    "create",
                    {"name": "Northfield Mills EDI", "parent_id": self.partners["Northfield Mills"]},
                ),
                "company_id": self.company_id,
                "company_ids": [[6, 0, [self.company_id]]],
                self.admin.series.groups_field: [
                    [6, 0, [self.admin.ref("base.group_portal"), self.admin.ref(EPCIS_CAPTURE_GROUP)]]
                ],
            },
        )
        self.users["epcis_northfield"] = user
        key = generate_api_key(self.admin.db, login, scope="rpc", json2=False, name="Northfield EPCIS")
        flour = f"https://id.gs1.org/01/{FLOUR_GTIN}/10/NM-2611-017"
        wheat = f"https://id.gs1.org/01/{WHEAT_GTIN}/10/WH-3"
        events = [
            {
                "type": "TransformationEvent",
                "eventID": "urn:uuid:5b0f8c2e-0d7e-4c1a-9a51-1d2f4b6a0001",
                "eventTime": "2026-11-20T06:00:00Z",
                "eventTimeZoneOffset": "+00:00",
                "bizStep": "commissioning",
                "inputQuantityList": [{"epcClass": wheat, "quantity": 320, "uom": "KGM"}],
                "outputQuantityList": [{"epcClass": flour, "quantity": 300, "uom": "KGM"}],
            },
            {
                "type": "ObjectEvent",
                "eventID": "urn:uuid:5b0f8c2e-0d7e-4c1a-9a51-1d2f4b6a0002",
                "eventTime": "2026-11-21T08:00:00Z",
                "eventTimeZoneOffset": "+00:00",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "quantityList": [{"epcClass": flour, "quantity": 300, "uom": "KGM"}],
            },
        ]
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-11-21T08:05:00Z",
            "epcisBody": {"eventList": events},
        }
        request = urllib.request.Request(
            f"{self.admin.url}/epcis/capture",
            data=json.dumps(document).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/ld+json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 202, response.status
            return response.headers["Location"]

    def _bom(self, product, quantity, components):
        rpc = self.admin
        tmpl, uom = self._product_template(product)
        lines = []
        for component, qty in components:
            _tmpl, component_uom = self._product_template(component)
            lines.append(
                [0, 0, {"product_id": self.products[component], "product_qty": qty, "product_uom_id": component_uom}]
            )
        return rpc(
            "mrp.bom",
            "create",
            {
                "product_tmpl_id": tmpl,
                "product_qty": quantity,
                "product_uom_id": uom,
                "consumption": "flexible",
                "bom_line_ids": lines,
            },
        )

    def _product_template(self, product):
        row = self.admin("product.product", "read", [self.products[product]], ["product_tmpl_id", "uom_id"])[0]
        return row["product_tmpl_id"][0], row["uom_id"][0]

    def _lot_id(self, product, name):
        ids = self.admin("stock.lot", "search", [["product_id", "=", self.products[product]], ["name", "=", name]])
        if not ids:
            return 0
        self.lots[name] = ids[0]
        return ids[0]

    def _set_move_lines(self, move_id, lines, picking_id=False, rpc=None):
        """Replace the move's lines by ``lines`` = [{lot_id or lot_name (+ vendor_lot_number), quantity}]."""
        set_move_lines(rpc or self.admin, move_id, [dict(line, picking_id=picking_id) for line in lines])

    def _transfer(self, picking_type, partner, source, destination, lines, validate=True, rpc=None):
        """A validated transfer of lines = [(product, lot name, quantity, vendor lot or None)]:
        receipts name their new lots, other transfers pick existing ones. One move per
        product, one move line per lot. ``validate=False``: ready, its lines set, not done.
        ``rpc``: the client that does it all (the administrator by default)."""
        rpc = rpc or self.admin
        by_product = {}
        for product, lot_name, qty, vendor_lot in lines:
            by_product.setdefault(product, []).append((lot_name, qty, vendor_lot))
        picking_id = rpc(
            "stock.picking",
            "create",
            {
                "picking_type_id": picking_type,
                "partner_id": self.partners[partner],
                "location_id": source,
                "location_dest_id": destination,
                "move_ids": [
                    [
                        0,
                        0,
                        {
                            "product_id": self.products[product],
                            "product_uom_qty": sum(qty for _lot, qty, _vendor_lot in product_lines),
                            "location_id": source,
                            "location_dest_id": destination,
                        },
                    ]
                    for product, product_lines in by_product.items()
                ],
            },
        )
        rpc("stock.picking", "action_confirm", [picking_id])
        moves = rpc("stock.move", "search_read", [["picking_id", "=", picking_id]], ["product_id"])
        keys = {product_id: key for key, product_id in self.products.items()}
        for move in moves:
            move_lines = []
            for lot_name, qty, vendor_lot in by_product[keys[move["product_id"][0]]]:
                if vendor_lot is None:
                    move_lines.append({"lot_id": self.lots[lot_name], "quantity": qty})
                else:
                    move_lines.append({"lot_name": lot_name, "vendor_lot_number": vendor_lot, "quantity": qty})
            self._set_move_lines(move["id"], move_lines, picking_id, rpc=rpc)
        if not validate:
            return picking_id
        result = rpc("stock.picking", "button_validate", [picking_id])
        assert result is True, f"validating {partner}'s transfer opened {result}"
        for product, lot_name, _qty, _vendor_lot in lines:
            self._lot_id(product, lot_name)
        return picking_id

    def receive(self, vendor, lines, validate=True, rpc=None):
        return self._transfer(
            self.in_type, vendor, self.supplier_location, self.stock_location, lines, validate=validate, rpc=rpc
        )

    def deliver(self, customer, lines, validate=True, rpc=None):
        lines = [(product, lot, qty, None) for product, lot, qty in lines]
        return self._transfer(
            self.out_type, customer, self.stock_location, self.customer_location, lines, validate=validate, rpc=rpc
        )

    def sell(self, customer, lines):
        """A confirmed sale order of [(product, lot, quantity)], its delivery validated."""
        rpc = self.admin
        order_id = rpc(
            "sale.order",
            "create",
            {
                "partner_id": self.partners[customer],
                "order_line": [
                    [0, 0, {"product_id": self.products[product], "product_uom_qty": qty}]
                    for product, _lot, qty in lines
                ],
            },
        )
        rpc("sale.order", "action_confirm", [order_id])
        picking_id = rpc("sale.order", "read", [order_id], ["picking_ids"])[0]["picking_ids"][0]
        move_ids = rpc("stock.picking", "read", [picking_id], ["move_ids"])[0]["move_ids"]
        for move_id, (_product, lot, qty) in zip(sorted(move_ids), lines, strict=True):
            self._set_move_lines(move_id, [{"lot_id": self.lots[lot], "quantity": qty}], picking_id)
        result = rpc("stock.picking", "button_validate", [picking_id])
        assert result is True, f"validating the delivery of {customer}'s order opened {result}"
        self.pickings[f"sale_{customer}"] = picking_id
        return order_id

    def produce(self, product, qty, lot_name, consumed, rpc=None):
        """A manufacturing order of ``qty`` into lot ``lot_name``, consuming exactly
        ``consumed`` = {component: [(lot name, quantity)]}, marked done (by ``rpc``, the
        administrator by default)."""
        rpc = rpc or self.admin
        _tmpl, uom = self._product_template(product)
        production_id = rpc(
            "mrp.production",
            "create",
            {
                "product_id": self.products[product],
                "bom_id": self.boms[product],
                "product_qty": qty,
                "product_uom_id": uom,
            },
        )
        rpc("mrp.production", "action_confirm", [production_id])
        lot_id = rpc(
            "stock.lot",
            "create",
            {"name": lot_name, "product_id": self.products[product], "company_id": self.company_id},
        )
        self.lots[lot_name] = lot_id
        rpc("mrp.production", "write", [production_id], {"qty_producing": qty, **rpc.series.producing_lot_vals(lot_id)})
        raw_moves = rpc(
            "stock.move",
            "search_read",
            [["raw_material_production_id", "=", production_id]],
            ["product_id"],
        )
        keys = {product_id: key for key, product_id in self.products.items()}
        for move in raw_moves:
            lots = consumed[keys[move["product_id"][0]]]
            self._set_move_lines(move["id"], [{"lot_id": self.lots[lot], "quantity": q} for lot, q in lots], rpc=rpc)
        result = rpc("mrp.production", "button_mark_done", [production_id])
        assert result is True, f"marking {lot_name}'s order done opened {result}"
        return production_id

    def _create_users(self):
        self.other_company_id = self.admin("res.company", "create", {"name": "Other Company (RPC)"})
        for key, (login, groups) in USERS.items():
            company = self.other_company_id if key == "other" else self.company_id
            self.users[key] = self.create_user(login, groups, company, name=f"RPC {key.replace('_', ' ').title()}")

    def create_user(self, login, groups, company=None, name=None):
        """A user of ``company`` (ours by default) with exactly ``groups`` (xml ids); their
        password is ``password(login)``. Returns the user's id."""
        company = company or self.company_id
        return self.admin(
            "res.users",
            "create",
            {
                "name": name or login,
                "login": login,
                "password": password(login),
                "email": f"{login}@example.com",
                "company_id": company,
                "company_ids": [[6, 0, [company]]],
                self.admin.series.groups_field: [[6, 0, [self.admin.ref(group) for group in groups]]],
            },
        )

    def client_for(self, login):
        """An XML-RPC client logged in as ``login`` (a user made by :meth:`create_user`)."""
        return XmlRpc(self.admin.url, self.admin.db, login, password(login))
