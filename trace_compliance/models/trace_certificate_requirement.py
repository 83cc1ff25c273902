from odoo import api, fields, models
from odoo.exceptions import ValidationError

STAGES = [("receipt", "At Receipt"), ("shipment", "Before Shipment")]
ENFORCEMENTS = [("block", "Block"), ("warn", "Warn")]


class TraceCertificateRequirement(models.Model):
    """A certificate type the lots of a product (or of a product category and its
    subcategories) need at receipt or before shipment, and whether a missing one blocks
    the transfer or only warns.

    For a product and a type, the most specific rule applies: the product's own, then its
    category's, then the parent categories'; at the same level, Block wins over Warn.
    """

    _name = "trace.certificate.requirement"
    _description = "Certificate Requirement"
    _order = "stage, type_id, id"
    _check_company_auto = True

    product_tmpl_id = fields.Many2one("product.template", "Product", ondelete="cascade", index=True, check_company=True)
    categ_id = fields.Many2one(
        "product.category",
        "Product Category",
        ondelete="cascade",
        index=True,
        help="Applies to the products of this category and of its subcategories.",
    )
    type_id = fields.Many2one("trace.certificate.type", "Certificate Type", required=True, ondelete="cascade")
    stage = fields.Selection(
        STAGES,
        required=True,
        default="receipt",
        help="At Receipt: checked when receiving from a vendor. "
        "Before Shipment: checked when delivering to a customer.",
    )
    enforcement = fields.Selection(
        ENFORCEMENTS,
        required=True,
        default="block",
        help="Block: the transfer is refused. Warn: it is validated, with a note on the transfer; "
        "lots received without their certificates start in quarantine.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Empty: applies in every company. A product of one company sets its company.",
    )
    active = fields.Boolean(default=True)

    @api.depends("product_tmpl_id")
    def _compute_company_id(self):
        for requirement in self:
            requirement.company_id = requirement.product_tmpl_id.company_id or requirement.company_id

    @api.depends("type_id", "stage", "product_tmpl_id", "categ_id")
    def _compute_display_name(self):
        stages = dict(STAGES)
        for requirement in self:
            target = requirement.product_tmpl_id or requirement.categ_id
            stage = stages.get(requirement.stage, "")
            requirement.display_name = f"{requirement.type_id.name} {stage}: {target.display_name or ''}"

    @api.constrains("product_tmpl_id", "categ_id", "type_id")
    def _check_target(self):
        for requirement in self:
            if bool(requirement.product_tmpl_id) == bool(requirement.categ_id):
                raise ValidationError(
                    self.env._("A certificate requirement is set on a product or on a product category, not both.")
                )

    @api.constrains("product_tmpl_id", "categ_id", "type_id", "stage", "company_id")
    def _check_unique(self):
        for requirement in self:
            duplicate = self.search_count(
                [
                    ("id", "!=", requirement.id),
                    ("product_tmpl_id", "=", requirement.product_tmpl_id.id),
                    ("categ_id", "=", requirement.categ_id.id),
                    ("type_id", "=", requirement.type_id.id),
                    ("stage", "=", requirement.stage),
                    ("company_id", "=", requirement.company_id.id),
                ],
                limit=1,
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "%(requirement)s is already required.",
                        requirement=requirement.display_name,
                    )
                )

    @api.model
    def _get_product_requirements(self, products, stage, company):
        """``{product: {certificate type: 'block' | 'warn'}}`` for ``products`` at ``stage``
        in ``company`` (one query; products without requirements are left out)."""
        products = products.sudo()
        category_ids = {int(categ_id) for categ in products.categ_id for categ_id in categ.parent_path.split("/")[:-1]}
        requirements = self.sudo().search(
            [
                ("stage", "=", stage),
                ("company_id", "in", [False, company.id]),
                "|",
                ("product_tmpl_id", "in", products.product_tmpl_id.ids),
                ("categ_id", "in", list(category_ids)),
            ]
        )
        if not requirements:
            return {}
        by_template = {}
        by_category = {}
        for requirement in requirements:
            if requirement.product_tmpl_id:
                by_template.setdefault(requirement.product_tmpl_id.id, []).append(requirement)
            else:
                by_category.setdefault(requirement.categ_id.id, []).append(requirement)
        result = {}
        for product in products:
            # Most general first, so the more specific levels overwrite.
            levels = [
                by_category.get(int(categ_id), []) for categ_id in (product.categ_id.parent_path or "").split("/")[:-1]
            ]
            levels.append(by_template.get(product.product_tmpl_id.id, []))
            needed = {}
            for level in levels:
                at_level = {}
                for requirement in level:
                    if at_level.get(requirement.type_id) != "block":
                        at_level[requirement.type_id] = requirement.enforcement
                needed.update(at_level)
            if needed:
                result[product] = needed
        return result
