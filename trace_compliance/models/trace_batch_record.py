from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import gs1
from ..external_api import public
from .trace_signature import SIGNATURE_MEANINGS

# Fields the mail thread writes on any record; they never change the batch record itself.
MAIL_FIELDS = {"message_main_attachment_id", "message_follower_ids", "activity_ids", "message_ids"}
# What each signature meaning does: allowed from these states, moves to that state (or
# stays), and who may sign it.
SIGNING_FLOW = {
    "authored": ({"draft"}, "in_review", "trace_compliance.group_trace_user"),
    "reviewed": ({"in_review"}, None, "trace_compliance.group_trace_user"),
    "approved": ({"in_review"}, "approved", "trace_compliance.group_trace_manager"),
    "released": ({"approved"}, "released", "trace_compliance.group_trace_manager"),
    "rejected": ({"in_review", "approved"}, "rejected", "trace_compliance.group_trace_manager"),
}


class TraceBatchRecord(models.Model):
    """The electronic batch record of a manufacturing order; for a serial-tracked product,
    its device history record (21 CFR 820.184).

    Created when the order is confirmed (product or operation type setting), filled when
    it is done, then reviewed, approved and released by electronic signatures. A released
    record is immutable; a correction is an amendment that references it.
    """

    _name = "trace.batch.record"
    _inherit = ["mail.thread", "mail.activity.mixin", "trace.audit.mixin", "trace.signable.mixin"]
    _description = "Batch Record"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/", index="trigram")
    record_type = fields.Selection(
        [("ebr", "Electronic Batch Record"), ("dhr", "Device History Record")],
        "Type",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("in_review", "In Review"),
            ("approved", "Approved"),
            ("released", "Released"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    production_id = fields.Many2one(
        "mrp.production",
        "Manufacturing Order",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_uom_id = fields.Many2one("uom.uom", "Unit", readonly=True)
    bom_id = fields.Many2one("mrp.bom", "Bill of Materials", readonly=True)
    bom_revision = fields.Char("BoM Revision", readonly=True)
    lot_ids = fields.Many2many("stock.lot", string="Produced Lots/Serials", readonly=True)
    completed = fields.Boolean(readonly=True, copy=False, help="Filled from the done manufacturing order.")
    qty_planned = fields.Float("Planned Quantity", digits="Product Unit of Measure", readonly=True)
    qty_produced = fields.Float("Produced Quantity", digits="Product Unit of Measure", readonly=True)
    qty_scrapped = fields.Float("Scrapped Quantity", digits="Product Unit of Measure", readonly=True)
    qty_released = fields.Float("Released Quantity", digits="Product Unit of Measure", readonly=True, copy=False)
    date_start = fields.Datetime("Manufacturing Started", readonly=True)
    date_finished = fields.Datetime("Manufacturing Finished", readonly=True)
    component_ids = fields.One2many("trace.batch.record.component", "batch_record_id", "Components", copy=True)
    operation_ids = fields.One2many("trace.batch.record.operation", "batch_record_id", "Operations", copy=True)
    check_ids = fields.One2many("trace.batch.record.check", "batch_record_id", "In-Process Checks", copy=True)
    deviation_ids = fields.One2many("trace.batch.record.deviation", "batch_record_id", "Deviations", copy=True)
    signature_ids = fields.One2many("trace.signature", "batch_record_id", "Signatures", readonly=True)
    signatures_valid = fields.Boolean(compute="_compute_signatures_valid")
    amends_id = fields.Many2one("trace.batch.record", readonly=True, index="btree_not_null", copy=False)
    amendment_ids = fields.One2many("trace.batch.record", "amends_id", "Amendments", readonly=True)
    gtin = fields.Char("GTIN", readonly=True, help="The product's barcode as a 14-digit GTIN.")
    expiry_date = fields.Datetime(readonly=True)
    gs1_digital_link = fields.Char("GS1 Digital Link", compute="_compute_gs1")
    gs1_element_string = fields.Char("GS1 Element String", compute="_compute_gs1")
    gs1_problem = fields.Char(
        "Why No GS1 Code",
        compute="_compute_gs1",
        help="Why no GS1 element string or Digital Link can be made: the product's barcode is not a valid GTIN, "
        "or the lot or serial number cannot be carried by GS1 AI (10) or (21).",
    )
    control_numbers = fields.Text(compute="_compute_control_numbers")
    audit_reason = fields.Char(
        "Reason for Change", store=False, help="Required to change an approved record; kept in the audit trail."
    )

    @api.depends("signature_ids")
    def _compute_signatures_valid(self):
        for record in self:
            record.signatures_valid = all(signature.is_valid() for signature in record.signature_ids)

    @api.depends("gtin", "product_id.barcode", "lot_ids", "expiry_date", "record_type")
    def _compute_gs1(self):
        for record in self:
            values = dict.fromkeys(("gs1_digital_link", "gs1_element_string", "gs1_problem"), False)
            lot = record.lot_ids[:1]
            if lot:
                values.update(record._gs1_values(lot))
            record.update(values)

    @api.depends("component_ids.lot_id")
    def _compute_control_numbers(self):
        for record in self:
            record.control_numbers = "\n".join(
                f"{line.product_id.display_name}: {line.lot_id.name}" for line in record.component_ids if line.lot_id
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                code = "trace.device.history.record" if vals.get("record_type") == "dhr" else "trace.batch.record"
                vals["name"] = self.env["ir.sequence"].next_by_code(code) or "/"
        return super().create(vals_list)

    def write(self, vals):
        reason = vals.pop("audit_reason", False) or self.env.context.get("trace_audit_reason")
        if self.env.context.get("trace_batch_signing") or not set(vals) - MAIL_FIELDS:
            return super().write(vals)
        self._check_editable(reason)
        return super(TraceBatchRecord, self.with_context(trace_audit_reason=reason)).write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        for record in self:
            if record.state != "draft" or record.signature_ids or record.completed:
                raise UserError(
                    self.env._(
                        "%(record)s is a batch record with content or signatures: it cannot be deleted.",
                        record=record.name,
                    )
                )

    def _check_editable(self, reason):
        """Released and rejected records are immutable; approved ones change with a reason."""
        for record in self:
            if record.state in ("released", "rejected"):
                raise UserError(
                    self.env._(
                        "%(record)s is %(state)s: it cannot be changed. Create an amendment instead.",
                        record=record.name,
                        state=dict(record._fields["state"].selection)[record.state].lower(),
                    )
                )
            if record.state == "approved" and not reason:
                raise UserError(self.env._("%(record)s is approved: give a reason for the change.", record=record.name))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def _action_sign_dialog(self, meaning):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sign: %(meaning)s", meaning=dict(SIGNATURE_MEANINGS)[meaning]),
            "res_model": "trace.signature.sign",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id, "default_meaning": meaning},
        }

    def action_submit(self):
        return self._action_sign_dialog("authored")

    def action_review(self):
        return self._action_sign_dialog("reviewed")

    def action_approve(self):
        return self._action_sign_dialog("approved")

    def action_release(self):
        return self._action_sign_dialog("released")

    def action_reject(self):
        return self._action_sign_dialog("rejected")

    def action_amend(self):
        """A correction of a released record: a new draft that references it."""
        self.ensure_one()
        if self.state != "released":
            raise UserError(self.env._("Only a released record is amended; change a draft directly."))
        self.check_access("write")
        amendment = self.copy(
            {
                "amends_id": self.id,
                "name": f"{self.name}-A{len(self.amendment_ids) + 1}",
                "record_type": self.record_type,
                "production_id": self.production_id.id,
                "company_id": self.company_id.id,
                "product_id": self.product_id.id,
                "product_uom_id": self.product_uom_id.id,
                "bom_id": self.bom_id.id,
                "bom_revision": self.bom_revision,
                "lot_ids": [Command.set(self.lot_ids.ids)],
                "qty_planned": self.qty_planned,
                "qty_produced": self.qty_produced,
                "qty_scrapped": self.qty_scrapped,
                "date_start": self.date_start,
                "date_finished": self.date_finished,
                "gtin": self.gtin,
                "expiry_date": self.expiry_date,
                "completed": True,
            }
        )
        self.message_post(body=self.env._("Amended by %(amendment)s.", amendment=amendment.name))
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": amendment.id,
            "view_mode": "form",
        }

    def action_print_udi_labels(self):
        """Print the UDI label of each lot or serial this record produced."""
        return self.env["stock.lot"]._trace_udi_label_action(self)

    def action_open_trace_map(self):
        """The Trace Map of the lots or serials this record produced."""
        self.ensure_one()
        return self.lot_ids._action_trace_map()

    def action_verify_signatures(self):
        self.ensure_one()
        broken = self.signature_ids.filtered(lambda signature: not signature.is_valid())
        if broken:
            message = self.env._(
                "The content changed after these signatures: %(signatures)s",
                signatures=", ".join(f"{s.printed_name} ({s.meaning}, {s.signed_at})" for s in broken),
            )
        else:
            message = self.env._("%(count)s signatures match the record's content.", count=len(self.signature_ids))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "danger" if broken else "success", "sticky": bool(broken)},
        }

    # ------------------------------------------------------------------
    # signing
    # ------------------------------------------------------------------
    @public(single=True)
    def sign(self, meaning, password=None, comment=False):
        """Sign this record (public, XML-RPC): ``meaning`` is one of authored, reviewed,
        approved, released, rejected; ``password`` is the signer's own password."""
        if not isinstance(meaning, str) or meaning not in SIGNING_FLOW:
            raise UserError(self.env._("Unknown signature meaning %(meaning)r.", meaning=meaning))
        if not password or not isinstance(password, str):
            raise UserError(self.env._("A signature needs the signer's own password."))
        self.check_access("read")
        return self._trace_sign(meaning, password, comment).id

    def _trace_check_can_sign(self, meaning):
        states, _next_state, group = SIGNING_FLOW[meaning]
        if not self.env.user.has_group(group):
            raise AccessError(
                self.env._(
                    "Signing as %(meaning)s needs the %(group)s group.",
                    meaning=meaning,
                    group=self.env.ref(group).full_name,
                )
            )
        if self.state not in states:
            raise UserError(
                self.env._(
                    "%(record)s is %(state)s: it cannot be signed as %(meaning)s.",
                    record=self.name,
                    state=self.state,
                    meaning=meaning,
                )
            )
        if meaning == "authored" and not self.completed:
            raise UserError(
                self.env._("%(record)s is not complete: its manufacturing order is not done.", record=self.name)
            )
        if meaning == "released" and self.company_id.trace_release_requires_different_user:
            authors = self.signature_ids.filtered(lambda s: s.meaning == "authored").signer_id
            if self.env.user in authors:
                raise UserError(
                    self.env._("%(record)s was authored by you: another person must release it.", record=self.name)
                )

    def _trace_on_signed(self, signature):
        next_state = SIGNING_FLOW[signature.meaning][1]
        if not next_state:
            return
        vals = {"state": next_state}
        if next_state == "released":
            vals["qty_released"] = self.qty_produced
        self.with_context(trace_batch_signing=True, trace_audit_reason=signature.comment).write(vals)

    def _trace_signature_content(self):
        self.ensure_one()

        def rows(lines, names):
            return [
                [str(line[name].id if hasattr(line[name], "id") else line[name]) for name in names] for line in lines
            ]

        return {
            "name": self.name,
            "type": self.record_type,
            "production": self.production_id.name,
            "product": self.product_id.display_name,
            "bom": [self.bom_id.id, self.bom_revision],
            "lots": self.lot_ids.mapped("name"),
            "quantities": [self.qty_planned, self.qty_produced, self.qty_scrapped],
            "dates": [str(self.date_start), str(self.date_finished)],
            "components": rows(self.component_ids, ["product_id", "lot_id", "quantity"]),
            "operations": rows(
                self.operation_ids, ["name", "workcenter_id", "operator", "date_start", "date_finished"]
            ),
            "checks": rows(
                self.check_ids,
                [
                    "instruction",
                    "specification",
                    "measured_value",
                    "measured_text",
                    "result",
                    "checked_by_id",
                    "checked_at",
                ],
            ),
            "deviations": rows(self.deviation_ids, ["description", "impact", "corrective_action", "reported_by_id"]),
            "amends": self.amends_id.name or None,
        }

    # ------------------------------------------------------------------
    # filling from the manufacturing order
    # ------------------------------------------------------------------
    @api.model
    def _create_for_productions(self, productions):
        """The batch records of these confirmed manufacturing orders, one each
        (``mrp.production._prepare_trace_batch_record_vals``)."""
        return self.sudo().create([production._prepare_trace_batch_record_vals() for production in productions])

    def _fill_from_production(self):
        """What happened, from the done order: quantities, lots, components, operations
        (:meth:`_prepare_production_result_vals`)."""
        for record in self.sudo():
            record.with_context(trace_batch_signing=True).write(record._prepare_production_result_vals())

    def _prepare_production_result_vals(self):
        """Hook: the values written on this record when its manufacturing order is done:
        quantities, dates, the lots produced, GTIN and expiry, the components consumed
        (:meth:`_prepare_component_vals`, one per done move line) and the operations
        (:meth:`_prepare_operation_vals`, one per work order)."""
        self.ensure_one()
        production = self.production_id
        consumed = production.move_raw_ids.move_line_ids.filtered(lambda ml: ml.state == "done")
        produced = production.move_finished_ids.filtered(
            lambda m, product=production.product_id: m.product_id == product
        )
        lots = produced.move_line_ids.filtered(lambda ml: ml.state == "done").lot_id
        return {
            "completed": True,
            "lot_ids": [Command.set(lots.ids)],
            "qty_produced": production.qty_produced,
            "qty_scrapped": sum(production.scrap_ids.filtered(lambda s: s.state == "done").mapped("scrap_qty")),
            "date_start": production.date_start,
            "date_finished": production.date_finished,
            "gtin": self._gtin(production.product_id.barcode),
            "expiry_date": lots[:1].expiration_date if "expiration_date" in lots._fields else False,
            "component_ids": [Command.clear()]
            + [Command.create(self._prepare_component_vals(line)) for line in consumed],
            "operation_ids": [Command.clear()]
            + [Command.create(self._prepare_operation_vals(workorder)) for workorder in production.workorder_ids],
        }

    def _prepare_component_vals(self, move_line):
        """Hook: the component line of a done ``stock.move.line`` consumed by the order."""
        return {
            "product_id": move_line.product_id.id,
            "lot_id": move_line.lot_id.id,
            "quantity": move_line.quantity,
            "product_uom_id": move_line.product_uom_id.id,
        }

    def _prepare_operation_vals(self, workorder):
        """Hook: the operation line of one ``mrp.workorder`` of the order (its operators
        from the time tracked on it)."""
        return {
            "name": workorder.name,
            "workcenter_id": workorder.workcenter_id.id,
            "operator": ", ".join(workorder.time_ids.user_id.mapped("name")),
            "date_start": workorder.date_start,
            "date_finished": workorder.date_finished,
            "duration": workorder.duration,
        }

    @api.model
    def _gtin(self, barcode):
        """A GTIN-8/12/13/14 barcode (check digit verified) as the 14 digits GS1
        identifiers use, else False."""
        return gs1.gtin14(barcode)

    def _trace_udi_lots(self):
        return self.lot_ids

    def _gs1_values(self, lot):
        """The GS1 element string and Digital Link of ``lot`` as made by this record, or
        the reason (``gs1_problem``) why none can be made."""
        self.ensure_one()
        identifiers = lot._trace_gs1_identifiers(
            gtin=self.gtin or False,
            ai=gs1.AI_SERIAL if self.record_type == "dhr" else gs1.AI_LOT,
            expiry=self.expiry_date and fields.Datetime.context_timestamp(self, self.expiry_date).date(),
        )
        if identifiers["problem"]:
            return {"gs1_problem": identifiers["problem"]}
        return {
            "gs1_element_string": identifiers["element_string"],
            "gs1_digital_link": identifiers["digital_link"],
        }
