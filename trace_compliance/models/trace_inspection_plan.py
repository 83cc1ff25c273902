import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..compat import user_groups

SAMPLINGS = [("all", "Every Lot"), ("nth", "Every Nth Lot"), ("percent", "A Share of the Lots")]
TRIGGERS = [("receipt", "At Receipt"), ("production", "At the End of Manufacturing")]


class TraceInspectionPlan(models.Model):
    """What our own lab tests on a lot, and when: at receipt (lots received from a vendor)
    and/or at the end of a manufacturing order (the lots it produced).

    A plan applies to products, product categories (and their subcategories) and, at
    receipt, vendors; a plan naming none applies to every product. For a lot and a trigger
    the most specific plan applies (:meth:`_get_plan`): one naming the product, then the
    vendor, then the category (the deepest), then one naming nothing; then by sequence.
    Sampling is deterministic: the plan counts the lots it saw (``lot_count``), so that
    "every 4th lot" inspects lots 1, 5, 9... and "25 %" the same ones.
    """

    _name = "trace.inspection.plan"
    _description = "Inspection Plan"
    _inherit = ["mail.thread", "trace.audit.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    at_receipt = fields.Boolean(default=True, tracking=True, help="Inspect the lots received from a vendor.")
    at_production = fields.Boolean(
        "At the End of Manufacturing",
        tracking=True,
        help="Inspect the lots a manufacturing order produced, when it is done.",
    )
    product_tmpl_ids = fields.Many2many(
        "product.template",
        "trace_inspection_plan_product_template_rel",
        "plan_id",
        "product_tmpl_id",
        "Products",
        check_company=True,
        help="Empty: every product (of the categories, if any).",
    )
    categ_ids = fields.Many2many(
        "product.category",
        "trace_inspection_plan_product_category_rel",
        "plan_id",
        "categ_id",
        "Product Categories",
        help="The products of these categories and of their subcategories. Empty: every category.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "trace_inspection_plan_res_partner_rel",
        "plan_id",
        "partner_id",
        "Vendors",
        check_company=True,
        help="At receipt only: the lots received from these vendors. Empty: from any vendor. "
        "A plan with vendors does not apply at the end of manufacturing.",
    )
    certificate_type_id = fields.Many2one(
        "trace.certificate.type",
        "Report Type",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("trace_compliance.certificate_type_internal_test_report", False),
        help="The type of the internal test report (a certificate of our own lab) an inspection produces.",
    )
    sampling = fields.Selection(SAMPLINGS, required=True, default="all", tracking=True)
    sampling_nth = fields.Integer(
        "Every", default=1, help="Inspect one lot out of this many: the 1st, the (N+1)th, the (2N+1)th..."
    )
    sampling_percent = fields.Float(
        "Share (%)", default=100.0, help="Inspect this share of the lots, the first lot included."
    )
    lot_count = fields.Integer(
        "Lots Seen",
        default=0,
        readonly=True,
        copy=False,
        help="The lots this plan applied to, inspected or not (sampling).",
    )
    group_ids = fields.Many2many(
        "res.groups",
        "trace_inspection_plan_res_groups_rel",
        "plan_id",
        "group_id",
        "Recorded By",
        help="The groups whose members may record the results. Empty: every Traceability User.",
    )
    test_ids = fields.One2many("trace.inspection.plan.test", "plan_id", "Tests", copy=True)
    inspection_count = fields.Integer("Inspections", compute="_compute_inspection_count")
    note = fields.Html("Instructions")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_inspection_count(self):
        Inspection = self.env["trace.inspection"]
        counts = {}
        if self.ids and Inspection.has_access("read"):
            counts = dict(Inspection._read_group([("plan_id", "in", self.ids)], ["plan_id"], ["__count"]))
        for plan in self:
            plan.inspection_count = counts.get(plan, 0)

    @api.constrains("at_receipt", "at_production")
    def _check_trigger(self):
        for plan in self:
            if not plan.at_receipt and not plan.at_production:
                raise ValidationError(
                    self.env._(
                        "Inspection plan %(plan)s: inspect at receipt, at the end of manufacturing, or both.",
                        plan=plan.name,
                    )
                )

    @api.constrains("sampling", "sampling_nth", "sampling_percent")
    def _check_sampling(self):
        for plan in self:
            if plan.sampling == "nth" and plan.sampling_nth < 1:
                raise ValidationError(
                    self.env._("Inspection plan %(plan)s: inspect every 1st lot or more.", plan=plan.name)
                )
            if plan.sampling == "percent" and not 0 < plan.sampling_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Inspection plan %(plan)s: the share of lots inspected is above 0 %% and at most 100 %%.",
                        plan=plan.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["trace.inspection.plan.test"]._trace_clean_commands(vals.get("test_ids"))
        return super().create(vals_list)

    def write(self, vals):
        self.env["trace.inspection.plan.test"]._trace_clean_commands(vals.get("test_ids"))
        return super().write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_open_inspections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_inspection_action")
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @api.model
    def _get_plan(self, product, trigger, company, partner=None):
        """The plan that applies to a lot of ``product`` at ``trigger`` (``receipt`` from
        ``partner``, or ``production``) in ``company``, or an empty recordset."""
        plans = self._get_candidate_plans(trigger, company)
        return plans._select_plan(product, trigger, partner)

    @api.model
    def _get_candidate_plans(self, trigger, company):
        """The active plans of ``company`` at ``trigger`` (read as a system action)."""
        return self.sudo().search(
            [("company_id", "=", company.id), ("at_receipt" if trigger == "receipt" else "at_production", "=", True)]
        )

    def _select_plan(self, product, trigger, partner=None):
        """The most specific of these plans for ``product`` (and ``partner`` at receipt)."""
        product = product.sudo()
        vendor = partner and partner.commercial_partner_id
        categories = [int(categ_id) for categ_id in (product.categ_id.parent_path or "").split("/")[:-1]]
        best, best_key = self.browse(), None
        for plan in self:
            if plan.product_tmpl_ids and product.product_tmpl_id not in plan.product_tmpl_ids:
                continue
            if plan.partner_ids and (
                trigger != "receipt" or not vendor or vendor not in plan.partner_ids.commercial_partner_id
            ):
                continue
            depth = 0
            if plan.categ_ids:
                depths = [categories.index(categ.id) + 1 for categ in plan.categ_ids if categ.id in categories]
                if not depths:
                    continue
                depth = max(depths)
            key = (bool(plan.product_tmpl_ids), bool(plan.partner_ids), depth, -plan.sequence, -plan.id)
            if best_key is None or key > best_key:
                best, best_key = plan, key
        return best

    def _sample(self, count):
        """Which of ``count`` new lots this plan inspects: a list of booleans, in order. The
        plan's counter moves on by ``count`` in one statement (concurrent receipts follow
        one another)."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """UPDATE trace_inspection_plan SET lot_count = COALESCE(lot_count, 0) + %s
                    WHERE id = %s RETURNING lot_count""",
                count,
                self.id,
            )
        )
        last = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["lot_count"])
        return [self._is_sampled(number) for number in range(last - count + 1, last + 1)]

    def _is_sampled(self, number):
        """Whether the ``number``-th lot (from 1) this plan saw is inspected."""
        self.ensure_one()
        if self.sampling == "nth":
            return (number - 1) % max(self.sampling_nth, 1) == 0
        if self.sampling == "percent":
            share = self.sampling_percent / 100.0
            return math.ceil(round(number * share, 6)) > math.ceil(round((number - 1) * share, 6))
        return True

    def _check_recorder(self, user):
        """Whether ``user`` may record the results of this plan's inspections."""
        self.ensure_one()
        groups = self.sudo().group_ids or self.env.ref("trace_compliance.group_trace_user")
        return bool(groups & user_groups(user))
