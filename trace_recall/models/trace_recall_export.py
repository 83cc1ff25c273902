import io
import json
from urllib.parse import quote

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

BATCH = 5000


class TraceRecallExport(models.AbstractModel):
    """The recall's exports, streamed from SQL in batches into xlsxwriter's constant-memory
    mode, so a recall of 100,000 delivery lines exports without a Python object per line."""

    _name = "trace.recall.export"
    _description = "Recall Exports"

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    @api.model
    def _rows(self, query):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(query)
        while rows := cr.fetchmany(BATCH):
            yield from rows

    @api.model
    def _workbook(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "remove_timezone": True})
        return output, workbook, workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})

    @api.model
    def _sheet(self, workbook, bold, name, headers, rows, widths=None):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, headers, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, [self._cell(value) for value in row])
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        for column, width in enumerate(widths or [18] * len(headers)):
            sheet.set_column(column, column, width)
        return count

    @api.model
    def _cell(self, value):
        if value is None:
            return ""
        if isinstance(value, dict):  # translated jsonb names
            return value.get(self.env.lang) or value.get("en_US") or next(iter(value.values()), "")
        return value

    # ------------------------------------------------------------------
    # the recall workbook
    # ------------------------------------------------------------------
    @api.model
    def _recall_xlsx(self, recall):
        output, workbook, bold = self._workbook()
        summary = workbook.add_worksheet("Summary")
        summary.set_column(0, 0, 32)
        summary.set_column(1, 1, 60)
        facts = [
            ("Recall", recall.name),
            ("Status", dict(recall._fields["state"].selection)[recall.state]),
            ("Mock recall (drill)", "Yes" if recall.is_drill else "No"),
            ("Classification", recall.classification_id.name or ""),
            ("Reason", recall.reason or ""),
            ("Company", recall.company_id.name),
            ("Suspect lots", ", ".join(recall.lot_ids.mapped("name"))),
            ("Affected lots", recall.affected_lot_count),
            ("Customers", recall.customer_count),
            ("Deliveries", recall.delivery_count),
            ("Quantity shipped", recall.qty_shipped),
            ("Quantity in stock", recall.qty_in_stock),
            ("Started", fields.Datetime.to_string(recall.create_date)),
            ("List complete", fields.Datetime.to_string(recall.computed_date) or ""),
            ("Time to complete list (s)", round(recall.time_to_list, 1)),
            ("Exported", fields.Datetime.to_string(fields.Datetime.now())),
        ]
        summary.write_row(0, 0, ["Item", "Value"], bold)
        for row, (label, value) in enumerate(facts, start=1):
            summary.write_row(row, 0, [label, value])
        lots = recall.affected_lot_ids.ids
        self._sheet(
            workbook,
            bold,
            "Affected lots",
            ["Product code", "Product", "Lot/Serial", "Vendor lot", "Quality status", "Expiration date"],
            self._rows(
                SQL(
                    """
                SELECT tmpl.default_code, tmpl.name, lot.name, lot.vendor_lot_number, lot.quality_status,
                       lot.expiration_date
                  FROM stock_lot lot
                  JOIN product_product product ON product.id = lot.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                 WHERE lot.id = ANY(%s) ORDER BY tmpl.default_code, lot.name
                    """,
                    lots,
                )
            ),
            [16, 32, 20, 18, 14, 20],
        )
        self._sheet(
            workbook,
            bold,
            "Stock on hand",
            ["Location", "Product", "Lot/Serial", "Quantity", "Unit"],
            self._rows(
                SQL(
                    """
                SELECT loc.complete_name, tmpl.name, lot.name, stock.quantity, uom.name
                  FROM trace_recall_stock stock
                  JOIN stock_location loc ON loc.id = stock.location_id
                  JOIN product_product product ON product.id = stock.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN stock_lot lot ON lot.id = stock.lot_id
                  LEFT JOIN uom_uom uom ON uom.id = stock.product_uom_id
                 WHERE stock.recall_id = %s ORDER BY loc.complete_name, lot.name
                    """,
                    recall.id,
                )
            ),
            [30, 32, 20, 12, 10],
        )
        self._sheet(
            workbook,
            bold,
            "Deliveries",
            [
                "Customer",
                "Address",
                "Email",
                "Phone",
                "Delivery",
                "Date",
                "Product",
                "Lot/Serial",
                "Quantity",
                "Unit",
                "Sale order",
            ],
            self._rows(
                SQL(
                    """
                SELECT partner.complete_name,
                       CONCAT_WS(', ', partner.street, partner.street2, partner.zip, partner.city, country.code),
                       partner.email, partner.phone, picking.name, delivery.date, tmpl.name, lot.name,
                       delivery.quantity, uom.name, sale.name
                  FROM trace_recall_delivery delivery
                  LEFT JOIN res_partner partner ON partner.id = delivery.partner_id
                  LEFT JOIN res_country country ON country.id = partner.country_id
                  JOIN stock_picking picking ON picking.id = delivery.picking_id
                  JOIN product_product product ON product.id = delivery.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN stock_lot lot ON lot.id = delivery.lot_id
                  LEFT JOIN uom_uom uom ON uom.id = delivery.product_uom_id
                  LEFT JOIN sale_order sale ON sale.id = delivery.sale_order_id
                 WHERE delivery.recall_id = %s ORDER BY partner.complete_name, delivery.date, delivery.id
                    """,
                    recall.id,
                )
            ),
            [28, 40, 28, 16, 16, 19, 28, 18, 10, 8, 14],
        )
        self._sheet(
            workbook,
            bold,
            "Genealogy",
            ["Component lot", "Component", "Produced lot", "Product", "Quantity", "Type", "Document", "Date"],
            self._rows(
                SQL(
                    """
                SELECT parent.name, ptmpl.name, child.name, ctmpl.name, link.quantity, link.link_type,
                       COALESCE(mo.name, ub.name, trf.name), link.date
                  FROM trace_lot_link link
                  JOIN stock_lot parent ON parent.id = link.parent_lot_id
                  JOIN product_product pp ON pp.id = parent.product_id
                  JOIN product_template ptmpl ON ptmpl.id = pp.product_tmpl_id
                  JOIN stock_lot child ON child.id = link.child_lot_id
                  JOIN product_product cp ON cp.id = child.product_id
                  JOIN product_template ctmpl ON ctmpl.id = cp.product_tmpl_id
                  LEFT JOIN mrp_production mo ON mo.id = link.production_id
                  LEFT JOIN mrp_unbuild ub ON ub.id = link.unbuild_id
                  LEFT JOIN trace_lot_transformation trf ON trf.id = link.transformation_id
                 WHERE link.child_lot_id = ANY(%s) AND link.company_id = %s
              ORDER BY link.date, link.id
                    """,
                    lots,
                    recall.company_id.id,
                )
            ),
            [20, 28, 20, 28, 10, 14, 18, 19],
        )
        workbook.close()
        return output.getvalue()

    # ------------------------------------------------------------------
    # critical tracking events (FSMA 204 and EPCIS)
    # ------------------------------------------------------------------
    @api.model
    def _tracking_events(self, recall):
        """Receiving, transformation and shipping events of the recall's lots, oldest first:
        dicts with the key data elements."""
        lots = sorted(set(recall.affected_lot_ids.ids) | set(recall.lot_ids.ids))
        query = SQL(
            """
            SELECT CASE WHEN src.usage = 'supplier' THEN 'receiving'
                        WHEN src.usage = 'production' THEN 'transformation'
                        ELSE 'shipping' END AS event,
                   line.date, lot.name AS lot, tmpl.name AS product, product.barcode, tmpl.default_code,
                   line.quantity_product_uom AS quantity, uom.name AS uom,
                   src.complete_name AS source, dest.complete_name AS destination,
                   COALESCE(picking.name, mo.name, trf.name) AS reference,
                   CASE WHEN picking.id IS NOT NULL THEN 'Transfer' WHEN mo.id IS NOT NULL THEN 'Manufacturing Order'
                        ELSE 'Lot Transformation' END AS reference_type,
                   partner.complete_name AS partner, partner.id AS partner_id, company.name AS company,
                   line.id AS line_id, COALESCE(mo.id, trf.id) AS transformation_id,
                   CASE WHEN mo.id IS NOT NULL THEN 'mrp' ELSE 'trf' END AS transformation_kind,
                   lot.product_id AS product_id
              FROM stock_move_line line
              JOIN stock_move move ON move.id = line.move_id
              JOIN stock_lot lot ON lot.id = line.lot_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              LEFT JOIN uom_uom uom ON uom.id = tmpl.uom_id
              JOIN stock_location src ON src.id = line.location_id
              JOIN stock_location dest ON dest.id = line.location_dest_id
              LEFT JOIN stock_picking picking ON picking.id = line.picking_id
              LEFT JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
              LEFT JOIN mrp_production mo ON mo.id = move.production_id
              LEFT JOIN trace_lot_transformation trf
                     ON trf.id = move.trace_transformation_id AND src.usage = 'production'
              LEFT JOIN res_partner partner ON partner.id = picking.partner_id
              JOIN res_company company ON company.id = line.company_id
             WHERE line.lot_id = ANY(%(lots)s) AND line.state = 'done' AND line.company_id = %(company)s
               AND (src.usage = 'supplier'
                    OR (src.usage = 'production' AND (move.production_id IS NOT NULL OR trf.id IS NOT NULL))
                    OR dest.usage = 'customer' OR ptype.code = 'outgoing')
          ORDER BY line.date, line.id
            """,
            lots=lots,
            company=recall.company_id.id,
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(query)
        names = [column.name for column in cr.description]
        while rows := cr.fetchmany(BATCH):
            for row in rows:
                event = dict(zip(names, row, strict=True))
                event["product"] = self._cell(event["product"])
                yield event

    @api.model
    def _fsma_xlsx(self, recall):
        output, workbook, bold = self._workbook()
        headers = [
            "Critical Tracking Event",
            "Traceability Lot Code",
            "Product Description",
            "Quantity",
            "Unit of Measure",
            "Location Description",
            "Ship-From / Immediate Previous Source",
            "Ship-To / Immediate Subsequent Recipient",
            "Event Date",
            "Reference Document Type",
            "Reference Document Number",
            "Traceability Lot Code Source",
        ]
        labels = {"receiving": "Receiving", "transformation": "Transformation", "shipping": "Shipping"}

        def rows():
            for event in self._tracking_events(recall):
                kind = event["event"]
                yield [
                    labels[kind],
                    event["lot"],
                    event["product"],
                    event["quantity"],
                    self._cell(event["uom"]),
                    event["destination"] if kind != "shipping" else event["source"],
                    event["partner"] if kind == "receiving" else event["source"],
                    event["partner"] if kind == "shipping" else event["destination"],
                    fields.Datetime.to_string(event["date"]),
                    event["reference_type"],
                    event["reference"],
                    event["partner"] if kind == "receiving" else event["company"],
                ]

        self._sheet(workbook, bold, "FSMA 204 KDEs", headers, rows(), [16, 20, 30, 10, 8, 28, 28, 28, 19, 20, 18, 28])
        workbook.close()
        return output.getvalue()

    @api.model
    def _epc_class(self, event):
        barcode = event["barcode"]
        if barcode and barcode.isdigit() and len(barcode) in (8, 12, 13, 14):
            return f"https://id.gs1.org/01/{barcode.zfill(14)}/10/{quote(event['lot'], safe='')}"
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "http://localhost")
        return f"{base}/lot/{event['product_id']}/{quote(event['lot'], safe='')}"

    @api.model
    def _epcis_json(self, recall):
        """An EPCIS 2.0 JSON-LD document: ObjectEvents for receiving and shipping,
        TransformationEvents for manufacturing and lot transformations."""
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "http://localhost")
        events, transformations = [], {}
        for event in self._tracking_events(recall):
            uom = self._cell(event["uom"]) or "EA"
            quantity = {"epcClass": self._epc_class(event), "quantity": event["quantity"], "uom": uom}
            when = event["date"].isoformat(timespec="seconds") + "Z"
            if event["event"] == "transformation":
                key = (event["transformation_kind"], event["transformation_id"])
                transformation = transformations.setdefault(
                    key,
                    {
                        "type": "TransformationEvent",
                        "eventTime": when,
                        "eventTimeZoneOffset": "+00:00",
                        "transformationID": f"{base}/transformation/{key[0]}/{key[1]}",
                        "inputQuantityList": [],
                        "outputQuantityList": [],
                        "bizStep": "commissioning",
                        "readPoint": {"id": f"{base}/location/{quote(event['destination'], safe='')}"},
                        "bizTransactionList": [
                            {"type": "prodorder", "bizTransaction": f"{base}/doc/{event['reference']}"}
                        ],
                    },
                )
                transformation["outputQuantityList"].append(quantity)
                continue
            receiving = event["event"] == "receiving"
            party = f"{base}/party/{event['partner_id']}" if event["partner_id"] else None
            item = {
                "type": "ObjectEvent",
                "eventTime": when,
                "eventTimeZoneOffset": "+00:00",
                "action": "OBSERVE",
                "bizStep": "receiving" if receiving else "shipping",
                "disposition": "in_progress" if receiving else "in_transit",
                "epcList": [],
                "quantityList": [quantity],
                "readPoint": {
                    "id": f"{base}/location/{quote(event['destination'] if receiving else event['source'], safe='')}"
                },
                "bizTransactionList": [{"type": "desadv", "bizTransaction": f"{base}/doc/{event['reference']}"}],
            }
            if party:
                item["sourceList" if receiving else "destinationList"] = [
                    {"type": "owning_party", "source" if receiving else "destination": party}
                ]
            events.append(item)
        # Inputs of each transformation: the lines consumed by the same order.
        for (kind, record_id), transformation in transformations.items():
            transformation["inputQuantityList"] = self._transformation_inputs(kind, record_id)
            events.append(transformation)
        events.sort(key=lambda e: e["eventTime"])
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": fields.Datetime.now().isoformat(timespec="seconds") + "Z",
            "epcisBody": {"eventList": events},
        }
        return json.dumps(document, indent=1, ensure_ascii=False).encode()

    @api.model
    def _transformation_inputs(self, kind, record_id):
        column = SQL("move.raw_material_production_id") if kind == "mrp" else SQL("move.trace_transformation_id")
        extra = SQL("TRUE") if kind == "mrp" else SQL("dest.usage = 'production'")
        self.env.cr.execute(
            SQL(
                """
            SELECT lot.name, product.barcode, lot.product_id, SUM(line.quantity_product_uom), uom.name
              FROM stock_move_line line
              JOIN stock_move move ON move.id = line.move_id
              JOIN stock_lot lot ON lot.id = line.lot_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              LEFT JOIN uom_uom uom ON uom.id = tmpl.uom_id
              JOIN stock_location dest ON dest.id = line.location_dest_id
             WHERE %(column)s = %(id)s AND line.state = 'done' AND %(extra)s
          GROUP BY lot.name, product.barcode, lot.product_id, uom.name
                """,
                column=column,
                id=record_id,
                extra=extra,
            )
        )
        return [
            {
                "epcClass": self._epc_class({"lot": lot, "barcode": barcode, "product_id": product_id}),
                "quantity": quantity,
                "uom": self._cell(uom) or "EA",
            }
            for lot, barcode, product_id, quantity, uom in self.env.cr.fetchall()
        ]
