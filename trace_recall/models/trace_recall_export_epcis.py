import json
from urllib.parse import quote

from odoo import api, fields, models
from odoo.tools import SQL


class TraceRecallExportEpcis(models.AbstractModel):
    """The EPCIS 2.0 JSON-LD document of the recall's critical tracking events."""

    _name = "trace.recall.export.epcis"
    _inherit = "trace.recall.export"
    _description = "Recall EPCIS Document"

    @api.model
    def _epc_class(self, event):
        barcode = event["barcode"]
        if barcode and barcode.isdigit() and len(barcode) in (8, 12, 13, 14):
            return f"https://id.gs1.org/01/{barcode.zfill(14)}/10/{quote(event['lot'], safe='')}"
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "http://localhost")
        return f"{base}/lot/{event['product_id']}/{quote(event['lot'], safe='')}"

    @api.model
    def _render(self, recall):
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
