import time

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError

from odoo.addons.trace_compliance.external_api import public

# Above this many lots, the files are made in the background (cron trigger).
DEFAULT_BACKGROUND_THRESHOLD = 2000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TraceFsmaRequest(models.Model):
    """A request for traceability records (FSMA 204, 21 CFR 1.1455(c)): the electronic
    sortable spreadsheet and the EPCIS document of the critical tracking events of some
    products or categories over a period, or of a list of traceability lot codes, without
    starting a recall. The FDA asks for them within 24 hours."""

    _name = "trace.fsma.request"
    _description = "FSMA 204 Records Request"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    reference = fields.Char(
        "Requested By / Reference", tracking=True, help="Who asked (FDA, customer) and their reference."
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    product_ids = fields.Many2many("product.product", string="Products")
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    lot_codes = fields.Text("Traceability Lot Codes", help="One traceability lot code (lot or serial number) per line.")
    date_from = fields.Datetime("From")
    date_to = fields.Datetime("To")
    state = fields.Selection(
        [("draft", "Draft"), ("pending", "Queued"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    progress = fields.Integer(readonly=True, copy=False)
    lot_ids = fields.Many2many("stock.lot", string="Lots", readonly=True, copy=False)
    lot_count = fields.Integer(compute="_compute_lot_count")
    event_count = fields.Integer("Events", readonly=True, copy=False)
    fsma_attachment_id = fields.Many2one("ir.attachment", "FSMA 204 Spreadsheet", readonly=True, copy=False)
    epcis_attachment_id = fields.Many2one("ir.attachment", "EPCIS Document", readonly=True, copy=False)
    done_date = fields.Datetime("Answered", readonly=True, copy=False)
    duration = fields.Float("Time to Answer (s)", readonly=True, copy=False, digits=(16, 1))

    @api.depends("lot_ids")
    def _compute_lot_count(self):
        for request in self:
            request.lot_count = len(request.lot_ids)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for request in self:
            if request.date_from and request.date_to and request.date_from > request.date_to:
                raise ValidationError(
                    self.env._("%(request)s: the period ends before it starts.", request=request.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("trace.fsma.request") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def action_generate(self):
        """Find the lots and make the spreadsheet and the EPCIS document; a request of many
        lots goes to the background (``progress`` shows how far it is)."""
        self.ensure_one()
        lot_ids = self._find_lot_ids()
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("trace_recall.fsma_background_threshold", DEFAULT_BACKGROUND_THRESHOLD)
        )
        self.write({"lot_ids": [fields.Command.set(lot_ids)], "progress": 0, "event_count": 0})
        if len(lot_ids) > threshold:
            self.state = "pending"
            self.env.ref("trace_recall.ir_cron_trace_fsma_request").sudo()._trigger()
            self.message_post(body=self.env._("Large request: the files are made in the background."))
            return True
        self._generate()
        return True

    @api.model
    def _cron_generate_pending(self):
        """Make the files of the queued requests, committing progress between the steps."""
        commit = not modules.module.current_test  # tests run in one transaction
        for request in self.search([("state", "=", "pending")]):
            request = request.with_user(request.write_uid or self.env.user)
            request.write({"state": "running", "progress": 5})
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            request._generate(commit=commit)

    def _generate(self, commit=False):
        self.ensure_one()
        started = time.monotonic()
        Export = self.env["trace.recall.export"]
        lots = self.lot_ids.ids

        def events():
            return Export._tracking_events(lots, self.company_id, self.date_from, self.date_to)

        base = self.name.replace("/", "-")
        self.write({"progress": 20, "state": "running"})
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        count = 0

        def counting(rows):
            """The events, counted as the sheet streams them (no pass of their own)."""
            nonlocal count
            for count, event in enumerate(rows, start=1):  # noqa: B007
                yield event

        sheet = self.env["trace.recall.export.fsma"]._render_events(counting(events()), self.company_id)
        fsma = self._attach(f"{base}-FSMA204.xlsx", sheet, XLSX_MIME)
        self.write({"event_count": count, "progress": 60})
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        document = self.env["trace.recall.export.epcis"]._render_events(events(), self.company_id)
        epcis = self._attach(f"{base}-EPCIS.jsonld", document, "application/ld+json")
        self.write(
            {
                "fsma_attachment_id": fsma.id,
                "epcis_attachment_id": epcis.id,
                "state": "done",
                "progress": 100,
                "done_date": fields.Datetime.now(),
                "duration": time.monotonic() - started,
            }
        )
        self.message_post(
            body=self.env._(
                "Records ready: %(events)s critical tracking events of %(lots)s lots.", events=count, lots=len(lots)
            ),
            attachment_ids=[fsma.id, epcis.id],
        )

    def _attach(self, filename, data, mimetype):
        return (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": filename, "raw": data, "res_model": self._name, "res_id": self.id, "mimetype": mimetype})
        )

    @public(single=True)
    def action_download_fsma(self):
        return self._download(self.fsma_attachment_id)

    @public(single=True)
    def action_download_epcis(self):
        return self._download(self.epcis_attachment_id)

    def _download(self, attachment):
        self.ensure_one()
        if self.state != "done" or not attachment:
            raise UserError(self.env._("%(request)s has no files yet: generate them first.", request=self.name))
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    # ------------------------------------------------------------------
    # lots
    # ------------------------------------------------------------------
    def _find_lot_ids(self):
        """The lots asked for, that the user may read: the traceability lot codes listed
        (each must exist in the company), and the lots of the products and categories with a
        receiving, transformation or shipping event in the period (the trace engine's)."""
        self.ensure_one()
        codes = [code.strip() for code in (self.lot_codes or "").splitlines() if code.strip()]
        if not (codes or self.product_ids or self.categ_ids):
            raise UserError(
                self.env._(
                    "%(request)s: choose products, product categories or traceability lot codes.", request=self.name
                )
            )
        Lot = self.env["stock.lot"].with_context(active_test=False)
        lot_ids = set()
        if codes:
            lots = Lot.search([("name", "in", codes), ("company_id", "in", [self.company_id.id, False])])
            unknown = sorted(set(codes) - set(lots.mapped("name")))
            if unknown:
                raise UserError(
                    self.env._(
                        "%(request)s: no lot or serial number in %(company)s is called %(codes)s.",
                        request=self.name,
                        company=self.company_id.name,
                        codes=", ".join(unknown),
                    )
                )
            lot_ids.update(lots.ids)
        products = self.product_ids | self.env["product.product"].with_context(active_test=False).search(
            [("categ_id", "child_of", self.categ_ids.ids)] if self.categ_ids else [("id", "=", 0)]
        )
        engine = self.env["trace.engine"]
        if products:
            lot_ids |= engine._event_lot_ids(products.ids, self.company_id, self.date_from, self.date_to)
        readable = engine._readable("stock.lot", lot_ids)
        if not readable:
            raise UserError(
                self.env._("%(request)s: no lot has a critical tracking event for this request.", request=self.name)
            )
        return readable
