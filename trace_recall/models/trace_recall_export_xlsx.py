from odoo import api, fields, models
from odoo.tools import SQL

from .trace_recall_export import REPORTED_COLUMNS, REPORTED_SHEET


class TraceRecallExportXlsx(models.AbstractModel):
    """The recall workbook: summary, affected lots, stock on hand, deliveries, genealogy, and
    what partners' EPCIS events report upstream of the recall's lots."""

    _name = "trace.recall.export.xlsx"
    _inherit = "trace.recall.export"
    _description = "Recall Workbook"

    @api.model
    def _render(self, recall):
        output, workbook, bold = self._workbook()
        for sheet in self._get_workbook_sheets():
            rows = sheet["rows"](recall)
            if sheet.get("optional") and not rows:
                continue
            self._sheet(
                workbook,
                bold,
                sheet["name"],
                sheet["headers"],
                rows,
                sheet["widths"],
                autofilter=sheet.get("autofilter", True),
            )
        workbook.close()
        return output.getvalue()

    @api.model
    def _get_workbook_sheets(self):
        """The sheets of the workbook, in order: dicts ``{'name', 'headers', 'widths',
        'rows'}`` (and ``'autofilter'``, True unless said; ``'optional'``: left out when it
        has no rows, its rows then a list), ``rows`` a function of the recall returning the
        rows (``_get_<sheet>_rows``). Override to add, drop or change
        a sheet; a sheet's rows are changed in its own method."""
        columns = self._get_delivery_columns()
        return [
            {
                "name": "Summary",
                "headers": ["Item", "Value"],
                "widths": [32, 60],
                "rows": self._get_summary_rows,
                "autofilter": False,
            },
            {
                "name": "Affected lots",
                "headers": ["Product code", "Product", "Lot/Serial", "Vendor lot", "Quality status", "Expiration date"],
                "widths": [16, 32, 20, 18, 14, 20],
                "rows": self._get_affected_lot_rows,
            },
            {
                "name": "Stock on hand",
                "headers": ["Location", "Product", "Lot/Serial", "Quantity", "Unit"],
                "widths": [30, 32, 20, 12, 10],
                "rows": self._get_stock_rows,
            },
            {
                "name": "Deliveries",
                "headers": [header for header, _sql, _width in columns],
                "widths": [width for _header, _sql, width in columns],
                "rows": self._get_delivery_rows,
            },
            {
                "name": "Genealogy",
                "headers": [
                    "Component lot",
                    "Component",
                    "Produced lot",
                    "Product",
                    "Quantity",
                    "Type",
                    "Document",
                    "Date",
                ],
                "widths": [20, 28, 20, 28, 10, 14, 18, 19],
                "rows": self._get_genealogy_rows,
            },
            {
                "name": REPORTED_SHEET,
                "headers": [header for header, _width in REPORTED_COLUMNS],
                "widths": [width for _header, width in REPORTED_COLUMNS],
                "rows": self._get_reported_rows,
                "optional": True,
            },
        ]

    @api.model
    def _get_summary_rows(self, recall):
        """The Summary sheet: ``(item, value)`` facts of the recall."""
        return [
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

    @api.model
    def _get_affected_lot_rows(self, recall):
        """The Affected lots sheet: every affected lot with its product and status."""
        return self._rows(
            SQL(
                """
            SELECT tmpl.default_code, tmpl.name, lot.name, lot.vendor_lot_number, lot.quality_status,
                   lot.expiration_date
              FROM stock_lot lot
              JOIN product_product product ON product.id = lot.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
             WHERE lot.id = ANY(%s) ORDER BY tmpl.default_code, lot.name
                """,
                recall.affected_lot_ids.ids,
            )
        )

    @api.model
    def _get_stock_rows(self, recall):
        """The Stock on hand sheet: the recall's stock of affected lots, by location."""
        return self._rows(
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
        )

    @api.model
    def _get_reported_rows(self, recall):
        """The Reported upstream sheet: what partners' events say the recall's lots (suspect
        and affected) were made from."""
        return self._reported_rows(set(recall.lot_ids.ids) | set(recall.affected_lot_ids.ids))

    @api.model
    def _get_delivery_rows(self, recall):
        """The Deliveries sheet: the recall's deliveries, one column per
        :meth:`_get_delivery_columns`."""
        columns = self._get_delivery_columns()
        return self._rows(
            SQL(
                """
            SELECT %(columns)s
              FROM trace_recall_delivery delivery
              LEFT JOIN res_partner partner ON partner.id = delivery.partner_id
              LEFT JOIN res_country country ON country.id = partner.country_id
              LEFT JOIN stock_picking picking ON picking.id = delivery.picking_id
              JOIN product_product product ON product.id = delivery.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              JOIN stock_lot lot ON lot.id = delivery.lot_id
              LEFT JOIN uom_uom uom ON uom.id = delivery.product_uom_id
              LEFT JOIN sale_order sale ON sale.id = delivery.sale_order_id
             WHERE delivery.recall_id = %(recall)s ORDER BY partner.complete_name, delivery.date, delivery.id
                """,
                columns=SQL(", ").join(sql for _header, sql, _width in columns),
                recall=recall.id,
            )
        )

    @api.model
    def _get_genealogy_rows(self, recall):
        """The Genealogy sheet: the genealogy links into the affected lots (in the recall's
        company)."""
        return self._rows(
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
                recall.affected_lot_ids.ids,
                recall.company_id.id,
            )
        )

    @api.model
    def _get_delivery_columns(self):
        """The columns of the Deliveries sheet: ``(header, SQL expression, width)``, the
        expressions over ``delivery`` (trace_recall_delivery) and its ``partner``,
        ``country``, ``picking``, ``product``, ``tmpl`` (product template), ``lot``, ``uom``
        and ``sale`` (sale order). Override to add or change a column."""
        return [
            ("Customer", SQL("partner.complete_name"), 28),
            (
                "Address",
                SQL("CONCAT_WS(', ', partner.street, partner.street2, partner.zip, partner.city, country.code)"),
                40,
            ),
            ("Email", SQL("partner.email"), 28),
            ("Phone", SQL("partner.phone"), 16),
            ("Delivery", SQL("picking.name"), 16),
            ("Date", SQL("delivery.date"), 19),
            ("Product", SQL("tmpl.name"), 28),
            ("Lot/Serial", SQL("lot.name"), 18),
            ("Quantity", SQL("delivery.quantity"), 10),
            ("Unit", SQL("uom.name"), 8),
            ("Sale order", SQL("sale.name"), 14),
        ]
