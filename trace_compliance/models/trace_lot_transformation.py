from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..compat import move_vals
from ..external_api import public

TRANSFORMATION_TYPES = [
    ("repack", "Repack"),
    ("relabel", "Relabel"),
    ("merge", "Merge"),
    ("split", "Split"),
]


class TraceLotTransformation(models.Model):
    """A transformation of lots outside manufacturing: repack, relabel, merge or split.

    Validating it consumes the input lots and produces the output lots in stock (real
    stock moves through the production location) and records the genealogy, so a trace
    goes through it like through a manufacturing order.
    """

    _name = "trace.lot.transformation"
    _description = "Lot Transformation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default="/", index="trigram")
    transformation_type = fields.Selection(TRANSFORMATION_TYPES, "Type", required=True, default="repack", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    location_id = fields.Many2one(
        "stock.location",
        required=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        default=lambda self: self._default_location(),
        help="Where the input lots are taken from and the output lots are put.",
    )
    line_ids = fields.One2many("trace.lot.transformation.line", "transformation_id", "Lines", copy=True)
    input_line_ids = fields.One2many(
        "trace.lot.transformation.line",
        "transformation_id",
        "Inputs",
        domain=[("direction", "=", "input")],
        context={"default_direction": "input"},
    )
    output_line_ids = fields.One2many(
        "trace.lot.transformation.line",
        "transformation_id",
        "Outputs",
        domain=[("direction", "=", "output")],
        context={"default_direction": "output"},
    )
    move_ids = fields.One2many("stock.move", "trace_transformation_id", "Stock Moves", readonly=True)
    link_ids = fields.One2many("trace.lot.link", "transformation_id", "Genealogy Links", readonly=True)
    validated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    validated_date = fields.Datetime("Validated On", readonly=True, copy=False)
    note = fields.Text()

    @api.model
    def _default_location(self):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        return warehouse.lot_stock_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("trace.lot.transformation") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if any(t.state != "draft" for t in self) and set(vals) - {"note", "message_main_attachment_id"}:
            raise UserError(self.env._("A validated or cancelled transformation cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(t.state != "draft" for t in self):
            raise UserError(self.env._("Only draft transformations can be deleted: validated ones are genealogy."))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def action_validate(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("%(name)s is not a draft.", name=self.name))
        self._check_lines()
        inputs, outputs = self.input_line_ids, self.output_line_ids
        inputs.lot_id._check_released(self.display_name)
        for line in inputs:
            available = self.env["stock.quant"]._get_available_quantity(
                line.product_id, self.location_id, lot_id=line.lot_id, strict=False
            )
            if float_compare(available, line.quantity, precision_rounding=line.product_uom_id.rounding) < 0:
                raise UserError(
                    self.env._(
                        "Only %(available)s %(uom)s of %(lot)s are available in %(location)s, %(needed)s needed.",
                        available=available,
                        uom=line.product_uom_id.name,
                        lot=line.lot_id.display_name,
                        location=self.location_id.display_name,
                        needed=line.quantity,
                    )
                )
        for line in outputs.filtered(lambda line: not line.lot_id):
            line.lot_id = line._find_or_create_lot()
        moves = self._create_moves()
        moves._action_done()
        self._create_links()
        self.write({"state": "done", "validated_by_id": self.env.user.id, "validated_date": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Validated by %(user)s: %(inputs)s into %(outputs)s.",
                user=self.env.user.name,
                inputs=", ".join(inputs.lot_id.mapped("name")),
                outputs=", ".join(outputs.lot_id.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    @public(access="write")
    def action_cancel(self):
        if any(t.state != "draft" for t in self):
            raise UserError(self.env._("Only draft transformations can be cancelled."))
        self.write({"state": "cancel"})
        return True

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    def _check_lines(self):
        inputs, outputs = self.input_line_ids, self.output_line_ids
        if not inputs or not outputs:
            raise UserError(self.env._("A transformation needs at least one input lot and one output lot."))
        for line in self.line_ids:
            product = line.product_id.display_name
            rounding = line.product_uom_id.rounding
            if line.product_id.tracking == "none":
                raise UserError(self.env._("%(product)s is not tracked by lots or serial numbers.", product=product))
            if float_is_zero(line.quantity, precision_rounding=rounding) or line.quantity < 0:
                raise UserError(self.env._("Every line needs a quantity above zero."))
            if line.direction == "input" and not line.lot_id:
                raise UserError(self.env._("Input %(product)s has no lot.", product=product))
            if line.direction == "output" and not (line.lot_id or line.lot_name):
                raise UserError(self.env._("Output %(product)s has no lot.", product=product))
            if line.product_id.tracking == "serial" and float_compare(line.quantity, 1, precision_rounding=rounding):
                raise UserError(self.env._("A serial number is one unit: %(product)s.", product=product))
        kind = self.transformation_type
        if kind == "relabel" and (len(inputs) != 1 or len(outputs) != 1 or inputs.product_id != outputs.product_id):
            raise UserError(self.env._("A relabel turns one lot into one new lot of the same product."))
        rounding = inputs[:1].product_uom_id.rounding or 0.01
        if kind == "relabel" and float_compare(inputs.quantity, outputs.quantity, precision_rounding=rounding):
            raise UserError(self.env._("A relabel keeps the quantity: the output must equal the input."))
        if kind == "merge" and (len(inputs) < 2 or len(outputs) != 1):
            raise UserError(self.env._("A merge turns two or more input lots into one output lot."))
        if kind == "split" and (len(inputs) != 1 or len(outputs) < 2):
            raise UserError(self.env._("A split turns one input lot into two or more output lots."))
        input_lots = inputs.lot_id
        if outputs.lot_id & input_lots:
            raise UserError(self.env._("An output lot cannot also be an input lot of the same transformation."))

    def _create_moves(self):
        Move = self.env["stock.move"]
        moves = Move
        for line in self.line_ids:
            move = Move.create(self._prepare_move_vals(line))
            move._action_confirm(merge=False)
            move.move_line_ids.unlink()
            move.write({"move_line_ids": [Command.create(self._prepare_move_line_vals(line))], "picked": True})
            moves |= move
        return moves

    def _get_move_locations(self, line):
        """Hook: ``(source, destination)`` of the move of ``line``: an input goes from the
        transformation's location to the product's production location, an output back."""
        production_location = line.product_id.with_company(self.company_id).property_stock_production
        if line.direction == "input":
            return self.location_id, production_location
        return production_location, self.location_id

    def _prepare_move_vals(self, line):
        """Hook: the ``stock.move`` of one line (input consumed or output produced)."""
        self.ensure_one()
        source, destination = self._get_move_locations(line)
        return move_vals(
            {
                "origin": self.name,
                "product_id": line.product_id.id,
                "product_uom_qty": line.quantity,
                "product_uom": line.product_uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
                "trace_transformation_id": self.id,
                "date": self.date,
            },
            f"{self.name}: {line.product_id.display_name}",
        )

    def _prepare_move_line_vals(self, line):
        """Hook: the one detailed operation of the move of ``line``: exactly its lot and
        quantity."""
        self.ensure_one()
        source, destination = self._get_move_locations(line)
        return {
            "product_id": line.product_id.id,
            "product_uom_id": line.product_uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "lot_id": line.lot_id.id,
            "quantity": line.quantity,
            "company_id": self.company_id.id,
        }

    def _create_links(self):
        """Each input lot went into each output lot, in proportion to the outputs."""
        outputs = self.output_line_ids
        total_out = sum(outputs.mapped("quantity"))
        vals = [
            self._prepare_link_vals(line_in, line_out, line_in.quantity * line_out.quantity / total_out)
            for line_in in self.input_line_ids
            for line_out in outputs
        ]
        self.env["trace.lot.link"].sudo().create(vals)

    def _prepare_link_vals(self, line_in, line_out, quantity):
        """Values of the genealogy link from input line ``line_in`` to output line
        ``line_out`` (``quantity`` of the input went into that output)."""
        self.ensure_one()
        return {
            "parent_lot_id": line_in.lot_id.id,
            "child_lot_id": line_out.lot_id.id,
            "quantity": quantity,
            "link_type": "transformation",
            "transformation_id": self.id,
            "date": self.date,
            "company_id": self.company_id.id,
        }
