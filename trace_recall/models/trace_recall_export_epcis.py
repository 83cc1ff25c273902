import json
from urllib.parse import quote

from odoo import api, fields, models

from odoo.addons.trace_compliance import gs1

# CBV 2.0 business steps and dispositions of each critical tracking event.
BIZ_STEPS = {"receiving": "receiving", "shipping": "shipping", "transformation": "commissioning"}
DISPOSITIONS = {"receiving": "in_progress", "shipping": "in_transit", "transformation": "active"}
BIZ_TRANSACTIONS = {"receiving": "recadv", "shipping": "desadv", "transformation": "prodorder"}
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


class TraceRecallExportEpcis(models.AbstractModel):
    """The EPCIS 2.0 JSON-LD document of critical tracking events: ObjectEvents for receiving
    and shipping, one TransformationEvent per manufacturing order or lot transformation.

    Identifiers the GS1 way: serials as instance-level EPCs (``epcList``), lots as
    class-level quantities (``quantityList``), as GS1 Digital Link URIs when the product has
    a GTIN (else a stable URI of this database); locations and parties by GLN (SGLN / PGLN
    Digital Link) when one is configured; units as UN/CEFACT Recommendation 20 codes."""

    _name = "trace.recall.export.epcis"
    _inherit = "trace.recall.export"
    _description = "EPCIS 2.0 Document"

    @api.model
    def _render_events(self, events, company):
        base = self._base_url()
        items, transformations, facilities = [], {}, {}
        us = self._party_uri(company.partner_id)
        for event in events:
            kind = event["event"]
            when = event["date"].isoformat(timespec="seconds") + "Z"
            if kind == "transformation":
                key = (event["transformation_kind"], event["transformation_id"])
                transformation = transformations.get(key)
                if transformation is None:
                    place = self._location_uri(event["location_dest_id"], facilities)
                    transformation = transformations[key] = {
                        "type": "TransformationEvent",
                        "eventTime": when,
                        "eventTimeZoneOffset": "+00:00",
                        "transformationID": f"{base}/transformation/{key[0]}/{key[1]}",
                        "bizStep": BIZ_STEPS[kind],
                        "disposition": DISPOSITIONS[kind],
                        "readPoint": {"id": place},
                        "bizLocation": {"id": place},
                        "bizTransactionList": [self._biz_transaction(kind, event["reference"])],
                    }
                    self._add_items(transformation, "input", self._transformation_inputs(*key))
                transformation["eventTime"] = max(transformation["eventTime"], when)
                self._add_items(transformation, "output", [event])
                continue
            ours = event["location_dest_id"] if kind == "receiving" else event["location_id"]
            place = self._location_uri(ours, facilities)
            item = {
                "type": "ObjectEvent",
                "eventTime": when,
                "eventTimeZoneOffset": "+00:00",
                "action": "OBSERVE",
                "bizStep": BIZ_STEPS[kind],
                "disposition": DISPOSITIONS[kind],
                "readPoint": {"id": place},
                "bizTransactionList": [self._biz_transaction(kind, event["reference"])],
            }
            if kind == "receiving":
                item["bizLocation"] = {"id": place}
            self._add_items(item, "", [event])
            them = self._party_uri(self.env["res.partner"].browse(event["partner_id"])) if event["partner_id"] else None
            them_place = self._partner_location_uri(event["partner_id"]) if event["partner_id"] else None
            ours_list = [
                {"type": "owning_party", "id": us},
                {"type": "possessing_party", "id": us},
                {"type": "location", "id": place},
            ]
            theirs = [{"type": "owning_party", "id": them}, {"type": "possessing_party", "id": them}] if them else []
            if them_place:
                theirs.append({"type": "location", "id": them_place})
            sources, destinations = (theirs, ours_list) if kind == "receiving" else (ours_list, theirs)
            if sources:
                item["sourceList"] = [{"type": entry["type"], "source": entry["id"]} for entry in sources]
            if destinations:
                item["destinationList"] = [
                    {"type": entry["type"], "destination": entry["id"]} for entry in destinations
                ]
            items.append(item)
        items.extend(transformations.values())
        items.sort(key=lambda item: item["eventTime"])
        document = {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": fields.Datetime.now().isoformat(timespec="seconds") + "Z",
            "epcisBody": {"eventList": items},
        }
        return json.dumps(document, indent=1, ensure_ascii=False).encode()

    # ------------------------------------------------------------------
    # identifiers
    # ------------------------------------------------------------------
    @api.model
    def _base_url(self):
        return self.env["ir.config_parameter"].sudo().get_param("web.base.url", "http://localhost").rstrip("/")

    @api.model
    def _add_items(self, event, prefix, items):
        """Add ``items`` (events or transformation inputs) to ``event``'s EPC list (serials)
        or quantity list (lots); ``prefix`` is ``input``, ``output`` or empty."""
        for item in items:
            if item["tracking"] == "serial":
                key = f"{prefix}EPCList" if prefix else "epcList"
                epcs = event.setdefault(key, [])
                epc = self._epc(item)
                if epc not in epcs:
                    epcs.append(epc)
            else:
                key = f"{prefix}QuantityList" if prefix else "quantityList"
                event.setdefault(key, []).append(
                    {"epcClass": self._epc_class(item), "quantity": item["quantity"], "uom": self._unece_code(item)}
                )

    @api.model
    def _epc(self, item):
        """The instance-level EPC of a serial: GS1 Digital Link (AI 01 + 21) with a GTIN,
        else a URI of this database."""
        if item["barcode"] and gs1.gtin14(item["barcode"]):
            return gs1.digital_link(item["barcode"], serial=item["lot"])
        return f"{self._base_url()}/serial/{item['product_id']}/{quote(item['lot'], safe='')}"

    @api.model
    def _epc_class(self, item):
        """The class-level EPC of a lot: GS1 Digital Link (AI 01 + 10) with a GTIN, else a
        URI of this database."""
        if item["barcode"] and gs1.gtin14(item["barcode"]):
            return gs1.digital_link(item["barcode"], lot=item["lot"])
        return f"{self._base_url()}/lot/{item['product_id']}/{quote(item['lot'], safe='')}"

    @api.model
    def _location_uri(self, location_id, cache):
        """SGLN Digital Link of one of our locations with a GLN, else a URI of this database."""
        if location_id not in cache:
            gln = self.env["stock.location"].sudo().browse(location_id)._trace_get_gln()
            cache[location_id] = (
                f"{gs1.DIGITAL_LINK_DOMAIN}/414/{gln}" if gln else f"{self._base_url()}/location/{location_id}"
            )
        return cache[location_id]

    @api.model
    def _party_uri(self, partner):
        """PGLN Digital Link of a party with a GLN, else a URI of this database."""
        partner = partner.sudo()
        gln = partner.trace_gln or partner.commercial_partner_id.trace_gln
        return f"{gs1.DIGITAL_LINK_DOMAIN}/417/{gln}" if gln else f"{self._base_url()}/party/{partner.id}"

    @api.model
    def _partner_location_uri(self, partner_id):
        """SGLN Digital Link of a trading partner's place (its own GLN), else nothing."""
        gln = self.env["res.partner"].sudo().browse(partner_id).trace_gln
        return f"{gs1.DIGITAL_LINK_DOMAIN}/414/{gln}" if gln else None

    @api.model
    def _biz_transaction(self, kind, reference):
        return {
            "type": BIZ_TRANSACTIONS[kind],
            "bizTransaction": f"{self._base_url()}/doc/{quote(reference or '', safe='')}",
        }
