from odoo import api, fields, models

from ..groups import TRACE_READERS


class TraceCertificateButtonMixin(models.AbstractModel):
    """The *Certificates* smart button of a form (lot, transfer, product): how many
    certificates the record has, and the action listing them. A model inheriting it says
    which certificates are its own (:meth:`_trace_certificate_domain`) and, when it has
    something to fill in, the defaults of a new one (:meth:`_trace_certificate_context`)."""

    _name = "trace.certificate.button.mixin"
    _description = "Traceability Certificates Smart Button"

    trace_certificate_count = fields.Integer(
        "Certificates", compute="_compute_trace_certificate_count", groups=TRACE_READERS
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_certificate_count(self):
        """The certificates this user may read (0 for a user without traceability rights)."""
        counts = self._trace_certificate_counts() if self.env["trace.certificate"].has_access("read") else {}
        for record in self:
            record.trace_certificate_count = counts.get(record, 0)

    def action_open_trace_certificates(self):
        """The certificates of this record; a new one gets :meth:`_trace_certificate_context`."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_certificate_action")
        action["domain"] = self._trace_certificate_domain()
        action["context"] = self._trace_certificate_context()
        return action

    def _trace_certificate_domain(self):
        """Hook: the domain of the ``trace.certificate`` records of these records."""
        raise NotImplementedError(f"{self._name} must define _trace_certificate_domain()")

    def _trace_certificate_context(self):
        """Hook: the context of the certificate list opened from this record (the defaults
        of a new certificate): none by default."""
        return {}

    def _trace_certificate_counts(self):
        """Hook: ``{record: number of certificates}`` of the saved records among these, read
        as the current user. By default one count per record on its
        :meth:`_trace_certificate_domain`; a model whose domain allows it counts them all in
        one grouped read (``stock.lot``)."""
        Certificate = self.env["trace.certificate"]
        return {record: Certificate.search_count(record._trace_certificate_domain()) for record in self if record.id}
