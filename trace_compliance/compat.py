"""What differs between Odoo 18.0 and 19.0, written once.

The add-ons run on both series from the same code.  Every difference they meet is a name
here, with what each series does; models, views, data files and tests call these names
and never test the version themselves.  When 18.0 support ends, each entry collapses to
its 19.0 branch.
"""

from odoo import Command, api, fields, models, release

#: The Odoo series running (18 or 19).
SERIES = release.version_info[0]


class _Constraint18:
    """18.0 reads SQL constraints from the model's ``_sql_constraints`` list; 19.0 from
    ``models.Constraint`` attributes (and ignores the list, with a warning).

    On 18.0 this stands in for ``models.Constraint``: assigned in a model's class body as
    ``_name_uniq = Constraint("UNIQUE(name)", "message")``, it appends
    ``("name_uniq", definition, message)`` to that class's own ``_sql_constraints``, which
    18.0 reads when the class is created, so both series create the same constraint
    (``<table>_name_uniq``)."""

    def __init__(self, definition, message=""):
        self.definition = definition
        self.message = message

    def __set_name__(self, owner, name):
        own = list(owner.__dict__.get("_sql_constraints", []))
        type.__setattr__(owner, "_sql_constraints", [*own, (name[1:], self.definition, self.message)])


#: ``models.Constraint`` on 19.0, its 18.0 equivalent on 18.0.
Constraint = getattr(models, "Constraint", _Constraint18)


if SERIES == 18:
    from odoo.osv import expression  # 19.0 warns on importing odoo.osv: imported on 18.0 only
else:
    from odoo.fields import Domain


def domain_and(domains):
    """The conjunction of ``domains``, as a list: ``odoo.osv.expression.AND`` on 18.0,
    ``Domain.AND`` on 19.0 (where ``odoo.osv`` is deprecated)."""
    return expression.AND(domains) if SERIES == 18 else list(Domain.AND(domains))


def domain_or(domains):
    """The disjunction of ``domains``, as a list (see :func:`domain_and`)."""
    return expression.OR(domains) if SERIES == 18 else list(Domain.OR(domains))


def domain_sql(model, domain, query):
    """The SQL condition of ``domain`` on ``model``'s rows in ``query`` (joins added to the
    query as the ORM would): ``expression(...).result`` on 18.0, the optimized ``Domain``'s
    ``_to_sql`` on 19.0."""
    if SERIES == 18:
        return expression.expression(domain, model, query=query).result
    return Domain(domain).optimize_full(model)._to_sql(model, query.table, query)


#: The many2many from menus, actions and users to groups: ``groups_id`` on 18.0,
#: ``group_ids`` on 19.0.
GROUPS_FIELD = "groups_id" if SERIES == 18 else "group_ids"
#: A group's users: ``users`` on 18.0, ``user_ids`` on 19.0.
GROUP_USERS_FIELD = "users" if SERIES == 18 else "user_ids"
#: Every group a group implies, directly or not: ``trans_implied_ids`` on 18.0,
#: ``all_implied_ids`` on 19.0.
ALL_IMPLIED_FIELD = "trans_implied_ids" if SERIES == 18 else "all_implied_ids"


def user_groups(user):
    """Every group of ``user``, implied ones included: ``groups_id`` on 18.0 (which holds
    them all), ``all_group_ids`` on 19.0 (``group_ids`` holds the groups given directly)."""
    return user.groups_id if SERIES == 18 else user.all_group_ids


#: The lot or serial a manufacturing order produces: one ``lot_producing_id`` on 18.0,
#: ``lot_producing_ids`` on 19.0 (several serials per order).  A domain
#: ``(PRODUCING_LOT_FIELD, "=", lot_id)`` finds the orders producing a lot on both.
PRODUCING_LOT_FIELD = "lot_producing_id" if SERIES == 18 else "lot_producing_ids"


def producing_lot_vals(lot):
    """The values that make an order produce ``lot`` (a record or an id)."""
    lot_id = getattr(lot, "id", lot)
    return {PRODUCING_LOT_FIELD: lot_id if SERIES == 18 else [Command.set([lot_id])]}


def last_delivery_partner(lot):
    """The customer ``lot`` was last delivered to: ``last_delivery_partner_id`` on 18.0,
    the first of ``partner_ids`` (latest delivery first) on 19.0."""
    return lot.last_delivery_partner_id if SERIES == 18 else lot.partner_ids[:1]


def registry_test_mode(case):
    """Make new cursors of the test ``case``'s registry share its test transaction, until
    the test ends: ``registry.enter_test_mode(cr)`` on 18.0, the test case's own
    ``registry_enter_test_mode()`` on 19.0."""
    if SERIES == 18:
        case.registry.enter_test_mode(case.cr)
        case.addCleanup(case.registry.leave_test_mode)
    else:
        case.registry_enter_test_mode()


def serial_sequence_field(string, **kwargs):
    """A product's own sequence for the serials assigned at assembly: a field of ours on
    18.0; on 19.0, Odoo's own per-product ``lot_sequence_id`` (which 19.0's manufacturing
    orders already draw their serials from), so that there is one setting, not two."""
    if SERIES == 18:
        return fields.Many2one("ir.sequence", string, **kwargs)
    return fields.Many2one(related="lot_sequence_id", readonly=False, string=string, help=kwargs.get("help"))


#: Models read beside a transfer or a product that one series has and the other has not:
#: 18.0's packages (``stock.quant.package``) and their levels (``stock.package_level``)
#: are 19.0's ``stock.package``; 18.0's unit categories (``uom.category``) are gone in 19.0.
SERIES_MODELS = {
    18: ("stock.quant.package", "stock.package_level", "uom.category"),
    19: ("stock.package",),
}[SERIES]


