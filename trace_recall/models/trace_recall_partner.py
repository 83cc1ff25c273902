import base64
import binascii

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_is_zero
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.trace_compliance.external_api import public

from .trace_recall_response import RESPONSE_QUANTITIES

RESOLVED = ("acknowledged", "returned", "closed")
# The keys of an answer (``submit_response``); "lines" holds one dict per lot.
ANSWER_KEYS = (
    "lines",
    "received",
    "quarantined",
    "sub_recall_count",
    "contact_name",
    "contact_email",
    "contact_phone",
    "comment",
    "evidence",
)


class TraceRecallPartner(models.Model):
    """A customer of a recall: what they received and what was done about it."""

    _name = "trace.recall.partner"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Recall Customer"
    _order = "partner_id"

    recall_id = fields.Many2one("trace.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
            ("returned", "Quantity Returned"),
            ("closed", "Closed"),
        ],
        default="to_notify",
        required=True,
        tracking=True,
    )
    qty_shipped = fields.Float("Shipped", digits="Product Unit of Measure")
    qty_returned = fields.Float("Returned", digits="Product Unit of Measure", tracking=True)
    notified_date = fields.Datetime(readonly=True)
    acknowledged_date = fields.Datetime(readonly=True)
    note = fields.Text()
    delivery_ids = fields.Many2many("trace.recall.delivery", compute="_compute_delivery_ids", string="Deliveries")
    is_drill = fields.Boolean(related="recall_id.is_drill")
    # The customer's answers (response page, or recorded): the latest is the one that counts.
    response_ids = fields.One2many("trace.recall.response", "partner_line_id", "Answers", readonly=True)
    response_id = fields.Many2one("trace.recall.response", "Current Answer", readonly=True, index="btree_not_null")
    response_count = fields.Integer("Answers Received", readonly=True, default=0)
    answered_date = fields.Datetime("First Answer On", readonly=True)
    last_answer_date = fields.Datetime("Last Answer On", readonly=True)
    qty_on_hand = fields.Float("Still on Hand", digits="Product Unit of Measure", readonly=True, tracking=True)
    qty_consumed = fields.Float("Sold On or Consumed", digits="Product Unit of Measure", readonly=True, tracking=True)
    qty_destroyed = fields.Float("Destroyed", digits="Product Unit of Measure", readonly=True, tracking=True)
    qty_accounted = fields.Float(
        "Accounted For",
        digits="Product Unit of Measure",
        compute="_compute_qty_accounted",
        help="On hand, sold on or consumed, destroyed and returned, as the customer's answer says.",
    )
    sub_recall_count = fields.Integer("Own Customers Notified", readonly=True, tracking=True)
    evidence_ids = fields.Many2many(
        "ir.attachment", compute="_compute_evidence_ids", help="The files sent with the answers."
    )
    contact_name = fields.Char(related="response_id.contact_name", string="Answered By")
    reminder_count = fields.Integer("Reminders Sent", readonly=True, default=0)
    reminder_date = fields.Datetime("Reminded On", readonly=True)
    return_picking_ids = fields.Many2many(
        "stock.picking",
        "trace_recall_partner_return_rel",
        "partner_line_id",
        "picking_id",
        "Return Transfers",
        readonly=True,
        help="Returns from the original deliveries, proposed for the quantities the customer says they returned.",
    )

    def _compute_delivery_ids(self):
        Delivery = self.env["trace.recall.delivery"]
        for line in self:
            line.delivery_ids = Delivery.search(
                [("recall_id", "=", line.recall_id.id), ("partner_id", "=", line.partner_id.id)], order="date, id"
            )

    @api.depends(*RESPONSE_QUANTITIES)
    def _compute_qty_accounted(self):
        for line in self:
            line.qty_accounted = sum(line[name] for name in RESPONSE_QUANTITIES)

    @api.depends("response_ids.attachment_ids")
    def _compute_evidence_ids(self):
        for line in self:
            line.evidence_ids = line.response_ids.attachment_ids

    def _compute_access_url(self):
        for line in self:
            line.access_url = f"/my/recall/{line.id}"

    @public()
    def action_acknowledge(self):
        self.write({"state": "acknowledged", "acknowledged_date": fields.Datetime.now()})
        return True

    @public()
    def action_close(self):
        self.write({"state": "closed"})
        return True

    def _get_notice_template(self):
        """The mail template of this customer's recall notice."""
        return self.env.ref("trace_recall.mail_template_recall_notice")

    def _prepare_notice_vals(self):
        """Values of this customer's notice (``mail.mail`` fields) on top of the template's:
        its recipients, the customer (override to add, say, their quality contact)."""
        self.ensure_one()
        return {"recipient_ids": [Command.set(self.partner_id.ids)]}

    def write(self, vals):
        if "qty_returned" in vals and vals["qty_returned"] and "state" not in vals:
            vals = dict(vals, state="returned")
        # The personal link's token may be made at any time (a preview of a closed recall).
        if set(vals) - {"access_token"} and any(line.recall_id.state in ("closed", "cancelled") for line in self):
            raise UserError(self.env._("The recall is closed: its customer lines cannot change."))
        return super().write(vals)

    def action_open_line(self):
        """This customer's line in full: their answers, deliveries and its chatter."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_preview_response(self):
        """Open this customer's response page, as the notice's link does (for a drill, the
        only way to see it: a drill's links answer internal users only)."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.get_portal_url(), "target": "new"}

    # ------------------------------------------------------------------
    # the customer's answer
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def submit_response(self, answer):
        """Record the customer's answer to the recall notice, as an integration or a user
        receiving it by phone or mail would (the response page sends the same answer).

        ``answer`` is a dict: ``lines``, a list of ``{"lot_id": id or "lot": name,
        "qty_on_hand", "qty_consumed", "qty_destroyed", "qty_returned"}`` (lots shipped to
        this customer only; a lot left out counts as nothing accounted for); ``received``
        (default true), ``quarantined``, ``sub_recall_count``, ``contact_name`` (required),
        ``contact_email``, ``contact_phone``, ``comment`` and ``evidence``, a list of
        ``{"name", "datas"}`` (base64) files. Returns the id of the new
        ``trace.recall.response``; an answer that is wrong in any part changes nothing."""
        return self._submit_response(answer, channel="internal").id

    def _get_lot_deliveries(self):
        """The recall's delivery lines of this customer with a lot, oldest first (read with
        ``sudo()``: the customer's own page shows them)."""
        self.ensure_one()
        return (
            self.env["trace.recall.delivery"]
            .sudo()
            .search(
                [
                    ("recall_id", "=", self.recall_id.id),
                    ("partner_id", "=", self.partner_id.id),
                    ("lot_id", "!=", False),
                ],
                order="date, id",
            )
        )

    def _get_shipped_lots(self):
        """{lot id: {"lot", "product", "uom", "qty"}} of what this customer
        received of the recall's affected lots, from the recall's delivery lines."""
        self.ensure_one()
        shipped = {}
        for delivery in self._get_lot_deliveries():
            info = shipped.setdefault(
                delivery.lot_id.id,
                {
                    "lot": delivery.lot_id,
                    "product": delivery.product_id,
                    "uom": delivery.product_uom_id,
                    "qty": 0.0,
                },
            )
            info["qty"] += delivery.quantity
        return shipped

    def _is_answerable(self):
        """Whether the customer may still answer or change their answer: until the recall
        closes (or their line is closed)."""
        self.ensure_one()
        return self.recall_id.state == "open" and self.state != "closed"

    def _check_answerable(self):
        recall = self.recall_id
        if not self._is_answerable():
            raise UserError(
                self.env._("Recall %(recall)s is closed: answers can no longer be sent or changed.", recall=recall.name)
            )

    def _prepare_response_vals(self, answer, channel):
        """Values of the ``trace.recall.response`` of ``answer`` (see :meth:`submit_response`),
        checked: unknown keys, lots not shipped to this customer, quantities that are not
        numbers are refused here, quantities above what was shipped by the response line."""
        self.ensure_one()
        if not isinstance(answer, dict):
            raise UserError(self.env._("An answer is a dict of %(keys)s.", keys=", ".join(ANSWER_KEYS)))
        unknown = sorted(set(answer) - set(ANSWER_KEYS))
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown keys in the answer: %(unknown)s. An answer has %(keys)s.",
                    unknown=", ".join(map(str, unknown)),
                    keys=", ".join(ANSWER_KEYS),
                )
            )
        shipped = self._get_shipped_lots()
        by_name = {info["lot"].name: lot_id for lot_id, info in shipped.items()}
        given = {}
        for item in answer.get("lines") or []:
            if not isinstance(item, dict):
                raise UserError(self.env._("Each line of an answer is a dict with lot_id (or lot) and quantities."))
            key = item.get("lot_id") or item.get("lot")
            lot_id = key if isinstance(key, int) and not isinstance(key, bool) else by_name.get(key)
            if lot_id not in shipped:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s was not shipped to %(customer)s in recall %(recall)s.",
                        lot=key,
                        customer=self.partner_id.display_name,
                        recall=self.recall_id.name,
                    )
                )
            if lot_id in given:
                raise UserError(self.env._("Lot %(lot)s is given twice.", lot=shipped[lot_id]["lot"].name))
            given[lot_id] = {
                name: self._answer_number(item.get(name), shipped[lot_id]["lot"]) for name in RESPONSE_QUANTITIES
            }
        contact = (answer.get("contact_name") or "").strip() if isinstance(answer.get("contact_name"), str) else ""
        if not contact:
            raise UserError(self.env._("Say who answers: the contact person's name is required."))
        sub_recall_count = answer.get("sub_recall_count") or 0
        if isinstance(sub_recall_count, bool) or not isinstance(sub_recall_count, int) or sub_recall_count < 0:
            raise UserError(
                self.env._(
                    "The number of your own customers notified is a whole number, 0 or more, not %(value)r.",
                    value=sub_recall_count,
                )
            )
        lines = [
            self._prepare_response_line_vals(
                lot_id, info["qty"], given.get(lot_id) or dict.fromkeys(RESPONSE_QUANTITIES, 0.0)
            )
            for lot_id, info in shipped.items()
        ]
        totals = {name: sum(line[name] for line in lines) for name in RESPONSE_QUANTITIES}
        return {
            "partner_line_id": self.id,
            "channel": channel,
            "received": bool(answer.get("received", True)),
            "quarantined": bool(answer.get("quarantined")),
            "sub_recall_count": sub_recall_count,
            "contact_name": contact,
            "contact_email": (answer.get("contact_email") or "").strip() or False,
            "contact_phone": (answer.get("contact_phone") or "").strip() or False,
            "comment": (answer.get("comment") or "").strip() or False,
            "line_ids": [Command.create(line) for line in lines],
            **totals,
        }

    def _prepare_response_line_vals(self, lot_id, qty_shipped, quantities):
        """Hook: the line of a response for one lot shipped to this customer
        (``qty_shipped``), with the ``quantities`` the customer gives for it (one per
        ``RESPONSE_QUANTITIES``); the response's totals add these up."""
        return {"lot_id": lot_id, "qty_shipped": qty_shipped, **quantities}

    def _answer_number(self, value, lot):
        if value in (None, False, ""):
            return 0.0
        try:
            return float(value)
        except (TypeError, ValueError):
            raise UserError(
                self.env._("Lot %(lot)s: %(value)r is not a quantity.", lot=lot.name, value=value)
            ) from None

    def _prepare_evidence_vals(self, evidence):
        """``ir.attachment`` values of the evidence files of an answer: dicts of ``name``
        and ``datas`` (base64), or ``raw`` (bytes, the response page); photos and PDFs only."""
        vals_list = []
        for item in evidence or []:
            if not isinstance(item, dict) or not item.get("name") or not (item.get("datas") or item.get("raw")):
                raise UserError(self.env._("Each evidence file is a dict with a name and its content (datas)."))
            raw = item.get("raw")
            if raw is None:
                try:
                    raw = base64.b64decode(item["datas"], validate=True)
                except (binascii.Error, TypeError, ValueError):
                    raise UserError(self.env._("Evidence file %(name)s is not base64.", name=item["name"])) from None
            # What the file is, from its content (never from what the sender says it is): a
            # photo or a PDF, nothing a browser would run when an employee opens it.
            mimetype = guess_mimetype(raw)
            if mimetype != "application/pdf" and (not mimetype.startswith("image/") or "svg" in mimetype):
                raise UserError(
                    self.env._(
                        "Evidence file %(name)s is %(type)s: send photos (JPEG, PNG...) or PDF documents.",
                        name=item["name"],
                        type=mimetype,
                    )
                )
            vals = {"name": item["name"], "raw": raw, "mimetype": mimetype, "res_model": "trace.recall.response"}
            vals_list.append(vals)
        return vals_list

    def _submit_response(self, answer, channel):
        """Check and record ``answer`` (see :meth:`submit_response`), by whoever sends it: the
        caller checked they may (the link's token, or write access). What this customer line
        records of it is written with ``sudo()`` (a customer on the response page has no
        rights), in the name of the sender, who the audit trail names."""
        self.ensure_one()
        line = self.sudo()
        # All or nothing: a refused answer (a constraint of its lines) leaves no trace.
        with self.env.cr.savepoint():
            line._check_answerable()
            vals = line._prepare_response_vals(answer, channel)
            evidence_vals = line._prepare_evidence_vals(answer.get("evidence") if isinstance(answer, dict) else None)
            if float_compare(vals["qty_destroyed"], 0.0, precision_digits=6) > 0 and not (
                evidence_vals or line.response_ids.attachment_ids
            ):
                raise UserError(
                    self.env._("Destroyed stock needs evidence: add a photo or a certificate of destruction.")
                )
            reason = self.env._("Answer to recall notice %(recall)s", recall=line.recall_id.name)
            attachments = self.env["ir.attachment"].sudo().create(evidence_vals)
            vals["attachment_ids"] = [Command.set(attachments.ids)]
            response = self.env["trace.recall.response"].sudo().with_context(trace_audit_reason=reason).create(vals)
            attachments.write({"res_id": response.id})
            now = fields.Datetime.now()
            line.write(
                {
                    "response_id": response.id,
                    "response_count": line.response_count + 1,
                    "state": "returned" if response.qty_returned else "acknowledged",
                    "acknowledged_date": line.acknowledged_date or now,
                    "answered_date": line.answered_date or now,
                    "last_answer_date": now,
                    **{name: response[name] for name in RESPONSE_QUANTITIES},
                    "sub_recall_count": response.sub_recall_count,
                }
            )
            line._propose_returns()
            author = line.partner_id if channel == "portal" else self.env.user.partner_id
            line.recall_id.message_post(body=line._response_message(response), author_id=author.id)
            return response

    def _response_message(self, response):
        return self.env._(
            "%(customer)s answered (%(channel)s, %(contact)s): %(on_hand)s on hand%(kept)s, %(consumed)s sold on or "
            "consumed, %(destroyed)s destroyed, %(returned)s returned of %(shipped)s shipped; notice forwarded to "
            "%(sub)s of their customers; %(files)s evidence files.",
            customer=self.partner_id.display_name,
            channel=dict(response._fields["channel"]._description_selection(self.env))[response.channel],
            contact=response.contact_name,
            on_hand=response.qty_on_hand,
            kept=self.env._(" (kept apart)") if response.quarantined else "",
            consumed=response.qty_consumed,
            destroyed=response.qty_destroyed,
            returned=response.qty_returned,
            shipped=self.qty_shipped,
            sub=response.sub_recall_count,
            files=len(response.attachment_ids),
        )

    # ------------------------------------------------------------------
    # returns
    # ------------------------------------------------------------------
    def _propose_returns(self):
        """Propose Odoo's own returns of the original deliveries for the quantities the
        current answer says were returned and no return transfer proposes yet (a changed
        answer adds what is missing, never twice), for quality to check and validate."""
        self.ensure_one()
        wanted = {line.lot_id.id: line.qty_returned for line in self.response_id.line_ids if line.qty_returned}
        if not wanted:
            return self.env["stock.picking"]
        company = self.recall_id.company_id
        proposed = {}
        for move_line in self.return_picking_ids.filtered(lambda p: p.state != "cancel").move_line_ids:
            key = (move_line.move_id.origin_returned_move_id.id, move_line.lot_id.id)
            proposed[key] = proposed.get(key, 0.0) + move_line.quantity
        deliveries = self._get_lot_deliveries().filtered(
            lambda delivery: delivery.lot_id.id in wanted and delivery.move_line_id
        )
        # Spread each lot's returned quantity over its deliveries, oldest first.
        targets, pickings, left = {}, {}, dict(wanted)
        for delivery in deliveries:
            key = (delivery.move_line_id.move_id, delivery.lot_id)
            take = min(left[delivery.lot_id.id], delivery.quantity)
            left[delivery.lot_id.id] -= take
            targets[key] = targets.get(key, 0.0) + take
            pickings[key] = delivery.picking_id
        to_return = {}  # picking -> {(move, lot): qty}
        for (move, lot), target in targets.items():
            missing = target - proposed.get((move.id, lot.id), 0.0)
            if float_compare(missing, 0.0, precision_rounding=move.product_uom.rounding) > 0:
                to_return.setdefault(pickings[move, lot], {})[move, lot] = missing
        returns = self.env["stock.picking"]
        for picking, quantities in to_return.items():
            returns |= self._create_return(picking.sudo().with_company(company), quantities)
        if returns:
            self.return_picking_ids = [Command.link(picking.id) for picking in returns]
            self.recall_id.message_post(
                body=self.env._(
                    "Return proposed for %(customer)s: %(returns)s, to validate when the goods arrive.",
                    customer=self.partner_id.display_name,
                    returns=", ".join(returns.mapped("name")),
                )
            )
        return returns

    def _create_return(self, picking, quantities):
        """The return of ``picking`` (Odoo's return wizard) for ``quantities``
        {(move, lot): qty}, its detailed operations set to exactly those lots."""
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_company(picking.company_id)
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for return_line in wizard.product_return_moves:
            return_line.quantity = sum(qty for (move, _lot), qty in quantities.items() if move == return_line.move_id)
        new_picking = wizard._create_return()
        new_picking.origin = f"{self.recall_id.name} ({picking.name})"
        for move in new_picking.move_ids:
            move._trace_recall_set_lot_lines(
                {
                    lot: qty
                    for (origin, lot), qty in quantities.items()
                    if origin == move.origin_returned_move_id
                    and not float_is_zero(qty, precision_rounding=move.product_uom.rounding)
                }
            )
        return new_picking

    # ------------------------------------------------------------------
    # reminders
    # ------------------------------------------------------------------
    def _get_reminder_template(self):
        """The mail template of the second notice, to customers who have not answered."""
        return self.env.ref("trace_recall.mail_template_recall_reminder")

    def _send_reminders(self):
        """Once per customer line: the second notice by mail, and an activity for the
        recall's coordinator to call the customer. Drills are never reminded."""
        lines = self.filtered(lambda line: not line.recall_id.is_drill and not line.reminder_count)
        for line in lines:
            line._get_reminder_template().send_mail(
                line.id, email_values=line._prepare_notice_vals(), email_layout_xmlid="mail.mail_notification_light"
            )
            line.activity_schedule(
                "mail.mail_activity_data_call",
                summary=self.env._("Call %(customer)s: no answer to the recall notice", customer=line.partner_id.name),
                user_id=(line.recall_id.user_id or line.recall_id.create_uid).id,
            )
        lines.write({"reminder_count": 1, "reminder_date": fields.Datetime.now()})
        return lines

    @api.model
    def _sync(self, recall, qty_by_partner):
        """One customer line per customer delivered, set-based (a recall may reach
        thousands of customers): existing lines get their new quantity, new customers a
        line to notify."""
        self.flush_model()
        partners = list(qty_by_partner)
        quantities = [qty_by_partner[partner] for partner in partners]
        self.env.cr.execute(
            SQL(
                """
            WITH shipped AS (SELECT * FROM unnest(%(partners)s::int[], %(quantities)s::float8[]) AS s(partner_id, qty)),
                 updated AS (
                    UPDATE trace_recall_partner line
                       SET qty_shipped = shipped.qty, write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                      FROM shipped
                     WHERE line.recall_id = %(recall)s AND line.partner_id = shipped.partner_id
                 RETURNING line.partner_id
                 )
            INSERT INTO trace_recall_partner (recall_id, company_id, partner_id, state, qty_shipped, qty_returned,
                                              create_uid, create_date, write_uid, write_date)
            SELECT %(recall)s, %(company)s, shipped.partner_id, 'to_notify', shipped.qty, 0,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM shipped
             WHERE NOT EXISTS (SELECT 1 FROM trace_recall_partner line
                                WHERE line.recall_id = %(recall)s AND line.partner_id = shipped.partner_id)
                """,
                partners=partners,
                quantities=quantities,
                recall=recall.id,
                company=recall.company_id.id,
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        recall.invalidate_recordset(["partner_line_ids"])