#: Views that give one series' core form the structure the other's has, so that one
#: inherited view of ours fits both: ``{xml id: (inherited view, arch)}``.
#: 19.0's lot form has no notebook (its description is a group): this one puts that group
#: in a notebook page, as 18.0's form has it, for the add-ons' pages.
SERIES_VIEWS = {
    18: {},
    19: {
        "trace_compliance.view_production_lot_form_notebook": (
            "stock.view_production_lot_form",
            """<data>
                <xpath expr="//group[@name='description']" position="before">
                    <notebook invisible="not display_complete">
                        <page string="Description" name="description"/>
                    </notebook>
                </xpath>
                <xpath expr="//page[@name='description']" position="inside">
                    <xpath expr="//group[@name='description']" position="move"/>
                </xpath>
            </data>""",
        ),
    },
}[SERIES]


class TraceCompat(models.AbstractModel):
    """Data-file helpers for records that no XML describes on both series: the data files
    call them with ``<function model="trace.compat" name="..."/>``."""

    _name = "trace.compat"
    _description = "Traceability: Odoo 18.0 / 19.0 compatibility"

    @api.model
    def _set_group_privilege(self, xmlid, values, group_xmlids):
        """Put the groups ``group_xmlids`` under one heading of the user form, made (or
        updated) with ``values`` (name, description, sequence) under the xml id ``xmlid``.

        18.0 groups them by ``ir.module.category`` (``res.groups.category_id``), under
        Manufacturing; 19.0 by ``res.groups.privilege`` (``privilege_id``), under Supply
        Chain, beside Odoo's own Manufacturing privilege."""
        if SERIES == 18:
            model, parent, link = (
                "ir.module.category",
                ("parent_id", "base.module_category_manufacturing"),
                "category_id",
            )
        else:
            model, parent, link = (
                "res.groups.privilege",
                ("category_id", "base.module_category_supply_chain"),
                "privilege_id",
            )
        values = dict(values, **{parent[0]: self.env.ref(parent[1]).id})
        heading = self.env[model]._load_records([{"xml_id": xmlid, "values": values, "noupdate": False}], update=True)
        for group_xmlid in group_xmlids:
            self.env.ref(group_xmlid).write({link: heading.id})

    @api.model
    def _grant_read(self, group_xmlid, suffix):
        """Read access for ``group_xmlid`` on :data:`SERIES_MODELS`, as the rows
        ``access_<model>_<suffix>`` of the group's module's access list would give it."""
        group = self.env.ref(group_xmlid)
        module = group_xmlid.split(".")[0]
        rows = [
            {
                "xml_id": f"{module}.access_{name.replace('.', '_')}_{suffix}",
                "noupdate": False,
                "values": {
                    "name": f"{name} {group.name.lower()}",
                    "model_id": self.env["ir.model"]._get_id(name),
                    "group_id": group.id,
                    "perm_read": True,
                    "perm_write": False,
                    "perm_create": False,
                    "perm_unlink": False,
                },
            }
            for name in SERIES_MODELS
        ]
        self.env["ir.model.access"]._load_records(rows, update=True)

    @api.model
    def _load_series_views(self):
        """Create or update :data:`SERIES_VIEWS` (nothing on a series that needs none)."""
        rows = []
        for xmlid, (inherit, arch) in SERIES_VIEWS.items():
            parent = self.env.ref(inherit)
            values = {"name": f"{parent.name}.trace", "model": parent.model, "inherit_id": parent.id, "arch": arch}
            rows.append({"xml_id": xmlid, "values": values, "noupdate": False})
        self.env["ir.ui.view"]._load_records(rows, update=True)

    @api.model
    def _set_producing(self, production_ids, qty, lot_id):
        """Set the quantity and the lot the orders ``production_ids`` produce (demo data)."""
        self.env["mrp.production"].browse(production_ids).write(dict(producing_lot_vals(lot_id), qty_producing=qty))

    @api.model
    def _add_users(self, group_xmlid, user_xmlids):
        """Add the users ``user_xmlids`` to the group ``group_xmlid`` (:data:`GROUP_USERS_FIELD`)."""
        users = [Command.link(self.env.ref(xmlid).id) for xmlid in user_xmlids]
        self.env.ref(group_xmlid).write({GROUP_USERS_FIELD: users})

    @api.model
    def _add_groups(self, xmlid, group_xmlids):
        """Restrict the menu or action ``xmlid`` to ``group_xmlids`` too (:data:`GROUPS_FIELD`)."""
        groups = [Command.link(self.env.ref(group).id) for group in group_xmlids]
        self.env.ref(xmlid).write({GROUPS_FIELD: groups})


def move_vals(vals, name):
    """``vals`` of a new ``stock.move`` with its description ``name``: 18.0 requires a
    move's ``name``; 19.0 has none (a move is described by its product and reference)."""
    return dict(vals, name=name) if SERIES == 18 else vals


def name_new_moves(env, vals_list):
    """On 18.0, name the moves of ``vals_list`` created without a ``name`` after their
    product, as the transfer form's onchange names them (18.0 requires a move's name;
    19.0 has none, so the demo data and the tests create moves without one); a move
    created with a name keeps it. Nothing on 19.0. Called by ``stock.move.create``."""
    if SERIES == 18:
        for vals in vals_list:
            if not vals.get("name") and vals.get("product_id"):
                vals["name"] = env["product.product"].browse(vals["product_id"]).display_name
    return vals_list
